#!/bin/sh
# The README's first command: installs what is needed, builds, and runs the main job.
# Until the gateway exists (issue 3) the main job demonstrates the ESP engine on DPDK ports:
# cleartext capture -> espgw encap -> tshark decrypts -> espgw decap -> same packets.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
exec /usr/bin/python3 scripts/demo_engine.py build/dataplane/espgw-esp-pcap
