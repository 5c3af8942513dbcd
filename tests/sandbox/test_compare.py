"""Comparators: LiveCodeBench's rules, exact, float tolerance; keys agree with equality."""

import itertools

import pytest

from sstar_dspy.sandbox.compare import get_comparator

LCB_CASES = [
    ("6\n", "6", True),
    ("  6  \n\n\n", "6", True),  # whole output and each line stripped
    ("1.0 2\n", "1.00 2", True),  # token-wise Decimal equality
    ("1  2", "1 2", True),  # numeric tokens: spacing does not matter
    ("a  b", "a b", False),  # non-numeric line: exact after strip
    ("0.333333", "0.3333333", False),  # LCB has no float tolerance
    ("YES", "yes", False),  # case-sensitive
    ("1\n2", "1 2", False),  # line counts must match
    ("1\n\n2", "1\n2", False),  # inner blank lines count
    ("1e3", "1000", True),  # Decimal parses exponents
    ("-0", "0", True),
    ("nan", "nan", True),  # equal strings
    ("nan", "NaN", False),  # NaN never equals as a number
    ("", "", True),
    ("x 1.0", "x 1", False),  # a non-numeric token makes the line compare as text
]


@pytest.mark.parametrize(("actual", "expected", "equal"), LCB_CASES)
def test_lcb_stdio_rules(actual, expected, equal):
    assert get_comparator("lcb").equal(actual, expected, "stdin") is equal


def test_exact_is_the_sstar_reference_rule():
    exact = get_comparator("exact")
    assert exact.equal(" 6\n", "6", "stdin")
    assert not exact.equal("1.0", "1.00", "stdin")
    assert not exact.equal("1  2", "1 2", "stdin")


def test_float_tolerance():
    flt = get_comparator("float")
    assert flt.equal("0.333333", "0.3333333", "stdin")
    assert flt.equal("1000000.0000001", "1000000", "stdin")
    assert not flt.equal("0.001", "0.002", "stdin")
    assert not flt.equal("a 1", "b 1", "stdin")
    assert flt.equal("[0.1, 0.2]", "[0.1000000001, 0.2]", "functional")


def test_functional_rules():
    lcb = get_comparator("lcb")
    assert lcb.equal("[1, 2]", "[1,2]", "functional")
    assert lcb.equal("3.0", "3", "functional")
    assert not lcb.equal("[2, 1]", "[1, 2]", "functional")
    assert not lcb.equal("true", "1", "functional")
    assert lcb.equal('{"b": 1, "a": [1.0]}', '{"a": [1], "b": 1}', "functional")
    assert not lcb.equal(None, "1", "functional")


@pytest.mark.parametrize("name", ["lcb", "exact"])
def test_keys_agree_with_equality(name):
    comparator = get_comparator(name)
    outputs = sorted({text for case in LCB_CASES for text in case[:2]} | {"1.50", "1.5", "15E-1", "2 3\n", " 2 3"})
    for a, b in itertools.product(outputs, repeat=2):
        assert (comparator.key(a, "stdin") == comparator.key(b, "stdin")) is comparator.equal(a, b, "stdin"), (a, b)
    functional = ["[1, 2]", "[1.0, 2]", "[2, 1]", "3", "3.0", '"3"', "true", "null", '{"a": 1}']
    for a, b in itertools.product(functional, repeat=2):
        keys_equal = comparator.key(a, "functional") == comparator.key(b, "functional")
        assert keys_equal is comparator.equal(a, b, "functional"), (a, b)


def test_float_keys_group_close_numbers():
    flt = get_comparator("float")
    assert flt.key("0.3333333", "stdin") == flt.key("0.33333333", "stdin")
    assert flt.key("1e-9", "stdin") == flt.key("0", "stdin")


def test_lcb_keys_compare_long_numbers_exactly():
    lcb = get_comparator("lcb")
    nines, power = "9" * 30, "1" + "0" * 30
    assert not lcb.equal(nines, power, "stdin")
    assert lcb.key(nines, "stdin") == nines and lcb.key(nines + ".000", "stdin") == nines
    assert lcb.key("1.50 -0 007", "stdin") == "1.5 0 7"


def test_unknown_comparator():
    with pytest.raises(ValueError, match="use one of exact, float, lcb"):
        get_comparator("fuzzy")
