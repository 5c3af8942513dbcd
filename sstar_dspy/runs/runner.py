"""Run a solve function over many problems concurrently, writing one record per problem as it finishes.

The runner knows nothing about S*: it takes ``solve(problem, index) -> ProblemRecord`` and guarantees the
run-level properties: problems already recorded are skipped (resume; a problem whose record is an ``error`` runs
again unless ``retry_errors=False``, its failed record kept in ``retried.jsonl``), every started problem that finishes
gets exactly one record (an exception becomes an ``error`` record), records are appended as they finish,
the per-run budget admits a problem only while it still fits (see ``runs.budget``), and DSPy context (LMs,
settings) reaches worker threads.

Example:
    >>> import tempfile
    >>> from sstar_dspy.problem import Problem
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> from sstar_dspy.runs.rundir import RunDirectory
    >>> problems = [Problem(id=f"p{i}", statement="s") for i in range(3)]
    >>> with RunDirectory.open(tempfile.mkdtemp()) as run:
    ...     outcome = EvalRunner(run, lambda p, i: ProblemRecord(problem_id=p.id, index=i)).run(problems)
    >>> outcome.completed, outcome.errored
    (3, 0)
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sstar_dspy.errors import error_line
from sstar_dspy.problem import Problem
from sstar_dspy.runs.budget import PerProblem, RunBudget
from sstar_dspy.runs.inflight import InflightLedger, new_attempt, unrecorded_usage
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory

logger = logging.getLogger(__name__)

SolveFn = Callable[[Problem, int], ProblemRecord]


@dataclass
class RunOutcome:
    """What one session of a run did (``unrecorded``: LM usage of the whole run that no record holds, from
    problems killed or timed out in flight; see ``runs.inflight``)."""

    completed: int = 0
    errored: int = 0
    skipped: int = 0
    retried: int = 0
    not_started: int = 0
    stopped_by: str | None = None
    overshoot: str | None = None
    abandoned: int = 0
    unrecorded: RoleUsage = field(default_factory=RoleUsage)
    total: RoleUsage = field(default_factory=RoleUsage)
    wall_s: float = 0.0


class EvalRunner:
    """Drive ``solve`` over problems with ``concurrency`` worker threads.

    Args:
        run: The open run directory records are appended to.
        solve: ``solve(problem, index) -> ProblemRecord``; exceptions become error records.
        concurrency: Problems solved at the same time.
        budget: Per-run caps; counts usage already recorded in the run (resume) too.
        on_record: Called in the main thread after each record is written (progress display).
        problem_timeout: Wall-clock seconds after which a problem gets an ``error`` record and the run moves on
            (a hung LM call or straggler cannot stall the run; the abandoned solve's late result is discarded).
        retry_errors: On resume, solve again the problems whose record is an ``error`` (LM or server failure,
            crash, timeout); their old records move to ``retried.jsonl``. False keeps them as they are.
        problem_calls: The most LM calls one problem can make (the program's worst case), so the run budget never
            lets the problems in flight exceed ``--max-run-calls``; None = estimate from finished problems.
    """

    def __init__(
        self,
        run: RunDirectory,
        solve: SolveFn,
        *,
        concurrency: int = 1,
        budget: RunBudget | None = None,
        on_record: Callable[[ProblemRecord], None] | None = None,
        problem_timeout: float | None = None,
        retry_errors: bool = True,
        problem_calls: int | None = None,
    ):
        self.run_dir, self.solve, self.concurrency = run, solve, max(1, concurrency)
        self.budget, self.on_record, self.problem_timeout = budget or RunBudget(), on_record, problem_timeout
        self.retry_errors, self.problem_calls = retry_errors, problem_calls
        self.inflight = InflightLedger(run.inflight_path)

    def _timeout_record(self, problem: Problem, index: int, waited: float, attempt: str) -> ProblemRecord:
        logger.warning("problem %s: no result after %.0f s; recorded as an error", problem.id, waited)
        return ProblemRecord(
            problem_id=problem.id,
            index=index,
            status="error",
            error=f"ProblemTimeout: no result after {waited:.0f} s (--problem-timeout {self.problem_timeout:g})",
            passed=False if problem.gradable else None,
            hidden_total=len(problem.hidden_tests),
            wall_s=round(waited, 3),
            attempt=attempt,
        )

    def _safe_solve(self, problem: Problem, index: int, attempt: str) -> ProblemRecord:
        start = time.perf_counter()
        try:
            with self.inflight.tracking(attempt, problem.id):
                record = self.solve(problem, index)
            record = record.model_copy(update={"attempt": attempt})
        except Exception as exc:  # noqa: BLE001 - any failure of one problem becomes its record
            logger.warning("problem %s failed: %s", problem.id, error_line(exc, limit=500))
            record = ProblemRecord(
                problem_id=problem.id,
                index=index,
                status="error",
                error=error_line(exc, limit=500),
                passed=False if problem.gradable else None,
                hidden_total=len(problem.hidden_tests),
                wall_s=round(time.perf_counter() - start, 3),
                attempt=attempt,
            )
        return record

    def _retire(self, problem: Problem, outcome: RunOutcome) -> None:
        """Move the problem's error record to ``retried.jsonl`` just before it runs again."""
        for old in self.run_dir.retire_errors({problem.id}):
            outcome.retried += 1
            logger.info("retrying %s (its earlier attempt erred: %s; kept in retried.jsonl)", old.problem_id, old.error)

    def _next_deadline(self, running: dict[Future, tuple[int, Problem, float, str]]) -> float | None:
        if self.problem_timeout is None:
            return None
        oldest = min(started for _, _, started, _ in running.values())
        return max(0.0, oldest + self.problem_timeout - time.monotonic()) + 0.01

    def pending(self, problems: Sequence[Problem]) -> list[tuple[int, Problem]]:
        """Problems (with their index) that have no record yet (or an ``error`` record, with ``retry_errors``)."""
        done = self.run_dir.done_ids(retry_errors=self.retry_errors)
        return [(i, p) for i, p in enumerate(problems) if p.id not in done]

    def run(self, problems: Sequence[Problem]) -> RunOutcome:
        """Solve every problem that has no record yet; returns counts for this session."""
        start = time.perf_counter()
        previous = self.run_dir.records()
        ids = {p.id for p in problems}
        to_retry = {r.problem_id for r in previous if r.status == "error" and r.problem_id in ids}
        to_retry = to_retry if self.retry_errors else set()
        outcome = RunOutcome(skipped=len({r.problem_id for r in previous} & ids) - len(to_retry))
        # the run budget counts everything the run spent, failed attempts included
        history = [*previous, *self.run_dir.retried_records()]
        # LM calls of earlier sessions' problems that were killed or timed out in flight: in no record, still spent
        outcome.unrecorded = unrecorded_usage(self.run_dir.inflight_path, history)
        total = sum((r.total for r in history), outcome.unrecorded)
        todo = self.pending(problems)
        queue = list(reversed(todo))
        outcome.stopped_by = self.budget.exceeded(total)
        largest = PerProblem.estimate(r.total for r in previous)
        retrying = f" ({len(to_retry)} erred before and are retried)" if to_retry else ""
        logger.info("session: %d problems to run%s, %d already recorded", len(todo), retrying, outcome.skipped)
        running: dict[Future, tuple[int, Problem, float, str]] = {}
        # abandoned (timed-out) solves keep their thread until they return: allow spare threads (created lazily)
        pool = ThreadPoolExecutor(max_workers=self.concurrency + 32, thread_name_prefix="sstar-eval")
        try:  # no `with`: on Ctrl-C the caller exits without waiting for running solves
            while queue or running:
                while queue and len(running) < self.concurrency and outcome.stopped_by is None:
                    per_problem = (
                        largest
                        if self.problem_calls is None
                        else largest.model_copy(update={"calls": self.problem_calls})
                    )
                    admitted, outcome.stopped_by = self.budget.admit(
                        total, running=len(running), per_problem=per_problem
                    )
                    if not admitted:
                        break  # stopped for good, or wait until a running problem finishes
                    index, problem = queue.pop()
                    if problem.id in to_retry:  # only now: a problem the budget never starts keeps its record
                        self._retire(problem, outcome)
                    ctx = contextvars.copy_context()
                    attempt = new_attempt()
                    future = pool.submit(ctx.run, self._safe_solve, problem, index, attempt)
                    running[future] = (index, problem, time.monotonic(), attempt)
                if not running:
                    break
                finished, _ = wait(running, timeout=self._next_deadline(running), return_when=FIRST_COMPLETED)
                records = []
                for future in finished:
                    running.pop(future)
                    records.append(future.result())
                if self.problem_timeout is not None:
                    now = time.monotonic()
                    for future, (index, problem, started, attempt) in list(running.items()):
                        if now - started >= self.problem_timeout:
                            running.pop(future)
                            outcome.abandoned += 1
                            records.append(self._timeout_record(problem, index, now - started, attempt))
                for record in records:
                    self.run_dir.append(record)
                    _log_record(record, outcome.skipped + outcome.completed + 1, len(problems))
                    outcome.completed += 1
                    outcome.errored += record.status == "error"
                    outcome.total = outcome.total + record.total
                    total = total + record.total
                    largest = largest.grow(record.total)
                    if outcome.stopped_by is None:
                        outcome.stopped_by = self.budget.exceeded(total)
                    if self.on_record is not None:
                        self.on_record(record)
        except BaseException:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=self.problem_timeout is None)
        outcome.not_started = len(queue)
        history = [*self.run_dir.records(), *self.run_dir.retried_records()]
        outcome.unrecorded = unrecorded_usage(self.run_dir.inflight_path, history)
        outcome.overshoot = self.budget.overshoot(total)
        if outcome.overshoot:
            logger.warning("%s", outcome.overshoot)
        outcome.wall_s = round(time.perf_counter() - start, 3)
        logger.info(
            "session done: %d finished (%d errors), %d not started%s, %d LM calls, %.1fs",
            outcome.completed,
            outcome.errored,
            outcome.not_started,
            f" (stopped by {outcome.stopped_by})" if outcome.stopped_by else "",
            outcome.total.calls,
            outcome.wall_s,
        )
        return outcome


def _log_record(record: ProblemRecord, done: int, total: int) -> None:
    """One run.log line per finished problem (``tail -f run.log`` follows a long run)."""
    if record.status == "error":
        result = f"error: {record.error}"
    elif record.passed is None:
        result = "not graded"
    else:
        result = f"{'passed' if record.passed else 'failed'} {record.hidden_passed}/{record.hidden_total} hidden"
    logger.info(
        "[%d/%d] %s: %s; %d LM calls, %d tokens, %.1fs%s",
        done,
        total,
        record.problem_id,
        result,
        record.total.calls,
        record.total.tokens,
        record.wall_s,
        f"; budget stop: {record.budget_stop}" if record.budget_stop else "",
    )
