#!/usr/bin/python3
"""Control's SA timers end to end: the real espgw-dataplane on net_pcap ports and the real
espgw-control, `lifetime seconds` and `idle-time` (control/sa_timers.h).

    /usr/bin/python3 sa_timers_test.py BUILD_ROOT

IOS's minimum ranges (lifetime 120 s, idle-time 60 s) are too long for a test, so control runs
with ESPGW_TEST_ONLY_CONTROL_CLOCK_SCALE=60 (control/sa_timer_loop.h: a test-only clock scale,
announced in its log): 120 s of SA time pass in 2 s. The dataplane's clock is not scaled. The
inside port replays its pcap forever (net_pcap infinite_rx), so traffic flows the whole run;
transmitted frames go to /dev/null and the test reads the CLI's counters.

Scenarios:
- lifetime: traffic passes; at 90 % one %ESPGW-5-SA_SOFT_EXPIRED per SA, at 100 % one
  %ESPGW-4-SA_HARD_EXPIRED per SA; after it the outbound SA's packet counter stands still while
  the drops counted as sa_hard_expired keep growing.
- restart: control is SIGKILLed halfway through a 360 s (6 s) lifetime and restarted; the SA
  still stops at 6 s after it was installed (the dataplane's install time), not 6 s after the
  restart, and the soft event is logged once.
- idle with traffic in one direction: no %ESPGW-5-SA_IDLE (the tunnel's outbound counter moves).
- idle without traffic: %ESPGW-5-SA_IDLE for both SAs of the tunnel, once each.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from blackbox import (CONFIGS, HOST, REMOTE, UDP, Checks, Gateway, HarnessError, IP, Setup,
                      from_inside, write_pcap)
from scapy.packet import Raw

SCALE = 60
SOFT = "%ESPGW-5-SA_SOFT_EXPIRED"
HARD = "%ESPGW-4-SA_HARD_EXPIRED"
IDLE = "%ESPGW-5-SA_IDLE"


class Instance:
    """espgw-dataplane + espgw-control of one scenario; control can be killed and restarted."""

    def __init__(self, gw: Gateway, config: str, traffic: bool):
        self.gw = gw
        self.name = f"st{os.getpid()}x{int(time.monotonic() * 1000) % 100000}"
        self.work = tempfile.mkdtemp(prefix=f"espgw-sa-timers-{self.name}-")
        self.config = config
        frames = []
        if traffic:
            s = Setup("gcm.cfg")
            frames = [from_inside(s, IP(src=HOST, dst=REMOTE, id=k) / UDP(sport=7, dport=9)
                                  / Raw(b"x" * 64)) for k in range(8)]
        write_pcap(os.path.join(self.work, "in0.pcap"), [])
        write_pcap(os.path.join(self.work, "in1.pcap"), frames)
        loop = ",infinite_rx=1" if traffic else ""
        args = [gw.dataplane, "-l", "0", "--no-pci", "--no-huge", "--no-shconf", "-m", "256",
                "--log-level=lib.eal:error",
                "--vdev", f"net_pcap0,rx_pcap={self.work}/in0.pcap,tx_pcap=/dev/null",
                "--vdev", f"net_pcap1,rx_pcap={self.work}/in1.pcap,tx_pcap=/dev/null{loop}",
                "--", "--instance", self.name]
        self.dp = subprocess.Popen(args, stdout=open(self.path("dataplane.log"), "w"),
                                   stderr=subprocess.STDOUT)
        self.ctl = None
        self.logs = []  # one per control process
        self.start_control()

    def path(self, name: str) -> str:
        return os.path.join(self.work, name)

    def start_control(self) -> None:
        log = self.path(f"control{len(self.logs)}.log")
        self.logs.append(log)
        env = dict(os.environ, ESPGW_TEST_ONLY_CONTROL_CLOCK_SCALE=str(SCALE))
        self.ctl = subprocess.Popen([self.gw.control, "--instance", self.name, "--config",
                                     self.config], stdout=open(log, "w"),
                                    stderr=subprocess.STDOUT, env=env)

    def kill_control(self) -> None:
        self.ctl.send_signal(signal.SIGKILL)
        self.ctl.wait()

    def log(self) -> str:
        return "".join(open(p).read() for p in self.logs)

    def wait_log(self, text: str, count: int = 1, timeout: float = 15) -> float:
        """Waits until the control logs hold `text` `count` times; returns the monotonic time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log().count(text) >= count:
                return time.monotonic()
            if self.dp.poll() is not None:
                raise HarnessError(f"espgw-dataplane exited ({self.dp.returncode})")
            time.sleep(0.02)
        raise HarnessError(f"control never logged {text} {count} time(s)")

    def sa_packets(self, spi: int) -> int:
        for s in self.gw._cli(self.name, "show crypto ipsec sa")["sas"]:
            if s["spi"] == spi:
                return s["packets"]
        raise HarnessError(f"no SA {spi:#x}")

    def drop(self, label: str) -> int:
        return self.gw._cli(self.name, "show crypto drops")["drops"][label]

    def stop(self, keep: bool) -> None:
        Gateway._stop(self.dp, self.ctl)
        if keep:
            print(f"--- control log\n{self.log()}")
            print(f"--- dataplane log\n{open(self.path('dataplane.log')).read()}")
        shutil.rmtree(self.work, ignore_errors=True)


def tunnel():
    return next(iter(Setup("gcm-lifetime.cfg").tunnels.values()))


def wait_moving(inst: Instance, spi: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = inst.sa_packets(spi)
        if n > 0:
            return n
        time.sleep(0.05)
    raise HarnessError(f"SA {spi:#x} never carried a packet")


def scenario(ck: Checks, gw: Gateway, name: str, config: str, traffic: bool, body) -> None:
    ck.begin(name)
    failures = len(ck.failures)
    inst = Instance(gw, config, traffic)
    ok = False
    try:
        inst.wait_log("%SYS-5-CONFIG_I")
        inst.wait_log("%ESPGW-4-TEST_CLOCK_SCALE", timeout=5)  # never silent
        body(inst)
        ok = len(ck.failures) == failures
    except Exception as e:
        ck.expect(False, f"{type(e).__name__}: {e}")
    finally:
        inst.stop(keep=not ok)
    ck.end()


def lifetime(ck: Checks, inst: Instance) -> None:
    t = tunnel()
    start = time.monotonic()
    wait_moving(inst, t.spi_out)
    hard_at = inst.wait_log(HARD, 2)
    log = inst.log()
    ck.expect(log.count(SOFT) == 2, f"{log.count(SOFT)} soft lines, expected 2 (one per SA)")
    ck.expect(log.find(SOFT) < log.find(HARD), "the soft event is not before the hard one")
    ck.expect(hard_at - start >= 1.5, f"hard lifetime after {hard_at - start:.1f} s, not ~2 s")
    for spi in (t.spi_in, t.spi_out):
        ck.expect(re.search(rf"{HARD}.*SPI= 0x{spi:X}\)", log) is not None,
                  f"no hard-expiry line for SPI {spi:#x}")
    time.sleep(0.2)  # packets in flight when the SA was blocked
    p1, d1 = inst.sa_packets(t.spi_out), inst.drop("sa_hard_expired")
    time.sleep(0.5)
    p2, d2 = inst.sa_packets(t.spi_out), inst.drop("sa_hard_expired")
    ck.expect(p1 == p2, f"the expired SA still carries traffic: {p1} -> {p2} packets")
    ck.expect(d1 > 0 and d2 > d1, f"sa_hard_expired drops {d1} -> {d2}: not counting")
    ck.expect(inst.log().count(HARD) == 2, "the hard event was logged more than once per SA")


def restart(ck: Checks, inst: Instance) -> None:
    t = tunnel()
    start = time.monotonic()
    wait_moving(inst, t.spi_out)
    time.sleep(max(0.0, start + 3 - time.monotonic()))
    inst.kill_control()
    inst.start_control()
    inst.wait_log("%SYS-5-CONFIG_I", 2)
    hard_at = inst.wait_log(HARD, 2)
    # 360 s at scale 60: 6 s after install. A clock restarted by the new control: >= 9 s.
    ck.expect(hard_at - start < 7.5, f"hard lifetime {hard_at - start:.1f} s after install: "
                                     "the restart restarted the clock")
    ck.expect(inst.log().count(SOFT) == 2, f"{inst.log().count(SOFT)} soft lines, expected 2")
    p1 = inst.sa_packets(t.spi_out)
    time.sleep(0.5)
    ck.expect(inst.sa_packets(t.spi_out) == p1, "the expired SA still carries traffic")


def idle_with_traffic(ck: Checks, inst: Instance) -> None:
    t = tunnel()
    p0 = wait_moving(inst, t.spi_out)
    time.sleep(3)  # 180 s of SA time: three idle times
    ck.expect(IDLE not in inst.log(), "a tunnel carrying traffic was declared idle")
    ck.expect(inst.sa_packets(t.spi_out) > p0, "traffic stopped")


def idle_without_traffic(ck: Checks, inst: Instance) -> None:
    t = tunnel()
    inst.wait_log(IDLE, 2, timeout=10)
    time.sleep(1)
    log = inst.log()
    ck.expect(log.count(IDLE) == 2, f"{log.count(IDLE)} idle lines, expected 2 (one per SA)")
    for spi in (t.spi_in, t.spi_out):
        ck.expect(re.search(rf"{IDLE}.*SPI= 0x{spi:X}\)", log) is not None,
                  f"no idle line for SPI {spi:#x}")


def main() -> int:
    gw = Gateway(sys.argv[1])
    ck = Checks()
    lifetime_cfg = os.path.join(CONFIGS, "gcm-lifetime.cfg")
    idle_cfg = os.path.join(CONFIGS, "gcm-idle.cfg")
    long_cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
    long_cfg.write(open(lifetime_cfg).read().replace("lifetime seconds 120",
                                                     "lifetime seconds 360"))
    long_cfg.close()
    try:
        scenario(ck, gw, "lifetime seconds: soft, hard, SA blocked", lifetime_cfg, True,
                 lambda i: lifetime(ck, i))
        scenario(ck, gw, "lifetime seconds across a control restart", long_cfg.name, True,
                 lambda i: restart(ck, i))
        scenario(ck, gw, "idle-time: traffic in one direction keeps the tunnel", idle_cfg, True,
                 lambda i: idle_with_traffic(ck, i))
        scenario(ck, gw, "idle-time: no traffic, both SAs idle", idle_cfg, False,
                 lambda i: idle_without_traffic(ck, i))
    finally:
        os.unlink(long_cfg.name)
    print(f"\n{len(ck.results)} scenarios, {len(ck.failures)} failure(s)")
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
