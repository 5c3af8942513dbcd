"""What every stage of one solve shares: role LMs, the predictors, the budget ledger, the sandbox.

Stage 1 (``sstar_dspy.generation``) and the selectors (``sstar_dspy.selection``) never call a
predictor or the sandbox directly; they go through :class:`SolveContext`, which

* routes each predictor to its role's LM at call time (``predictor(..., lm=role_lm)``; a
  predictor-level LM would be wiped by ``reset_copy`` during compilation),
* reserves the call against the budget and records the tokens DSPy reports for it (counted in
  the calling thread, because usage inside ``dspy.Parallel`` workers is lost otherwise), and hands
  that call's :class:`~sstar_dspy.budget.CallUsage` back to stages that record it
  (:meth:`SolveContext.predict_with_usage`; stage 1 stores it on every debug round),
* turns every LM failure (error, unparsable answer) into :class:`LMCallError`,
* runs concurrent work with DSPy's ``ParallelExecutor`` (``timeout=0``: no straggler resubmits),
  which carries ``dspy.context`` settings and the optimizer trace into the worker threads.

Example:
    >>> RoleLMs().for_role("judge") is None   # no LM given: the predictor falls back to dspy.settings.lm
    True
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import dspy
from dspy.utils.parallelizer import ParallelExecutor

from sstar_dspy.budget import CallUsage, UsageLedger
from sstar_dspy.errors import error_line
from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.sandbox.results import Status, TestResult

__all__ = ["PREDICTOR_ROLES", "LMCallError", "RoleLMs", "SolveContext"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

PREDICTOR_ROLES = {
    "generate": "generator",
    "debug": "debugger",
    "generate_tests": "test_generator",
    "distinguish": "test_generator",
    "judge": "judge",
}
"""Which role (and so which LM and usage bucket) each SStar predictor belongs to."""


class LMCallError(Exception):
    """A predictor call failed (LM error or unparsable answer); the message is one line.

    Attributes:
        usage: What the failed call cost (tokens DSPy reported, wall time); zero when no LM call was made.
    """

    def __init__(self, message: str, usage: CallUsage | None = None):
        super().__init__(message)
        self.usage = usage or CallUsage()


@dataclass
class RoleLMs:
    """The LM of each S* role. Unset roles use ``generator``; if that is unset too, DSPy's
    configured LM (``dspy.configure(lm=...)`` / ``dspy.context(lm=...)``).

    Example:
        >>> RoleLMs(generator="gen-lm").for_role("debugger")
        'gen-lm'
    """

    generator: Any = None
    debugger: Any = None
    test_generator: Any = None
    judge: Any = None

    def for_role(self, role: str) -> Any:
        """The LM for ``role`` (None = DSPy's configured LM)."""
        return getattr(self, role) or self.generator


@dataclass
class SolveContext:
    """Per-solve services for the stages (see the module docstring)."""

    problem: Problem
    predictors: dict[str, dspy.Predict]
    lms: RoleLMs
    ledger: UsageLedger
    sandbox: Any
    num_threads: int = 8
    sample_temperature: float | None = None
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- LM calls ---------------------------------------------------------------------------------
    def problem_inputs(self, *, starter_code: bool = True) -> dict[str, str]:
        """The problem fields the signatures take (``starter_code`` only where the signature has it)."""
        p = self.problem
        fields = {"problem": p.statement, "mode": p.mode.value, "function_name": p.function_name or ""}
        if starter_code:
            fields["starter_code"] = p.starter_code
        return fields

    def predict(self, name: str, *, rollout_id: int | None = None, **inputs: Any) -> dspy.Prediction:
        """Call predictor ``name`` with its role LM, under the budget.

        Raises:
            BudgetExhaustedError: A budget cap forbids the call (nothing was sent).
            LMCallError: The LM call or the parsing of its answer failed.
        """
        return self.predict_with_usage(name, rollout_id=rollout_id, **inputs)[0]

    def predict_with_usage(
        self, name: str, *, rollout_id: int | None = None, **inputs: Any
    ) -> tuple[dspy.Prediction, CallUsage]:
        """:meth:`predict`, also returning what this call cost (the same numbers the ledger adds to the role).

        Raises:
            BudgetExhaustedError: A budget cap forbids the call (nothing was sent).
            LMCallError: The LM call or the parsing of its answer failed (``err.usage`` is its cost).
        """
        role = PREDICTOR_ROLES[name]
        self.ledger.reserve(role)
        config: dict[str, Any] = {}
        if rollout_id is not None:
            config["rollout_id"] = rollout_id
        if self.sample_temperature is not None and role in ("generator", "debugger"):
            config["temperature"] = self.sample_temperature
        started = time.perf_counter()
        with dspy.track_usage() as tracker:
            try:
                pred = self.predictors[name](lm=self.lms.for_role(role), config=config, **inputs)
            except Exception as err:
                usage = self.ledger.record(
                    role, tracker.get_total_tokens(), failed=True, wall_s=time.perf_counter() - started
                )
                message = f"{name} call failed: {error_line(err)}"
                self.note_error(message)
                raise LMCallError(message, usage) from err
        return pred, self.ledger.record(role, tracker.get_total_tokens(), wall_s=time.perf_counter() - started)

    def note_error(self, message: str) -> None:
        """Record one error line in the trace (thread-safe)."""
        logger.info("%s: %s", self.problem.id, message)
        with self._lock:
            self.errors.append(message)

    # -- execution --------------------------------------------------------------------------------
    def run(self, program: str, tests: Sequence[TestCase]) -> list[TestResult]:
        """Run ``program`` on ``tests`` in the sandbox; never raises (failures become results)."""
        return self.run_many([(program, tests)])[0]

    def run_many(self, jobs: Sequence[tuple[str, Sequence[TestCase]]]) -> list[list[TestResult]]:
        """Run several (program, tests) jobs; order-preserving, never raises."""
        from sstar_dspy.sandbox import Job

        out: list[list[TestResult] | None] = [None] * len(jobs)
        real: list[int] = []
        for i, (program, tests) in enumerate(jobs):
            if not tests:
                out[i] = []
            elif not program.strip():
                out[i] = [_no_program(t) for t in tests]
            else:
                real.append(i)
        if real:
            batch = [
                Job(
                    program=jobs[i][0],
                    tests=list(jobs[i][1]),
                    mode=self.problem.mode,
                    function_name=self.problem.function_name,
                )
                for i in real
            ]
            results = self._run_batch(batch, [jobs[i][1] for i in real])
            retry = [k for k, res in enumerate(results) if any(r.status is Status.SANDBOX_ERROR for r in res)]
            if retry:  # an infrastructure hiccup is not the program's behaviour: retry those jobs once
                again = self._run_batch([batch[k] for k in retry], [jobs[real[k]][1] for k in retry])
                for k, res in zip(retry, again, strict=True):
                    results[k] = res
                    if any(r.status is Status.SANDBOX_ERROR for r in res):
                        self.note_error(f"sandbox error persisted after a retry: {res[0].error[:200]}")
            for i, res in zip(real, results, strict=False):
                out[i] = res
        return [r if r is not None else [] for r in out]

    def _run_batch(self, batch: list[Any], tests: list[Sequence[TestCase]]) -> list[list[TestResult]]:
        try:
            return list(self.sandbox.run_many(batch))
        except Exception as err:  # the sandbox itself failed: record it, grade as sandbox errors
            self.note_error(f"sandbox failed: {error_line(err)}")
            return [[_sandbox_error(t, err) for t in job_tests] for job_tests in tests]

    # -- concurrency ------------------------------------------------------------------------------
    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply ``fn`` to ``items`` concurrently, in order, carrying the DSPy context.

        ``fn`` must not raise (stages catch their own errors); a crash is re-raised here.
        """
        items = list(items)
        if len(items) <= 1 or self.num_threads <= 1:
            return [fn(x) for x in items]
        executor = ParallelExecutor(
            num_threads=min(self.num_threads, len(items)),
            max_errors=len(items) + 1,
            disable_progress_bar=True,
            provide_traceback=True,
            timeout=0,
        )
        failures: list[BaseException] = []

        def guarded(item: T) -> R | None:
            try:
                return fn(item)
            except BaseException as err:  # surfaced below, in the caller's thread
                failures.append(err)
                raise

        results = executor.execute(guarded, items)
        if failures:
            raise failures[0]
        return results


def _no_program(test: TestCase) -> TestResult:
    return TestResult(status=Status.COMPILE_ERROR, input=test.input, expected=test.output, error="no program")


def _sandbox_error(test: TestCase, err: BaseException) -> TestResult:
    return TestResult(status=Status.SANDBOX_ERROR, input=test.input, expected=test.output, error=error_line(err))
