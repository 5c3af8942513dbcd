"""SStar in every prompt form, end to end through the real sandbox with scripted LMs."""

from __future__ import annotations

import pytest
from sstar_world import ADD_FUNCTIONAL, BAD_FN, GOOD, GOOD_FN, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy import presets
from sstar_dspy.adapters.forms import DEFAULT_FORM, CodePredict, PromptForm
from sstar_dspy.adapters.lcb_prompt import LCB_SYSTEM, lcb_user_prompt
from sstar_dspy.errors import SStarError
from sstar_dspy.program import SStar
from sstar_dspy.selection import FirstSelector
from sstar_dspy.testing import ScriptedLM

FORMS = ["chat", "code", "code-reasoning"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_solves_sum_with_the_same_script(form):
    lm = ScriptedLM(sum_script())
    pred = sstar(lm, prompt_form=form)(problem=SUM)
    assert pred.program == GOOD
    assert pred.trace.config.get("prompt_form", "chat") == form
    [debug_call] = lm.calls_for("debug")  # sample 0 (TWO_LINES, fenced by the script) was debugged
    assert debug_call.inputs["program"] == TWO_LINES
    assert "ValueError" in debug_call.inputs["feedback"]
    assert pred.candidates[0].rounds[1].reasoning.startswith("The input is on one line")


@pytest.mark.parametrize("form", ["code", "code-reasoning"])
def test_code_forms_send_a_plain_lcb_shaped_prompt(form):
    lm = ScriptedLM(sum_script(generate={"reasoning": "Split the line.", "code": GOOD}))
    sstar(lm, n=1, rounds=0, selector=FirstSelector(), prompt_form=form)(problem=SUM)
    [call] = lm.calls_for("generate")
    assert call.system.startswith(LCB_SYSTEM) and "[[ ##" not in call.system + call.user
    assert call.user.startswith(f"### Question:\n{SUM.statement}\n\n### Format: Read the inputs from stdin")
    assert len(call.demos) == 2 and "```python\nimport sys" in call.demos[0]  # format demos, as turns
    assert ("Split the line." in call.reply) is (form == "code-reasoning")
    assert call.reply.endswith(f"```python\n{GOOD}\n```")


def test_code_form_without_demos_is_exactly_livecodebench_prompt():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    sstar(lm, n=1, rounds=0, selector=FirstSelector(), prompt_form="code", format_demos=False)(problem=SUM)
    [call] = lm.calls_for("generate")
    assert call.system == LCB_SYSTEM
    assert call.user == lcb_user_prompt(SUM)
    assert [role for role, _ in call.messages] == ["user"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_solves_a_functional_problem(form):
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": BAD_FN}, 1: {"code": GOOD_FN}},
            generate_tests={"test_inputs": [{"input": [1, 1]}, {"input": [6, 2]}]},
            distinguish={"distinguishing_inputs": [{"input": "7\n3"}]},
        )
    )
    pred = sstar(lm, n=2, rounds=1, prompt_form=form)(problem=ADD_FUNCTIONAL)
    assert pred.program == GOOD_FN
    call = lm.calls_for("generate")[0]
    assert call.inputs["mode"] == "functional" and call.inputs["function_name"] == "add"
    if form != "chat":
        assert f"```python\n{ADD_FUNCTIONAL.starter_code}\n```" in call.user  # LiveCodeBench's starter block


@pytest.mark.parametrize("form", ["code", "code-reasoning"])
def test_a_reply_without_code_is_an_empty_sample_and_others_still_win(form):
    lm = ScriptedLM(sum_script(generate={0: "I am not sure how to solve this.", 1: {"code": GOOD}}))
    pred = sstar(lm, n=2, rounds=1, selector=FirstSelector(), prompt_form=form)(problem=SUM)
    assert pred.candidates[0].program == "" and pred.candidates[0].rounds[0].lm_error == "generate returned no code"
    assert pred.program == GOOD
    assert pred.trace.usage["generator"].failed == 0  # parsed fine: no JSON-fallback call, no failure


@pytest.mark.parametrize("form", ["code", "code-reasoning"])
def test_code_forms_read_unfenced_programs_and_keep_the_reasoning(form):
    reply = "Read both numbers from one line.\n```python\n" + SMALL_A_BUG + "\n```\nThen:\n```python\n" + GOOD + "\n```"
    lm = ScriptedLM(sum_script(generate={0: reply, 1: GOOD}))
    pred = sstar(lm, n=2, rounds=0, selector=FirstSelector(), prompt_form=form)(problem=SUM)
    assert [c.program for c in pred.candidates] == [GOOD, GOOD]  # last block; a bare program is a program


def test_a_debug_reply_without_code_keeps_the_last_program():
    lm = ScriptedLM(sum_script(generate={"code": SMALL_A_BUG + "\nprint(1)"}, debug="The code looks right to me."))
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector(), prompt_form="code")(problem=SUM)
    [cand] = pred.candidates
    assert cand.program == SMALL_A_BUG + "\nprint(1)" and len(cand.rounds) == 2
    assert cand.rounds[-1].lm_error == "debug returned no code"


def test_the_debug_prompt_shows_program_and_feedback_under_headings():
    lm = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    sstar(lm, n=1, rounds=1, selector=FirstSelector(), prompt_form="code")(problem=SUM)
    [call] = lm.calls_for("debug")
    assert f"### Your latest program:\n```python\n{TWO_LINES}\n```" in call.user
    assert "### Results of your latest program on the public tests:\nTest 1: FAILED (runtime error)" in call.user
    assert "### Earlier attempts" not in call.user  # empty history is left out
    assert call.user.index("### Question:") < call.user.index("### Your latest program") < call.user.index("### Format")
    assert len(call.demos) == 1 and "never calls it" in call.demos[0]


def test_forms_are_selectable_everywhere_and_checked():
    assert isinstance(SStar(prompt_form="code").generate, CodePredict)
    assert not isinstance(SStar(prompt_form="chat").generate, CodePredict)  # chat = the ChatAdapter form, unchanged
    assert SStar().prompt_form is DEFAULT_FORM and "prompt_form" not in SStar(prompt_form="chat").settings()
    assert presets.zero_shot(prompt_form="code-reasoning").prompt_form is PromptForm.CODE_REASONING
    assert presets.build("self-debug", prompt_form="code").settings()["prompt_form"] == "code"
    with pytest.raises(SStarError, match="unknown prompt form 'json'"):
        SStar(prompt_form="json")


def test_switching_the_form_keeps_predictor_lms_and_restores_that_form_s_demos():
    lm = ScriptedLM({})
    program = SStar(prompt_form="code")
    program.generate.lm = lm
    program.set_prompt_form("code-reasoning")
    assert program.generate.lm is lm and "reasoning" in program.generate.demos[0]
    program.set_prompt_form("chat")
    assert program.generate.lm is lm and type(program.generate).__name__ == "Predict"


def test_code_reasoning_keeps_the_generation_reasoning_in_the_trace_and_the_full_history():
    lm = ScriptedLM(
        sum_script(
            generate={"reasoning": "Two numbers, one per line.", "code": TWO_LINES},
            debug=[{"diagnosis": "still wrong", "code": "print(0)\nprint(7)"}, {"diagnosis": "fixed", "code": GOOD}],
        )
    )
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector(), prompt_form="code-reasoning")(problem=SUM)
    rounds = pred.candidates[0].rounds
    assert rounds[0].reasoning == "Two numbers, one per line." and pred.program == GOOD
    second = lm.calls_for("debug")[1]
    assert "[Round 0 reasoning]\nTwo numbers, one per line." in second.inputs["history"]
