#!/bin/sh
# Configures (once) and builds a meson build directory.
#   scripts/build.sh [BUILD_DIR] [extra meson setup options...]
set -eu
cd "$(dirname "$0")/.."
dir="${1:-build}"
[ $# -gt 0 ] && shift
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null
fi
ninja -C "$dir"
