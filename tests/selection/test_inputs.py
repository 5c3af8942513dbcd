"""Generated inputs made usable: repaired, validated, dropped when every candidate fails, regenerated, counted;
and what selection does when no usable input separates the candidates."""

from __future__ import annotations

import json

import pytest
from sstar_world import GOOD, GOOD_ALT, SMALL_A_BUG, SUM, sstar, sum_script

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.selection import AdaptiveSelector, GeneratedTestsSelector, MajorityVoteSelector
from sstar_dspy.selection.inputs import InputFormat, InvalidInputError
from sstar_dspy.signatures import TestInput
from sstar_dspy.testing import ScriptedLM
from sstar_dspy.trace import usable_input_counts

COUNT = Problem(
    id="count-above",
    statement="Return how many elements of nums are greater than k.",
    mode="functional",
    function_name="countAbove",
    starter_code="class Solution:\n    def countAbove(self, nums: List[int], k: int) -> int:\n        ",
    public_tests=[TestCase.from_args([[1, 5, 3], 2], 2)],
    hidden_tests=[TestCase.from_args([[2, 2, 3], 2], 1), TestCase.from_args([[], 0], 0)],
)
HEAD = "class Solution:\n    def countAbove(self, nums: List[int], k: int) -> int:\n"
GT = HEAD + "        return sum(1 for x in nums if x > k)"  # correct
GE = HEAD + "        return sum(1 for x in nums if x >= k)"  # wrong when an element equals k
GT_EMPTY_CRASH = HEAD + "        return sum(1 for x in nums if x > k) + 0 * nums[0]"
GE_EMPTY_CRASH = HEAD + "        return sum(1 for x in nums if x >= k) + 0 * nums[0]"
TIE_INPUT = {"nums": [2, 2, 3], "k": 2}  # separates > from >=


def judge(call):
    """Knows that the strict comparison is right (consistent in both orders)."""
    a_ok, b_ok = ("x > k" in call.inputs["program_a"]), ("x > k" in call.inputs["program_b"])
    return {"analysis": "checked by hand", "verdict": "tie" if a_ok == b_ok else ("A" if a_ok else "B")}


def script(generate, generate_tests, distinguish=None):
    return {
        "generate": {i: {"code": code} for i, code in enumerate(generate)},
        "generate_tests": generate_tests,
        "distinguish": distinguish or {"distinguishing_inputs": [{"input": TIE_INPUT}]},
        "judge": judge,
    }


def solve(lm, n, **selector):
    return sstar(lm, n=n, rounds=0, selector=AdaptiveSelector(**selector))(problem=COUNT)


def test_the_prompt_shows_parameters_and_a_public_input_in_the_answer_form():
    lm = ScriptedLM(script([GT, GE], {"test_inputs": [{"input": TIE_INPUT}, {"input": {"nums": [9], "k": 1}}]}))
    solve(lm, 2)
    [call] = lm.calls_for("generate_tests")
    assert call.json("parameters") == [{"name": "nums", "type": "List[int]"}, {"name": "k", "type": "int"}]
    assert call.json("example") == {"input": {"nums": [1, 5, 3], "k": 2}, "expected_output": "2"}
    assert call.inputs["feedback"] == ""
    distinguish = lm.calls_for("distinguish")[0]
    assert distinguish.json("example")["input"] == {"nums": [1, 5, 3], "k": 2}


def test_common_wrong_forms_are_repaired_and_the_rest_dropped_with_a_reason():
    written = [
        {"input": "1 2 2 3 2"},  # stdin style: nums = [1, 2, 2, 3], k = 2
        {"input": "nums = [2, 2], k = 2"},
        "countAbove([5], 1)",
        {"nums": [7, 8], "k": 7, "output": 1},  # the arguments as top-level keys
        {"input": "(4, 4)\n4"},  # a tuple
        {"input": "[1, 2]"},  # k is missing: no repair can know it
        {"input": "[1, 2]\nTrue"},  # k is not an int
    ]
    lm = ScriptedLM(script([GT, GE], {"test_inputs": written}))
    sel = solve(lm, 2).trace.selection
    report = sel.inputs
    assert [t["input"] for t in sel.test_inputs] == ["[1, 2, 2, 3]\n2", "[2, 2]\n2", "[5]\n1", "[7, 8]\n7", "[4, 4]\n4"]
    assert report.repairs == {"stdin-style values": 1, "call or keyword form": 2, "Python literals": 1}
    assert [(d.stage, d.reason) for d in report.dropped] == [
        ("invalid", "2 arguments expected (nums, k), found 1"),
        ("invalid", "argument k: expected int, got true"),
    ]
    assert (report.generated, report.usable, report.repaired, report.regenerated) == (7, 5, 4, 0)
    assert len(sel.clusters) == 2 and len(sel.duels) == 1 and sel.chosen == 0  # GT wins its duel


def test_too_few_usable_inputs_are_asked_for_again_with_the_reasons():
    first = {"test_inputs": [{"input": "[1, 2]"}, {"input": "abc"}]}
    second = {"test_inputs": [{"input": TIE_INPUT}, {"input": {"nums": [0], "k": 5}}]}
    lm = ScriptedLM(script([GT, GE], [first, second]))
    sel = solve(lm, 2).trace.selection
    calls = lm.calls_for("generate_tests")
    assert [c.rollout_id for c in calls] == [None, 1]  # a new rollout: not a cache replay
    feedback = calls[1].inputs["feedback"]
    assert "2 arguments expected (nums, k), found 1" in feedback and "'abc'" in feedback
    assert "keyed by the parameter names" in feedback
    report = sel.inputs
    assert (report.generated, report.usable, report.regenerated) == (4, 2, 1)
    assert [d.attempt for d in report.dropped] == [0, 0]
    assert report.usable_share == 0.5


def test_inputs_every_candidate_fails_are_dropped_before_clustering():
    written = [{"input": {"nums": [], "k": 1}}, {"input": TIE_INPUT}, {"input": {"nums": [9, 1], "k": 4}}]
    lm = ScriptedLM(script([GT_EMPTY_CRASH, GE_EMPTY_CRASH], {"test_inputs": written}))
    sel = solve(lm, 2).trace.selection
    [dropped] = sel.inputs.dropped
    assert dropped.stage == "all_failed" and dropped.reason.startswith("every candidate failed: runtime_error")
    assert "IndexError" in dropped.reason
    assert len(sel.test_inputs) == 2 and all(len(c.output_keys) == 2 for c in sel.clusters)
    assert not any(k.startswith("!") for c in sel.clusters for k in c.output_keys)


def test_agreement_made_only_of_errors_is_not_agreement():
    """Every generated input crashes every candidate: before, one cluster of errors 'all agreed' and the first
    candidate won. Now there is no usable input, the probe's inputs split the candidates, and they duel."""
    crashing = {"test_inputs": [{"input": {"nums": [], "k": 1}}, {"input": {"nums": [], "k": 2}}]}
    lm = ScriptedLM(script([GE_EMPTY_CRASH, GT_EMPTY_CRASH], crashing))
    pred = solve(lm, 2)
    sel = pred.trace.selection
    assert "all agree" not in sel.reason and "none of 4 generated inputs was usable" in sel.reason
    assert sel.inputs.usable == 0 and {d.stage for d in sel.inputs.dropped} == {"all_failed", "duplicate"}
    assert sel.inputs.regenerated == 1 and sel.inputs.probe
    assert len(sel.clusters) == 2 and [(d.a, d.b, d.outcome) for d in sel.duels] == [(0, 1, "b")]
    assert pred.program == GT_EMPTY_CRASH


def test_a_duel_is_played_when_candidates_differ_only_on_synthesized_inputs():
    agreeing = {"test_inputs": [{"input": {"nums": [1, 5, 9], "k": 4}}, {"input": {"nums": [0], "k": 3}}]}
    lm = ScriptedLM(script([GE, GE, GT], agreeing))
    pred = solve(lm, 3)
    sel = pred.trace.selection
    assert sel.inputs.probe and sel.inputs.synthesized_usable >= 1
    assert [c.members for c in sel.clusters] == [[0, 1], [2]]  # split by the probe's input
    assert [t["source"] for t in sel.test_inputs] == ["generated", "generated", "synthesized"]
    [duel] = sel.duels
    assert duel.judged and duel.outcome == "b" and pred.program == GT
    # the duel's own distinguish call asks about the same pair as the probe did: answered from DSPy's cache
    assert len(lm.calls_for("distinguish")) == 1 and pred.trace.usage["test_generator"].calls == 3


def test_without_the_probe_agreeing_different_programs_are_one_cluster():
    agreeing = {"test_inputs": [{"input": {"nums": [1, 5, 9], "k": 4}}, {"input": {"nums": [0], "k": 3}}]}
    lm = ScriptedLM(script([GE, GT], agreeing))
    sel = solve(lm, 2, probe_agreement=False).trace.selection
    assert len(sel.clusters) == 1 and sel.chosen == 0 and lm.calls_for("distinguish") == []
    assert sel.reason.endswith("all agree on 2 usable generated inputs")


def test_invalid_synthesized_inputs_are_dropped_from_the_duel():
    agreeing = {"test_inputs": [{"input": {"nums": [1, 5, 9], "k": 4}}, {"input": {"nums": [0], "k": 3}}]}
    synthesized = {"distinguishing_inputs": [{"input": "2 2 3"}, {"input": TIE_INPUT}, {"input": {"nums": [2]}}]}
    lm = ScriptedLM(script([GE, GT], agreeing, synthesized))
    sel = solve(lm, 2).trace.selection
    [duel] = sel.duels
    assert duel.proposed_inputs == 3 and duel.synthesized_inputs == 2  # "2 2 3" reads as nums=[2, 2], k=3
    assert [d.reason for d in duel.dropped_inputs] == ["2 arguments expected (nums, k), found 1"]
    assert sel.inputs.synthesized == 6 and sel.inputs.synthesized_usable == 4  # the probe's and the duel's


def test_usable_share_is_in_the_trace_its_summary_and_run_totals():
    written = [{"input": TIE_INPUT}, {"input": "[1]"}, {"input": TIE_INPUT}, {"input": {"nums": [4], "k": 0}}]
    lm = ScriptedLM(script([GT, GE], {"test_inputs": written}))
    trace = solve(lm, 2).trace
    report = trace.selection.inputs
    assert (report.generated, report.usable, report.considered) == (4, 2, 3)  # the duplicate does not count
    assert trace.usable_inputs() == (2, 3)
    summary = trace.summary()
    assert "generated inputs: 4 written, 2 usable (67%); dropped invalid: 1, duplicate: 1; synthesized 1" in summary
    assert "dropped invalid: '[1]': 2 arguments expected (nums, k), found 1" in summary
    as_json = json.loads(json.dumps(trace.model_dump(mode="json")))
    assert usable_input_counts([trace, as_json, None, {"selection": None}]) == (4, 6)


def test_baselines_get_the_same_validated_inputs():
    written = [{"input": "2 2 3 2", "output": "1"}, {"input": "[1]", "output": "0"}, {"input": {"nums": [9], "k": 1}}]
    lm = ScriptedLM(script([GE, GT], {"test_inputs": written}))
    pred = sstar(lm, n=2, rounds=0, selector=GeneratedTestsSelector())(problem=COUNT)
    sel = pred.trace.selection
    assert sel.scores == {"0": 0.0, "1": 1.0} and pred.program == GT
    assert sel.inputs.usable == 2 and sel.inputs.dropped[0].stage == "invalid"
    lm2 = ScriptedLM(script([GE, GT], {"test_inputs": written}))
    majority = sstar(lm2, n=2, rounds=0, selector=MajorityVoteSelector())(problem=COUNT).trace.selection
    assert "on 2 usable generated inputs" in majority.reason


# -- stdin inputs: cheap shape checks -----------------------------------------------------------------
STDIN_FMT = InputFormat.of(SUM)  # public input "3 4\n": one line with two integers


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("1 2", ("1 2", None)),
        ("Input: 5 6\nOutput: 11", ("5 6", None)),
        ("```\n7 8\n```", ("7 8", None)),
        (["9 10"], ("9 10", "a list of lines")),
    ],
)
def test_stdin_inputs_that_look_like_the_public_ones_pass(written, normalized):
    assert STDIN_FMT.normalize(TestInput(input=written)) == normalized


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("   \n", "empty input"),
        ("3\n4", "the first line should hold 2 integers, as in the public inputs"),
        ("a b", "the first line should hold 2 integers"),
        ({"a": 3, "b": 4}, "a stdin input must be text"),
    ],
)
def test_stdin_inputs_of_the_wrong_shape_are_refused(written, why):
    with pytest.raises(InvalidInputError, match=why):
        STDIN_FMT.normalize(TestInput(input=written))


def test_stdin_escaped_newlines_are_repaired_for_multi_line_problems():
    problem = SUM.model_copy(update={"public_tests": [TestCase(input="2\n3 4\n", output="7\n")]})
    fmt = InputFormat.of(problem)
    assert fmt.normalize(TestInput(input="2\\n5 6")) == ("2\n5 6", "escaped newlines")
    with pytest.raises(InvalidInputError, match="several lines"):
        fmt.normalize(TestInput(input="2 5 6"))


def test_functional_problem_without_starter_code_takes_its_arity_from_the_public_tests():
    problem = COUNT.model_copy(update={"starter_code": ""})
    fmt = InputFormat.of(problem)
    assert [(p.name, p.type) for p in fmt.params] == [("arg1", "list"), ("arg2", "int")]
    assert fmt.normalize(TestInput(input=[[1], 2])) == ("[1]\n2", "a list of the arguments")
    with pytest.raises(InvalidInputError, match="2 arguments expected"):
        fmt.normalize(TestInput(input="[1]"))


def test_stdin_problem_probe_and_duel_with_the_sum_world():
    """The stdin path end to end: agreeing generated inputs, then the probe splits a bug from the fix."""
    lm = ScriptedLM(
        sum_script(
            generate={0: {"code": SMALL_A_BUG}, 1: {"code": GOOD}, 2: {"code": GOOD_ALT}},
            generate_tests={"test_inputs": ["5 5", "9 1", "Input: 4 4"]},  # a >= 3: the bug hides
        )
    )
    pred = sstar(lm, n=3, rounds=0)(problem=SUM)
    sel = pred.trace.selection
    assert sel.inputs.usable == 3 and sel.inputs.probe
    assert [c.members for c in sel.clusters] == [[1, 2], [0]] and pred.program == GOOD


def test_answer_items_written_inside_an_input_string_are_unpacked():
    """Seen from the 0.5B model: the whole answer item (or a list of them) as the input string."""
    packed = [
        {"input": '{"input": {"nums": [2, 2, 3], "k": 2}, "expected_output": "1"}'},
        {"input": '[{"input": "nums = [5], k = 1"}, {"input": "[4, 4]\\n4"}]'},
    ]
    lm = ScriptedLM(script([GT, GE], {"test_inputs": packed}))
    sel = solve(lm, 2).trace.selection
    assert [t["input"] for t in sel.test_inputs] == ["[2, 2, 3]\n2", "[5]\n1", "[4, 4]\n4"]
    assert sel.test_inputs[0]["expected_output"] == "1"
    assert sel.inputs.generated == 3 and sel.inputs.usable == 3


def test_a_list_of_answer_items_given_as_one_input_is_unpacked():
    """Seen from the 0.5B model in a duel: `input` holding the whole list of answer items."""
    agreeing = {"test_inputs": [{"input": {"nums": [1, 5, 9], "k": 4}}, {"input": {"nums": [0], "k": 3}}]}
    packed = {"distinguishing_inputs": [{"input": [{"input": TIE_INPUT, "expected_output": "1"}, {"input": "[3]\n3"}]}]}
    lm = ScriptedLM(script([GE, GT], agreeing, packed))
    sel = solve(lm, 2).trace.selection
    assert [t["input"] for t in sel.test_inputs[2:]] == ["[2, 2, 3]\n2", "[3]\n3"]  # the probe's two inputs
    assert sel.inputs.synthesized >= 2 and len(sel.duels) == 1
