"""The LCB comparator against LiveCodeBench's own rule (lcb_runner/evaluation/testing_util.py, grade_stdio).

The reference below restates that rule: strip the whole output, split on "\\n", strip each line; the line
counts must be equal; each line pair matches when the texts are equal, or when both lines split into
whitespace tokens that all parse as ``Decimal`` and the two Decimal lists are equal. No float tolerance.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sstar_dspy.sandbox.compare import get_comparator

LCB = get_comparator("lcb")
FAST = settings(max_examples=60, deadline=None)


def _decimals(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(token) for token in line.split()]
    except (InvalidOperation, ValueError):
        return None


def _comparable_numbers(line: str) -> bool:
    """Every token is a Decimal, and none is NaN (NaN != NaN, so such a line only ever matches its own text)."""
    values = _decimals(line)
    return values is not None and not any(v.is_nan() for v in values)


def lcb_reference(prediction: str, expected: str) -> bool:
    """grade_stdio's comparison of one output, as LiveCodeBench writes it."""
    pred = [line.strip() for line in prediction.strip().split("\n")]
    gold = [line.strip() for line in expected.strip().split("\n")]
    if len(pred) != len(gold):
        return False
    for p, g in zip(pred, gold, strict=True):
        if p == g:
            continue
        dp, dg = _decimals(p), _decimals(g)
        if dp is None or dg is None or dp != dg:
            return False
    return True


# ---- strategies: outputs made of the tokens judges see (ints, decimals, words), then perturbed ----

INTEGER = st.integers(-(10**30), 10**30).map(str)
DECIMAL = (
    st.integers(0, 8).flatmap(lambda places: st.decimals(allow_nan=False, allow_infinity=False, places=places)).map(str)
)
FLOATISH = st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr)
WORD = st.text(alphabet="abcxyzYESNO-_.+eE", min_size=1, max_size=6)
TOKEN = st.one_of(INTEGER, DECIMAL, FLOATISH, WORD, st.sampled_from(["1e3", "1000", "0.10", "0.1", "-0", "0", "inf"]))
LINE = st.lists(TOKEN, min_size=0, max_size=4).map(" ".join)
OUTPUT = st.lists(LINE, min_size=1, max_size=5).map("\n".join)
SPACE = st.sampled_from(["", " ", "  ", "\t", "\r", " \t "])


def _reformat(token: str) -> str:
    """The same number written differently (trailing zeros, exponent, sign of zero), or the token unchanged."""
    value = _decimals(token)
    if not value or len(value) != 1 or not value[0].is_finite():
        return token
    return f"{value[0]:.{max(0, -value[0].as_tuple().exponent) + 2}f}" if value[0] else "0.000"


@FAST
@given(expected=OUTPUT, actual=OUTPUT)
def test_lcb_matches_livecodebench_on_arbitrary_outputs(expected, actual):
    assert LCB.equal(actual, expected, "stdin") == lcb_reference(actual, expected)


@FAST
@given(expected=OUTPUT, pads=st.lists(SPACE, min_size=1, max_size=3), lead=st.text(" \n\t", max_size=3))
def test_whitespace_at_line_ends_and_around_the_output_is_ignored(expected, pads, lead):
    lines = expected.split("\n")
    actual = lead + "\n".join(pads[i % len(pads)] + line + pads[-i % len(pads)] for i, line in enumerate(lines)) + lead
    assert LCB.equal(actual, expected, "stdin")


@FAST
@given(expected=OUTPUT, sep=st.sampled_from(["  ", "\t", " \t", "\r"]))
def test_whitespace_between_tokens_matters_only_between_numbers(expected, sep):
    actual = "\n".join(sep.join(line.split()) for line in expected.split("\n"))
    verdict = LCB.equal(actual, expected, "stdin")
    assert verdict == lcb_reference(actual, expected)
    lines = expected.split("\n")
    assert verdict == all(len(line.split()) <= 1 or _comparable_numbers(line) for line in lines)


@FAST
@given(expected=OUTPUT, extra=st.lists(LINE.filter(lambda s: s.strip()), min_size=1, max_size=3))
def test_extra_or_missing_trailing_lines_fail(expected, extra):
    assume(expected.strip())
    longer = expected.rstrip("\n") + "\n" + "\n".join(extra)
    assert not LCB.equal(longer, expected, "stdin")  # a debug line after the answer
    assert not LCB.equal(expected, longer, "stdin")  # the answer's last lines missing


@FAST
@given(expected=OUTPUT, blank=st.text("\n \t", max_size=4))
def test_trailing_and_leading_blank_lines_are_stripped(expected, blank):
    assert LCB.equal(blank + expected + "\n" + blank, expected, "stdin") == lcb_reference(expected, expected)


@FAST
@given(tokens=st.lists(st.one_of(INTEGER, DECIMAL), min_size=1, max_size=4))
def test_numbers_written_differently_are_equal_when_their_decimal_values_are(tokens):
    expected = " ".join(tokens)
    actual = " ".join(_reformat(t) for t in tokens)
    assert LCB.equal(actual, expected, "stdin")
    assert LCB.key(actual, "stdin") == LCB.key(expected, "stdin")


@FAST
@given(value=st.decimals(allow_nan=False, allow_infinity=False, places=6), ulp=st.sampled_from(["1e-9", "1e-12"]))
def test_no_float_tolerance(value, ulp):
    nearby = Context(prec=200).add(value, Decimal(ulp))  # exact: the default context would round it away
    assert not LCB.equal(str(nearby), str(value), "stdin")  # a checker with tolerance would accept this
    assert get_comparator("float").equal(str(nearby), str(value), "stdin")


@FAST
@given(a=OUTPUT, b=OUTPUT)
def test_keys_agree_with_equality(a, b):
    """Candidates are clustered by key: two outputs share a key exactly when the comparator calls them equal."""
    assert (LCB.key(a, "stdin") == LCB.key(b, "stdin")) == LCB.equal(a, b, "stdin")


@pytest.mark.parametrize(
    ("actual", "expected", "verdict"),
    [
        ("7\ndebug", "7", False),  # extra trailing line
        ("7\n0", "7", False),
        ("7", "7\n0", False),  # missing trailing line
        ("7\n\n\n", "7", True),
        ("  7  \n", "7", True),
        ("1 2\n", "1  2", True),
        ("12", "1 2", False),
        ("1.0", "1.00", True),
        ("0.333333", "0.3333333", False),
        ("1e3", "1000", True),
        ("-0", "0", True),
        ("YES", "yes", False),
        ("", "0", False),
        ("3\n4", "3 4", False),
    ],
)
def test_boundaries(actual, expected, verdict):
    assert LCB.equal(actual, expected, "stdin") is verdict
    assert lcb_reference(actual, expected) is verdict
