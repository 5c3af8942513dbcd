"""Run a session with a rich progress bar and finish with a one-paragraph summary (shared by eval/generate/...)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from sstar_dspy.cli.common import console
from sstar_dspy.runs.inflight import describe_unrecorded
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.redact import redact_argv
from sstar_dspy.runs.runner import RunOutcome
from sstar_dspy.runs.session import run_eval
from sstar_dspy.runs.summary import load_run, summarize


def slug(text: str, limit: int = 40) -> str:
    """A filesystem-friendly short name."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text.rsplit("/", 1)[-1] if "/" in text and ":" not in text else text)
    return text.strip("-.")[:limit] or "run"


def command_line() -> list[str]:
    """This process's command line with secrets masked."""
    return redact_argv(["sstar", *sys.argv[1:]])


def run_with_progress(problems: list[Any], *, run_dir: Path, label: str, **kwargs: Any) -> RunOutcome:
    """``run_eval`` with a progress bar on stderr; prints the outcome summary on stdout."""
    stats = {"passed": 0, "graded": 0, "errored": 0}
    progress = Progress(
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task(label, total=len(problems), status="")

    def on_start(pending: int, done: int) -> None:
        progress.start()  # only once the run directory is open and its config checked
        progress.update(task, completed=done, total=pending + done)
        if done:
            progress.console.print(f"resuming {run_dir}: {done} problems already recorded, {pending} to go")

    def on_record(record: ProblemRecord) -> None:
        stats["errored"] += record.status == "error"
        if record.passed is not None:
            stats["graded"] += 1
            stats["passed"] += bool(record.passed)
        status = f"pass {stats['passed']}/{stats['graded']}" + (f" err {stats['errored']}" if stats["errored"] else "")
        progress.update(task, advance=1, status=status)

    try:
        outcome = run_eval(problems, run_dir=run_dir, on_start=on_start, on_record=on_record, **kwargs)
    finally:
        progress.stop()
    print_outcome(run_dir, outcome)
    return outcome


def print_outcome(run_dir: Path, outcome: RunOutcome) -> None:
    """The end-of-run summary: this session and the whole run."""
    summary = summarize(load_run(run_dir)) if (run_dir / "records.jsonl").exists() else None
    console.print(
        f"this session: {outcome.completed} problems finished ({outcome.errored} with errors), "
        f"{outcome.skipped} already recorded, {outcome.total.calls} LM calls, {outcome.total.tokens:,} tokens, "
        f"{outcome.wall_s:.1f}s"
    )
    if summary is not None:
        pass1 = "-" if summary.pass_at_1 is None else f"{100 * summary.pass_at_1:.1f}%"
        oracle = "-" if summary.oracle_pass_at_n is None else f"{100 * summary.oracle_pass_at_n:.1f}%"
        cost = "" if summary.cost_usd is None else f", ${summary.cost_usd:.4f}"
        console.print(
            f"run: {summary.problems} problems, {summary.errored} erred, pass@1 {pass1} of {summary.graded} graded, "
            f"oracle pass@N {oracle}, {summary.calls} LM calls, {summary.tokens:,} tokens{cost}"
            + (" (stage 1 from the generate run + stage 2)" if summary.stages else "")
        )
        if summary.graded_on is not None:
            console.print(f"pass@1 and oracle pass@N {summary.grading}")
    if outcome.retried:
        console.print(
            f"{outcome.retried} problems that had erred were run again; "
            f"their failed records are kept in {run_dir / 'retried.jsonl'}"
        )
    if outcome.errored:
        console.print(
            f"{outcome.errored} problems erred; their records hold the error (re-run the command to retry them)"
        )
    recovered = sum(r.status == "ok" and bool(r.error) for r in load_run(run_dir).records) if summary else 0
    if recovered:
        console.print(
            f"{recovered} more problems met LM errors but still produced a program ('error' in their records)"
        )
    if outcome.stopped_by:
        console.print(f"{outcome.stopped_by}; {outcome.not_started} problems not started - raise the budget and re-run")
    if outcome.overshoot:
        console.print(outcome.overshoot)
    unrecorded = describe_unrecorded(outcome.unrecorded)
    if unrecorded:
        console.print(f"also {unrecorded}; the run budget counts them")
    console.print(f"records: {run_dir / 'records.jsonl'}")
    if outcome.abandoned:
        console.print(f"{outcome.abandoned} problems timed out; exiting without waiting for their abandoned solves")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # their threads may never return (a hung LM call); every record is already on disk
