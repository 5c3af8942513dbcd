"""select/score runs on `sstar generate` candidates carry the stage-1 cost; report shows stage 1, stage 2, total."""

from __future__ import annotations

import json

import cli_lms
import pytest

from sstar_dspy.problem import TestCase
from sstar_dspy.runs.rundir import read_records

GOOD = ["--model", "py:cli_lms:good"]


@pytest.fixture
def generated(sstar_inproc, tmp_path):
    """Candidates a + b and a - b that both pass the weak public test 0 0 -> 0, so selection needs LM calls."""
    with open(tmp_path / "p.jsonl", "w", encoding="utf-8") as fh:
        for problem in cli_lms.arith_problems(3):
            problem.public_tests = [TestCase(input="0 0\n", output="0\n")]
            fh.write(json.dumps(problem.model_dump(mode="json")) + "\n")
    code, _, err = sstar_inproc("generate", "p.jsonl", *GOOD, "--n", "2", "--rounds", "0", "--run-dir", "gen")
    assert code == 0, err
    return {r.problem_id: r for r in read_records(tmp_path / "gen" / "records.jsonl")}


@pytest.mark.parametrize("candidates", ["gen/candidates.jsonl", "gen"])
def test_select_records_carry_stage1_and_report_adds_it(sstar_inproc, tmp_path, generated, candidates):
    code, out, err = sstar_inproc(
        "select", candidates, "--problems", "p.jsonl", *GOOD, "--selector", "adaptive", "--run-dir", "sel"
    )
    assert code == 0, err
    selected = read_records(tmp_path / "sel" / "records.jsonl")
    for record in selected:
        gen = generated[record.problem_id]
        split = record.stages
        assert split is not None and split.source.endswith("gen")
        assert split.stage1.total == gen.total and split.stage1.wall_s == gen.wall_s and gen.total.calls > 0
        assert split.stage2.total == record.total and record.total.calls > 0  # test generation, duels
        assert split.total.total.calls == gen.total.calls + record.total.calls
    stage1 = sum(generated[r.problem_id].total.calls for r in selected)
    stage2 = sum(r.total.calls for r in selected)
    assert f"{stage1 + stage2} LM calls" in out and "stage 1 from the generate run" in out

    code, out, err = sstar_inproc("score", "sel", "--problems", "p.jsonl", "--run-dir", "scored")
    assert code == 0, err
    assert all(r.stages is not None for r in read_records(tmp_path / "scored" / "records.jsonl"))

    code, out, err = sstar_inproc("report", "scored", "gen", "--markdown", "--no-plots", "--out", "rep")
    assert code == 0, err
    assert f"| scored | 1: generate (carried) | {stage1} |" in out
    assert f"| scored | 2: select | {stage2} |" in out and f"| scored | total | {stage1 + stage2} |" in out
    row = json.loads((tmp_path / "rep" / "summary.json").read_text())[0]
    assert row["calls"] == stage1 + stage2 and row["stages"]["stage1"]["calls"] == stage1
    code, out, err = sstar_inproc("report", "scored", "--no-plots", "--out", "rep")  # the terminal table too
    assert code == 0 and "cost by stage" in out


def test_external_candidates_have_no_stage1(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    rows = [{"problem_id": "arith-00", "program": cli_lms.CODE["add"]}] * 2
    (tmp_path / "ext.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = sstar_inproc("select", "ext.jsonl", "--problems", "p.jsonl", *GOOD, "--run-dir", "sel")
    assert code == 0, err
    assert "not from an `sstar generate` run; reports show the stage-2 cost only" in out
    assert all(r.stages is None for r in read_records(tmp_path / "sel" / "records.jsonl"))
