"""Output comparators and canonical output keys.

A comparator decides whether an actual output matches the expected one, and maps an output to a
canonical *key* such that two outputs get equal keys exactly when the comparator would consider them
equal (for ``float``, approximately: keys round to 6 significant digits). S* clusters candidates by
these keys, so behaviour classes follow the same rule that grades them.

* ``lcb`` (default): LiveCodeBench's ``grade_stdio``: strip the whole output, split lines, strip each
  line; line counts must match; a line matches if equal, or if both split into whitespace tokens that
  all parse as ``Decimal`` and the decimal lists are equal (no tolerance: ``1.0 == 1.00``, but
  ``0.333333 != 0.3333333``). Functional mode: JSON values equal after tuple->list, as Python ``==``
  (``3 == 3.0``, key order of objects ignored) except that booleans are not numbers (``true != 1``).
* ``exact``: the S* reference: ``actual.strip() == expected.strip()``; functional mode as ``lcb``.
* ``float``: token-wise; numeric tokens equal within abs or rel 1e-6; other tokens exactly.

Example:
    >>> get_comparator("lcb").equal("1.0 2\\n", "1.00 2", "stdin")
    True
    >>> get_comparator("lcb").key("  3 \\n\\n", "stdin")
    '3'
"""

from __future__ import annotations

import json
import math
import re
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Any

from sstar_dspy.problem import Mode

FLOAT_TOLERANCE = 1e-6


def _mode(mode: Mode | str) -> Mode:
    return mode if isinstance(mode, Mode) else Mode(mode)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n")]


# normalize() must not round: LiveCodeBench compares Decimals exactly, whatever their size
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_CANONICAL_INTEGERS = re.compile(r"(?:0|-?[1-9][0-9]*)(?: (?:0|-?[1-9][0-9]*))*")


def _decimal_key(line: str) -> str | None:
    """The canonical decimal form of a line, or None when some token is not a finite-or-infinite number."""
    joined = " ".join(line.split())
    if _CANONICAL_INTEGERS.fullmatch(joined):  # fast path: ASCII integers are their own canonical form
        return joined
    try:
        values = [Decimal(token) for token in line.split()]
    except (InvalidOperation, ValueError):
        return None
    if not values or any(v.is_nan() for v in values):
        return None
    try:
        return " ".join(_decimal_text(v) for v in values)
    except ArithmeticError:  # beyond even the widest context: compared as text
        return None


def _decimal_text(value: Decimal) -> str:
    """One canonical text per value: plain digits, or scientific notation for huge/tiny magnitudes (never padded
    with up to a million zeros: an output like ``1e999999`` must not blow up the caller)."""
    if value == 0:
        return "0"
    value = value.normalize(_EXACT)
    return format(value, "f") if abs(value.adjusted()) <= 64 else str(value)


def _canonical_json(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_canonical_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    return value


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except (ValueError, TypeError):
        return False, None


class Comparator:
    """Base comparator: subclasses define :meth:`stdin_key` and may refine :meth:`equal`."""

    name = "base"

    def stdin_key(self, text: str) -> str:
        raise NotImplementedError

    def functional_key(self, text: str) -> str:
        ok, value = _loads(text)
        if not ok:
            return "raw:" + text.strip()
        return json.dumps(_canonical_json(value), sort_keys=True, separators=(",", ":"))

    def key(self, actual: str | None, mode: Mode | str) -> str | None:
        """Canonical key of an output (None when there is no output)."""
        if actual is None:
            return None
        return self.functional_key(actual) if _mode(mode) is Mode.FUNCTIONAL else self.stdin_key(actual)

    def equal(self, actual: str | None, expected: str, mode: Mode | str) -> bool:
        """Whether ``actual`` matches ``expected`` under this comparator."""
        if actual is None:
            return False
        if _mode(mode) is Mode.FUNCTIONAL:
            return self.functional_key(actual) == self.functional_key(expected)
        return self.stdin_key(actual) == self.stdin_key(expected)


class LcbComparator(Comparator):
    """LiveCodeBench's stdio rule (see the module docstring)."""

    name = "lcb"

    def equal(self, actual: str | None, expected: str, mode: Mode | str) -> bool:
        if actual is not None and _mode(mode) is Mode.STDIN and _lines(actual) == _lines(expected):
            return True  # equal stripped lines: LiveCodeBench's own first check, no Decimal parsing needed
        return super().equal(actual, expected, mode)

    def stdin_key(self, text: str) -> str:
        out = []
        for line in _lines(text):
            decimal = _decimal_key(line)
            out.append(decimal if decimal is not None else line)
        return "\n".join(out)


class ExactComparator(Comparator):
    """The S* reference rule: the whole output stripped, then ``==``."""

    name = "exact"

    def stdin_key(self, text: str) -> str:
        return text.strip()


def _float_token_key(token: str) -> str:
    try:
        value = float(token)
    except ValueError:
        return token
    if math.isnan(value) or math.isinf(value):
        return token.lower()
    return "0" if abs(value) < FLOAT_TOLERANCE else f"{value:.6g}"


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


class FloatComparator(Comparator):
    """Token-wise comparison with numeric tolerance (abs or rel 1e-6), like checker-based judges."""

    name = "float"

    def stdin_key(self, text: str) -> str:
        return "\n".join(" ".join(_float_token_key(t) for t in line.split()) for line in _lines(text))

    def functional_key(self, text: str) -> str:
        ok, value = _loads(text)
        if not ok:
            return "raw:" + text.strip()
        return json.dumps(_round_json(_canonical_json(value)), sort_keys=True, separators=(",", ":"))

    def equal(self, actual: str | None, expected: str, mode: Mode | str) -> bool:
        if actual is None:
            return False
        if _mode(mode) is Mode.FUNCTIONAL:
            ok_a, value_a = _loads(actual)
            ok_e, value_e = _loads(expected)
            if not (ok_a and ok_e):
                return actual.strip() == expected.strip()
            return _close(_canonical_json(value_a), _canonical_json(value_e))
        lines_a, lines_e = _lines(actual), _lines(expected)
        if len(lines_a) != len(lines_e):
            return False
        for line_a, line_e in zip(lines_a, lines_e, strict=True):
            tokens_a, tokens_e = line_a.split(), line_e.split()
            if len(tokens_a) != len(tokens_e):
                return False
            for ta, te in zip(tokens_a, tokens_e, strict=True):
                if ta == te:
                    continue
                try:
                    if not math.isclose(float(ta), float(te), rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE):
                        return False
                except ValueError:
                    return False
        return True


def _round_json(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, list):
        return [_round_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _round_json(v) for k, v in value.items()}
    return value


COMPARATORS: dict[str, type[Comparator]] = {"lcb": LcbComparator, "exact": ExactComparator, "float": FloatComparator}


def get_comparator(name: str) -> Comparator:
    """Return the comparator called ``name`` (``lcb``, ``exact`` or ``float``).

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).
    """
    try:
        return COMPARATORS[name]()
    except KeyError:
        raise ValueError(f"unknown comparator {name!r}: use one of {', '.join(sorted(COMPARATORS))}") from None
