#!/usr/bin/python3
"""Engine demonstration (the README's first command until the two-site lab exists).

Builds a capture of cleartext traffic, sends it through espgw's ESP engine on DPDK net_pcap ports
for three suites, has tshark decrypt what espgw emitted, sends the ESP back through espgw's
decapsulation and checks that the original packets come out. Prints tshark's view and espgw's
per-SA counters.
"""
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import IP, IPv6, TCP, UDP, ICMP, Ether, Raw, rdpcap, wrpcap

TOOL = sys.argv[1] if len(sys.argv) > 1 else "build/dataplane/espgw-esp-pcap"

SUITES = [
    ("aes128gcm", "none", "000102030405060708090a0b0c0d0e0f10111213", ""),
    ("aes128cbc", "sha1", "00112233445566778899aabbccddeeff",
     "0102030405060708090a0b0c0d0e0f1011121314"),
    ("3des", "md5", "0123456789abcdeffedcba987654321001234567" "89abcdef",
     "00112233445566778899aabbccddeeff"),
]
WS_ENC = {"aes128gcm": "AES-GCM with 16 octet ICV [RFC4106]", "aes128cbc": "AES-CBC [RFC3602]",
          "3des": "TripleDES-CBC [RFC2451]"}
WS_AUTH = {"none": "NULL", "sha1": "HMAC-SHA-1-96 [RFC2404]", "md5": "HMAC-MD5-96 [RFC2403]"}


def traffic():
    a, b = "198.18.1.10", "198.18.2.10"
    return [Ether() / IP(src=a, dst=b) / ICMP(id=7, seq=i) / Raw(b"ping" * 8) for i in range(3)] + [
        Ether() / IP(src=a, dst=b) / TCP(sport=40000, dport=443, flags="S"),
        Ether() / IP(src=a, dst=b) / UDP(sport=5000, dport=5001) / Raw(b"hello"),
        Ether() / IPv6(src="2001:db8:1::10", dst="2001:db8:2::10") / UDP(sport=1, dport=2) / Raw(b"v6"),
    ]


def main():
    work = tempfile.mkdtemp(prefix="espgw-demo-")
    clear = os.path.join(work, "clear.pcap")
    wrpcap(clear, traffic())
    cases, uat = [], []
    for n, (enc, auth, ck, ak) in enumerate(SUITES):
        spi = 0x1001 + n
        sa = {"spi": spi, "cipher": enc, "integrity": auth, "cipher_key": ck, "auth_key": ak,
              "local": "192.0.2.1", "peer": "192.0.2.2"}
        esp, back = os.path.join(work, f"esp-{enc}.pcap"), os.path.join(work, f"back-{enc}.pcap")
        cases.append({"dir": "encap", "in": clear, "out": esp, "sas": [sa]})
        cases.append({"dir": "decap", "in": esp, "out": back,
                      "sas": [dict(sa, local="192.0.2.2", peer="192.0.2.1")]})
        uat.append(f'"IPv4","192.0.2.1","192.0.2.2","0x{spi:08x}","{WS_ENC[enc]}","0x{ck}",'
                   f'"{WS_AUTH[auth]}","{"0x" + ak if ak else ""}"')
    batch = os.path.join(work, "cases.json")
    json.dump(cases, open(batch, "w"))
    out = subprocess.run([TOOL, "--batch", batch], check=True, capture_output=True, text=True)
    results = json.loads(out.stdout)
    ok = True
    for n, (enc, auth, _, _) in enumerate(SUITES):
        esp = os.path.join(work, f"esp-{enc}.pcap")
        print(f"\n=== {enc}+{auth}: ESP written by espgw, decrypted by tshark ===")
        args = ["tshark", "-r", esp, "-o", "esp.enable_encryption_decode:TRUE",
                "-o", f"uat:esp_sa:{uat[n]}"]
        print(subprocess.run(args, capture_output=True, text=True).stdout.rstrip())
        bad = subprocess.run(args + ["-T", "fields", "-e", "esp.icv_bad"],
                             capture_output=True, text=True).stdout.split()
        back = rdpcap(os.path.join(work, f"back-{enc}.pcap"))
        same = [bytes(p) for p in back] == [bytes(p) for p in rdpcap(clear)]
        ok &= same and "1" not in bad
        enc_sa, dec_sa = results[2 * n]["sas"][0], results[2 * n + 1]["sas"][0]
        print(f"outbound SA spi 0x{enc_sa['spi']:x}: #pkts encaps {enc_sa['packets']}, "
              f"#pkts encrypt {enc_sa['crypt_packets']}, #pkts digest {enc_sa['auth_packets']}")
        print(f"inbound  SA spi 0x{dec_sa['spi']:x}: #pkts decaps {dec_sa['packets']}, "
              f"#pkts decrypt {dec_sa['crypt_packets']}, #pkts verify {dec_sa['auth_packets']}, "
              f"#recv errors {dec_sa['errors']}")
        print(f"tshark ICV check: {'all good' if '1' not in bad else 'FAILED'}; "
              f"decapsulated packets identical to the originals: {same}")
    print(f"\nfiles in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
