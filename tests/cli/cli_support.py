"""Helpers for CLI tests, importable by name (``from cli_support import ...``): a module called ``conftest`` is
ambiguous when pytest collects several test directories (``sys.modules["conftest"]`` is whichever came last).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTAR_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(HERE)])
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["DSPY_CACHEDIR"] = extra.pop("DSPY_CACHEDIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "sstar-cli-tests"))
    env.update(extra)
    return env


def sstar_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sstar_dspy.cli.main", *args]


def run_diagnosis(proc: subprocess.CompletedProcess, run_dir: Path) -> str:
    """What a failed CLI test needs for a diagnosis: exit code, stdout, stderr, records (no traces), run.log."""
    import json

    parts = [f"exit code {proc.returncode}", "--- stdout", proc.stdout[-4000:], "--- stderr", proc.stderr[-8000:]]
    records = run_dir / "records.jsonl"
    parts.append("--- records.jsonl (trace left out)")
    if records.exists():
        for line in records.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                parts.append(f"(unparsable) {line[:300]}")
                continue
            row.pop("trace", None)
            parts.append(json.dumps(row)[:1500])
    else:
        parts.append("(missing)")
    log = run_dir / "run.log"
    parts += ["--- run.log", log.read_text(encoding="utf-8", errors="replace")[-8000:] if log.exists() else "(missing)"]
    return "\n".join(parts)


@contextmanager
def explained(proc: subprocess.CompletedProcess, run_dir: Path):
    """Re-raise an AssertionError inside the block with :func:`run_diagnosis` appended."""
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{run_diagnosis(proc, run_dir)}") from None
