#!/bin/sh
# Installs every Debian package espgw needs to build, test and benchmark, and reserves hugepages.
# Idempotent: safe to run again; skips apt when everything is already installed.
set -eu

PKGS="build-essential g++ meson ninja-build pkg-config clang-format
libdpdk-dev dpdk-dev dpdk-doc libipsec-mb-dev libssl-dev libabsl-dev libbenchmark-dev libgtest-dev
libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
python3 python3-scapy tshark tcpdump iproute2 libpcap-dev ethtool iputils-ping procps
clang libclang-rt-14-dev
prometheus systemd"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
fi

"$(dirname "$0")/hugepages.sh" || true
