"""Resume retries problems whose record is an error (the failed attempt is kept); --no-retry-errors keeps them."""

from __future__ import annotations

import json

import cli_lms

from sstar_dspy.runs.rundir import read_records

ARGS = ["eval", "p.jsonl", "--model", "py:cli_lms:flaky", "--method", "zero_shot", "--run-dir", "run"]


def test_resume_retries_errored_problems_by_default(sstar_inproc, tmp_path, monkeypatch):
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)
    monkeypatch.setenv("CLI_LMS_DOWN", "1")
    code, out, err = sstar_inproc(*ARGS)
    assert code == 0, err
    assert "3 problems erred" in out and "re-run the command to retry them" in out
    monkeypatch.delenv("CLI_LMS_DOWN")

    code, out, err = sstar_inproc(*ARGS, "--no-retry-errors")
    assert code == 0, err
    assert "0 problems finished" in out and "3 already recorded" in out
    assert all(r.status == "error" for r in read_records(tmp_path / "run" / "records.jsonl"))

    code, out, err = sstar_inproc(*ARGS, "--dry-run")
    assert code == 0, err
    assert "3 problems to run (0 already recorded)" in out

    code, out, err = sstar_inproc(*ARGS)
    assert code == 0, err
    assert "3 problems that had erred were run again" in out
    assert "run: 3 problems, 0 erred, pass@1 100.0% of 3 graded" in out
    records = read_records(tmp_path / "run" / "records.jsonl")
    assert sorted(r.problem_id for r in records) == ["arith-00", "arith-01", "arith-02"]
    assert all(r.status == "ok" and r.passed for r in records)
    history = read_records(tmp_path / "run" / "retried.jsonl")
    assert len(history) == 3 and all("LM server unreachable" in r.error for r in history)
    sessions = json.loads((tmp_path / "run" / "manifest.json").read_text())["sessions"]
    assert [s["retried"] for s in sessions] == [0, 0, 3]
