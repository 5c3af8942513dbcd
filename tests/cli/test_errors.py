"""At least 20 malformed inputs: each gives one clear line on stderr, exit code 2, no traceback, run dir intact."""

from __future__ import annotations

import hashlib
import json

import cli_lms
import pytest

GOOD = ["--model", "py:cli_lms:good"]


def _digest(run_dir):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(run_dir.iterdir()) if p.is_file()}


@pytest.fixture
def workspace(tmp_path, sstar_inproc):
    """Problems, broken inputs and one finished run directory to keep intact."""
    cli_lms.write_problems(tmp_path / "p.jsonl", 3)
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "statement": "x"}\n{not json\n')
    (tmp_path / "schema.jsonl").write_text('{"id": "a", "statement": "", "mode": "nope"}\n')
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "blocker").write_text("a file where a directory should be")
    (tmp_path / "cands.jsonl").write_text('{"problem_id": "arith-00"}\n')
    corrupt = tmp_path / "corrupt-run"
    corrupt.mkdir()
    (corrupt / "records.jsonl").write_text('{"problem_id": "a"}\ngarbage\n{"problem_id": "b"}\n')
    from sstar_dspy.program import SStar
    from sstar_dspy.variants import save_variant

    path = save_variant(SStar(n=1, rounds=0), tmp_path / "future.json")
    data = json.loads(path.read_text())
    data["sstar_dspy"]["format_version"] = 99
    path.write_text(json.dumps(data))
    path = save_variant(SStar(n=1, rounds=0), tmp_path / "oldlayout.json")
    data = json.loads(path.read_text())
    first = next(iter(data["sstar_dspy"]["layout"]))
    data["sstar_dspy"]["layout"][first]["inputs"] = ["question"]
    path.write_text(json.dumps(data))
    code, out, err = sstar_inproc("eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--run-dir", "run")
    assert code == 0, err
    return tmp_path


CASES = [
    ("no-argument", ["eval"], "Missing argument"),
    ("unknown-flag", ["eval", "p.jsonl", "--no-such-flag"], "No such option"),
    ("missing-file", ["eval", "missing.jsonl"], "missing.jsonl"),
    ("bad-jsonl", ["eval", "bad.jsonl"], "bad.jsonl:2"),
    ("bad-schema", ["eval", "schema.jsonl"], "schema.jsonl:1"),
    ("unknown-suite", ["eval", "no-such-suite"], "no-such-suite"),
    ("unwritable-run-dir", ["eval", "p.jsonl", *GOOD, "--run-dir", "blocker/run"], "cannot create the run directory"),
    ("zero-run-calls", ["eval", "p.jsonl", "--max-run-calls", "0"], "--max-run-calls"),
    ("negative-run-cost", ["eval", "p.jsonl", "--max-run-cost", "-1"], "--max-run-cost must be a positive"),
    ("non-numeric-budget", ["eval", "p.jsonl", "--max-problem-calls", "many"], "--max-problem-calls"),
    ("unpriced-dollar-budget", ["eval", "p.jsonl", *GOOD, "--max-problem-cost", "0.5"], "has no price"),
    ("future-variant", ["eval", "p.jsonl", *GOOD, "--variant", "future.json"], "future.json"),
    ("incompatible-variant", ["eval", "p.jsonl", *GOOD, "--variant", "oldlayout.json"], "oldlayout.json"),
    ("missing-variant", ["eval", "p.jsonl", "--variant", "nope.json"], "nope.json"),
    ("unknown-method", ["eval", "p.jsonl", "--method", "bogus"], "unknown --method 'bogus'"),
    ("unknown-selector", ["eval", "p.jsonl", *GOOD, "--selector", "bogus"], "unknown selector 'bogus'"),
    ("zero-samples", ["eval", "p.jsonl", "--n", "0"], "--n"),
    ("temperature-range", ["eval", "p.jsonl", "--temperature", "5"], "--temperature"),
    ("bad-model-factory", ["eval", "p.jsonl", "--model", "py:no_such_module:f"], "cannot import"),
    ("bad-scripted-file", ["eval", "p.jsonl", "--model", "scripted:nope.json"], "nope.json"),
    ("duels-without-adaptive", ["eval", "p.jsonl", *GOOD, "--method", "zero_shot", "--max-duels", "2"], "--max-duels"),
    ("zero-limit", ["eval", "p.jsonl", "--limit", "0"], "--limit"),
    (
        "changed-config-resume",
        ["eval", "p.jsonl", *GOOD, "--method", "self_debug", "--run-dir", "run"],
        "different config",
    ),
    ("empty-statement", ["solve", "empty.txt", *GOOD], "empty problem"),
    ("ambiguous-solve", ["solve", "p.jsonl", *GOOD], "pick one with --id"),
    ("missing-candidates", ["select", "none.jsonl", "--problems", "p.jsonl", *GOOD], "none.jsonl"),
    ("bad-candidates", ["select", "cands.jsonl", "--problems", "p.jsonl", *GOOD], "cands.jsonl:1: field 'program'"),
    ("score-missing-run", ["score", "nothing", "--problems", "p.jsonl"], "nothing"),
    ("report-missing-run", ["report", "nowhere"], "nowhere"),
    ("report-corrupt-run", ["report", "corrupt-run"], "records.jsonl:2: not a run record"),
]


@pytest.mark.parametrize("name, args, fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_is_one_clear_line(workspace, sstar_inproc, name, args, fragment):
    before = _digest(workspace / "run")
    code, out, err = sstar_inproc(*args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (name, code, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in err + out
    assert _digest(workspace / "run") == before
    assert not (workspace / "blocker").is_dir()


def test_there_are_at_least_20_cases():
    assert len(CASES) >= 20


def test_bad_env_var_value_is_one_line_in_a_real_process(run_sstar, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 1)
    proc = run_sstar("eval", "p.jsonl", SSTAR_N="lots")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--n" in proc.stderr and "Traceback" not in proc.stderr
