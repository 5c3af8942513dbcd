"""The five signatures: instructions in docstrings, typed fields, code that survives the adapter."""

from __future__ import annotations

import typing

import dspy
import pytest
from dspy.utils.exceptions import AdapterParseError

from sstar_dspy.signatures import (
    SIGNATURES,
    DebugCode,
    GenerateCode,
    JudgePair,
    JudgeVerdict,
    Parameter,
    TestInput,
    extract_code,
)
from sstar_dspy.testing import ScriptedLM

NASTY = 'import sys\ns = "a<b & c>d \'q\'"\nif len(s) < 3 and s != "&amp;":\n    print("<&>")\nprint(s)\n'


def test_every_signature_has_a_substantial_docstring_instruction():
    for name, sig in SIGNATURES.items():
        assert len(sig.instructions) > 200, name
        assert sig.__doc__ and sig.instructions.split()[0] in sig.__doc__
        for field_name, field in {**sig.input_fields, **sig.output_fields}.items():
            desc = (field.json_schema_extra or {}).get("desc", "")
            assert len(desc) < 80, f"{name}.{field_name}: keep instructions out of field descriptions"


def test_fields_are_typed():
    assert JudgePair.output_fields["verdict"].annotation is JudgeVerdict
    rebuilt = JudgePair.with_instructions("new")  # optimizers rebuild it
    assert rebuilt.output_fields["verdict"].annotation is JudgeVerdict
    assert SIGNATURES["generate_tests"].output_fields["test_inputs"].annotation == list[TestInput]
    assert list(DebugCode.output_fields) == ["diagnosis", "code"]
    assert GenerateCode.input_fields["mode"].annotation == typing.Literal["stdin", "functional"]


@pytest.mark.parametrize("adapter", [dspy.ChatAdapter(), dspy.JSONAdapter()])
def test_code_with_quotes_newlines_lt_amp_survives_the_adapter(adapter):
    lm = ScriptedLM({"generate": {"code": NASTY}, "debug": {"diagnosis": "x", "code": f"```python\n{NASTY}```"}})
    with dspy.context(adapter=adapter):
        out = dspy.Predict(GenerateCode)(problem="p", mode="stdin", function_name="", starter_code="", lm=lm)
        fenced = dspy.Predict(DebugCode)(
            problem="p",
            mode="stdin",
            function_name="",
            starter_code="",
            history="",
            program=NASTY,
            feedback="<&>",
            lm=lm,
        )
    assert extract_code(out.code) == NASTY.rstrip()
    assert extract_code(fenced.code) == NASTY.rstrip()
    assert lm.calls_for("debug")[0].inputs["program"] == NASTY.rstrip()  # inputs arrive intact too


def test_extract_code_variants():
    assert extract_code("```python\nx = 1\n```\nExplanation.") == "x = 1"
    assert extract_code("Here:\n```\ny = 2\n```") == "y = 2"
    assert extract_code("```py\na\n```\n```python\nlonger = 1\n```") == "longer = 1"
    assert extract_code("```python\ntruncated = True\n") == "truncated = True"  # unterminated fence
    assert extract_code("  plain = 3  ") == "plain = 3"
    assert extract_code(None) == "" and extract_code("") == ""
    assert extract_code("```text\nnot python\n```") == "not python"


def test_test_input_accepts_the_shapes_small_models_produce():
    """Raw forms are kept as written (the problem-aware repair is sstar_dspy.selection.inputs'); only
    where the input and the output are is decided here."""
    assert TestInput.model_validate("1 2").input == "1 2"
    assert TestInput.model_validate(7).input == "7"
    assert TestInput.model_validate(True).input == "true"
    assert TestInput.model_validate({"input": [[1, 2], 3], "output": [0, 1]}).model_dump() == {
        "input": [[1, 2], 3],
        "expected_output": "[0, 1]",
    }
    assert TestInput.model_validate({"stdin": "5\n", "expected_output": "6"}).expected_output == "6"
    assert TestInput.model_validate({"input": {"k": 1}}).input == {"k": 1}
    assert TestInput.model_validate({"args": (1, 2)}).input == [1, 2]
    # the arguments as top-level keys, with the output beside them
    assert TestInput.model_validate({"nums": [1], "k": 2, "expected": 3}).model_dump() == {
        "input": {"nums": [1], "k": 2},
        "expected_output": "3",
    }
    assert TestInput.model_validate({"input": None}).input == "null"


def test_test_input_signatures_show_parameters_and_an_example():
    for name in ("generate_tests", "distinguish"):
        sig = SIGNATURES[name]
        assert sig.input_fields["parameters"].annotation == list[Parameter]
        assert sig.input_fields["example"].annotation is TestInput
    assert "feedback" in SIGNATURES["generate_tests"].input_fields
    example = TestInput(input={"nums": [1, 2], "k": 3}, expected_output="2")
    inputs = {"problem": "p", "mode": "functional", "function_name": "f", "starter_code": "", "feedback": ""}
    inputs |= {"parameters": [Parameter(name="nums", type="List[int]"), Parameter(name="k", type="int")]}
    user = dspy.ChatAdapter().format(SIGNATURES["generate_tests"], demos=[], inputs={**inputs, "example": example})
    text = user[-1]["content"]
    assert '{"input": {"nums": [1, 2], "k": 3}, "expected_output": "2"}' in text
    assert '[{"name": "nums", "type": "List[int]"}, {"name": "k", "type": "int"}]' in text


@pytest.mark.parametrize(
    ("written", "parsed"),
    [("B", "B"), ("'B'", "B"), ("**A**", "A"), ("Tie", "tie"), ("Program B.", "B"), ("Both are wrong", "tie")],
)
def test_verdict_tolerates_how_models_write_it(written, parsed):
    lm = ScriptedLM({"judge": {"analysis": "a", "verdict": written}})
    assert dspy.Predict(JudgePair)(problem="p", program_a="a", program_b="b", executions=[], lm=lm).verdict == parsed


def test_ambiguous_verdict_is_a_parse_error():
    lm = ScriptedLM({"judge": "[[ ## analysis ## ]]\nx\n\n[[ ## verdict ## ]]\nA or B\n\n[[ ## completed ## ]]"})
    with dspy.context(adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)), pytest.raises(AdapterParseError):
        dspy.Predict(JudgePair)(problem="p", program_a="a", program_b="c", executions=[], lm=lm)


def test_verdict_options_are_rendered_in_the_prompt():
    lm = ScriptedLM({"judge": {"analysis": "a", "verdict": "A"}})
    dspy.Predict(JudgePair)(problem="p", program_a="a", program_b="b", executions=[], lm=lm)
    assert '"enum": ["A", "B", "tie"]' in lm.calls[0].system


def test_rendered_prompts_carry_no_python_docstrings_of_field_types():
    # pydantic puts a model's docstring into its JSON schema; a real 0.5B run echoed that schema back
    for name, sig in SIGNATURES.items():
        inputs = {k: ([] if k == "executions" else "x") for k in sig.input_fields}
        inputs["mode"] = "stdin"
        system = dspy.ChatAdapter().format(sig, demos=[], inputs=inputs)[0]["content"]
        assert ">>>" not in system and "small models" not in system, name


def test_variants_saved_with_the_old_test_input_layout_are_refused_with_one_line(tmp_path):
    """Variants saved before the test-input signatures gained `parameters`/`example`/`feedback` do not load
    (DSPy restores fields by position, so they would misalign); the refusal is the layout check's one line."""
    import json
    from pathlib import Path

    from sstar_dspy.errors import VariantError
    from sstar_dspy.program import SStar
    from sstar_dspy.variants import load_variant

    saved = json.loads((Path(__file__).resolve().parents[1] / "signatures" / "paper.json").read_text())
    saved["sstar_dspy"]["name"] = "old"
    saved["sstar_dspy"]["layout"]["generate_tests"]["inputs"] = ["problem", "mode", "function_name", "starter_code"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(saved))
    with pytest.raises(VariantError) as err:
        load_variant(old, program=SStar(n=1, rounds=0))
    message = str(err.value)
    assert "\n" not in message and "predictor 'generate_tests' was saved with fields" in message
    assert "(problem, mode, function_name, starter_code) -> (test_inputs)" in message and "re-optimize" in message
