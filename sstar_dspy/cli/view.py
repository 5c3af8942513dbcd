"""``sstar view RUN_DIR``: one self-contained HTML page of a run (summary, plots, every problem's S* story)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import console, env


def view(
    run: Annotated[Path, typer.Argument(help="A run directory (or its records .jsonl file).", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", envvar=env("view_out"), help="HTML file to write (default: RUN_DIR/report/view.html)."
        ),
    ] = None,
    plots: Annotated[
        bool, typer.Option("--plots/--no-plots", envvar=env("plots"), help="Embed the report's plots (base64 PNG).")
    ] = True,
) -> None:
    """Write an offline HTML report of a run and print its path."""
    from sstar_dspy.cli.report import unrecorded_note
    from sstar_dspy.runs.view import write_view

    note = unrecorded_note(run) if run.exists() else None
    target = write_view(run, out, plots=plots, notes=[note] if note else None)
    console.print(str(target), soft_wrap=True)  # a long path stays one line (copy-pastable)


def register(app: typer.Typer) -> None:
    """Add ``sstar view`` to the app."""
    app.command("view")(view)
