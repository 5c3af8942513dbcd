"""Named configurations reproducing the S* paper's Table 1 columns.

=============  ==========  ===============  ================================================
preset         samples n   debug rounds     selection
=============  ==========  ===============  ================================================
zero_shot      1           0                the only sample
majority_vote  16          0                output agreement on generated inputs (no filter)
self_debug     1           2                the only sample
sstar          16          2                adaptive: clusters + judged duels
=============  ==========  ===============  ================================================

Every preset takes the same keyword overrides (``n``, ``rounds``, ``lms``, ``budget``, ``seed``,
``sandbox``, ...), so a cheap run is ``presets.sstar(n=4, rounds=1)``.

Example:
    >>> from sstar_dspy import presets
    >>> presets.sstar(n=4, rounds=1).settings()["selector"]["class"]
    'AdaptiveSelector'
    >>> presets.build("zero_shot").n
    1
"""

from __future__ import annotations

from typing import Any

from sstar_dspy.errors import SStarError
from sstar_dspy.program import SStar
from sstar_dspy.selection import AdaptiveSelector, FirstSelector, MajorityVoteSelector, Selector

__all__ = ["build", "majority_vote", "names", "self_debug", "sstar", "zero_shot"]


def zero_shot(*, n: int = 1, rounds: int = 0, **kwargs: Any) -> SStar:
    """One sample, no debugging (the paper's zero-shot column)."""
    return SStar(n=n, rounds=rounds, selector=kwargs.pop("selector", FirstSelector()), **kwargs)


def majority_vote(*, n: int = 16, rounds: int = 0, **kwargs: Any) -> SStar:
    """N samples without debugging, chosen by output agreement on generated inputs."""
    return SStar(n=n, rounds=rounds, selector=kwargs.pop("selector", MajorityVoteSelector()), **kwargs)


def self_debug(*, n: int = 1, rounds: int = 2, **kwargs: Any) -> SStar:
    """One sample debugged for up to two rounds on the public tests."""
    return SStar(n=n, rounds=rounds, selector=kwargs.pop("selector", FirstSelector()), **kwargs)


def sstar(
    *, n: int = 16, rounds: int = 2, max_duels: int | None = 10, top_k: int | None = None, **kwargs: Any
) -> SStar:
    """Full S*: N samples, two debug rounds, adaptive selection (duel cap and consensus top-k)."""
    selector: Selector = kwargs.pop("selector", AdaptiveSelector(max_duels=max_duels, top_k=top_k))
    return SStar(n=n, rounds=rounds, selector=selector, **kwargs)


_PRESETS = {"zero_shot": zero_shot, "majority_vote": majority_vote, "self_debug": self_debug, "sstar": sstar}


def names() -> list[str]:
    """Preset names accepted by :func:`build`."""
    return list(_PRESETS)


def build(name: str, **kwargs: Any) -> SStar:
    """Build a preset by name (``-`` and ``_`` are interchangeable); kwargs override its settings."""
    key = name.replace("-", "_")
    if key not in _PRESETS:
        raise SStarError(f"unknown preset {name!r}: choose one of {', '.join(_PRESETS)}")
    return _PRESETS[key](**kwargs)
