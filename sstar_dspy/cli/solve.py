"""``sstar solve FILE|-|example:NAME``: solve one problem and print the chosen program plus a short summary.

FILE is our JSONL schema (one problem, or pick one with ``--id``) or a plain-text statement with examples
("Input:/Output:" blocks become public tests). ``-`` reads either from stdin.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from sstar_dspy.cli.common import DataDirOpt, FormatOpt, UsageError, env, err_console, nothing_loaded
from sstar_dspy.cli.options import MODEL, PROBLEM_BUDGET, PROGRAM, Options, with_options
from sstar_dspy.cli.solve_progress import solve_progress
from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problem import Problem
from sstar_dspy.runs.redact import redact, redact_text

PLAIN_SUFFIXES = (".txt", ".md", ".text")


def _from_text(text: str, name: str, problem_id: str | None = None) -> Problem:
    stripped = text.strip()
    if not stripped:
        raise ProblemFormatError("empty problem: give a JSONL problem or a statement with examples", path=name)
    if not stripped.startswith("{"):
        from sstar_dspy.problems import problem_from_text

        return problem_from_text(text, id=Path(name).stem if name != "-" else "stdin")
    try:  # one (possibly pretty-printed) JSON object
        return Problem.model_validate_json(stripped)
    except ValidationError:
        pass
    lines = [line for line in stripped.splitlines() if line.strip()]
    problems = []
    for number, line in enumerate(lines if len(lines) > 1 else [stripped], start=1):
        try:
            problems.append(Problem.model_validate_json(line))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err.get("loc", ())) or None
            raise ProblemFormatError(err.get("msg", "invalid problem"), path=name, line=number, field=field) from None
    if problem_id is not None:
        problems = [p for p in problems if p.id == problem_id]
    if len(problems) != 1:
        raise UsageError(f"{name}: holds {len(problems)} matching problems; pick one with --id")
    return problems[0]


def read_problem(source: str, problem_id: str | None, data_dir: Path | None, fmt: str | None = None) -> Problem:
    """One problem from a file, stdin, a suite or example:NAME."""
    if source == "-":
        return _from_text(sys.stdin.read(), "-", problem_id)
    path = Path(source)
    if path.suffix.lower() in PLAIN_SUFFIXES:
        try:
            return _from_text(path.read_text(encoding="utf-8"), source)
        except FileNotFoundError:
            raise ProblemFormatError("no such file", path=source) from None
        except UnicodeDecodeError:
            raise ProblemFormatError("not UTF-8 text", path=source) from None
    from sstar_dspy.problems import load_problems

    problems = load_problems(source, data_dir=data_dir, ids=[problem_id] if problem_id else None, format=fmt)
    if len(problems) == 0:
        raise UsageError(nothing_loaded(source, problems))
    if len(problems) != 1:
        ids = ", ".join(p.id for p in list(problems)[:5])
        raise UsageError(f"{source}: holds {len(problems)} problems ({ids}...); pick one with --id")
    return problems[0]


@with_options(PROGRAM, MODEL, PROBLEM_BUDGET)
def solve(
    source: Annotated[
        str, typer.Argument(help="Problem file (.jsonl/.json/.txt/.md), '-' for stdin, or example:NAME.")
    ],
    opts: Options,
    problem_id: Annotated[str | None, typer.Option("--id", envvar=env("id"), help="Problem id within a file.")] = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", envvar=env("solve_out"), help="Also write the program here.")
    ] = None,
    trace: Annotated[
        Path | None, typer.Option("--trace", envvar=env("trace"), help="Write the full trace JSON here.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", envvar=env("verbose"), help="Print the per-candidate trace summary.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", envvar=env("quiet"), help="No stage progress on stderr (samples k/N, debug rounds, duels)."
        ),
    ] = False,
) -> None:
    """Solve one problem: the chosen program goes to stdout, the summary to stderr."""
    models, spec = opts.models(), opts.spec()
    spec.settings()  # validates method, variant and budgets before any model starts
    problem = read_problem(source, problem_id, data_dir, fmt)
    for target in (out, trace):
        if target is not None and not target.parent.is_dir():
            raise UsageError(f"{target}: the directory {target.parent} does not exist")
    program = spec.build(lms=models.build())
    started = time.perf_counter()
    with solve_progress(program, problem.id, enabled=not quiet, stream=sys.stderr):
        pred = program(problem=problem)
    wall = time.perf_counter() - started
    t = pred.trace
    chosen = redact_text(pred.program)  # a model can echo a key into its code; never print or save it
    sys.stdout.write(chosen.rstrip("\n") + "\n" if chosen else "")
    passing = sum(c.passes_public for c in t.candidates)
    rounds_used = sum(max(0, len(c.rounds) - 1) for c in t.candidates)
    duels = len(t.selection.duels) if t.selection else 0
    tokens = sum(u.total_tokens for u in t.usage.values())
    public = len(problem.public_tests)
    checked = f"{passing} pass the {public} public tests" if public else "no public tests to check them on"
    err_console.print(
        f"{problem.id}: {len(t.candidates)} candidates ({checked}), "
        f"{rounds_used} debug rounds, {duels} duels, {t.lm_calls} LM calls, {tokens:,} tokens, {wall:.1f}s"
    )
    if t.selection:
        err_console.print(f"selected #{t.chosen} by {t.selection.selector}: {t.selection.reason}")
    if t.budget_stop:
        err_console.print(f"budget stop: {t.budget_stop}")
    for line in t.errors[:5]:
        err_console.print(f"note: {redact_text(line)}")
    verdict = None
    if problem.gradable:
        from sstar_dspy.runs.grading import grade

        verdict = grade(problem, pred.program)
        if verdict.graded_on == "all":
            err_console.print(
                f"all tests: {verdict.tests_passed}/{verdict.tests_total} passed "
                f"(public + hidden, as LiveCodeBench; hidden {verdict.hidden_passed}/{verdict.hidden_total})"
            )
        else:
            err_console.print(f"hidden tests: {verdict.hidden_passed}/{verdict.hidden_total} passed")
    if verbose:
        err_console.print(redact_text(t.summary()))
    if out is not None:
        out.write_text(chosen, encoding="utf-8")
    if trace is not None:
        context = {  # extra keys beside the SolveTrace fields: the file says which models, on what, and how it did
            "models": models.model_ids(),
            "problem": problem.model_dump(mode="json", include={"id", "statement", "mode", "function_name"}),
            "hidden": None if verdict is None else {"passed": verdict.hidden_passed, "total": verdict.hidden_total},
        }
        data = {**t.model_dump(mode="json"), **context}
        trace.write_text(json.dumps(redact(data), indent=1) + "\n", encoding="utf-8")
    if not pred.program:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``sstar solve`` to the app."""
    app.command("solve")(solve)
