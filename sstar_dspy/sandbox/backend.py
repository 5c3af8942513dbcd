"""The backend protocol: what executes programs, separated from grading and caching.

A backend receives an :class:`ExecRequest` (one program, its test *inputs*, the mode and limits) and
returns one :class:`RawRun` per input. It never sees expected outputs: grading, output keys and the
result cache live in :class:`~sstar_dspy.sandbox.sandbox.Sandbox`, in the caller's process. The
default backend is :class:`~sstar_dspy.sandbox.local.LocalForkServerBackend`; a remote service (e.g.
SandboxFusion's ``/run_code``) or a cluster plugs in by implementing the three methods below.

Example:
    >>> from sstar_dspy.sandbox import Sandbox
    >>> class Echo:                      # a (useless) backend that "prints" its input
    ...     def execute(self, request):
    ...         return [RawRun(Status.EXECUTED, actual=i) for i in request.inputs]
    ...     def layers(self):
    ...         return {"fork_server": False}
    ...     def close(self):
    ...         pass
    >>> Sandbox(backend=Echo()).run("", [TestCase(input="1", output="1")], mode="stdin")[0].status
    <Status.PASSED: 'passed'>
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sstar_dspy.problem import Mode, TestCase  # noqa: F401 - TestCase is used by the docstring example
from sstar_dspy.sandbox.results import Limits, Status


@dataclass(frozen=True)
class ExecRequest:
    """One program to run on several inputs (no expected outputs: those stay with the caller)."""

    program: str
    inputs: tuple[str, ...]
    mode: Mode
    function_name: str | None
    limits: Limits


@dataclass(frozen=True)
class RawRun:
    """How one run ended, before grading.

    ``status`` is ``EXECUTED`` for a clean run (the caller grades it into PASSED/WRONG_ANSWER), or a
    failure status. ``actual`` is stdout (stdin mode) or the JSON return value (functional mode).
    """

    status: Status
    actual: str | None = None
    error: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0


@runtime_checkable
class SandboxBackend(Protocol):
    """Executes untrusted programs. Implementations must be thread-safe."""

    def execute(self, request: ExecRequest) -> list[RawRun]:
        """Run ``request.program`` once per input, in order; one :class:`RawRun` per input."""
        ...

    def layers(self) -> dict[str, bool]:
        """Which isolation layers are active (names are backend-specific, True = active)."""
        ...

    def close(self) -> None:
        """Release workers; further calls may restart them."""
        ...
