"""LM calls of a problem in flight when the run is killed are counted (inflight.jsonl), not lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import cli_lms
import pytest
from cli_support import sstar_command, subprocess_env

ARGS = ["p.jsonl", "--model", "py:cli_lms:good", "--n", "2", "--rounds", "1", "-j", "1", "--run-dir", "run"]


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_calls_of_a_killed_problem_are_counted_on_resume_and_in_the_report(tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)  # arith-01 is the mul problem: its debug call hangs
    env = subprocess_env(CLI_LMS_HANG_DEBUG="mul")
    proc = subprocess.Popen(
        sstar_command("eval", *ARGS),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    ledger, records = tmp_path / "run" / "inflight.jsonl", tmp_path / "run" / "records.jsonl"
    deadline = time.monotonic() + 300  # a generous bound; the wait ends on the event, not on the clock
    while sum(row["problem_id"] == "arith-01" for row in _lines(ledger)) < 2:  # both generate calls answered
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"eval ended or stalled before arith-01 was in flight: {proc.communicate()[1][-3000:]}")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert [r["problem_id"] for r in _lines(records)] == ["arith-00"]

    resumed = subprocess.run(
        sstar_command("eval", *ARGS), cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=600
    )
    diagnosis = f"stdout:\n{resumed.stdout}\nstderr:\n{resumed.stderr[-3000:]}\nledger:\n{ledger.read_text()}"
    assert resumed.returncode == 0, diagnosis
    assert sorted(r["problem_id"] for r in _lines(records)) == ["arith-00", "arith-01", "arith-02"], diagnosis
    said = " ".join(resumed.stdout.split())
    assert "also 2 LM calls" in said and "killed or timed out in flight" in said, diagnosis

    report = subprocess.run(
        sstar_command("report", "run", "--no-plots"), cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True
    )
    assert report.returncode == 0, report.stderr
    said = " ".join(report.stdout.split())
    assert "note: run: 2 LM calls" in said and "killed or timed out in flight" in said, report.stdout
    assert "2 LM calls" in (tmp_path / "run" / "report" / "summary.md").read_text()


def test_a_finished_run_has_nothing_unrecorded(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 2)
    code, out, err = sstar_inproc("eval", "p.jsonl", "--model", "py:cli_lms:good", "--n", "2", "--rounds", "1")
    assert code == 0, err
    (run_dir,) = (tmp_path / "runs").iterdir()
    rows, records = _lines(run_dir / "inflight.jsonl"), _lines(run_dir / "records.jsonl")
    assert len(rows) == sum(r["total"]["calls"] for r in records) > 0  # every call in the ledger and in a record
    assert {row["attempt"] for row in rows} == {r["attempt"] for r in records}
    assert "killed or timed out" not in out
