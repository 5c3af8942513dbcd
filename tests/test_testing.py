"""ScriptedLM: the public offline LM used by every SStar test (and by users' own tests)."""

from __future__ import annotations

import json

import dspy
import pytest

from sstar_dspy.errors import SStarError
from sstar_dspy.signatures import GenerateCode, GenerateTestInputs
from sstar_dspy.testing import ScriptedLM, scripted_lm_from_file

ARGS = {"problem": "p", "mode": "stdin", "function_name": "", "starter_code": ""}


def generate(lm, rollout_id=None, **kw):
    config = {} if rollout_id is None else {"rollout_id": rollout_id}
    return dspy.Predict(GenerateCode)(**ARGS, lm=lm, config=config, **kw).code


def test_replies_per_rollout_and_records_calls():
    lm = ScriptedLM({"generate": {1: {"code": "one"}, 2: {"code": "two"}}})
    assert [generate(lm, 1), generate(lm, 2), generate(lm, 1)] == ["one", "two", "one"]
    assert [c.rollout_id for c in lm.calls] == [1, 2]  # the repeat was a cache hit
    assert lm.calls[0].inputs["problem"] == "p" and lm.calls[0].temperature == 0.7
    assert "GenerateCode" not in lm.calls[0].system and "expert competitive programmer" in lm.calls[0].system


def test_lists_are_consumed_in_order_and_the_last_repeats():
    lm = ScriptedLM({"generate": [{"code": "a"}, {"code": "b"}]}, cache=False)
    assert [generate(lm) for _ in range(3)] == ["a", "b", "b"]


def test_callables_see_the_call():
    lm = ScriptedLM({"GenerateCode": lambda call: {"code": call.inputs["problem"].upper()}})
    assert generate(lm) == "P"


def test_exceptions_fail_the_call_and_unknown_signatures_are_named():
    lm = ScriptedLM({"generate": RuntimeError("server down")})
    with pytest.raises(Exception, match="server down"):
        generate(lm)
    with pytest.raises(Exception, match="no reply for 'generate_tests'"):
        dspy.Predict(GenerateTestInputs)(**ARGS, lm=ScriptedLM({"generate": {"code": "x"}}))


def test_demos_are_visible_to_the_script():
    lm = ScriptedLM({"generate": lambda call: {"code": f"demos={len(call.demos)}"}})
    demo = dspy.Example(**ARGS, code="print('demo')")
    predictor = dspy.Predict(GenerateCode)
    predictor.demos = [demo]
    assert predictor(**ARGS, lm=lm).code == "demos=1"
    assert "print('demo')" in lm.calls[0].demos[0]
    assert [role for role, _ in lm.calls[0].messages] == ["user", "assistant", "user"]


def test_usage_is_reported_like_a_real_lm():
    lm = ScriptedLM({"generate": {"code": "x"}})
    with dspy.track_usage() as tracker:
        generate(lm)
    [usage] = tracker.get_total_tokens().values()
    assert usage["prompt_tokens"] > 100 and usage["completion_tokens"] > 0


def test_script_from_json_file(tmp_path):
    path = tmp_path / "script.json"
    path.write_text(
        json.dumps(
            {
                "generate": {"0": {"code": "zero"}, "1": {"$error": "boom"}},
                "generate_tests": [{"test_inputs": ["1"]}, "garbage"],
            }
        )
    )
    lm = scripted_lm_from_file(path)
    assert generate(lm, 0) == "zero"
    with pytest.raises(Exception, match="boom"):
        generate(lm, 1)
    assert dspy.Predict(GenerateTestInputs)(**ARGS, lm=lm).test_inputs[0].input == "1"


def test_bad_script_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(SStarError, match="must hold a JSON object"):
        scripted_lm_from_file(bad)
    with pytest.raises(SStarError, match="cannot read"):
        scripted_lm_from_file(tmp_path / "missing.json")


def test_the_same_script_answers_under_the_code_adapter():
    from sstar_dspy.adapters.code import CodeAdapter
    from sstar_dspy.adapters.forms import CodeGenerateWithReasoning

    lm = ScriptedLM({"generate": {1: {"reasoning": "Think.", "code": "one"}, 2: lambda c: {"code": c.inputs["mode"]}}})
    with dspy.context(adapter=CodeAdapter()):
        pred = dspy.Predict(CodeGenerateWithReasoning)(**ARGS, lm=lm, config={"rollout_id": 1})
        assert (pred.reasoning, pred.code) == ("Think.", "one")
        assert generate(lm, 2) == "stdin"  # inputs arrive as the adapter's call had them
    first, second = lm.calls
    assert first.signature == second.signature == "generate"  # a reasoning field does not change the key
    assert first.reply == "Think.\n\n```python\none\n```" and second.reply == "```python\nstdin\n```"
    assert first.user.startswith("### Question:\np") and "[[ ##" not in first.user
    # JSON adapter still parsed from its prompt
    with dspy.context(adapter=dspy.JSONAdapter()):
        assert generate(ScriptedLM({"generate": {"code": "j"}})) == "j"
