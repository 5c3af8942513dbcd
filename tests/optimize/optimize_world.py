"""A small offline world for optimization tests: problems we wrote, and a scripted LM that learns from prompts.

The scripted generator behaves like a small model that reads ``int(input())`` twice although both
integers are on one line (wrong), unless its prompt shows it how: a demo whose code uses
``input().split()`` or an instruction that mentions ``split``. Sample ``rollout_id`` 1 is "lucky" and
reads the line correctly anyway, so S* with n=2 solves train problems and BootstrapFewShot can
harvest a demo, but only if it takes the lucky sample (the other one fails). One problem ("hard")
is never solved, whatever the prompt.

Used in-process by the tests and, in a fresh process, through ``--model py:optimize_world:make_lm``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.testing import ScriptedCall, ScriptedLM

OPS = {"add": "a + b", "sub": "a - b", "mul": "a * b", "max": "max(a, b)", "min": "min(a, b)", "mod": "a % b"}
PAIRS = [(3, 4), (10, 7), (-2, 9), (6, 6), (15, 4)]
HARD = "hard"


def _expected(op: str, a: int, b: int) -> int:
    if op == HARD:
        return a * a + b
    return eval(OPS[op], {}, {"a": a, "b": b})  # noqa: S307 - our own fixed expressions


def make_problem(op: str) -> Problem:
    """A stdin problem: two integers on one line, print an expression of them (``[op=...]`` in the text)."""
    statement = f"Two integers a and b are given on one line, separated by a space. [op={op}] Print the result."
    tests = [TestCase(input=f"{a} {b}\n", output=f"{_expected(op, a, b)}\n") for a, b in PAIRS]
    return Problem(id=f"calc-{op}", statement=statement, public_tests=tests[:1], hidden_tests=tests[1:])


def problems() -> list[Problem]:
    return [make_problem(op) for op in [*OPS, HARD]]


def write_problems(path: Path) -> Path:
    path.write_text("".join(p.model_dump_json() + "\n" for p in problems()), encoding="utf-8")
    return path


def knows_split(call: ScriptedCall) -> bool:
    """True when the prompt teaches reading one line: a demo using ``input().split()`` or the :data:`LESSON` marker."""
    demos = any("input().split()" in text for text in call.demos)
    return demos or LESSON_MARKER in call.system


def right_code(op: str) -> str:
    return f"a, b = map(int, input().split())\nprint({OPS[op]})"


def wrong_code(op: str) -> str:
    expression = OPS.get(op, "a * a + b + 1")
    return f"a = int(input())\nb = int(input())\nprint({expression})"


def _op(call: ScriptedCall) -> str:
    match = re.search(r"\[op=(\w+)\]", call.inputs.get("problem", ""))
    return match.group(1) if match else "add"


def _generate(call: ScriptedCall) -> dict[str, Any]:
    op = _op(call)
    if op == HARD:
        return {"code": "a, b = map(int, input().split())\nprint(a * b + 1)"}
    lucky = call.rollout_id is not None and call.rollout_id % 2 == 1
    return {"code": right_code(op) if knows_split(call) or lucky else wrong_code(op)}


def _debug(call: ScriptedCall) -> dict[str, Any]:
    return {"diagnosis": "I do not see the bug.", "code": call.inputs.get("program", "")}


SCRIPT = {
    "generate": _generate,
    "debug": _debug,
    "generate_tests": {"test_inputs": [{"input": "1 2\n"}, {"input": "5 3\n"}]},
    "distinguish": {"distinguishing_inputs": [{"input": "8 3\n"}]},
    "judge": {"analysis": "A reads the input correctly.", "verdict": "A"},
}


def make_lm(**_: Any) -> ScriptedLM:
    """The scripted LM (``--model py:optimize_world:make_lm``); extra CLI kwargs such as api_key are ignored."""
    return ScriptedLM(SCRIPT)


def main() -> None:  # pragma: no cover - used by the fresh-process test
    """``python optimize_world.py VARIANT PROBLEMS.jsonl``: print pass/fail per problem as JSON."""
    import sys

    from sstar_dspy.program import RoleLMs
    from sstar_dspy.runs.grading import grade
    from sstar_dspy.variants import load_variant

    variant, problems_file = sys.argv[1], Path(sys.argv[2])
    program = load_variant(variant, n=1, rounds=0, num_threads=1, lms=RoleLMs(generator=make_lm()))
    loaded = [Problem.model_validate_json(line) for line in problems_file.read_text().splitlines() if line.strip()]
    print(json.dumps({p.id: grade(p, program(problem=p).program).passed for p in loaded}))


LESSON_MARKER = "[one-line-read lesson]"
LESSON = (
    f"{LESSON_MARKER} Write a Python 3 program for the problem. Both integers are on ONE line: read them with "
    "a, b = map(int, input().split()) and print only the answer."
)


def make_reflection_lm() -> ScriptedLM:
    """A scripted reflection LM for GEPA: it always proposes an instruction that teaches the one-line read."""
    from dspy.teleprompt.gepa.instruction_proposal import ProposeInstruction

    return ScriptedLM({"propose": {"new_instruction": LESSON}}, signatures={"propose": ProposeInstruction})


class ProposalEngine:
    """A ``dspy.lm15`` engine for instruction-proposal LMs (MIPROv2's prompt model): it answers every requested
    output field with :data:`LESSON`, whatever the proposer's signature is."""

    def complete(self, request):
        from dspy.lm15 import Message, Response, Usage

        text = request.messages[-1].text or "" if request.messages else ""
        tail = text[text.rfind("Respond with") :] if "Respond with" in text else text
        fields = [f for f in re.findall(r"\[\[ ## (\w+) ## \]\]", tail) if f != "completed"]
        reply = "\n\n".join([*(f"[[ ## {f} ## ]]\n{LESSON}" for f in fields), "[[ ## completed ## ]]"])
        return Response(
            id=None,
            model=request.model,
            message=Message.assistant(reply),
            finish_reason="stop",
            usage=Usage(input_tokens=1, output_tokens=1),
        )

    def close(self) -> None:
        """Nothing to release."""


def make_proposal_lm():
    import dspy

    return dspy.LM("scripted/proposer", engine=ProposalEngine(), cache=False, num_retries=0)


if __name__ == "__main__":
    main()
