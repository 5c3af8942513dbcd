"""``sstar compare`` / ``sstar optimize`` from the CLI: existing runs without re-running, and one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sstar_dspy.cli.main import main
from sstar_dspy.optimize.comparison import ComparisonError, compare_runs
from sstar_dspy.runs import ProblemRecord, RoleUsage, RunDirectory, RunManifest, load_run
from sstar_dspy.variants import write_paper_variant

sys.path.insert(0, str(Path(__file__).resolve().parent / "optimize"))


def make_run(path: Path, passed: dict[str, bool | None], *, n: int = 4, variant: str = "paper", calls: int = 3) -> Path:
    with RunDirectory.open(path) as run:
        run.write_manifest(
            RunManifest.create(
                command=["sstar", "eval"],
                settings={"method": "sstar", "variant": variant, "n": n},
                data={"source": "x"},
                models={"generator": "m"},
            )
        )
        for i, (pid, ok) in enumerate(passed.items()):
            usage = RoleUsage(calls=calls, prompt_tokens=100, completion_tokens=20)
            run.append(ProblemRecord(problem_id=pid, index=i, passed=ok, total=usage, wall_s=1.5))
    return path


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_existing_runs_compare_without_rerunning(tmp_path, capsys):
    ids = [f"p{i}" for i in range(20)]
    base = make_run(tmp_path / "paper", {pid: i < 5 for i, pid in enumerate(ids)})
    tuned = make_run(tmp_path / "tuned", {pid: i < 12 for i, pid in enumerate(ids)}, variant="tuned.json", calls=5)
    code, out, err = run_cli(["compare", str(base), str(tuned), "--json", str(tmp_path / "c.json")], capsys)
    assert code in (0, None), err
    table = json.loads((tmp_path / "c.json").read_text())
    paper, other = table["rows"]
    assert paper["pass_at_1"]["estimate"] == 0.25 and other["pass_at_1"]["estimate"] == 0.6
    assert other["diff_vs_baseline"]["estimate"] == pytest.approx(0.35)
    assert 0.0 < other["diff_vs_baseline"]["low"] < 0.35 < other["diff_vs_baseline"]["high"]
    assert (other["wins"], other["losses"]) == (7, 0)
    assert (paper["calls"], other["calls"]) == (60, 100)
    assert "+35.0 [" in out and "| tuned |" in out


def test_settings_that_differ_beyond_the_variant_are_noted(tmp_path):
    a = load_run(make_run(tmp_path / "a", {"p1": True, "p2": False}, n=4))
    b = load_run(make_run(tmp_path / "b", {"p1": True, "p2": True, "p3": True}, n=8))
    comparison = compare_runs([a, b], resamples=500)
    assert comparison.problem_ids == ["p1", "p2"]
    assert any("settings.n: 4 -> 8" in note for note in comparison.notes)
    assert any("not in every run" in note for note in comparison.notes)


def test_ungradable_and_errored_problems(tmp_path):
    a = load_run(make_run(tmp_path / "a", {"p1": None, "p2": False}))
    b = load_run(make_run(tmp_path / "b", {"p1": None, "p2": True}))
    assert compare_runs([a, b], resamples=200).problem_ids == ["p2"]
    c = load_run(make_run(tmp_path / "c", {"p1": None}))
    with pytest.raises(ComparisonError, match="no problem is graded in all"):
        compare_runs([a, c])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "paper"], "at least two variants"),
        (["compare", "paper", "nope-variant"], "variant 'nope-variant' not found"),
        (["compare", "paper", "paper"], "share the name"),
        (["optimize", "--suite", "x", "--name", "v", "--optimizer", "adam"], "--optimizer 'adam'"),
        (["optimize", "--suite", "x", "--name", "v", "--train", "lots"], "--train 'lots'"),
        (["optimize", "--suite", "x", "--name", "v", "--tune", "judg"], "unknown predictor or group 'judg'"),
        (["optimize", "--suite", "x", "--name", "v", "--start-from", "missing"], "variant 'missing' not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(argv, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err


def test_variant_without_suite_and_empty_runs_are_refused(tmp_path, capsys):
    run = make_run(tmp_path / "r", {"p1": True})
    code, _, err = run_cli(["compare", str(run), "paper"], capsys)
    assert code == 2 and "pass --suite" in err and len(err.strip().splitlines()) == 1


def test_variant_with_another_signature_layout_is_refused_by_the_cli(tmp_path, capsys):
    old = write_paper_variant(tmp_path / "old-layout.json")
    state = json.loads(old.read_text())
    state["sstar_dspy"]["layout"]["judge"]["inputs"].remove("executions")  # saved before `executions` existed
    old.write_text(json.dumps(state))
    code, _, err = run_cli(["compare", "paper", str(old), "--suite", "example:sum-two"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "predictor 'judge' was saved with fields (problem, program_a, program_b)" in err
    assert "misalign" in err


def test_committed_paper_variant_is_the_codes_defaults(tmp_path):
    repo_paper = Path(__file__).resolve().parent.parent / "signatures" / "paper.json"
    fresh = json.loads(write_paper_variant(tmp_path / "paper.json").read_text())
    committed = json.loads(repo_paper.read_text())
    for key in ("generate", "debug", "generate_tests", "distinguish", "judge"):
        assert committed[key] == fresh[key], (
            f"signatures/paper.json is stale for '{key}': regenerate it with "
            "python -c 'from sstar_dspy.variants import write_paper_variant as w; w()'"
        )
    assert committed["sstar_dspy"]["layout"] == fresh["sstar_dspy"]["layout"]


@pytest.mark.slow
def test_sstar_optimize_cli_writes_variant_log_and_before_after(tmp_path, capsys, monkeypatch):
    import optimize_world

    monkeypatch.chdir(tmp_path)
    suite = optimize_world.write_problems(tmp_path / "calc.jsonl")
    argv = ["optimize", "--suite", str(suite), "--name", "cli-demo", "--tune", "generate", "--train", "2", "--val", "5"]
    argv += [
        "--inner-n",
        "2",
        "--inner-rounds",
        "1",
        "--n",
        "1",
        "--rounds",
        "0",
        "--model",
        "py:optimize_world:make_lm",
    ]
    argv += ["--api-key", "sk-planted-optimize-key"]
    monkeypatch.setattr(sys, "argv", ["sstar", *argv])
    code, out, err = run_cli(argv, capsys)
    assert code in (0, None), err
    variant = tmp_path / "signatures" / "cli-demo.json"
    state = json.loads(variant.read_text())
    assert len(state["generate"]["demos"]) == 1 and state["sstar_dspy"]["provenance"]["command"][:2] == [
        "sstar",
        "optimize",
    ]
    run_dir = tmp_path / "runs" / "optimize-cli-demo"
    assert {"split.json", "optimizer.log", "progress.jsonl", "comparison.md", "result.json"} <= {
        p.name for p in run_dir.iterdir()
    }
    result = json.loads((run_dir / "result.json").read_text())
    assert result["comparison"]["rows"][1]["diff_vs_baseline"]["estimate"] == pytest.approx(0.8)
    assert "variant written to" in out and "diff vs paper" in out
    for path in [variant, *run_dir.rglob("*")]:  # the key never reaches an artifact, log or record
        if path.is_file():
            assert "sk-planted-optimize-key" not in path.read_text(errors="replace"), path
