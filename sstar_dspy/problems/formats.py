"""The registry of problem file formats, and detection of a file's format from its first record.

Example:
    >>> sorted(FORMATS)
    ['codecontests', 'codecontests-flat', 'humaneval', 'lcb', 'lcb-public', 'leetcode-deepseek', 'sstar']
    >>> detect_format_of_record({"question_content": "...", "public_test_cases": "[]"})
    'lcb'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Problem
from sstar_dspy.problems import codecontests, humaneval, jsonl, lcb, lcb_public, leetcode
from sstar_dspy.problems.errors import ProblemFormatError, ProblemSourceError
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import iter_records

Reader = Callable[[Path], Iterator["Problem | Excluded"]]


@dataclass(frozen=True)
class Format:
    """A file format: how to read it, and whether its problems are expected to carry hidden tests."""

    name: str
    description: str
    read: Reader
    has_hidden_tests: bool = True
    note: str | None = None


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("sstar", "our JSONL schema (Problem.model_dump_json per line)", jsonl.iter_jsonl),
        Format("lcb", "LiveCodeBench code_generation_lite rows (test*.jsonl) or a directory of them", lcb.iter_lcb),
        Format(
            "lcb-public",
            "LiveCodeBench records with public tests only (rLLM layout)",
            lcb_public.iter_lcb_public,
            has_hidden_tests=False,
            note=lcb_public.NOTE_NOT_GRADABLE,
        ),
        Format("codecontests", "DeepMind CodeContests rows (Hugging Face layout)", codecontests.iter_codecontests),
        Format(
            "codecontests-flat", "flattened CodeContests records (rLLM layout)", codecontests.iter_codecontests_flat
        ),
        Format(
            "leetcode-deepseek", "DeepSeek-Coder LeetCode contest set (100 asserts per problem)", leetcode.iter_deepseek
        ),
        Format("humaneval", "OpenAI HumanEval records", humaneval.iter_humaneval),
    ]
}


def get_format(name: str) -> Format:
    """The format called ``name`` (ProblemFormatError listing the known ones otherwise)."""
    if name not in FORMATS:
        raise ProblemFormatError(
            f"unknown format {name!r}; known formats: {', '.join(sorted(FORMATS))}", field="format"
        )
    return FORMATS[name]


def detect_format_of_record(data: dict[str, Any]) -> str | None:
    """Guess the format from the keys of one record (None when nothing matches)."""
    keys = set(data)
    if "question_content" in keys and "public_test_cases" in keys:
        return "lcb"
    if {"task_id", "prompt", "test", "entry_point"} <= keys:
        return "humaneval"
    if {"task_id", "prompt", "test"} <= keys:
        return "leetcode-deepseek"
    if {"description", "public_tests"} <= keys:
        return "codecontests"
    if {"problem", "tests"} <= keys:
        return "codecontests-flat" if isinstance(data["tests"], dict) else "lcb-public"
    if {"id", "statement"} <= keys or "schema_version" in keys:
        return "sstar"
    return None


def detect_format(path: Path) -> str:
    """Detect a file's (or an LCB directory's) format; ProblemFormatError with a fix when it cannot."""
    if path.is_dir():
        if any(path.glob("test*.jsonl")):
            return "lcb"
        raise ProblemSourceError(f"{path}: a directory is only read as LiveCodeBench test*.jsonl files; none found")
    records = iter_records(path)
    first = next(records, None)
    records.close()
    if first is None:
        raise ProblemFormatError("the file holds no problems", path=str(path))
    found = detect_format_of_record(first.data)
    if found is None:
        raise first.error(
            f"unknown format: cannot tell it from the keys {sorted(first.data)[:8]}; "
            f"pass --format / format= one of {', '.join(sorted(FORMATS))}"
        )
    return found
