"""Zero-shot vs self-debug vs majority vote vs S* on dev problems, from ONE shared stage-1 run.

Why shared: on two busy CPU cores every LM call costs tens of seconds, so the four methods are
computed from the same samples instead of four independent runs (the S* reference's
``--load_cached_preds`` idea). Per problem:

* stage 1 once: ``presets.sstar(n=N, rounds=R).generate_candidates(problem)`` - N samples, each
  debugged up to R rounds on the public tests (rollout ids 0..N-1, temperature 0.7);
* ``zero_shot``  = sample 0 as first generated (round 0)            - what presets.zero_shot() samples;
* ``self_debug`` = sample 0 after its debug rounds                  - what presets.self_debug(rounds=R) samples;
* ``majority``   = MajorityVoteSelector over the N round-0 programs  - presets.majority_vote(n=N);
* ``sstar``      = AdaptiveSelector over the N debugged samples      - presets.sstar(n=N, rounds=R).

Every chosen program is graded on the hidden tests. LM calls and tokens are attributed per method
from the LM history (each call's rollout id and signature), so each method's cost is what it would
have spent alone. Oracle coverage = any of the N debugged samples passes the hidden tests.

Records go to ``<out>/records.jsonl`` (one line per problem, appended as each finishes; a re-run
skips problems already recorded). No problem text or test data is written, only ids, programs
written by the model, verdicts, usage and timings.

Usage (the command of the committed run is in README.md):
    python eval/zero_shot_vs_sstar/run_methods.py --model embedded-fast --suite dev-leetcode:12 \\
        --suite dev-codecontests:8 --n 4 --rounds 1 --out runs/issue4
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy import presets  # noqa: E402
from sstar_dspy.candidate import Candidate  # noqa: E402
from sstar_dspy.cli.problem_filter import select_problems as by_difficulty  # noqa: E402
from sstar_dspy.lm import resolve_lm  # noqa: E402
from sstar_dspy.problem import Problem  # noqa: E402
from sstar_dspy.problems import load_problems  # noqa: E402
from sstar_dspy.program import RoleLMs  # noqa: E402
from sstar_dspy.runs.grading import grade  # noqa: E402

logger = logging.getLogger("run_methods")
METHODS = ("zero_shot", "self_debug", "majority", "sstar")


def select_problems(specs: list[str], data_dir: str | None) -> list[Problem]:
    """``suite[:k[:difficulty]]`` -> the k problems (of that difficulty) with the shortest statements
    (cheapest prompts), interleaved by suite."""
    per_suite = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        count, _, difficulty = rest.partition(":")
        problems = by_difficulty(load_problems(name, data_dir=data_dir), difficulty=difficulty or None, source=name)
        problems = sorted(problems, key=lambda p: (len(p.statement), p.id))
        per_suite.append(problems[: int(count)] if count else problems)
    chosen: list[Problem] = []
    for i in range(max(len(p) for p in per_suite)):
        chosen += [p[i] for p in per_suite if i < len(p)]
    return chosen


def _signature_of(entry: dict[str, Any]) -> str:
    system = entry["messages"][0]["content"] if entry.get("messages") else ""
    head = system.split("All interactions", 1)[0]
    for name, marker in (
        ("debug", "`diagnosis`"),
        ("judge", "`verdict`"),
        ("distinguish", "`distinguishing_inputs`"),
        ("generate_tests", "`test_inputs`"),
        ("generate", "`code`"),
    ):
        if marker in head:
            return name
    return "other"


def _calls(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in history:
        usage = entry.get("usage") or {}
        out.append(
            {
                "signature": _signature_of(entry),
                "rollout_id": (entry.get("kwargs") or {}).get("rollout_id"),
                "prompt_tokens": int(usage.get("prompt_tokens") or 0),
                "completion_tokens": int(usage.get("completion_tokens") or 0),
                "cached_prompt_tokens": int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0),
            }
        )
    return out


def _uncached(calls: list[dict[str, Any]], source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace cache hits (0 tokens) by the same signature's call in ``source`` (where it was paid)."""
    out = []
    for call in calls:
        if call["prompt_tokens"] == 0:
            paid = [c for c in source if c["signature"] == call["signature"] and c["prompt_tokens"]]
            out.extend(paid[:1] or [call])
        else:
            out.append(call)
    return out


def _cost(calls: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "calls": len(calls),
        "prompt_tokens": sum(c["prompt_tokens"] for c in calls),
        "completion_tokens": sum(c["completion_tokens"] for c in calls),
    }


def solve_one(problem: Problem, base_lm: Any, n: int, rounds: int, max_duels: int) -> dict[str, Any]:
    """All four methods on one problem; returns the record (no problem text or test data)."""
    started = time.perf_counter()
    gen_lm, sel_lm, maj_lm = base_lm.copy(), base_lm.copy(), base_lm.copy()
    program = presets.sstar(n=n, rounds=rounds, max_duels=max_duels, lms=RoleLMs(generator=gen_lm))
    candidates, _ = program.generate_candidates(problem)
    generation_s = time.perf_counter() - started

    t0 = time.perf_counter()
    sstar = presets.sstar(n=n, rounds=rounds, max_duels=max_duels, lms=RoleLMs(generator=sel_lm))
    sstar_pred = sstar.select(problem, candidates)
    sstar_select_s = time.perf_counter() - t0

    round0 = [
        Candidate(index=c.index, rollout_id=c.rollout_id, program=c.rounds[0].program, rounds=c.rounds[:1])
        for c in candidates
        if c.rounds
    ]
    t0 = time.perf_counter()
    majority = presets.majority_vote(n=n, lms=RoleLMs(generator=maj_lm))
    majority_pred = majority.select(problem, round0) if round0 else None
    majority_select_s = time.perf_counter() - t0

    first = next((c for c in candidates if c.index == 0), None)
    programs = {
        "zero_shot": first.rounds[0].program if first and first.rounds else "",
        "self_debug": first.program if first else "",
        "majority": majority_pred.program if majority_pred is not None else "",
        "sstar": sstar_pred.program,
    }
    verdicts = {name: grade(problem, code) for name, code in programs.items()}
    finals = [grade(problem, c.program) for c in candidates]
    firsts = [grade(problem, c.rounds[0].program) for c in candidates if c.rounds]

    gen_calls, sel_calls, maj_calls = _calls(gen_lm.history), _calls(sel_lm.history), _calls(maj_lm.history)
    zero_rollout = first.rollout_id if first else None
    sample0 = [c for c in gen_calls if c["rollout_id"] == zero_rollout]
    costs = {
        "zero_shot": _cost([c for c in sample0 if c["signature"] == "generate"]),
        "self_debug": _cost(sample0),
        "majority": _cost([c for c in gen_calls if c["signature"] == "generate"] + _uncached(maj_calls, sel_calls)),
        "sstar": _cost(gen_calls + sel_calls),
    }
    return {
        "problem_id": problem.id,
        "suite": problem.metadata.source,
        "difficulty": problem.metadata.difficulty,
        "mode": problem.mode.value,
        "hidden_tests": len(problem.hidden_tests),
        "passed": {name: bool(v.passed) for name, v in verdicts.items()},
        "hidden_passed": {name: v.hidden_passed for name, v in verdicts.items()},
        "oracle_final": any(v.passed for v in finals),
        "oracle_round0": any(v.passed for v in firsts),
        "candidates_passed_final": [bool(v.passed) for v in finals],
        "candidates_passed_public": [c.passes_public for c in candidates],
        "programs": programs,
        "selection": {
            "sstar": sstar_pred.trace.selection.model_dump(mode="json") if sstar_pred.trace.selection else None,
            "majority": majority_pred.trace.selection.model_dump(mode="json")
            if majority_pred is not None and majority_pred.trace.selection
            else None,
        },
        "cost": costs,
        "calls": {"generation": gen_calls, "sstar_selection": sel_calls, "majority_selection": maj_calls},
        "wall_s": {
            "generation": round(generation_s, 2),
            "sstar_selection": round(sstar_select_s, 2),
            "majority_selection": round(majority_select_s, 2),
            "total": round(time.perf_counter() - started, 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="embedded-fast")
    parser.add_argument(
        "--suite", action="append", required=True, help="suite[:k[:difficulty]]: the k shortest (of that difficulty)"
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--max-duels", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=768)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("-j", "--concurrency", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    problems = select_problems(args.suite, args.data_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    records_path = args.out / "records.jsonl"
    done = set()
    if records_path.exists():
        done = {json.loads(line)["problem_id"] for line in records_path.read_text().splitlines() if line.strip()}
    todo = [p for p in problems if p.id not in done]
    (args.out / "config.json").write_text(
        json.dumps({**{k: str(v) for k, v in vars(args).items()}, "problems": [p.id for p in problems]}, indent=1)
    )
    logger.info("%d problems (%d already recorded): %s", len(problems), len(done), [p.id for p in todo])
    lm = resolve_lm(args.model, max_tokens=args.max_tokens, temperature=args.temperature)
    lock = threading.Lock()
    run_started = time.perf_counter()

    def work(problem: Problem) -> None:
        try:
            record = solve_one(problem, lm, args.n, args.rounds, args.max_duels)
        except Exception as exc:  # one broken problem must not end the run; it is recorded as an error
            logger.exception("problem %s failed", problem.id)
            record = {"problem_id": problem.id, "error": f"{type(exc).__name__}: {exc}"[:500]}
        with lock, records_path.open("a") as out:
            out.write(json.dumps(record) + "\n")
        logger.info(
            "done %s in %.0fs: %s (elapsed %.0fs)",
            problem.id,
            record.get("wall_s", {}).get("total", 0),
            record.get("passed"),
            time.perf_counter() - run_started,
        )

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(work, todo))
    logger.info("run finished in %.0fs", time.perf_counter() - run_started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
