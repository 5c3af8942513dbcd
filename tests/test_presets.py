"""Presets reproducing the paper's columns."""

from __future__ import annotations

import pytest
from sstar_world import GOOD, SMALL_A_BUG, SUM, TWO_LINES, sum_script

from sstar_dspy import presets
from sstar_dspy.budget import Budget
from sstar_dspy.errors import SStarError
from sstar_dspy.program import RoleLMs
from sstar_dspy.selection import AdaptiveSelector, FirstSelector, MajorityVoteSelector
from sstar_dspy.testing import ScriptedLM


def test_presets_match_the_paper_columns():
    zero, vote, debug, full = (presets.zero_shot(), presets.majority_vote(), presets.self_debug(), presets.sstar())
    assert (zero.n, zero.rounds, type(zero.selector)) == (1, 0, FirstSelector)
    assert (vote.n, vote.rounds, type(vote.selector)) == (16, 0, MajorityVoteSelector)
    assert (debug.n, debug.rounds, type(debug.selector)) == (1, 2, FirstSelector)
    assert (full.n, full.rounds, type(full.selector)) == (16, 2, AdaptiveSelector)


def test_overrides_and_build_by_name():
    lm = ScriptedLM({})
    program = presets.build(
        "sstar", n=4, rounds=1, max_duels=3, top_k=2, lms=RoleLMs(generator=lm), budget=Budget(max_lm_calls=20), seed=7
    )
    assert (program.n, program.rounds, program.seed, program.selector.max_duels, program.selector.top_k) == (
        4,
        1,
        7,
        3,
        2,
    )
    assert program.lms.generator is lm and program.budget.max_lm_calls == 20
    assert presets.build("zero-shot").n == 1
    assert presets.names() == ["zero_shot", "majority_vote", "self_debug", "sstar"]
    with pytest.raises(SStarError, match="unknown preset 'best'"):
        presets.build("best")


def test_zero_shot_vs_self_debug_on_the_two_integers_example():
    script = sum_script(generate={"code": TWO_LINES}, debug={"diagnosis": "one line", "code": GOOD})
    lms = RoleLMs(generator=ScriptedLM(script))
    assert presets.zero_shot(lms=lms)(problem=SUM).program == TWO_LINES
    assert presets.self_debug(lms=lms)(problem=SUM).program == GOOD


def test_majority_vote_runs_without_debugging():
    lm = ScriptedLM(sum_script(generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}, 2: {"code": GOOD}}))
    pred = presets.majority_vote(n=3, lms=RoleLMs(generator=lm))(problem=SUM)
    assert lm.calls_for("debug") == [] and pred.program == GOOD
