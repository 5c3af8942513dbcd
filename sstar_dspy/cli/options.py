"""Option groups shared by subcommands, injected by :func:`with_options` so each command lists only its own.

A command declares its own arguments and asks for groups; the wrapper adds the groups' options to the
signature Typer sees and hands the command one :class:`Options` object (``opts``) with helpers that build the
model settings, the program spec and the run budget. Every option keeps its ``SSTAR_*`` environment variable.

Example:
    >>> @with_options(MODEL)
    ... def hello(name: str, opts: Options) -> str:
    ...     return f"{name}: {opts.models().model_ids()['judge']}"
    >>> list(inspect.signature(hello).parameters)[:3]
    ['name', 'model', 'judge_model']
    >>> hello("x", model="openai/gpt-4o-mini", judge_model=None, api_base=None, api_key=None,
    ...       temperature=None, max_tokens=None)
    'x: openai/gpt-4o-mini'
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from sstar_dspy.cli import common as C  # noqa: N812
from sstar_dspy.cli import programs as P  # noqa: N812
from sstar_dspy.cli.problem_filter import DifficultyOpt, ExcludeIdsOpt, IdsOpt, selection_runtime
from sstar_dspy.runs.budget import RunBudget

RunDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--run-dir",
        "-o",
        envvar=C.env("run_dir"),
        help="Run directory (default: runs/<source>_<method>_<model>_<config hash>; the same command resumes it).",
    ),
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", "-j", envvar=C.env("concurrency"), min=1, help="Problems solved at once.")
]
MaxRunCallsOpt = Annotated[
    int | None, typer.Option("--max-run-calls", envvar=C.env("max_run_calls"), min=1, help="LM calls for the run.")
]
MaxRunTokensOpt = Annotated[
    int | None, typer.Option("--max-run-tokens", envvar=C.env("max_run_tokens"), min=1, help="Tokens for the run.")
]
MaxRunCostOpt = Annotated[
    float | None, typer.Option("--max-run-cost", envvar=C.env("max_run_cost"), help="Dollars for the whole run.")
]
ProblemTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--problem-timeout",
        envvar=C.env("problem_timeout"),
        min=1.0,
        help="Seconds per problem before it is recorded as an error and the run moves on (stragglers).",
    ),
]
RetryErrorsOpt = Annotated[
    bool,
    typer.Option(
        "--retry-errors/--no-retry-errors",
        envvar=C.env("retry_errors"),
        help="On resume, run again the problems whose record is an error (LM/server failure, crash, timeout); "
        "their failed records are kept in retried.jsonl. --no-retry-errors keeps them as they are.",
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", envvar=C.env("dry_run"), help="Estimate LM calls/tokens/cost and exit; spends nothing."),
]


def _group(*specs: tuple[str, Any, Any]) -> tuple[inspect.Parameter, ...]:
    return tuple(inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in specs)


MODEL = _group(
    ("model", C.ModelOpt, None),
    ("judge_model", C.JudgeModelOpt, None),
    ("api_base", C.ApiBaseOpt, None),
    ("api_key", C.ApiKeyOpt, None),
    ("temperature", C.TemperatureOpt, None),
    ("max_tokens", C.MaxTokensOpt, None),
)
PROGRAM = _group(
    ("method", P.MethodOpt, "sstar"),
    ("variant", P.VariantOpt, None),
    ("prompt_form", P.PromptFormOpt, None),
    ("n", P.NOpt, None),
    ("rounds", P.RoundsOpt, None),
    ("selector", P.SelectorOpt, None),
    ("max_duels", P.MaxDuelsOpt, None),
    ("seed", P.SeedOpt, 0),
    ("threads", P.ThreadsOpt, 4),
)
PROBLEM_BUDGET = _group(
    ("max_problem_calls", P.MaxProblemCallsOpt, None),
    ("max_problem_tokens", P.MaxProblemTokensOpt, None),
    ("max_problem_cost", P.MaxProblemCostOpt, None),
)
RUN = _group(
    ("data_dir", C.DataDirOpt, None),
    ("format", C.FormatOpt, None),
    ("limit", C.LimitOpt, None),
    ("difficulty", DifficultyOpt, None),
    ("ids", IdsOpt, None),
    ("exclude_ids", ExcludeIdsOpt, None),
    ("run_dir", RunDirOpt, None),
    ("concurrency", ConcurrencyOpt, 2),
    ("max_run_calls", MaxRunCallsOpt, None),
    ("max_run_tokens", MaxRunTokensOpt, None),
    ("max_run_cost", MaxRunCostOpt, None),
    ("problem_timeout", ProblemTimeoutOpt, None),
    ("retry_errors", RetryErrorsOpt, True),
    ("dry_run", DryRunOpt, False),
)


class Options:
    """The values of a command's option groups (attribute access) plus builders for what they configure."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def models(self) -> C.ModelSettings:
        """Model settings (LMs are built lazily, after every check)."""
        v = self.values
        return C.ModelSettings(
            v.get("model"),
            v.get("api_base"),
            v.get("api_key"),
            v.get("temperature"),
            v.get("max_tokens"),
            v.get("judge_model"),
        )

    def spec(self, **overrides: Any) -> P.ProgramSpec:
        """The program spec from the program and per-problem budget options (``overrides`` win)."""
        names = {p.name for p in PROGRAM + PROBLEM_BUDGET} | {"temperature"}
        fields = {k: v for k, v in self.values.items() if k in names}
        fields["price_model"] = self.models().model_ids()["generator"]
        fields.update(overrides)
        return P.ProgramSpec(**fields)

    def run_budget(self) -> RunBudget:
        """The per-run budget (validated: dollars must be positive)."""
        P.positive_dollars(self.get("max_run_cost"), "--max-run-cost")
        return RunBudget(
            max_calls=self.get("max_run_calls"),
            max_tokens=self.get("max_run_tokens"),
            max_cost_usd=self.get("max_run_cost"),
        )

    def runtime(self) -> dict[str, Any]:
        """Resource settings recorded in the manifest (may change between sessions)."""
        keys = ("concurrency", "limit", "threads", "problem_timeout", "retry_errors")
        return {
            **{k: self.values[k] for k in keys if k in self.values},
            **selection_runtime(self.values),
            "run_budget": self.run_budget().model_dump(),
        }


def with_options(
    *groups: tuple[inspect.Parameter, ...], exclude: tuple[str, ...] = (), defaults: dict[str, Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add option groups to a command; it receives them as ``opts: Options``.

    Args:
        *groups: ``MODEL``, ``PROGRAM``, ``PROBLEM_BUDGET``, ``RUN``.
        exclude: Options of those groups the command does not take.
        defaults: Other defaults for some of them (e.g. ``{"selector": "adaptive"}``).
    """
    defaults = defaults or {}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "opts"]
        extra = [p.replace(default=defaults.get(p.name, p.default)) for g in groups for p in g if p.name not in exclude]
        names = [p.name for p in extra]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names if name in kwargs}
            return func(*args, **kwargs, opts=Options(values))

        params = own + extra
        command.__signature__ = signature.replace(parameters=params, return_annotation=signature.return_annotation)
        command.__annotations__ = {p.name: p.annotation for p in params}
        del command.__wrapped__  # Typer must see the merged signature, not the original one
        return command

    return decorate
