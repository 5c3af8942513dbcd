"""S* adaptive selection through the real sandbox: clusters, duels in both orders, caps, fallbacks."""

from __future__ import annotations

import dspy
from sstar_world import BIG_B_BUG, GOOD, GOOD_ALT, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy.budget import Budget
from sstar_dspy.selection import AdaptiveSelector, MajorityVoteSelector
from sstar_dspy.selection.duel import combine_verdicts
from sstar_dspy.testing import ScriptedLM

# three copies of a bug that passes the public test, then the correct program, then another bug
MAJORITY_WRONG = {
    0: {"code": SMALL_A_BUG},
    1: {"code": SMALL_A_BUG},
    2: {"code": SMALL_A_BUG},
    3: {"code": GOOD},
    4: {"code": BIG_B_BUG},
}
INPUTS = {"test_inputs": [{"input": "1 2"}, {"input": "4 4"}, {"input": "5 15"}]}


def distinct_constant(k: int) -> str:
    """Passes the public test (3 4 -> 7) and prints k otherwise: a behaviour of its own."""
    return f"a, b = map(int, input().split())\nprint(a + b if a == 3 else {k})"


def test_picks_the_correct_program_even_when_a_wrong_cluster_is_larger():
    lm = ScriptedLM(sum_script(generate=MAJORITY_WRONG, generate_tests=INPUTS))
    pred = sstar(lm, n=5, rounds=0)(problem=SUM)
    sel = pred.trace.selection

    assert [c.members for c in sel.clusters] == [[0, 1, 2], [3], [4]]
    assert sel.clusters[0].output_keys == ["2", "8", "20"]  # SMALL_A_BUG multiplies when a < 3
    assert pred.program == GOOD and sel.chosen == 3
    assert {(d.a, d.b) for d in sel.duels} == {(0, 3), (0, 4), (3, 4)}  # representatives only
    assert all(d.winner == 3 for d in sel.duels if 3 in (d.a, d.b))
    tie = next(d for d in sel.duels if {d.a, d.b} == {0, 4})
    assert tie.outcome == "tie"  # two wrong programs: both orders say tie
    assert sel.scores == {"0": 0.5, "3": 2.0, "4": 0.5}

    # the majority-vote baseline, on the same candidates, picks the larger wrong cluster
    lm2 = ScriptedLM(sum_script(generate=MAJORITY_WRONG, generate_tests=INPUTS))
    assert sstar(lm2, n=5, rounds=0, selector=MajorityVoteSelector())(problem=SUM).program == SMALL_A_BUG


def test_each_duel_asks_the_judge_in_both_orders_with_real_outputs():
    lm = ScriptedLM(sum_script(generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}}, generate_tests=INPUTS))
    pred = sstar(lm, n=2, rounds=0)(problem=SUM)
    [duel] = pred.trace.selection.duels
    first, second = lm.calls_for("judge")
    assert (first.inputs["program_a"], first.inputs["program_b"]) == (SMALL_A_BUG, GOOD)
    assert (second.inputs["program_a"], second.inputs["program_b"]) == (GOOD, SMALL_A_BUG)
    ex_first, ex_second = first.json("executions"), second.json("executions")
    assert [e["input"] for e in ex_first] == ["2 3\n", "1 1\n", "1 2\n"]  # synthesised, then separating generated
    assert ex_first[0]["output_a"].strip() == "6" and ex_first[0]["output_b"].strip() == "5"  # really executed
    assert [(e["output_a"], e["output_b"]) for e in ex_second] == [(e["output_b"], e["output_a"]) for e in ex_first]
    assert (duel.verdict_ab, duel.verdict_ba, duel.outcome) == ("B", "A", "b")
    assert duel.synthesized_inputs == 2 and duel.inputs[2:] == ["1 2\n"]  # the rest: a separating generated input
    assert duel.analysis_ab == duel.analysis_ba == "compared against my own computation"  # the judge's reasoning kept
    assert duel.winner == 1 and pred.program == GOOD
    distinguish = lm.calls_for("distinguish")[0]
    assert {distinguish.inputs["program_a"], distinguish.inputs["program_b"]} == {SMALL_A_BUG, GOOD}


def test_position_biased_verdicts_do_not_score_and_consensus_decides():
    always_a = {"analysis": "A looks right", "verdict": "A"}
    lm = ScriptedLM(sum_script(generate=MAJORITY_WRONG, generate_tests=INPUTS, judge=always_a))
    pred = sstar(lm, n=5, rounds=0)(problem=SUM)
    sel = pred.trace.selection
    assert {d.outcome for d in sel.duels} == {"inconsistent"}
    assert "no decisive duel, largest cluster" in sel.reason
    assert pred.program == SMALL_A_BUG  # the largest cluster (consensus fallback)


def test_equal_clusters_without_a_decisive_duel_prefer_the_one_that_does_not_crash():
    crashes_unless_public = "a, b = map(int, input().split())\nassert a == 3\nprint(a + b)"  # passes 3 4 -> 7
    always_a = {"analysis": "A looks right", "verdict": "A"}
    generate = {
        0: {"code": crashes_unless_public},
        1: {"code": crashes_unless_public},
        2: {"code": GOOD},
        3: {"code": GOOD},
    }
    lm = ScriptedLM(sum_script(generate=generate, generate_tests=INPUTS, judge=always_a))
    pred = sstar(lm, n=4, rounds=0)(problem=SUM)
    sel = pred.trace.selection
    assert [c.members for c in sel.clusters] == [[2, 3], [0, 1]]  # same size: the crashing cluster ranks second
    assert sel.clusters[1].output_keys == ["!runtime_error"] * 3
    assert {d.outcome for d in sel.duels} == {"inconsistent"}
    assert pred.program == GOOD and "no decisive duel, largest cluster" in sel.reason

    tie = {"analysis": "both fine", "verdict": "tie"}  # a tied duel: equal wins, the better-ranked cluster
    lm2 = ScriptedLM(sum_script(generate=generate, generate_tests=INPUTS, judge=tie))
    pred2 = sstar(lm2, n=4, rounds=0)(problem=SUM)
    assert {d.outcome for d in pred2.trace.selection.duels} == {"tie"} and pred2.program == GOOD


def test_combine_verdicts_truth_table():
    assert combine_verdicts("A", "B") == "a"
    assert combine_verdicts("B", "A") == "b"
    assert combine_verdicts("tie", "tie") == "tie"
    assert combine_verdicts("A", "A") == "inconsistent"
    assert combine_verdicts("A", "tie") == "inconsistent"
    assert combine_verdicts(None, "A") == "failed"


def test_duel_cap_bounds_the_number_of_duels_and_calls():
    generate = {k: {"code": distinct_constant(k)} for k in range(5)}
    lm = ScriptedLM(sum_script(generate=generate, generate_tests=INPUTS))
    pred = sstar(lm, n=5, rounds=0, selector=AdaptiveSelector(max_duels=2))(problem=SUM)
    sel = pred.trace.selection
    assert len(sel.clusters) == 5 and len(sel.duels) == 2 and sel.duel_cap_reached
    assert len(lm.calls_for("judge")) == 4 and len(lm.calls_for("distinguish")) == 2
    assert pred.trace.usage["judge"].calls == 4


def test_consensus_top_k_keeps_only_the_largest_clusters():
    generate = {
        0: {"code": GOOD},
        1: {"code": GOOD_ALT},
        2: {"code": SMALL_A_BUG},
        3: {"code": SMALL_A_BUG},
        4: {"code": BIG_B_BUG},
        5: {"code": distinct_constant(9)},
    }
    lm = ScriptedLM(sum_script(generate=generate, generate_tests=INPUTS))
    pred = sstar(lm, n=6, rounds=0, selector=AdaptiveSelector(top_k=2, max_duels=None))(problem=SUM)
    sel = pred.trace.selection
    assert len(sel.clusters) == 4
    assert [(d.a, d.b) for d in sel.duels] == [(0, 2)]  # only the two largest clusters duel
    assert pred.program == GOOD


def test_agreeing_candidates_need_no_duel():
    """Different programs that agree on every usable generated input: one probe call looks for an input
    that splits them; when they agree on that too, no duel is needed."""
    lm = ScriptedLM(sum_script(generate={0: {"code": GOOD}, 1: {"code": GOOD_ALT}}, generate_tests=INPUTS))
    pred = sstar(lm, n=2, rounds=0)(problem=SUM)
    sel = pred.trace.selection
    assert len(sel.clusters) == 1 and sel.duels == []
    assert "all agree on 3 usable generated inputs and 2 synthesized inputs" in sel.reason
    assert sel.inputs.probe and len(lm.calls_for("distinguish")) == 1
    assert lm.calls_for("judge") == [] and pred.program == GOOD


def test_nothing_passes_public_tests_falls_back_without_lm_calls():
    lm = ScriptedLM(sum_script(generate={"code": TWO_LINES}))
    pred = sstar(lm, n=2, rounds=0)(problem=SUM)
    assert "no candidate passes the public tests" in pred.trace.selection.reason
    assert pred.trace.selection.chosen == 0 and "test_generator" not in pred.trace.usage


def test_failed_test_generation_still_duels_distinct_programs():
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}}, generate_tests=RuntimeError("test generator down")
        )
    )
    pred = sstar(lm, n=2, rounds=0)(problem=SUM)
    sel = pred.trace.selection
    assert len(lm.calls_for("generate_tests")) == 2 and sel.inputs.regenerated == 1  # asked once more
    # the agreement probe's synthesised inputs separate the two programs; then they duel
    assert [t["source"] for t in sel.test_inputs] == ["synthesized", "synthesized"] and sel.inputs.probe
    assert len(sel.clusters) == 2 and len(sel.duels) == 1
    assert "test generation failed" in sel.reason
    assert pred.program == GOOD


def test_budget_exhausted_during_duels_ends_selection_gracefully():
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}, 2: {"code": SMALL_A_BUG}}, generate_tests=INPUTS
        )
    )
    # 3 generations + 1 test generation + 1 distinguishing call; the judge calls are refused
    pred = sstar(lm, n=3, rounds=0, budget=Budget(max_lm_calls=5))(problem=SUM)
    sel = pred.trace.selection
    assert pred.trace.budget_stop == "LM-call budget exhausted (5/5 calls)"
    assert [d.outcome for d in sel.duels] == ["failed"]
    assert pred.program == SMALL_A_BUG  # best so far: the largest cluster
    assert len(lm.calls) == 5


def test_failed_judge_call_marks_the_duel_failed():
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}},
            generate_tests=INPUTS,
            judge=RuntimeError("judge timed out"),
        )
    )
    with dspy.context(adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
        pred = sstar(lm, n=2, rounds=0)(problem=SUM)
    [duel] = pred.trace.selection.duels
    assert duel.outcome == "failed" and duel.verdict_ab is None and duel.analysis_ab is None
    assert "judge timed out" in duel.error  # the cause, not just "failed"
    assert any("judge call failed" in e for e in pred.trace.errors)


def test_equivalent_programs_tie_without_asking_the_judge():
    """No generated inputs and no probe: distinct programs start as separate clusters, but when both print
    the same on every distinguishing input the duel is a tie and costs no judge call."""
    lm = ScriptedLM(sum_script(generate={0: {"code": GOOD}, 1: {"code": GOOD_ALT}}, generate_tests={"test_inputs": []}))
    pred = sstar(lm, n=2, rounds=0, selector=AdaptiveSelector(probe_agreement=False))(problem=SUM)
    sel = pred.trace.selection
    [duel] = sel.duels
    assert len(sel.clusters) == 2
    assert duel.outcome == "tie" and duel.judged is False
    assert duel.inputs == ["2 3\n", "1 1\n"] and [r.actual.strip() for r in duel.results_b] == ["5", "2"]
    assert lm.calls_for("judge") == []
    assert pred.program in (GOOD, GOOD_ALT)
