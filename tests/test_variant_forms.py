"""Variants record the prompt form and restore it; old files load as chat; conflicting requests are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sstar_dspy.adapters.forms import DEFAULT_FORM, CodePredict, PromptForm
from sstar_dspy.errors import VariantError
from sstar_dspy.program import SStar
from sstar_dspy.variants import apply_variant, load_variant, save_variant

REPO = Path(__file__).resolve().parent.parent


def _tuned(form: str) -> SStar:
    program = SStar(prompt_form=form)
    program.generate.signature = program.generate.signature.with_instructions("ZZZ tuned instruction ZZZ")
    return program


def test_the_form_is_saved_and_restored_in_a_fresh_process(tmp_path):
    path = save_variant(_tuned("code-reasoning"), tmp_path / "cr.json")
    assert json.loads(path.read_text())["sstar_dspy"]["prompt_form"] == "code-reasoning"
    script = (
        "import sstar_dspy\n"
        f"p = sstar_dspy.load_variant({str(path)!r}, n=2, rounds=1)\n"
        "print(p.prompt_form.value, type(p.generate).__name__, list(p.generate.signature.output_fields), "
        "p.generate.signature.instructions, 'reasoning' in p.generate.demos[0])\n"
    )
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == [
        "code-reasoning",
        "CodePredict",
        "['reasoning',",
        "'code']",
        "ZZZ",
        "tuned",
        "instruction",
        "ZZZ",
        "True",
    ]


def test_apply_variant_switches_an_existing_program_to_the_saved_form(tmp_path):
    path = save_variant(_tuned("code"), tmp_path / "c.json")
    program = apply_variant(SStar(), path)  # built in the default form (as the CLI does), then the variant
    assert program.prompt_form is PromptForm.CODE and isinstance(program.generate, CodePredict)
    assert program.generate.signature.instructions == "ZZZ tuned instruction ZZZ"
    assert program.settings()["prompt_form"] == "code"


def test_a_variant_file_without_a_form_loads_as_chat(tmp_path):
    path = save_variant(_tuned("chat"), tmp_path / "old.json")
    state = json.loads(path.read_text())
    del state["sstar_dspy"]["prompt_form"]  # written before forms existed
    path.write_text(json.dumps(state))
    program = apply_variant(SStar(prompt_form="code"), path)
    assert program.prompt_form is PromptForm.CHAT and type(program.generate).__name__ == "Predict"
    assert program.generate.signature.instructions == "ZZZ tuned instruction ZZZ"


def test_asking_for_another_form_than_the_variant_s_is_refused(tmp_path):
    path = save_variant(_tuned("code"), tmp_path / "c.json")
    with pytest.raises(VariantError, match="saved for prompt form 'code', but prompt form 'chat' was requested"):
        load_variant(path, prompt_form="chat")
    assert load_variant(path, prompt_form="code").prompt_form is PromptForm.CODE


def test_paper_takes_the_requested_form_with_its_default_prompts():
    program = load_variant("paper", prompt_form="code-reasoning", n=2)
    assert program.prompt_form is PromptForm.CODE_REASONING and program.n == 2
    assert load_variant("paper").prompt_form is DEFAULT_FORM


def test_an_unknown_form_in_a_file_is_one_line(tmp_path):
    path = save_variant(_tuned("chat"), tmp_path / "bad.json")
    state = json.loads(path.read_text())
    state["sstar_dspy"]["prompt_form"] = "xml"
    path.write_text(json.dumps(state))
    with pytest.raises(VariantError, match="unknown prompt form 'xml'"):
        load_variant(path)


def test_paper_json_records_the_default_form():
    info = json.loads((REPO / "signatures" / "paper.json").read_text())["sstar_dspy"]
    assert info["prompt_form"] == DEFAULT_FORM.value


@pytest.mark.parametrize(
    ("name", "form", "demos"),
    [*((f"form-{f.value}", f.value, True) for f in PromptForm), ("form-code-plain", "code", False)],
)
def test_committed_form_variants_are_the_codes_defaults_and_load_by_name(name, form, demos, tmp_path):
    committed = json.loads((REPO / "signatures" / f"{name}.json").read_text())
    fresh_program = SStar(prompt_form=form, format_demos=demos)
    fresh = json.loads(save_variant(fresh_program, tmp_path / "fresh.json").read_text())
    for key in ("generate", "debug", "generate_tests", "distinguish", "judge"):
        assert committed[key] == fresh[key], (
            f"signatures/{name}.json is stale for '{key}': regenerate it with "
            "python -c 'from sstar_dspy.variants import write_paper_variant as w; w()'"
        )
    assert committed["sstar_dspy"]["layout"] == fresh["sstar_dspy"]["layout"]
    assert committed["sstar_dspy"]["prompt_form"] == form
    program = load_variant(name, n=2)
    assert program.prompt_form.value == form and bool(program.generate.demos) is demos
    assert program.generate.signature.instructions == SStar(prompt_form=form).generate.signature.instructions
