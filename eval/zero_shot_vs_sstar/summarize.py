"""Markdown tables from ``run_methods.py`` records: pass@1 per method, oracle coverage, cost, wall time.

The committed records were graded on hidden tests only (the rule before issue 15). With ``--regrade``
(the file ``regrade.py`` writes), the tables also show the verdicts on all tests (public + hidden), as
LiveCodeBench, next to the old ones, and list every problem whose verdict changes.

Usage:
    python eval/zero_shot_vs_sstar/summarize.py runs/issue4-zs-vs-sstar/records.jsonl
    python eval/zero_shot_vs_sstar/summarize.py eval/zero_shot_vs_sstar/results/records_0.5b_n4_r1_s2.jsonl \\
        --regrade eval/zero_shot_vs_sstar/results/regrade_records_0.5b_n4_r1_s2.jsonl
"""

from __future__ import annotations

import argparse
import json
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


def regrade_table(records: list[dict], regrade: list[dict]) -> str:
    """Old (hidden tests only) vs new (all tests, public + hidden) pass@1 per method, and the verdict changes."""
    new = {r["problem_id"]: r for r in regrade}
    ok = [r for r in records if "error" not in r and r["problem_id"] in new]
    n = len(ok)
    lines = [
        f"Regraded: {n} problems; old = graded on hidden tests only (as committed), new = graded on all tests "
        "(public + hidden, de-duplicated), as LiveCodeBench.",
        "",
        "| method | pass@1 old (hidden only) | pass@1 new (all tests) | verdict changes |",
        "|---|---|---|---|",
    ]
    changes = []
    for m in METHODS:
        old_pass = sum(r["passed"][m] for r in ok)
        new_pass = sum(new[r["problem_id"]]["passed"][m] for r in ok)
        changed = [r["problem_id"] for r in ok if r["passed"][m] != new[r["problem_id"]]["passed"][m]]
        changes += [(m, pid) for pid in changed]
        lines.append(f"| {m} | {old_pass}/{n} | {new_pass}/{n} | {len(changed)} |")
    drift = [
        (r["problem_id"], m)
        for r in ok
        for m in METHODS
        if r["hidden_passed"][m] != new[r["problem_id"]]["hidden_passed_now"][m]
    ]
    lines += [
        "",
        "Verdict changes: " + ("; ".join(f"{m} on {pid}" for m, pid in changes) if changes else "none."),
        "Hidden-test counts re-run now vs committed: "
        + ("identical for every method and problem." if not drift else f"differ for {drift}."),
        "Oracle coverage is not regraded: the records keep only the four chosen programs, not every candidate "
        "(the regraded oracle can only be lower than or equal to the old one, and at least the new S* pass@1).",
        "",
        "| problem | public | tests | " + " | ".join(f"{m} old -> new" for m in METHODS) + " |",
        "|---|---|---|" + "---|" * len(METHODS),
    ]
    for r in ok:
        g = new[r["problem_id"]]
        cells = [
            f"{'Y' if r['passed'][m] else '-'} ({r['hidden_passed'][m]}/{r['hidden_tests']}) -> "
            f"{'Y' if g['passed'][m] else '-'} ({g['tests_passed'][m]}/{g['tests_total']})"
            for m in METHODS
        ]
        lines.append(f"| {r['problem_id']} | {g['public_tests']} | {g['tests_total']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("--regrade", type=Path, help="regrade.py output: add old vs new (all tests) tables")
    args = parser.parse_args()
    records = _read(args.records)
    print(summarize(records))
    if args.regrade:
        print("\n" + regrade_table(records, _read(args.regrade)))
