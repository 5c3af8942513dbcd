"""Build the program a command runs from its options: a method (preset) or a saved variant, plus overrides.

Example:
    >>> spec = ProgramSpec(method="zero_shot")
    >>> program = spec.build(lms=None)
    >>> (program.n, program.rounds, type(program.selector).__name__)
    (1, 0, 'FirstSelector')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from sstar_dspy.cli.common import UsageError, env
from sstar_dspy.errors import BudgetError

METHODS = ("sstar", "zero_shot", "self_debug", "majority_vote")

MethodOpt = Annotated[
    str,
    typer.Option("--method", envvar=env("method"), help=f"Method preset: {', '.join(METHODS)}."),
]
VariantOpt = Annotated[
    str | None,
    typer.Option("--variant", envvar=env("variant"), help="Saved prompt variant (name in signatures/ or .json path)."),
]
NOpt = Annotated[int | None, typer.Option("--n", "-n", envvar=env("n"), min=1, help="Parallel samples (default 8).")]
RoundsOpt = Annotated[
    int | None, typer.Option("--rounds", "-r", envvar=env("rounds"), min=0, help="Debug rounds per sample (default 2).")
]
SelectorOpt = Annotated[
    str | None,
    typer.Option(
        "--selector",
        envvar=env("selector"),
        help="Selector: adaptive, first, random, majority, gentests, "
        "judge, oracle (evaluation only). Default from --method.",
    ),
]
MaxDuelsOpt = Annotated[
    int | None, typer.Option("--max-duels", envvar=env("max_duels"), min=0, help="Cap on pairwise duels per problem.")
]
SeedOpt = Annotated[int, typer.Option("--seed", envvar=env("seed"), min=0, help="Seed (offsets rollout ids).")]
ThreadsOpt = Annotated[
    int, typer.Option("--threads", envvar=env("threads"), min=1, help="Concurrent LM calls within one problem.")
]
MaxProblemCallsOpt = Annotated[
    int | None,
    typer.Option("--max-problem-calls", envvar=env("max_problem_calls"), min=1, help="LM calls per problem."),
]
MaxProblemTokensOpt = Annotated[
    int | None,
    typer.Option("--max-problem-tokens", envvar=env("max_problem_tokens"), min=1, help="Tokens per problem."),
]
MaxProblemCostOpt = Annotated[
    float | None,
    typer.Option(
        "--max-problem-cost",
        envvar=env("max_problem_cost"),
        help="Dollars per problem (converted to a token "
        "cap at the model's litellm price; refused for models without a known price).",
    ),
]

DEFAULT_N, DEFAULT_ROUNDS = 8, 2


def positive_dollars(value: float | None, flag: str) -> float | None:
    """Validate a dollar budget (> 0)."""
    if value is not None and not value > 0:
        raise BudgetError(f"{flag} must be a positive amount of dollars, got {value}")
    return value


@dataclass
class ProgramSpec:
    """The program options of a command (what goes into the manifest's settings)."""

    method: str = "sstar"
    variant: str | None = None
    n: int | None = None
    rounds: int | None = None
    selector: str | None = None
    max_duels: int | None = None
    seed: int = 0
    threads: int = 4
    temperature: float | None = None
    max_problem_calls: int | None = None
    max_problem_tokens: int | None = None
    max_problem_cost: float | None = None
    price_model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """Method defaults applied: n, rounds and selector as they will run."""
        if self.method not in METHODS:
            raise UsageError(f"unknown --method {self.method!r}: choose one of {', '.join(METHODS)}")
        n = self.n if self.n is not None else DEFAULT_N
        rounds = self.rounds if self.rounds is not None else DEFAULT_ROUNDS
        selector = self.selector
        if self.method == "zero_shot":
            n, rounds, selector = (self.n or 1), 0, selector or "first"
        elif self.method == "self_debug":
            n, selector = (self.n or 1), selector or "first"
        elif self.method == "majority_vote":
            rounds, selector = (self.rounds or 0), selector or "majority"
        return {"n": n, "rounds": rounds, "selector": selector or "adaptive"}

    def token_cap(self) -> int | None:
        """The per-problem token cap, including a dollar budget converted at the model's price."""
        positive_dollars(self.max_problem_cost, "--max-problem-cost")
        cap = self.max_problem_tokens
        if self.max_problem_cost is not None:
            from sstar_dspy.runs.cost import dollars_to_tokens

            tokens = dollars_to_tokens(self.price_model or "", self.max_problem_cost)
            if tokens is None:
                raise BudgetError(
                    f"--max-problem-cost: litellm has no price for model {self.price_model!r}; "
                    "use --max-problem-tokens or --max-problem-calls instead"
                )
            cap = tokens if cap is None else min(cap, tokens)
        return cap

    def settings(self) -> dict[str, Any]:
        """Every setting that changes results (for the manifest and the resume check)."""
        from sstar_dspy.runs.manifest import file_sha256

        resolved = self.resolved()
        variant_hash = None
        if self.variant:
            from sstar_dspy.variants import PAPER, load_variant, resolve_variant_path

            load_variant(self.variant, n=1, rounds=0)  # refuses an incompatible file before any model starts
            if self.variant != PAPER:
                variant_hash = file_sha256(resolve_variant_path(self.variant))
        return {
            "method": self.method,
            "variant": self.variant,
            "variant_sha256": variant_hash,
            **resolved,
            "max_duels": self.max_duels,
            "seed": self.seed,
            "temperature": self.temperature,
            "budget": {"max_lm_calls": self.max_problem_calls, "max_tokens": self.token_cap()},
            "max_problem_cost": self.max_problem_cost,
            **self.extra,
        }

    def build(self, lms: Any, sandbox: Any = None) -> Any:
        """The SStar program (variant loaded, role LMs attached)."""
        from sstar_dspy import selection
        from sstar_dspy.budget import Budget
        from sstar_dspy.program import RoleLMs, SStar

        resolved = self.resolved()
        options = (
            {"max_duels": self.max_duels} if self.max_duels is not None and resolved["selector"] == "adaptive" else {}
        )
        if self.max_duels is not None and resolved["selector"] != "adaptive":
            raise UsageError(f"--max-duels only applies to the adaptive selector, not {resolved['selector']!r}")
        kwargs: dict[str, Any] = {
            "n": resolved["n"],
            "rounds": resolved["rounds"],
            "selector": selection.build(resolved["selector"], **options),
            "budget": Budget(max_lm_calls=self.max_problem_calls, max_tokens=self.token_cap()),
            "lms": RoleLMs(**lms) if isinstance(lms, dict) else (lms or RoleLMs()),
            "sandbox": sandbox,
            "seed": self.seed,
            "num_threads": self.threads,
        }
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.variant:
            return SStar.from_variant(self.variant, **kwargs)
        return SStar(**kwargs)
