"""Result types of the sandbox: what one test run produced and under which limits."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Status(str, Enum):
    """Outcome of running one program on one test.

    ``EXECUTED`` means the program ran to completion on an input that has no expected output
    (generated or distinguishing inputs); every other non-``PASSED`` status is a failure.
    ``SANDBOX_ERROR`` means the engine failed (not the program); ``INVALID_TEST`` means the test input
    could not be given to the program (nothing ran).
    """

    PASSED = "passed"
    WRONG_ANSWER = "wrong_answer"
    EXECUTED = "executed"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    COMPILE_ERROR = "compile_error"
    SANDBOX_ERROR = "sandbox_error"
    INVALID_TEST = "invalid_test"  # the test itself is malformed (e.g. functional input that is not JSON)

    @property
    def ran_cleanly(self) -> bool:
        """The program produced an output (right, wrong or unchecked) without crashing."""
        return self in (Status.PASSED, Status.WRONG_ANSWER, Status.EXECUTED)


class Limits(BaseModel):
    """Per-test resource limits. Defaults follow LiveCodeBench (6 s per test)."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = Field(6.0, gt=0, le=600)
    memory_mb: int = Field(2048, ge=32)
    output_bytes: int = Field(1 << 20, ge=1024)


class TestResult(BaseModel):
    """What one program did on one test.

    Attributes:
        status: The outcome.
        input: The test input as given.
        expected: The expected output, or None for unchecked inputs.
        actual: What the program printed (stdin mode) or returned as JSON (functional mode);
            None when it produced nothing usable.
        output_key: Canonical form of ``actual`` under the comparator that graded it; equal keys
            mean equal behaviour, which is how S* clusters candidates.
        error: A short tail of the error (exception line, signal, limit), or "".
        wall_s: Wall-clock seconds.
        cpu_s: CPU seconds of the child.
    """

    model_config = ConfigDict(frozen=True)
    __test__ = False

    status: Status
    input: str
    expected: str | None = None
    actual: str | None = None
    output_key: str | None = None
    error: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED
