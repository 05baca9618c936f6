#!/usr/bin/python3
"""espgw-exporter scraped by a real Prometheus server in the two-site lab (tests/lab/lab_test.py's
Lab class and helpers):

  1. espgw-exporter for gateway A and `prometheus` (generated configuration, 1 s scrape interval,
     own storage folder, free ports) start; the target becomes up == 1 and espgw_up == 1; the
     ring and mbuf pool gauges are published.
  2. Pings through tunnel 1: PromQL returns for gateway A's outbound SA (SPI 0x2001) exactly the
     packet count that `espgw --json show crypto ipsec sa` shows, and it moved by the number of
     echo requests sent, as did the hits of the SPD rule of crypto map VPN 10.
  3. Injected bad packets: 3 unknown-SPI packets move sum(espgw_lcore_drops_total{reason=
     "invalid_spi"}) by 3 and equal `espgw --json show crypto drops`; 3 replayed packets of SPI
     0x1001 show as espgw_sa_drops_total{spi="0x1001",reason="replay_duplicate"} 3.
  4. `promtool check metrics` on a live scrape reports nothing.

Usage: prometheus_test.py BUILD_DIR. Root only (namespaces). Prints PASS/FAIL lines, exits 1 on
a failure; the lab, the exporter and Prometheus are always stopped.
"""
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import lab_test  # noqa: E402  (the lab and its helpers)
from lab_test import GW_A_OUT, GW_B_OUT, HOST_B, ping  # noqa: E402

OUT_SPI, IN_SPI = 0x2001, 0x1001  # gateway A, tunnel 1 (tests/lab/configs/site-a.cfg)
check = lab_test.check  # lab_test's failure list decides the exit status


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


class Prometheus:
    """A prometheus server of its own: generated configuration, temporary storage, a free port."""

    def __init__(self, work, target):
        self.port = free_port()
        self.dir = work / "prometheus"
        self.dir.mkdir()
        cfg = self.dir / "prometheus.yml"
        cfg.write_text("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                       "scrape_configs:\n  - job_name: espgw\n    static_configs:\n"
                       f"      - targets: ['{target}']\n")
        self.log = open(self.dir / "prometheus.log", "w")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.path={self.dir / 'data'}"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def query(self, promql):
        """The instant vector of PROMQL as {labels: value}."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": promql})
        body = json.loads(http_get(url))
        return {tuple(sorted(r["metric"].items())): float(r["value"][1])
                for r in body["data"]["result"]}

    def scalar(self, promql):
        """The value of a query that yields one series, or None."""
        try:
            values = list(self.query(promql).values())
        except OSError:
            return None  # not listening yet
        return values[0] if len(values) == 1 else None

    def wait_value(self, promql, want, timeout):
        """Polls until PROMQL equals WANT (new scrapes arrive every second); the last value."""
        end = time.monotonic() + timeout
        got = self.scalar(promql)
        while got != want and time.monotonic() < end:
            time.sleep(0.25)
            got = self.scalar(promql)
        return got

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_exporter(build, instance, work):
    port = free_port()
    log = open(work / "exporter.log", "w")
    p = subprocess.Popen([str(Path(build) / "mgmt" / "exporter" / "espgw-exporter"), "--instance",
                          instance, "--listen", f"127.0.0.1:{port}"],
                         stdout=log, stderr=subprocess.STDOUT)
    return p, port


def stop(p):
    if p is not None and p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def sa_series(spi, direction):
    return f'espgw_sa_packets_total{{spi="0x{spi:X}",dir="{direction}"}}'


def test_up(prom, exporter_port):
    t0 = time.monotonic()
    up = prom.wait_value('up{job="espgw"}', 1.0, 20)
    check("1. Prometheus scrapes espgw-exporter: up == 1", up == 1.0,
          f"after {time.monotonic() - t0:.1f} s, up {up}")
    check("1. espgw_up == 1 (gateway A's dataplane is read)",
          prom.wait_value("espgw_up", 1.0, 5) == 1.0)
    check("1. espgw_tunnels == 2", prom.wait_value("espgw_tunnels", 2.0, 5) == 2.0)
    resources = {q: prom.scalar(q) for q in ('espgw_ring_capacity{ring="command"}',
                                             'espgw_mbuf_pool_size', 'espgw_mbuf_pool_in_use',
                                             'count(espgw_ring_drops_total{ring="to_main"})',
                                             'sum(espgw_ring_drops_total{ring="to_main"})')}
    check("1. the dataplane publishes rings and the mbuf pool",
          resources['espgw_ring_capacity{ring="command"}'] == 1023 and
          resources["espgw_mbuf_pool_size"] == 16383 and
          # idle af_packet ports hold no buffers: in use may be 0
          resources["espgw_mbuf_pool_in_use"] is not None and
          0 <= resources["espgw_mbuf_pool_in_use"] <= 16383 and
          # each forwarding lcore's ring to the main lcore, nothing lost in the lab
          (resources['count(espgw_ring_drops_total{ring="to_main"})'] or 0) >= 1 and
          resources['sum(espgw_ring_drops_total{ring="to_main"})'] == 0, f"{resources}")
    page = http_get(f"http://127.0.0.1:{exporter_port}/")
    check("1. / links to /metrics", 'href="/metrics"' in page)


def scrape_value(port, series):
    """SERIES' value in a scrape of the exporter itself (name{labels} as it prints them)."""
    for line in http_get(f"http://127.0.0.1:{port}/metrics").splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def test_sa_packets(lab, prom, exporter_port):
    count = 25
    rule = 'espgw_spd_rule_hits_total{rule="%s",map="VPN",seq="10"}'
    rule_id = next(dict(k)["rule"] for k in prom.query('espgw_spd_rule_hits_total{seq="10"}'))
    hits_before = scrape_value(exporter_port, rule % rule_id)
    before = lab.sas("a")[OUT_SPI]["packets"]
    (tx, rx), _ = ping(lab, "a", HOST_B, count, 0.02)
    cli = lab.sas("a")[OUT_SPI]["packets"]
    hits = scrape_value(exporter_port, rule % rule_id)
    check(f"2. SPD rule of crypto map VPN 10 (rule {rule_id}): +{count} hits",
          hits_before is not None and hits - hits_before == count, f"{hits_before} -> {hits}")
    got = prom.wait_value(sa_series(OUT_SPI, "out"), float(cli), 15)
    check(f"2. {count} pings A -> B: CLI shows SA 0x{OUT_SPI:X} +{count} packets",
          tx == count and rx == count and cli - before == count,
          f"{rx}/{tx} replies, {before} -> {cli}")
    check(f"2. PromQL {sa_series(OUT_SPI, 'out')} == the CLI's count", got == cli,
          f"Prometheus {got}, CLI {cli}")
    series = prom.query(f'espgw_sa_packets_total{{spi="0x{OUT_SPI:X}"}}')
    labels = dict(next(iter(series))) if len(series) == 1 else {}
    check("2. the SA's labels: sa, spi, peer, dir",
          {k: labels.get(k) for k in ("sa", "spi", "peer", "dir")} ==
          {"sa": "VPN/10", "spi": f"0x{OUT_SPI:X}", "peer": GW_B_OUT, "dir": "out"}, f"{labels}")


def test_drops(lab, prom):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.packet import Raw

    invalid = 'sum(espgw_lcore_drops_total{reason="invalid_spi"})'
    before = prom.wait_value(invalid, float(lab.drops("a")["invalid_spi"]), 10)
    lab_test.inject(lab, [lab_test.frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xdead, seq=i)
                                         / Raw(b"x" * 48)) for i in range(1, 4)], "prom-spi")
    time.sleep(0.3)
    cli = lab.drops("a")["invalid_spi"]
    got = prom.wait_value(invalid, float(cli), 15)
    check("3. 3 unknown-SPI packets: PromQL invalid_spi drops == the CLI's, +3",
          got == cli and before is not None and cli - before == 3,
          f"Prometheus {before} -> {got}, CLI {cli}")

    bg = lab_test.background_ping(lab, "a", HOST_B, 100, 0.02)
    try:
        fresh = lab_test.capture_fresh(lab, IN_SPI, 3)
    finally:
        lab_test.finish_ping(bg)
    replay = f'espgw_sa_drops_total{{spi="0x{IN_SPI:X}",reason="replay_duplicate"}}'
    start = prom.scalar(replay) or 0.0
    lab_test.inject(lab, [f.copy() for f in fresh], "prom-replay")
    time.sleep(0.3)
    cli = lab.sas("a")[IN_SPI]["drops"]["replay_duplicate"]
    got = prom.wait_value(replay, float(cli), 15)
    check(f"3. 3 replayed packets: PromQL {replay} == the CLI's, +3",
          len(fresh) == 3 and got == cli and cli - start == 3,
          f"Prometheus {start} -> {got}, CLI {cli}")


def test_promtool(exporter_port):
    text = http_get(f"http://127.0.0.1:{exporter_port}/metrics")
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    check("4. promtool check metrics on a live scrape reports nothing",
          r.returncode == 0 and not (r.stdout + r.stderr).strip(),
          f"exit {r.returncode}, {len(text)} bytes, {(r.stdout + r.stderr).strip()[:300]}")


def main():
    procs = {}

    def body(lab, work):
        lab.up("af_packet")
        lab_test.warm_up(lab)
        procs["exporter"], exporter_port = start_exporter(sys.argv[1], lab.prefix + "a", work)
        prom = procs["prom"] = Prometheus(work, f"127.0.0.1:{exporter_port}")
        for name, fn, args in (("1", test_up, (prom, exporter_port)),
                               ("2", test_sa_packets, (lab, prom, exporter_port)),
                               ("3", test_drops, (lab, prom)),
                               ("4", test_promtool, (exporter_port,))):
            lab_test.section(name, fn, *args)  # a broken step fails; the others still run

    def cleanup(_lab):
        if "prom" in procs:
            procs["prom"].stop()
        stop(procs.get("exporter"))

    return lab_test.run_lab_main("prometheus_test", "ept", body, cleanup)


if __name__ == "__main__":
    sys.exit(main())
