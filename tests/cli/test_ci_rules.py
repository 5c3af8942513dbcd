"""The CI skip rules of tests/conftest.py: under CI=true a dev-data skip fails, and the skip count is checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]  # not `from conftest import`: another tests/*/conftest may be cached

TESTS = """
import pytest

def test_needs_dev_data():
    pytest.skip("dev data not found: set SSTAR_DATA_DIR to the folder holding the dev files")

def test_needs_landlock():
    pytest.skip("landlock: the kernel has no Landlock (landlock_create_ruleset failed)")

def test_runs():
    assert True
"""


def _pytest(tmp_path, tests=TESTS, **env):
    shutil.copy(REPO / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_some.py").write_text(tests)
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "SSTAR_CI_EXPECTED_SKIPS", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_outside_ci_missing_dev_data_skips(tmp_path):
    proc = _pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 2 skipped" in proc.stdout


@pytest.mark.slow
def test_under_ci_missing_dev_data_fails_and_the_skip_count_is_checked(tmp_path):
    proc = _pytest(tmp_path, CI="true")
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed, 1 skipped" in proc.stdout
    assert "skipped under CI=true, where it must run: dev data not found" in proc.stdout
    assert _pytest(tmp_path, CI="true", SSTAR_CI_EXPECTED_SKIPS="1").returncode == 1  # still the dev-data failure
    allowed_only = TESTS.replace("def test_needs_dev_data", "def _not_collected")
    assert _pytest(tmp_path, allowed_only, CI="true", SSTAR_CI_EXPECTED_SKIPS="1").returncode == 0
    wrong = _pytest(tmp_path, allowed_only, CI="true", SSTAR_CI_EXPECTED_SKIPS="0")
    assert wrong.returncode == 1 and "CI: 1 tests skipped, expected 0" in wrong.stdout, wrong.stdout
    assert "test_needs_landlock: landlock: the kernel has no Landlock" in wrong.stdout
    missing_package = TESTS.replace("def test_needs_dev_data", "def _not_collected").replace(
        "the kernel has no Landlock (landlock_create_ruleset failed)", "seccomp is not active (pyseccomp missing)"
    )
    refused = _pytest(tmp_path, missing_package, CI="true", SSTAR_CI_EXPECTED_SKIPS="0")
    assert refused.returncode == 1 and "skipped under CI=true, where it must run: landlock: seccomp" in refused.stdout


def test_ci_runs_the_readme_test_line_verbatim_in_a_fresh_venv():
    readme = (REPO / "README.md").read_text()
    quickstart = readme[readme.index("## Quickstart") :]
    line = next(x for x in quickstart.splitlines() if "pytest" in x).strip()
    assert line == 'pip install -e ".[dev]" && python -m pytest -q'
    script = (REPO / ".ci" / "run").read_text()
    assert f"\n{line} || status=$?\n" in script
    assert "-m venv .venv-ci" in script and ". .venv-ci/bin/activate" in script
    assert "apt-get" not in script and "bubblewrap" not in script.split("set -euo")[1]
    assert (REPO / ".ci" / "expected-skips").read_text().strip().isdigit()
