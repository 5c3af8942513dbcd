"""LM calls of problems in flight, counted even when their record is never written (``inflight.jsonl``).

A problem's record carries what its solve spent, but a run killed mid-problem (Ctrl-C, ``kill -9``, a crash)
or a problem abandoned at ``--problem-timeout`` leaves LM calls that no record holds. While a problem runs,
every LM response it gets appends one line to ``inflight.jsonl`` in the run directory (one ``write`` on an
``O_APPEND`` descriptor; the attempt id, problem id, model and tokens). Each record names its ``attempt``, so
:func:`unrecorded_usage` is, per attempt, what the ledger saw beyond what its record counts (everything, for an
attempt that has no record or a timeout record). The run budget counts it, and ``sstar eval``/``sstar report``
say how much it was.

The ledger hooks DSPy's usage tracking (``dspy.track_usage`` rolls each call's usage up into its parent
tracker, which is the ledger here), so it sees what DSPy bills: cache hits add nothing, and a call that failed
without an answer has no tokens to count.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "inflight.jsonl"
    >>> ledger = InflightLedger(path)
    >>> ledger.write("a1", "p", "openai/m", [{"prompt_tokens": 10, "completion_tokens": 2}] * 3)
    >>> unrecorded_usage(path, []).calls   # attempt a1 has no record: its 3 calls are counted here
    3
    >>> from sstar_dspy.runs.record import ProblemRecord, RoleUsage
    >>> done = ProblemRecord(problem_id="p", attempt="a1", total=RoleUsage(calls=3, prompt_tokens=30))
    >>> unrecorded_usage(path, [done]).calls
    0
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sstar_dspy.runs.cost import usage_cost
from sstar_dspy.runs.record import ProblemRecord, RoleUsage

logger = logging.getLogger(__name__)

INFLIGHT = "inflight.jsonl"


def new_attempt() -> str:
    """A short unique id for one attempt at one problem."""
    return uuid.uuid4().hex[:16]


class InflightLedger:
    """Appends one line per LM response of a running problem to ``path`` (thread-safe)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, attempt: str, problem_id: str, model: str, entries: Iterable[dict[str, Any]]) -> None:
        """Append one line per usage entry (an LM response) of ``attempt``."""
        lines = []
        for entry in entries:
            prompt = int(entry.get("prompt_tokens") or entry.get("input_tokens") or 0)
            completion = int(entry.get("completion_tokens") or entry.get("output_tokens") or 0)
            row = {"attempt": attempt, "problem_id": problem_id, "model": model, "in": prompt, "out": completion}
            lines.append(json.dumps(row, ensure_ascii=True) + "\n")
        if not lines:
            return
        payload = "".join(lines).encode("utf-8")
        try:
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    view = memoryview(payload)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
        except OSError as exc:  # accounting must never fail a solve
            logger.warning("%s: cannot record an LM call (%s)", self.path, exc.strerror)

    @contextmanager
    def tracking(self, attempt: str, problem_id: str) -> Iterator[None]:
        """Within this block (and DSPy worker threads it starts), LM usage is also written to the ledger."""
        import dspy
        from dspy.utils.usage_tracker import UsageTracker

        ledger = self

        class _Calls(list):
            def __init__(self, model: str):
                super().__init__()
                self.model = model

            def append(self, entry: dict[str, Any]) -> None:
                super().append(entry)
                ledger.write(attempt, problem_id, self.model, [entry])

            def extend(self, entries: Iterable[dict[str, Any]]) -> None:
                entries = list(entries)
                super().extend(entries)
                ledger.write(attempt, problem_id, self.model, entries)

        class _ByModel(defaultdict):
            def __missing__(self, model: str) -> _Calls:
                calls = self[model] = _Calls(model)
                return calls

        tracker = UsageTracker()
        tracker.usage_data = _ByModel()
        parent = dspy.settings.usage_tracker
        with dspy.settings.context(usage_tracker=tracker):
            try:
                yield
            finally:
                if parent is not None:  # like dspy.track_usage: an outer tracker still sees the usage
                    for model, entries in tracker.usage_data.items():
                        parent.usage_data[model].extend(entries)


def read_ledger(path: str | Path) -> list[dict[str, Any]]:
    """The ledger's lines (a torn last line, left by a kill mid-write, is skipped)."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def unrecorded_usage(path: str | Path, records: Iterable[ProblemRecord]) -> RoleUsage:
    """LM usage the ledger saw beyond what the records of the same attempts count (killed or abandoned solves)."""
    seen: dict[str, RoleUsage] = {}
    for row in read_ledger(path):
        prompt, completion = int(row.get("in", 0)), int(row.get("out", 0))
        cost = usage_cost(str(row.get("model", "")), prompt, completion)
        call = RoleUsage(calls=1, prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost)
        attempt = str(row.get("attempt"))
        seen[attempt] = seen.get(attempt, RoleUsage()) + call
    counted = {r.attempt: r.total for r in records if r.attempt}
    missing = RoleUsage()
    for attempt, usage in seen.items():
        have = counted.get(attempt, RoleUsage())
        if usage.calls > have.calls or usage.tokens > have.tokens:
            extra_cost = None if usage.cost_usd is None else max(0.0, usage.cost_usd - (have.cost_usd or 0.0))
            missing = missing + RoleUsage(
                calls=max(0, usage.calls - have.calls),
                prompt_tokens=max(0, usage.prompt_tokens - have.prompt_tokens),
                completion_tokens=max(0, usage.completion_tokens - have.completion_tokens),
                cost_usd=extra_cost,
            )
    return missing


def describe_unrecorded(usage: RoleUsage) -> str | None:
    """One line about LM usage no record holds, or None when there is none.

    Example:
        >>> describe_unrecorded(RoleUsage(calls=2, prompt_tokens=100, completion_tokens=20)).split(" of ")[0]
        '2 LM calls, 120 tokens'
    """
    if not usage.calls and not usage.tokens:
        return None
    cost = "" if usage.cost_usd is None else f", ${usage.cost_usd:.4f}"
    return (
        f"{usage.calls} LM calls, {usage.tokens:,} tokens{cost} of problems killed or timed out in flight "
        f"(in no record; from {INFLIGHT})"
    )
