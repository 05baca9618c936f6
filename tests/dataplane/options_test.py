#!/usr/bin/python3
"""espgw-dataplane refuses option values it does not know (exit status 2, one line naming the
option or value): a crypto backend other than the two valid names, instead of running
intel-ipsec-mb under a misspelt name; the two valid names are accepted (the run then stops at the next, unknown option). Likewise --max-sas
takes only a number in range and --idle-backoff only on or off.

    /usr/bin/python3 options_test.py path/to/espgw-dataplane
"""
import os
import subprocess
import sys

EAL = ["-l", "0", "--no-pci", "--no-huge", "--no-shconf", "-m", "128",
       "--log-level=lib.eal:error", "--no-telemetry"]


def run(dataplane, *opts):
    # An instance name of its own: should the option be accepted by mistake, the run must not
    # touch the shared-memory files of anyone else's gateway.
    instance = f"opt{os.getpid()}"
    return subprocess.run([dataplane, *EAL, "--", "--instance", instance, *opts],
                          capture_output=True, text=True, timeout=60)


def main():
    dataplane = sys.argv[1]
    failures = []
    for bad in ("OpenSSL", "ipsecmb", "aesni", ""):
        p = run(dataplane, "--backend", bad)
        want = f"espgw-dataplane: unknown backend {bad} (ipsec-mb or openssl)"
        if p.returncode != 2 or want not in p.stderr:
            failures.append(f"--backend {bad!r}: exit {p.returncode}, stderr {p.stderr[-300:]!r}")
    # A valid name followed by an unknown option: the error must be about that option, so the
    # backend name itself was accepted.
    for good in ("ipsec-mb", "openssl"):
        p = run(dataplane, "--backend", good, "--no-such-option")
        if p.returncode != 2 or "unknown option --no-such-option" not in p.stderr:
            failures.append(f"--backend {good}: exit {p.returncode}, stderr {p.stderr[-300:]!r}")
    # Numbers and switches: refused with the option named, never an exception or a guess.
    for opt, bad, want in (("--max-sas", "many", "--max-sas many: expected a number from 1 to"),
                           ("--max-sas", "0", "--max-sas 0: expected a number from 1 to"),
                           ("--max-sas", "12x", "--max-sas 12x: expected a number from 1 to"),
                           ("--max-sas", "99999999999", "expected a number from 1 to"),
                           ("--idle-backoff", "of", "--idle-backoff of: expected on or off"),
                           ("--idle-backoff", "yes", "--idle-backoff yes: expected on or off")):
        p = run(dataplane, opt, bad)
        if p.returncode != 2 or want not in p.stderr or "terminate" in p.stderr:
            failures.append(f"{opt} {bad!r}: exit {p.returncode}, stderr {p.stderr[-300:]!r}")
    for opt, good in (("--max-sas", "1"), ("--max-sas", "20000"), ("--idle-backoff", "on"),
                      ("--idle-backoff", "off")):
        p = run(dataplane, opt, good, "--no-such-option")
        if p.returncode != 2 or "unknown option --no-such-option" not in p.stderr:
            failures.append(f"{opt} {good}: exit {p.returncode}, stderr {p.stderr[-300:]!r}")
    for f in failures:
        print("FAIL", f)
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
