"""The problem model shared by every part of sstar-dspy.

A :class:`Problem` is what S* solves: a statement, optional starter code, public tests (shown to the
program for debugging and selection) and hidden tests (used only for grading). Problems round-trip
to one JSON object per line (``Problem.model_dump_json()`` / ``Problem.model_validate_json()``);
that JSONL schema is also how users bring their own problems (see ``README.md``).

Test encoding (identical to LiveCodeBench's ``public_test_cases``):

* ``stdin`` mode: ``TestCase.input`` is the raw stdin text, ``TestCase.output`` the expected stdout.
* ``functional`` mode: ``TestCase.input`` holds one JSON value per line, one line per positional
  argument of the method; ``TestCase.output`` is one JSON value (the expected return value).

Example:
    >>> p = Problem(id="sum", statement="Print a+b.", mode="stdin",
    ...             public_tests=[TestCase(input="1 2\\n", output="3\\n")])
    >>> Problem.model_validate_json(p.model_dump_json()) == p
    True
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1


class Mode(str, Enum):
    """How a program receives a test: through stdin/stdout, or as a function call (LeetCode)."""

    STDIN = "stdin"
    FUNCTIONAL = "functional"


class TestCase(BaseModel):
    """One test: an input and, when known, the expected output (see the module docstring)."""

    model_config = ConfigDict(frozen=True)
    __test__ = False  # not a pytest class

    input: str
    output: str | None = None

    @classmethod
    def from_args(cls, args: list[Any], expected: Any = ..., /) -> TestCase:
        """Build a functional test from Python values (one per positional argument).

        Example:
            >>> TestCase.from_args([[2, 7, 11], 9], [0, 1]).input
            '[2, 7, 11]\\n9'
        """
        text = "\n".join(json.dumps(a) for a in args)
        return cls(input=text, output=None if expected is ... else json.dumps(expected))

    def args(self) -> list[Any]:
        """Decode a functional input into its positional argument values."""
        return [json.loads(line) for line in self.input.split("\n") if line.strip()]


class ProblemMetadata(BaseModel):
    """Where a problem comes from. ``extra`` keeps source-specific fields verbatim."""

    source: str = "user"
    difficulty: str | None = None
    date: str | None = None
    platform: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Problem(BaseModel):
    """A programming problem with public and hidden tests.

    Attributes:
        id: Stable identifier, unique within a suite.
        statement: The problem text shown to the model.
        starter_code: Code skeleton shown to the model (LeetCode ``class Solution`` stub), or "".
        mode: ``stdin`` or ``functional``.
        function_name: The method/function to call in functional mode.
        public_tests: Tests the program may see (debugging, selection).
        hidden_tests: Tests used only for grading.
        metadata: Source, difficulty, date, platform.
    """

    model_config = ConfigDict(use_enum_values=False)

    schema_version: int = SCHEMA_VERSION
    id: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    starter_code: str = ""
    mode: Mode = Mode.STDIN
    function_name: str | None = None
    public_tests: list[TestCase] = Field(default_factory=list)
    hidden_tests: list[TestCase] = Field(default_factory=list)
    metadata: ProblemMetadata = Field(default_factory=ProblemMetadata)

    @model_validator(mode="after")
    def _functional_needs_name(self) -> Problem:
        if self.mode is Mode.FUNCTIONAL and not self.function_name:
            raise ValueError("functional problems need 'function_name' (the method the tests call)")
        return self

    @property
    def gradable(self) -> bool:
        """True when the problem has hidden tests with expected outputs (so pass@1 is honest)."""
        return bool(self.hidden_tests) and all(t.output is not None for t in self.hidden_tests)
