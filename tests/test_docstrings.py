"""Every runnable example in the package's docstrings runs and holds (the sandbox has its own list)."""

import doctest
import importlib
import pkgutil

import pytest

import sstar_dspy

# Modules run inside the sandbox worker (not importable as part of the package) are left out.
SKIP = {"sstar_dspy.sandbox._forkserver", "sstar_dspy.sandbox._harness"}
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(sstar_dspy.__path__, prefix="sstar_dspy.")
    if info.name not in SKIP and not info.name.startswith("sstar_dspy.sandbox")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_the_public_modules_have_examples():
    """The modules users start from carry at least one runnable example."""
    public = ["sstar_dspy", "sstar_dspy.problem", "sstar_dspy.program", "sstar_dspy.signatures", "sstar_dspy.metric"]
    attempted = {name: doctest.testmod(importlib.import_module(name)).attempted for name in public}
    assert all(attempted.values()), attempted
