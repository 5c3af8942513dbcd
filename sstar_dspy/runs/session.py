"""One eval session over a run directory: create or resume, check the config, run, close the session.

:func:`run_eval` is the non-CLI entry point shared by ``sstar eval``, ``sstar compare`` and Python users.
Resuming the same config skips problems that already have a record (problems whose record is an error run again
unless ``retry_errors=False``); a different config is refused with
one line listing what changed (mixing two configs in one run would corrupt its numbers).

Example:
    >>> import tempfile, dspy
    >>> from sstar_dspy.problem import Problem
    >>> class Nothing(dspy.Module):
    ...     def forward(self, problem):
    ...         return dspy.Prediction(program="", candidates=[], trace=None)
    >>> d = tempfile.mkdtemp()
    >>> probs = [Problem(id="a", statement="s"), Problem(id="b", statement="s")]
    >>> run_eval(probs, run_dir=d, program=Nothing(), settings={"n": 1}).completed
    2
    >>> run_eval(probs, run_dir=d, program=Nothing(), settings={"n": 1}).skipped
    2
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sstar_dspy.errors import SStarError
from sstar_dspy.problem import Problem
from sstar_dspy.runs.budget import RunBudget
from sstar_dspy.runs.manifest import RunManifest, Session, canonical_hash, file_sha256
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.redact import RedactingFilter
from sstar_dspy.runs.rundir import MANIFEST, RunDirectory, RunDirError
from sstar_dspy.runs.runner import EvalRunner, RunOutcome, SolveFn
from sstar_dspy.runs.solve import solve_fn


class ConfigMismatchError(SStarError):
    """A resume was asked for with settings or data that differ from the run's manifest."""


def worst_case_calls(program: Any, roles: Sequence[str] | None = None) -> int | None:
    """The most LM calls ``program`` can make on one problem (``estimate_calls()`` of ``roles``, capped by its
    per-problem call budget), or None when the program cannot say.

    Example:
        >>> from sstar_dspy.program import SStar
        >>> from sstar_dspy.budget import Budget
        >>> capped = SStar(n=4, rounds=1, budget=Budget(max_lm_calls=5))
        >>> worst_case_calls(SStar(n=4, rounds=1)), worst_case_calls(capped)
        (29, 5)
        >>> worst_case_calls(SStar(n=4, rounds=1), roles=("generator", "debugger")), worst_case_calls(object())
        (8, None)
    """
    estimate = getattr(program, "estimate_calls", None)
    if estimate is None:
        return None
    calls = sum(v for role, v in estimate().items() if roles is None or role in roles)
    cap = getattr(getattr(program, "budget", None), "max_lm_calls", None)
    return calls if cap is None else min(calls, cap)


def data_block(problems: Sequence[Problem], source: str, files: Sequence[str | Path] = ()) -> dict[str, Any]:
    """The manifest's ``data`` section: source, data-file sha256s and a hash of the problem ids.

    ``--limit`` is deliberately not part of it: the hash covers the full problem list, so a run started
    with ``--limit 10`` can be extended with ``--limit 50``.
    """
    return {
        "source": source,
        "files": {Path(f).name: file_sha256(f) for f in files},
        "problems_hash": canonical_hash([p.id for p in problems]),
    }


def precheck(run_dir: str | Path, *, settings: dict[str, Any], data: dict[str, Any], kind: str = "eval") -> None:
    """Refuse a changed config or an unusable directory before anything expensive starts (read-only)."""
    path = Path(run_dir)
    for parent in [path, *path.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise RunDirError(
                    f"{path}: cannot create the run directory ({parent} is a file); choose another --run-dir"
                )
            break
    manifest_path = path / MANIFEST
    if manifest_path.exists():
        try:
            manifest = RunManifest.model_validate_json(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            raise RunDirError(f"{manifest_path}: not an sstar run manifest; use another --run-dir") from None
        _refuse_changes(path, manifest, settings, data, kind)


def _refuse_changes(path: Path, manifest: RunManifest, settings: dict, data: dict, kind: str) -> None:
    diffs = manifest.config_diff(settings, data)
    if manifest.kind != kind:
        diffs.insert(0, f"kind: {manifest.kind} -> {kind}")
    if diffs:
        shown = "; ".join(diffs[:3]) + (f" (+{len(diffs) - 3} more)" if len(diffs) > 3 else "")
        raise ConfigMismatchError(
            f"{path}: this run was made with a different config ({shown}); "
            "re-run the original command to resume, or pass a new --run-dir"
        )


def _attach_log(run: RunDirectory) -> logging.Handler:
    handler = logging.FileHandler(run.log_path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("sstar_dspy")
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return handler


def open_session(
    run: RunDirectory,
    *,
    settings: dict[str, Any],
    data: dict[str, Any],
    models: dict[str, str],
    command: Sequence[str],
    runtime: dict[str, Any] | None = None,
    kind: str = "eval",
) -> RunManifest:
    """Create the manifest of a new run or check it against an existing one (refusing a changed config)."""
    manifest = run.read_manifest()
    if manifest is None:
        if run.records_path.exists() and run.records_path.stat().st_size:
            raise ConfigMismatchError(f"{run.path}: has records but no manifest; use another --run-dir")
        manifest = RunManifest.create(
            command=list(command), settings=settings, data=data, models=models, runtime=runtime, kind=kind
        )
    else:
        _refuse_changes(run.path, manifest, settings, data, kind)
        manifest.runtime = runtime or manifest.runtime
        manifest.models = models or manifest.models
    manifest.sessions.append(Session())
    run.write_manifest(manifest)
    return manifest


def close_session(run: RunDirectory, manifest: RunManifest, outcome: RunOutcome) -> None:
    """Record how the session ended in the manifest."""
    session = manifest.sessions[-1]
    session.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    session.completed, session.errored, session.stopped_by = outcome.completed, outcome.errored, outcome.stopped_by
    session.retried, session.budget_overshoot = outcome.retried, outcome.overshoot
    run.write_manifest(manifest)


def run_eval(
    problems: Sequence[Problem],
    *,
    run_dir: str | Path,
    program: Any | None = None,
    solve: SolveFn | None = None,
    settings: dict[str, Any],
    data: dict[str, Any] | None = None,
    models: dict[str, str] | None = None,
    command: Sequence[str] = (),
    concurrency: int = 1,
    budget: RunBudget | None = None,
    runtime: dict[str, Any] | None = None,
    sandbox: Any | None = None,
    on_record: Callable[[ProblemRecord], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    kind: str = "eval",
    problem_timeout: float | None = None,
    retry_errors: bool = True,
    problem_calls: int | None = None,
) -> RunOutcome:
    """Evaluate ``program`` (or a custom ``solve``) on ``problems`` into ``run_dir``, resuming if it exists.

    Args:
        problems: The problems (``load_problems(...)`` result or any sequence).
        run_dir: Run directory; created if missing, resumed if it holds the same config.
        program: An SStar-like module (``program(problem=p)``); ignored when ``solve`` is given.
        solve: ``solve(problem, index) -> ProblemRecord``; defaults to ``solve_fn(program)``.
        settings: Every setting that changes results (method, n, rounds, variant + hash, seeds, ...).
        data: The manifest data block (:func:`data_block`); defaults to the problem-id hash only.
        models: Model id per role.
        command: The command line (secrets are masked when written).
        concurrency: Problems solved at the same time.
        budget: Per-run caps on calls, tokens and dollars.
        runtime: Non-config settings recorded for information (concurrency, limit, budget).
        sandbox: Sandbox for grading.
        on_record: Called after each record is written.
        on_start: Called once with (pending problems, already recorded) before solving starts.
        kind: What the run is (``eval``, ``generate``, ``select``, ``score``); a resume must match it.
        problem_timeout: Seconds after which a problem is recorded as an error and the run moves on.
        retry_errors: Solve again the problems whose record is an error (the old record moves to
            ``retried.jsonl``); False keeps them as they are.
        problem_calls: The most LM calls one problem can make, for the run budget's admission rule; defaults to
            :func:`worst_case_calls` of ``program``.

    Raises:
        ConfigMismatchError: ``run_dir`` holds a run with another config.
        RunDirError: The directory cannot be created, locked or written.
    """
    if solve is None:
        if program is None:
            raise ValueError("run_eval needs a program or a solve function")
        solve = solve_fn(program, sandbox=sandbox, models=models)
    if problem_calls is None and program is not None:
        problem_calls = worst_case_calls(program)
    data = data if data is not None else data_block(problems, source="<python>")
    with RunDirectory.open(run_dir) as run:
        manifest = open_session(
            run, settings=settings, data=data, models=models or {}, command=command, runtime=runtime, kind=kind
        )
        handler = _attach_log(run)
        runner = EvalRunner(
            run,
            solve,
            concurrency=concurrency,
            budget=budget,
            on_record=on_record,
            problem_timeout=problem_timeout,
            retry_errors=retry_errors,
            problem_calls=problem_calls,
        )
        try:
            if on_start is not None:
                pending = len(runner.pending(problems))
                on_start(pending, len(problems) - pending)
            outcome = runner.run(problems)
            close_session(run, manifest, outcome)
        finally:
            logging.getLogger("sstar_dspy").removeHandler(handler)
            handler.close()
    return outcome
