#!/usr/bin/python3
"""The systemd units of scripts/systemd/, three ways (this machine has no systemd as PID 1, so
the units cannot be started by systemd itself):

1. properties: start order and restart behaviour read from the unit files (control and exporter
   After=/Wants= the dataplane and nothing stronger, the dataplane depends on neither,
   Restart=on-failure, the EAL arguments from /etc/espgw/%i.env, the --check ExecStartPre, the
   checked SIGHUP ExecReload, LimitMEMLOCK, hardening the dataplane must not have);
2. `scripts/install.sh` into a temporary prefix, then `systemd-analyze verify` on the installed
   units (binaries at their ExecStart paths); any output fails;
3. the installed units' command lines, expanded as systemd does (%i, $VAR, $MAINPID) from an env
   file, run for real: ExecStartPre, dataplane (null ports, --no-huge), control, exporter,
   ExecReload, a killed control restarted (resync, the dataplane keeps its pid), a broken file
   failing the reload check, SIGTERM stopping each with status 0.

usage: units_test.py SOURCE_ROOT BUILD_DIR
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SERVICES = ("espgw-dataplane@.service", "espgw-control@.service", "espgw-exporter@.service")
DATAPLANE = "espgw-dataplane@%i.service"


def fail(what):
    print("FAIL:", what)
    sys.exit(1)


def expect(cond, what):
    if not cond:
        fail(what)


# ---- 1. properties ----------------------------------------------------------------------------

def parse_unit(path):
    """{section: [(key, value), ...]} keeping repeated keys in order."""
    unit, section = {}, None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]")
                unit.setdefault(section, [])
                continue
            key, _, value = line.partition("=")
            unit[section].append((key.strip(), value.strip()))
    return unit


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def words(unit, section, key):
    return [w for v in values(unit, section, key) for w in v.split()]


def one(unit, section, key):
    v = values(unit, section, key)
    expect(len(v) == 1, f"{section}/{key}: expected one value, got {v}")
    return v[0]


def check_properties(units):
    dp, ctl, exp = (units[s] for s in SERVICES)
    for name in SERVICES:
        u = units[name]
        expect(one(u, "Service", "Restart") == "on-failure", f"{name}: Restart=on-failure")
        expect(1 <= float(one(u, "Service", "RestartSec")) <= 5, f"{name}: RestartSec 1..5 s")
        expect(values(u, "Service", "User") in ([], ["root"]), f"{name}: runs as root")
        expect("espgw@%i.target" in words(u, "Unit", "PartOf"), f"{name}: PartOf the target")
    # control and exporter: after the dataplane, wanting it, nothing that ties their lifetimes
    for name, u in (("control", ctl), ("exporter", exp)):
        expect(DATAPLANE in words(u, "Unit", "After"), f"{name}: After= the dataplane")
        expect(DATAPLANE in words(u, "Unit", "Wants"), f"{name}: Wants= the dataplane")
        for strong in ("BindsTo", "PartOf", "Requires", "Requisite"):
            expect(DATAPLANE not in words(u, "Unit", strong), f"{name}: no {strong}= dataplane")
    # the dataplane: restarting control or the exporter never reaches it
    for key in ("Wants", "Requires", "BindsTo", "PartOf", "Requisite", "After", "Before"):
        for w in words(dp, "Unit", key):
            expect("control" not in w and "exporter" not in w, f"dataplane {key}={w}")
    expect("espgw-hugepages.service" in words(dp, "Unit", "Wants"), "dataplane wants hugepages")
    expect("espgw-hugepages.service" in words(dp, "Unit", "After"), "dataplane after hugepages")
    expect(one(dp, "Service", "EnvironmentFile") == "/etc/espgw/%i.env", "dataplane env file")
    expect(one(dp, "Service", "LimitMEMLOCK") == "infinity", "LimitMEMLOCK=infinity")
    expect(re.fullmatch(r"/usr/local/bin/espgw-dataplane \$ESPGW_EAL_ARGS -- --instance %i .*",
                        one(dp, "Service", "ExecStart")), "dataplane ExecStart: EAL args, --")
    for opt in ("PrivateDevices", "ProtectClock", "ProtectKernelTunables", "PrivateNetwork",
                "MemoryDenyWriteExecute", "RestrictAddressFamilies", "SystemCallFilter",
                "CapabilityBoundingSet", "DeviceAllow"):
        expect(not values(dp, "Service", opt), f"dataplane must not set {opt} (breaks DPDK)")
    check = "/usr/local/bin/espgw-control --check /etc/espgw/%i.cfg --allow-warnings"
    expect(values(ctl, "Service", "ExecStartPre") == [check], "control ExecStartPre --check")
    expect(values(ctl, "Service", "ExecReload") == [check, "/bin/kill -HUP $MAINPID"],
           "control ExecReload: check, then SIGHUP")
    start = one(ctl, "Service", "ExecStart")
    expect("--instance %i" in start and "--config /etc/espgw/%i.cfg" in start, "control args")
    expect("--instance %i" in one(exp, "Service", "ExecStart"), "exporter --instance %i")
    hp = units["espgw-hugepages.service"]
    expect(one(hp, "Service", "Type") == "oneshot", "hugepages: oneshot")
    expect(one(hp, "Service", "RemainAfterExit") == "yes", "hugepages: RemainAfterExit")
    tgt = words(units["espgw@.target"], "Unit", "Wants")
    expect(all(s.replace("@.", "@%i.") in tgt for s in SERVICES), "target wants all three")
    print("properties: ok")


# ---- 2. install.sh + systemd-analyze verify --------------------------------------------------

def install(src, build, root):
    subprocess.run([f"{src}/scripts/install.sh", "--build", build, "--prefix",
                    f"{root}/usr/local", "--unit-dir", f"{root}/units", "--sysconf-dir",
                    f"{root}/etc/espgw"], check=True, stdout=subprocess.DEVNULL)
    units = f"{root}/units"
    for name in os.listdir(units):
        text = open(f"{units}/{name}").read()
        expect("/usr/local/" not in text.replace(f"{root}/usr/local/", ""),
               f"{name}: a path not moved to the prefix")
    return units


def verify(units, instance):
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze verify: SKIPPED (systemd-analyze not installed)")
        return
    names = [n.replace("@.", f"@{instance}.") for n in sorted(os.listdir(units))]
    p = subprocess.run(["systemd-analyze", "verify", *names], cwd=units, capture_output=True,
                       text=True, timeout=60)
    out = (p.stdout + p.stderr).strip()
    expect(p.returncode == 0 and not out, f"systemd-analyze verify: rc {p.returncode}\n{out}")
    print(f"systemd-analyze verify: ok ({len(names)} units)")


# ---- 3. the command lines, run ---------------------------------------------------------------

def read_env(path):
    env = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = " ".join(shlex.split(value))
    return env


def expand(command, instance, env):
    """systemd's expansion: specifiers, then a lone $VAR splits into words, ${VAR} does not."""
    command = command.replace("%i", instance)
    out = []
    for w in shlex.split(command):
        lone = re.fullmatch(r"\$(\w+)", w)
        if lone:
            out += env.get(lone.group(1), "").split()
        else:
            out.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), w))
    return out


class Instance:
    def __init__(self, units, root, instance, env_file):
        self.units = {n: parse_unit(f"{units}/{n}") for n in SERVICES}
        self.instance = instance
        self.env = read_env(env_file)
        self.logs = f"{root}/logs"
        os.makedirs(self.logs, exist_ok=True)
        self.procs = {}

    def command(self, service, key, index=0, mainpid=None):
        line = values(self.units[service], "Service", key)[index]
        env = dict(self.env, MAINPID=str(mainpid or ""))
        return expand(line, self.instance, env)

    def run(self, service, key, index=0, mainpid=None):
        return subprocess.run(self.command(service, key, index, mainpid), capture_output=True,
                              text=True, timeout=30)

    def start(self, service):
        log = open(f"{self.logs}/{service}.log", "a")
        self.procs[service] = subprocess.Popen(self.command(service, "ExecStart"), stdout=log,
                                               stderr=subprocess.STDOUT)
        return self.procs[service]

    def log(self, service):
        return open(f"{self.logs}/{service}.log").read()

    def wait_log(self, service, pattern, count=1, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(re.findall(pattern, self.log(service))) >= count:
                return
            expect(self.procs[service].poll() is None,
                   f"{service} exited ({self.procs[service].returncode}):\n{self.log(service)}")
            time.sleep(0.1)
        fail(f"{service}: no {pattern!r} within {timeout} s:\n{self.log(service)}")

    def stop(self, service):
        p = self.procs.pop(service)
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout=15)  # TimeoutStopSec
        except subprocess.TimeoutExpired:
            p.kill()
            fail(f"{service} did not stop on SIGTERM")

    def kill_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()


def fetch_metrics(port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.2)
    fail(f"exporter: no /metrics on port {port}")


def run_units(src, units, root, instance):
    etc = f"{root}/etc/espgw"
    port = 20000 + os.getpid() % 20000
    with open(f"{etc}/{instance}.env", "w") as f:
        f.write(f'ESPGW_EAL_ARGS="-l 0 --no-pci --no-huge --no-shconf -m 256 --file-prefix '
                f'{instance} --log-level=lib.eal:error --vdev net_null0,no-rx=1 '
                f'--vdev net_null1,no-rx=1"\nESPGW_DATAPLANE_ARGS="--idle-backoff on"\n'
                f'ESPGW_CONTROL_ARGS="--wait 30"\n'
                f'ESPGW_EXPORTER_ARGS="--listen 127.0.0.1:{port}"\n')
    cfg = f"{etc}/{instance}.cfg"
    shutil.copy(f"{src}/tests/control/configs/site-a.cfg", cfg)
    os.environ["ESPGW_RUN_DIR"] = f"{root}/run"  # the CLI socket, away from /run/espgw
    os.makedirs(f"{root}/run", mode=0o700, exist_ok=True)
    dp, ctl, exp = "espgw-dataplane@.service", "espgw-control@.service", \
        "espgw-exporter@.service"
    inst = Instance(units, root, instance, f"{etc}/{instance}.env")
    try:
        r = inst.run(ctl, "ExecStartPre")
        expect(r.returncode == 0, f"ExecStartPre --check: {r.returncode}\n{r.stdout}")
        dataplane = inst.start(dp)
        inst.start(ctl)
        inst.wait_log(ctl, r"SYS-5-CONFIG_I")
        inst.start(exp)
        metrics = fetch_metrics(port)
        expect(re.search(r"^espgw_up 1$", metrics, re.M), "exporter: espgw_up is not 1")
        # systemctl reload: the check, then SIGHUP to the main pid
        for k in range(2):
            r = inst.run(ctl, "ExecReload", k, mainpid=inst.procs[ctl].pid)
            expect(r.returncode == 0, f"ExecReload[{k}]: {r.returncode}\n{r.stdout}{r.stderr}")
        inst.wait_log(ctl, r"Reloaded .*: no change")
        # a broken file fails the reload's check: systemctl reload reports it, no SIGHUP
        good = open(cfg).read()
        open(cfg, "w").write(good + "crypto ipsec transform-set BAD esp-foo\n")
        r = inst.run(ctl, "ExecReload", 0, mainpid=inst.procs[ctl].pid)
        expect(r.returncode == 1 and "error: unknown transform" in r.stdout,
               f"ExecReload check of a broken file: {r.returncode}\n{r.stdout}")
        open(cfg, "w").write(good)
        # control crashes; Restart=on-failure runs ExecStartPre and ExecStart again
        inst.procs[ctl].kill()
        inst.procs[ctl].wait()
        expect(inst.run(ctl, "ExecStartPre").returncode == 0, "ExecStartPre after a crash")
        inst.start(ctl)
        inst.wait_log(ctl, r"ESPGW-6-RESYNC: dataplane runs 2 SA\(s\)")
        inst.wait_log(ctl, r"SYS-5-CONFIG_I", count=3)  # first load, reload, after restart
        expect(dataplane.poll() is None and inst.procs[dp] is dataplane,
               "the dataplane kept running through the control restart")
        expect(re.search(r"^espgw_up 1$", fetch_metrics(port), re.M), "exporter after restart")
        # systemctl stop: SIGTERM, clean exit (status 0: Restart=on-failure leaves it stopped)
        for service in (exp, ctl, dp):
            status = inst.stop(service)
            expect(status == 0, f"{service}: SIGTERM exit status {status}\n{inst.log(service)}")
    finally:
        inst.kill_all()
        for suffix in ("ring", "stats"):
            try:
                os.unlink(f"/dev/shm/espgw.{instance}.{suffix}")
            except FileNotFoundError:
                pass
    print("command lines: ok (check, start, reload, broken reload, control restart, stop)")


def main():
    src, build = sys.argv[1], sys.argv[2]
    check_properties({n: parse_unit(f"{src}/scripts/systemd/{n}")
                      for n in os.listdir(f"{src}/scripts/systemd") if "." in n
                      and n.endswith((".service", ".target"))})
    root = tempfile.mkdtemp(prefix="espgw-units-")
    instance = f"sdtest{os.getpid()}"
    try:
        units = install(src, build, root)
        verify(units, instance)
        if os.geteuid() != 0:
            print("command lines: SKIPPED (DPDK needs root)")
            return
        run_units(src, units, root, instance)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
