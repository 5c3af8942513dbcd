"""--difficulty / --ids / --exclude-ids: the same selection for eval, generate and optimize; bad values are one line."""

from __future__ import annotations

import json
from types import SimpleNamespace

import cli_lms
import pytest

from sstar_dspy.runs.rundir import read_records

GOOD = ["--model", "py:cli_lms:good"]
LEVELS = ["easy", "medium", "hard", "easy", "Easy", None]


@pytest.fixture
def graded(tmp_path):
    """Six arith problems with difficulties (one 'Easy' spelled with a capital, one without a difficulty)."""
    with open(tmp_path / "d.jsonl", "w", encoding="utf-8") as fh:
        for problem, level in zip(cli_lms.arith_problems(len(LEVELS)), LEVELS, strict=True):
            problem.metadata.difficulty = level
            fh.write(json.dumps(problem.model_dump(mode="json")) + "\n")
    return tmp_path / "d.jsonl"


@pytest.fixture
def captured_optimization(monkeypatch, tmp_path):
    """Replace the optimization itself: record which problems `sstar optimize` hands it."""
    import sstar_dspy.optimize.run

    seen: dict = {}

    def fake(problems, **kwargs):
        seen["ids"] = [p.id for p in problems]
        return SimpleNamespace(
            variant_path=tmp_path / "v.json", run_dir=tmp_path, train_ids=[], val_ids=[], comparison=None, wall_s=0.0
        )

    monkeypatch.setattr(sstar_dspy.optimize.run, "run_optimization", fake)
    return seen


def test_eval_runs_only_the_chosen_problems_and_limit_applies_after(sstar_inproc, graded, tmp_path):
    args = ["eval", "d.jsonl", *GOOD, "--method", "zero_shot", "--run-dir", "run"]
    code, out, err = sstar_inproc(*args, "--difficulty", "easy", "--exclude-ids", "arith-03", "--limit", "1")
    assert code == 0, err
    assert [r.problem_id for r in read_records(tmp_path / "run" / "records.jsonl")] == ["arith-00"]
    runtime = json.loads((tmp_path / "run" / "manifest.json").read_text())["runtime"]
    assert runtime["difficulty"] == "easy" and runtime["exclude_ids"] == "arith-03"
    code, out, err = sstar_inproc(*args, "--ids", "arith-02,arith-05")  # same run: the selection is not config
    assert code == 0, err
    done = sorted(r.problem_id for r in read_records(tmp_path / "run" / "records.jsonl"))
    assert done == ["arith-00", "arith-02", "arith-05"]


@pytest.mark.parametrize(
    "options, expected",
    [
        (["--difficulty", "easy"], ["arith-00", "arith-03", "arith-04"]),  # case-insensitive
        (["--difficulty", "medium,unknown"], ["arith-01", "arith-05"]),
        (["--ids", "arith-04, arith-01"], ["arith-01", "arith-04"]),  # source order
        (["--difficulty", "easy", "--exclude-ids", "arith-00", "--limit", "1"], ["arith-03"]),
    ],
)
def test_optimize_chooses_problems_like_eval(sstar_inproc, graded, captured_optimization, options, expected):
    code, out, err = sstar_inproc("optimize", "--suite", "d.jsonl", "--name", "v", *GOOD, *options)
    assert code == 0, err
    assert captured_optimization["ids"] == expected


@pytest.mark.parametrize(
    "command, options, fragment",
    [
        ("optimize", ["--difficulty", "eazy"], "--difficulty 'eazy': no problem of d.jsonl has difficulty eazy"),
        ("optimize", ["--ids", "arith-00,nope"], "--ids: d.jsonl has no problem with id nope"),
        ("optimize", ["--exclude-ids", "nope"], "--exclude-ids: d.jsonl has no problem with id nope"),
        ("optimize", ["--ids", " , "], "--ids ' , ': give one or more values separated by commas"),
        ("optimize", ["--difficulty", "hard", "--exclude-ids", "arith-02"], "no problems left after --difficulty"),
        ("eval", ["--difficulty", "impossible"], "--difficulty 'impossible': no problem of d.jsonl"),
        ("generate", ["--ids", "nope"], "--ids: d.jsonl has no problem with id nope"),
    ],
)
def test_bad_selection_is_one_line(sstar_inproc, graded, captured_optimization, command, options, fragment):
    args = ["--suite", "d.jsonl", "--name", "v"] if command == "optimize" else ["d.jsonl"]
    code, out, err = sstar_inproc(command, *args, *GOOD, *options)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], err
    assert "ids" not in captured_optimization
