"""Stage 2 of S*: selectors, one per file, all following :class:`~sstar_dspy.selection.base.Selector`.

Example:
    >>> from sstar_dspy.selection import build, names
    >>> build("adaptive", max_duels=4).max_duels
    4
    >>> "oracle" in names()
    True
"""

from __future__ import annotations

from math import comb
from typing import Any

from sstar_dspy.errors import SStarError
from sstar_dspy.selection.adaptive import AdaptiveSelector
from sstar_dspy.selection.base import Selector
from sstar_dspy.selection.first import FirstSelector
from sstar_dspy.selection.gentests import GeneratedTestsSelector
from sstar_dspy.selection.judge import JudgeSelector
from sstar_dspy.selection.majority import MajorityVoteSelector
from sstar_dspy.selection.oracle import OracleSelector
from sstar_dspy.selection.random_choice import RandomSelector

__all__ = [
    "AdaptiveSelector",
    "FirstSelector",
    "GeneratedTestsSelector",
    "JudgeSelector",
    "MajorityVoteSelector",
    "OracleSelector",
    "RandomSelector",
    "Selector",
    "build",
    "names",
    "selection_calls",
]

_REGISTRY: dict[str, type] = {
    "adaptive": AdaptiveSelector,
    "first": FirstSelector,
    "random": RandomSelector,
    "majority": MajorityVoteSelector,
    "gentests": GeneratedTestsSelector,
    "judge": JudgeSelector,
    "oracle": OracleSelector,
}


def names() -> list[str]:
    """Names accepted by :func:`build`."""
    return list(_REGISTRY)


def build(name: str, **options: Any) -> Selector:
    """Build a selector by name (for CLIs and configs); options go to its constructor."""
    if name not in _REGISTRY:
        raise SStarError(f"unknown selector {name!r}: choose one of {', '.join(_REGISTRY)}")
    try:
        return _REGISTRY[name](**options)
    except TypeError as err:
        raise SStarError(f"selector {name!r}: bad option ({err}); see help(sstar_dspy.selection.{name})") from None


def selection_calls(selector: Selector, n: int) -> dict[str, int]:
    """The most LM calls ``selector`` can make choosing among ``n`` candidates, per role (before budgets).

    Test-based selectors: ``generate_tests`` once, plus one regeneration. Adaptive (and judge): the
    agreement probe (one ``distinguish`` call, S* only) and per duel one ``distinguish`` call (S* only)
    and two judge calls.

    Example:
        >>> selection_calls(AdaptiveSelector(max_duels=None), 4)
        {'test_generator': 9, 'judge': 12}
        >>> selection_calls(FirstSelector(), 4)
        {'test_generator': 0, 'judge': 0}
    """
    calls = {"test_generator": 0, "judge": 0}
    if isinstance(selector, (MajorityVoteSelector, GeneratedTestsSelector)):
        calls["test_generator"] = 2
    if isinstance(selector, AdaptiveSelector):
        clusters = n if selector.top_k is None else min(n, selector.top_k)
        duels = comb(clusters, 2) if selector.max_duels is None else min(comb(clusters, 2), selector.max_duels)
        synthesize = selector.synthesize_inputs
        probe = int(synthesize and selector.probe_agreement)
        calls["test_generator"] = 1 + int(selector.regenerate_inputs) + probe + (duels if synthesize else 0)
        calls["judge"] = 2 * duels
    return calls
