"""CodeAdapter: rendering (snapshots), parsing, DSPy integration (Predict, ChainOfThought, async, cache prefix)."""

from __future__ import annotations

import asyncio

import dspy
import pytest

from sstar_dspy.adapters.code import CodeAdapter, current_request
from sstar_dspy.adapters.forms import CodeDebug, CodeGenerate, CodeGenerateWithReasoning, CodePredict, code_predictors
from sstar_dspy.adapters.lcb_prompt import LCB_SYSTEM
from sstar_dspy.format_demos import debug_demos, generate_demos
from sstar_dspy.signatures import GenerateCode
from sstar_dspy.testing import ScriptedLM

STDIN = {"problem": "Read n and print 2n.", "mode": "stdin", "function_name": "", "starter_code": ""}
STARTER = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        "
FUNCTIONAL = {"problem": "Return a + b.", "mode": "functional", "function_name": "add", "starter_code": STARTER}
FORMAT_STDIN = (
    "### Format: Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test "
    "on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program "
    "runs, it reads the inputs, runs the algorithm and writes output to STDOUT.\n```python\n# YOUR CODE HERE\n```"
)
ANSWER = "### Answer: (use the provided format with backticks)\n\n"
ANSWER_REASONING = (
    "### Answer: (reason first, then give the complete program in the provided format with backticks)\n\n"
)


def _user(signature, inputs, demos=()):
    return CodeAdapter().format(signature, list(demos), inputs)[-1]["content"]


# -- rendering ----------------------------------------------------------------------------------------------
def test_stdin_request_snapshot():
    messages = CodeAdapter().format(CodeGenerate, [], STDIN)
    assert messages == [
        {"role": "system", "content": LCB_SYSTEM},
        {"role": "user", "content": f"### Question:\nRead n and print 2n.\n\n{FORMAT_STDIN}\n\n{ANSWER}"},
    ]


def test_functional_request_shows_the_starter_code_block():
    assert _user(CodeGenerate, FUNCTIONAL) == (
        "### Question:\nReturn a + b.\n\n### Format: You will use the following starter code to write the solution "
        f"to the problem and enclose your code within delimiters.\n```python\n{STARTER}\n```\n\n{ANSWER}"
    )


def test_functional_request_without_starter_code_names_the_function():
    text = _user(CodeGenerate, {**FUNCTIONAL, "starter_code": ""})
    assert "### Format: Write a Python function named `add`" in text and "must not read input or print" in text


def test_system_message_is_exactly_the_instruction_so_edits_reach_the_prompt():
    edited = CodeGenerate.with_instructions("Use fast I/O. Think about overflow.")
    assert CodeAdapter().format(edited, [], STDIN)[0] == {"role": "system", "content": edited.instructions}
    assert CodeAdapter().format(GenerateCode, [], STDIN)[0]["content"] == GenerateCode.instructions


def test_demos_are_earlier_turns_in_order_and_the_prefix_is_shared_across_calls():
    demos = generate_demos("code-reasoning")
    first = CodeAdapter().format(CodeGenerateWithReasoning, demos, STDIN)
    second = CodeAdapter().format(CodeGenerateWithReasoning, demos, FUNCTIONAL)
    assert [m["role"] for m in first] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert first[:-1] == second[:-1]  # system + demos byte-identical: a server's prompt cache reuses them
    assert (
        first[1]["content"].startswith("### Question:\nThe first line holds n") and FORMAT_STDIN in first[1]["content"]
    )
    assert first[1]["content"].endswith(ANSWER_REASONING)
    assert first[2]["content"].startswith("The input is n and then n integers")  # the demo's reasoning, then code
    assert first[2]["content"].endswith("print(max(values))\n\n\nmain()\n```")
    assert "starter code" in first[3]["content"] and "class Solution" in first[4]["content"]


def test_debug_request_shows_history_program_and_feedback_under_headings():
    inputs = {
        **STDIN,
        "history": "[Round 0 program]\nprint(1)",
        "program": "n = int(input())\nprint(n)",
        "feedback": "Test 1: FAILED (wrong answer)",
    }
    assert _user(CodeDebug, inputs) == (
        "### Question:\nRead n and print 2n.\n\n"
        "### Earlier attempts and their results:\n[Round 0 program]\nprint(1)\n\n"
        "### Your latest program:\n```python\nn = int(input())\nprint(n)\n```\n\n"
        "### Results of your latest program on the public tests:\nTest 1: FAILED (wrong answer)\n\n"
        f"{FORMAT_STDIN}\n\n{ANSWER_REASONING}"
    )
    [demo_user, demo_answer] = CodeAdapter().format_demos(CodeDebug, debug_demos())
    assert "### Your latest program:" in demo_user["content"] and "top level calls it" in demo_user["content"]
    assert demo_answer["content"].startswith("The program defines main() but never calls it")
    assert demo_answer["content"].endswith("main()\n```")


def test_demos_without_code_are_skipped_and_missing_reasoning_renders_code_only():
    demos = [dspy.Example(problem="p", code=""), dspy.Example(problem="q", mode="stdin", code="print(1)")]
    messages = CodeAdapter().format_demos(CodeGenerateWithReasoning, demos)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == "```python\nprint(1)\n```"


def test_signatures_without_a_code_field_are_refused():
    with pytest.raises(ValueError, match="needs a 'code' output field"):
        CodeAdapter().format(dspy.Signature("question -> answer"), [], {"question": "q"})


# -- parsing ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "code", "before"),
    [
        (
            "Idea.\n```python\na = 1\n```\nBetter:\n```python\nb = 2\n```\nDone.",
            "b = 2",
            "Idea.\n```python\na = 1\n```\nBetter:",
        ),
        ("n = int(input())\nprint(2 * n)", "n = int(input())\nprint(2 * n)", ""),
        ("I do not know how to solve this.", "", "I do not know how to solve this."),
        (
            "Read n, double it.\n\n```python\nprint(2 * int(input()))\n```",
            "print(2 * int(input()))",
            "Read n, double it.",
        ),
        ("Plan first.\n```python\nprint(1)\nprint(2", "print(1)\nprint(2", "Plan first."),  # cut by max_tokens
    ],
)
def test_parse_splits_reasoning_and_the_last_code_block(reply, code, before):
    assert CodeAdapter().parse(CodeGenerateWithReasoning, reply) == {"reasoning": before, "code": code}
    assert CodeAdapter().parse(CodeGenerate, reply) == {"code": code}
    assert CodeAdapter().parse(CodeDebug, reply) == {"diagnosis": before, "code": code}


def test_code_keeps_its_indentation():
    code = "def f(x):\n    if x < 3 and x & 1:\n        return '<&>'\n    return x\n\nprint(f(1))"
    assert CodeAdapter().parse(CodeGenerate, f"```python\n{code}\n```")["code"] == code


# -- DSPy integration ---------------------------------------------------------------------------------------
def test_predict_and_chain_of_thought_under_the_adapter_with_rollouts():
    replies = {1: "Double it.\n```python\nprint(2 * int(input()))\n```", 2: "```python\nprint(int(input()) * 2)\n```"}
    lm = ScriptedLM({"generate": replies})
    with dspy.context(adapter=CodeAdapter()):
        cot = dspy.ChainOfThought(CodeGenerate)(lm=lm, config={"rollout_id": 1}, **STDIN)
        plain = dspy.Predict(CodeGenerate)(lm=lm, config={"rollout_id": 2}, **STDIN)
    assert (cot.reasoning, cot.code) == ("Double it.", "print(2 * int(input()))")
    assert plain.code == "print(int(input()) * 2)"
    assert [c.rollout_id for c in lm.calls] == [1, 2] and lm.calls[0].system == LCB_SYSTEM
    assert current_request() is None  # only set while a CodeAdapter call is in flight


def test_code_predict_uses_the_adapter_only_for_itself_and_tracks_usage():
    lm = ScriptedLM({"generate": {"code": "print(1)"}, "judge": {"analysis": "same", "verdict": "tie"}})
    generate, _ = code_predictors("code")
    assert isinstance(generate, CodePredict)
    with dspy.context(track_usage=True), dspy.track_usage() as usage:
        assert generate(lm=lm, **STDIN).code == "print(1)"
    assert usage.get_total_tokens()[lm.model]["prompt_tokens"] > 0
    from sstar_dspy.signatures import JudgePair

    dspy.Predict(JudgePair)(lm=lm, problem="p", program_a="a", program_b="b", executions=[])
    assert "[[ ## verdict ## ]]" in lm.calls[-1].user  # other predictors keep the ChatAdapter


def test_async_calls_use_the_adapter_too(monkeypatch):
    seen = []

    async def fake_aforward(self, **kwargs):  # ScriptedLM has no async engine: record what Predict would use
        seen.append(dspy.settings.adapter)
        return dspy.Prediction(code="print(3)")

    monkeypatch.setattr(dspy.Predict, "aforward", fake_aforward)
    generate, _ = code_predictors("code-reasoning")
    assert asyncio.run(generate.acall(**STDIN)).code == "print(3)"
    assert isinstance(seen[0], CodeAdapter) and dspy.settings.adapter is None
