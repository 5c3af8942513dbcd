"""Build the program a command runs from its options: a method (preset) or a saved variant, plus overrides.

Example:
    >>> spec = ProgramSpec(method="zero_shot")
    >>> program = spec.build(lms=None)
    >>> (program.n, program.rounds, type(program.selector).__name__)
    (1, 0, 'FirstSelector')
    >>> ProgramSpec(method="sstar", n=4, max_duels=3).resolved()
    {'n': 4, 'rounds': 2, 'selector': 'adaptive'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from sstar_dspy.adapters.forms import DEFAULT_FORM
from sstar_dspy.cli.common import UsageError, env
from sstar_dspy.errors import BudgetError

METHODS = ("sstar", "zero_shot", "self_debug", "majority_vote")

MethodOpt = Annotated[
    str,
    typer.Option("--method", envvar=env("method"), help=f"Method preset: {', '.join(METHODS)}."),
]


def check_variant_ref(value: str | None) -> str | None:
    """Refuse a directory given as a variant (one line) before the variant loader calls it "not found"."""
    if value and Path(value).expanduser().is_dir():
        raise typer.BadParameter(
            f"{value} is a directory; expected a variant name (e.g. paper) or a .json file saved by `sstar optimize`"
        )
    return value


VariantOpt = Annotated[
    str | None,
    typer.Option(
        "--variant",
        envvar=env("variant"),
        callback=check_variant_ref,
        help="Saved prompt variant (name in signatures/ or .json path).",
    ),
]
PromptFormOpt = Annotated[
    str | None,
    typer.Option(
        "--prompt-form",
        envvar=env("prompt_form"),
        help="How generate/debug ask for code: chat (DSPy ChatAdapter), code (LiveCodeBench's plain prompt), "
        f"code-reasoning (plain prompt, reasoning before the code). Default: {DEFAULT_FORM.value}, or the --variant's.",
    ),
]
NOpt = Annotated[
    int | None, typer.Option("--n", "-n", envvar=env("n"), min=1, help="Parallel samples (default: the preset's).")
]
RoundsOpt = Annotated[
    int | None,
    typer.Option("--rounds", "-r", envvar=env("rounds"), min=0, help="Debug rounds per sample (default: preset's)."),
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


def positive_dollars(value: float | None, flag: str) -> float | None:
    """Validate a dollar budget (> 0)."""
    if value is not None and not value > 0:
        raise BudgetError(f"{flag} must be a positive amount of dollars, got {value}")
    return value


@dataclass
class ProgramSpec:
    """The program options of a command: a preset (``sstar_dspy.presets``) plus explicit overrides.

    Unset options keep the preset's defaults (the paper's: sstar n=16, rounds=2, max_duels=10).
    """

    method: str = "sstar"
    variant: str | None = None
    prompt_form: str | None = None
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

    def _overrides(self) -> dict[str, Any]:
        from sstar_dspy import selection
        from sstar_dspy.budget import Budget

        if self.method.replace("-", "_") not in METHODS:
            raise UsageError(f"unknown --method {self.method!r}: choose one of {', '.join(METHODS)}")
        kwargs: dict[str, Any] = {
            "budget": Budget(max_lm_calls=self.max_problem_calls, max_tokens=self.token_cap()),
            "seed": self.seed,
            "num_threads": self.threads,
        }
        for name in ("n", "rounds", "temperature", "prompt_form"):
            if getattr(self, name) is not None:
                kwargs[name] = getattr(self, name)
        adaptive = self.selector == "adaptive" or (self.selector is None and self.method == "sstar")
        if self.max_duels is not None and not adaptive:
            raise UsageError(f"--max-duels only applies to the adaptive selector (method {self.method!r})")
        if self.selector is not None:
            options = {"max_duels": self.max_duels} if self.max_duels is not None else {}
            kwargs["selector"] = selection.build(self.selector, **options)
        elif self.max_duels is not None:
            kwargs["max_duels"] = self.max_duels
        return kwargs

    def build(self, lms: Any, sandbox: Any = None) -> Any:
        """The SStar program (preset + overrides, variant loaded, role LMs attached)."""
        from sstar_dspy import presets
        from sstar_dspy.program import RoleLMs

        roles = RoleLMs(**lms) if isinstance(lms, dict) else (lms or RoleLMs())
        program = presets.build(self.method, lms=roles, sandbox=sandbox, **self._overrides())
        if self.variant:
            from sstar_dspy.variants import apply_variant

            program = apply_variant(program, self.variant, prompt_form=self.prompt_form)
        return program

    def resolved(self) -> dict[str, Any]:
        """n, rounds and selector name as they will run."""
        program = self.build(lms=None)
        return {"n": program.n, "rounds": program.rounds, "selector": getattr(program.selector, "name", "?")}

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
        """Every setting that changes results (for the manifest and the resume check); validates everything."""
        from sstar_dspy.runs.manifest import file_sha256

        program = self.build(lms=None)  # refuses an incompatible variant before any model starts
        variant_hash = None
        if self.variant:
            from sstar_dspy.variants import PAPER, resolve_variant_path

            if self.variant != PAPER:
                variant_hash = file_sha256(resolve_variant_path(self.variant))
        settings = {k: v for k, v in program.settings().items() if k != "num_threads"}
        return {
            "method": self.method,
            "variant": self.variant,
            "variant_sha256": variant_hash,
            **settings,
            "max_problem_cost": self.max_problem_cost,
            **self.extra,
        }
