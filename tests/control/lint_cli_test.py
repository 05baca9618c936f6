#!/usr/bin/python3
"""`espgw-control --check` as scripts and systemd call it: exit statuses (0 clean, 1 errors,
3 warnings only, 0 with --allow-warnings, 2 bad arguments), one `FILE:LINE: severity: ...` line
per finding on stdout, then the summary line.

usage: lint_cli_test.py ESPGW_CONTROL CONFIG_DIR
"""
import re
import subprocess
import sys

FINDING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<sev>error|warning|ignored): .+$")


def check(binary, *args):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.splitlines(), p.stderr


def expect(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def main():
    binary, configs = sys.argv[1], sys.argv[2]
    cases = [
        (["--check", f"{configs}/site-a.cfg"], 0),
        (["--check", f"{configs}/lint/overlap.cfg"], 3),
        (["--check", f"{configs}/lint/overlap.cfg", "--allow-warnings"], 0),
        (["--check", "--config", f"{configs}/lint/mtu-mss.cfg"], 3),
        (["--check", f"{configs}/lint/manual-incomplete.cfg"], 1),
        (["--check", f"{configs}/lint/manual-incomplete.cfg", "--allow-warnings"], 1),
        (["--check", f"{configs}/no-such-file.cfg"], 1),
        (["--check", f"{configs}/site-a.cfg", "--bogus"], 2),
    ]
    for args, status in cases:
        rc, out, err = check(binary, *args)
        expect(rc == status, f"{' '.join(args)}: exit {rc}, expected {status}\n{out}\n{err}")
        if status == 2:
            continue
        expect(out, f"{' '.join(args)}: no output")
        for line in out[:-1]:
            expect(FINDING.match(line), f"not a finding line: {line!r}")
        expect(re.search(r": (clean|the configuration can be applied|the configuration cannot "
                         r"be applied|cannot be read)$", out[-1]), f"no summary: {out[-1]!r}")
    rc, out, _ = check(binary, "--check", f"{configs}/lint/overlap.cfg")
    expect(out[0].startswith(f"{configs}/lint/overlap.cfg:12: warning: access-list 102 line 12"),
           f"finding names file and line: {out[0]!r}")
    print("lint cli: ok")


if __name__ == "__main__":
    main()
