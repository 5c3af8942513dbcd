"""Bootstrap confidence intervals for pass@1 and for paired differences between variants.

Two variants run on the same problems (and seeds) are compared problem by problem: the paired
bootstrap resamples problems with replacement and recomputes the mean difference, so the
interval reflects the problem-to-problem variation that the two runs share.

Example:
    >>> ci = paired_bootstrap([0, 1, 0, 0, 0, 1], [1, 1, 0, 1, 0, 1], resamples=2000, seed=0)
    >>> round(ci.estimate, 3)
    0.333
    >>> ci.low <= ci.estimate <= ci.high
    True
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile bootstrap interval.

    Attributes:
        estimate: The statistic on the observed data.
        low: Lower bound of the interval.
        high: Upper bound of the interval.
        confidence: Nominal coverage, e.g. 0.95.
        n: Number of (paired) observations.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n: int

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0 (the difference is 'significant')."""
        return self.low > 0 or self.high < 0

    def format(self, *, signed: bool = False, percent: bool = False) -> str:
        """Render as ``estimate [low, high]``; ``signed`` for differences, ``percent`` for percentage points.

        Example:
            >>> Interval(0.25, -0.05, 0.5, 0.95, 20).format(signed=True, percent=True)
            '+25.0 [-5.0, +50.0]'
        """
        scale = 100.0 if percent else 1.0
        spec = ("+" if signed else "") + (".1f" if percent else ".3f")
        est, lo, hi = (format(v * scale, spec) for v in (self.estimate, self.low, self.high))
        return f"{est} [{lo}, {hi}]"


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile of already sorted values (q in [0, 1])."""
    if not sorted_values:
        return math.nan
    pos = q * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_mean(
    scores: Sequence[float], *, resamples: int = 10_000, confidence: float = 0.95, seed: int = 0
) -> Interval:
    """Mean of per-problem scores (e.g. pass@1 in [0, 1]) with a percentile bootstrap interval.

    Example:
        >>> ci = bootstrap_mean([1, 0, 1, 1], resamples=1000)
        >>> ci.estimate
        0.75
    """
    values = [float(s) for s in scores]
    n = len(values)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, confidence, 0)
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    alpha = (1.0 - confidence) / 2
    return Interval(sum(values) / n, _percentile(means, alpha), _percentile(means, 1 - alpha), confidence, n)


def paired_bootstrap(
    baseline: Sequence[float],
    other: Sequence[float],
    *,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Mean of ``other - baseline`` over paired problems, with a paired percentile bootstrap interval.

    Args:
        baseline: Per-problem scores of the reference variant.
        other: Per-problem scores of the compared variant, in the same problem order.
        resamples: Bootstrap resamples.
        confidence: Nominal coverage of the interval.
        seed: RNG seed (the interval is reproducible).

    Raises:
        ValueError: When the two sequences have different lengths (they must be paired).
    """
    if len(baseline) != len(other):
        raise ValueError(f"paired scores need equal lengths, got {len(baseline)} and {len(other)}")
    diffs = [float(b) - float(a) for a, b in zip(baseline, other, strict=True)]
    return bootstrap_mean(diffs, resamples=resamples, confidence=confidence, seed=seed)
