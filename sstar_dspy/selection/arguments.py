"""Functional-problem arguments: the parameters from the starter code, and repair of written inputs.

A functional test input is one JSON value per line, one line per positional argument (the
LiveCodeBench encoding). Models write arguments in many other ways; :func:`parse_arguments` turns
the common ones into that encoding when the parameters' count and types leave one reading, and
says why not otherwise. Readings are tried in order and the first whose arity and types check wins:

1. JSON lines as they are (no repair);
2. Python literals per line (``True``, ``None``, tuples, single quotes);
3. a call or keyword form: ``f(1, [2])``, ``Solution().f(...)``, ``nums = [1, 2], k = 3`` (also one
   assignment per line), and a JSON object keyed by the parameter names;
4. one JSON array holding every argument (when there are two or more parameters);
5. stdin style: whitespace- or comma-separated values, one line per argument or, when at most one
   parameter is a list, all on one line.

Types come from the annotations (``int``, ``float``, ``str``, ``bool``, ``List[...]``,
``Optional[...]``, ``Dict``); anything else (``TreeNode``...) accepts any value. Near-misses are
coerced (``"5"`` for an ``int``, ``2.0`` for an ``int``, ``7`` for a ``str``).

Example:
    >>> params = function_parameters("class Solution:\\n    def f(self, nums: List[int], k: int) -> int:\\n", "f")
    >>> [(p.name, p.type) for p in params]
    [('nums', 'List[int]'), ('k', 'int')]
    >>> parse_arguments("nums = [1, 2], k = True", params)
    Traceback (most recent call last):
    ...
    sstar_dspy.selection.arguments.ArgumentError: argument k: expected int, got true
    >>> parse_arguments("1 1 2 1 3", params)
    ('[1, 1, 2, 1]\\n3', 'stdin-style values')
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from sstar_dspy.signatures import Parameter

__all__ = ["ArgumentError", "TypeSpec", "function_parameters", "parse_arguments", "type_spec"]

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_CALL = re.compile(r"^\s*[A-Za-z_][\w.]*(\(\s*\))?(\.[A-Za-z_]\w*)?\s*\((.*)\)\s*;?\s*$", re.DOTALL)
_ASSIGN_LINE = re.compile(r"^\s*[A-Za-z_]\w*\s*=(?!=)")


class ArgumentError(ValueError):
    """A written input cannot be read as the function's arguments (the message says why)."""


@dataclass(frozen=True)
class TypeSpec:
    """What an annotation allows: ``kind`` in int/float/str/bool/list/dict/any; ``item`` for lists."""

    kind: str = "any"
    item: TypeSpec | None = None
    optional: bool = False


_SCALARS = {"int": "int", "float": "float", "str": "str", "bool": "bool"}
_LISTS = {"List", "list", "Sequence", "Tuple", "tuple", "Set", "set"}
_DICTS = {"Dict", "dict", "Mapping"}


def type_spec(annotation: str) -> TypeSpec:
    """Parse an annotation as written (``"List[Optional[int]]"``) into a :class:`TypeSpec`.

    Example:
        >>> type_spec("List[List[int]]").item.item.kind
        'int'
    """
    try:
        node = ast.parse(annotation.strip(), mode="eval").body if annotation.strip() else None
    except SyntaxError:
        return TypeSpec()
    return _spec(node) if node is not None else TypeSpec()


def _spec(node: ast.expr) -> TypeSpec:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted forward reference
        return type_spec(node.value)
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    if name is not None:
        return TypeSpec(_SCALARS.get(name) or ("list" if name in _LISTS else "dict" if name in _DICTS else "any"))
    if isinstance(node, ast.Subscript):
        outer = _spec(node.value).kind if not isinstance(node.value, ast.Name) else None
        base = node.value.id if isinstance(node.value, ast.Name) else outer or ""
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional":
            inner = _spec(args[0])
            return TypeSpec(inner.kind, inner.item, optional=True)
        if base in _LISTS or outer == "list":
            same = base in ("Tuple", "tuple") and len(args) > 1 and len({ast.dump(a) for a in args}) > 1
            return TypeSpec("list", None if same else _spec(args[0]))
        if base in _DICTS:
            return TypeSpec("dict")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # int | None
        left, right = _spec(node.left), _spec(node.right)
        if _is_none(node.right):
            return TypeSpec(left.kind, left.item, optional=True)
        if _is_none(node.left):
            return TypeSpec(right.kind, right.item, optional=True)
    return TypeSpec()


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def function_parameters(starter_code: str, function_name: str) -> list[Parameter] | None:
    """The positional parameters of ``function_name`` in the starter code (``self`` dropped).

    The starter code may stop before the body, so only the ``def`` header is parsed. None when the
    function is not found, or its arity is not fixed (``*args``).
    """
    header = re.search(rf"\bdef\s+{re.escape(function_name)}\s*\((.*?)\)\s*(->[^:]*)?:", starter_code, re.DOTALL)
    if not header:
        return None
    try:
        tree = ast.parse(f"def _f({header.group(1)}):\n    pass\n")
    except SyntaxError:
        return None
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    if fn.args.vararg or fn.args.kwonlyargs:
        return None
    args = [*fn.args.posonlyargs, *fn.args.args]
    if args and args[0].arg in ("self", "cls"):
        args = args[1:]
    return [Parameter(name=a.arg, type=ast.unparse(a.annotation) if a.annotation else "") for a in args]


# -- values -----------------------------------------------------------------------------------------
def _coerce(value: Any, spec: TypeSpec, where: str) -> Any:
    """``value`` as ``spec`` allows it (near-misses converted), else ArgumentError naming ``where``."""
    if value is None and (spec.optional or spec.kind == "any"):
        return None
    kind = spec.kind
    if kind == "any":
        return value
    if kind == "int":
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            return value
        elif isinstance(value, float) and value.is_integer():
            return int(value)
        elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            return float(value)
    elif kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    elif kind == "list":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        if isinstance(value, list):
            item = spec.item or TypeSpec()
            return [_coerce(v, item, f"{where} item") for v in value]
    elif kind == "dict" and isinstance(value, dict):
        return value
    raise ArgumentError(f"{where}: expected {_describe(spec)}, got {_short(value)}")


def _describe(spec: TypeSpec) -> str:
    return f"a list of {_describe(spec.item)}" if spec.kind == "list" and spec.item else spec.kind


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _jsonable(value: Any) -> Any:
    """Python literal values as JSON values (tuples and sets become lists)."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return [_jsonable(v) for v in (sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value)]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (complex, bytes)):
        raise ValueError("not a JSON value")
    return value


def _literal(text: str) -> Any:
    """A JSON value, else a Python literal converted to JSON; ValueError if neither."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return _jsonable(ast.literal_eval(text.strip()))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(f"not a JSON or Python value: {text.strip()[:40]!r}") from None


def check_arguments(values: list[Any], params: list[Parameter]) -> list[Any]:
    """Arity and types of ``values`` against ``params``; the coerced values, else ArgumentError."""
    if len(values) != len(params):
        names = ", ".join(p.name for p in params)
        raise ArgumentError(f"{len(params)} arguments expected ({names}), found {len(values)}")
    return [_coerce(v, type_spec(p.type), f"argument {p.name}") for v, p in zip(values, params, strict=True)]


def encode(values: list[Any]) -> str:
    """Arguments in the test encoding: one JSON value per line."""
    return "\n".join(json.dumps(v) for v in values)


# -- readings -----------------------------------------------------------------------------------------
def _by_name(mapping: dict[str, Any], params: list[Parameter]) -> list[Any]:
    names = [p.name for p in params]
    if set(mapping) == set(names):
        return [mapping[n] for n in names]
    if len(mapping) == 1 and len(params) != 1:  # {"args": [...]}, {"input": {...}}
        inner = next(iter(mapping.values()))
        if isinstance(inner, dict):
            return _by_name(inner, params)
        if isinstance(inner, list):
            return inner
    unknown = sorted(set(mapping) - set(names))
    raise ArgumentError(f"argument names {unknown} are not the parameters ({', '.join(names)})")


def _from_call(text: str, params: list[Parameter]) -> list[Any]:
    """``f(1, [2])``, ``Solution().f(...)``, ``a = 1, b = [2]`` or one ``name = value`` per line."""
    call = _CALL.match(text)
    if not call and "=" not in text:  # bare "a, b" is a tuple literal; newlines would concatenate strings
        raise ValueError("not a call or keyword form")
    inner = call.group(3) if call else text
    lines = [line for line in inner.splitlines() if line.strip()]
    if len(lines) > 1 and all(_ASSIGN_LINE.match(line) for line in lines):
        inner = ", ".join(line.strip().rstrip(",;") for line in lines)
    try:
        node = ast.parse(f"_f({inner})", mode="eval").body
    except SyntaxError:
        raise ValueError("not a call or keyword form") from None
    assert isinstance(node, ast.Call)
    try:
        positional = [_jsonable(ast.literal_eval(a)) for a in node.args]
        named = {k.arg: _jsonable(ast.literal_eval(k.value)) for k in node.keywords if k.arg}
    except (ValueError, SyntaxError, TypeError, RecursionError):
        raise ValueError("the call's arguments are not literal values") from None
    if not named:
        return positional
    rest = params[len(positional) :]
    return positional + _by_name(named, rest) if rest else positional + list(named.values())


def _tokens(line: str) -> list[str]:
    """Values on one line, split at whitespace and commas outside brackets and quotes."""
    tokens, current, depth, quote = [], "", 0, ""
    for ch in line:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
        elif depth == 0 and (ch.isspace() or ch == ","):
            tokens, current = tokens + [current] if current else tokens, ""
            continue
        current += ch
    return tokens + [current] if current else tokens


def _token_value(token: str) -> Any:
    try:
        return _literal(token)
    except ValueError:
        return token.strip("\"'")


def _stdin_style(text: str, params: list[Parameter]) -> list[Any]:
    """Whitespace- or comma-separated values: one line per argument, one value per argument, or bare
    numbers gathered into the only list parameter."""
    lines = [line for line in text.splitlines() if line.strip()]
    specs = [type_spec(p.type) for p in params]
    if len(lines) == len(params) and len(params) > 1:
        values = []
        for line, spec in zip(lines, specs, strict=True):
            try:
                values.append(_literal(line))
            except ValueError:
                tokens = _tokens(line)
                values.append([_token_value(t) for t in tokens] if spec.kind == "list" else line.strip())
        return values
    if len(params) == 1 and specs[0].kind == "str" and len(lines) == 1:  # the whole line is the one string
        return [text.strip()]
    tokens = [t for line in lines for t in _tokens(line)]
    if len(tokens) == len(params):
        return [_token_value(t) for t in tokens]
    lists = [i for i, s in enumerate(specs) if s.kind == "list"]
    if any(t[0] in "[({\"'" for t in tokens) or len(lists) != 1 or len(tokens) < len(params) - 1:
        if len(lists) > 1:
            raise ArgumentError("cannot tell which values belong to which argument")
        raise ArgumentError(f"{len(params)} arguments expected, found {len(tokens)} values")
    i, after = lists[0], len(params) - lists[0] - 1
    head, middle, tail = tokens[:i], tokens[i : len(tokens) - after], tokens[len(tokens) - after :]
    return [*map(_token_value, head), [_token_value(t) for t in middle], *map(_token_value, tail)]


def parse_arguments(raw: str | list[Any] | dict[str, Any], params: list[Parameter]) -> tuple[str, str | None]:
    """Read a written input as ``params``' arguments: (JSON lines, the repair applied or None).

    Raises:
        ArgumentError: No reading fits the parameters' count and types (the message says why the first
            reading that parsed does not fit).
    """
    if isinstance(raw, dict):
        return encode(check_arguments(_by_name(raw, params), params)), None  # the form the prompt asks for
    if isinstance(raw, list):
        if len(params) == 1:
            try:
                return encode(check_arguments([raw], params)), None
            except ArgumentError:
                pass
        return encode(check_arguments(raw, params)), "a list of the arguments"
    text = raw.strip()
    if not text:
        raise ArgumentError("empty input")
    lines = [line for line in text.splitlines() if line.strip()]
    errors: list[ValueError] = []

    def attempt(read: Any, repair: str | None) -> tuple[str, str | None] | None:
        try:
            return encode(check_arguments(read(), params)), repair
        except ValueError as err:  # ArgumentError: the reading parsed but does not fit; else it did not parse
            errors.append(err)
            return None

    def json_lines() -> list[Any]:
        return [json.loads(line) for line in lines]

    def literal_lines() -> list[Any]:
        return [_literal(line) for line in lines]

    def one_value() -> list[Any]:
        value = _literal(text)
        if isinstance(value, dict):
            return _by_name(value, params)
        if isinstance(value, list) and len(params) > 1:
            return value
        raise ValueError("not one array or object of the arguments")

    readings = [
        (json_lines, None),
        (literal_lines, "Python literals"),
        (lambda: _from_call(text, params), "call or keyword form"),
        (one_value, "one array or object of all arguments"),
        (lambda: _stdin_style(text, params), "stdin-style values"),
    ]
    for read, repair in readings:
        found = attempt(read, repair)
        if found is not None:
            return found
    fitting = [e for e in errors if isinstance(e, ArgumentError)]  # the first reading that parsed says most
    raise fitting[0] if fitting else ArgumentError(f"not JSON, a call, or values to split ({errors[0]})")
