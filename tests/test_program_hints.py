"""Static hints for stdin programs that printed nothing, and how the debugger's feedback carries them."""

from __future__ import annotations

import pytest
from sstar_world import GOOD, SUM, sstar, sum_script

from sstar_dspy.generation import format_feedback
from sstar_dspy.program_hints import silent_program_hint
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.testing import ScriptedLM

UNCALLED_MAIN = "import sys\n\n\ndef main():\n    a, b = map(int, sys.stdin.read().split())\n    print(a + b)"


@pytest.mark.parametrize(
    "program,expected",
    [
        (UNCALLED_MAIN, "defines main() but nothing at the top level calls it"),
        ("def sum(a, b):\n    return a + b", "defines sum() but nothing"),
        ("def helper(x):\n    return x\n\ndef solve():\n    print(helper(1))", "e.g. solve()"),
        ('"""doc"""\nimport sys', "no code that runs at the top level"),
    ],
)
def test_silent_causes_are_named(program, expected):
    assert expected in silent_program_hint(program)


@pytest.mark.parametrize(
    "program",
    [
        UNCALLED_MAIN + "\n\nmain()",
        UNCALLED_MAIN + "\n\nif __name__ == '__main__':\n    main()",
        "def f():\n    return 1\n\nprint(f())",
        "class A:\n    def f(self):\n        return 1\n\nprint(A().f())",
        "x = int(input())",  # top-level code that prints nothing: no visible cause, no guess
        "def main(:\n    pass",  # does not parse: the compile error speaks for itself
    ],
)
def test_no_hint_when_something_runs_or_the_code_does_not_parse(program):
    assert silent_program_hint(program) is None


def _silent(**kw) -> TestResult:
    return TestResult(status=Status.WRONG_ANSWER, input="1 2\n", expected="3\n", actual="", **kw)


def test_feedback_appends_the_hint_only_when_every_failure_printed_nothing():
    assert format_feedback([_silent(), _silent()], UNCALLED_MAIN).endswith("e.g. main().")
    assert "Note:" not in format_feedback([_silent()])  # functional problems pass no program
    printed = TestResult(status=Status.WRONG_ANSWER, input="1 2\n", expected="3\n", actual="4\n")
    assert "Note:" not in format_feedback([_silent(), printed], UNCALLED_MAIN)
    crashed = TestResult(status=Status.RUNTIME_ERROR, input="1 2\n", expected="3\n", actual="", error="ValueError")
    assert "Note:" not in format_feedback([crashed], UNCALLED_MAIN)


def test_the_debugger_sees_the_hint_for_an_uncalled_main():
    lm = ScriptedLM(sum_script(generate={"code": UNCALLED_MAIN}))
    pred = sstar(lm, n=1, rounds=1)(problem=SUM)
    assert pred.program == GOOD  # the scripted debugger's fix
    [debug] = lm.calls_for("debug")
    assert "defines main() but nothing at the top level calls it" in debug.inputs["feedback"]
