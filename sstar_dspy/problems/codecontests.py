"""DeepMind CodeContests: the Hugging Face row layout and the flattened rLLM/DeepCoder records.

* Hugging Face rows (``deepmind/code_contests``, exported to JSON/JSONL): ``name``, ``description``,
  ``public_tests``/``private_tests``/``generated_tests`` as ``{"input": [...], "output": [...]}``, ``difficulty``
  and ``source`` as enum integers, ``time_limit`` ``{"seconds", "nanos"}``, ``memory_limit_bytes``,
  ``cf_rating``. Public tests are ``public_tests``; hidden tests are ``private_tests`` plus (by default)
  ``generated_tests``.
* Flattened records (``codecontests_test_dev.json``): ``{"problem", "tests": {"inputs", "outputs"},
  "source_index"}`` where ``tests`` = public + private tests and the statement ends with
  ``Time Limit: {'seconds': S, 'nanos': N}`` / ``Memory Limit: B Bytes``. The public tests are the statement's
  examples: k = the number of "Input" blocks in its Example(s) section. The rest are hidden, minus exact
  duplicates of a public test. Limits are parsed into ``metadata.extra``.

Interactive problems and problems that read or write named files are excluded with that reason.

Example:
    >>> statement = "Print a+b.\\n\\nExample\\n\\nInput\\n\\n1 2\\n\\nOutput\\n\\n3\\n\\n"
    >>> statement += "Time Limit: {'seconds': 2, 'nanos': 500000000}\\nMemory Limit: 256000000 Bytes\\n"
    >>> count_examples(statement), parse_limits(statement)
    (1, {'time_limit_s': 2.5, 'memory_limit_bytes': 256000000})
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems.lcb_public import REASON_INTERACTIVE, is_interactive
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import Record, iter_records

FORMAT = "codecontests"
REASON_FILE_IO = "reads or writes named files instead of stdin/stdout"

DIFFICULTIES = ["unknown", "easy", "medium", "hard", "harder", "hardest", "external"] + [chr(c) for c in range(65, 87)]
SOURCES = ["unknown", "codechef", "codeforces", "hackerearth", "codejam", "atcoder", "aizu"]

_TIME = re.compile(r"Time Limit:\s*\{'seconds':\s*(\d+),\s*'nanos':\s*(\d+)\}")
_MEMORY = re.compile(r"Memory Limit:\s*(\d+)\s*Bytes")
_EXAMPLES = re.compile(r"^\s*Examples?\s*$", re.MULTILINE)
_INPUT = re.compile(r"^\s*Input\s*$", re.MULTILINE)


def parse_limits(statement: str) -> dict[str, Any]:
    """Time (seconds) and memory (bytes) limits written at the end of a flattened statement."""
    limits: dict[str, Any] = {}
    if match := _TIME.search(statement):
        limits["time_limit_s"] = int(match.group(1)) + int(match.group(2)) / 1e9
    if match := _MEMORY.search(statement):
        limits["memory_limit_bytes"] = int(match.group(1))
    return limits


def count_examples(statement: str) -> int:
    """Number of "Input" blocks after the statement's Example(s) heading (0 when there is no such heading)."""
    headings = list(_EXAMPLES.finditer(statement))
    return len(_INPUT.findall(statement, headings[-1].end())) if headings else 0


def _leading_in_statement(statement: str, inputs: list[str]) -> int:
    """Fallback k: how many leading test inputs appear verbatim (whitespace-normalised) in the statement."""
    text = " ".join(statement.split())
    k = 0
    while k < len(inputs) and inputs[k].split() and " ".join(inputs[k].split()) in text:
        k += 1
    return k


def _split_hidden(public: list[TestCase], rest: list[TestCase]) -> tuple[list[TestCase], int]:
    seen = set(public)
    hidden = [t for t in rest if t not in seen]
    return hidden, len(rest) - len(hidden)


def _tests(record: Record, field: str, inputs_key: str, outputs_key: str) -> list[TestCase]:
    block = record.get(field, dict, default={})
    inputs, outputs = block.get(inputs_key, []), block.get(outputs_key, [])
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        raise record.error(f"expected equally long lists '{inputs_key}' and '{outputs_key}'", field)
    if not all(isinstance(x, str) for x in inputs + outputs):
        raise record.error("test inputs and outputs must be strings", field)
    return [TestCase(input=i, output=o) for i, o in zip(inputs, outputs, strict=True)]


def flat_problem(record: Record, index: int) -> Problem | Excluded:
    """Convert one flattened (rLLM) CodeContests record."""
    source_index = record.get("source_index", int, default=index)
    problem_id = f"codecontests-{source_index}"
    statement = record.get("problem", str)
    if is_interactive(statement):
        return Excluded(problem_id, REASON_INTERACTIVE)
    tests = _tests(record, "tests", "inputs", "outputs")
    if not tests:
        raise record.error("no tests", "tests")
    k = count_examples(statement) or _leading_in_statement(statement, [t.input for t in tests])
    k = min(max(k, 1), len(tests))
    hidden, dropped = _split_hidden(tests[:k], tests[k:])
    return Problem(
        id=problem_id,
        statement=statement.strip("\n"),
        mode=Mode.STDIN,
        public_tests=tests[:k],
        hidden_tests=hidden,
        metadata=ProblemMetadata(
            source=FORMAT,
            platform="codeforces",
            extra={"source_index": source_index, "duplicate_hidden_dropped": dropped, **parse_limits(statement)},
        ),
    )


def _enum(values: list[str], raw: Any) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < len(values):
        return None if values[raw] == "unknown" else values[raw]
    return str(raw).lower() if isinstance(raw, str) and raw else None


def hf_problem(record: Record, *, include_generated: bool = True) -> Problem | Excluded:
    """Convert one Hugging Face ``deepmind/code_contests`` row."""
    name = record.get("name", str)
    statement = record.get("description", str)
    if is_interactive(statement):
        return Excluded(name, REASON_INTERACTIVE)
    if record.data.get("input_file") or record.data.get("output_file"):
        return Excluded(name, REASON_FILE_IO)
    public = _tests(record, "public_tests", "input", "output")
    rest = _tests(record, "private_tests", "input", "output")
    generated = _tests(record, "generated_tests", "input", "output") if include_generated else []
    hidden, dropped = _split_hidden(public, rest + generated)
    extra: dict[str, Any] = {
        "cf_rating": record.data.get("cf_rating"),
        "duplicate_hidden_dropped": dropped,
        "private_tests": len(rest),
        "generated_tests": len(generated),
    }
    limit = record.data.get("time_limit")
    if isinstance(limit, dict):
        extra["time_limit_s"] = int(limit.get("seconds") or 0) + int(limit.get("nanos") or 0) / 1e9
    if isinstance(record.data.get("memory_limit_bytes"), int):
        extra["memory_limit_bytes"] = record.data["memory_limit_bytes"]
    return Problem(
        id=name,
        statement=statement,
        mode=Mode.STDIN,
        public_tests=public,
        hidden_tests=hidden,
        metadata=ProblemMetadata(
            source=FORMAT,
            difficulty=_enum(DIFFICULTIES, record.data.get("difficulty")),
            platform=_enum(SOURCES, record.data.get("source")),
            extra=extra,
        ),
    )


def iter_codecontests(path: Path, *, include_generated: bool = True) -> Iterator[Problem | Excluded]:
    """Yield problems from Hugging Face CodeContests rows (JSON array or JSONL)."""
    for record in iter_records(path):
        yield hf_problem(record, include_generated=include_generated)


def iter_codecontests_flat(path: Path) -> Iterator[Problem | Excluded]:
    """Yield problems from flattened (rLLM) CodeContests records."""
    for index, record in enumerate(iter_records(path)):
        yield flat_problem(record, index)
