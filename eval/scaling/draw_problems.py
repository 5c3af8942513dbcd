"""Write the plain-prompt runner's problem draw to one JSONL file, so stage 1 runs on exactly those problems.

``eval/prompt_forms/run_forms.py`` draws a fixed stratified set (dev-leetcode easy/medium/hard + dev-codecontests)
across several suites; ``sstar generate`` takes one source. This script calls run_forms' own ``choose_problems``
(imported by path, not copied) and writes the draw in our schema, in the same order, so
``sstar generate PROBLEMS.jsonl`` and ``run_forms.py`` see the same problems (``--limit K`` = the first K of the
draw in both). The file holds statements and tests of the dev data: keep it out of git (e.g. under runs/).

Usage:
    python eval/scaling/draw_problems.py --out eval/scaling/runs/problems.jsonl [--limit K]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

RUN_FORMS = Path(__file__).resolve().parent.parent / "prompt_forms" / "run_forms.py"


def choose_problems(data_dir: str | None) -> list:
    """run_forms' stratified draw (same seed, same order)."""
    spec = importlib.util.spec_from_file_location("sstar_eval_run_forms", RUN_FORMS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.choose_problems(data_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="first K problems of the draw (as run_forms)")
    parser.add_argument("--data-dir", default=os.environ.get("SSTAR_DATA_DIR"))
    args = parser.parse_args(argv)
    from sstar_dspy.problems import write_jsonl

    problems = choose_problems(args.data_dir)[: args.limit]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(problems, args.out)
    print(f"{len(problems)} problems -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
