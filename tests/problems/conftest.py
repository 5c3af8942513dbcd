"""Fixtures for the problem-loader tests: the fixture folder and the (optional) shared dev data directory."""

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def shared_data_dir() -> Path | None:
    """$SSTAR_DATA_DIR, else the sibling ../shared/data of the repo root; None when neither exists."""
    env = os.environ.get("SSTAR_DATA_DIR")
    for candidate in ([Path(env)] if env else []) + [REPO_ROOT.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def data_dir() -> Path:
    found = shared_data_dir()
    if found is None:
        pytest.skip(
            "dev data not found: set SSTAR_DATA_DIR to the folder holding leetcode_contest_deepseek_dev.jsonl etc. "
            f"(looked at $SSTAR_DATA_DIR and {REPO_ROOT.parent / 'shared' / 'data'})"
        )
    return found
