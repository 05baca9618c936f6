#!/bin/sh
# The README's test command: installs what is needed, builds, and runs every test, then the unit
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer. Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
meson test -C build --print-errorlogs --num-processes 1
if [ "${ESPGW_SKIP_SANITIZERS:-0}" != 1 ]; then
    ./scripts/build.sh build-san -Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbench=false
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-san --print-errorlogs --num-processes 1 --suite sanitize
fi
echo "espgw: all tests passed"
