"""Shared fixtures for the SStar tests: small problems and programs whose behaviour we know.

The "sum" problem is the bundled example the issue names: two integers on one line, print the
sum. Its classic wrong answer reads ``int(input())`` twice and crashes on the public test.
"""

from __future__ import annotations

from typing import Any

from sstar_dspy.problem import Mode, Problem, TestCase
from sstar_dspy.program import RoleLMs, SStar
from sstar_dspy.testing import ScriptedLM

GOOD = "a, b = map(int, input().split())\nprint(a + b)"
TWO_LINES = "a = int(input())\nb = int(input())\nprint(a + b)"  # crashes on "3 4"
# passes the public test (3 4 -> 7) but is wrong whenever a < 3
SMALL_A_BUG = "a, b = map(int, input().split())\nprint(a * b if a < 3 else a + b)"
# passes the public test but is wrong when b > 10
BIG_B_BUG = "a, b = map(int, input().split())\nprint(a + min(b, 10))"
# correct, written differently (same behaviour as GOOD)
GOOD_ALT = "import sys\nx, y = sys.stdin.read().split()\nprint(int(x) + int(y))"

SUM = Problem(
    id="sum",
    statement="Read two integers a and b given on one line separated by a space, and print a + b.",
    mode=Mode.STDIN,
    public_tests=[TestCase(input="3 4\n", output="7\n")],
    hidden_tests=[
        TestCase(input="1 2\n", output="3\n"),
        TestCase(input="10 20\n", output="30\n"),
        TestCase(input="-5 5\n", output="0\n"),
    ],
)

ADD_FUNCTIONAL = Problem(
    id="add-fn",
    statement="Implement add(a, b) returning the sum of two integers.",
    mode=Mode.FUNCTIONAL,
    function_name="add",
    starter_code="class Solution:\n    def add(self, a: int, b: int) -> int:\n        ",
    public_tests=[TestCase.from_args([1, 2], 3)],
    hidden_tests=[TestCase.from_args([5, 7], 12), TestCase.from_args([-1, 1], 0)],
)
GOOD_FN = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b"
BAD_FN = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b if a < 5 else a * b"


WRONG = {TWO_LINES, SMALL_A_BUG, BIG_B_BUG, BAD_FN}


def oracle_judge(call: Any) -> dict[str, str]:
    """A judge that knows which programs are correct (answers consistently in both orders)."""
    a_bad = call.inputs["program_a"].strip() in WRONG
    b_bad = call.inputs["program_b"].strip() in WRONG
    verdict = "tie" if a_bad == b_bad else ("B" if a_bad else "A")
    return {"analysis": "compared against my own computation", "verdict": verdict}


def sum_script(**overrides: Any) -> dict[str, Any]:
    """A complete script for the sum problem; override any key."""
    script: dict[str, Any] = {
        "generate": {
            0: {"code": f"```python\n{TWO_LINES}\n```"},
            1: {"code": SMALL_A_BUG},
            2: {"code": GOOD},
            3: {"code": SMALL_A_BUG},
        },
        "debug": {"diagnosis": "The input is on one line; read both numbers with split().", "code": GOOD},
        "generate_tests": {"test_inputs": [{"input": "1 2"}, {"input": "5 5"}, "0 0"]},
        "distinguish": {"distinguishing_inputs": [{"input": "2 3"}, {"input": "1 1"}]},
        "judge": oracle_judge,
    }
    script.update(overrides)
    return script


def sstar(lm: ScriptedLM, **kwargs: Any) -> SStar:
    """An SStar routed to ``lm`` for every role."""
    kwargs.setdefault("n", 4)
    kwargs.setdefault("rounds", 2)
    return SStar(lms=RoleLMs(generator=lm), **kwargs)
