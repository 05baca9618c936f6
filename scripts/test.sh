#!/bin/sh
# The README's test command: installs what is needed, builds, and runs every test, then the unit
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer. Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
# The lab and ops suites need root (network namespaces): here they fail without it, not skip.
ESPGW_LAB_REQUIRED=1 meson test -C build --print-errorlogs --num-processes 1
if [ "${ESPGW_SKIP_SANITIZERS:-0}" != 1 ]; then
    # Only what the sanitize suite runs, at -O1 with line tables (-g1): a full debugoptimized
    # build of every target took most of CI's time on two cores. A new sanitize test whose
    # executable is missing here fails (--no-rebuild), it is not skipped.
    if [ ! -f build-san/build.ninja ]; then
        meson setup build-san -Dbuildtype=plain -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 \
            -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false >/dev/null
    fi
    ninja -C build-san tests/espgw-unit-tests tests/espgw-exporter-tests \
        tests/control/espgw-lint-tests dataplane/espgw-esp-pcap
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-san --no-rebuild --print-errorlogs --num-processes 1 --suite sanitize
fi
echo "espgw: all tests passed"
