"""Scaling curves from ONE stage-1 run of N=16 samples per problem, by disjoint subsampling.

For every size n in {1, 2, 4, 8, 16}, the 16 samples of a problem are split into 16/n disjoint groups (sample
indices k*n .. k*n+n-1). Every method chooses one program per group from the same samples (so methods are
paired), the choice is graded on ALL tests (public + hidden, de-duplicated, as LiveCodeBench grades), and a
method's score at n is the share of groups it gets right, averaged per problem, then over problems.
See README.md beside this file for the estimator and the commands.

Methods (``METHODS``): ``pass@1`` / ``pass@1_debugged`` (c/n over the group's round-0 / debugged samples),
``oracle`` (any debugged sample passes = pass@n), ``zero_shot`` (first round-0 sample), ``self_debug`` (first
debugged sample), ``public_filter`` (first debugged sample passing the public tests, else the first),
``plain_public_filter`` (the same over a plain-prompt sample file, ``--plain``), and the LM selectors run through
the package's real selector objects: ``majority`` (MajorityVoteSelector on round-0 programs), ``generated_tests``
(GeneratedTestsSelector), ``judge`` (JudgeSelector), ``sstar`` (AdaptiveSelector, the ``sstar`` preset's).

One JSON line per (problem, method, n, group) goes to ``<out>/results.jsonl`` (resumable: done rows are
skipped); verdicts are cached in ``<out>/grades.jsonl``. Then ``report.py`` writes the tables and the plot.

Usage:
    python eval/scaling/analyze.py RUN_DIR --out eval/scaling/runs/NAME [--plain PLAIN_DIR] [--model embedded]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling_io import Grader, append_rows, changed_config, cut_torn_tail, describe, read_rows  # noqa: E402

from sstar_dspy.candidate import Candidate  # noqa: E402
from sstar_dspy.problem import Problem  # noqa: E402

logger = logging.getLogger("scaling")

SIZES = (1, 2, 4, 8, 16)
LM_METHODS = ("majority", "generated_tests", "judge", "sstar")
METHODS = (
    "pass@1",
    "pass@1_debugged",
    "oracle",
    "zero_shot",
    "self_debug",
    "public_filter",
    "plain_public_filter",
    *LM_METHODS,
)
PREDICTORS = ("generate_tests", "distinguish", "judge")


# -- inputs ------------------------------------------------------------------------------------------------------
def load_stage1(run_dir: Path) -> tuple[dict[str, list[Candidate]], str | None]:
    """Candidates per problem (sorted by sample index) of an ``sstar generate`` run, and its problem source."""
    from sstar_dspy.cli.stages import load_candidates

    groups = {pid: sorted(cands, key=lambda c: c.index) for pid, cands in load_candidates(run_dir).items()}
    manifest = run_dir / "manifest.json"
    source = json.loads(manifest.read_text()).get("data", {}).get("source") if manifest.exists() else None
    return groups, source


def load_plain(path: Path) -> dict[str, dict[int, str]]:
    """Programs by problem and sample index from a ``run_forms.py`` records.jsonl (or its directory)."""
    path = path / "records.jsonl" if path.is_dir() else path
    plain: dict[str, dict[int, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            plain.setdefault(rec["problem_id"], {})[int(rec["sample"])] = rec.get("program") or ""
    return plain


def sizes_for(total: int, wanted: tuple[int, ...] = SIZES) -> list[int]:
    """The group sizes that split ``total`` samples into whole disjoint groups."""
    return [n for n in wanted if n <= total and total % n == 0]


def groups_of(total: int, n: int) -> list[list[int]]:
    """Disjoint groups of sample indices: [k*n, ..., k*n+n-1] for k < total/n."""
    return [list(range(k * n, k * n + n)) for k in range(total // n)]


# -- methods -----------------------------------------------------------------------------------------------------
def round0(cand: Candidate) -> Candidate:
    """The candidate as it was sampled (round 0 only): what zero-shot and majority vote see."""
    first = cand.rounds[0] if cand.rounds else None
    program = first.program if first is not None else cand.program
    return cand.model_copy(update={"program": program, "rounds": [first] if first is not None else []})


def no_lm_choice(
    method: str, group: list[Candidate], verdicts: dict[str, dict[str, bool]], plain: list[str] | None
) -> dict[str, Any]:
    """The row fields of a method that needs no LM: ``passed`` is a 0/1 verdict, or a share for pass@1."""
    first = group[0]
    if method in ("pass@1", "pass@1_debugged"):
        programs = [round0(c).program if method == "pass@1" else c.program for c in group]
        return {"chosen": None, "passed": sum(verdicts[p]["passed"] for p in programs) / len(programs)}
    if method == "oracle":
        chosen = next((c.index for c in group if verdicts[c.program]["passed"]), first.index)
        return {"chosen": chosen, "passed": any(verdicts[c.program]["passed"] for c in group)}
    if method == "zero_shot":
        return {"chosen": first.index, "passed": verdicts[round0(first).program]["passed"]}
    if method == "self_debug":
        return {"chosen": first.index, "passed": verdicts[first.program]["passed"]}
    if method == "public_filter":
        chosen = next((c for c in group if c.passes_public), first)
        return {"chosen": chosen.index, "passed": verdicts[chosen.program]["passed"]}
    if method == "plain_public_filter":
        assert plain is not None
        pick = next((k for k, p in enumerate(plain) if verdicts[p]["public_passed"]), 0)
        return {"chosen": group[pick].index, "passed": verdicts[plain[pick]]["passed"]}
    raise ValueError(f"not a no-LM method: {method}")


def make_selector(method: str, max_duels: int | None) -> Any:
    from sstar_dspy import presets
    from sstar_dspy.selection import GeneratedTestsSelector, JudgeSelector, MajorityVoteSelector

    if method == "sstar":
        return presets.sstar(max_duels=max_duels).selector
    if method == "judge":
        return JudgeSelector(max_duels=max_duels)
    return {"majority": MajorityVoteSelector, "generated_tests": GeneratedTestsSelector}[method]()


class _Counted:
    """A predictor wrapper counting calls by predictor name (what one run at this n would send)."""

    def __init__(self, predictor: Any, name: str, counts: Counter, lock: threading.Lock):
        self.predictor, self.name, self.counts, self.lock = predictor, name, counts, lock

    def __call__(self, **kwargs: Any) -> Any:
        with self.lock:
            self.counts[self.name] += 1
        return self.predictor(**kwargs)


def reference_calls(clusters: list[tuple[list[int], list[str]]]) -> int:
    """LM calls the reference's all-cross-pairs scheme would send on the same generated inputs and outputs.

    ``clusters`` = (members, behaviour key per input) from the selection trace. As in the reference: 1
    test-generation call; per input, the candidates are grouped by output, errors dropped ("!..." keys); every
    pair of groups (in first-appearance order) duels every member of one against every member of the other;
    each distinct ordered pair costs 3 calls once (distinguishing inputs + the judge in both orders; repeats are
    cache hits). Not counted: its code-only round robin (2*C(k,2) calls) when no duel is decisive, so this is a
    lower bound.

    Example:
        >>> reference_calls([([0, 1], ["0", "7"]), ([2], ["1", "7"])])  # pairs (0, 2) and (1, 2)
        7
        >>> reference_calls([([0, 1], ["1"]), ([2], ["!runtime_error"])])  # a crash never duels
        1
    """
    keys = {m: list(out) for members, out in clusters for m in members}
    pairs: set[tuple[int, int]] = set()
    for t in range(max((len(k) for k in keys.values()), default=0)):
        groups: dict[str, list[int]] = {}
        for m in sorted(keys):
            if t < len(keys[m]) and not keys[m][t].startswith("!"):
                groups.setdefault(keys[m][t], []).append(m)
        ordered = list(groups.values())  # first-appearance order
        for a, first in enumerate(ordered):
            for second in ordered[a + 1 :]:
                pairs.update((i, j) for i in first for j in second)
    return 1 + 3 * len(pairs)


def lm_choice(
    method: str, problem: Problem, group: list[Candidate], verdicts: dict[str, dict[str, bool]], env: dict[str, Any]
) -> dict[str, Any]:
    """Run the package's selector on the group (through ``SStar.select``); the row fields."""
    from sstar_dspy.program import SStar

    cands = [round0(c) for c in group] if method == "majority" else list(group)
    program = SStar(
        n=len(cands),
        rounds=0,
        selector=make_selector(method, env["max_duels"]),
        lms=env["lms"](),
        sandbox=env["sandbox"],
        num_threads=env["threads"],
    )
    if env.get("variant"):
        from sstar_dspy.variants import apply_variant

        apply_variant(program, env["variant"])  # before the counting wrappers: it reads the predictors
    counts: Counter = Counter()
    lock = threading.Lock()
    for name in PREDICTORS:
        setattr(program, name, _Counted(getattr(program, name), name, counts, lock))
    pred = program.select(problem, cands)
    sel = pred.trace.selection
    chosen = next((c for c in cands if c.index == sel.chosen), None) if sel else None
    clusters = [c.members for c in sel.clusters] if sel else []
    row = {
        "chosen": chosen.index if chosen else None,
        "passed": bool(chosen is not None and chosen.program.strip() and verdicts[chosen.program]["passed"]),
        "calls": {name: counts[name] for name in PREDICTORS},
        "duels": len(sel.duels) if sel else 0,
        "decisive_duels": sum(d.outcome in ("a", "b") for d in sel.duels) if sel else 0,
        "pool": len(sel.pool) if sel else 0,
        "clusters": [len(c) for c in clusters],
        "reason": sel.reason if sel else "",
        "errors": pred.trace.errors[:3],
    }
    if method == "sstar":
        row["reference_calls"] = reference_calls([(c.members, c.output_keys) for c in sel.clusters] if sel else [])
    return row


# -- the run -----------------------------------------------------------------------------------------------------
def analyze_problem(
    problem: Problem,
    cands: list[Candidate],
    plain: dict[int, str] | None,
    *,
    methods: list[str],
    sizes: list[int],
    done: set[tuple[str, str, int, int]],
    grader: Grader,
    results: Path,
    lock: threading.Lock,
    env: dict[str, Any],
) -> int:
    """Compute and append every missing row of one problem; returns how many rows were written."""
    total = len(cands)
    plain_programs = [plain[k] for k in range(total)] if plain is not None else []
    programs = [p for c in cands for p in (c.program, round0(c).program)] + plain_programs
    verdicts = grader.grade_many(problem, programs)
    written = 0
    for n in sorted(sizes, reverse=True):  # the largest groups first: their duels fill the cache for the rest
        for k, indices in enumerate(groups_of(total, n)):
            group = [cands[i] for i in indices]
            for method in methods:
                if (problem.id, method, n, k) in done or (method == "plain_public_filter" and plain is None):
                    continue
                if method in LM_METHODS:
                    fields = lm_choice(method, problem, group, verdicts, env)
                else:
                    group_plain = [plain_programs[i] for i in indices] if plain is not None else None
                    fields = no_lm_choice(method, group, verdicts, group_plain)
                row = {"problem_id": problem.id, "method": method, "n": n, "group": k, "indices": indices, **fields}
                row["passed"] = float(row["passed"])
                append_rows(results, [row], lock)
                written += 1
    return written


def lm_factory(args: argparse.Namespace) -> Any:
    """A thread-safe lazy builder of the RoleLMs (the model starts only when an LM row is computed)."""
    built: dict[str, Any] = {}
    lock = threading.Lock()

    def get() -> Any:
        with lock:
            if "lms" not in built:
                from sstar_dspy.cli.common import build_lm_from_spec
                from sstar_dspy.program import RoleLMs

                main = build_lm_from_spec(args.model, max_tokens=args.max_tokens)
                judge = build_lm_from_spec(args.judge_model, max_tokens=args.max_tokens) if args.judge_model else main
                built["lms"] = RoleLMs(generator=main, test_generator=judge, judge=judge)
            return built["lms"]

    return get


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("run_dir", type=Path, help="an `sstar generate --n 16 --rounds 2` run directory")
    parser.add_argument("--out", type=Path, required=True, help="results directory (results.jsonl, report.md, ...)")
    parser.add_argument("--plain", type=Path, help="run_forms.py output dir (or records.jsonl) with >= N samples")
    parser.add_argument("--problems", help="problem source of the run (default: the run manifest's)")
    parser.add_argument("--data-dir", default=os.environ.get("SSTAR_DATA_DIR"))
    parser.add_argument("--model", default=os.environ.get("SSTAR_MODEL", "embedded"))
    parser.add_argument("--judge-model", default=None, help="test generation + judge model (default: --model)")
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--variant", default=None, help="prompt variant for the selectors (as `sstar select`)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of METHODS")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--max-duels", type=int, default=10, help="S*/judge duel cap (the sstar preset's: 10)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent duels within one selection")
    parser.add_argument("--concurrency", type=int, default=1, help="problems analysed at once")
    parser.add_argument("--limit", type=int, default=None, help="only the first K problems")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    unknown = set(args.methods.split(",")) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}; choose from {', '.join(METHODS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("LiteLLM", "httpx", "dspy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from sstar_dspy.problems import load_problems
    from sstar_dspy.sandbox import Sandbox

    stage1, source = load_stage1(args.run_dir)
    total = max((len(c) for c in stage1.values()), default=0)
    complete = {pid: c for pid, c in stage1.items() if [x.index for x in c] == list(range(total))}
    if len(complete) < len(stage1):
        logger.warning("%d problems lack some of the %d samples; left out", len(stage1) - len(complete), total)
    plain = load_plain(args.plain) if args.plain else None
    if plain is not None:
        both = {pid for pid in complete if set(range(total)) <= set(plain.get(pid, {}))}
        if len(both) < len(complete):
            logger.warning("%d problems lack %d plain samples; left out", len(complete) - len(both), total)
        complete = {pid: c for pid, c in complete.items() if pid in both}
    problems = [p for p in load_problems(args.problems or source, data_dir=args.data_dir) if p.id in complete]
    if len(problems) < len(complete):
        logger.warning("%d problems of the run are not in %s; left out", len(complete) - len(problems), source)
    problems = problems[: args.limit]
    sizes = sizes_for(total, tuple(int(s) for s in args.sizes.split(",")))
    methods = [m for m in args.methods.split(",") if m != "plain_public_filter" or plain is not None]
    args.out.mkdir(parents=True, exist_ok=True)
    meta = describe(args, total, sizes, methods, problems)
    changed = changed_config(args.out / "analysis.json", meta["config"])
    if changed:
        sys.stderr.write(f"error: {args.out} holds results of other settings ({'; '.join(changed)}); use a new --out\n")
        return 2
    (args.out / "analysis.json").write_text(json.dumps(meta, indent=1) + "\n")
    results = args.out / "results.jsonl"
    for path in (results, args.out / "grades.jsonl"):
        cut_torn_tail(path)
    done = {(r["problem_id"], r["method"], r["n"], r["group"]) for r in read_rows(results)}
    logger.info("%d problems x %d samples, sizes %s, %d rows already done", len(problems), total, sizes, len(done))
    sandbox = Sandbox()
    lock = threading.Lock()
    env = {"lms": lm_factory(args), "sandbox": sandbox, "threads": args.threads, "max_duels": args.max_duels}
    env["variant"] = args.variant
    grader = Grader(args.out / "grades.jsonl", sandbox)

    def one(problem: Problem) -> None:
        written = analyze_problem(
            problem,
            complete[problem.id],
            plain.get(problem.id) if plain is not None else None,
            methods=methods,
            sizes=sizes,
            done=done,
            grader=grader,
            results=results,
            lock=lock,
            env=env,
        )
        logger.info("%s: %d new rows", problem.id, written)

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
            list(pool.map(one, problems))
    finally:
        sandbox.close()
    if not args.no_report:
        spec = importlib.util.spec_from_file_location(
            "sstar_eval_scaling_report", Path(__file__).with_name("report.py")
        )
        report = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(report)
        report.main([str(args.out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
