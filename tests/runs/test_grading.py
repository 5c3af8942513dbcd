"""The grading rule: all tests (public + hidden, de-duplicated) as LiveCodeBench; hidden only as an opt-in."""

from __future__ import annotations

import dspy
import pytest

from sstar_dspy.metric import GradingRuleError, execution_metric, grade_program, grading_tests, to_examples
from sstar_dspy.optimize.comparison import compare_runs
from sstar_dspy.problem import Mode, Problem, TestCase
from sstar_dspy.runs.grading import grade
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.report import to_json, to_markdown
from sstar_dspy.runs.solve import solve_fn
from sstar_dspy.runs.summary import Run, summarize

# The case: "count distinct letters" where the statement's example is the only test a
# len(set(word)) program gets wrong (the example counts letters that appear in both cases).
EXAMPLE = TestCase.from_args(["aaAbcBC"], 3)
WORDS = Problem(
    id="special-letters",
    statement="Count the letters that appear both in lower and upper case.",
    mode=Mode.FUNCTIONAL,
    function_name="count",
    public_tests=[EXAMPLE],
    hidden_tests=[TestCase.from_args(["abc"], 0), TestCase.from_args(["aA"], 1), EXAMPLE],  # example repeated
)
RIGHT = (
    "class Solution:\n    def count(self, word):\n"
    "        return sum(c in word and c.upper() in word for c in 'abcdefghijklmnopqrstuvwxyz')"
)
# right on every hidden test that is not the example (distinct letters happen to match there)
SET_LEN = "class Solution:\n    def count(self, word):\n        return {'abc': 0, 'aA': 1}.get(word, len(set(word)))"


def test_a_program_wrong_on_a_public_example_fails_even_if_every_other_hidden_test_passes():
    verdict = grade(WORDS, SET_LEN)
    assert verdict.passed is False and verdict.graded_on == "all"
    assert (verdict.tests_passed, verdict.tests_total) == (2, 3)  # the example is graded once
    assert (verdict.hidden_passed, verdict.hidden_total) == (2, 3)  # the hidden copy of the example fails too
    assert verdict.first_failure["kind"] == "public" and verdict.first_failure["status"] == "wrong_answer"
    assert grade(WORDS, RIGHT).passed is True


def test_hidden_only_is_an_explicit_opt_in():
    no_example = WORDS.model_copy(update={"hidden_tests": WORDS.hidden_tests[:2]})
    assert grade(no_example, SET_LEN).passed is False
    verdict = grade(no_example, SET_LEN, graded_on="hidden")
    assert verdict.passed is True and verdict.graded_on == "hidden"
    assert (verdict.tests_passed, verdict.tests_total, verdict.hidden_passed, verdict.hidden_total) == (2, 2, 2, 2)
    example = to_examples([no_example])[0]
    assert execution_metric(example, dspy.Prediction(program=SET_LEN)).score == 0.0
    assert execution_metric(example, dspy.Prediction(program=SET_LEN), graded_on="hidden").score == 1.0
    feedback = execution_metric(example, dspy.Prediction(program=SET_LEN)).feedback
    assert "fails public test 1 of 3 (wrong answer)" in feedback and "aaAbcBC" in feedback


def test_the_environment_chooses_the_default_rule(monkeypatch):
    no_example = WORDS.model_copy(update={"hidden_tests": WORDS.hidden_tests[:2]})
    monkeypatch.setenv("SSTAR_GRADE_ON", "hidden")
    assert grade(no_example, SET_LEN).passed is True
    assert grade(no_example, SET_LEN, graded_on="all").passed is False  # an explicit argument wins
    monkeypatch.setenv("SSTAR_GRADE_ON", "public")
    with pytest.raises(GradingRuleError, match="'all'.*'hidden'"):
        grade(no_example, SET_LEN)


def test_identical_tests_are_graded_once_and_tests_without_output_are_skipped():
    pub = [TestCase(input="1\n", output="1\n"), TestCase(input="9\n"), TestCase(input="2\n", output="2\n")]
    hid = [TestCase(input=f"{i}\n", output=f"{i}\n") for i in (2, 3, 1)]
    p = Problem(id="echo", statement="echo", public_tests=pub, hidden_tests=hid)
    assert [t.input for t in grading_tests(p)] == ["1\n", "2\n", "3\n"]
    assert grading_tests(p, "hidden") == hid
    verdict = grade(p, "print(input())")
    assert (verdict.passed, verdict.tests_passed, verdict.tests_total, verdict.hidden_total) == (True, 3, 3, 3)


def test_public_only_problems_stay_not_gradable():
    public_only = WORDS.model_copy(update={"hidden_tests": []})
    assert grading_tests(public_only) == []
    for rule in ("all", "hidden"):
        assert grade(public_only, RIGHT, graded_on=rule).passed is None
        assert grade_program(public_only, RIGHT, graded_on=rule)[0] is False
    record = solve_fn(_Fixed(RIGHT, [RIGHT]))(public_only, 0)
    assert record.passed is None and record.candidates_passed == [] and record.grading_rule is None


def test_every_test_counts_not_only_the_first():
    """Planted bug: grading only the first (or only the public) test scores a failing program 1.0."""
    p = Problem(
        id="double",
        statement="print 2n",
        public_tests=[TestCase(input="1\n", output="2\n")],
        hidden_tests=[TestCase(input="2\n", output="4\n"), TestCase(input="0\n", output="0\n")],
    )
    last_wrong = "n = int(input())\nprint(2 * n if n else 1)"  # fails only the very last test
    assert grade_program(p, last_wrong)[0] is False
    assert execution_metric(to_examples([p])[0], dspy.Prediction(program=last_wrong)).score == 0.0
    assert "hidden test 3 of 3" in grade_program(p, last_wrong)[1]
    verdict = grade(p, last_wrong)
    assert (verdict.passed, verdict.tests_passed, verdict.tests_total) == (False, 2, 3)
    assert grade(p, last_wrong, graded_on="hidden").passed is False


class _Fixed(dspy.Module):
    def __init__(self, program: str, candidates: list[str]):
        super().__init__()
        self.answer, self.cands = program, candidates

    def forward(self, problem):
        from sstar_dspy.candidate import Candidate

        return dspy.Prediction(
            program=self.answer, candidates=[Candidate(index=i, program=c) for i, c in enumerate(self.cands)]
        )


def test_records_carry_the_rule_and_candidates_use_the_same_rule():
    no_example = WORDS.model_copy(update={"hidden_tests": WORDS.hidden_tests[:2]})
    record = solve_fn(_Fixed(SET_LEN, [SET_LEN, RIGHT]))(no_example, 0)
    assert (record.passed, record.graded_on, record.tests_passed, record.tests_total) == (False, "all", 2, 3)
    assert (record.hidden_passed, record.hidden_total) == (2, 2) and record.candidates_passed == [False, True]
    hidden = solve_fn(_Fixed(SET_LEN, [SET_LEN, RIGHT]), graded_on="hidden")(no_example, 0)
    assert (hidden.passed, hidden.graded_on, hidden.candidates_passed) == (True, "hidden", [True, True])


def test_old_records_load_and_report_their_hidden_only_rule():
    old = ProblemRecord.model_validate_json(
        '{"problem_id": "a", "passed": true, "hidden_passed": 3, "hidden_total": 3, "candidates_passed": [true]}'
    )
    assert (old.graded_on, old.grading_rule, old.tests_total) == (None, "hidden", 0)
    summary = summarize(Run(None, None, [old]))
    assert summary.graded_on == "hidden" and not summary.notes
    assert "graded on hidden tests only" in to_markdown([summary])
    assert to_json([summary])[0]["grading"].startswith("graded on hidden tests only")
    errored = ProblemRecord(problem_id="b", status="error", error="boom", passed=False, hidden_total=3)
    assert errored.grading_rule is None  # nothing ran: it takes no side


def test_reports_state_the_rule_and_flag_mixed_runs():
    new = [ProblemRecord(problem_id=p, passed=p == "a", graded_on="all") for p in "ab"]
    old = [ProblemRecord(problem_id=p, passed=True) for p in "ab"]
    summary = summarize(Run(None, None, new))
    assert summary.graded_on == "all"
    rule = "pass@1 and oracle pass@N: graded on all tests (public + hidden), as LiveCodeBench."
    assert rule in to_markdown([summary])
    mixed = summarize(Run(None, None, [new[0], old[1]]))
    assert mixed.graded_on == "mixed" and "re-grade with `sstar score`" in mixed.notes[0]
    table = compare_runs([Run(None, None, new), Run(None, None, old)], names=["new", "old"], resamples=200)
    assert any("different rules" in note for note in table.notes) and "different rules" in table.to_markdown()
    same = compare_runs([Run(None, None, new), Run(None, None, new)], names=["x", "y"], resamples=200)
    assert same.grading == "pass@1: graded on all tests (public + hidden), as LiveCodeBench." and not same.notes
