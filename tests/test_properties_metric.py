"""pass@k (metric.pass_at_k) against its combinatorial definition, and the properties reports rely on."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sstar_dspy.metric import pass_at_k

FAST = settings(max_examples=80, deadline=None)


@st.composite
def nck(draw, max_n: int = 60):
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(0, n)), draw(st.integers(1, n))


def exact(n: int, c: int, k: int) -> Fraction:
    """1 - C(n-c, k) / C(n, k): the chance that k of the n samples, drawn without replacement, hold a correct one."""
    return 1 - Fraction(comb(n - c, k), comb(n, k))


@FAST
@given(nck())
def test_matches_the_combinatorial_formula(args):
    n, c, k = args
    assert pass_at_k(n, c, k) == pytest.approx(float(exact(n, c, k)), abs=1e-12)


@FAST
@given(nck())
def test_is_c_over_n_at_k_1_and_a_probability(args):
    n, c, k = args
    assert pass_at_k(n, c, 1) == pytest.approx(c / n, abs=1e-12)
    assert 0.0 <= pass_at_k(n, c, k) <= 1.0
    assert (pass_at_k(n, c, k) == 0.0) == (c == 0)
    if n - c < k:  # every draw of k holds a correct sample (the converse can round to 1.0 in floats)
        assert pass_at_k(n, c, k) == 1.0


@FAST
@given(nck())
def test_is_monotone_in_k_and_in_c(args):
    n, c, k = args
    if k < n:
        assert pass_at_k(n, c, k + 1) >= pass_at_k(n, c, k) - 1e-12
    if c < n:
        assert pass_at_k(n, c + 1, k) >= pass_at_k(n, c, k) - 1e-12


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), k=st.integers(1, 12), p=st.fractions(0, 1, max_denominator=20))
def test_is_unbiased(n, k, p):
    """E[pass_at_k(n, C, k)] over C ~ Binomial(n, p) is exactly 1 - (1 - p)^k, the true pass@k."""
    if k > n:
        k = n
    expectation = sum(comb(n, c) * p**c * (1 - p) ** (n - c) * exact(n, c, k) for c in range(n + 1))
    assert expectation == 1 - (1 - p) ** k
    approx = sum(float(comb(n, c) * p**c * (1 - p) ** (n - c)) * pass_at_k(n, c, k) for c in range(n + 1))
    assert approx == pytest.approx(float(1 - (1 - p) ** k), abs=1e-9)


@pytest.mark.parametrize(("n", "c", "k"), [(0, 0, 1), (3, 1, 0), (3, 1, 4), (3, -1, 1), (3, 4, 1)])
def test_refuses_what_it_cannot_estimate(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)
