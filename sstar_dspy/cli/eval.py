"""``sstar eval SOURCE``: run a method or saved variant over a suite or file, resumably, into a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sstar_dspy.cli.common import console, err_console, full_problem_set
from sstar_dspy.cli.options import MODEL, PROBLEM_BUDGET, PROGRAM, RUN, Options, with_options
from sstar_dspy.cli.problem_filter import select_problems
from sstar_dspy.cli.progress import command_line, run_with_progress, slug
from sstar_dspy.runs.manifest import canonical_hash
from sstar_dspy.runs.session import data_block, precheck

SourceArg = Annotated[
    str, typer.Argument(help="Suite name (e.g. dev-leetcode), problems file (.jsonl/.json) or example:NAME.")
]


def default_run_dir(source: str, method: str, model: str, config: dict, kind: str = "") -> Path:
    """Deterministic run directory for a config: re-running the same command resumes it."""
    name = "_".join(x for x in (kind, slug(source), slug(method), slug(model, 24)) if x)
    return Path("runs") / f"{name}_{canonical_hash(config)[:8]}"


def load_for_run(source: str, opts: Options) -> tuple[Any, list, dict]:
    """The full problem set (for the data hash), the problems to run and the manifest data block.

    ``--difficulty``/``--ids``/``--exclude-ids`` choose problems, then ``--limit`` keeps the first N. Like
    ``--limit`` they are not part of the run's config: the run directory covers the whole source.
    """
    everything = full_problem_set(source, data_dir=opts.data_dir, fmt=opts.get("format"))
    selected = select_problems(
        list(everything),
        difficulty=opts.get("difficulty"),
        ids=opts.get("ids"),
        exclude_ids=opts.get("exclude_ids"),
        source=source,
    )
    problems = selected[: opts.limit] if opts.limit else selected
    data = data_block(list(everything), source=source, files=getattr(everything, "files", ()))
    return everything, problems, data


def start(
    everything: Any, spec: Any, problems: list, target: Path, opts: Options, settings: dict, data: dict, kind: str
):
    """Shared by eval/generate: dry run, or check the run dir, build the program and show the problem summary."""
    if opts.dry_run:
        from sstar_dspy.cli.estimate import print_estimate

        if hasattr(everything, "summary"):
            err_console.print(everything.summary())
        print_estimate(
            spec, problems, target, opts.models().model_ids(), opts.max_tokens, retry_errors=opts.retry_errors
        )
        return None
    precheck(target, settings=settings, data=data, kind=kind)
    program = spec.build(lms=opts.models().build())
    if hasattr(everything, "summary"):
        err_console.print(everything.summary())
    return program


@with_options(PROGRAM, MODEL, PROBLEM_BUDGET, RUN)
def eval_command(source: SourceArg, opts: Options) -> None:
    """Evaluate a method over problems: one JSONL record per problem, a manifest, resume on re-run."""
    models, spec = opts.models(), opts.spec()
    model_ids = models.model_ids()
    budget = opts.run_budget()
    settings = {**spec.settings(), **models.settings(), "models": model_ids}
    everything, problems, data = load_for_run(source, opts)
    target = opts.run_dir or default_run_dir(source, spec.method, model_ids["generator"], {"s": settings, "d": data})
    program = start(everything, spec, problems, target, opts, settings, data, "eval")
    if program is None:
        return
    run_with_progress(
        problems,
        run_dir=target,
        label=f"eval {spec.method}",
        program=program,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=opts.concurrency,
        budget=budget,
        problem_timeout=opts.problem_timeout,
        retry_errors=opts.retry_errors,
        runtime=opts.runtime(),
    )
    for note in getattr(everything, "notes", []) or []:
        console.print(f"note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``sstar eval`` to the app."""
    app.command("eval")(eval_command)
