"""Run a program (one prompt variant) over problems into a run directory, as ``sstar eval`` does.

This is :func:`sstar_dspy.runs.run_eval` (records, manifest, resume, config check) plus the
variant's identity in the run settings (``variant`` and ``variant_sha256``), so a variant evaluated
here compares with any existing eval run.

Example:
    >>> run = evaluate_variant("paper", problems, run_dir="runs/cmp/paper",  # doctest: +SKIP
    ...                        build_program=lambda: SStar(n=4, rounds=1), settings={"n": 4, "rounds": 1})
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import dspy

from sstar_dspy.problem import Problem
from sstar_dspy.runs import ProblemRecord, Run, load_run, run_eval
from sstar_dspy.variants import PAPER, apply_variant, resolve_variant_path

logger = logging.getLogger(__name__)


def variant_identity(variant: str | Path) -> dict[str, str]:
    """The run settings that identify a variant: its name or path and the sha256 of its file."""
    if str(variant) == PAPER:
        return {"variant": PAPER, "variant_sha256": "code-defaults"}
    path = resolve_variant_path(variant)
    return {"variant": str(variant), "variant_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def evaluate_variant(
    variant: str | Path,
    problems: Sequence[Problem],
    *,
    run_dir: str | Path,
    build_program: Callable[[], dspy.Module],
    settings: dict[str, Any],
    models: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
    concurrency: int = 1,
    command: Sequence[str] = (),
    on_record: Callable[[ProblemRecord], None] | None = None,
) -> Run:
    """Load ``variant`` into ``build_program()`` and evaluate it on ``problems`` into ``run_dir`` (resumable).

    Returns:
        The whole run (earlier sessions' records included).
    """
    program = apply_variant(build_program(), variant)
    run_settings = {**settings, **variant_identity(variant)}
    outcome = run_eval(
        problems,
        run_dir=run_dir,
        program=program,
        settings=run_settings,
        data=data,
        models=models,
        command=list(command),
        concurrency=concurrency,
        on_record=on_record,
    )
    logger.info(
        "%s: %d solved (%d errors), %d already recorded", run_dir, outcome.completed, outcome.errored, outcome.skipped
    )
    return load_run(run_dir)
