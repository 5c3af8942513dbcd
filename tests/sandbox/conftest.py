"""Shared sandbox fixtures: one warm sandbox per test module (workers start once), short limits."""

import pytest

from sstar_dspy.sandbox import Limits, Sandbox

FAST = Limits(timeout_s=2.0, memory_mb=512, output_bytes=1 << 16)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=FAST, workers=2, cache=False) as box:
        yield box
