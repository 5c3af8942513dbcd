"""Choosing problems of a source by difficulty and id: ``--difficulty``, ``--ids``, ``--exclude-ids``.

Shared by ``sstar eval``, ``sstar generate`` and ``sstar optimize`` so the options mean the same everywhere.
Values are comma-separated; a difficulty no problem of the source has, or an id the source does not contain,
is one error line naming the option, the bad values and what the source offers. ``--limit`` applies after the
selection (the first N selected problems).

Example:
    >>> from sstar_dspy.problem import Problem, ProblemMetadata
    >>> ps = [Problem(id=f"p{i}", statement="s", metadata=ProblemMetadata(difficulty=d))
    ...       for i, d in enumerate(["easy", "hard", None])]
    >>> [p.id for p in select_problems(ps, difficulty="easy,unknown")]
    ['p0', 'p2']
    >>> [p.id for p in select_problems(ps, exclude_ids="p1")]
    ['p0', 'p2']
    >>> select_problems(ps, difficulty="eazy", source="demo")
    Traceback (most recent call last):
    ...
    sstar_dspy.cli.common.UsageError: --difficulty 'eazy': no problem of demo has difficulty eazy; it has easy (1), ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from sstar_dspy.cli.common import UsageError, env
from sstar_dspy.problem import Problem

UNKNOWN = "unknown"

DifficultyOpt = Annotated[
    str | None,
    typer.Option(
        "--difficulty",
        envvar=env("difficulty"),
        help="Only problems of these difficulties, comma-separated (e.g. easy or easy,medium; 'unknown' = none "
        "recorded). Applied before --limit.",
    ),
]
IdsOpt = Annotated[
    str | None,
    typer.Option("--ids", envvar=env("ids"), help="Only these problem ids, comma-separated (each must exist)."),
]
ExcludeIdsOpt = Annotated[
    str | None,
    typer.Option(
        "--exclude-ids",
        envvar=env("exclude_ids"),
        help="Leave out these problem ids, comma-separated (each must exist).",
    ),
]


def parse_list(value: str | None, option: str) -> list[str] | None:
    """A comma-separated option value as a list (None when the option is not given).

    Example:
        >>> parse_list(" a, b,,c ", "--ids"), parse_list(None, "--ids")
        (['a', 'b', 'c'], None)
    """
    if value is None:
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise UsageError(f"{option} {value!r}: give one or more values separated by commas")
    return items


def _difficulty(problem: Problem) -> str:
    return (problem.metadata.difficulty or UNKNOWN).lower()


def _unknown_ids(option: str, wanted: list[str], known: set[str], source: str) -> None:
    missing = [i for i in wanted if i not in known]
    if missing:
        shown = ", ".join(missing[:5]) + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        raise UsageError(f"{option}: {source} has no problem with id {shown}; check the ids (e.g. {sorted(known)[0]})")


def select_problems(
    problems: Sequence[Problem],
    *,
    difficulty: str | None = None,
    ids: str | None = None,
    exclude_ids: str | None = None,
    source: str = "the source",
) -> list[Problem]:
    """The problems (in source order) that match ``--difficulty``, ``--ids`` and ``--exclude-ids``.

    Args:
        problems: Every problem of the source.
        difficulty: Comma-separated difficulties (case-insensitive; ``unknown`` = no difficulty recorded).
        ids: Comma-separated ids to keep.
        exclude_ids: Comma-separated ids to leave out.
        source: The source's name, for error messages.

    Raises:
        UsageError: An empty option value, a difficulty or id the source does not have, or nothing left.
    """
    levels = parse_list(difficulty, "--difficulty")
    keep, drop = parse_list(ids, "--ids"), parse_list(exclude_ids, "--exclude-ids")
    known = {p.id for p in problems}
    selected = list(problems)
    if levels is not None:
        counts = Counter(_difficulty(p) for p in problems)
        wanted = {level.lower() for level in levels}
        bad = sorted(wanted - set(counts))
        if bad:
            offered = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
            raise UsageError(
                f"--difficulty {difficulty!r}: no problem of {source} has difficulty {', '.join(bad)}; it has {offered}"
            )
        selected = [p for p in selected if _difficulty(p) in wanted]
    if keep is not None:
        _unknown_ids("--ids", keep, known, source)
        selected = [p for p in selected if p.id in set(keep)]
    if drop is not None:
        _unknown_ids("--exclude-ids", drop, known, source)
        selected = [p for p in selected if p.id not in set(drop)]
    if not selected:
        given = [name for name, value in (("--difficulty", levels), ("--ids", keep), ("--exclude-ids", drop)) if value]
        if not given:
            raise UsageError(f"{source} holds no problems to run; check the file or suite")
        raise UsageError(f"{source}: no problems left after {' '.join(given)}; widen the selection")
    return selected


def selection_runtime(values: dict[str, Any]) -> dict[str, Any]:
    """The selection options that were given, for the manifest's ``runtime`` block.

    Example:
        >>> selection_runtime({"difficulty": "easy", "ids": None, "limit": 3})
        {'difficulty': 'easy'}
    """
    return {k: values[k] for k in ("difficulty", "ids", "exclude_ids") if values.get(k) is not None}
