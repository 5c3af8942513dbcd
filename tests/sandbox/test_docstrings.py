"""The runnable examples in the sandbox's docstrings run and hold."""

import doctest
import importlib

import pytest

MODULES = [
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


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0
