"""Every runnable example in the package's docstrings runs and holds."""

import doctest
import importlib
import pkgutil

import pytest

import sstar_dspy

# Run inside the sandbox worker by path (not imported as part of the package).
WORKER_MODULES = {"sstar_dspy.sandbox._forkserver", "sstar_dspy.sandbox._harness", "sstar_dspy.sandbox._outcome"}
MODULES = ["sstar_dspy"] + sorted(
    info.name
    for info in pkgutil.walk_packages(sstar_dspy.__path__, prefix="sstar_dspy.")
    if info.name not in WORKER_MODULES
)
# Modules that must carry at least one runnable example: where users start, and the sandbox's parts.
WITH_EXAMPLES = [
    "sstar_dspy",
    "sstar_dspy.problem",
    "sstar_dspy.program",
    "sstar_dspy.signatures",
    "sstar_dspy.metric",
    "sstar_dspy.sandbox",
    "sstar_dspy.sandbox.backend",
    "sstar_dspy.sandbox.cache",
    "sstar_dspy.sandbox.compare",
    "sstar_dspy.sandbox.local",
    "sstar_dspy.sandbox.probe",
    "sstar_dspy.sandbox.sandbox",
    "sstar_dspy.sandbox.sandboxfusion",
    "sstar_dspy.sandbox._seccomp",
]


def _run_examples(name: str) -> doctest.TestResults:
    return doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = _run_examples(name)
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_modules_that_need_examples_exist():
    assert set(WITH_EXAMPLES) <= set(MODULES)
