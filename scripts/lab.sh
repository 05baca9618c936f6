#!/bin/bash
# The two-site lab: host A — espgw gateway A — transit — espgw gateway B — host B, each in its own
# network namespace, the gateways' DPDK ports on veth pairs through net_af_packet.
#
#   scripts/lab.sh up [BUILD_DIR]     start namespaces, dataplanes and controls
#   scripts/lab.sh down               stop everything and delete the namespaces
#   scripts/lab.sh exec a|b|ga|gb CMD run CMD in host A / host B / gateway A / gateway B
#
#   198.18.1.10 ──(hA0|gai)── gw A ──(gao|gbo)── gw B ──(gbi|hB0)── 198.18.2.10
#   host A        inside 198.18.1.1  192.0.2.1 = 192.0.2.2  198.18.2.1       host B
#
# Gateway configurations: tests/control/configs/site-a.cfg and site-b.cfg (the design.md
# example), ESP with AES-128-GCM and manual keys. The gateways' outside MACs are the ones their
# peers' static ARP entries name (02:00:00:00:00:01 / 02). Logs and captures go to $LAB_DIR.
# ESPGW_LAB_PREFIX (default espgw) names the namespaces and instances so several labs can run.
# ESPGW_LAB_PMD=af_xdp puts the ports on net_af_xdp instead. af_packet's fanout asks the kernel
# to reassemble IP fragments before DPDK sees them (PACKET_FANOUT_FLAG_DEFRAG, fixed in the PMD):
# a fragment that never completes never reaches the gateway, and a reassembled packet longer
# than the PMD's 2048-byte ring frame arrives truncated. af_xdp hands over fragments as they
# are, but tcpdump on its interfaces sees none of the gateway's traffic.
set -euo pipefail
cd "$(dirname "$0")/.."

P="${ESPGW_LAB_PREFIX:-espgw}"
LAB_DIR="${ESPGW_LAB_DIR:-/tmp/$P-lab}"
NS_HA="$P-ha" NS_GA="$P-ga" NS_GB="$P-gb" NS_HB="$P-hb"
CONFIG_A="${ESPGW_LAB_CONFIG_A:-tests/control/configs/site-a.cfg}"
CONFIG_B="${ESPGW_LAB_CONFIG_B:-tests/control/configs/site-b.cfg}"
PMD="${ESPGW_LAB_PMD:-af_packet}"

ns() { ip netns exec "$@"; }

# Offloads would hand af_packet frames with unfinished checksums (CHECKSUM_PARTIAL).
quiet_link() {
    local nsname=$1 ifname=$2
    ns "$nsname" ip link set "$ifname" up
    ns "$nsname" ethtool -K "$ifname" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
    ns "$nsname" sysctl -qw "net.ipv6.conf.$ifname.disable_ipv6=1" || true
}

veth() {  # veth NS1 IF1 NS2 IF2
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    quiet_link "$1" "$2"
    quiet_link "$3" "$4"
}

eal_mem() {
    local free
    free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
    if [ "${free:-0}" -ge 256 ]; then echo "--in-memory"; else echo "--no-huge --no-shconf -m 256"; fi
}

make_topology() {
    for n in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns add "$n"; done
    veth "$NS_HA" hA0 "$NS_GA" gai
    veth "$NS_GA" gao "$NS_GB" gbo
    veth "$NS_GB" gbi "$NS_HB" hB0
    ns "$NS_GA" ip link set gao address 02:00:00:00:00:01
    ns "$NS_GB" ip link set gbo address 02:00:00:00:00:02
    ns "$NS_HA" ip addr add 198.18.1.10/24 dev hA0
    ns "$NS_HA" ip route add default via 198.18.1.1
    ns "$NS_HB" ip addr add 198.18.2.10/24 dev hB0
    ns "$NS_HB" ip route add default via 198.18.2.1
    for n in "$NS_HA" "$NS_HB"; do ns "$n" ip link set lo up; done
}

vdev() {  # vdev PORT_INDEX IFACE
    case "$PMD" in
        af_packet) echo "net_af_packet$1,iface=$2" ;;
        af_xdp) echo "net_af_xdp$1,iface=$2,start_queue=0,queue_count=1" ;;
        *) echo "lab: ESPGW_LAB_PMD must be af_packet or af_xdp" >&2; return 1 ;;
    esac
}

# start_gateway NS INSTANCE LCORE OUT_IF IN_IF CONFIG
start_gateway() {
    local nsname=$1 inst=$2 lcore=$3 out_if=$4 in_if=$5 cfg=$6 out_dev in_dev
    out_dev=$(vdev 0 "$out_if")
    in_dev=$(vdev 1 "$in_if")
    # Not through ns(): $! must be the dataplane itself (ip netns exec execs it), not a subshell.
    # shellcheck disable=SC2046
    ip netns exec "$nsname" "$BUILD/dataplane/espgw-dataplane" -l "$lcore" --no-pci $(eal_mem) \
        --file-prefix "$inst" --log-level=lib.eal:error \
        --vdev "$out_dev" --vdev "$in_dev" \
        -- --instance "$inst" --idle-backoff on >"$LAB_DIR/$inst-dataplane.log" 2>&1 &
    echo $! >"$LAB_DIR/$inst-dataplane.pid"
    "$BUILD/espgw-control" --instance "$inst" --config "$cfg" >"$LAB_DIR/$inst-control.log" 2>&1 &
    echo $! >"$LAB_DIR/$inst-control.pid"
}

wait_configured() {
    local inst=$1
    for _ in $(seq 1 100); do
        grep -q "SYS-5-CONFIG_I" "$LAB_DIR/$inst-control.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "lab: gateway $inst did not come up; see $LAB_DIR/$inst-*.log" >&2
    cat "$LAB_DIR/$inst-dataplane.log" "$LAB_DIR/$inst-control.log" >&2 || true
    return 1
}

up() {
    BUILD="${1:-build}"
    down >/dev/null 2>&1 || true
    mkdir -p "$LAB_DIR"
    make_topology
    start_gateway "$NS_GA" "${P}a" 0 gao gai "$CONFIG_A"
    start_gateway "$NS_GB" "${P}b" 1 gbo gbi "$CONFIG_B"
    wait_configured "${P}a"
    wait_configured "${P}b"
    echo "lab: up (instances ${P}a and ${P}b; logs in $LAB_DIR)"
}

stop_pidfile() {
    local f=$1 sig=${2:-INT}
    [ -f "$f" ] || return 0
    kill "-$sig" "$(cat "$f")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
}

down() {
    for inst in "${P}a" "${P}b"; do
        stop_pidfile "$LAB_DIR/$inst-control.pid" TERM
        stop_pidfile "$LAB_DIR/$inst-dataplane.pid" INT
    done
    for n in "$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB"; do ip netns del "$n" 2>/dev/null || true; done
}

case "${1:-}" in
    up) shift; up "$@" ;;
    down) down ;;
    exec)
        shift
        case "$1" in a) n=$NS_HA ;; b) n=$NS_HB ;; ga) n=$NS_GA ;; gb) n=$NS_GB ;; *) exit 2 ;; esac
        shift
        ns "$n" "$@"
        ;;
    *) echo "usage: $0 up [BUILD_DIR] | down | exec a|b|ga|gb CMD..." >&2; exit 2 ;;
esac
