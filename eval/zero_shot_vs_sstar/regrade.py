"""Regrade the committed ``run_methods.py`` records on all tests (public + hidden), as LiveCodeBench.

The committed records were graded on the hidden tests only (the rule before issue 15). This script
re-runs each method's chosen program in the sandbox on both rules and writes one line per problem to
``results/regrade_<records stem>.jsonl``; ``summarize.py --regrade`` prints old vs new side by side.
The records themselves stay as committed. Candidate programs other than the four chosen ones are not
in the records, so oracle coverage cannot be regraded (it can only fall: regraded oracle <= old oracle).

Usage:
    SSTAR_DATA_DIR=/work/shared/data python eval/zero_shot_vs_sstar/regrade.py \\
        eval/zero_shot_vs_sstar/results/records_0.5b_n4_r1_s2.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy.problem import Problem  # noqa: E402
from sstar_dspy.problems import load_problems  # noqa: E402
from sstar_dspy.runs.grading import grade  # noqa: E402

METHODS = ("zero_shot", "self_debug", "majority", "sstar")
SUITES = ("dev-leetcode", "dev-codecontests")


def regrade_record(record: dict[str, Any], problem: Problem) -> dict[str, Any]:
    """Both verdicts of every method's program: ``all`` (public + hidden) and ``hidden`` (the old rule)."""
    row: dict[str, Any] = {"problem_id": record["problem_id"], "graded_on": "all"}
    for method in METHODS:
        program = record["programs"][method]
        new, old = grade(problem, program, graded_on="all"), grade(problem, program, graded_on="hidden")
        row.setdefault("tests_total", new.tests_total)
        row.setdefault("public_tests", len(problem.public_tests))
        row.setdefault("hidden_total", old.hidden_total)
        row.setdefault("passed", {})[method] = bool(new.passed)
        row.setdefault("tests_passed", {})[method] = new.tests_passed
        row.setdefault("hidden_passed_now", {})[method] = old.hidden_passed
        row.setdefault("passed_hidden_now", {})[method] = bool(old.passed)
        row.setdefault("first_failure_kind", {})[method] = (new.first_failure or {}).get("kind")
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("--data-dir", default=os.environ.get("SSTAR_DATA_DIR"))
    parser.add_argument("--out", type=Path, help="default: results/regrade_<records stem>.jsonl next to the records")
    args = parser.parse_args(argv)
    problems = {p.id: p for suite in SUITES for p in load_problems(suite, data_dir=args.data_dir)}
    records = [json.loads(line) for line in args.records.read_text().splitlines() if line.strip()]
    out = args.out or args.records.with_name(f"regrade_{args.records.stem}.jsonl")
    rows = [regrade_record(r, problems[r["problem_id"]]) for r in records if "error" not in r]
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} problems regraded -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
