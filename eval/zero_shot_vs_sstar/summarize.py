"""Markdown tables from ``run_methods.py`` records: pass@1 per method, oracle coverage, cost, wall time.

Usage:
    python eval/zero_shot_vs_sstar/summarize.py runs/issue4-zs-vs-sstar/records.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

METHODS = ("zero_shot", "self_debug", "majority", "sstar")


def summarize(records: list[dict]) -> str:
    ok = [r for r in records if "error" not in r]
    errors = [r for r in records if "error" in r]
    n = len(ok)
    lines = [
        f"Problems graded: {n} ({len(errors)} errored)",
        "",
        "| method | pass@1 | LM calls | prompt tokens | completion tokens |",
        "|---|---|---|---|---|",
    ]
    for m in METHODS:
        passed = sum(r["passed"][m] for r in ok)
        calls = sum(r["cost"][m]["calls"] for r in ok)
        prompt = sum(r["cost"][m]["prompt_tokens"] for r in ok)
        completion = sum(r["cost"][m]["completion_tokens"] for r in ok)
        lines.append(f"| {m} | {passed}/{n} ({passed / max(n, 1):.0%}) | {calls} | {prompt:,} | {completion:,} |")
    oracle = sum(r["oracle_final"] for r in ok)
    oracle0 = sum(r["oracle_round0"] for r in ok)
    public = sum(any(r["candidates_passed_public"]) for r in ok)
    lines += [
        "",
        f"Oracle coverage (any of the N debugged samples passes hidden tests): {oracle}/{n}; "
        f"before debugging: {oracle0}/{n}; any sample passes the public tests: {public}/{n}.",
    ]
    walls = [r["wall_s"]["total"] for r in ok]
    if walls:
        lines.append(
            f"Per-problem wall time (all four methods together, shared stage 1): mean {sum(walls) / len(walls):.0f} s, "
            f"min {min(walls):.0f} s, max {max(walls):.0f} s, sum {sum(walls):.0f} s."
        )
    lines += ["", "| problem | mode | zero_shot | self_debug | majority | sstar | oracle | public-pass | wall s |"]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in ok:
        cells = [("Y" if r["passed"][m] else "-") + f" ({r['hidden_passed'][m]}/{r['hidden_tests']})" for m in METHODS]
        lines.append(
            f"| {r['problem_id']} | {r['mode']} | {' | '.join(cells)} | {'Y' if r['oracle_final'] else '-'} | "
            f"{sum(r['candidates_passed_public'])}/{len(r['candidates_passed_public'])} | {r['wall_s']['total']:.0f} |"
        )
    for r in errors:
        lines.append(f"| {r['problem_id']} | error: {r['error'][:80]} |||||||")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    print(summarize([json.loads(line) for line in path.read_text().splitlines() if line.strip()]))
