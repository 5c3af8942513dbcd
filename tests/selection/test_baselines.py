"""The paper's baseline selectors, on candidate pools with known correct answers."""

from __future__ import annotations

from sstar_world import BIG_B_BUG, GOOD, SMALL_A_BUG, SUM, TWO_LINES, sstar, sum_script

from sstar_dspy.errors import SStarError
from sstar_dspy.selection import (
    FirstSelector,
    GeneratedTestsSelector,
    JudgeSelector,
    MajorityVoteSelector,
    OracleSelector,
    RandomSelector,
    build,
    names,
)
from sstar_dspy.testing import ScriptedLM

POOL = {
    0: {"code": TWO_LINES},
    1: {"code": SMALL_A_BUG},
    2: {"code": GOOD},
    3: {"code": SMALL_A_BUG},
    4: {"code": BIG_B_BUG},
}
INPUTS = {"test_inputs": [{"input": "1 2"}, {"input": "4 4"}, {"input": "5 15"}]}


def solve(selector, **script):
    lm = ScriptedLM(sum_script(**{"generate": POOL, "generate_tests": INPUTS, **script}))
    return sstar(lm, n=5, rounds=0, selector=selector)(problem=SUM), lm


def test_first_public_passing():
    pred, lm = solve(FirstSelector())
    assert pred.trace.selection.chosen == 1 and pred.trace.selection.pool == [1, 2, 3, 4]
    assert {c.signature for c in lm.calls} == {"generate"}


def test_random_is_seeded_and_reproducible():
    chosen = {solve(RandomSelector(seed=40))[0].trace.selection.chosen for _ in range(3)}
    assert len(chosen) == 1 and chosen <= {0, 1, 2, 3, 4}
    spread = {solve(RandomSelector(seed=s, public_only=True))[0].trace.selection.chosen for s in range(12)}
    assert spread <= {1, 2, 3, 4} and len(spread) > 1


def test_majority_vote_scores_pairwise_output_agreement():
    pred, lm = solve(MajorityVoteSelector())
    sel = pred.trace.selection
    # TWO_LINES crashes everywhere (no clean output, no agreement). Partners per input:
    # "1 2": SMALL x2 agree (2), GOOD+BIG agree (3); "4 4": all four agree (8); "5 15": SMALL x2 + GOOD (20).
    assert sel.scores == {"0": 0.0, "1": 6.0, "2": 6.0, "3": 6.0, "4": 4.0}
    assert sel.chosen == 1  # ties go to the lowest index
    assert len(lm.calls_for("generate_tests")) == 1 and lm.calls_for("judge") == []


def test_generated_tests_count_passes_on_predicted_outputs():
    with_outputs = {
        "test_inputs": [{"input": "1 2", "output": "3"}, {"input": "5 15", "output": "20"}, {"input": "4 4"}]
    }
    pred, _ = solve(GeneratedTestsSelector(), generate_tests=with_outputs)
    sel = pred.trace.selection
    assert sel.scores == {"1": 1.0, "2": 2.0, "3": 1.0, "4": 1.0}
    assert pred.program == GOOD


def test_generated_tests_without_predicted_outputs_falls_back_to_first():
    pred, _ = solve(GeneratedTestsSelector())
    sel = pred.trace.selection
    assert sel.chosen == 1 and "no generated test has an expected output" in sel.reason


def test_llm_judge_baseline_does_not_synthesise_inputs():
    pred, lm = solve(JudgeSelector())
    sel = pred.trace.selection
    assert lm.calls_for("distinguish") == []
    assert sel.duels and all(set(d.inputs) <= {"1 2\n", "4 4\n", "5 15\n"} for d in sel.duels)
    assert pred.program == GOOD and sel.selector == "judge"


def test_oracle_uses_hidden_tests_and_is_marked_evaluation_only():
    pred, lm = solve(OracleSelector())
    sel = pred.trace.selection
    assert sel.evaluation_only and "evaluation only" in sel.reason
    assert pred.program == GOOD and sel.scores["2"] == 3.0
    assert {c.signature for c in lm.calls} == {"generate"}


def test_build_by_name():
    assert set(names()) == {"adaptive", "first", "random", "majority", "gentests", "judge", "oracle"}
    assert build("random", seed=1).seed == 1
    try:
        build("best")
    except SStarError as err:
        assert "unknown selector 'best'" in str(err)
    else:
        raise AssertionError("expected SStarError")
    try:
        build("adaptive", duels=3)
    except SStarError as err:
        assert "bad option" in str(err)
    else:
        raise AssertionError("expected SStarError")
