"""``sstar export RUN_DIR --format lcb``: a run's programs for LiveCodeBench's official ``custom_evaluator``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import UsageError, console, env, err_console


def export(
    run: Annotated[Path, typer.Argument(help="A run directory (or its records .jsonl file).", show_default=False)],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            envvar=env("export_format"),
            help="lcb: JSON list of {question_id, code_list} for lcb_runner.runner.custom_evaluator.",
        ),
    ] = "lcb",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", envvar=env("export_out"), help="File to write (default: RUN_DIR/report/lcb.json)."),
    ] = None,
    all_candidates: Annotated[
        bool,
        typer.Option(
            "--all-candidates",
            envvar=env("all_candidates"),
            help="code_list = every candidate program of the trace, in sample order (default: the chosen one).",
        ),
    ] = False,
) -> None:
    """Export a run's programs for another grader and print the file's path."""
    from sstar_dspy.runs.export import FORMATS, candidate_programs, write_export
    from sstar_dspy.runs.rundir import RECORDS, RunDirError
    from sstar_dspy.runs.summary import load_run

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: unknown export format; formats: {', '.join(FORMATS)}")
    if not run.exists():
        raise RunDirError(f"{run}: no such run directory; pass a directory written by `sstar eval`")
    loaded = load_run(run)
    records = loaded.records
    if not records:
        raise RunDirError(f"{run}: {RECORDS} holds no records yet; nothing to export")
    if not all_candidates and loaded.manifest is not None and loaded.manifest.kind == "generate":
        raise UsageError(f"{run}: an `sstar generate` run has candidates but no chosen program; pass --all-candidates")
    target = out or (run if run.is_dir() else run.parent) / "report" / f"{fmt}.json"
    write_export(records, target, fmt=fmt, all_candidates=all_candidates)
    if all_candidates:
        missing = sum(candidate_programs(r) is None for r in records)
        if missing:
            err_console.print(
                f"note: {missing} problems have no candidates in their trace; their chosen program is used"
            )
    console.print(str(target), soft_wrap=True)  # a long path stays one line (copy-pastable)


def register(app: typer.Typer) -> None:
    """Add ``sstar export`` to the app."""
    app.command("export")(export)
