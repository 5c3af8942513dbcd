"""Probe: which generate prompt makes a small model write stdin programs? (eval/results/format_demos.md)

Samples ``generate`` only (no debugging, no selection) for a few bundled examples under several
prompt variants, grades every sample on the public + hidden tests in the sandbox, and prints one
line per sample. Variants:

* ``plain``       GenerateCode as in the paper variant, no demos (``SStar(format_demos=False)``);
* ``lcb-format``  plain + LiveCodeBench's "Read the inputs from stdin ..." sentence appended to the problem;
* ``interface``   a two-field signature (problem, interface) whose interface is that sentence;
* ``one-demo``    plain + one stdin demo (the stdin demo of sstar_dspy.format_demos without ``import sys``);
* ``skeleton``    plain + a ``sys.stdin`` program skeleton given as ``starter_code``;
* ``placeholder`` plain with "(none: ...)" text instead of empty function_name / starter_code;
* ``format-demos`` the code default: plain + both demos of sstar_dspy.format_demos.

Usage:
    DSPY_CACHEDIR=/tmp/probe-cache python eval/format_demos/probe.py --model embedded-fast \\
        --examples sum-two,balanced-brackets --samples 4 --variants plain,format-demos
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402

import sstar_dspy  # noqa: E402
from sstar_dspy.format_demos import generate_demos  # noqa: E402
from sstar_dspy.signatures import GenerateCode, extract_code  # noqa: E402

LCB_FORMAT = (
    "Read the inputs from stdin, solve the problem and write the answer to stdout (do not directly test on the "
    "sample inputs). Ensure that when the Python program runs, it reads the inputs, runs the algorithm and writes "
    "output to STDOUT."
)
SKELETON = (
    "import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n"
    "    # parse the input from data, solve the problem, print the answer\n\n\nmain()\n"
)


class GenerateWithInterface(dspy.Signature):
    """You are an expert competitive programmer. Write a correct and efficient Python 3 program
    that solves the problem, following `interface` exactly.

    Answer with the code only: no explanations and no example usage.
    """

    problem: str = dspy.InputField()
    interface: str = dspy.InputField()
    code: str = dspy.OutputField()


def _fields(problem: sstar_dspy.Problem, **overrides: str) -> dict[str, str]:
    fields = {
        "problem": problem.statement,
        "mode": problem.mode.value,
        "function_name": problem.function_name or "",
        "starter_code": problem.starter_code,
    }
    return {**fields, **overrides}


def sample(variant: str, problem: sstar_dspy.Problem, rollout_id: int) -> str:
    """One ``generate`` answer under ``variant``; returns the extracted code."""
    config = {"rollout_id": rollout_id}
    predictor = dspy.Predict(GenerateCode)
    if variant == "interface":
        return dspy.Predict(GenerateWithInterface)(problem=problem.statement, interface=LCB_FORMAT, config=config).code
    if variant == "plain":
        fields = _fields(problem)
    elif variant == "lcb-format":
        fields = _fields(problem, problem=problem.statement + "\n\n" + LCB_FORMAT)
    elif variant == "one-demo":
        demo = generate_demos()[0]
        predictor.demos = [demo.copy(code=demo.code.replace("import sys\n\n\n", ""))]
        fields = _fields(problem)
    elif variant == "skeleton":
        fields = _fields(problem, function_name="(none: stdin program)", starter_code=SKELETON)
    elif variant == "placeholder":
        fields = _fields(
            problem,
            function_name="(none: stdin program)",
            starter_code="(none: write a complete program that reads standard input)",
        )
    elif variant == "format-demos":
        predictor.demos = generate_demos()
        fields = _fields(problem)
    else:
        raise SystemExit(f"error: unknown variant {variant!r}")
    return predictor(**fields, config=config).code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded-fast")
    parser.add_argument("--examples", default="sum-two,balanced-brackets")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--variants", default="plain,format-demos")
    parser.add_argument("--out", type=Path, default=None, help="write every sample as JSON here")
    args = parser.parse_args(argv)
    dspy.configure(lm=sstar_dspy.resolve_lm(args.model, temperature=0.7))
    sandbox = sstar_dspy.Sandbox(workers=1)
    jobs = [
        (variant, problem, r)
        for name in args.examples.split(",")
        for problem in sstar_dspy.load_problems(f"example:{name}")
        for variant in args.variants.split(",")
        for r in range(args.samples)
    ]

    def run(job: tuple[str, sstar_dspy.Problem, int]) -> dict:
        variant, problem, r = job
        started = time.perf_counter()
        try:
            code = extract_code(sample(variant, problem, r))
        except Exception as err:  # a parse failure is a result too
            code, error = "", f"{type(err).__name__}: {err}"[:200]
        else:
            error = None
        tests = problem.public_tests + problem.hidden_tests
        results = sandbox.run(code, tests, mode=problem.mode, function_name=problem.function_name) if code else []
        return {
            "example": problem.id,
            "variant": variant,
            "rollout_id": r,
            "passed": sum(x.passed for x in results),
            "tests": len(tests),
            "seconds": round(time.perf_counter() - started, 1),
            "error": error,
            "code": code,
        }

    records = []
    with ThreadPoolExecutor(4) as pool:
        for rec in pool.map(run, jobs):
            records.append(rec)
            head = rec["code"][:100].replace("\n", "\\n")
            sys.stdout.write(
                f"{rec['example']} {rec['variant']} r{rec['rollout_id']}: {rec['passed']}/{rec['tests']} :: {head}\n"
            )
    if args.out:
        args.out.write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
