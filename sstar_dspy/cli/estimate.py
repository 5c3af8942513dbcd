"""``--dry-run``: an upper-bound estimate of LM calls, tokens and dollars, computed without any LM call.

Calls come from ``SStar.estimate_calls()`` (per role, before budgets). Tokens are rough: each prompt is
the problem text (chars / 4) plus a fixed instruction overhead plus, for debug/judge calls, the programs
shown; each completion is counted at ``--max-tokens`` (an upper bound). Dollars use litellm's price table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from sstar_dspy.cli.common import console
from sstar_dspy.runs.cost import usage_cost
from sstar_dspy.runs.rundir import RECORDS, read_records

INSTRUCTION_TOKENS = 400
PROGRAM_TOKENS = 300
DEFAULT_COMPLETION = 1536


def estimate(spec: Any, problems: list[Any], model_ids: dict[str, str], max_tokens: int | None) -> dict[str, dict]:
    """Per role: calls, prompt_tokens, completion_tokens, cost_usd (None when unpriced) for these problems."""
    program = spec.build(lms=None)
    per_problem = program.estimate_calls()
    completion = max_tokens or DEFAULT_COMPLETION
    cap_calls = spec.max_problem_calls
    out: dict[str, dict] = {role: {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0} for role in per_problem}
    for problem in problems:
        text = len(problem.statement) + len(problem.starter_code) + sum(len(t.input) for t in problem.public_tests)
        remaining = cap_calls
        for role, calls in per_problem.items():
            if remaining is not None:
                calls = min(calls, remaining)
                remaining -= calls
            extra = {"generator": 0, "debugger": 2 * PROGRAM_TOKENS, "test_generator": 0, "judge": 2 * PROGRAM_TOKENS}
            out[role]["calls"] += calls
            out[role]["prompt_tokens"] += calls * (text // 4 + INSTRUCTION_TOKENS + extra.get(role, 0))
            out[role]["completion_tokens"] += calls * completion
    for role, row in out.items():
        row["cost_usd"] = usage_cost(model_ids.get(role, ""), row["prompt_tokens"], row["completion_tokens"])
    return out


def print_estimate(
    spec: Any,
    problems: list[Any],
    run_dir: Path,
    model_ids: dict[str, str],
    max_tokens: int | None,
    *,
    retry_errors: bool = True,
) -> None:
    """Print the dry-run table for the problems that have no record in ``run_dir`` yet (or an error record)."""
    done = set()
    if (run_dir / RECORDS).exists():
        records = read_records(run_dir / RECORDS)
        done = {r.problem_id for r in records if not (retry_errors and r.status == "error")}
    pending = [p for p in problems if p.id not in done]
    rows = estimate(spec, pending, model_ids, max_tokens)
    table = Table(title=f"dry run: {len(pending)} problems to run ({len(done)} already recorded) -> {run_dir}")
    for column in ("role", "model", "LM calls (max)", "prompt tokens (est.)", "completion tokens (max)", "cost (max)"):
        table.add_column(column, justify="left" if column in ("role", "model") else "right")
    total_cost: float | None = 0.0
    for role, row in rows.items():
        cost = row["cost_usd"]
        total_cost = None if cost is None or total_cost is None else total_cost + cost
        table.add_row(
            role,
            model_ids.get(role, "?"),
            f"{row['calls']:,}",
            f"{row['prompt_tokens']:,}",
            f"{row['completion_tokens']:,}",
            "-" if cost is None else f"${cost:.4f}",
        )
    calls = sum(r["calls"] for r in rows.values())
    table.add_row(
        "total",
        "",
        f"{calls:,}",
        f"{sum(r['prompt_tokens'] for r in rows.values()):,}",
        f"{sum(r['completion_tokens'] for r in rows.values()):,}",
        "-" if total_cost is None else f"${total_cost:.4f}",
    )
    console.print(table)
    console.print("nothing was run; '-' = litellm has no price for the model (local models cost $0)")
