#!/bin/bash
# The README's first command: installs what is needed, builds, and runs the two-site lab
# (scripts/lab.sh): host A — espgw gateway A — transit — espgw gateway B — host B in network
# namespaces, one AES-128-GCM tunnel with manual keys. It sends a ping, a TCP transfer and
# full-MTU pings through the tunnel, decrypts the transit capture with tshark using the
# configured keys, prints `espgw show crypto ipsec sa` and `show crypto drops` of both
# gateways, and tears the lab down.
#
#   scripts/demo.sh            the lab
#   scripts/demo.sh --engine   the ESP engine alone on net_pcap ports (scripts/demo_engine.py)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
if [ "${1:-}" = --engine ]; then
    exec /usr/bin/python3 scripts/demo_engine.py build/dataplane/espgw-esp-pcap
fi

export ESPGW_LAB_PREFIX=espgwdemo
DIR=$(mktemp -d /tmp/espgw-demo.XXXXXX)
export ESPGW_LAB_DIR="$DIR/lab"
CONFIG_A=tests/control/configs/site-a.cfg  # lab.sh's default configurations
HOST_B=198.18.2.10
CAPTURES=()

cleanup() {
    for pid in "${CAPTURES[@]}"; do kill "$pid" 2>/dev/null || true; done
    scripts/lab.sh down >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT

step() { printf '\n=== %s\n' "$*"; }
in_ns() { scripts/lab.sh exec "$@"; }

step "lab up: gateways espgwdemoa and espgwdemob, configs tests/control/configs/site-{a,b}.cfg"
scripts/lab.sh up build

# Gateway A's own transmissions skip the packet taps of its port (af_packet qdisc bypass):
# tcpdump on gao sees what gateway B sent, tcpdump on gbo what gateway A sent.
for side in a b; do
    ip netns exec "espgwdemo-g$side" tcpdump --immediate-mode -U -n -i "g${side}o" \
        -w "$DIR/g${side}o.pcap" 2>"$DIR/tcpdump-$side.log" &
    CAPTURES+=($!)
done
for side in a b; do
    for _ in $(seq 1 50); do grep -q listening "$DIR/tcpdump-$side.log" && break; sleep 0.1; done
done

step "ping host A -> host B through the tunnel (the first one resolves host B's MAC at gateway B)"
in_ns a ping -c 1 -W 1 "$HOST_B" >/dev/null || true
in_ns a ping -c 4 -i 0.2 "$HOST_B"

step "TCP: 5 MB from host A to host B, SHA-256 on both ends"
in_ns b /usr/bin/python3 tests/lab/lab_tools.py tcp-sink 5001 >"$DIR/sink.out" &
sink=$!
for _ in $(seq 1 50); do grep -q READY "$DIR/sink.out" && break; sleep 0.1; done
in_ns a /usr/bin/python3 tests/lab/lab_tools.py tcp-source "$HOST_B" 5001 5000000 \
    | sed 's/^/sent:     /'
wait "$sink"
grep '^{' "$DIR/sink.out" | sed 's/^/received: /'

step "full MTU: 1500-byte pings with DF clear are fragmented before encryption"
in_ns a ping -c 3 -i 0.2 -M dont -s 1472 "$HOST_B"

step "full MTU: 1500-byte pings with DF set get ICMP fragmentation needed from gateway A"
in_ns a ping -c 2 -i 0.2 -M "do" -s 1472 "$HOST_B" || true
in_ns a ip route flush cache

for pid in "${CAPTURES[@]}"; do kill -INT "$pid" 2>/dev/null || true; wait "$pid" || true; done
CAPTURES=()

# tshark's ESP SA table, from the keys in gateway A's configuration (AES-GCM: key || salt).
uat() {  # uat SRC DST DIRECTION
    local spi key
    read -r spi key < <(awk -v d="$3" '$2 == "session-key" && $3 == d {print $5, $7}' "$CONFIG_A")
    printf 'uat:esp_sa:"IPv4","%s","%s","0x%08x","AES-GCM with 16 octet ICV [RFC4106]","0x%s","NULL",""' \
        "$1" "$2" "$spi" "$key"
}
tshark_esp() {  # tshark_esp PCAP ARGS...
    local pcap=$1
    shift
    tshark -n -r "$pcap" -o esp.enable_encryption_decode:TRUE \
        -o esp.enable_authentication_check:TRUE \
        -o "$(uat 192.0.2.1 192.0.2.2 outbound)" -o "$(uat 192.0.2.2 192.0.2.1 inbound)" \
        "$@" 2>/dev/null
}
for side in a b; do
    pcap="$DIR/g${side}o.pcap"
    from=$([ "$side" = a ] && echo B || echo A)
    step "transit capture on g${side}o (gateway $from's ESP) decrypted by tshark with the configured keys"
    total=$(tshark_esp "$pcap" -Y esp | wc -l)
    good=$(tshark_esp "$pcap" -Y 'esp.icv_good == 1' | wc -l)
    echo "$good of $total ESP packets carry a good ICV; a few of them (inner packets):"
    # Echo, the SYN with its clamped MSS, TCP, an inner packet fragmented before encryption.
    for filter in 'icmp && ip.len < 200' 'tcp.flags.syn == 1' 'tcp && !tcp.flags.syn' \
        'ip.flags.mf == 1 || ip.frag_offset > 0'; do
        out=$(tshark_esp "$pcap" -Y "esp && ($filter)")  # whole output: head would cut tshark
        [ -n "$out" ] && head -n 2 <<<"$out"
    done
done

for gw in a b; do
    step "gateway ${gw^^}: espgw show crypto ipsec sa"
    build/mgmt/espgw --instance "espgwdemo$gw" show crypto ipsec sa
    step "gateway ${gw^^}: espgw show crypto drops"
    build/mgmt/espgw --instance "espgwdemo$gw" show crypto drops
done
step "done; the lab is torn down"
