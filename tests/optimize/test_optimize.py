"""Optimization pieces: tuned-predictor selection, splits, freezing, demo evidence, optimizer configuration, GEPA."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dspy
import pytest

from sstar_dspy.optimize import (
    FrozenModule,
    OptimizeError,
    OptimizerName,
    OptimizeSettings,
    build_optimizer,
    compile_program,
    freeze,
    resolve_tuned,
    split_problems,
    top_level_predictors,
    unfreeze,
)
from sstar_dspy.optimize.demo_filter import DemoFilteringMetric
from sstar_dspy.problem import Problem
from sstar_dspy.program import RoleLMs, SStar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import optimize_world  # noqa: E402

PREDICTORS = ["generate", "debug", "generate_tests", "distinguish", "judge"]


def _metric():
    from sstar_dspy.metric import execution_metric

    return execution_metric


def _examples(problems):
    return [dspy.Example(problem=p).with_inputs("problem") for p in problems]


# -- tuned predictors and splits ------------------------------------------------------------------------
def test_resolve_tuned_accepts_names_groups_commas_and_all():
    assert resolve_tuned(["generation"], PREDICTORS) == ["generate", "debug"]
    assert resolve_tuned(["judge,generate"], PREDICTORS) == ["generate", "judge"]
    assert resolve_tuned(["all"], PREDICTORS) == PREDICTORS
    with pytest.raises(OptimizeError, match="unknown predictor or group 'jugde'"):
        resolve_tuned(["jugde"], PREDICTORS)
    with pytest.raises(OptimizeError, match="selects no predictor"):
        resolve_tuned([","], PREDICTORS)


def test_split_is_disjoint_deterministic_and_checked():
    items = [f"p{i}" for i in range(10)]
    train, val = split_problems(items, train=0.4, val=3, seed=1)
    assert len(train) == 4 and len(val) == 3 and not set(train) & set(val)
    assert split_problems(items, train=0.4, val=3, seed=1) == (train, val)
    assert split_problems(items, train=0.4, val=3, seed=2) != (train, val)
    with pytest.raises(OptimizeError, match="exceed the 10 problems"):
        split_problems(items, train=8, val=5)
    with pytest.raises(OptimizeError, match="empty train split"):
        split_problems(items, train=0.01, val=2)


# -- freezing ---------------------------------------------------------------------------------------------
def test_freeze_hides_untuned_predictors_and_calls_still_pass_through():
    program = SStar(n=1, rounds=0)
    frozen = freeze(program, ["judge"])
    assert [name for name, _ in frozen.named_predictors()] == ["judge"]
    assert isinstance(frozen.generate, FrozenModule)
    assert frozen.generate.signature.instructions == program.generate.signature.instructions
    assert [name for name, _ in program.named_predictors()] == PREDICTORS  # the original is untouched
    copy = frozen.deepcopy()  # optimizers deep-copy the student
    assert isinstance(copy.generate, FrozenModule)
    unfreeze(copy)
    assert top_level_predictors(copy) == PREDICTORS


def test_tuning_one_predictor_never_changes_the_others():
    lm = optimize_world.make_lm()
    student = SStar(n=2, rounds=1, lms=RoleLMs(generator=lm), num_threads=1)
    before = {name: p.signature.instructions for name, p in student.named_predictors()}
    format_demos = list(student.generate.demos)
    assert format_demos  # the hand-written I/O demos (sstar_dspy.format_demos)
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:2]),
        OptimizeSettings(tune=["debug"], max_bootstrapped_demos=2),
        metric=_metric(),
        task_lm=lm,
    )
    assert compiled.generate.demos == format_demos  # frozen although its calls passed
    assert compiled.debug.demos == []  # tuned: the format demo is replaced, and the debugger only returned failing code
    assert {name: p.signature.instructions for name, p in compiled.named_predictors()} == before
    assert compiled.lms is student.lms  # role LMs survive the compile (applied at call time)


# -- demo evidence ---------------------------------------------------------------------------------------
def test_demo_filter_keeps_only_calls_the_hidden_tests_confirm():
    problem = Problem(id="x", statement="s")
    good, bad = "print('good')", "print('bad')"
    metric = DemoFilteringMetric(lambda ex, pred, trace=None: 1.0, grader=lambda p, code: "good" in code)
    gen, dbg, judge, dist, tests = (
        dspy.Predict(s)
        for s in (
            "problem -> code",
            "program, feedback -> diagnosis, code",
            "program_a, program_b -> verdict",
            "program_a, program_b -> distinguishing_inputs",
            "problem -> test_inputs",
        )
    )
    trace = [
        (gen, {"problem": "s"}, dspy.Prediction(code=bad)),
        (gen, {"problem": "s"}, dspy.Prediction(code=f"```python\n{good}\n```")),
        (dbg, {"program": bad, "feedback": "f"}, dspy.Prediction(diagnosis="d", code=bad)),
        (judge, {"program_a": good, "program_b": bad}, dspy.Prediction(verdict="A")),
        (judge, {"program_a": bad, "program_b": good}, dspy.Prediction(verdict="A")),
        (judge, {"program_a": bad, "program_b": bad}, dspy.Prediction(verdict="tie")),
        (dist, {"program_a": good, "program_b": bad}, dspy.Prediction(distinguishing_inputs=["1"])),
        (dist, {"program_a": bad, "program_b": bad}, dspy.Prediction(distinguishing_inputs=["1"])),
        (tests, {"problem": "s"}, dspy.Prediction(test_inputs=["1"])),
    ]
    assert metric(dspy.Example(problem=problem), dspy.Prediction(program=good), trace) == 1.0
    kept = [(step[0], dict(step[1]), dict(step[2])) for step in trace]
    assert [k[2].get("code") for k in kept if k[0] is gen] == [f"```python\n{good}\n```"]
    assert not [k for k in kept if k[0] is dbg]
    assert [(k[1]["program_a"], k[2]["verdict"]) for k in kept if k[0] is judge] == [(good, "A"), (bad, "tie")]
    assert len([k for k in kept if k[0] is dist]) == 1 and len([k for k in kept if k[0] is tests]) == 1
    assert metric.summary()["dropped"] == {"code": 2, "judge": 1, "distinguish": 1}


def test_failed_examples_leave_the_trace_alone_and_score_is_a_float():
    metric = DemoFilteringMetric(lambda ex, pred, trace=None: dspy.Prediction(score=0.0, feedback="no"))
    gen = dspy.Predict("problem -> code")
    trace = [(gen, {"problem": "s"}, dspy.Prediction(code="x"))]
    score = metric(dspy.Example(problem=Problem(id="x", statement="s")), dspy.Prediction(program="x"), trace)
    assert score == 0.0 and isinstance(score, float) and len(trace) == 1  # dspy.Prediction would be truthy


# -- optimizer configuration ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "kwargs", "message"),
    [
        (OptimizeSettings(optimizer=OptimizerName.GEPA, max_metric_calls=5), {}, "GEPA needs a reflection LM"),
        (OptimizeSettings(optimizer=OptimizerName.GEPA), {"reflection_lm": "lm"}, "exactly one budget"),
        (
            OptimizeSettings(optimizer=OptimizerName.GEPA, auto="light", max_metric_calls=3),
            {"reflection_lm": "lm"},
            "exactly one budget",
        ),
        (OptimizeSettings(optimizer=OptimizerName.MIPRO, auto="light", num_trials=4), {}, "either --auto or"),
        (OptimizeSettings(optimizer=OptimizerName.MIPRO, auto="light"), {}, "MIPROv2 needs a task LM"),
    ],
)
def test_bad_optimizer_settings_fail_with_one_line(settings, kwargs, message):
    with pytest.raises(OptimizeError, match=message) as err:
        build_optimizer(settings, lambda *a: 1.0, **kwargs)
    assert "\n" not in str(err.value)


def test_budget_knobs_reach_the_dspy_optimizers():
    gepa, _ = build_optimizer(
        OptimizeSettings(optimizer=OptimizerName.GEPA, max_metric_calls=7), lambda *a: 1.0, reflection_lm=dspy.LM("x/y")
    )
    assert isinstance(gepa, dspy.GEPA) and gepa.max_metric_calls == 7
    mipro, demo_metric = build_optimizer(
        OptimizeSettings(optimizer=OptimizerName.MIPRO, auto="medium"), lambda *a: 1.0, task_lm=dspy.LM("x/y")
    )
    assert isinstance(mipro, dspy.MIPROv2) and mipro.auto == "medium" and mipro.max_labeled_demos == 0
    assert isinstance(mipro.metric, DemoFilteringMetric) and mipro.metric is demo_metric
    boot, _ = build_optimizer(OptimizeSettings(max_bootstrapped_demos=2, max_rounds=3), lambda *a: 1.0)
    assert (boot.max_bootstrapped_demos, boot.max_rounds, boot.max_labeled_demos) == (2, 3, 0)
    assert boot.metric_threshold == 1.0


# -- GEPA end to end (offline) -----------------------------------------------------------------------------
@pytest.mark.slow
def test_gepa_rewrites_only_the_tuned_instruction_from_execution_feedback(tmp_path):
    lm = optimize_world.make_lm()
    student = SStar(n=1, rounds=0, lms=RoleLMs(generator=lm), num_threads=1)
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:3]),
        OptimizeSettings(optimizer=OptimizerName.GEPA, tune=["generate"], max_metric_calls=12),
        metric=_metric(),
        task_lm=lm,
        reflection_lm=optimize_world.make_reflection_lm(),
        log_dir=tmp_path,
    )
    assert compiled.generate.signature.instructions == optimize_world.LESSON
    assert compiled.judge.signature.instructions == student.judge.signature.instructions
    assert compiled.generate.demos == student.generate.demos  # GEPA tunes instructions only
    problem = optimize_world.problems()[4]
    from sstar_dspy.runs.grading import grade

    assert grade(problem, compiled(problem=problem).program).passed
    assert not grade(problem, student(problem=problem).program).passed
    events = [json.loads(line) for line in (tmp_path / "progress.jsonl").read_text().splitlines()]
    assert events and all("score" in e for e in events)
    assert "Iteration" in (tmp_path / "optimizer.log").read_text()


@pytest.mark.slow
def test_miprov2_picks_the_instruction_that_passes_and_leaves_frozen_predictors(tmp_path):
    lm = optimize_world.make_lm()
    student = SStar(n=1, rounds=0, lms=RoleLMs(generator=lm), num_threads=1)
    compiled = compile_program(
        student,
        _examples(optimize_world.problems()[:3]),
        OptimizeSettings(optimizer=OptimizerName.MIPRO, tune=["generate"], num_trials=3, max_bootstrapped_demos=1),
        metric=_metric(),
        task_lm=lm,
        prompt_lm=optimize_world.make_proposal_lm(),
        log_dir=tmp_path,
    )
    assert compiled.generate.signature.instructions == optimize_world.LESSON
    for name in ("debug", "generate_tests", "distinguish", "judge"):
        frozen, original = getattr(compiled, name), getattr(student, name)
        assert frozen.signature.instructions == original.signature.instructions and frozen.demos == original.demos
    assert (tmp_path / "mipro").is_dir() and "Trial" in (tmp_path / "optimizer.log").read_text()
