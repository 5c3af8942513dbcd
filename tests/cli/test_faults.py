"""A fault-injecting LM (timeouts, 429s, empty, malformed and truncated replies): the eval still completes.

No assertion here depends on how fast the machine is: the faults are raised at once (no real waiting), the hung
call waits on nothing that ever comes, and the problem timeout is generous enough for a sandbox start under heavy
load. A failure prints the run's exit code, stdout, stderr, records and run.log (``explained``).
"""

from __future__ import annotations

import json

import cli_lms
import pytest
from cli_support import explained


@pytest.mark.slow
def test_eval_survives_lm_faults_and_reports_them(run_sstar, tmp_path):
    cli_lms.write_problems(tmp_path / "f.jsonl", 6, tag_index=True)  # problem i gets fault kind i % 6
    args = ("eval", "f.jsonl", "--model", "py:cli_lms:faulty", "--n", "2", "--rounds", "1", "--run-dir", "rf")
    proc = run_sstar(*args, timeout=900)
    with explained(proc, tmp_path / "rf"):
        assert proc.returncode == 0
        assert "Traceback" not in proc.stderr
        records = [json.loads(line) for line in (tmp_path / "rf" / "records.jsonl").read_text().splitlines()]
        assert sorted(r["problem_id"] for r in records) == [f"arith-{i:02d}" for i in range(6)]
        by_id = {r["problem_id"]: r for r in records}
        expected = {
            "arith-00": "timed out",
            "arith-01": "RateLimitError",
            "arith-02": "empty",
            "arith-03": "cannot be serialized",
        }
        for pid, fragment in expected.items():
            assert by_id[pid]["status"] == "error" and fragment in by_id[pid]["error"], by_id[pid]["error"]
            assert by_id[pid]["passed"] is False and by_id[pid]["program"] == ""
        assert by_id["arith-04"]["program"].startswith("a, b = map(int, inp")  # truncated code kept, then graded
        assert by_id["arith-04"]["passed"] is False
        assert by_id["arith-05"]["status"] == "ok" and by_id["arith-05"]["passed"] is True
        erred = sum(r["status"] == "error" for r in records)
        assert f"{erred} problems erred" in proc.stdout
        assert f"run: 6 problems, {erred} erred" in proc.stdout


@pytest.mark.slow
def test_a_hung_lm_call_cannot_stall_the_run(run_sstar, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)  # arith-01 is a mul problem: its generate call hangs
    # all three start together (-j 3), so the run lasts one timeout; 20 s covers a sandbox start on a loaded machine
    args = ("eval", "p.jsonl", "--model", "py:cli_lms:hanging", "--method", "zero_shot", "-j", "3")
    proc = run_sstar(*args, "--problem-timeout", "20", "--run-dir", "run", timeout=900)
    with explained(proc, tmp_path / "run"):
        assert proc.returncode == 0
        records = {
            r["problem_id"]: r for r in map(json.loads, (tmp_path / "run" / "records.jsonl").read_text().splitlines())
        }
        assert records["arith-01"]["status"] == "error" and "ProblemTimeout" in records["arith-01"]["error"]
        assert records["arith-00"]["passed"] is True and records["arith-02"]["passed"] is True
        assert "1 problems timed out" in proc.stdout
