import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from poe_checker.cli import main

PACKAGES = Path(__file__).resolve().parents[1] / "fixtures" / "packages"


def docs(case: str) -> list[str]:
    return [str(p) for p in sorted((PACKAGES / case).iterdir()) if p.name not in ("claim.json", "expected.json")]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_pass_exits_0_with_json_when_not_a_terminal(capsys, verdict_validator):
    code, out, _ = run(capsys, "check", "--claim", str(PACKAGES / "seed_valid" / "claim.json"), *docs("seed_valid"))
    verdict = verdict_validator(json.loads(out))
    assert (code, verdict["verdict"]) == (0, "pass")


def test_check_fail_exits_1_and_text_names_the_fix(capsys):
    code, out, _ = run(capsys, "check", "--claim", str(PACKAGES / "seed_invalid" / "claim.json"),
                       *docs("seed_invalid"), "--format", "text")
    assert code == 1
    assert "FAIL" in out and "What to do:" in out and "customer_acknowledgement" in out


def test_check_html_to_a_file(capsys, tmp_path):
    target = tmp_path / "report.html"
    code, out, _ = run(capsys, "check", "--claim", str(PACKAGES / "seed_invalid" / "claim.json"),
                       *docs("seed_invalid"), "--format", "html", "--output", str(target))
    assert code == 1 and out == ""
    page = target.read_text()
    assert page.startswith("<!doctype html>") and "What to do:" in page and "<script" not in page


@pytest.mark.parametrize("claim_text, words", [
    ('{"claim_id": "1"', "not valid JSON"),
    ('{"claim_id": "1", "claim_kind": "cpor", "solution_area": "security", "partner": {"name": "F"}, '
     '"customer": {"name": "C"}, "custmer": 1}', "unknown field 'custmer'"),
    ('{"claim_id": "1", "claim_kind": "cpor", "solution_area": "secure", "partner": {"name": "F"}, '
     '"customer": {"name": "C"}}', "claim.solution_area"),
])
def test_unusable_claim_exits_2_naming_the_problem(capsys, tmp_path, claim_text, words):
    path = tmp_path / "claim.json"
    path.write_text(claim_text)
    code, out, err = run(capsys, "check", "--claim", str(path), *docs("seed_valid"))
    assert code == 2 and out == "" and words in err


def test_no_documents_exits_2(capsys):
    code, _, err = run(capsys, "check", "--claim", str(PACKAGES / "seed_valid" / "claim.json"))
    assert code == 2 and "no documents" in err


def test_batch_writes_lines_in_folder_order_and_reports_unusable_folders(capsys, tmp_path):
    for name, case in (("b_invalid", "seed_invalid"), ("a_valid", "seed_valid"), ("c_valid", "seed_valid")):
        shutil.copytree(PACKAGES / case, tmp_path / name, ignore=shutil.ignore_patterns("expected.json"))
    (tmp_path / "a_valid" / "claim.json").write_text('{"claim_id": 7}')
    (tmp_path / "not_a_claim").mkdir()
    out_file = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, "batch", str(tmp_path), "--output", str(out_file), "--workers", "2")
    lines = [json.loads(x) for x in out_file.read_text().splitlines()]
    assert code == 0 and len(lines) == 3
    assert lines[0]["claim_dir"] == "a_valid" and "claim.claim_id" in lines[0]["error"]
    assert lines[1]["verdict"] == "fail" and lines[2]["verdict"] == "pass"


def test_installed_command_runs_as_a_separate_process(tmp_path):
    result = subprocess.run([sys.executable, "-m", "poe_checker.cli", "check", "--claim",
                             str(PACKAGES / "seed_valid" / "claim.json"), *docs("seed_valid")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "pass"
