"""Report tables across runs: rich for the terminal, Markdown and JSON for files.

Example:
    >>> from sstar_dspy.runs.summary import RunSummary
    >>> row = RunSummary("r", "sstar", "m", 4, 10, 0, 10, 0.5, 0.7, 0.714, 120, 9000, None, 12.5)
    >>> print(to_markdown([row]).splitlines()[2])
    | r | sstar | m | 4 | 10 | 0 | 50.0% | 23.7-76.3 | 70.0% | 71.4% | 120 | 9,000 | 12.5s | - |
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


def to_rich(summaries: list[RunSummary], title: str = "sstar report") -> Table:
    """A rich table with one row per run."""
    table = Table(title=title)
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("run", "method", "model") else "right")
    for s in summaries:
        table.add_row(*row_cells(s))
    return table


def to_markdown(summaries: list[RunSummary]) -> str:
    """A Markdown table with one row per run."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row_cells(s)) + " |" for s in summaries]
    return "\n".join(lines) + "\n"


def to_json(summaries: list[RunSummary]) -> list[dict]:
    """Plain dicts (for ``report/summary.json`` and other tools)."""
    return [{**asdict(s), "pass_at_1_ci95": s.pass_at_1_ci95} for s in summaries]
