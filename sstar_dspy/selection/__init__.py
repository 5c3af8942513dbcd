"""Stage 2 of S*: selectors, one per file, all following :class:`~sstar_dspy.selection.base.Selector`.

Example:
    >>> from sstar_dspy.selection import build, names
    >>> build("adaptive", max_duels=4).max_duels
    4
    >>> "oracle" in names()
    True
"""

from __future__ import annotations

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
