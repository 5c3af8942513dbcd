"""``--prompt-form`` on solve/eval/generate: plumbing only (the forms themselves are tested in tests/)."""

from __future__ import annotations

import json
from pathlib import Path

import cli_lms

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def test_solve_in_the_code_forms(sstar_inproc):
    model = ["--model", f"scripted:{SCRIPTS / 'sum-two.json'}"]
    for form in ("code", "code-reasoning"):
        code, out, err = sstar_inproc(
            "solve", "example:sum-two", *model, "--n", "4", "--rounds", "1", "--prompt-form", form
        )
        assert code == 0, err
        assert out.strip() == "a, b = map(int, input().split())\nprint(a + b)" and "hidden 8/8)" in err


def test_eval_and_generate_record_the_form(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 2)
    model = ["--model", "py:cli_lms:good"]
    code, _, err = sstar_inproc(
        "eval", "p.jsonl", *model, "--method", "zero_shot", "--prompt-form", "code", "--run-dir", "e"
    )
    assert code == 0, err
    assert json.loads((tmp_path / "e" / "manifest.json").read_text())["settings"]["prompt_form"] == "code"
    code, _, err = sstar_inproc(
        "generate", "p.jsonl", *model, "--n", "1", "--prompt-form", "code-reasoning", "--run-dir", "g"
    )
    assert code == 0, err
    assert json.loads((tmp_path / "g" / "manifest.json").read_text())["settings"]["prompt_form"] == "code-reasoning"


def test_bad_form_and_conflicting_variant_are_one_line(sstar_inproc, tmp_path):
    from sstar_dspy.program import SStar
    from sstar_dspy.variants import save_variant

    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    code, _, err = sstar_inproc("eval", "p.jsonl", "--model", "py:cli_lms:good", "--prompt-form", "xml")
    assert code == 2 and err.strip().startswith("error: unknown prompt form 'xml'")
    save_variant(SStar(prompt_form="code"), tmp_path / "c.json")
    args = ("eval", "p.jsonl", "--model", "py:cli_lms:good", "--variant", "c.json")
    code, _, err = sstar_inproc(*args, "--prompt-form", "chat")
    assert code == 2 and "saved for prompt form 'code'" in err and len(err.strip().splitlines()) == 1
    code, _, err = sstar_inproc(*args, "--method", "zero_shot", "--run-dir", "v")
    assert code == 0, err
    assert json.loads((tmp_path / "v" / "manifest.json").read_text())["settings"]["prompt_form"] == "code"
