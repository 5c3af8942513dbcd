"""LiveCodeBench records with public tests only (the rLLM/DeepCoder layout of ``lcb_v5_public_only_dev.json``).

Each record is ``{"problem", "starter_code", "tests": [{"input", "output", "testtype"}], "source_index"}``:
real LCB statements and LCB's ``public_test_cases``, but **no hidden tests**, so these problems are not gradable
(``Problem.gradable`` is False) and must not be used to report pass rates. Functional problems take their
function name from the starter code. Interactive problems are excluded with that reason.

Example:
    >>> import json, tempfile, pathlib
    >>> rows = [{"problem": "Add.", "starter_code": "class Solution:\\n    def add(self, a: int, b: int) -> int:\\n",
    ...          "tests": [{"input": "1\\n2", "output": "3", "testtype": "functional"}], "source_index": 7}]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lcb.json"
    >>> _ = path.write_text(json.dumps(rows))
    >>> (p,) = list(iter_lcb_public(path))
    >>> p.id, p.function_name, p.gradable
    ('lcb-public-7', 'add', False)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import Record, iter_records
from sstar_dspy.problems.signature import method_signature

FORMAT = "lcb-public"
REASON_INTERACTIVE = "interactive problem (needs a judge program, not fixed input/output tests)"
NOTE_NOT_GRADABLE = "public tests only (no hidden tests): not gradable, do not report pass rates from these"

_INTERACTIVE = re.compile(r"\bthis is an interactive problem\b|^\s*Interaction\s*$", re.IGNORECASE | re.MULTILINE)


def is_interactive(statement: str) -> bool:
    """True when a statement says it is interactive (then no fixed tests can grade it)."""
    return bool(_INTERACTIVE.search(statement))


def lcb_test(item: object, record: Record, field: str) -> TestCase:
    """One LCB test dict ``{"input", "output", "testtype"}`` as a TestCase (``output`` may be absent)."""
    if not isinstance(item, dict) or not isinstance(item.get("input"), str):
        raise record.error("each test must be an object with a string 'input'", field)
    output = item.get("output")
    if output is not None and not isinstance(output, str):
        raise record.error("test 'output' must be a string", field)
    return TestCase(input=item["input"], output=output)


def public_tests_of(record: Record) -> list[TestCase]:
    """The ``tests`` list of an LCB public-only record."""
    return [lcb_test(t, record, "tests") for t in record.get("tests", list)]


def problem_from_record(record: Record, index: int) -> Problem | Excluded:
    """Convert one public-only LCB record (``index``: position in the file, used when source_index is absent)."""
    source_index = record.get("source_index", int, default=index)
    problem_id = f"lcb-public-{source_index}"
    statement = record.get("problem", str)
    if is_interactive(statement):
        return Excluded(problem_id, REASON_INTERACTIVE)
    starter = record.get("starter_code", str, default="")
    tests = public_tests_of(record)
    functional = bool(starter.strip()) or any(
        isinstance(t, dict) and t.get("testtype") == "functional" for t in record.data["tests"]
    )
    function_name = None
    if functional:
        signature = method_signature(starter)
        if signature is None:
            raise record.error("functional problem without a method in the starter code", "starter_code")
        function_name = signature[0]
    return Problem(
        id=problem_id,
        statement=statement,
        starter_code=starter,
        mode=Mode.FUNCTIONAL if functional else Mode.STDIN,
        function_name=function_name,
        public_tests=tests,
        metadata=ProblemMetadata(
            source=FORMAT,
            platform="leetcode" if functional else None,
            extra={"source_index": source_index, "hidden_tests": "none (public-only record)"},
        ),
    )


def iter_lcb_public(path: Path) -> Iterator[Problem | Excluded]:
    """Yield a Problem (or an Excluded with its reason) per public-only LCB record."""
    for index, record in enumerate(iter_records(path)):
        yield problem_from_record(record, index)
