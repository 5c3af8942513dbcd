"""Candidate: the public-test verdict of a sample."""

from sstar_dspy.candidate import Candidate, DebugRound, passes_public_tests
from sstar_dspy.sandbox.results import Status, TestResult

PASS = TestResult(status=Status.PASSED, input="1 2\n", expected="3\n", actual="3\n")
FAIL = TestResult(status=Status.WRONG_ANSWER, input="1 2\n", expected="3\n", actual="4\n")


def test_passes_public_needs_every_public_test_of_the_last_round():
    rounds = [
        DebugRound(round=0, program="x", public_results=[FAIL]),
        DebugRound(round=1, program="y", public_results=[PASS]),
    ]
    assert Candidate(index=0, program="y", rounds=rounds).passes_public
    assert not Candidate(index=0, program="x", rounds=rounds[:1]).passes_public
    assert Candidate(index=0, program="y", rounds=rounds).public_accuracy == 1.0


def test_no_public_tests_pass_vacuously_but_an_empty_program_never_passes():
    assert Candidate(index=0, program="print(1)", rounds=[DebugRound(round=0, program="print(1)")]).passes_public
    empty = Candidate(index=1, program="  ", rounds=[DebugRound(round=0, program="", lm_error="no code")])
    assert not empty.passes_public


def test_rounds_and_candidates_share_one_public_rule():
    no_tests = DebugRound(round=0, program="print(1)")
    empty = DebugRound(round=0, program="", lm_error="generate returned no code")
    empty_with_results = DebugRound(round=0, program=" ", public_results=[PASS])
    assert no_tests.passes_public and not empty.passes_public and not empty_with_results.passes_public
    assert not DebugRound(round=0, program="x", public_results=[PASS, FAIL]).passes_public
    for rnd in (no_tests, empty, empty_with_results):
        cand = Candidate(index=0, program=rnd.program, rounds=[rnd])
        assert cand.passes_public == rnd.passes_public == passes_public_tests(rnd.program, rnd.public_results)
