"""Bootstrap intervals: estimates, pairing, reproducibility."""

from __future__ import annotations

import pytest

from sstar_dspy.runs.stats import bootstrap_mean, paired_bootstrap


def test_mean_interval_contains_estimate_and_is_reproducible():
    scores = [1, 0, 1, 1, 0, 1, 0, 1, 1, 1]
    a = bootstrap_mean(scores, resamples=2000, seed=3)
    b = bootstrap_mean(scores, resamples=2000, seed=3)
    assert a == b
    assert a.estimate == pytest.approx(0.7)
    assert 0.3 < a.low < 0.7 < a.high <= 1.0


def test_constant_scores_give_a_degenerate_interval():
    ci = bootstrap_mean([1, 1, 1, 1])
    assert (ci.low, ci.estimate, ci.high) == (1.0, 1.0, 1.0)


def test_paired_interval_is_tighter_than_unpaired_for_correlated_scores():
    # Variant B solves everything A solves plus 3 more of 40: a consistent gain.
    base = [1] * 20 + [0] * 20
    other = [1] * 23 + [0] * 17
    ci = paired_bootstrap(base, other, resamples=4000)
    assert ci.estimate == pytest.approx(3 / 40)
    assert ci.low >= 0.0 and ci.high > ci.estimate
    # Unpaired intervals of the two means overlap widely although every paired difference is >= 0.
    assert bootstrap_mean(other).low < bootstrap_mean(base).high


def test_a_real_difference_excludes_zero_and_no_difference_does_not():
    base = [0] * 30 + [1] * 10
    better = [1] * 30 + [1] * 10
    assert paired_bootstrap(base, better, resamples=2000).excludes_zero()
    assert not paired_bootstrap(base, list(base), resamples=2000).excludes_zero()


def test_unpaired_lengths_are_refused():
    with pytest.raises(ValueError, match="equal lengths"):
        paired_bootstrap([1, 0], [1])


def test_empty_scores_give_nan():
    ci = bootstrap_mean([])
    assert ci.n == 0 and ci.estimate != ci.estimate


def test_one_runs_pass_at_1_has_one_interval_in_report_and_compare():
    from sstar_dspy.optimize.comparison import compare_runs
    from sstar_dspy.runs.record import ProblemRecord
    from sstar_dspy.runs.stats import wilson
    from sstar_dspy.runs.summary import Run, summarize

    run = Run(None, None, [ProblemRecord(problem_id=p, passed=p == "a") for p in "abc"])
    other = Run(None, None, [ProblemRecord(problem_id=p, passed=True) for p in "abc"])
    row = compare_runs([run, other], resamples=200).rows[0]
    expected = (wilson(1, 3).low, wilson(1, 3).high)
    assert (row.pass_at_1.low, row.pass_at_1.high) == summarize(run).pass_at_1_ci95 == expected
    assert wilson(0, 4).low == 0.0 and wilson(4, 4).high == 1.0 and wilson(0, 4).high > 0.4  # never [0, 0]
