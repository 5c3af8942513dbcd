"""Per-round cost in the trace: every round's LM tokens and seconds, and its public-test run time."""

from __future__ import annotations

import dspy
from sstar_world import GOOD, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy.budget import Budget
from sstar_dspy.candidate import DebugRound
from sstar_dspy.selection import FirstSelector
from sstar_dspy.testing import ScriptedCall, ScriptedLM
from sstar_dspy.trace import SolveTrace


def scripted_tokens(call: ScriptedCall) -> tuple[int, int]:
    """The usage ScriptedEngine reports for a call (prompt chars / 4, reply chars / 4, at least 1 each)."""
    prompt_chars = len(call.system) + sum(len(text) for _, text in call.messages)
    return max(1, prompt_chars // 4), max(1, len(call.reply) // 4)


def role_sums(trace: SolveTrace) -> dict[str, tuple[int, int]]:
    sums = {"generator": [0, 0], "debugger": [0, 0]}
    for cand in trace.candidates:
        for r in cand.rounds:
            entry = sums["generator" if r.round == 0 else "debugger"]
            entry[0] += r.cost.prompt_tokens
            entry[1] += r.cost.completion_tokens
    return {role: tuple(v) for role, v in sums.items()}


def test_every_round_records_its_lm_usage_and_the_rounds_sum_to_the_role_totals():
    lm = ScriptedLM(sum_script(generate={0: {"code": TWO_LINES}, 1: {"code": GOOD}}))
    pred = sstar(lm, n=2, rounds=2, selector=FirstSelector())(problem=SUM)
    debugged, passing = pred.candidates
    assert [r.round for r in debugged.rounds] == [0, 1] and [r.round for r in passing.rounds] == [0]

    [debug_call] = lm.calls_for("debug")
    fixed = debugged.rounds[1].cost
    assert (fixed.prompt_tokens, fixed.completion_tokens) == scripted_tokens(debug_call)
    for r in (*debugged.rounds, passing.rounds[0]):
        assert r.cost.prompt_tokens > 0 and r.cost.completion_tokens > 0
        assert r.cost.lm_wall_s > 0 and r.cost.sandbox_wall_s > 0  # every round ran its code on the public test

    usage = pred.trace.usage
    sums = role_sums(pred.trace)
    assert sums["generator"] == (usage["generator"].prompt_tokens, usage["generator"].completion_tokens)
    assert sums["debugger"] == (usage["debugger"].prompt_tokens, usage["debugger"].completion_tokens)


def test_a_failed_or_rejected_debug_answer_still_shows_what_it_cost():
    prose = "print(a + b) is incorrect. It should be print(int(a) + int(b))."  # does not compile: rejected
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG + "\nprint(1)"}, 1: {"code": TWO_LINES}},
            debug=lambda call: "no fields here" if call.rollout_id == 0 else {"diagnosis": "try", "code": prose},
        )
    )
    with dspy.context(adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
        pred = sstar(lm, n=2, rounds=2, selector=FirstSelector(), prompt_form="chat")(problem=SUM)
    unparsable, rejected = (c.rounds[1] for c in pred.candidates)
    assert "debug call failed" in unparsable.lm_error and "rejected" in rejected.lm_error
    assert unparsable.cost.total_tokens > 0 and unparsable.cost.sandbox_wall_s == 0  # nothing new to run
    assert rejected.cost.total_tokens > 0 and rejected.cost.sandbox_wall_s > 0  # the rejected code did run
    usage = pred.trace.usage["debugger"]
    assert usage.failed == 1
    assert role_sums(pred.trace)["debugger"] == (usage.prompt_tokens, usage.completion_tokens)


def test_a_cache_replay_and_a_budget_refusal_cost_no_tokens():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    program = sstar(lm, n=1, rounds=0, selector=FirstSelector())
    program(problem=SUM)
    [replayed] = program(problem=SUM).candidates
    assert replayed.rounds[0].cost.total_tokens == 0 and replayed.rounds[0].cost.sandbox_wall_s > 0

    lm2 = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    pred = sstar(lm2, n=1, rounds=2, selector=FirstSelector(), budget=Budget(max_lm_calls=1))(problem=SUM)
    refused = pred.candidates[0].rounds[1]
    assert refused.lm_error.startswith("budget") and refused.cost.total_tokens == 0 and refused.cost.lm_wall_s == 0


def test_summary_shows_each_rounds_cost_on_the_candidates_line():
    lm = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    pred = sstar(lm, n=1, rounds=1, selector=FirstSelector())(problem=SUM)
    r0, r1 = pred.candidates[0].rounds
    [line] = [line for line in pred.trace.summary().splitlines() if line.startswith("  #0")]
    assert f"r0:0/1 ({r0.cost.total_tokens} tok, lm {r0.cost.lm_wall_s:.2f}s, run " in line
    assert f"-> r1:1/1 ({r1.cost.total_tokens} tok, lm " in line


def test_traces_written_before_round_costs_still_load():
    lm = ScriptedLM(sum_script(generate={"code": GOOD}))
    data = sstar(lm, n=1, rounds=0, selector=FirstSelector())(problem=SUM).trace.model_dump(mode="json")
    for cand in data["candidates"]:
        for r in cand["rounds"]:
            del r["cost"]
    old = SolveTrace.model_validate(data)
    assert old.candidates[0].rounds[0].cost is None
    assert "  #0 (rollout 0): r0:1/1" in old.summary().splitlines()  # no cost shown when none was recorded
    assert DebugRound(round=0, program="x").cost is None
