"""A planted API key never appears in records, manifests, logs, terminal output or saved programs."""

from __future__ import annotations

import cli_lms
import pytest

KEY = "sk-planted-0123456789abcdefXYZ"
ENV_KEY = "planted-env-secret-9876543210"


@pytest.mark.slow
def test_planted_key_never_written(run_sstar, tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", 2)
    common = ["--model", "py:cli_lms:leaky", "--api-key", KEY]
    ev = run_sstar("eval", "p.jsonl", *common, "--method", "self_debug", "--run-dir", "run", OPENAI_API_KEY=ENV_KEY)
    assert ev.returncode == 0, ev.stderr
    solve = run_sstar(
        "solve",
        "p.jsonl",
        "--id",
        "arith-00",
        *common,
        "--method",
        "zero_shot",
        "--out",
        "prog.py",
        "--trace",
        "trace.json",
        SSTAR_API_KEY=KEY,
        OPENAI_API_KEY=ENV_KEY,
    )
    assert solve.returncode == 0, solve.stderr
    report = run_sstar("report", "run")
    assert report.returncode == 0, report.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json", ".log", ".py", ".md")]
    assert {"records.jsonl", "manifest.json", "run.log", "prog.py", "trace.json"} <= {p.name for p in written}
    for path in written:
        if path.name == "p.jsonl":
            continue
        text = path.read_text()
        assert KEY not in text and ENV_KEY not in text, path
    for proc in (ev, solve, report):
        assert KEY not in proc.stdout + proc.stderr and ENV_KEY not in proc.stdout + proc.stderr
    # the LM really saw the key and put it in its code: redaction, not luck, kept it out
    assert "# key: ***" in (tmp_path / "prog.py").read_text()
