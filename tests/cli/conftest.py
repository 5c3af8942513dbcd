"""Fixtures for CLI tests: run ``sstar`` in-process (fast) or as a real subprocess (kill/resume, env vars).

Helpers live in ``cli_support.py`` (import them from there, not from ``conftest``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # makes `--model py:cli_lms:good` and `cli_support` importable

from cli_support import sstar_command, subprocess_env  # noqa: E402


@pytest.fixture
def run_sstar(tmp_path):
    """Run ``sstar ARGS`` as a subprocess in ``tmp_path``; returns CompletedProcess (text)."""

    def run(*args: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            sstar_command(*args),
            cwd=tmp_path,
            env=subprocess_env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def sstar_inproc(capsys, monkeypatch, tmp_path):
    """Run ``sstar ARGS`` in this process via ``main()``; returns (exit code, stdout, stderr)."""
    from sstar_dspy.cli.main import main

    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("SSTAR_"):
            monkeypatch.delenv(key)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
