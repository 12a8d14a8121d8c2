"""Batch re-validation: order, bounds, resume, CSV, the diff, and the same verdicts on Dask.

Hostile inputs: the slow and the huge document are EML files read by a test extractor that this
module puts in place of the real EML extractor (``EXTRACTORS["eml"]``); when the email carries an
``X-Hostile`` header it sleeps, asks for more memory than the cap, or kills its own process as the
kernel's OOM killer would, and otherwise it hands the file to the real extractor. The time limit
and the memory cap (RLIMIT_AS of the reading child) are the real ones: nothing in the isolation or
batch code knows about the test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from poe_checker import batch
from poe_checker.extractors import EXTRACTORS
from poe_checker.extractors import eml as real_eml
from poe_checker.isolation import Bounds

PACKAGES = Path(__file__).resolve().parents[1] / "fixtures" / "packages"


def extract(data: bytes, limits):
    """Stand-in EML extractor (see the module docstring)."""
    if b"X-Hostile: slow" in data:
        time.sleep(120)
    if b"X-Hostile: delay" in data:
        time.sleep(1.5)
    if b"X-Hostile: huge" in data:
        hoard = bytearray(3 * 2**30)  # over the 1 GiB cap: RLIMIT_AS makes this a MemoryError
        del hoard
    if b"X-Hostile: killed" in data:
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does to a reader that grew too big
    return real_eml.extract(data, limits)


@pytest.fixture
def hostile_eml(monkeypatch):
    # The reading children are forked, so they see this registry entry too.
    monkeypatch.setitem(EXTRACTORS, "eml", __name__)


def hostile_email(kind: str) -> bytes:
    return (f"From: Sam <sam@contoso.com>\r\nTo: ops@fabrikam.com\r\nSubject: status\r\n"
            f"Date: Mon, 1 Sep 2025 10:00:00 +0000\r\nX-Hostile: {kind}\r\n\r\nNothing to see.\r\n").encode()


def package(root: Path, name: str, case: str = "seed_valid", claim_id: str | None = None, **claim) -> Path:
    folder = root / name
    shutil.copytree(PACKAGES / case, folder, ignore=shutil.ignore_patterns("expected.json"))
    data = json.loads((folder / "claim.json").read_text())
    if claim_id:
        data["claim_id"] = claim_id
    data.update(claim)
    (folder / "claim.json").write_text(json.dumps(data))
    return folder


def without_checked_at(text: str) -> list[dict]:
    lines = [json.loads(x) for x in text.splitlines()]
    for line in lines:
        line.pop("checked_at", None)
    return lines


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("input_dir", type=Path)
    batch.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_arguments_and_their_defaults():
    args = parse("in")
    assert args.timeout == 30.0 and args.memory == 1024 and args.progress is None and args.scheduler is None
    assert args.workers >= 1
    args = parse("in", "--workers", "3", "--no-progress", "--csv", "x.csv", "--previous", "old.jsonl",
                 "--scheduler", "tcp://10.0.0.5:8786", "--timeout", "5", "--memory", "512")
    assert (args.workers, args.progress, args.csv, args.previous, args.scheduler, args.timeout, args.memory) == \
           (3, False, Path("x.csv"), Path("old.jsonl"), "tcp://10.0.0.5:8786", 5.0, 512)


def test_unusable_input_dir_exits_2(tmp_path, capsys):
    assert batch.run(parse(str(tmp_path / "missing"))) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert batch.run(parse(str(tmp_path), "--workers", "0")) == 2


def test_output_stays_in_folder_order_when_workers_finish_out_of_order(tmp_path, hostile_eml):
    src = tmp_path / "in"
    (package(src, "a_first", claim_id="1001") / "late.eml").write_bytes(hostile_email("delay"))
    for name, cid in (("b", "1002"), ("c", "1003"), ("d", "1004"), ("e", "1005")):
        package(src, name, "seed_invalid", claim_id=cid)
    (src / "c" / "claim.json").write_text("{not json")
    pooled = tmp_path / "pooled.jsonl"
    stats = batch.execute(src, pooled, batch.Options(workers=2, chunk=1))
    # the first folder's delayed email made it finish after later folders ...
    assert stats.completion_order[0] != 0 and sorted(stats.completion_order) == [0, 1, 2, 3, 4]
    # ... yet lines come out in folder order, one per folder
    lines = [json.loads(x) for x in pooled.read_text().splitlines()]
    assert [line.get("claim_id", line.get("claim_dir")) for line in lines] == ["1001", "1002", "c", "1004", "1005"]
    assert "not valid JSON" in lines[2]["error"]
    assert len(stats.peak_kb) == 2  # two worker processes did the work
    single = tmp_path / "single.jsonl"
    batch.execute(src, single, batch.Options(workers=1))
    assert without_checked_at(pooled.read_text()) == without_checked_at(single.read_text())


def test_slow_document_is_stopped_at_the_time_limit_and_the_batch_goes_on(tmp_path, hostile_eml):
    src = tmp_path / "in"
    (package(src, "a", claim_id="2001") / "stalls.eml").write_bytes(hostile_email("slow"))
    package(src, "b", claim_id="2002")
    (package(src, "c", "seed_invalid", claim_id="2003"))
    out = tmp_path / "out.jsonl"
    start = time.perf_counter()
    stats = batch.execute(src, out, batch.Options(bounds=Bounds(seconds=2), workers=2, chunk=3))
    assert time.perf_counter() - start < 30
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    docs = {d["name"]: d for d in lines[0]["documents"]}
    assert docs["stalls.eml"]["error"].startswith("extraction stopped: it exceeded 2 s")
    assert docs["poe_template.pdf"]["error"] is None and lines[0]["verdict"] == "pass"
    # the same worker's replacement reader read the next claims normally
    assert sum(stats.restarts.values()) == 1
    assert [line["verdict"] for line in lines[1:]] == ["pass", "fail"]
    assert all(d["error"] is None for line in lines[1:] for d in line["documents"])


def test_huge_document_meets_the_memory_cap_and_the_batch_goes_on(tmp_path, hostile_eml):
    src = tmp_path / "in"
    (package(src, "a", claim_id="3001") / "hoards.eml").write_bytes(hostile_email("huge"))
    package(src, "b", claim_id="3002")
    out = tmp_path / "out.jsonl"
    start = time.perf_counter()
    batch.execute(src, out, batch.Options(bounds=Bounds(seconds=20, memory_bytes=2**30), workers=1))
    assert time.perf_counter() - start < 20
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    docs = {d["name"]: d for d in lines[0]["documents"]}
    assert "memory" in docs["hoards.eml"]["error"]
    assert docs["poe_template.pdf"]["error"] is None
    assert lines[1]["verdict"] == "pass" and all(d["error"] is None for d in lines[1]["documents"])


def test_reader_killed_mid_document_is_replaced_and_the_batch_goes_on(tmp_path, hostile_eml):
    src = tmp_path / "in"
    (package(src, "a", claim_id="3101") / "killer.eml").write_bytes(hostile_email("killed"))
    package(src, "b", claim_id="3102")
    out = tmp_path / "out.jsonl"
    stats = batch.execute(src, out, batch.Options(workers=2, chunk=2))
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    docs = {d["name"]: d for d in lines[0]["documents"]}
    assert docs["killer.eml"]["error"].startswith("extraction stopped: the reader stopped while reading it")
    assert docs["poe_template.pdf"]["error"] is None
    assert sum(stats.restarts.values()) == 1
    assert lines[1]["verdict"] == "pass" and all(d["error"] is None for d in lines[1]["documents"])


def test_check_claim_dir_reports_unusable_folders(tmp_path):
    folder = tmp_path / "empty_claim"
    folder.mkdir()
    (folder / "claim.json").write_text((PACKAGES / "seed_valid" / "claim.json").read_text())
    assert batch.check_claim_dir(folder) == {"claim_dir": "empty_claim", "error": "no documents beside claim.json"}
    (folder / "claim.json").unlink()
    assert "cannot read claim.json" in batch.check_claim_dir(folder)["error"]
    assert batch.check_claim_dir(PACKAGES / "seed_valid")["claim_id"] == "3079758"


def test_rerun_keeps_unchanged_claims_and_checks_only_what_changed(tmp_path):
    src = tmp_path / "in"
    for name, case, cid in (("a", "seed_valid", "4001"), ("b", "seed_invalid", "4002"), ("c", "seed_valid", "4003")):
        package(src, name, case, claim_id=cid)
    out = tmp_path / "out.jsonl"
    first = batch.execute(src, out, batch.Options(workers=2, chunk=1))
    assert (first.checked, first.reused) == (3, 0)
    text = out.read_text()

    again = batch.execute(src, out, batch.Options(workers=2))
    assert (again.checked, again.reused) == (0, 3)
    assert out.read_text() == text  # same lines, same checked_at: nothing was re-checked

    with (src / "b" / "poe_template.docx").open("ab") as fh:  # a document changed
        fh.write(b"\0")
    changed = batch.execute(src, out, batch.Options(workers=2))
    assert (changed.checked, changed.reused) == (1, 2)
    old, new = text.splitlines(), out.read_text().splitlines()
    assert new[0] == old[0] and new[2] == old[2] and new[1] != old[1]

    # an interrupted run: only the first line (and its state) made it to disk
    out.write_text(new[0] + "\n")
    sidecar = batch.state_path(out)
    sidecar.write_text(sidecar.read_text().splitlines()[0] + "\n")
    resumed = batch.execute(src, out, batch.Options(workers=1))
    assert (resumed.checked, resumed.reused) == (2, 1)
    assert len(out.read_text().splitlines()) == 3

    (src / "c" / "claim.json").write_text((src / "c" / "claim.json").read_text().replace("4003", "4013"))
    assert batch.execute(src, out, batch.Options(workers=1)).checked == 1  # the claim changed


def test_csv_and_summary(tmp_path, capsys):
    src = tmp_path / "in"
    package(src, "a", "seed_valid", claim_id="5001")
    package(src, "b", "seed_invalid", claim_id="5002")
    (src / "c").mkdir()
    (src / "c" / "claim.json").write_text('{"claim_id": 7}')
    out, table = tmp_path / "out.jsonl", tmp_path / "claims.csv"
    assert batch.run(parse(str(src), "--output", str(out), "--csv", str(table), "--workers", "2")) == 0
    with table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["claim_dir"] for r in rows] == ["a", "b", "c"]
    assert list(rows[0])[:6] == ["claim_dir", "claim_id", "partner", "customer", "verdict", "score"]
    assert (rows[0]["claim_id"], rows[0]["partner"], rows[0]["customer"], rows[0]["verdict"]) == \
           ("5001", "Fabrikam", "Contoso", "pass")
    assert rows[1]["verdict"] == "fail" and rows[1]["score"] == str(lines[1]["score"])
    for check in lines[1]["checks"]:
        assert rows[1][check["rule"]] == check["status"]
    assert rows[2]["verdict"] == "error" and "claim_id" in rows[2]["error"]
    err = capsys.readouterr().err
    assert "3 claims" in err and "most frequent failing rules" in err
    assert "  pass                             1" in err and "  error                            1" in err


def test_previous_run_diff_lists_rule_flips(tmp_path, capsys):
    src = tmp_path / "in"
    for name, cid in (("a", "6001"), ("b", "6002"), ("c", "6003")):
        package(src, name, "seed_valid", claim_id=cid)
    old = tmp_path / "old.jsonl"
    assert batch.run(parse(str(src), "--output", str(old), "--workers", "1")) == 0
    for name in ("a", "c"):  # submitted years after the signature: recency now fails
        path = src / name / "claim.json"
        path.write_text(path.read_text().replace('"2025-09-15"', '"2028-01-10"'))
    shutil.rmtree(src / "b")
    package(src, "d", "seed_invalid", claim_id="6004")
    capsys.readouterr()
    diff = tmp_path / "diff.jsonl"
    assert batch.run(parse(str(src), "--output", str(tmp_path / "new.jsonl"), "--previous", str(old),
                           "--diff", str(diff), "--workers", "1")) == 0
    changes = {c["claim"]: c for c in map(json.loads, diff.read_text().splitlines())}
    assert set(changes) == {"claim 6001", "claim 6003", "claim 6004", "claim 6002"}
    assert changes["claim 6001"]["verdict"] == ["pass", "fail"]
    assert changes["claim 6001"]["rules"]["recency"] == ["pass", "fail"]
    assert changes["claim 6004"]["change"] == "new" and changes["claim 6002"]["change"] == "gone"
    err = capsys.readouterr().err
    assert "2 claims now fail recency" in err and "2 claims went from pass to fail" in err


def test_dask_local_cluster_gives_the_local_pool_verdicts(tmp_path):
    distributed = pytest.importorskip("distributed")
    src = tmp_path / "in"
    package(src, "a", "seed_valid", claim_id="7001")
    package(src, "b", "seed_invalid", claim_id="7002")
    package(src, "c", "invoice_ok")
    package(src, "d", "seed_valid", claim_id="7004")
    (src / "e").mkdir()
    (src / "e" / "claim.json").write_text("[]")
    local = tmp_path / "local.jsonl"
    batch.execute(src, local, batch.Options(workers=2))
    remote = tmp_path / "dask.jsonl"
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        stats = batch.execute(src, remote, batch.Options(scheduler=cluster.scheduler_address))
    assert len(stats.peak_kb) == 2  # both cluster workers took claims
    assert without_checked_at(remote.read_text()) == without_checked_at(local.read_text())
    assert len(remote.read_text().splitlines()) == 5
