"""Security-audit inputs (issue 14 item 4): each is one clear line and exit 2, or a correct record; never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import cli_lms
import pytest
from openai_stub import closed_port, openai_stub


def _records(run_dir):
    return [json.loads(line) for line in (run_dir / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def _one_error_line(code, out, err, fragment):
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("WARNING")]
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in out + err
    return lines[0]


# ---- 1. lone surrogates reach the records as visible escapes -------------------------------------------------
def test_lone_surrogate_in_a_problem_file_gives_a_record(sstar_inproc, tmp_path):
    problem = cli_lms.arith_problems(1)[0].model_dump(mode="json")
    problem["public_tests"][0]["input"] = "1 2\ud800\n"
    (tmp_path / "s.jsonl").write_text(json.dumps(problem) + "\n")  # json escapes it as \ud800
    code, out, err = sstar_inproc("eval", "s.jsonl", "--model", "py:cli_lms:good", "--method", "zero_shot", "-o", "r")
    assert code == 0, err
    (record,) = _records(tmp_path / "r")
    assert record["problem_id"] == "arith-00" and "\\ud800" in json.dumps(record)
    code, out, err = sstar_inproc("report", "r")  # the written run reads back
    assert code in (0, 2) and "Traceback" not in err


def test_lone_surrogate_in_generated_tests_gives_a_record(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    code, out, err = sstar_inproc("eval", "p.jsonl", "--model", "py:cli_lms:surrogate", "--n", "2", "--rounds", "0")
    assert code == 0, err
    (run_dir,) = (tmp_path / "runs").iterdir()
    (record,) = _records(run_dir)
    assert record["status"] == "ok" and record["passed"] is True
    selection = record["trace"]["selection"]  # every candidate rejects the input (INVALID_TEST): dropped, recorded
    written = [t["input"] for t in selection["test_inputs"]] + [d["input"] for d in selection["inputs"]["dropped"]]
    assert "2 3\\ud800\n" in written  # the lone surrogate, as its escape text


# ---- 2. preflight: a model that cannot answer is one line before anything runs --------------------------------
def test_unknown_model_is_one_line_before_the_run(sstar_inproc, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    code, out, err = sstar_inproc("eval", "p.jsonl", "--model", "gpt-99-bogus", "--run-dir", "r")
    _one_error_line(code, out, err, "model 'gpt-99-bogus' does not answer")
    assert not (tmp_path / "r").exists()
    code, out, err = sstar_inproc("solve", "example:sum-two", "--model", "nosuchprovider/model-x")
    _one_error_line(code, out, err, "model 'nosuchprovider/model-x' does not answer")


@pytest.mark.parametrize("command", ["eval", "generate", "solve", "optimize"])
def test_unreachable_server_is_one_line(sstar_inproc, tmp_path, command):
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)
    base = f"http://127.0.0.1:{closed_port()}/v1"
    source = {"solve": ["example:sum-two"], "optimize": ["--suite", "p.jsonl", "--name", "v"]}.get(command, ["p.jsonl"])
    model = ["--model", "openai/m", "--api-base", base, "--api-key", "k-123456"]
    code, out, err = sstar_inproc(command, *source, *model)
    line = _one_error_line(code, out, err, f"does not answer at {base}")
    assert "k-123456" not in line


def test_unreachable_judge_model_is_one_line(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    base = f"http://127.0.0.1:{closed_port()}/v1"
    code, out, err = sstar_inproc(
        "eval", "p.jsonl", "--model", "py:cli_lms:good", "--judge-model", "openai/j", "--api-base", base
    )
    _one_error_line(code, out, err, "model 'openai/j' does not answer")


def test_scripted_models_pass_preflight_offline(sstar_inproc, tmp_path):
    cli_lms.BUILT.clear()
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    code, out, err = sstar_inproc("eval", "p.jsonl", "--model", "py:cli_lms:good", "--method", "zero_shot", "-o", "r")
    assert code == 0, err
    assert [c.signature for c in cli_lms.BUILT[-1].calls] == ["generate"]  # no extra preflight call
    script = Path(__file__).parent / "scripts" / "sum-two.json"
    code, out, err = sstar_inproc("solve", "example:sum-two", "--model", f"scripted:{script}", "--method", "zero_shot")
    assert code == 0 and "LM calls" in err, err


# ---- 3. --api-base without --api-key: a local server gets a placeholder key ---------------------------------
def test_local_server_without_api_key_works(sstar_inproc, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with openai_stub(lifetime_s=120) as stub:
        code, out, err = sstar_inproc(
            "solve", "example:sum-two", "--model", "openai/stub", "--api-base", stub.api_base, "--method", "zero_shot"
        )
    assert code == 0, err
    assert "print(a + b)" in out and "hidden 8/8)" in err
    assert len(stub.requests) == 2  # the preflight request and the one generate call
    assert {r["auth"] for r in stub.requests} == {"Bearer local"}


def test_preflight_of_a_truncated_one_token_answer_is_quiet(caplog, monkeypatch):
    from sstar_dspy.lm import resolve_lm
    from sstar_dspy.lm.preflight import preflight

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with openai_stub(reply="p", finish_reason="length", lifetime_s=60) as stub:
        lm = resolve_lm("openai/stub", api_base=stub.api_base)
        with caplog.at_level("WARNING"):
            preflight(lm, "openai/stub")
    assert len(stub.requests) == 1 and not [r for r in caplog.records if "truncated" in r.getMessage()]
    assert not lm.history  # the probe was a copy: the run's LM has no extra history entry


# ---- 4. a source whose problems are all excluded says so (not the selection options) ---------------------------
@pytest.mark.parametrize("command", ["eval", "solve", "generate"])
def test_all_problems_excluded_says_what_happened(sstar_inproc, tmp_path, command):
    rows = [{"id": f"n{i}", "statement": "x", "public_tests": [{"input": "1\n", "output": "1\n"}]} for i in range(2)]
    (tmp_path / "nohidden.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = sstar_inproc(command, "nohidden.jsonl", "--model", "py:cli_lms:good")
    line = _one_error_line(code, out, err, "all 2 problems of nohidden.jsonl were excluded: no hidden tests")
    assert "--difficulty" not in line and "--ids" not in line


# ---- 5. --format forces the problem file format where problems are loaded -------------------------------------
@pytest.mark.parametrize("command", ["solve", "eval", "generate", "select", "score", "optimize", "compare"])
def test_every_problem_loading_command_has_format(sstar_inproc, command):
    code, out, err = sstar_inproc(command, "--help")
    assert code == 0 and "--format" in out, out


def test_format_is_applied_and_checked(sstar_inproc, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    good = ("--model", "py:cli_lms:good", "--method", "zero_shot")
    code, out, err = sstar_inproc("eval", "p.jsonl", "--format", "sstar", *good, "-o", "r")
    assert code == 0, err
    code, out, err = sstar_inproc("eval", "p.jsonl", "--format", "lcb", *good)
    _one_error_line(code, out, err, "p.jsonl:1: field 'question_id'")  # read as LiveCodeBench, as asked
    code, out, err = sstar_inproc("solve", "p.jsonl", "--format", "bogus", *good)
    _one_error_line(code, out, err, "unknown format 'bogus'; known formats: codecontests")


# ---- 6. a file where a directory belongs, and the reverse ------------------------------------------------------
def test_data_dir_file_and_variant_dir_say_what_they_are(sstar_inproc, tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    code, out, err = sstar_inproc("eval", "dev", "--data-dir", "afile")
    _one_error_line(code, out, err, "afile is a file, not a directory")
    code, out, err = sstar_inproc("eval", "example:sum-two", "--variant", "adir")
    _one_error_line(code, out, err, "adir is a directory; expected a variant name")
    code, out, err = sstar_inproc("optimize", "--suite", "example:sum-two", "--name", "x", "--start-from", "adir")
    _one_error_line(code, out, err, "adir is a directory")


def test_an_empty_selection_names_only_the_options_given():
    from sstar_dspy.cli.common import UsageError
    from sstar_dspy.cli.problem_filter import select_problems

    problems = cli_lms.arith_problems(2)
    with pytest.raises(UsageError, match=r"no problems left after --exclude-ids; widen") as info:
        select_problems(problems, exclude_ids="arith-00,arith-01", source="p.jsonl")
    assert "--difficulty" not in str(info.value)
    with pytest.raises(UsageError, match="holds no problems to run"):
        select_problems([], source="empty.jsonl")
