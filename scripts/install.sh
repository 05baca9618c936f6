#!/bin/sh
# Installs the espgw binaries, the hugepage helper and the systemd units (scripts/systemd/).
# Idempotent; never overwrites an instance's /etc/espgw/NAME.env or NAME.cfg.
#
#   scripts/install.sh [--build DIR] [--prefix DIR] [--unit-dir DIR] [--sysconf-dir DIR]
#
# Defaults: build directory `build`, prefix /usr/local, units in /etc/systemd/system,
# configuration in /etc/espgw. Paths in the units follow --prefix and --sysconf-dir, so a staging
# install (tests/systemd) gets units that point at its own files.
set -eu
cd "$(dirname "$0")/.."

build=build
prefix=/usr/local
unit_dir=/etc/systemd/system
sysconf=/etc/espgw
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --unit-dir) unit_dir=$2; shift 2 ;;
        --sysconf-dir) sysconf=$2; shift 2 ;;
        *) echo "install.sh: unknown argument $1 (see the header of scripts/install.sh)" >&2; exit 2 ;;
    esac
done

binaries="dataplane/espgw-dataplane espgw-control mgmt/espgw mgmt/exporter/espgw-exporter"
for b in $binaries; do
    if [ ! -x "$build/$b" ]; then
        echo "install.sh: $build/$b is missing: build first (scripts/build.sh $build)" >&2
        exit 1
    fi
done

install -d -m 0755 "$prefix/bin" "$prefix/lib/espgw" "$prefix/share/doc/espgw" "$unit_dir"
for b in $binaries; do
    install -m 0755 "$build/$b" "$prefix/bin/"
done
install -m 0755 scripts/hugepages.sh "$prefix/lib/espgw/espgw-hugepages"
install -m 0644 scripts/systemd/README.md "$prefix/share/doc/espgw/systemd.md"

for u in scripts/systemd/*.service scripts/systemd/*.target; do
    sed -e "s#/usr/local#$prefix#g" -e "s#/etc/espgw#$sysconf#g" "$u" >"$unit_dir/$(basename "$u")"
    chmod 0644 "$unit_dir/$(basename "$u")"
done

# Root only: the configuration holds manual keys.
install -d -m 0700 "$sysconf"
install -m 0600 scripts/systemd/example.env "$sysconf/example.env"

# Tell a running systemd about the new units (not for staging installs elsewhere).
if [ "$unit_dir" = /etc/systemd/system ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi
echo "espgw installed in $prefix, units in $unit_dir; see $prefix/share/doc/espgw/systemd.md"
