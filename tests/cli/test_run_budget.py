"""--max-run-calls is never exceeded when the program's worst case is known, whatever the concurrency."""

from __future__ import annotations

import json

import cli_lms
import pytest

from sstar_dspy.runs.rundir import read_records

GOOD = ["--model", "py:cli_lms:good"]


@pytest.mark.parametrize(
    "command, options, cap",
    [
        ("eval", ["--method", "zero_shot"], 2),  # 1 call per problem: two start, the third would exceed
        ("eval", ["--method", "sstar", "--n", "2", "--rounds", "1"], 12),
        ("generate", ["--n", "2", "--rounds", "1"], 9),  # 4 calls per problem at most
    ],
)
def test_run_call_cap_holds_with_problems_in_flight(sstar_inproc, tmp_path, command, options, cap):
    cli_lms.write_problems(tmp_path / "p.jsonl", 6)
    args = [command, "p.jsonl", *GOOD, *options, "-j", "3", "--max-run-calls", str(cap), "--run-dir", "run"]
    code, out, err = sstar_inproc(*args)
    assert code == 0, err
    records = read_records(tmp_path / "run" / "records.jsonl")
    assert 0 < len(records) < 6 and sum(r.total.calls for r in records) <= cap
    assert "run budget reached" in out and "overshot" not in out
    session = json.loads((tmp_path / "run" / "manifest.json").read_text())["sessions"][-1]
    assert session["budget_overshoot"] is None and session["stopped_by"].startswith("run budget reached")
