"""Evaluate Python literal expressions from test source without executing anything.

Benchmarks write tests as Python source (``assert f(**{"a": [1, 2]}) == 3 * 19``). This module folds the
literal part of such expressions over the AST: constants, lists, tuples, sets, dicts, unary +/-/not and
arithmetic on numbers, strings and lists. Anything else (a name, a call, an attribute) raises
:class:`NotLiteralError`. Results are size-capped so a hostile ``[0] * 10**12`` cannot exhaust memory.

Example:
    >>> import ast
    >>> literal_value(ast.parse("(3 + 5, 'ab' * 2, [1] + [-2])", mode="eval").body)
    (8, 'abab', [1, -2])
    >>> literal_value(ast.parse("open('x')", mode="eval").body)
    Traceback (most recent call last):
    ...
    sstar_dspy.problems.literals.NotLiteralError: Call is not a literal
"""

from __future__ import annotations

import ast
import operator
from typing import Any

MAX_ITEMS = 1_000_000
_MAX_POWER_DIGITS = 4000

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_}


class NotLiteralError(ValueError):
    """The expression is not a (foldable) literal."""


def literal_value(node: ast.AST) -> Any:
    """Fold ``node`` into a Python value, or raise NotLiteralError."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [literal_value(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(literal_value(e) for e in node.elts)
    if isinstance(node, ast.Set):
        return {literal_value(e) for e in node.elts}
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotLiteralError("dict unpacking is not a literal")
        return {literal_value(k): literal_value(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _apply(_UNARY[type(node.op)], literal_value(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = literal_value(node.left), literal_value(node.right)
        _check_size(node.op, left, right)
        return _apply(_BINARY[type(node.op)], left, right)
    raise NotLiteralError(f"{type(node).__name__} is not a literal")


def _apply(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
        raise NotLiteralError(f"cannot fold: {exc}") from None


def _check_size(op: ast.operator, left: Any, right: Any) -> None:
    if isinstance(op, ast.Mult):
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple, bytes)) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
                raise NotLiteralError("repeated sequence is too large")
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int):
        if right > 0 and abs(left) > 1 and right * max(abs(left).bit_length(), 1) > _MAX_POWER_DIGITS * 4:
            raise NotLiteralError("power is too large")
