"""Checks run in threads (the service's worker pool) must agree with checks run alone.

Run in a fresh process so every lazily built piece (spaCy pipeline, workload catalogue, phrase
matchers) is built while several threads ask for it at once, as on a service's first requests.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys, threading
from pathlib import Path
from poe_checker.claims import parse_claim
from poe_checker.pipeline import check_package, read_paths

root = Path(sys.argv[1])
cases = ["seed_valid", "seed_invalid", "sow_email_pass", "workload_alias", "ack_email_only_pass", "invoice_ok"]
packages = {}
for case in cases:  # read first (no spaCy involved), so the rules start together
    folder = root / case
    files = sorted(p for p in folder.iterdir() if p.name not in ("claim.json", "expected.json"))
    packages[case] = (parse_claim((folder / "claim.json").read_bytes()), read_paths(files))
barrier = threading.Barrier(len(cases))
out = {}

def run(case):
    claim, package = packages[case]
    barrier.wait()
    verdict = check_package(claim, package)
    out[case] = {c.rule: [c.status, c.message] for c in verdict.checks}

threads = [threading.Thread(target=run, args=(c,)) for c in cases]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(out))
"""


def test_first_checks_in_parallel_threads_give_the_expected_verdicts():
    packages = ROOT / "fixtures" / "packages"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(packages)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for case, checks in results.items():
        expected = json.loads((packages / case / "expected.json").read_text())["checks"]
        for rule, (status, message) in checks.items():
            assert "internal error" not in message, (case, rule, message)
            assert status == expected[rule], (case, rule, status, message)
