"""``sstar report RUN...``: summary table across runs and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import console, env


def unrecorded_note(path: Path) -> str | None:
    """A note on LM usage of problems killed or timed out in flight (``inflight.jsonl``), or None."""
    from sstar_dspy.runs.inflight import describe_unrecorded, unrecorded_usage
    from sstar_dspy.runs.rundir import INFLIGHT, RETRIED, read_records

    if not path.is_dir() or not (path / INFLIGHT).exists():
        return None
    records = read_records(path / "records.jsonl") if (path / "records.jsonl").exists() else []
    retried = read_records(path / RETRIED) if (path / RETRIED).exists() else []
    line = describe_unrecorded(unrecorded_usage(path / INFLIGHT, [*records, *retried]))
    return f"{line}; not in the table's calls, tokens or cost" if line else None


def report(
    runs: Annotated[list[Path], typer.Argument(help="Run directories (or records .jsonl files).", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            envvar=env("report_out"),
            help="Where to write the tables and plots (default: <first run>/report).",
        ),
    ] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", envvar=env("plots"), help="Write PNG plots.")] = True,
    markdown: Annotated[bool, typer.Option("--markdown", envvar=env("markdown"), help="Print Markdown.")] = False,
) -> None:
    """Summarise runs: pass@1, oracle pass@N, selection efficiency, calls, tokens, wall time, cost."""
    from sstar_dspy.runs.plots import have_matplotlib, write_plots
    from sstar_dspy.runs.report import stages_to_rich, to_json, to_markdown, to_rich
    from sstar_dspy.runs.summary import load_run, summarize

    summaries = [summarize(load_run(path)) for path in runs]
    for path, summary in zip(runs, summaries, strict=True):
        note = unrecorded_note(path)
        if note:
            summary.notes.append(note)
    if markdown:
        console.print(to_markdown(summaries), end="")
    else:
        console.print(to_rich(summaries))
        for s in summaries:
            for note in s.notes:
                console.print(f"note: {s.name}: {note}")
        stages = stages_to_rich(summaries)
        if stages is not None:
            console.print(stages)
    target = out or ((runs[0] if runs[0].is_dir() else runs[0].parent) / "report")
    target.mkdir(parents=True, exist_ok=True)
    (target / "summary.md").write_text(to_markdown(summaries), encoding="utf-8")
    (target / "summary.json").write_text(json.dumps(to_json(summaries), indent=2) + "\n", encoding="utf-8")
    written = [target / "summary.md", target / "summary.json"]
    if plots and not have_matplotlib():
        console.print("note: plots skipped: matplotlib is not installed (pip install matplotlib); tables written")
    elif plots:
        written += write_plots(summaries, target)
    console.print("wrote " + ", ".join(str(p) for p in written))


def register(app: typer.Typer) -> None:
    """Add ``sstar report`` to the app."""
    app.command("report")(report)
