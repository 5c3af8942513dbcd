"""The runnable examples in the problems package docstrings stay true."""

import doctest
import importlib
import pkgutil

import pytest

import sstar_dspy.problems as package

MODULES = sorted(m.name for m in pkgutil.iter_modules(package.__path__, prefix=package.__name__ + "."))


@pytest.mark.parametrize("name", [package.__name__, *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} doctest failures"
    assert result.attempted > 0 or not module.__doc__ or ">>>" not in module.__doc__
