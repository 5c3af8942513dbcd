"""Find a method's name and parameters in LeetCode-style starter code, by parsing (never executing) it.

Starter code ends with an empty method body (``def f(self, x: int) -> int:`` and nothing after), which is not
valid Python; this module locates each ``def`` header textually and parses only the header with :mod:`ast`.

Example:
    >>> starter = "class Solution:\\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\\n        "
    >>> method_signature(starter)
    ('twoSum', ['nums', 'target'])
"""

from __future__ import annotations

import ast
import re

_DEF = re.compile(r"^[ \t]*def[ \t]+([A-Za-z_]\w*)[ \t]*\(", re.MULTILINE)


def _parse_header(code: str, start: int) -> tuple[str, list[str]] | None:
    """Parse the ``def name(...)`` header that starts at ``start``; None if it does not parse."""
    depth = 0
    for end in range(code.index("(", start), len(code)):
        if code[end] == "(":
            depth += 1
        elif code[end] == ")":
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    header = code[start : end + 1].strip()
    try:
        tree = ast.parse(header + ": pass")
    except SyntaxError:
        return None
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        return None
    args = func.args
    names = [a.arg for a in [*args.posonlyargs, *args.args]]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return func.name, names


def method_signatures(code: str) -> list[tuple[str, list[str]]]:
    """All ``(name, parameters)`` defined in ``code``, in order, skipping dunder methods."""
    found = []
    for match in _DEF.finditer(code):
        parsed = _parse_header(code, match.start())
        if parsed and not (parsed[0].startswith("__") and parsed[0].endswith("__")):
            found.append(parsed)
    return found


def method_signature(code: str, name: str | None = None) -> tuple[str, list[str]] | None:
    """The method called ``name`` (or the last non-dunder method when ``name`` is None); None if absent."""
    signatures = method_signatures(code)
    if name is not None:
        signatures = [s for s in signatures if s[0] == name]
    return signatures[-1] if signatures else None
