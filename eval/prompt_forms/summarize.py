"""Tables of the prompt-form A/B from the committed records (recomputes every number in RESULTS.md).

For every run directory ``<model>-<form>-<tag>`` under ``runs/``: problems solved on all tests (pass@1 over the
samples of each problem, averaged over problems), a 95% bootstrap interval, the split by suite/difficulty, and the
paired difference against the ``lcb`` run of the same model and tag (same problems; paired bootstrap over problems).
Only problems present in both runs are paired; a run still in progress is marked with its count.

Usage:
    python eval/prompt_forms/summarize.py [--runs eval/prompt_forms/runs] > eval/prompt_forms/RESULTS.tables.md
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from sstar_dspy.runs.stats import bootstrap_mean, paired_bootstrap


def load(run: Path) -> dict[str, list[dict]]:
    """problem_id -> its sample records (errors kept: an errored sample counts as a failure)."""
    per_problem: dict[str, list[dict]] = defaultdict(list)
    for line in (run / "records.jsonl").read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            per_problem[record["problem_id"]].append(record)
    return per_problem


def score(records: list[dict]) -> float:
    """Unbiased pass@1 of one problem: correct samples / samples."""
    return sum(bool(r["passed"]) for r in records) / len(records)


def stratum(records: list[dict]) -> str:
    first = records[0]
    return "codecontests" if "codecontests" in (first.get("suite") or "") else f"leetcode-{first.get('difficulty')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", default=str(Path(__file__).parent / "runs"))
    args = parser.parse_args(argv)
    runs = {p.name: load(p) for p in sorted(Path(args.runs).iterdir()) if (p / "records.jsonl").exists()}
    strata = ["leetcode-easy", "leetcode-medium", "leetcode-hard", "codecontests"]
    print("| run | problems | pass@1 (all tests) [95% CI] | " + " | ".join(strata) + " | vs lcb, same problems (pp) |")
    print("|---|---|---|" + "---|" * len(strata) + "---|")
    for name, per_problem in runs.items():
        model, _, rest = name.partition("-")
        form, _, tag = rest.rpartition("-")
        ids = sorted(per_problem)
        scores = [score(per_problem[i]) for i in ids]
        ci = bootstrap_mean(scores, seed=0)
        cells = []
        for s in strata:
            sub = [score(per_problem[i]) for i in ids if stratum(per_problem[i]) == s]
            cells.append(f"{sum(sub):g}/{len(sub)}" if sub else "-")
        baseline = runs.get(f"{model}-lcb-{tag}")
        versus = "-"
        if baseline is not None and form != "lcb":
            common = sorted(set(ids) & set(baseline))
            diff = paired_bootstrap(
                [score(baseline[i]) for i in common], [score(per_problem[i]) for i in common], seed=0
            )
            versus = f"{diff.format(signed=True, percent=True)} (n={len(common)})"
        print(
            f"| {name} | {len(ids)} | {sum(scores):g}/{len(ids)} = {ci.format(percent=True)} | "
            + " | ".join(cells)
            + f" | {versus} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
