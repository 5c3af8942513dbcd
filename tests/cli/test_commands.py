"""The commands end to end, in-process with scripted LMs: eval/resume, env vars, budgets, dry run, stages, report."""

from __future__ import annotations

import json
from pathlib import Path

import cli_lms
import pytest

from sstar_dspy.runs.manifest import file_sha256
from sstar_dspy.runs.rundir import read_records

SCRIPTS = Path(__file__).resolve().parent / "scripts"

GOOD = ["--model", "py:cli_lms:good"]


@pytest.fixture
def problems(tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)
    return tmp_path / "p.jsonl"


def _records(path):
    """Records sorted by problem id (the file is in finish order, which concurrency makes vary)."""
    return sorted(read_records(path / "records.jsonl"), key=lambda r: r.problem_id)


def test_eval_records_manifest_and_resume(sstar_inproc, problems, tmp_path):
    code, out, err = sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "self_debug", "--run-dir", "run")
    assert code == 0, err
    records = _records(tmp_path / "run")
    assert sorted(r.problem_id for r in records) == ["arith-00", "arith-01", "arith-02"]
    r0 = records[0]
    assert r0.passed is True and r0.hidden_total == 3 and r0.trace["candidates"]
    assert r0.usage["generator"].calls == 1 and r0.total.tokens > 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["settings"]["method"] == "self_debug" and manifest["settings"]["rounds"] == 2
    assert manifest["models"]["generator"] == "py:cli_lms:good"
    assert {"python", "dspy", "litellm"} <= set(manifest["versions"])
    assert list(manifest["data"]["files"].values()) == [file_sha256(problems)]
    assert "pass@1 100.0% of 3 graded" in out

    code, out, err = sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "self_debug", "--run-dir", "run")
    assert code == 0 and "3 problems already recorded" in err + out
    assert len(_records(tmp_path / "run")) == 3
    assert len(json.loads((tmp_path / "run" / "manifest.json").read_text())["sessions"]) == 2


def test_default_run_dir_is_stable_and_limit_can_grow(sstar_inproc, problems, tmp_path):
    assert sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--limit", "2")[0] == 0
    assert sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "zero_shot")[0] == 0
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("p.jsonl_zero_shot_py-cli_lms-good_")
    assert [r.problem_id for r in _records(runs[0])] == ["arith-00", "arith-01", "arith-02"]


def test_every_option_has_an_env_var(sstar_inproc, problems, tmp_path, monkeypatch):
    code, out, _ = sstar_inproc("eval", "--help")
    for flag in ("--method", "--n", "--rounds", "--model", "--api-key", "--run-dir", "--max-run-cost", "--dry-run"):
        assert flag in out
    assert "SSTAR_MAX_RUN_COST" in out and "SSTAR_MODEL" in out
    monkeypatch.setenv("SSTAR_MODEL", "py:cli_lms:good")
    monkeypatch.setenv("SSTAR_METHOD", "majority_vote")
    monkeypatch.setenv("SSTAR_N", "2")
    monkeypatch.setenv("SSTAR_RUN_DIR", "envrun")
    monkeypatch.setenv("SSTAR_CONCURRENCY", "1")
    code, out, err = sstar_inproc("eval", "p.jsonl")
    assert code == 0, err
    settings = json.loads((tmp_path / "envrun" / "manifest.json").read_text())["settings"]
    assert settings["method"] == "majority_vote" and settings["n"] == 2


def test_dry_run_estimates_without_spending(sstar_inproc, problems, tmp_path):
    code, out, err = sstar_inproc(
        "eval",
        "p.jsonl",
        "--model",
        "openai/gpt-4o-mini",
        "--n",
        "4",
        "--max-duels",
        "3",
        "--max-tokens",
        "1000",
        "--dry-run",
    )
    assert code == 0, err
    # per problem: 4 generate + 4*2 debug + (1 + 1 regeneration + 1 agreement probe + 3) test generation
    # + 2*3 judge = 24 calls
    total = next(line for line in out.splitlines() if "total" in line)
    assert "72" in total and "$" in total
    assert "nothing was run" in out and not (tmp_path / "runs").exists()


def test_run_budget_stops_and_a_bigger_budget_resumes(sstar_inproc, problems, tmp_path):
    args = ["eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--run-dir", "run", "-j", "1"]
    code, out, _ = sstar_inproc(*args, "--max-run-calls", "2")
    assert code == 0 and "run budget reached: 2 LM calls >= --max-run-calls 2" in out
    assert len(_records(tmp_path / "run")) == 2
    code, out, _ = sstar_inproc(*args, "--max-run-calls", "10")
    assert code == 0 and len(_records(tmp_path / "run")) == 3


def test_per_problem_budget_is_recorded(sstar_inproc, problems, tmp_path):
    code, _, err = sstar_inproc(
        "eval", "p.jsonl", *GOOD, "--n", "2", "--rounds", "1", "--max-problem-calls", "1", "--run-dir", "run"
    )
    assert code == 0, err
    records = _records(tmp_path / "run")
    assert all(r.budget_stop and "budget" in r.budget_stop for r in records)
    assert all(r.total.calls <= 1 for r in records)


def test_stage_split_generate_select_score_report(sstar_inproc, problems, tmp_path):
    code, out, err = sstar_inproc("generate", "p.jsonl", *GOOD, "--n", "2", "--rounds", "0", "--run-dir", "gen")
    assert code == 0, err
    lines = (tmp_path / "gen" / "candidates.jsonl").read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["problem_id"].startswith("arith-")
    code, out, err = sstar_inproc(
        "select", "gen/candidates.jsonl", "--problems", "p.jsonl", *GOOD, "--selector", "adaptive", "--run-dir", "sel"
    )
    assert code == 0, err
    selected = _records(tmp_path / "sel")
    assert len(selected) == 3 and all(r.passed is None and r.program for r in selected)
    assert all(r.trace["selection"]["selector"] == "adaptive" for r in selected)
    code, out, err = sstar_inproc("score", "sel", "--problems", "p.jsonl", "--run-dir", "scored")
    assert code == 0, err
    scored = _records(tmp_path / "scored")
    assert all(r.passed is True for r in scored)  # the judge always prefers the right program here
    assert all(r.candidates_passed.count(True) == 1 for r in scored)
    code, out, err = sstar_inproc("report", "scored", "gen", "--no-plots", "--markdown")
    assert code == 0, err
    assert "| scored |" in out and "100.0%" in out and "50.0%" not in out.split("| scored |")[1].split("\n")[0]


def test_select_and_score_external_candidates(sstar_inproc, problems, tmp_path):
    rows = []
    for i, op in enumerate(["add", "mul", "max"]):
        rows.append({"problem_id": f"arith-{i:02d}", "program": cli_lms.WRONG})
        rows.append({"problem_id": f"arith-{i:02d}", "program": cli_lms.CODE[op]})
    (tmp_path / "ext.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = sstar_inproc("score", "ext.jsonl", "--problems", "p.jsonl", "--run-dir", "cov")
    assert code == 0, err
    assert [r.candidates_passed for r in _records(tmp_path / "cov")] == [[False, True]] * 3
    code, _, err = sstar_inproc(
        "select", "ext.jsonl", "--problems", "p.jsonl", *GOOD, "--selector", "first", "--run-dir", "sel"
    )
    assert code == 0, err
    assert [r.program for r in _records(tmp_path / "sel")] == [cli_lms.CODE[op] for op in ("add", "mul", "max")]


def test_report_tables_and_plots(sstar_inproc, problems, tmp_path):
    assert sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--run-dir", "zs")[0] == 0
    assert sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "majority_vote", "--n", "2", "--run-dir", "mv")[0] == 0
    code, out, err = sstar_inproc("report", "zs", "mv", "--out", "rep")
    assert code == 0, err
    summary = json.loads((tmp_path / "rep" / "summary.json").read_text())
    assert [(s["method"], s["n"], s["problems"]) for s in summary] == [("zero_shot", 1, 3), ("majority_vote", 2, 3)]
    assert summary[1]["oracle_pass_at_n"] == 1.0 and summary[1]["coverage"][0][1] == pytest.approx(0.5)
    for name in ("pass1_by_method.png", "scaling.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:4] == b"\x89PNG"
    assert "pass@1" in out and "oracle pass@N" in out


def test_report_without_matplotlib_writes_tables_and_exits_0(sstar_inproc, problems, tmp_path, monkeypatch):
    import sstar_dspy.runs.plots as plots

    assert sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--run-dir", "zs")[0] == 0
    monkeypatch.setattr(plots, "have_matplotlib", lambda: False)  # a trimmed install (it is a dependency)
    code, out, err = sstar_inproc("report", "zs")
    assert code == 0, err
    assert "note: plots skipped: matplotlib is not installed" in out and "Traceback" not in out + err
    assert (tmp_path / "zs" / "report" / "summary.md").exists() and not (
        tmp_path / "zs" / "report" / "scaling.png"
    ).exists()


def test_matplotlib_is_a_dependency():
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    dependencies = text[text.index("dependencies = [") : text.index("[project.optional-dependencies]")]
    assert '"matplotlib>=' in dependencies  # plots work after a plain `pip install -e .`


def test_solve_plain_statement_and_stdin(sstar_inproc, tmp_path, monkeypatch):
    (tmp_path / "task.txt").write_text("Read two integers and print the result. OP: mul\n\nInput:\n2 3\nOutput:\n6\n")
    code, out, err = sstar_inproc("solve", "task.txt", *GOOD, "--method", "self_debug")
    assert code == 0, err
    assert out.strip() == cli_lms.CODE["mul"]
    assert "1 candidates (1 pass the 1 public tests)" in err and "LM calls" in err
    import io

    line = cli_lms.arith_problems(1)[0].model_dump_json()
    monkeypatch.setattr("sys.stdin", io.StringIO(line))
    code, out, err = sstar_inproc("solve", "-", *GOOD, "--method", "zero_shot")
    assert code == 0 and out.strip() == cli_lms.CODE["add"] and "hidden tests: 3/3 passed" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("Read two integers and print the result. OP: add\n"))
    code, out, err = sstar_inproc("solve", "-", *GOOD, "--method", "zero_shot")
    assert code == 0 and out.strip() == cli_lms.CODE["add"]
    assert "1 candidates (no public tests to check them on)" in err and "hidden tests" not in err


def test_doctor(sstar_inproc):
    code, out, err = sstar_inproc("doctor", "--model", "openai/gpt-4o-mini")
    assert code == 0, err
    assert "sandbox layers:" in out and "seccomp" in out and "model: openai/gpt-4o-mini (remote)" in out
    assert "dspy LM cache:" in out


def test_scripted_json_model_on_a_bundled_example(sstar_inproc):
    # not `from conftest import HERE`: at run time "conftest" is whichever test dir was collected last
    script = str(SCRIPTS / "sum-two.json")
    code, out, err = sstar_inproc("solve", "example:sum-two", "--model", f"scripted:{script}", "--method", "zero_shot")
    assert code == 0 and "int(input())" in out and "hidden tests: 0/8 passed" in err  # rollout 0 is the buggy one
    model = ["--model", f"scripted:{script}"]
    code, out, err = sstar_inproc("solve", "example:sum-two", *model, "--n", "4", "--rounds", "1")
    assert code == 0 and out.strip() == "a, b = map(int, input().split())\nprint(a + b)"
    assert "4 candidates (4 pass the 2 public tests), 2 debug rounds" in err and "hidden tests: 8/8 passed" in err
    code, out, err = sstar_inproc("solve", "example:sum-two", *model, "--n", "2", "--trace", "t.json")
    from sstar_dspy.trace import SolveTrace

    data = json.loads(Path("t.json").read_text())
    assert data["models"]["judge"] == f"scripted:{script}" and data["problem"]["id"] == "sum-two"
    assert data["hidden"] == {"passed": 8, "total": 8}
    assert SolveTrace.model_validate(data).problem_id == "sum-two"  # still loads as a SolveTrace


def test_every_option_of_every_command_has_an_sstar_env_var():
    import typer

    from sstar_dspy.cli.main import SUBCOMMANDS, app

    group = typer.main.get_command(app)
    missing = []
    for name in SUBCOMMANDS:
        for param in group.commands[name].params:
            if param.param_type_name == "option" and param.name != "help":
                envvar = param.envvar if isinstance(param.envvar, str) else None
                if not envvar or not envvar.startswith("SSTAR_"):
                    missing.append(f"{name} --{param.name}")
    assert missing == []


def test_solve_stdin_jsonl_needs_an_id_when_it_holds_several(sstar_inproc, monkeypatch):
    import io

    lines = "".join(p.model_dump_json() + "\n" for p in cli_lms.arith_problems(2))
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code, _, err = sstar_inproc("solve", "-", *GOOD)
    assert code == 2 and err.strip() == "error: -: holds 2 matching problems; pick one with --id"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code, out, err = sstar_inproc("solve", "-", "--id", "arith-01", *GOOD, "--method", "zero_shot")
    assert code == 0 and out.strip() == cli_lms.CODE["mul"]
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "x", "statement": ""}\n'))
    code, _, err = sstar_inproc("solve", "-", *GOOD)
    assert code == 2 and err.startswith("error: -:1: field 'statement'")


def test_saved_variant_and_judge_model_are_recorded(sstar_inproc, problems, tmp_path):
    from sstar_dspy.program import SStar
    from sstar_dspy.variants import save_variant

    program = SStar(n=1, rounds=0)
    program.generate.signature = program.generate.signature.with_instructions("Write the program. OP matters.")
    path = save_variant(program, tmp_path / "mine.json")
    code, _, err = sstar_inproc(
        "eval",
        "p.jsonl",
        *GOOD,
        "--judge-model",
        "py:cli_lms:good",
        "--method",
        "zero_shot",
        "--variant",
        "mine.json",
        "--run-dir",
        "run",
    )
    assert code == 0, err
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["settings"]["variant"] == "mine.json"
    assert manifest["settings"]["variant_sha256"] == file_sha256(path)
    assert manifest["models"]["judge"] == "py:cli_lms:good"
    assert _records(tmp_path / "run")[0].passed is True
    generate_calls = [c for lm in cli_lms.BUILT[-2:] for c in lm.calls_for("generate")]
    assert generate_calls and all("OP matters." in c.system for c in generate_calls)  # the variant reached the LM


def test_scoring_a_generate_run_grades_candidates_only(sstar_inproc, problems, tmp_path):
    assert sstar_inproc("generate", "p.jsonl", *GOOD, "--n", "2", "--rounds", "0", "--run-dir", "gen")[0] == 0
    code, out, err = sstar_inproc("score", "gen", "--problems", "p.jsonl", "--run-dir", "scored")
    assert code == 0, err
    scored = _records(tmp_path / "scored")
    assert all(r.passed is None and r.candidates_passed == [True, False] for r in scored)
    assert "pass@1 - of 0 graded, oracle pass@N 100.0%" in out


def test_bare_sstar_prints_the_readable_help(sstar_inproc):
    code, out, err = sstar_inproc()
    assert code == 2 and not out
    assert err.startswith("Usage: sstar") and "\nCommands:\n" in err and "error:" not in err
    assert all(f"  {name} " in err for name in ("solve", "eval", "report", "doctor"))
