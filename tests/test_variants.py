"""Variants: save/load round trip, no LM or key in artifacts, layout check, name resolution."""

from __future__ import annotations

import json

import dspy
import pytest

from sstar_dspy.errors import VariantError
from sstar_dspy.variants import (
    FORMAT_VERSION,
    list_variants,
    load_variant,
    resolve_variant_path,
    save_variant,
    signature_layout,
)


class Solve(dspy.Signature):
    """Solve the problem."""

    problem: str = dspy.InputField()
    code: str = dspy.OutputField()


class SolveWithHint(dspy.Signature):
    """Solve the problem."""

    problem: str = dspy.InputField()
    hint: str = dspy.InputField()
    code: str = dspy.OutputField()


class Judge(dspy.Signature):
    """Pick the better program."""

    program_a: str = dspy.InputField()
    program_b: str = dspy.InputField()
    verdict: str = dspy.OutputField()


class TwoStep(dspy.Module):
    def __init__(self, solve_signature: type[dspy.Signature] = Solve):
        self.generate = dspy.Predict(solve_signature)
        self.judge = dspy.Predict(Judge)


def tuned_program() -> TwoStep:
    program = TwoStep()
    program.generate.signature = program.generate.signature.with_instructions("Use fast I/O.")
    program.generate.demos = [dspy.Example(problem="add", code="print(sum(map(int, input().split())))")]
    return program


def test_round_trip_restores_instructions_and_demos(tmp_path):
    path = save_variant(tuned_program(), tmp_path / "fast.json", description="fast io")
    loaded = load_variant(path, program=TwoStep())
    assert loaded.generate.signature.instructions == "Use fast I/O."
    assert loaded.generate.demos[0]["code"] == "print(sum(map(int, input().split())))"
    assert loaded.judge.signature.instructions == Judge.instructions
    info = json.loads(path.read_text())["sstar_dspy"]
    assert info["format_version"] == FORMAT_VERSION
    assert info["layout"]["generate"] == {"inputs": ["problem"], "outputs": ["code"]}
    assert info["description"] == "fast io"


def test_artifact_has_no_lm_and_no_key(tmp_path):
    program = tuned_program()
    program.judge.lm = dspy.LM("openai/judge-model", api_key="sk-planted-secret-123", api_base="http://10.0.0.1/v1")
    path = save_variant(program, tmp_path / "v.json")
    text = path.read_text()
    assert "sk-planted-secret-123" not in text
    assert "10.0.0.1" not in text
    state = json.loads(text)
    assert state["judge"]["lm"] is None and state["generate"]["lm"] is None


def test_loading_keeps_the_programs_own_lms_and_ignores_lms_in_the_file(tmp_path):
    path = save_variant(tuned_program(), tmp_path / "v.json")
    state = json.loads(path.read_text())
    state["generate"]["lm"] = {"model": "openai/evil", "api_base": "http://attacker/v1", "kwargs": {}}
    path.write_text(json.dumps(state))
    mine = dspy.LM("openai/mine")
    program = TwoStep()
    program.generate.lm = mine
    load_variant(path, program=program)
    assert program.generate.lm is mine
    assert program.judge.lm is None


def test_changed_signature_layout_is_refused_with_one_line(tmp_path):
    path = save_variant(tuned_program(), tmp_path / "old.json")
    with pytest.raises(VariantError) as err:
        load_variant(path, program=TwoStep(SolveWithHint))
    message = str(err.value)
    assert "\n" not in message
    assert "'generate'" in message and "(problem) -> (code)" in message and "(problem, hint) -> (code)" in message
    assert "re-optimize" in message


def test_missing_or_extra_predictor_is_refused(tmp_path):
    class OneStep(dspy.Module):
        def __init__(self):
            self.generate = dspy.Predict(Solve)

    path = save_variant(tuned_program(), tmp_path / "v.json")
    with pytest.raises(VariantError, match="predictors differ"):
        load_variant(path, program=OneStep())


def test_plain_dspy_save_without_layout_is_refused(tmp_path):
    path = tmp_path / "plain.json"
    tuned_program().save(str(path))
    with pytest.raises(VariantError, match="no 'sstar_dspy' block"):
        load_variant(path, program=TwoStep())


def test_newer_format_and_garbage_are_refused(tmp_path):
    path = save_variant(tuned_program(), tmp_path / "v.json")
    state = json.loads(path.read_text())
    state["sstar_dspy"]["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(state))
    with pytest.raises(VariantError, match="newer than this sstar_dspy reads"):
        load_variant(path, program=TwoStep())
    path.write_text("{not json")
    with pytest.raises(VariantError, match="not a JSON variant file"):
        load_variant(path, program=TwoStep())


def test_variant_file_also_loads_with_plain_dspy(tmp_path):
    path = save_variant(tuned_program(), tmp_path / "v.json")
    program = TwoStep()
    program.load(str(path))
    assert program.generate.signature.instructions == "Use fast I/O."


def test_names_resolve_in_the_signatures_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SSTAR_SIGNATURES_DIR", str(tmp_path))
    path = save_variant(tuned_program(), "fast-io")
    assert path == tmp_path / "fast-io.json"
    assert resolve_variant_path("fast-io") == path
    assert "fast-io" in list_variants() and "paper" in list_variants()
    with pytest.raises(VariantError, match="variant 'nope' not found"):
        resolve_variant_path("nope")
    with pytest.raises(VariantError, match="bad variant name"):
        save_variant(tuned_program(), "bad name!")


def test_paper_is_the_programs_defaults():
    program = TwoStep()
    assert load_variant("paper", program=program) is program
    assert program.generate.signature.instructions == Solve.instructions


def test_signature_layout_lists_fields_in_order():
    layout = signature_layout(TwoStep(SolveWithHint))
    assert layout["generate"].inputs == ["problem", "hint"]
    assert layout["judge"].outputs == ["verdict"]
