"""SStar end to end through the real sandbox, with scripted LMs."""

from __future__ import annotations

import json

import dspy
import pytest
from sstar_world import (
    ADD_FUNCTIONAL,
    BAD_FN,
    GOOD,
    GOOD_FN,
    SMALL_A_BUG,
    SUM,
    TWO_LINES,
    sstar,
    sum_script,
)

from sstar_dspy.budget import Budget
from sstar_dspy.candidate import Candidate
from sstar_dspy.errors import SStarError
from sstar_dspy.problem import TestCase
from sstar_dspy.program import RoleLMs, SStar
from sstar_dspy.selection import FirstSelector
from sstar_dspy.testing import ScriptedLM
from sstar_dspy.trace import SolveTrace


def test_solves_sum_end_to_end_and_picks_the_correct_program():
    lm = ScriptedLM(sum_script())
    pred = sstar(lm)(problem=SUM)

    assert pred.program == GOOD
    assert [c.index for c in pred.candidates] == [0, 1, 2, 3]
    assert pred.trace.chosen in (0, 2)  # sample 0 was debugged into GOOD; sample 2 was GOOD from the start
    assert pred.trace.selection.selector == "adaptive"
    assert pred.trace.wall_s.keys() >= {"generation", "selection", "total"}


def test_each_sample_has_its_own_rollout_and_reruns_replay_from_cache():
    lm = ScriptedLM(sum_script())
    program = sstar(lm, rounds=0, selector=FirstSelector())
    first = program(problem=SUM)

    generate_calls = lm.calls_for("generate")
    assert sorted(c.rollout_id for c in generate_calls) == [0, 1, 2, 3]  # four distinct samples reached the LM
    assert [c.rollout_id for c in first.candidates] == [0, 1, 2, 3]
    assert len({c.program for c in first.candidates}) == 3  # diverse: TWO_LINES, SMALL_A_BUG, GOOD

    again = program(problem=SUM)
    assert len(lm.calls_for("generate")) == 4  # same seed: every sample replayed from DSPy's cache
    assert [c.program for c in again.candidates] == [c.program for c in first.candidates]
    assert again.trace.usage["generator"].cached == 4


def test_another_seed_draws_new_rollouts():
    lm = ScriptedLM(sum_script(generate=lambda call: {"code": f"print({call.rollout_id})"}))
    pred = sstar(lm, n=2, rounds=0, selector=FirstSelector(), seed=3)(problem=SUM)
    assert sorted(c.rollout_id for c in lm.calls_for("generate")) == [30000, 30001]
    assert {c.program for c in pred.candidates} == {"print(30000)", "print(30001)"}


def test_debugging_turns_a_failing_sample_into_a_passing_one_with_execution_feedback():
    lm = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector())(problem=SUM)

    [cand] = pred.candidates
    assert [r.round for r in cand.rounds] == [0, 1]  # early stop after the fix
    assert not cand.rounds[0].passes_public and cand.rounds[1].passes_public
    assert cand.rounds[0].public_results[0].status.value == "runtime_error"
    assert cand.rounds[1].reasoning.startswith("The input is on one line")
    assert pred.program == GOOD
    [debug_call] = lm.calls_for("debug")
    feedback = debug_call.inputs["feedback"]
    assert "3 4" in feedback and "expected output" in feedback and "7" in feedback
    assert "ValueError" in feedback  # error tail of int("3 4")
    assert debug_call.inputs["program"] == TWO_LINES


def test_wrong_answer_feedback_shows_expected_and_actual():
    lm = ScriptedLM(sum_script(generate={"code": "a, b = map(int, input().split())\nprint(a - b)"}))
    sstar(lm, n=1, rounds=1, selector=FirstSelector())(problem=SUM)
    feedback = lm.calls_for("debug")[0].inputs["feedback"]
    assert "FAILED (wrong answer)" in feedback
    assert "expected output:\n7" in feedback and "actual output:\n-1" in feedback


def test_passing_samples_are_not_debugged():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    pred = sstar(lm, n=2, rounds=3, selector=FirstSelector())(problem=SUM)
    assert lm.calls_for("debug") == []
    assert all(len(c.rounds) == 1 for c in pred.candidates)


@pytest.mark.parametrize(
    "bad_reply", ["I think the code is fine, no fields here.", RuntimeError("model server went away")]
)
def test_a_failed_debug_call_keeps_the_last_good_program(bad_reply):
    lm = ScriptedLM(sum_script(generate={"code": SMALL_A_BUG + "\nprint(1)"}, debug=bad_reply))
    with dspy.context(adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
        pred = sstar(lm, n=1, rounds=2, selector=FirstSelector(), prompt_form="chat")(problem=SUM)
    [cand] = pred.candidates
    assert cand.program == SMALL_A_BUG + "\nprint(1)"  # not wiped (the reference implementation wiped it)
    assert cand.rounds[-1].lm_error and "debug call failed" in cand.rounds[-1].lm_error
    assert len(cand.rounds) == 2  # stopped after the failure instead of replaying it
    assert pred.program == cand.program
    assert pred.trace.usage["debugger"].failed == 1
    assert any("debug call failed" in e for e in pred.trace.errors)


def test_an_unparsable_generation_leaves_an_empty_candidate_and_others_still_win():
    lm = ScriptedLM(sum_script(generate={0: "no fields at all", 1: {"code": GOOD}}))
    pred = sstar(lm, n=2, rounds=1, selector=FirstSelector())(problem=SUM)
    assert pred.candidates[0].program == "" and pred.candidates[0].rounds[0].lm_error
    assert pred.program == GOOD


@pytest.mark.parametrize("context", ["full", "last"])
def test_context_modes_control_the_debug_history(context):
    lm = ScriptedLM(
        sum_script(
            generate={"code": TWO_LINES},
            debug=[
                {"diagnosis": "first try", "code": "print(7 if input() else 0)\nprint(1)"},
                {"diagnosis": "second try", "code": GOOD},
            ],
        )
    )
    pred = sstar(lm, n=1, rounds=2, context=context, selector=FirstSelector())(problem=SUM)
    assert pred.program == GOOD
    first, second = lm.calls_for("debug")
    assert first.inputs["history"] == ""
    assert second.inputs["program"].startswith("print(7 if input()")
    if context == "full":
        assert "[Round 0 program]" in second.inputs["history"] and TWO_LINES in second.inputs["history"]
    else:
        assert second.inputs["history"] == ""


def test_role_lms_route_each_predictor_to_its_own_lm():
    script = sum_script()
    lms = {role: ScriptedLM(script) for role in ("generator", "debugger", "test_generator", "judge")}
    pred = SStar(n=4, rounds=1, lms=RoleLMs(**lms))(problem=SUM)

    assert {c.signature for c in lms["generator"].calls} == {"generate"}
    assert {c.signature for c in lms["debugger"].calls} == {"debug"}
    assert {c.signature for c in lms["test_generator"].calls} == {"generate_tests", "distinguish"}
    assert {c.signature for c in lms["judge"].calls} == {"judge"}
    usage = pred.trace.usage
    assert usage["generator"].calls == 4 and usage["debugger"].calls == 1
    assert usage["judge"].calls == 2 * len(pred.trace.selection.duels)
    assert all(u.prompt_tokens > 0 and u.completion_tokens > 0 for u in usage.values())


def test_default_lm_comes_from_dspy_settings():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    with dspy.context(lm=lm):
        pred = SStar(n=1, rounds=0, selector=FirstSelector())(problem=SUM)
    assert pred.program == GOOD and len(lm.calls) == 1


def test_no_lm_is_one_clear_error():
    with dspy.context(lm=None), pytest.raises(SStarError, match="no LM configured"):
        SStar(n=1)(problem=SUM)


def test_bad_problem_type_is_one_clear_error():
    with pytest.raises(SStarError, match="must be a sstar_dspy.Problem.*problem_from_text"):
        sstar(ScriptedLM({}))(problem="print a+b")


def test_call_budget_ends_stage_one_gracefully_with_the_best_so_far():
    lm = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    pred = sstar(lm, n=2, rounds=3, budget=Budget(max_lm_calls=3), num_threads=1)(problem=SUM)

    assert pred.trace.lm_calls == 3
    assert pred.trace.budget_stop == "LM-call budget exhausted (3/3 calls)"
    assert pred.program == GOOD  # one sample was debugged before the budget ran out
    stopped = [r for c in pred.candidates for r in c.rounds if r.lm_error and r.lm_error.startswith("budget")]
    assert stopped  # the stop is recorded where it happened
    assert len(lm.calls) == 3


def test_token_budget_stops_the_solve_with_the_best_so_far():
    lm = ScriptedLM(sum_script(generate={0: {"code": GOOD}, 1: {"code": SMALL_A_BUG}}))
    # sequential, so the overshoot is exactly one call (concurrent calls in flight may each overshoot)
    pred = sstar(lm, n=2, rounds=0, budget=Budget(max_tokens=1), num_threads=1)(problem=SUM)
    assert pred.trace.budget_stop.startswith("token budget exhausted")
    assert len(lm.calls) == 1  # the first call overshoots; nothing else is sent
    assert pred.program == GOOD  # best so far: the only candidate, chosen without any selection call
    assert pred.trace.usage["generator"].calls == 1
    assert pred.candidates[1].rounds[0].lm_error.startswith("budget: token budget exhausted")


def test_functional_problem_with_starter_code():
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": BAD_FN}, 1: {"code": GOOD_FN}},
            generate_tests={"test_inputs": [{"input": [1, 1]}, {"input": [6, 2]}]},  # JSON args, one per line
            distinguish={"distinguishing_inputs": [{"input": "7\n3"}]},
        )
    )
    pred = sstar(lm, n=2, rounds=1)(problem=ADD_FUNCTIONAL)
    call = lm.calls_for("generate")[0]
    assert call.inputs["mode"] == "functional" and call.inputs["function_name"] == "add"
    assert "class Solution" in call.inputs["starter_code"]
    assert pred.program == GOOD_FN
    [duel] = pred.trace.selection.duels
    assert duel.inputs == ["7\n3\n", "6\n2\n"]  # synthesised + the separating generated input
    assert [r.actual.strip() for r in duel.results_a] == ["21", "12"]  # BAD_FN multiplies when a >= 5


def test_trace_is_self_contained_json():
    lm = ScriptedLM(sum_script())
    pred = sstar(lm)(problem=SUM)
    data = json.loads(json.dumps(pred.trace.model_dump(mode="json")))
    restored = SolveTrace.model_validate(data)
    assert restored == pred.trace
    assert data["config"]["n"] == 4 and data["config"]["selector"]["class"] == "AdaptiveSelector"
    assert data["candidates"][0]["rounds"][0]["public_results"][0]["input"] == "3 4\n"
    assert "duel" in pred.trace.summary()


def test_stage_split_generate_then_select_also_for_external_candidates():
    lm = ScriptedLM(sum_script())
    program = sstar(lm)
    candidates, trace = program.generate_candidates(SUM)
    assert trace.selection is None and len(candidates) == 4

    external = [
        Candidate(index=0, program=SMALL_A_BUG, source="other"),
        Candidate(index=1, program=GOOD, source="other"),
    ]
    pred = program.select(SUM, external)
    assert all(c.rounds and c.rounds[0].public_results for c in pred.candidates)  # public tests were run
    assert pred.program == GOOD


def test_settings_and_call_estimate():
    program = SStar(n=4, rounds=2)
    assert program.estimate_calls() == {"generator": 4, "debugger": 8, "test_generator": 1 + 1 + 1 + 6, "judge": 12}
    json.dumps(program.settings())


TWO_PUBLIC = SUM.model_copy(
    update={"public_tests": [TestCase(input="3 4\n", output="7\n"), TestCase(input="1 2\n", output="3\n")]}
)


@pytest.mark.parametrize(
    ("worse", "why"),
    [
        ("print(a + b) is incorrect. It should be print(int(a) + int(b)).", "does not compile"),
        ("print(0)", "passes 0/2 public tests, the previous one 1"),
    ],
)
def test_a_debug_answer_worse_than_its_input_is_rejected(worse, why):
    lm = ScriptedLM(sum_script(generate={"code": SMALL_A_BUG}, debug={"diagnosis": "try this", "code": worse}))
    pred = sstar(lm, n=1, rounds=2, selector=FirstSelector())(problem=TWO_PUBLIC)
    [cand] = pred.candidates
    assert cand.program == SMALL_A_BUG and cand.rounds[-1].program == SMALL_A_BUG
    assert cand.rounds[-1].public_passed == 1
    assert why in cand.rounds[-1].lm_error and "rejected" in cand.rounds[-1].lm_error
    assert len(lm.calls_for("debug")) == 1


def test_a_program_that_prints_nothing_gets_a_hint():
    lm = ScriptedLM(sum_script(generate={"code": "def add(a, b):\n    return a + b"}))
    pred = sstar(lm, n=1, rounds=1, selector=FirstSelector())(problem=SUM)
    assert "the program printed nothing" in lm.calls_for("debug")[0].inputs["feedback"]
    assert pred.program == GOOD
