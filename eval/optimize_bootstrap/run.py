"""Real BootstrapFewShot run on SStar.generate with the embedded model; before/after on held-out problems.

Usage (the exact command of the committed results is in RESULTS.md):

    SSTAR_DATA_DIR=../shared/data python eval/optimize_bootstrap/run.py --model embedded-fast \\
        --difficulty easy --train 4 --val 12 --n 2 --rounds 1 --run-dir runs/optimize-bootstrap-dev

The compiled variant (it holds benchmark statements inside its demos, so it is NOT committed) goes to
``<run-dir>/<name>.json``; the run directory also keeps the optimizer log, progress, splits and both
validation runs. This script writes ``results.json`` and ``RESULTS.md`` next to itself: the split ids,
which problems the demos came from, pass@1 before/after with bootstrap CIs, calls, tokens and wall time.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded-fast")
    parser.add_argument("--suite", default="dev-leetcode")
    parser.add_argument("--difficulty", default="easy")
    parser.add_argument("--train", type=int, default=4)
    parser.add_argument("--val", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--tune", default="generate")
    parser.add_argument("--max-bootstrapped-demos", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=1024, help="completion cap per LM call")
    parser.add_argument("--concurrency", type=int, default=2, help="validation problems solved at once")
    parser.add_argument("--num-threads", type=int, default=2, help="concurrent samples inside one S* solve")
    parser.add_argument("--name", default="bootstrap-dev", help="variant name (file <run-dir>/<name>.json)")
    parser.add_argument("--run-dir", type=Path, default=Path("runs/optimize-bootstrap-dev"))
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from sstar_dspy import presets
    from sstar_dspy.cli.common import build_lm_from_spec
    from sstar_dspy.optimize import OptimizerName, OptimizeSettings
    from sstar_dspy.optimize.run import run_optimization
    from sstar_dspy.problems import load_problems
    from sstar_dspy.program import RoleLMs

    suite = load_problems(args.suite)
    problems = [p for p in suite if p.metadata.difficulty == args.difficulty and p.gradable]
    lm = build_lm_from_spec(
        args.model, max_tokens=args.max_tokens
    )  # embedded, embedded-fast, any litellm id, or py:module:factory
    roles = RoleLMs(generator=lm)

    def build(n: int, rounds: int):
        return presets.sstar(n=n, rounds=rounds, lms=roles, seed=args.seed, num_threads=args.num_threads)

    command = ["python", *sys.argv]
    started = time.time()
    report = run_optimization(
        problems,
        name=args.run_dir / f"{args.name}.json",
        settings=OptimizeSettings(
            optimizer=OptimizerName.BOOTSTRAP,
            tune=[args.tune],
            max_bootstrapped_demos=args.max_bootstrapped_demos,
            seed=args.seed,
        ),
        build_program=build,
        run_dir=args.run_dir,
        train=args.train,
        val=args.val,
        inner=(args.n, args.rounds),
        final=(args.n, args.rounds),
        task_lm=lm,
        models={"generator": args.model, "debugger": args.model, "test_generator": args.model, "judge": args.model},
        description=f"BootstrapFewShot on {args.train} easy {args.suite} problems ({args.model})",
        command=command,
        concurrency=args.concurrency,
    )
    state = json.loads(report.variant_path.read_text())
    demos = {
        name: [{"code": d.get("code", ""), "fields": sorted(d)} for d in state[name]["demos"]]
        for name in state["sstar_dspy"]["layout"]
    }
    train_ids = set(report.train_ids)
    train_problems = [p for p in problems if p.id in train_ids]
    for name in demos:  # which train problem each demo came from (the statement itself is not committed)
        for demo, raw in zip(demos[name], state[name]["demos"], strict=True):
            text = str(raw.get("problem", ""))
            demo["from_problem"] = next((p.id for p in train_problems if p.statement.strip()[:200] in text), "?")
    results = {
        "command": shlex.join(command),
        "model": args.model,
        "suite": f"{args.suite} (difficulty={args.difficulty}, {len(problems)} problems)",
        "settings": {
            "n": args.n,
            "rounds": args.rounds,
            "tune": args.tune,
            "seed": args.seed,
            "max_tokens": args.max_tokens,
        },
        "train_ids": report.train_ids,
        "val_ids": report.val_ids,
        "demos": demos,
        "demo_evidence": state["sstar_dspy"]["provenance"].get("demo_evidence"),
        "comparison": report.comparison.to_json() if report.comparison else None,
        "wall_s": round(time.time() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    origins = ", ".join(f"{name} <- {d['from_problem']}" for name, v in demos.items() for d in v)
    lines = [
        "# BootstrapFewShot on SStar.generate with the embedded model",
        "",
        f"Command: `SSTAR_DATA_DIR=../shared/data {results['command']}`",
        "",
        f"Model {args.model}; suite {results['suite']}; S* preset n={args.n}, rounds={args.rounds} "
        f"(same settings while optimizing and evaluating); seed {args.seed}; tuned: {args.tune}.",
        f"Train ({len(report.train_ids)}): {', '.join(report.train_ids)}",
        f"Validation ({len(report.val_ids)}, never seen by the optimizer): {', '.join(report.val_ids)}",
        f"Demos kept: {sum(len(v) for v in demos.values())} ({origins or 'none'}); "
        f"traced-call evidence: {results['demo_evidence']}",
        "",
        report.comparison.to_markdown() if report.comparison else "(no evaluation)",
        "",
        f"Total wall time: {results['wall_s'] / 60:.1f} min on 2 shared CPU cores.",
    ]
    (args.out / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
