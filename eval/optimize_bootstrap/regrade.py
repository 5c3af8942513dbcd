"""Regrade the programs committed in ``results.json`` on all tests (public + hidden), as LiveCodeBench.

Only the bootstrapped demo's code is committed (the validation runs' records stayed in the run directory,
which is not committed), so this regrades that code on the train problem it came from, under both rules,
and writes ``regrade.json``. Run from the repository root with the dev data:

    SSTAR_DATA_DIR=/work/shared/data python eval/optimize_bootstrap/regrade.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy.problems import load_problems  # noqa: E402
from sstar_dspy.runs.grading import grade  # noqa: E402

HERE = Path(__file__).parent


def main() -> int:
    results = json.loads((HERE / "results.json").read_text())
    problems = {p.id: p for p in load_problems("dev-leetcode", data_dir=os.environ.get("SSTAR_DATA_DIR"))}
    rows = []
    for predictor, demos in results["demos"].items():
        for demo in demos:
            problem = problems[demo["from_problem"]]
            new, old = grade(problem, demo["code"], graded_on="all"), grade(problem, demo["code"], graded_on="hidden")
            rows.append(
                {
                    "predictor": predictor,
                    "from_problem": problem.id,
                    "old_hidden_only": {"passed": old.passed, "tests": f"{old.tests_passed}/{old.tests_total}"},
                    "new_all_tests": {"passed": new.passed, "tests": f"{new.tests_passed}/{new.tests_total}"},
                    "public_tests": len(problem.public_tests),
                }
            )
    (HERE / "regrade.json").write_text(json.dumps({"graded_on": "all", "demos": rows}, indent=1) + "\n")
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
