"""`sstar score` and `sstar report` grade on all tests by default, state the rule, and honour SSTAR_GRADE_ON=hidden."""

from __future__ import annotations

import json

import pytest

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.runs.rundir import read_records

DOUBLE = Problem(
    id="double",
    statement="Print 2n.",
    public_tests=[TestCase(input="1\n", output="2\n")],
    hidden_tests=[TestCase(input="2\n", output="4\n"), TestCase(input="5\n", output="10\n")],
)
WRONG_ON_EXAMPLE = "n = int(input())\nprint(3 if n == 1 else 2 * n)"  # passes every hidden test


@pytest.fixture
def sstar(sstar_inproc, tmp_path):
    """``sstar ARGS`` in this process (tests/cli/conftest.py) with the problem and a chosen program written;
    returns (exit code, stdout)."""
    (tmp_path / "p.jsonl").write_text(DOUBLE.model_dump_json() + "\n")
    (tmp_path / "chosen.jsonl").write_text(json.dumps({"problem_id": "double", "program": WRONG_ON_EXAMPLE}) + "\n")

    def run(*args: str) -> tuple[int, str]:
        code, out, _ = sstar_inproc(*args)
        return code, out

    return run


def test_score_grades_on_all_tests_and_the_report_says_so(sstar, tmp_path):
    code, out = sstar("score", "chosen.jsonl", "--problems", "p.jsonl", "--run-dir", "scored")
    assert code == 0, out
    [record] = read_records(tmp_path / "scored" / "records.jsonl")
    assert (record.passed, record.graded_on, record.tests_passed, record.tests_total) == (False, "all", 2, 3)
    assert (record.hidden_passed, record.hidden_total, record.first_failure["kind"]) == (2, 2, "public")
    assert "pass@1 and oracle pass@N graded on all tests (public + hidden), as LiveCodeBench" in out
    code, out = sstar("report", "scored", "--no-plots", "--markdown")
    assert code == 0 and "graded on all tests (public + hidden), as LiveCodeBench." in out


def test_hidden_only_is_an_opt_in_through_the_environment(sstar, tmp_path, monkeypatch):
    monkeypatch.setenv("SSTAR_GRADE_ON", "hidden")
    code, out = sstar("score", "chosen.jsonl", "--problems", "p.jsonl", "--run-dir", "hidden")
    assert code == 0, out
    [record] = read_records(tmp_path / "hidden" / "records.jsonl")
    assert (record.passed, record.graded_on, record.tests_total) == (True, "hidden", 2)
    assert "graded on hidden tests only" in out
    monkeypatch.setenv("SSTAR_GRADE_ON", "public")
    code, out = sstar("score", "chosen.jsonl", "--problems", "p.jsonl", "--run-dir", "bad")
    assert code == 2
