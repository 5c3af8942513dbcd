"""Must-show: optimize -> save -> load in a fresh process -> eval changes behaviour; compare reports it with a CI.

Offline: the scripted LM of ``optimize_world`` writes the right program only when its prompt teaches
it to (a demo or an instruction), and real programs run in the real sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sstar_dspy.optimize import OptimizerName, OptimizeSettings
from sstar_dspy.optimize.run import run_optimization
from sstar_dspy.program import RoleLMs, SStar

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import optimize_world  # noqa: E402

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(HERE), env.get("PYTHONPATH", "")])
    env["DSPY_CACHEDIR"] = env.get("DSPY_CACHEDIR_TEST", "/tmp/sstar-test-dspy-cache-unused")
    env["SSTAR_LOG_LEVEL"] = "ERROR"
    return env


@pytest.fixture(scope="module")
def optimized(tmp_path_factory):
    """One BootstrapFewShot optimization of `generate` on 2 train problems; 5 held-out validation problems."""
    tmp = tmp_path_factory.mktemp("opt")
    lm = optimize_world.make_lm()

    def build(n: int, rounds: int) -> SStar:
        return SStar(n=n, rounds=rounds, lms=RoleLMs(generator=lm), num_threads=1)

    report = run_optimization(
        optimize_world.problems(),
        name=tmp / "signatures" / "split-demo.json",
        settings=OptimizeSettings(optimizer=OptimizerName.BOOTSTRAP, tune=["generate"], max_bootstrapped_demos=1),
        build_program=build,
        run_dir=tmp / "run",
        train=2,
        val=5,
        inner=(2, 1),
        final=(1, 0),
        task_lm=lm,
        models={"generator": "scripted"},
        description="demo that teaches reading both integers from one line",
    )
    return tmp, report, lm


def test_variant_holds_one_passing_generate_demo_and_frozen_predictors_are_untouched(optimized):
    _, report, _ = optimized
    state = json.loads(report.variant_path.read_text())
    demos = state["generate"]["demos"]
    assert len(demos) == 1
    assert "input().split()" in demos[0]["code"]  # the passing sample, never the failed one
    untouched = SStar(n=1)  # frozen predictors keep the code defaults (debug: one format demo)
    for frozen in ("debug", "generate_tests", "distinguish", "judge"):
        assert [d["code"] for d in state[frozen]["demos"]] == [d.code for d in getattr(untouched, frozen).demos]
    info = state["sstar_dspy"]
    assert info["provenance"]["tuned"] == ["generate"]
    assert set(info["provenance"]["split"]["train"]).isdisjoint(info["provenance"]["split"]["val"])
    evidence = json.loads((report.run_dir / "demo_evidence.json").read_text())
    assert evidence["dropped"].get("code", 0) >= 1  # the failed sample (and its debug round) were refused
    assert (report.run_dir / "optimizer.log").read_text().strip()
    assert len((report.run_dir / "progress.jsonl").read_text().splitlines()) >= 1


def test_before_after_on_validation_split_reports_gain_with_interval(optimized):
    _, report, _ = optimized
    rows = report.comparison.rows
    assert [r.name for r in rows] == ["paper", "split-demo"]
    assert rows[0].pass_at_1.estimate == 0.0
    assert rows[1].pass_at_1.estimate == pytest.approx(4 / 5)  # every problem except the hard one
    assert rows[1].diff.estimate == pytest.approx(0.8)
    assert rows[1].diff.low > 0.0  # the interval excludes no gain
    assert (report.run_dir / "comparison.md").read_text().count("|") > 10


def test_fresh_process_load_changes_behaviour(optimized):
    tmp, report, _ = optimized
    val_file = tmp / "val.jsonl"
    val_ids = set(report.val_ids)
    val_file.write_text(
        "".join(p.model_dump_json() + "\n" for p in optimize_world.problems() if p.id in val_ids), encoding="utf-8"
    )
    results = {}
    for variant in ("paper", str(report.variant_path)):
        out = subprocess.run(
            [sys.executable, str(HERE / "optimize_world.py"), variant, str(val_file)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
            check=True,
        )
        results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    assert not any(results["paper"].values())
    tuned = results[str(report.variant_path)]
    assert sum(tuned.values()) == 4 and tuned["calc-hard"] is False


def test_cli_compare_in_a_fresh_process_reports_difference_with_interval(optimized, tmp_path):
    tmp, report, _ = optimized
    problems_file = optimize_world.write_problems(tmp_path / "calc.jsonl")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sstar_dspy.cli.main",
            "compare",
            "paper",
            str(report.variant_path),
            "--suite",
            str(problems_file),
            "--model",
            "py:optimize_world:make_lm",
            "--n",
            "1",
            "--rounds",
            "0",
            "--out",
            str(tmp_path / "cmp"),
            "--json",
            str(tmp_path / "cmp.json"),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    table = json.loads((tmp_path / "cmp.json").read_text())
    paper, tuned = table["rows"]
    assert table["problems"] == 7
    assert paper["pass_at_1"]["estimate"] == 0.0
    assert tuned["pass_at_1"]["estimate"] == pytest.approx(6 / 7)
    assert tuned["diff_vs_baseline"]["low"] > 0.0
    assert "split-demo" in out.stdout and "diff vs paper" in out.stdout
    # Existing run directories compare without re-running anything (no --suite, no model).
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "sstar_dspy.cli.main",
            "compare",
            str(tmp_path / "cmp" / "paper"),
            str(tmp_path / "cmp" / "split-demo"),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert "+85.7" in again.stdout
