#!/usr/bin/python3
"""Traffic end points for lab_test.py, run inside the lab's network namespaces
(`ip netns exec NS /usr/bin/python3 lab_tools.py SUBCOMMAND ...`). Each prints one JSON line
with what it saw, so the test compares what one host sent with what the other received.

  tcp-sink PORT                     accept one connection, read to EOF: bytes, sha256
  tcp-source HOST PORT NBYTES       send NBYTES of random data: bytes, sha256, mss
  udp-sink PORT COUNT IDLE_S        receive up to COUNT datagrams: seqs in arrival order, bad
  udp-source HOST PORT SIZE...      send one datagram per SIZE (DF clear), 2 ms apart
  inject IFACE PCAP                 put every frame of PCAP on the wire of IFACE

Sinks print READY once listening, so the caller starts the source only then.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


def ready():
    print("READY", flush=True)


def tcp_sink(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", int(port)))
    srv.listen(1)
    ready()
    conn, _ = srv.accept()
    h, n = hashlib.sha256(), 0
    while chunk := conn.recv(1 << 16):
        h.update(chunk)
        n += len(chunk)
    print(json.dumps({"bytes": n, "sha256": h.hexdigest()}), flush=True)


def tcp_source(host, port, nbytes):
    s = socket.create_connection((host, int(port)), timeout=30)
    # The MSS the peer's SYN-ACK allowed, after both gateways clamped it (ip tcp adjust-mss).
    mss = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    h, left = hashlib.sha256(), int(nbytes)
    while left > 0:
        chunk = os.urandom(min(left, 1 << 16))
        h.update(chunk)
        s.sendall(chunk)
        left -= len(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # wait for the sink's close: everything was delivered
    print(json.dumps({"bytes": int(nbytes), "sha256": h.hexdigest(), "mss": mss}), flush=True)


def udp_payload(seq, size):
    """Datagram SEQ of SIZE bytes: the sequence number, then bytes derived from it, so the
    receiver checks the content without being told what was sent."""
    head = struct.pack("!II", seq, size)
    fill = hashlib.sha256(head).digest() * (size // 32 + 1)
    return (head + fill)[:max(size, len(head))]


def udp_sink(port, count, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", int(port)))
    s.settimeout(float(idle))
    ready()
    seqs, bad = [], 0
    try:
        while len(seqs) + bad < int(count):
            data = s.recv(65535)
            if len(data) < 8:
                bad += 1
                continue
            seq, size = struct.unpack("!II", data[:8])
            if data == udp_payload(seq, size):
                seqs.append(seq)
            else:
                bad += 1
    except socket.timeout:
        pass
    print(json.dumps({"seqs": seqs, "bad": bad}), flush=True)


def udp_source(host, port, *sizes):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # DF clear: datagrams over the path MTU are fragmented (by the host above 1500 bytes, by
    # the gateway's pre-fragmentation above 1500 - ESP overhead), not answered with frag needed.
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    for seq, size in enumerate(sizes):
        s.sendto(udp_payload(seq, int(size)), (host, int(port)))
        time.sleep(0.002)
    print(json.dumps({"sent": len(sizes)}), flush=True)


def pcap_frames(path):
    """Frames of a classic pcap file (what scapy's wrpcap writes), without importing scapy
    (its start-up second per injection would dominate the test)."""
    data = open(path, "rb").read()
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}[data[:4]]
    off, frames = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def inject(iface, pcap):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    # Straight to the driver: neither this namespace's taps nor the DPDK af_packet socket on the
    # same interface see the frame as outgoing traffic, so it reaches only the peer's port.
    s.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    s.bind((iface, 0))
    frames = pcap_frames(pcap)
    for f in frames:
        s.send(f)
    print(json.dumps({"sent": len(frames)}), flush=True)


COMMANDS = {"tcp-sink": tcp_sink, "tcp-source": tcp_source, "udp-sink": udp_sink,
            "udp-source": udp_source, "inject": inject}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
