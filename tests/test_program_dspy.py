"""SStar as an ordinary DSPy module: Evaluate, save/load, optimizer copies, rendered prompts."""

from __future__ import annotations

import json

import dspy
from sstar_world import GOOD, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy.metric import execution_metric, to_examples
from sstar_dspy.program import SStar
from sstar_dspy.signatures import SIGNATURES
from sstar_dspy.testing import ScriptedLM

PREDICTORS = ["generate", "debug", "generate_tests", "distinguish", "judge"]


def test_all_five_predictors_are_discoverable_parameters():
    program = SStar(n=2, prompt_form="chat")
    assert [name for name, _ in program.named_predictors()] == PREDICTORS
    for name, predictor in program.named_predictors():
        assert predictor.signature.instructions == SIGNATURES[name].instructions


def test_works_with_dspy_evaluate():
    lm = ScriptedLM(sum_script())
    problems = [SUM, SUM.model_copy(update={"id": "sum-2"})]
    evaluate = dspy.Evaluate(devset=to_examples(problems), metric=execution_metric, num_threads=2)
    result = evaluate(sstar(lm))
    assert result.score == 100.0
    assert all(pred.program == GOOD for _, pred, _ in result.results)


def test_evaluate_reports_a_wrong_chosen_program():
    lm = ScriptedLM(sum_script(generate={"code": SMALL_A_BUG}))
    evaluate = dspy.Evaluate(devset=to_examples([SUM]), metric=execution_metric, num_threads=1)
    result = evaluate(sstar(lm, n=1, rounds=0))
    assert result.score == 0.0


def test_save_and_load_round_trip_keeps_optimized_instructions_and_demos(tmp_path):
    program = SStar(n=2, prompt_form="chat")
    program.judge.signature = program.judge.signature.with_instructions("Prefer the program that is correct.")
    program.generate.demos = [dspy.Example(problem="p", mode="stdin", function_name="", starter_code="", code=GOOD)]
    path = tmp_path / "sstar.json"
    program.save(str(path))

    state = json.loads(path.read_text())
    assert set(PREDICTORS) <= set(state)
    assert all(state[name]["lm"] is None for name in PREDICTORS)  # LMs are injected at runtime, not saved

    loaded = SStar(n=2, prompt_form="chat")
    loaded.load(str(path))
    assert loaded.judge.signature.instructions == "Prefer the program that is correct."
    assert loaded.generate.demos[0]["code"] == GOOD
    assert loaded.debug.signature.instructions == SIGNATURES["debug"].instructions


def test_loaded_program_solves_with_demos_in_the_prompt(tmp_path):
    program = SStar(n=1, rounds=0)
    program.generate.demos = [
        dspy.Example(problem="demo problem", mode="stdin", function_name="", starter_code="", code="print('demo')")
    ]
    path = tmp_path / "p.json"
    program.save(str(path))
    loaded = sstar(ScriptedLM(sum_script(generate={"code": GOOD})), n=1, rounds=0)
    loaded.load(str(path))
    lm = loaded.lms.generator
    assert loaded(problem=SUM).program == GOOD
    [call] = lm.calls_for("generate")
    assert "print('demo')" in call.demos[0]


def test_optimizer_copies_keep_role_lm_routing():
    lm = ScriptedLM(sum_script())
    program = sstar(lm, rounds=1)
    copy = program.reset_copy()  # what BootstrapFewShot/MIPROv2 do; predictor.lm is wiped
    assert all(p.lm is None for _, p in copy.named_predictors())
    with dspy.context(lm=None):
        assert copy(problem=SUM).program == GOOD
    assert copy.lms is program.lms


def test_instructions_reach_the_rendered_prompts_of_every_predictor():
    lm = ScriptedLM(
        sum_script(generate={0: {"code": TWO_LINES}, 1: {"code": SMALL_A_BUG}, 2: {"code": GOOD}, 3: {"code": GOOD}})
    )
    sstar(lm, rounds=1, prompt_form="chat")(problem=SUM)
    seen = {call.signature for call in lm.calls}
    assert seen == set(PREDICTORS)
    for call in lm.calls:
        first_line = SIGNATURES[call.signature].instructions.splitlines()[0]
        assert first_line in call.system, call.signature


def test_optimized_instructions_are_what_the_lm_sees():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    program = sstar(lm, n=1, rounds=0)
    program.generate.signature = program.generate.signature.with_instructions("ZZZ write the code ZZZ")
    program(problem=SUM)
    assert "ZZZ write the code ZZZ" in lm.calls_for("generate")[0].system


def test_bootstrap_trace_records_every_predictor_call():
    lm = ScriptedLM(sum_script())
    with dspy.context(trace=[]):
        sstar(lm, rounds=1, prompt_form="chat")(problem=SUM)
        names = {
            type(pred.signature).__name__ if not isinstance(pred.signature, type) else pred.signature.__name__
            for pred, _, _ in dspy.settings.trace
        }
        calls = len(dspy.settings.trace)
    assert names == {"GenerateCode", "DebugCode", "GenerateTestInputs", "DistinguishPrograms", "JudgePair"}
    assert calls == len(lm.calls)  # calls from worker threads are traced too
