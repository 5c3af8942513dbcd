"""Stage 1 helpers: the feedback the debugger sees, the history, the sample loop's edge cases."""

from __future__ import annotations

import pytest
from sstar_world import GOOD, SUM, sstar, sum_script

from sstar_dspy.candidate import DebugRound
from sstar_dspy.generation import format_feedback, format_history
from sstar_dspy.sandbox import Sandbox
from sstar_dspy.sandbox.results import Limits, Status, TestResult
from sstar_dspy.selection import FirstSelector
from sstar_dspy.testing import ScriptedLM


def result(status: Status, **kw) -> TestResult:
    return TestResult(status=status, input=kw.pop("input", "1 2\n"), expected=kw.pop("expected", "3\n"), **kw)


def test_feedback_covers_every_status_and_counts_passes():
    text = format_feedback(
        [
            result(Status.PASSED, actual="3\n"),
            result(Status.TIME_LIMIT, error="killed after 6 s"),
            result(Status.COMPILE_ERROR, actual="", error="SyntaxError: invalid syntax (line 3)"),
        ]
    )
    assert "Test 1: passed" in text
    assert "Test 2: FAILED (time limit exceeded)" in text and "killed after 6 s" in text
    assert "Test 3: FAILED (the program does not compile)" in text and "SyntaxError" in text
    assert "actual output" not in text.split("Test 3")[1]  # no empty "actual" for a compile error
    assert text.endswith("Passed 1 of 3 public tests.")
    assert format_feedback([]) == "There are no public tests."


def test_long_inputs_and_outputs_are_clipped_in_the_middle():
    big = "9" * 10_000
    text = format_feedback([result(Status.WRONG_ANSWER, input=big, expected=big, actual="0")])
    assert "...[truncated]..." in text and len(text) < 5_000


def test_history_lists_rounds_with_diagnosis_program_and_feedback():
    rounds = [
        DebugRound(round=0, program="print(1)", public_results=[result(Status.WRONG_ANSWER, actual="1\n")]),
        DebugRound(
            round=1,
            program="print(2)",
            reasoning="off by one",
            public_results=[result(Status.WRONG_ANSWER, actual="2\n")],
        ),
    ]
    text = format_history(rounds)
    assert text.index("[Round 0 program]") < text.index("[Round 1 diagnosis]") < text.index("[Round 1 program]")
    assert "off by one" in text and "actual output:\n2" in text


@pytest.mark.slow
def test_time_limit_feedback_reaches_the_debugger_through_the_real_sandbox():
    with Sandbox(limits=Limits(timeout_s=1.0)) as sandbox:
        lm = ScriptedLM(sum_script(generate={"code": "while True:\n    pass"}))
        pred = sstar(lm, n=1, rounds=1, selector=FirstSelector(), sandbox=sandbox)(problem=SUM)
    assert pred.candidates[0].rounds[0].public_results[0].status is Status.TIME_LIMIT
    assert "FAILED (time limit exceeded)" in lm.calls_for("debug")[0].inputs["feedback"]
    assert pred.program == GOOD


def test_problem_without_public_tests_is_not_debugged():
    lm = ScriptedLM(sum_script(generate={"code": "print(0)"}))
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector())(problem=SUM.model_copy(update={"public_tests": []}))
    assert lm.calls_for("debug") == [] and pred.program == "print(0)"


def test_a_failed_generation_stops_the_sample_with_a_round_that_does_not_pass():
    lm = ScriptedLM(sum_script(generate={"code": ""}))
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector())(problem=SUM.model_copy(update={"public_tests": []}))
    [cand] = pred.candidates
    assert [r.round for r in cand.rounds] == [0] and not cand.rounds[0].passes_public and not cand.passes_public
    assert lm.calls_for("debug") == []
