"""Confidence intervals of pass@1: one method per question.

* **One run's pass@1** (a proportion: k of n problems passed): :func:`wilson`, the Wilson score
  interval. It is closed-form and deterministic and stays sound for small n and at 0 or n passes,
  where a bootstrap collapses to a zero-width [0, 0] or [1, 1]. Used by ``sstar report``
  (``RunSummary.pass_at_1_ci95``), its plots and ``sstar compare``'s pass@1 column.
* **A difference between two variants** run on the same problems: :func:`paired_bootstrap`, which
  resamples problems with replacement and recomputes the mean difference, so the interval reflects
  the problem-to-problem variation the two runs share (a Wilson interval per run ignores the
  pairing). Used by ``sstar compare``'s difference column and ``sstar optimize``'s before/after.
* **A mean of non-binary per-problem scores** (e.g. pass@1 averaged over seeds): :func:`bootstrap_mean`
  (the eval scripts).

Example:
    >>> wilson(1, 6).format()
    '0.167 [0.030, 0.564]'
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
from statistics import NormalDist


@dataclass(frozen=True)
class Interval:
    """A point estimate with its interval (Wilson or percentile bootstrap).

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


def wilson(successes: int, n: int, *, confidence: float = 0.95) -> Interval:
    """Pass@1 of one run, ``successes`` of ``n`` problems, with its Wilson score interval.

    Example:
        >>> wilson(0, 5).low, round(wilson(0, 5).high, 3), wilson(5, 5).high
        (0.0, 0.434, 1.0)

    Raises:
        ValueError: When ``n < 1``.
    """
    if n <= 0:
        raise ValueError(f"wilson: need n >= 1 (got {n})")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends (no rounding residue)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(p, low, high, confidence, n)


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
