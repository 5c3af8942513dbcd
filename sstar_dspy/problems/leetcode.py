"""The DeepSeek-Coder LeetCode contest set: functional problems whose tests are 100 Python assert blocks.

Each record's ``test`` field is Python source::

    my_solution = Solution()
    test_input = { "nums": [7,12,9], "k": 4 }
    assert my_solution.findKOr(**test_input) == 9
    ...

It is split into :class:`~sstar_dspy.problem.TestCase` objects by parsing it with :mod:`ast` and folding the
literals (:mod:`sstar_dspy.problems.literals`); nothing is executed. The keyword arguments of ``test_input`` become
positional arguments in the order of the starter code's method signature. The asserts whose inputs are the
statement's "Example N:" inputs become public tests (usually the first k, sometimes reordered; if the examples
cannot be parsed, the first k asserts), the rest are hidden. Problems whose arguments are built by helper
functions (linked lists via ``_f1``) cannot be written in the JSON test encoding and are excluded with that reason.

Optionally (``lcb``), a problem that is statement-identical to a LiveCodeBench record takes LCB's statement,
starter code and public tests, keeping DeepSeek's hidden asserts (see :func:`lcb_overrides`).

Example:
    >>> import json, tempfile, pathlib
    >>> record = {"task_id": "weekly-1-add", "meta": {"difficulty": "Easy"}, "start_time": 1700000000,
    ...     "prompt": '\"\"\"\\nAdd.\\nExample 1:\\nInput: a = 1, b = 2\\nOutput: 3\\n\"\"\"\\nclass Solution:\\n'
    ...               '    def add(self, a: int, b: int) -> int:\\n        ',
    ...     "test": "my_solution = Solution()\\ntest_input = {'b': 2, 'a': 1}\\n"
    ...             "assert my_solution.add(**test_input) == 3\\n"
    ...             "test_input = {'a': 5, 'b': -5}\\nassert my_solution.add(**test_input) == 0\\n"}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lc.jsonl"
    >>> _ = path.write_text(json.dumps(record) + "\\n")
    >>> (p,) = list(iter_deepseek(path))
    >>> p.function_name, p.public_tests[0].input, p.hidden_tests[0].output, p.metadata.difficulty
    ('add', '1\\n2', '0', 'easy')
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems.literals import NotLiteralError, literal_value
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import Record, iter_records
from sstar_dspy.problems.signature import method_signature

FORMAT = "leetcode-deepseek"
REASON_LINKED_LIST = "arguments built by helper functions (linked lists), not expressible as JSON tests"
REASON_NO_LCB_MATCH = "no statement-identical LiveCodeBench record in the match file"

_EXAMPLE = re.compile(r"^\s*Example(?: \d+)?:", re.MULTILINE)
_EXAMPLE_INPUT = re.compile(r"^\s*Input:?\s*(.*?)\s*^\s*Output:", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class LcbOverride:
    """LiveCodeBench text for a DeepSeek problem: statement, starter code, public tests, source index."""

    statement: str
    starter_code: str
    public_tests: list[TestCase]
    source_index: int


class _NotRepresentableError(Exception):
    """The test uses values that the JSON functional encoding cannot express."""


def split_prompt(prompt: str) -> tuple[str, str]:
    """Split a DeepSeek ``prompt`` (statement in a docstring, then starter code) into (statement, starter)."""
    first = prompt.find('"""')
    last = prompt.rfind('"""')
    if first < 0 or last <= first:
        raise ValueError('expected the statement inside a """docstring""" followed by the starter code')
    return prompt[first + 3 : last].strip("\n"), prompt[last + 3 :].lstrip("\n")


def count_examples(statement: str) -> int:
    """Number of "Example N:" sections in a LeetCode statement."""
    return len(_EXAMPLE.findall(statement))


def example_inputs(statement: str) -> list[dict[str, Any]] | None:
    """The keyword arguments of each "Example N:" ("Input: nums = [1,2], k = 3"); None if any does not parse."""
    found = []
    for part in _EXAMPLE.split(statement)[1:]:
        match = _EXAMPLE_INPUT.search(part)
        if match is None:
            return None
        try:
            call = ast.parse(f"f({' '.join(match.group(1).split())})", mode="eval").body
            if not isinstance(call, ast.Call) or call.args or any(k.arg is None for k in call.keywords):
                return None
            found.append({k.arg: literal_value(k.value) for k in call.keywords})
        except (SyntaxError, NotLiteralError):
            return None
    return found


def split_public(cases: list[tuple[dict[str, Any], Any]], statement: str) -> tuple[list[int], str]:
    """Indices of the asserts that are the statement's examples, and how they were found.

    The examples are usually the first k asserts, sometimes reordered or interleaved with other cases; when every
    example's input parses and occurs among the asserts, those asserts are public ("matched"). Otherwise the first
    k asserts are ("first-k").
    """
    examples = example_inputs(statement)
    if examples:
        indices = [next((i for i, (kwargs, _) in enumerate(cases) if kwargs == e), None) for e in examples]
        if None not in indices and len(set(indices)) == len(indices):
            return [i for i in indices if i is not None], "matched"
    return list(range(count_examples(statement))), "first-k"


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise _NotRepresentableError(f"value {value!r:.60} is not JSON ({exc})") from None


def _call_of(node: ast.expr) -> tuple[str, ast.Call] | None:
    """``my_solution.m(**test_input)`` -> ("m", call); None for any other shape."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "my_solution"
    ):
        return node.func.attr, node
    return None


@functools.lru_cache(maxsize=512)  # suites share the file; parsing 100 asserts dominates load time
def parse_asserts(source: str) -> tuple[str, list[tuple[dict[str, Any], Any]]]:
    """Parse DeepSeek test source into (method name, [(kwargs, expected), ...]) without executing it.

    Results are cached per source text; callers must not mutate them.

    Raises:
        _NotRepresentableError: an argument or result is not a JSON literal (e.g. a linked list).
        ValueError: the source does not have the expected shape (message says where).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"test source does not parse (line {exc.lineno}: {exc.msg})") from None
    method: str | None = None
    kwargs: dict[str, Any] | None = None
    cases: list[tuple[dict[str, Any], Any]] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            if target == "test_input":
                if not isinstance(stmt.value, ast.Dict):
                    raise ValueError(f"line {stmt.lineno}: test_input is not a dict literal")
                try:
                    kwargs = literal_value(stmt.value)
                except NotLiteralError as exc:
                    raise _NotRepresentableError(f"line {stmt.lineno}: {exc}") from None
            continue  # my_solution = Solution(), helper lambdas
        if not isinstance(stmt, ast.Assert):
            continue
        test = stmt.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            raise ValueError(f"line {stmt.lineno}: expected 'assert my_solution.<method>(**test_input) == <value>'")
        called = _call_of(test.left)
        if called is None:
            if isinstance(test.left, ast.Call) and test.left.args and _call_of(test.left.args[0]):
                raise _NotRepresentableError(f"line {stmt.lineno}: result is converted by a helper function")
            raise ValueError(f"line {stmt.lineno}: expected a call of my_solution.<method>")
        name, call = called
        if method is not None and name != method:
            raise ValueError(f"line {stmt.lineno}: calls {name}, earlier asserts call {method}")
        method = name
        if kwargs is None:
            raise ValueError(f"line {stmt.lineno}: assert before any test_input")
        try:
            expected = literal_value(test.comparators[0])
        except NotLiteralError as exc:
            raise _NotRepresentableError(f"line {stmt.lineno}: expected value: {exc}") from None
        cases.append((kwargs, expected))
    if method is None or not cases:
        raise ValueError("no 'assert my_solution.<method>(**test_input) == ...' blocks found")
    return method, cases


def _case(kwargs: Mapping[str, Any], expected: Any, params: list[str], index: int) -> TestCase:
    if set(kwargs) != set(params):
        raise ValueError(f"assert block {index + 1}: test_input keys {sorted(kwargs)} != method parameters {params}")
    return TestCase(input="\n".join(_json(kwargs[p]) for p in params), output=_json(expected))


def problem_from_record(
    record: Record, lcb: Mapping[str, LcbOverride] | None = None, *, matched_only: bool = True
) -> Problem | Excluded:
    """Convert one DeepSeek record.

    ``lcb`` maps task_id to LiveCodeBench text to use instead of DeepSeek's; a problem without a match is
    excluded when ``matched_only`` and keeps DeepSeek's text otherwise.
    """
    task_id = record.get("task_id", str)
    try:
        statement, starter = split_prompt(record.get("prompt", str))
    except ValueError as exc:
        raise record.error(str(exc), "prompt") from None
    override = None
    if lcb is not None:
        override = lcb.get(task_id)
        if override is None and matched_only:
            return Excluded(task_id, REASON_NO_LCB_MATCH)
    try:
        method, cases = parse_asserts(record.get("test", str))
    except _NotRepresentableError:
        return Excluded(task_id, REASON_LINKED_LIST)
    except ValueError as exc:
        raise record.error(str(exc), "test") from None
    code = override.starter_code if override else starter
    signature = method_signature(code, method)
    if signature is None:
        field = "starter_code (LCB)" if override else "prompt"
        raise record.error(f"starter code defines no method {method!r} (the tests call it)", field)
    public_indices, split = split_public(cases, statement)
    k = len(public_indices)
    if not 0 < k < len(cases):
        raise record.error(
            f"found {k} statement examples for {len(cases)} asserts; expected 1..{len(cases) - 1}", "prompt"
        )
    try:
        tests = [_case(kw, exp, signature[1], i) for i, (kw, exp) in enumerate(cases)]
    except _NotRepresentableError:
        return Excluded(task_id, REASON_LINKED_LIST)
    except ValueError as exc:
        raise record.error(str(exc), "test") from None
    public = [tests[i] for i in public_indices]
    # an assert repeating an example's input is not a hidden test either
    hidden = [t for i, t in enumerate(tests) if i not in public_indices and t.input not in {p.input for p in public}]
    meta = record.get("meta", dict, default={})
    start = record.get("start_time", (int, float), default=None)
    extra: dict[str, Any] = {
        "task_id": task_id,
        "url": record.data.get("url"),
        "examples": k,
        "public_split": split,
        "question_id": meta.get("questionFrontendId"),
        "title": meta.get("title"),
    }
    if override:
        extra.update(statement_source="livecodebench", lcb_source_index=override.source_index)
    return Problem(
        id=task_id,
        statement=override.statement if override else statement,
        starter_code=code,
        mode=Mode.FUNCTIONAL,
        function_name=method,
        public_tests=override.public_tests if override else public,
        hidden_tests=hidden,
        metadata=ProblemMetadata(
            source=FORMAT,
            difficulty=str(meta["difficulty"]).lower() if meta.get("difficulty") else None,
            date=datetime.fromtimestamp(start, tz=timezone.utc).date().isoformat() if start else None,
            platform="leetcode",
            extra=extra,
        ),
    )


def iter_deepseek(
    path: Path, *, lcb: Mapping[str, LcbOverride] | None = None, matched_only: bool = True
) -> Iterator[Problem | Excluded]:
    """Yield a Problem (or an Excluded with its reason) per DeepSeek LeetCode record (see problem_from_record)."""
    for record in iter_records(path):
        yield problem_from_record(record, lcb, matched_only=matched_only)


def lcb_overrides(match_path: Path, lcb_public_path: Path) -> dict[str, LcbOverride]:
    """LCB statement/starter/public tests per DeepSeek task_id, from the match file and the LCB public file."""
    from sstar_dspy.problems.lcb_public import public_tests_of

    (match,) = list(iter_records(match_path))
    mapping = match.get("map", dict)
    by_index = {r.data.get("source_index", i): r for i, r in enumerate(iter_records(lcb_public_path))}
    overrides = {}
    for task_id, index in mapping.items():
        if index not in by_index:
            raise match.error(f"source_index {index} of {task_id!r} is not in {lcb_public_path}", "map")
        rec = by_index[index]
        overrides[task_id] = LcbOverride(
            statement=rec.get("problem", str),
            starter_code=rec.get("starter_code", str),
            public_tests=public_tests_of(rec),
            source_index=index,
        )
    return overrides
