"""Test isolation: offline LiteLLM, no DSPy disk cache, DSPy settings restored after each test."""

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dspy():
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=True)
    with dspy.context():
        yield
