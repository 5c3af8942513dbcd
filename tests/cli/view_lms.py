"""A scripted LM for ``sstar view`` tests (``--model py:view_lms:duels`` with PYTHONPATH=tests/cli).

On the bundled ``sum-two`` example, even samples write the right program, whose comment holds ``</script>`` and
HTML (the page must show it escaped), and odd samples a program that passes both public tests but subtracts when
``a >= 0 and b >= 3``: both pass the public tests and behave differently on the generated inputs, so selection
clusters them and plays a duel; the judge prefers the program with the comment, consistently in both orders.
Every other problem gets ``print(0)`` (fails its public tests; the debugger answers the same).
"""

from __future__ import annotations

from sstar_dspy.testing import ScriptedLM

HOSTILE = "</script><script>alert('x')</script><b>bold</b> & <!-- comment"
RIGHT = f"# {HOSTILE}\na, b = map(int, input().split())\nprint(a + b)"
SUBTLE = "a, b = map(int, input().split())\nprint(a + b if a < 0 or b < 3 else a - b)"


def _sum_two(call) -> bool:
    return "Print their sum" in call.inputs.get("problem", "")


def _generate(call):
    if not _sum_two(call):
        return {"code": "print(0)"}
    return {"code": RIGHT if (call.rollout_id or 0) % 2 == 0 else SUBTLE}


def _judge(call):
    verdict = "A" if "alert" in call.inputs.get("program_a", "") else "B"
    return {"analysis": "the <b>commented</b> program adds in every case", "verdict": verdict}


SCRIPT = {
    "generate": _generate,
    "debug": {"diagnosis": "prints a constant <i>zero</i>", "code": "print(0)"},
    "generate_tests": {"test_inputs": [{"input": "2 3\n"}, {"input": "9 -4\n"}, {"input": "4 5\n"}]},
    "distinguish": {"distinguishing_inputs": [{"input": "6 7\n"}]},
    "judge": _judge,
}


def duels(**kwargs) -> ScriptedLM:
    """The scripted LM described above (no cache: tests must not share DSPy's disk cache)."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)
    return ScriptedLM(SCRIPT, model="scripted/duels", cache=False, **kwargs)
