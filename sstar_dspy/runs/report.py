"""Report tables across runs: rich for the terminal, Markdown and JSON for files.

Every report states the grading rule of its pass rates (:func:`grading_line`): all tests, public + hidden,
as LiveCodeBench, unless a run opted in to hidden tests only.

Example:
    >>> from sstar_dspy.runs.summary import RunSummary
    >>> row = RunSummary("r", "sstar", "m", 4, 10, 0, 10, 0.5, 0.7, 0.714, 120, 9000, None, 12.5, graded_on="all")
    >>> lines = to_markdown([row]).splitlines()
    >>> print(lines[2])
    | r | sstar | m | 4 | 10 | 0 | 50.0% | 23.7-76.3 | 70.0% | 71.4% | 120 | 9,000 | 12.5s | - |
    >>> print(lines[4])
    pass@1 and oracle pass@N: graded on all tests (public + hidden), as LiveCodeBench.
"""

from __future__ import annotations

from dataclasses import asdict

from rich.table import Table

from sstar_dspy.runs.summary import RunSummary

COLUMNS = [
    "run",
    "method",
    "model",
    "N",
    "problems",
    "errored",
    "pass@1",
    "95% CI",
    "oracle pass@N",
    "sel. eff.",
    "LM calls",
    "tokens",
    "wall",
    "cost",
]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _interval(bounds: tuple[float, float] | None) -> str:
    return "-" if bounds is None else f"{100 * bounds[0]:.1f}-{100 * bounds[1]:.1f}"


def _cost(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def row_cells(s: RunSummary) -> list[str]:
    """The formatted cells of one summary row, in ``COLUMNS`` order."""
    return [
        s.name,
        s.method,
        s.model,
        str(s.n),
        str(s.problems),
        str(s.errored),
        _pct(s.pass_at_1),
        _interval(s.pass_at_1_ci95),
        _pct(s.oracle_pass_at_n),
        _pct(s.selection_efficiency),
        f"{s.calls:,}",
        f"{s.tokens:,}",
        f"{s.wall_s:.1f}s",
        _cost(s.cost_usd),
    ]


STAGE_COLUMNS = ["run", "stage", "LM calls", "tokens", "wall", "cost"]
STAGE_NAMES = {"stage1": "1: generate (carried)", "stage2": "2: select", "total": "total"}
STAGE_NOTE = "select runs on `sstar generate` candidates: LM calls, tokens, wall and cost include stage 1"


def stage_cells(summaries: list[RunSummary]) -> list[list[str]]:
    """Rows of the stage-split table (runs whose records carry stage-1 cost), in ``STAGE_COLUMNS`` order.

    Example:
        >>> row = RunSummary("sel", "select:adaptive", "m", 4, 1, 0, 1, 1.0, 1.0, 1.0, 11, 900, None, 2.5,
        ...                  stages={"stage1": {"calls": 8, "tokens": 600, "cost_usd": None, "wall_s": 2.0},
        ...                          "stage2": {"calls": 3, "tokens": 300, "cost_usd": None, "wall_s": 0.5},
        ...                          "total": {"calls": 11, "tokens": 900, "cost_usd": None, "wall_s": 2.5}})
        >>> [cells[1:4] for cells in stage_cells([row])]
        [['1: generate (carried)', '8', '600'], ['2: select', '3', '300'], ['total', '11', '900']]
    """
    rows = []
    for s in summaries:
        for key, values in (s.stages or {}).items():
            rows.append(
                [
                    s.name,
                    STAGE_NAMES.get(key, key),
                    f"{values['calls']:,}",
                    f"{values['tokens']:,}",
                    f"{values['wall_s']:.1f}s",
                    _cost(values["cost_usd"]),  # type: ignore[arg-type]
                ]
            )
    return rows


def stages_to_rich(summaries: list[RunSummary]) -> Table | None:
    """The stage-split table, or None when no run has one."""
    rows = stage_cells(summaries)
    if not rows:
        return None
    table = Table(title="cost by stage", caption=STAGE_NOTE)
    for name in STAGE_COLUMNS:
        table.add_column(name, justify="left" if name in ("run", "stage") else "right")
    for cells in rows:
        table.add_row(*cells)
    return table


def grading_line(summaries: list[RunSummary]) -> str:
    """One sentence naming the grading rule of the pass rates (per run when the runs differ).

    Example:
        >>> a = RunSummary("a", "s", "m", 1, 1, 0, 1, 1.0, 1.0, 1.0, 1, 1, None, 1.0, graded_on="all")
        >>> b = RunSummary("b", "s", "m", 1, 1, 0, 1, 1.0, 1.0, 1.0, 1, 1, None, 1.0, graded_on="hidden")
        >>> print(grading_line([a, b]))
        pass@1 and oracle pass@N: a: graded on all tests (public + hidden), as LiveCodeBench; b: graded on hidden tests only (public tests left out; opt-in, not LiveCodeBench's rule).
    """  # noqa: E501
    rules = {s.grading for s in summaries if s.graded_on is not None}
    if not rules:
        return "pass@1 and oracle pass@N: no problem was graded."
    if len(rules) == 1:
        return f"pass@1 and oracle pass@N: {rules.pop()}."
    return "pass@1 and oracle pass@N: " + "; ".join(f"{s.name}: {s.grading}" for s in summaries) + "."


def to_rich(summaries: list[RunSummary], title: str = "sstar report") -> Table:
    """A rich table with one row per run (the caption names the grading rule)."""
    table = Table(title=title, caption=grading_line(summaries))
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("run", "method", "model") else "right")
    for s in summaries:
        table.add_row(*row_cells(s))
    return table


def to_markdown(summaries: list[RunSummary]) -> str:
    """A Markdown table with one row per run."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row_cells(s)) + " |" for s in summaries]
    lines += ["", grading_line(summaries)]
    lines += [f"\nnote: {s.name}: {note}" for s in summaries for note in s.notes]
    stages = stage_cells(summaries)
    if stages:
        lines += ["", f"Cost by stage ({STAGE_NOTE}):", ""]
        lines += ["| " + " | ".join(STAGE_COLUMNS) + " |", "|" + "---|" * len(STAGE_COLUMNS)]
        lines += ["| " + " | ".join(cells) + " |" for cells in stages]
    return "\n".join(lines) + "\n"


def to_json(summaries: list[RunSummary]) -> list[dict]:
    """Plain dicts (for ``report/summary.json`` and other tools)."""
    return [{**asdict(s), "pass_at_1_ci95": s.pass_at_1_ci95, "grading": s.grading} for s in summaries]
