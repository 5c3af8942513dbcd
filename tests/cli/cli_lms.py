"""Scripted LMs selectable from the command line: ``--model py:cli_lms:<factory>`` with PYTHONPATH=tests/cli.

Problems used with them (see ``arith_problems``) say ``OP: add|mul|max`` in their statement. Even rollouts
answer correctly, odd rollouts print a - b; the debugger always fixes the program.
"""

from __future__ import annotations

import json
import os
import re
import time

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.testing import ScriptedLM

CODE = {
    "add": "a, b = map(int, input().split())\nprint(a + b)",
    "mul": "a, b = map(int, input().split())\nprint(a * b)",
    "max": "a, b = map(int, input().split())\nprint(max(a, b))",
}
WRONG = "a, b = map(int, input().split())\nprint(a - b)"
OPS = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "max": max}


def arith_problems(count: int) -> list[Problem]:
    """``count`` gradable stdin problems cycling through the three operations."""
    problems = []
    for i in range(count):
        op = list(OPS)[i % 3]
        pub = [(1 + i, 2), (3, 4 + i)]
        hid = [(5 + i, 6), (7, 8 + i), (10, 2 + i)]
        problems.append(
            Problem(
                id=f"arith-{i:02d}",
                statement=f"Read two integers a b and print the result. OP: {op}",
                public_tests=[TestCase(input=f"{a} {b}\n", output=f"{OPS[op](a, b)}\n") for a, b in pub],
                hidden_tests=[TestCase(input=f"{a} {b}\n", output=f"{OPS[op](a, b)}\n") for a, b in hid],
            )
        )
    return problems


def _op(call) -> str:
    match = re.search(r"OP: (\w+)", call.inputs.get("problem", ""))
    return match.group(1) if match else "add"


def _slow_down() -> None:
    delay = float(os.environ.get("CLI_LMS_DELAY", "0") or 0)
    if delay:
        time.sleep(delay)


def _generate(call):
    _slow_down()
    return {"code": CODE[_op(call)] if (call.rollout_id or 0) % 2 == 0 else WRONG}


def _debug(call):
    if os.environ.get("CLI_LMS_HANG_DEBUG") == _op(call):  # a debug call that never returns (killed in flight)
        time.sleep(3600)
    return {"diagnosis": "wrong operator", "code": CODE[_op(call)]}


SCRIPT = {
    "generate": _generate,
    "debug": _debug,
    "generate_tests": {"test_inputs": [{"input": "2 3\n"}, {"input": "9 -4\n"}]},
    "distinguish": {"distinguishing_inputs": [{"input": "6 7\n"}]},
    "judge": {"analysis": "A matches the statement", "verdict": "A"},
}


BUILT: list[ScriptedLM] = []  # every LM the factories built in this process (in-process tests inspect calls)


def good(**kwargs) -> ScriptedLM:
    """A well-behaved scripted LM (no cache: tests must not share DSPy's disk cache)."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)
    lm = ScriptedLM(SCRIPT, model="scripted/good", cache=False, **kwargs)
    BUILT.append(lm)
    return lm


def _fault(call):
    """Faults chosen by problem so every kind is exercised deterministically."""
    text = call.inputs.get("problem", "")
    index = int(re.search(r"#(\d+)", text).group(1)) if re.search(r"#(\d+)", text) else 0
    kind = ("timeout", "rate_limit", "empty", "malformed", "truncated", "ok")[index % 6]
    if kind == "timeout":
        raise TimeoutError("LM request timed out after 30 s")
    if kind == "rate_limit":
        import litellm

        raise litellm.RateLimitError("429 Too Many Requests", llm_provider="openai", model="scripted/faulty")
    if kind == "empty":
        return ""
    if kind == "malformed":
        return "Sure! Here is some code: print(1)"
    if kind == "truncated":
        return "[[ ## code ## ]]\na, b = map(int, inp"
    return {"code": CODE[_op(call)]}


def faulty(**kwargs) -> ScriptedLM:
    """Every LM call fails in a problem-dependent way (timeout, 429, empty, malformed, truncated), or works."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)
    script = {key: _fault for key in SCRIPT}
    return ScriptedLM(script, model="scripted/faulty", cache=False, **kwargs)


def write_problems(path, count: int, *, tag_index: bool = False) -> None:
    """Write ``arith_problems(count)`` as JSONL (``#i`` tags select faults for ``faulty``)."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, p in enumerate(arith_problems(count)):
            if tag_index:
                p = p.model_copy(update={"statement": p.statement + f" #{i}"})
            fh.write(json.dumps(p.model_dump(mode="json")) + "\n")


def leaky(**kwargs) -> ScriptedLM:
    """An LM that writes its API key into the code it returns (to prove redaction, not luck, hides keys)."""
    key = kwargs.pop("api_key", "") or os.environ.get("OPENAI_API_KEY", "")
    kwargs.pop("api_base", None)
    script = dict(SCRIPT)
    script["generate"] = lambda call: {"code": f"# key: {key}\n" + CODE[_op(call)]}
    script["debug"] = lambda call: {"diagnosis": f"used {key}", "code": f"# key: {key}\n" + CODE[_op(call)]}
    return ScriptedLM(script, model="scripted/leaky", cache=False, **kwargs)


def hanging(**kwargs) -> ScriptedLM:
    """Like ``good`` but the generator never answers for OP: mul problems (a hung request)."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)
    script = dict(SCRIPT)

    def generate(call):
        if _op(call) == "mul":
            time.sleep(3600)
        return _generate(call)

    script["generate"] = generate
    return ScriptedLM(script, model="scripted/hanging", cache=False, **kwargs)


def flaky(**kwargs) -> ScriptedLM:
    """Like ``good``, but every call fails while ``CLI_LMS_DOWN`` is set (an LM server that is down, then back)."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)

    def guarded(reply):
        def answer(call):
            if os.environ.get("CLI_LMS_DOWN"):
                raise ConnectionError("LM server unreachable")
            return reply(call) if callable(reply) else reply

        return answer

    script = {key: guarded(reply) for key, reply in SCRIPT.items()}
    return ScriptedLM(script, model="scripted/flaky", cache=False, **kwargs)


def surrogate(**kwargs) -> ScriptedLM:
    """Two different correct programs per problem, and generated test inputs holding a lone surrogate."""
    kwargs.pop("api_key", None)
    kwargs.pop("api_base", None)
    script = dict(SCRIPT)
    script["generate"] = lambda call: {"code": CODE[_op(call)] + ("\n# variant" if (call.rollout_id or 0) % 2 else "")}
    script["generate_tests"] = {"test_inputs": [{"input": "2 3\ud800\n"}, {"input": "\ud800"}]}
    script["distinguish"] = {"distinguishing_inputs": [{"input": "6 7\ud800\n"}]}
    return ScriptedLM(script, model="scripted/surrogate", cache=False, **kwargs)
