"""Optimizers in the code forms: GEPA's instruction edits and BootstrapFewShot's demos reach the CodeAdapter prompt."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dspy
import pytest

from sstar_dspy.adapters.forms import CodePredict
from sstar_dspy.metric import execution_metric
from sstar_dspy.optimize import OptimizerName, OptimizeSettings, compile_program
from sstar_dspy.program import RoleLMs, SStar
from sstar_dspy.runs.grading import grade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "optimize"))

import optimize_world  # noqa: E402


def _examples(problems):
    return [dspy.Example(problem=p).with_inputs("problem") for p in problems]


def test_gepa_rewrites_the_code_form_instruction_and_the_system_prompt_follows(tmp_path):
    lm = optimize_world.make_lm()
    student = SStar(n=1, rounds=0, lms=RoleLMs(generator=lm), num_threads=1, prompt_form="code")
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:3]),
        OptimizeSettings(optimizer=OptimizerName.GEPA, tune=["generate"], max_metric_calls=12),
        metric=execution_metric,
        task_lm=lm,
        reflection_lm=optimize_world.make_reflection_lm(),
        log_dir=tmp_path,
    )
    assert isinstance(compiled.generate, CodePredict)  # still the code form after compile
    assert compiled.generate.signature.instructions == optimize_world.LESSON
    problem = optimize_world.problems()[4]
    before = len(lm.calls)
    assert grade(problem, compiled(problem=problem).program).passed
    call = lm.calls_for("generate")[-1]
    assert len(lm.calls) > before and call.system == optimize_world.LESSON  # the edit IS the system prompt
    assert call.user.startswith("### Question:")


def test_bootstrapped_demos_render_as_turns_in_the_code_reasoning_form():
    lm = optimize_world.make_lm()
    student = SStar(n=2, rounds=0, lms=RoleLMs(generator=lm), num_threads=1, prompt_form="code-reasoning")
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:2]),
        OptimizeSettings(tune=["generate"], max_bootstrapped_demos=1),
        metric=execution_metric,
        task_lm=lm,
    )
    [demo] = compiled.generate.demos  # the format demos were replaced by one harvested call
    assert "input().split()" in demo["code"] and "[op=" in demo["problem"] and "reasoning" in demo
    problem = optimize_world.problems()[3]
    compiled(problem=problem)
    call = lm.calls_for("generate")[-1]
    assert len(call.demos) == 1 and call.demos[0].endswith(f"```python\n{demo['code']}\n```")
    demo_user = [text for role, text in call.messages if role == "user"][0]
    assert demo_user.startswith(f"### Question:\n{demo['problem']}")


def test_optimizing_from_a_code_form_variant_saves_that_form(tmp_path):
    from sstar_dspy.optimize.run import run_optimization
    from sstar_dspy.variants import load_variant

    lm = optimize_world.make_lm()
    report = run_optimization(
        optimize_world.problems()[:4],
        name=tmp_path / "tuned.json",
        settings=OptimizeSettings(tune=["generate"], max_bootstrapped_demos=1),
        build_program=lambda n, rounds: SStar(n=n, rounds=rounds, lms=RoleLMs(generator=lm), num_threads=1),
        run_dir=tmp_path / "run",
        start_from="form-code",
        evaluate=False,
    )
    assert json.loads(Path(report.variant_path).read_text())["sstar_dspy"]["prompt_form"] == "code"
    assert isinstance(load_variant(report.variant_path).generate, CodePredict)


@pytest.mark.slow
def test_miprov2_tunes_the_code_form_instruction():
    lm = optimize_world.make_lm()
    student = SStar(n=1, rounds=0, lms=RoleLMs(generator=lm), num_threads=1, prompt_form="code-reasoning")
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:3]),
        OptimizeSettings(optimizer=OptimizerName.MIPRO, tune=["generate"], num_trials=3, max_bootstrapped_demos=1),
        metric=execution_metric,
        task_lm=lm,
        prompt_lm=optimize_world.make_proposal_lm(),
    )
    assert isinstance(compiled.generate, CodePredict)
    assert compiled.generate.signature.instructions == optimize_world.LESSON
    compiled(problem=optimize_world.problems()[4])
    assert lm.calls_for("generate")[-1].system == optimize_world.LESSON
