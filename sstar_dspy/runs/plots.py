"""PNG plots of runs: pass@1 by method, and coverage / pass@1 against the number of samples N.

matplotlib is a normal dependency; where it is missing anyway (a trimmed install), :func:`have_matplotlib` is
False and ``sstar report`` writes the tables, says so in one note line and exits 0.

Example:
    >>> import tempfile, pathlib
    >>> from sstar_dspy.runs.summary import RunSummary
    >>> row = RunSummary("r", "sstar", "m", 4, 10, 0, 10, 0.5, 0.7, 0.71, 1, 1, None, 1.0, coverage=[(1, .4), (2, .6)])
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_plots([row], out)]
    ['pass1_by_method.png', 'scaling.png']
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sstar_dspy.errors import SStarError
from sstar_dspy.runs.summary import RunSummary


def have_matplotlib() -> bool:
    """True when matplotlib can be imported (it is a dependency; a trimmed install may lack it)."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SStarError("plots need matplotlib: pip install matplotlib (or pass --no-plots)") from None
    return plt


def plot_pass1_by_method(summaries: list[RunSummary], path: Path) -> Path:
    """Bar chart of pass@1 (and oracle pass@N as a lighter bar) per run, labelled by method."""
    plt = _pyplot()
    rows = [s for s in summaries if s.pass_at_1 is not None]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(rows) + 2), 3.6))
    labels = [f"{s.method}\nN={s.n}\n{s.name}" for s in rows]
    xs = range(len(rows))
    ax.bar(xs, [100 * (s.oracle_pass_at_n or 0) for s in rows], color="#c6dbef", label="oracle pass@N")
    p1 = [100 * (s.pass_at_1 or 0) for s in rows]
    bounds = [s.pass_at_1_ci95 or (s.pass_at_1 or 0, s.pass_at_1 or 0) for s in rows]
    yerr = [
        [p - 100 * lo for p, (lo, _) in zip(p1, bounds, strict=True)],
        [100 * hi - p for p, (_, hi) in zip(p1, bounds, strict=True)],
    ]
    ax.bar(xs, p1, width=0.5, color="#2171b5", label="pass@1 (95% CI)", yerr=yerr, capsize=3, ecolor="#444444")
    for x, s in zip(xs, rows, strict=True):
        ax.text(x + 0.27, 100 * (s.pass_at_1 or 0) + 1, f"{100 * (s.pass_at_1 or 0):.1f}", ha="left", fontsize=8)
    ax.set_xticks(list(xs), labels, fontsize=7)
    ax.set_ylabel("% of graded problems")
    ax.set_ylim(0, 105)
    ax.set_title("pass@1 by method")
    if ax.get_legend_handles_labels()[0]:  # an empty run has nothing to label
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_scaling(summaries: list[RunSummary], path: Path) -> Path:
    """Coverage@k of each run's candidate pool (lines) and each run's pass@1 at its N (markers), log-x."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    by_method: dict[str, list[RunSummary]] = defaultdict(list)
    for s in summaries:
        by_method[s.method].append(s)
    for number, (method, rows) in enumerate(sorted(by_method.items())):
        color = f"C{number % 10}"  # one colour per method: its coverage lines and its pass@1 markers
        for s in rows:
            if s.coverage:
                ks, values = zip(*s.coverage, strict=True)
                label = f"coverage@k {method} ({s.name})"
                ax.plot(ks, [100 * v for v in values], "--", marker=".", color=color, alpha=0.6, label=label)
        points = sorted((s.n, 100 * s.pass_at_1) for s in rows if s.pass_at_1 is not None and s.n > 0)
        if points:
            ns, p1 = zip(*points, strict=True)
            ax.plot(ns, p1, marker="o", color=color, label=f"pass@1 {method}")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:g}"))  # 1 2 4 8, not 2^0 2^1
    ax.set_xlabel("samples N (k)")
    ax.set_ylabel("% of graded problems")
    ax.set_ylim(0, 105)
    ax.set_title("coverage and pass@1 vs N")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_plots(summaries: list[RunSummary], out_dir: Path) -> list[Path]:
    """Write both plots into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        plot_pass1_by_method(summaries, out_dir / "pass1_by_method.png"),
        plot_scaling(summaries, out_dir / "scaling.png"),
    ]
