"""Zero-shot A/B of generation prompt forms against LiveCodeBench's official prompt.

For each problem and sample, one program is generated in the chosen *form* and graded by the project's sandbox
on **all** tests (statement examples + hidden, de-duplicated), as LiveCodeBench grades:

* ``lcb``: LiveCodeBench's own prompt (``lcb_runner/prompts/code_generation.py``, generic chat style: its system
  message, ``### Question`` / ``### Format`` with the starter code or the stdin instruction / ``### Answer``), one
  raw chat call, the code extracted by LiveCodeBench's rule (between the last two fence lines)
  (``sstar_dspy.adapters.lcb_prompt``). No DSPy program involved.
* any other name: the project's ``generate`` predictor through ``presets.zero_shot(prompt_form=FORM)``
  (``chat`` = the DSPy ChatAdapter form with the format demos, the historical default).

Greedy (``--temperature 0``, one sample) and sampled (``--temperature 0.7 --n K``: sample k uses rollout id k, so
samples differ under the cache and replay on re-run) runs share this script. Records go to ``<out>/records.jsonl``
(one line per problem and sample; a re-run skips what is recorded). Only ids, model-written programs, verdicts and
usage are written, never a statement or test.

Usage (the committed commands are in README.md beside this file):
    python eval/prompt_forms/run_forms.py --model embedded-fast --form lcb --out eval/prompt_forms/runs/0.5b-lcb-greedy
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402

from sstar_dspy import presets  # noqa: E402
from sstar_dspy.adapters.lcb_prompt import lcb_extract_code, lcb_messages  # noqa: E402
from sstar_dspy.lm import resolve_lm  # noqa: E402
from sstar_dspy.metric import grading_tests  # noqa: E402
from sstar_dspy.problem import Problem  # noqa: E402
from sstar_dspy.problems import load_problems  # noqa: E402
from sstar_dspy.program import RoleLMs  # noqa: E402
from sstar_dspy.sandbox import Sandbox  # noqa: E402

logger = logging.getLogger("run_forms")

# The problem set of the A/B: a seeded, stratified draw from the dev suites (ids are committed with the results).
STRATA = (
    ("dev-leetcode", "easy", 20),
    ("dev-leetcode", "medium", 20),
    ("dev-leetcode", "hard", 5),
    ("dev-codecontests", None, 15),
)


def choose_problems(data_dir: str | None, seed: int = 0) -> list[Problem]:
    """The stratified draw of :data:`STRATA` (gradable problems only), in a fixed order."""
    chosen: list[Problem] = []
    for suite, difficulty, count in STRATA:
        pool = [p for p in load_problems(suite, data_dir=data_dir) if p.gradable]
        if difficulty:
            pool = [p for p in pool if (p.metadata.difficulty or "").lower() == difficulty]
        pool.sort(key=lambda p: p.id)
        random.Random(f"{seed}:{suite}:{difficulty}").shuffle(pool)
        chosen += pool[:count]
    return chosen


def grade_all(sandbox: Sandbox, problem: Problem, program: str) -> dict[str, Any]:
    """Verdict on all tests, plus whether the statement examples (public tests) pass on their own."""
    tests = grading_tests(problem, "all")  # public + hidden, identical tests once: as LiveCodeBench
    public = {(t.input, t.output) for t in problem.public_tests}
    if not program.strip():
        return {
            "passed": False,
            "public_passed": False,
            "tests_passed": 0,
            "tests_total": len(tests),
            "first_failure": "no_program",
        }
    results = sandbox.run(program, tests, mode=problem.mode, function_name=problem.function_name)
    ok = [r.status.value == "passed" for r in results]
    public_ok = [good for good, test in zip(ok, tests, strict=True) if (test.input, test.output) in public]
    failure = next((r.status.value for r in results if r.status.value != "passed"), None)
    return {
        "passed": all(ok),
        "public_passed": all(public_ok),
        "tests_passed": sum(ok),
        "tests_total": len(tests),
        "first_failure": failure,
    }


class FormRunner:
    """Generates one program per (problem, sample) in one form."""

    def __init__(self, form: str, model: str, temperature: float, max_tokens: int):
        self.form = form
        self.lm = resolve_lm(model, temperature=temperature, max_tokens=max_tokens)
        self.temperature = temperature

    def generate(self, problem: Problem, sample: int) -> tuple[str, dict[str, Any]]:
        started = time.perf_counter()
        if self.form == "lcb":
            config = {"rollout_id": sample} if self.temperature > 0 else {}
            with dspy.track_usage() as tracker:  # this thread's call only (the LM's history is shared by threads)
                text = self.lm(messages=lcb_messages(problem), **config)[0]
            usage = _tracked_usage(tracker.get_total_tokens())
            program = lcb_extract_code(text if isinstance(text, str) else text.get("text", ""))
        else:
            kwargs: dict[str, Any] = {} if self.form == "chat" else {"prompt_form": self.form}
            module = presets.zero_shot(
                lms=RoleLMs(generator=self.lm), temperature=self.temperature, seed=sample, **kwargs
            )
            pred = module(problem=problem)
            program = pred.program
            roles = pred.trace.usage.values()
            usage = {
                "prompt_tokens": sum(u.prompt_tokens for u in roles),
                "completion_tokens": sum(u.completion_tokens for u in roles),
            }
        usage["wall_s"] = round(time.perf_counter() - started, 2)
        return program, usage


def _tracked_usage(per_model: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Prompt and completion tokens of ``dspy.track_usage`` totals (empty for a cache hit)."""
    prompt = sum(int(u.get("prompt_tokens") or 0) for u in per_model.values())
    completion = sum(int(u.get("completion_tokens") or 0) for u in per_model.values())
    return {"prompt_tokens": prompt, "completion_tokens": completion}


def lm_totals(history: list[dict[str, Any]]) -> dict[str, int]:
    """Calls and tokens of every LM call in ``history`` (cache hits excluded), with llama.cpp's cached prompt tokens."""
    totals = {"calls": 0, "prompt_tokens": 0, "cached_prompt_tokens": 0, "completion_tokens": 0}
    for entry in history:
        usage = entry.get("usage") or {}
        if not usage:
            continue
        details = usage.get("prompt_tokens_details") or {}
        totals["calls"] += 1
        totals["prompt_tokens"] += int(usage.get("prompt_tokens") or 0)
        totals["cached_prompt_tokens"] += int((details.get("cached_tokens") if isinstance(details, dict) else 0) or 0)
        totals["completion_tokens"] += int(usage.get("completion_tokens") or 0)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", default="embedded-fast")
    parser.add_argument("--form", required=True, help="lcb, or a prompt form of the program (chat, code, ...)")
    parser.add_argument("--n", type=int, default=1, help="samples per problem")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--max-tokens", type=int, default=1536)
    parser.add_argument("--limit", type=int, default=None, help="first K problems of the draw")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--data-dir", default=os.environ.get("SSTAR_DATA_DIR"))
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("LiteLLM").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    problems = choose_problems(args.data_dir)[: args.limit]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    records_path = out / "records.jsonl"
    done = set()
    if records_path.exists():
        for line in records_path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done.add((rec["problem_id"], rec["sample"]))
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "concurrency", "limit", "data_dir")}
    (out / "settings.json").write_text(json.dumps({**settings, "problems": [p.id for p in problems]}, indent=1))
    todo = [(p, k) for p in problems for k in range(args.n) if (p.id, k) not in done]
    logger.info("%d problems x %d samples, %d to do", len(problems), args.n, len(todo))
    runner = FormRunner(args.form, args.model, args.temperature, args.max_tokens)
    sandbox = Sandbox()
    lock = threading.Lock()
    started = time.perf_counter()

    def one(item: tuple[Problem, int]) -> None:
        problem, sample = item
        try:
            program, usage = runner.generate(problem, sample)
            verdict = grade_all(sandbox, problem, program)
            error = None
        except Exception as exc:  # recorded, the run goes on
            program, usage, verdict, error = "", {}, {"passed": False}, f"{type(exc).__name__}: {exc}"[:300]
        record = {
            "problem_id": problem.id,
            "suite": problem.metadata.source,
            "difficulty": problem.metadata.difficulty,
            "sample": sample,
            "form": args.form,
            **verdict,
            "usage": usage,
            "error": error,
            "program": program,
        }
        with lock:
            with records_path.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
        logger.info("%s #%d passed=%s %s", problem.id, sample, verdict.get("passed"), error or "")

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(one, todo))
    wall = time.perf_counter() - started
    logger.info("done in %.0f s", wall)
    session = {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "wall_s": round(wall, 1),
        "samples": len(todo),
        "concurrency": args.concurrency,
        **lm_totals(runner.lm.history),
    }
    with (out / "sessions.jsonl").open("a") as handle:
        handle.write(json.dumps(session) + "\n")
    sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
