"""Format demos: two hand-written examples that show the code-writing predictors the I/O contract.

Small models do not follow ``mode: stdin`` from the instruction alone: they answer a stdin problem
with a bare function (``def sum(a, b)``) that never reads standard input. The paper's harness
avoids this with LiveCodeBench's format text and a ``# YOUR CODE HERE`` block; in a DSPy program
the natural equivalent is a demonstration, one worked example per mode.

The demos are ours (written for this package; no benchmark text) and deliberately trivial: they
teach the shape of the answer, not an algorithm. :class:`~sstar_dspy.program.SStar` attaches them
to ``generate`` and ``debug`` unless ``format_demos=False``. They are ordinary predictor demos, so
``save()``/``load()`` and variants carry them and optimizers may replace them.

The demos follow the prompt form (:mod:`sstar_dspy.adapters.forms`): the ``code-reasoning`` form's
``generate`` demos also carry a short ``reasoning`` (the answer's shape in that form: reasoning, then
the fenced program); the other forms show code only. The CodeAdapter renders them in its own layout.

Example:
    >>> from sstar_dspy.format_demos import generate_demos
    >>> [demo.mode for demo in generate_demos()]
    ['stdin', 'functional']
    >>> "sys.stdin" in generate_demos()[0].code
    True
    >>> "reasoning" in generate_demos("code-reasoning")[0]
    True
"""

from __future__ import annotations

from typing import Any

import dspy

from sstar_dspy.generation import format_feedback
from sstar_dspy.sandbox.results import Status, TestResult

__all__ = ["debug_demos", "generate_demos"]

_STDIN_INPUT, _STDIN_OUTPUT = "3\n4 9 -2\n", "9\n"
_STDIN_PROBLEM = f"""The first line holds n (1 <= n <= 100). The second line holds n integers separated by spaces \
(-1000 <= a_i <= 1000). Print the largest of them.

Example
Input:
{_STDIN_INPUT}Output:
{_STDIN_OUTPUT.rstrip()}"""

_STDIN_CODE = """import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    values = [int(x) for x in data[1:1 + n]]
    print(max(values))


main()"""

_FUNCTIONAL_PROBLEM = """Given an integer array nums, return how many of its elements are even.

Example 1:
Input: nums = [1, 2, 4, 7]
Output: 2

Constraints:
1 <= nums.length <= 100
0 <= nums[i] <= 1000"""

_FUNCTIONAL_STARTER = """class Solution:
    def countEven(self, nums: List[int]) -> int:
        """

_FUNCTIONAL_CODE = """class Solution:
    def countEven(self, nums: List[int]) -> int:
        return sum(1 for x in nums if x % 2 == 0)"""

_DEBUG_PROGRAM = _STDIN_CODE.removesuffix("\n\n\nmain()")  # the same program without the call

# what the debugger sees for it: the real feedback renderer (with its "never calls main()" hint)
_DEBUG_FEEDBACK = format_feedback(
    [TestResult(status=Status.WRONG_ANSWER, input=_STDIN_INPUT, expected=_STDIN_OUTPUT, actual="")], _DEBUG_PROGRAM
)

_DEBUG_DIAGNOSIS = (
    "The program defines main() but never calls it, so nothing runs: it reads no input and prints nothing. "
    "Calling main() at the end of the program fixes it; the parsing and the answer are already right."
)


_STDIN_REASONING = (
    "The input is n and then n integers, possibly over several lines, so read every token from standard input at "
    "once. The answer is the largest of the n values; print it. One pass is fast enough."
)
_FUNCTIONAL_REASONING = (
    "Complete the countEven method of the starter code: count the elements x with x % 2 == 0 and return the "
    "count. The method returns the answer; it reads no input and prints nothing."
)


def _with_reasoning(form: Any) -> bool:
    from sstar_dspy.adapters.forms import PromptForm, parse_form

    return parse_form(form) is PromptForm.CODE_REASONING


def generate_demos(form: Any = None) -> list[dspy.Example]:
    """One stdin and one functional example for the ``generate`` predictor (:class:`GenerateCode`).

    Args:
        form: The prompt form (None = the default, ``chat``); ``code-reasoning`` adds a ``reasoning`` to each demo.
    """
    reasoning = _with_reasoning(form)
    stdin: dict[str, str] = {"problem": _STDIN_PROBLEM, "mode": "stdin", "function_name": "", "starter_code": ""}
    functional: dict[str, str] = {
        "problem": _FUNCTIONAL_PROBLEM,
        "mode": "functional",
        "function_name": "countEven",
        "starter_code": _FUNCTIONAL_STARTER,
    }
    if reasoning:
        stdin["reasoning"], functional["reasoning"] = _STDIN_REASONING, _FUNCTIONAL_REASONING
    return [dspy.Example(**stdin, code=_STDIN_CODE), dspy.Example(**functional, code=_FUNCTIONAL_CODE)]


def debug_demos(form: Any = None) -> list[dspy.Example]:
    """One example for the ``debug`` predictor (:class:`DebugCode`): a stdin program that never calls main().

    The same in every form (``debug`` always writes a diagnosis before the code); ``form`` is accepted for symmetry.
    """
    return [
        dspy.Example(
            problem=_STDIN_PROBLEM,
            mode="stdin",
            function_name="",
            starter_code="",
            history="",
            program=_DEBUG_PROGRAM,
            feedback=_DEBUG_FEEDBACK,
            diagnosis=_DEBUG_DIAGNOSIS,
            code=_STDIN_CODE,
        )
    ]
