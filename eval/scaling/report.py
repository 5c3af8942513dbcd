"""Tables and the scaling plot from ``analyze.py``'s ``results.jsonl`` (see README.md beside this file).

Writes into the results directory: ``report.md`` (pass rate per method and n with 95% problem-bootstrap
intervals; paired differences vs ``plain_public_filter`` and vs ``zero_shot``; selection efficiency S*/oracle;
LM calls per problem of the selectors, S* against the reference's all-cross-pairs scheme), ``summary.json``
(the same numbers) and ``scaling.png`` (pass rate vs n per method, log2 x-axis, like the paper's scaling figure).

Usage:
    python eval/scaling/report.py eval/scaling/runs/NAME
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sstar_dspy.metric import pass_at_k
from sstar_dspy.runs.stats import Interval, bootstrap_mean, paired_bootstrap

ORDER = (
    "pass@1",
    "pass@1_debugged",
    "zero_shot",
    "self_debug",
    "plain_public_filter",
    "public_filter",
    "majority",
    "generated_tests",
    "judge",
    "sstar",
    "oracle",
)
BASELINES = ("plain_public_filter", "zero_shot")
CALL_METHODS = ("majority", "generated_tests", "judge", "sstar")
PREDICTORS = ("generate_tests", "distinguish", "judge")
UNBIASED = "pass@n_unbiased"
STYLE = {
    "pass@1": ("tab:gray", ":"),
    "pass@1_debugged": ("tab:brown", ":"),
    "zero_shot": ("tab:olive", "-"),
    "self_debug": ("tab:pink", "-"),
    "plain_public_filter": ("tab:purple", "-"),
    "public_filter": ("tab:blue", "-"),
    "majority": ("tab:orange", "-"),
    "generated_tests": ("tab:green", "-"),
    "judge": ("tab:cyan", "-"),
    "sstar": ("tab:red", "-"),
    "oracle": ("black", "--"),
    UNBIASED: ("dimgray", "--"),
}


def read_results(out: Path) -> list[dict[str, Any]]:
    path = out / "results.jsonl"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line)) if line.strip() else None
        except json.JSONDecodeError:
            pass  # a torn last line of an interrupted analyze run
    return rows


def per_problem(rows: list[dict[str, Any]], field: str = "passed") -> dict[str, dict[int, dict[str, float]]]:
    """method -> n -> problem -> mean over the problem's groups of ``field`` (rows of incomplete problems too)."""
    sums: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for r in rows:
        value = r.get(field)
        if isinstance(value, dict):
            value = sum(value.values())
        if value is not None:
            sums[(r["method"], r["n"], r["problem_id"])].append(float(value))
    table: dict[str, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for (method, n, pid), values in sums.items():
        table[method][n][pid] = sum(values) / len(values)
    return table


def complete_only(table: dict, rows: list[dict[str, Any]], samples: int) -> dict:
    """Drop (method, n, problem) cells whose groups are not all done (an interrupted run)."""
    count: dict[tuple[str, int, str], int] = defaultdict(int)
    for r in rows:
        count[(r["method"], r["n"], r["problem_id"])] += 1
    return {
        m: {n: {p: v for p, v in cells.items() if count[(m, n, p)] == samples // n} for n, cells in by_n.items()}
        for m, by_n in table.items()
    }


def with_unbiased_pass_at_n(table: dict, samples: int) -> None:
    """Add pass@n by the unbiased estimator over all C(samples, n) subsets of the debugged samples (a lower
    variance companion of ``oracle``, which uses the disjoint groups)."""
    debugged = table.get("pass@1_debugged", {}).get(1, {})
    table[UNBIASED] = {
        n: {pid: pass_at_k(samples, round(share * samples), n) for pid, share in debugged.items()}
        for n in table.get("oracle", {})
    }


def interval_dict(ci: Interval) -> dict[str, float]:
    return {"mean": ci.estimate, "low": ci.low, "high": ci.high, "problems": ci.n}


def summarize(out: Path, *, resamples: int = 10_000) -> dict[str, Any]:
    """Every number of the report (also written to summary.json)."""
    meta = json.loads((out / "analysis.json").read_text()) if (out / "analysis.json").exists() else {}
    rows = read_results(out)
    samples = int(meta.get("samples") or max(r["n"] for r in rows))
    table = complete_only(per_problem(rows), rows, samples)
    with_unbiased_pass_at_n(table, samples)
    sizes = sorted({n for by_n in table.values() for n in by_n})
    methods = [m for m in (*ORDER, UNBIASED) if m in table]
    result: dict[str, Any] = {"samples": samples, "sizes": sizes, "methods": methods, "pass": {}, "paired": {}}
    for m in methods:
        result["pass"][m] = {
            n: interval_dict(bootstrap_mean(list(table[m][n].values()), resamples=resamples))
            for n in sizes
            if table[m].get(n)
        }
    for base in BASELINES:
        if base not in table:
            continue
        result["paired"][base] = {}
        for m in methods:
            if m == base:
                continue
            cells = {}
            for n in sizes:
                common = sorted(set(table[base].get(n, {})) & set(table[m].get(n, {})))
                if common:
                    a = [table[base][n][p] for p in common]
                    b = [table[m][n][p] for p in common]
                    cells[n] = interval_dict(paired_bootstrap(a, b, resamples=resamples))
            result["paired"][base][m] = cells
    result["efficiency"] = {
        n: result["pass"]["sstar"][n]["mean"] / result["pass"]["oracle"][n]["mean"]
        for n in sizes
        if n in result["pass"].get("sstar", {}) and result["pass"].get("oracle", {}).get(n, {}).get("mean")
    }
    result["calls"] = calls_summary(rows, table)
    return result


def calls_summary(rows: list[dict[str, Any]], table: dict) -> dict[str, Any]:
    """Mean LM calls per problem (one selection at that n) by predictor, and the reference's for S*."""
    out: dict[str, Any] = {}
    per_pred = {p: per_problem([{**r, "x": (r.get("calls") or {}).get(p)} for r in rows], "x") for p in PREDICTORS}
    duels = per_problem(rows, "duels")
    reference = per_problem(rows, "reference_calls")
    for m in CALL_METHODS:
        for n, cells in table.get(m, {}).items():
            pids = list(cells)
            if not pids:
                continue

            entry = {p: _mean_cell(per_pred[p], m, n, pids) for p in PREDICTORS}
            entry["total"] = sum(entry[p] for p in PREDICTORS)
            entry["duels"] = _mean_cell(duels, m, n, pids)
            if m == "sstar":
                entry["reference"] = _mean_cell(reference, m, n, pids)
            out.setdefault(m, {})[n] = entry
    return out


def _mean_cell(table: dict, method: str, n: int, pids: list[str]) -> float:
    """Mean over ``pids`` of a per-problem table cell (0 where a problem has no value)."""
    values = [table.get(method, {}).get(n, {}).get(p, 0.0) for p in pids]
    return sum(values) / len(values)


def pct(cell: dict[str, float] | None, *, signed: bool = False) -> str:
    if not cell:
        return "-"
    return Interval(cell["mean"], cell["low"], cell["high"], 0.95, cell["problems"]).format(signed=signed, percent=True)


def markdown(s: dict[str, Any], meta: dict[str, Any]) -> str:
    sizes = s["sizes"]
    head = "| method | " + " | ".join(f"N={n}" for n in sizes) + " |\n|---|" + "---|" * len(sizes) + "\n"
    problems = max((c["problems"] for m in s["pass"].values() for c in m.values()), default=0)
    lines = [
        "# Scaling from one stage-1 run (disjoint subsampling)\n",
        f"Stage 1: `{meta.get('run_dir')}` ({s['samples']} samples per problem); plain-prompt samples: "
        f"`{meta.get('plain')}`; selector model: `{meta.get('model')}`; {problems} problems. Pass = ALL tests "
        "(public + hidden, de-duplicated). Percent, 95% problem-level bootstrap interval.\n",
        f"Stage-1 settings: `{json.dumps(meta.get('stage1', {}))}`; "
        f"plain: `{json.dumps(meta.get('plain_settings', {}))}`"
        f"; selectors: variant `{meta.get('variant')}`, max duels {meta.get('max_duels')}, judge model "
        f"`{meta.get('judge_model') or meta.get('model')}`.\n",
        "## Pass rate by method and N\n",
        head
        + "".join(f"| {m} | " + " | ".join(pct(s["pass"][m].get(n)) for n in sizes) + " |\n" for m in s["methods"]),
    ]
    for base, by_method in s["paired"].items():
        lines.append(f"## Paired difference vs `{base}` (percentage points, paired bootstrap over problems)\n")
        lines.append(
            head
            + "".join(
                f"| {m} | " + " | ".join(pct(cells.get(n), signed=True) for n in sizes) + " |\n"
                for m, cells in by_method.items()
            )
        )
    if s["efficiency"]:
        eff = s["efficiency"]
        lines.append(
            "## Selection efficiency (S* / oracle pass@N)\n\n"
            + "| N | "
            + " | ".join(str(n) for n in eff)
            + " |\n|---|"
            + "---|" * len(eff)
            + "\n"
            + "| S*/oracle | "
            + " | ".join(f"{v:.2f}" for v in eff.values())
            + " |\n"
        )
    if s["calls"]:
        table = [
            "| method | N | generate_tests | distinguish | judge | total | duels | reference | ratio |\n",
            "|---|---|---|---|---|---|---|---|---|\n",
        ]
        for m, by_n in s["calls"].items():
            for n, e in sorted(by_n.items(), key=lambda kv: int(kv[0])):
                ref = e.get("reference")
                ratio = f"{e['total'] / ref:.2f}" if ref else "-"
                table.append(
                    f"| {m} | {n} | {e['generate_tests']:.2f} | {e['distinguish']:.2f} | {e['judge']:.2f} | "
                    f"{e['total']:.2f} | {e['duels']:.2f} | {f'{ref:.2f}' if ref is not None else '-'} | {ratio} |\n"
                )
        lines.append(
            "## Selection LM calls per problem (one selection at N)\n\n"
            "`reference` = what the reference's all-cross-pairs scheme would send on the same generated inputs: 1 "
            "test-generation call + 3 calls (distinguish + judge in both orders) per distinct ordered pair of "
            "candidates in different output groups of some input (errors dropped); a lower bound (its code-only round "
            "robin after no decisive duel is not counted). `ratio` = S* total / reference.\n\n" + "".join(table)
        )
    return "\n".join(lines)


def plot(s: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for i, m in enumerate(s["methods"]):
        cells = s["pass"][m]
        ns = [n for n in s["sizes"] if n in cells]
        means = [100 * cells[n]["mean"] for n in ns]
        low = [100 * (cells[n]["mean"] - cells[n]["low"]) for n in ns]
        high = [100 * (cells[n]["high"] - cells[n]["mean"]) for n in ns]
        dodge = 2 ** ((i - len(s["methods"]) / 2) * 0.012)  # keeps the interval bars apart
        color, line = STYLE.get(m, ("gray", "-"))
        ax.errorbar(
            [n * dodge for n in ns],
            means,
            yerr=[low, high],
            label=m,
            color=color,
            linestyle=line,
            marker="o",
            markersize=4,
            capsize=2,
            elinewidth=0.7,
            linewidth=2.5 if m == "sstar" else 1.3,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(s["sizes"], [str(n) for n in s["sizes"]])
    ax.set_xlabel("N (samples per problem)")
    ax.set_ylabel("pass@1 of the chosen program (%, all tests)")
    ax.set_title("Test-time scaling: selection methods vs N")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, help="analyze.py's output directory")
    parser.add_argument("--resamples", type=int, default=10_000)
    args = parser.parse_args(argv)
    meta = json.loads((args.out / "analysis.json").read_text()) if (args.out / "analysis.json").exists() else {}
    s = summarize(args.out, resamples=args.resamples)
    (args.out / "summary.json").write_text(json.dumps(s, indent=1) + "\n")
    (args.out / "report.md").write_text(markdown(s, meta), encoding="utf-8")
    plot(s, args.out / "scaling.png")
    print(f"wrote {args.out / 'report.md'}, {args.out / 'summary.json'}, {args.out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
