"""The opening every test-based selector shares: pool fallbacks decided without any LM call or sandbox run."""

from __future__ import annotations

import pytest
from sstar_world import GOOD, GOOD_ALT, SMALL_A_BUG, TWO_LINES

from sstar_dspy.candidate import Candidate, DebugRound
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.selection import (
    AdaptiveSelector,
    FirstSelector,
    GeneratedTestsSelector,
    JudgeSelector,
    MajorityVoteSelector,
)

PASS = TestResult(status=Status.PASSED, input="3 4\n", expected="7\n", actual="7\n")
CRASH = TestResult(status=Status.RUNTIME_ERROR, input="3 4\n", expected="7\n", error="ValueError")
SELECTORS = [AdaptiveSelector(), JudgeSelector(), GeneratedTestsSelector(), MajorityVoteSelector(), FirstSelector()]


def cand(index: int, program: str, *results: TestResult) -> Candidate:
    first = DebugRound(round=0, program=program, public_results=list(results))
    return Candidate(index=index, program=program, rounds=[first])


# ctx=None: any LM call or sandbox run would fail, so these decisions are made from the candidates alone
@pytest.mark.parametrize("selector", SELECTORS, ids=lambda s: s.name)
def test_no_program_at_all_chooses_nothing(selector):
    trace = selector.select(None, [cand(0, ""), cand(1, "  ")])
    assert (trace.chosen, trace.pool, trace.reason) == (None, [], "no candidate produced a program")
    assert trace.selector == selector.name


@pytest.mark.parametrize("selector", SELECTORS, ids=lambda s: s.name)
def test_a_single_candidate_in_the_pool_is_chosen(selector):
    if selector.name == "majority":  # votes among every candidate with a program unless public_only
        trace = selector.select(None, [cand(0, ""), cand(1, GOOD, PASS)])
        assert trace.reason == "1 candidates with a program; only one"
    else:
        trace = selector.select(None, [cand(0, TWO_LINES, CRASH), cand(1, GOOD, PASS), cand(2, "")])
        assert trace.reason == "1 candidates pass the public tests; only one"
    assert trace.chosen == 1 and trace.pool == [1] and trace.test_inputs == [] and trace.clusters == []


@pytest.mark.parametrize(
    "selector", [AdaptiveSelector(), JudgeSelector(), GeneratedTestsSelector(), FirstSelector()], ids=str
)
def test_nothing_passing_falls_back_to_the_best_public_accuracy(selector):
    half = TestResult(status=Status.WRONG_ANSWER, input="1 2\n", expected="3\n", actual="2\n")
    trace = selector.select(None, [cand(0, TWO_LINES, CRASH, CRASH), cand(1, SMALL_A_BUG, PASS, half)])
    assert trace.chosen == 1 and trace.pool == []
    assert trace.reason == "no candidate passes the public tests; first with the best public accuracy (0.50)"


@pytest.mark.parametrize("selector", SELECTORS[:4], ids=lambda s: s.name)
def test_copies_of_one_program_are_one_candidate_without_generating_tests(selector):
    copies = [cand(0, GOOD, PASS), cand(1, GOOD + "\n", PASS), cand(2, TWO_LINES, CRASH)]
    if selector.name == "majority":  # votes among every candidate with a program: make them all the same
        copies[2] = cand(2, GOOD, PASS)
    trace = selector.select(None, copies)  # ctx=None: a generate_tests call would fail
    assert trace.chosen == 0 and trace.test_inputs == [] and trace.inputs is None
    assert trace.reason.endswith("; all have the same program")


def test_two_different_programs_go_on_to_generate_tests():
    with pytest.raises(AttributeError):  # two different programs: it goes on to generate tests (ctx needed)
        AdaptiveSelector().select(None, [cand(0, GOOD, PASS), cand(1, GOOD_ALT, PASS)])
