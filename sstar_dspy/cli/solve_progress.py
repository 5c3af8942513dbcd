"""Stage progress of ``sstar solve`` on stderr, read from DSPy's own callbacks (no hook inside SStar needed).

Every predictor call of a solve passes DSPy's callback machinery (``dspy.settings.callbacks``, which DSPy carries
into the worker threads of ``ParallelExecutor``), so :class:`SolveProgress` learns which predictor started or
finished and tells the stage: samples written k/N, debug rounds, the selection's test-input calls, duels
(distinguishing inputs, judge calls). It only observes; the solve is unchanged. On a terminal the latest line
is redrawn in place; otherwise (a pipe, a log file, CI) each step is one ``progress:`` line.

Example:
    >>> lines = []
    >>> p = SolveProgress("sum-two", n=2, names={}, write=lines.append)
    >>> p.step("generate", done=True); p.step("generate", done=True); p.step("judge", done=True)
    >>> lines[-1]
    'progress: sum-two: samples 2/2 written, 0 debug rounds | selection: 0 test-input calls, 0 distinguish, 1 judge'
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dspy.utils.callback import BaseCallback

SELECTION = ("generate_tests", "distinguish", "judge")


class SolveProgress(BaseCallback):
    """Counts predictor calls by name and writes one status line per step (thread-safe).

    Args:
        problem_id: Shown at the start of each line.
        n: Samples the program draws (the k/N denominator).
        names: ``id(predictor) -> name`` for the program's predictors (``named_predictors()``).
        write: Where a line goes.
    """

    def __init__(self, problem_id: str, n: int, names: dict[int, str], write: Callable[[str], None]):
        self.problem_id, self.n, self.names, self.write = problem_id, n, names, write
        self.done: Counter[str] = Counter()
        self.calls: dict[str, str] = {}
        self.lock = threading.Lock()

    def on_module_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        name = self.names.get(id(instance))
        if name is not None:
            with self.lock:
                self.calls[call_id] = name

    def on_module_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        with self.lock:
            name = self.calls.pop(call_id, None)
        if name is not None:
            self.step(name, done=True)

    def step(self, name: str, *, done: bool) -> None:
        """Count a finished call of predictor ``name`` and write the status line."""
        with self.lock:
            self.done[name] += done
            line = self.line()
            self.write(line)

    def line(self) -> str:
        d = self.done
        text = f"progress: {self.problem_id}: samples {d['generate']}/{self.n} written, {d['debug']} debug rounds"
        if any(d[name] for name in SELECTION):
            text += (
                f" | selection: {d['generate_tests']} test-input calls, {d['distinguish']} distinguish, "
                f"{d['judge']} judge"
            )
        return text


@contextmanager
def solve_progress(program: Any, problem_id: str, *, enabled: bool, stream: Any) -> Iterator[None]:
    """Show :class:`SolveProgress` lines on ``stream`` while the block runs (nothing when not ``enabled``)."""
    if not enabled:
        yield
        return
    import dspy

    tty = bool(getattr(stream, "isatty", lambda: False)())
    width = [0]

    def write(line: str) -> None:
        if tty:  # redraw in place; the line is cleared when the solve ends
            stream.write("\r" + line.ljust(width[0]))
            width[0] = max(width[0], len(line))
        else:
            stream.write(line + "\n")
        stream.flush()

    names = {id(p): name for name, p in program.named_predictors()}
    progress = SolveProgress(problem_id, int(getattr(program, "n", 1)), names, write)
    callbacks = [*dspy.settings.get("callbacks", []), progress]
    try:
        with dspy.context(callbacks=callbacks):
            yield
    finally:
        if tty and width[0]:
            stream.write("\r" + " " * width[0] + "\r")
            stream.flush()
