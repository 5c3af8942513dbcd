"""The Sandbox facade: the one entry point callers use to run untrusted programs on tests.

:class:`Sandbox` hands programs and test *inputs* to a backend (by default a pool of local fork
servers confined by the kernel: see :mod:`sstar_dspy.sandbox.local`), caches raw runs, and grades
them in this process with a comparator (expected outputs never reach the untrusted process).

Example:
    >>> from sstar_dspy.problem import TestCase
    >>> with Sandbox(workers=1) as sandbox:
    ...     results = sandbox.run("print(int(input()) * 2)", [TestCase(input="21", output="42")], mode="stdin")
    >>> results[0].status, results[0].actual
    (<Status.PASSED: 'passed'>, '42\\n')
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sstar_dspy.errors import SandboxUnavailableError, SStarError
from sstar_dspy.problem import Mode, TestCase
from sstar_dspy.sandbox.backend import ExecRequest, RawRun, SandboxBackend
from sstar_dspy.sandbox.cache import RunCache
from sstar_dspy.sandbox.compare import get_comparator
from sstar_dspy.sandbox.local import DECLARED_LAYERS, LocalForkServerBackend, WorkerError
from sstar_dspy.sandbox.probe import probe_layers
from sstar_dspy.sandbox.results import Limits, Status, TestResult

logger = logging.getLogger(__name__)

STRICT_LAYERS = DECLARED_LAYERS  # every layer: strict mode refuses to run without any of them


class SandboxUsageError(SStarError, ValueError):
    """A sandbox call was malformed (unknown mode, missing function name, wrong test type)."""


@dataclass(frozen=True)
class Job:
    """One program and its tests, for :meth:`Sandbox.run_many` / :meth:`Sandbox.arun_many`."""

    program: str
    tests: Sequence[TestCase]
    mode: Mode | str
    function_name: str | None = None
    limits: Limits | None = None


def _check_mode(mode: Mode | str, function_name: str | None) -> Mode:
    try:
        resolved = mode if isinstance(mode, Mode) else Mode(mode)
    except ValueError:
        raise SandboxUsageError(f"unknown mode {mode!r} in Sandbox.run: use 'stdin' or 'functional'") from None
    if resolved is Mode.FUNCTIONAL and not function_name:
        raise SandboxUsageError("functional mode needs function_name (the method the tests call) in Sandbox.run")
    return resolved


class Sandbox:
    """Runs untrusted programs on tests; thread-safe; one instance can serve a whole process.

    Args:
        limits: Default per-test limits (LiveCodeBench's 6 s by default).
        comparator: ``lcb`` (default), ``exact`` or ``float`` (see :mod:`sstar_dspy.sandbox.compare`).
        strict: Refuse to run (raise :class:`~sstar_dspy.errors.SandboxUnavailableError`) unless
            every isolation layer (``STRICT_LAYERS``) is active.
        workers: Parallel workers of the default backend (default: number of CPUs).
        backend: Anything implementing :class:`~sstar_dspy.sandbox.backend.SandboxBackend`.
        cache: Cache raw runs by (program, input, mode, function, limits).

    Example:
        >>> sandbox = Sandbox(workers=1)
        >>> prog = "class Solution:\\n    def add(self, a, b):\\n        return a + b"
        >>> sandbox.run(prog, [TestCase.from_args([1, 2], 3)], mode="functional", function_name="add")[0].passed
        True
        >>> sandbox.close()
    """

    def __init__(
        self,
        *,
        limits: Limits = Limits(),
        comparator: str = "lcb",
        strict: bool = False,
        workers: int | None = None,
        backend: SandboxBackend | None = None,
        cache: bool = True,
    ):
        self.limits = limits
        self.comparator = get_comparator(comparator)
        self.strict = strict
        self.backend: SandboxBackend = backend or LocalForkServerBackend(workers=workers)
        self.workers = getattr(self.backend, "workers", workers or 2)
        self.cache = RunCache() if cache else None
        self._layers: dict[str, bool] | None = None
        self._reasons: dict[str, str] = {}
        self._layers_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        if strict:
            self.layers()

    # -- isolation -------------------------------------------------------------------------------
    def layers(self) -> dict[str, bool]:
        """Which isolation layers are active (probed once, on first use); warns about missing ones.

        Raises:
            SandboxUnavailableError: the backend cannot start, or (strict mode) a layer is missing.
        """
        with self._layers_lock:
            if self._layers is None:
                try:
                    self._layers, self._reasons = probe_layers(self.backend)
                except (OSError, WorkerError) as exc:
                    raise SandboxUnavailableError(
                        f"the sandbox cannot start its workers ({exc}); check that {sys.executable} runs"
                    ) from exc
                for name, why in self.missing_layers().items():
                    logger.warning("SANDBOX ISOLATION LAYER MISSING: %s (%s)", name, why)
            missing = self.missing_layers()
            if missing and self.strict:
                described = "; ".join(f"{name}: {why}" for name, why in missing.items())
                raise SandboxUnavailableError(
                    f"strict sandbox: isolation layers missing on this machine: {described} "
                    "(see `sstar doctor`), or use Sandbox(strict=False)"
                )
            return dict(self._layers)

    def missing_layers(self) -> dict[str, str]:
        """Each missing isolation layer and why it is missing, in one line (empty when all are on).

        Example:
            >>> with Sandbox(workers=1) as sandbox:
            ...     sandbox.missing_layers()
            {}
        """
        if self._layers is None:
            self.layers()
        layers, reasons = self._layers or {}, getattr(self, "_reasons", {})
        return {
            name: reasons.get(name, "the backend does not provide it")
            for name in STRICT_LAYERS
            if not layers.get(name, False)
        }

    # -- running ---------------------------------------------------------------------------------
    def run(
        self,
        program: str,
        tests: Sequence[TestCase],
        *,
        mode: Mode | str,
        function_name: str | None = None,
        limits: Limits | None = None,
    ) -> list[TestResult]:
        """Run ``program`` on every test and grade it; one :class:`TestResult` per test, in order."""
        resolved = _check_mode(mode, function_name)
        limits = limits or self.limits
        if not isinstance(program, str):
            raise SandboxUsageError(f"program must be a str, got {type(program).__name__} in Sandbox.run")
        tests = list(tests)
        for test in tests:
            if not isinstance(test, TestCase):
                raise SandboxUsageError(f"tests must be TestCase objects, got {type(test).__name__} in Sandbox.run")
        self.layers()
        runs: list[RawRun | None] = [None] * len(tests)
        keys = (
            [self.cache.key(program, t.input, resolved, function_name, limits) for t in tests]
            if self.cache is not None
            else []
        )
        if self.cache is not None:
            runs = [self.cache.get(key) for key in keys]
        todo = list(dict.fromkeys(tests[i].input for i, run in enumerate(runs) if run is None))  # unique, ordered
        if todo:
            request = ExecRequest(program, tuple(todo), resolved, function_name, limits)
            try:
                fresh = dict(zip(todo, self.backend.execute(request), strict=True))
            except WorkerError as exc:
                raise SandboxUnavailableError(f"the sandbox cannot start its workers: {exc}") from exc
            for i, test in enumerate(tests):
                if runs[i] is None:
                    runs[i] = fresh[test.input]
                    if self.cache is not None:
                        self.cache.put(keys[i], runs[i])
        return [self._grade(test, run, resolved) for test, run in zip(tests, runs, strict=True)]

    def _grade(self, test: TestCase, run: RawRun, mode: Mode) -> TestResult:
        status = run.status
        if status is Status.EXECUTED and test.output is not None:
            status = Status.PASSED if self.comparator.equal(run.actual, test.output, mode) else Status.WRONG_ANSWER
        key = self.comparator.key(run.actual, mode) if run.status is Status.EXECUTED else None
        return TestResult(
            status=status,
            input=test.input,
            expected=test.output,
            actual=run.actual,
            output_key=key,
            error=run.error,
            wall_s=run.wall_s,
            cpu_s=run.cpu_s,
        )

    def run_many(self, jobs: Sequence[Job]) -> list[list[TestResult]]:
        """Run many jobs in parallel (up to ``workers`` at once); results in the order of ``jobs``."""
        jobs = list(jobs)
        for job in jobs:
            _check_mode(job.mode, job.function_name)
        if len(jobs) <= 1:
            return [self._run_job(job) for job in jobs]
        return list(self._executor().map(self._run_job, jobs))

    async def arun_many(self, jobs: Sequence[Job]) -> list[list[TestResult]]:
        """Async form of :meth:`run_many` (the event loop stays free while programs run)."""
        jobs = list(jobs)
        for job in jobs:
            _check_mode(job.mode, job.function_name)
        loop = asyncio.get_running_loop()
        executor = self._executor()
        return list(await asyncio.gather(*(loop.run_in_executor(executor, self._run_job, job) for job in jobs)))

    def _run_job(self, job: Job) -> list[TestResult]:
        return self.run(job.program, job.tests, mode=job.mode, function_name=job.function_name, limits=job.limits)

    def _executor(self) -> ThreadPoolExecutor:
        with self._layers_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="sandbox")
            return self._pool

    def output_key(self, actual: str | None, mode: Mode | str) -> str | None:
        """Canonical key of an output under this sandbox's comparator (equal keys = equal behaviour)."""
        return self.comparator.key(actual, _check_mode(mode, "_") if not isinstance(mode, Mode) else mode)

    def cache_info(self) -> dict:
        """Where and how big the result cache is (in-memory, per Sandbox), for ``sstar doctor``."""
        if self.cache is None:
            return {"kind": "none"}
        return {
            "kind": "memory",
            "entries": len(self.cache),
            "bytes": self.cache.size_bytes,
            "max_bytes": self.cache.max_bytes,
            "hits": self.cache.hits,
            "misses": self.cache.misses,
        }

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the workers (a later call restarts them)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.backend.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide shared :class:`Sandbox` (created on first call with default settings).

    ``SSTAR_SANDBOX_STRICT=1`` in the environment makes it strict: it refuses to run unless every isolation
    layer is on (so ``sstar solve`` and every other command refuse too).
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox(strict=os.environ.get("SSTAR_SANDBOX_STRICT", "") not in ("", "0"))
        return _default
