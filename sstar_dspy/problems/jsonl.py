"""Our own problem format: one JSON object per line, exactly ``Problem.model_dump_json()``.

This is how users bring their own problems, and what every other loader converts to.

Schema (one line = one problem; ``schema_version`` 1)::

    {
      "schema_version": 1,                      # optional; files from newer versions are refused
      "id": "sum-two",                          # required, unique within the file
      "statement": "Read two integers ...",     # required, the text shown to the model
      "starter_code": "",                       # optional; e.g. "class Solution:\\n    def f(self, x): ..."
      "mode": "stdin",                          # "stdin" (default) or "functional"
      "function_name": null,                    # required when mode is "functional"
      "public_tests": [{"input": "1 2\\n", "output": "3\\n"}],   # shown to the program (debugging, selection)
      "hidden_tests": [{"input": "5 7\\n", "output": "12\\n"}],  # used only for grading
      "metadata": {"source": "user", "difficulty": "easy", "date": "2024-01-31",
                   "platform": null, "extra": {}}                 # all optional
    }

Test encoding: in ``stdin`` mode ``input`` is the exact stdin text and ``output`` the expected stdout. In
``functional`` mode ``input`` holds one JSON value per line, one line per positional argument (``"[2,7,11]\\n9"``
for ``twoSum(nums=[2,7,11], target=9)``), and ``output`` is one JSON value (``"[0, 1]"``). Unknown keys are
refused (a typo like ``hiden_tests`` would otherwise silently drop tests). A problem without hidden tests loads
but is not gradable (``Problem.gradable`` is False).

Example:
    >>> import tempfile, pathlib
    >>> from sstar_dspy.problem import Problem, TestCase
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.jsonl"
    >>> p = Problem(id="inc", statement="Print n+1.", public_tests=[TestCase(input="1\\n", output="2\\n")],
    ...             hidden_tests=[TestCase(input="41\\n", output="42\\n")])
    >>> write_jsonl([p], path)
    >>> [q.id for q in read_jsonl(path)] == ["inc"] and read_jsonl(path)[0] == p
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from sstar_dspy.problem import SCHEMA_VERSION, Problem
from sstar_dspy.problems.records import Record, iter_records

FORMAT = "sstar"
_FIELDS = frozenset(Problem.model_fields)


def problem_from_record(record: Record) -> Problem:
    """Validate one record of our schema; any problem raises ProblemFormatError naming file, line and field."""
    unknown = sorted(set(record.data) - _FIELDS)
    if unknown:
        raise record.error(f"unknown field; known fields: {', '.join(sorted(_FIELDS))}", unknown[0])
    version = record.data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise record.error(
            f"unsupported schema_version {version!r}; this sstar-dspy reads {SCHEMA_VERSION}", "schema_version"
        )
    try:
        return Problem.model_validate(record.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise record.error(first["msg"], where) from None


def iter_jsonl(path: Path) -> Iterator[Problem]:
    """Yield the problems of a file in our schema (JSONL, or a JSON array of the same objects)."""
    seen: dict[str, int] = {}
    for record in iter_records(path):
        problem = problem_from_record(record)
        if problem.id in seen:
            raise record.error(f"duplicate id {problem.id!r} (first on line {seen[problem.id]})", "id")
        seen[problem.id] = record.line
        yield problem


def read_jsonl(path: str | Path) -> list[Problem]:
    """Read every problem of a file in our schema."""
    return list(iter_jsonl(Path(path)))


def write_jsonl(problems: Iterable[Problem], path: str | Path) -> None:
    """Write problems in our schema, one JSON object per line (UTF-8, non-ASCII kept)."""
    with Path(path).open("w", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.model_dump(mode="json"), ensure_ascii=False) + "\n")
