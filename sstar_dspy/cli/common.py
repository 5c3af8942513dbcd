"""Shared pieces of the ``sstar`` subcommands: option types, model building, problem loading, error handling.

Every option is also settable through an ``SSTAR_*`` environment variable (shown in ``--help``).
User errors become one line on stderr and exit code 2 (see :func:`run_cli` in ``main.py``).

Example:
    >>> build_lm_from_spec("openai/gpt-4o-mini", temperature=0.0).model
    'openai/gpt-4o-mini'
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sstar_dspy.errors import ModelUnavailableError, SStarError
from sstar_dspy.runs.redact import register_secret

logger = logging.getLogger(__name__)

_WIDTH = None if sys.stdout.isatty() else 160  # tables stay readable when piped or captured
console = Console(stderr=False, highlight=False, markup=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


class UsageError(SStarError):
    """A bad option value or combination."""


def env(name: str) -> str:
    """The environment variable of an option: ``SSTAR_<NAME>``."""
    return f"SSTAR_{name.upper().replace('-', '_')}"


# ---- model options -------------------------------------------------------------------------------------------
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        envvar=env("model"),
        help="Model for every role: 'embedded' (default, local 1.5B), 'embedded-fast', a .gguf path, any "
        "DSPy/litellm id such as 'openai/gpt-4o-mini', 'scripted:FILE.json' (offline scripted replies) "
        "or 'py:pkg.module:factory' (a function returning a dspy.LM).",
    ),
]
ApiBaseOpt = Annotated[
    str | None, typer.Option("--api-base", envvar=env("api_base"), help="OpenAI-compatible server URL (vLLM, Ollama).")
]
ApiKeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar=env("api_key"), help="API key (never written to records, manifests or logs)."),
]
TemperatureOpt = Annotated[
    float | None,
    typer.Option("--temperature", envvar=env("temperature"), min=0.0, max=2.0, help="Sampling temperature."),
]
MaxTokensOpt = Annotated[
    int | None, typer.Option("--max-tokens", envvar=env("max_tokens"), min=1, help="Max completion tokens per call.")
]
JudgeModelOpt = Annotated[
    str | None,
    typer.Option(
        "--judge-model", envvar=env("judge_model"), help="Model for test generation and judging (default: --model)."
    ),
]

# ---- problem options -----------------------------------------------------------------------------------------


def _check_data_dir(value: Path | None) -> Path | None:
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} is a file, not a directory; pass the directory that holds the suite files")
    return value


def _check_format(value: str | None) -> str | None:
    from sstar_dspy.problems import FORMATS

    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"unknown format {value!r}; known formats: {', '.join(sorted(FORMATS))}")
    return value


DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar=env("data_dir"),
        callback=_check_data_dir,
        help="Where suite data files live (default: $SSTAR_DATA_DIR).",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        envvar=env("format"),
        callback=_check_format,
        help="Problem file format (sstar, lcb, lcb-public, codecontests, codecontests-flat, leetcode-deepseek, "
        "humaneval); detected from the first record when not given.",
    ),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", envvar=env("limit"), min=1, help="Only the first N problems of the suite.")
]


def build_lm_from_spec(spec: str | None, **kwargs: Any):
    """A ``dspy.LM`` from a model spec: ``scripted:FILE``, ``py:module:factory`` or anything ``resolve_lm`` takes.

    Raises:
        ModelUnavailableError: The factory cannot be imported or does not return an LM; the model is unknown.
    """
    if spec and spec.startswith("scripted:"):
        from sstar_dspy.testing import scripted_lm_from_file

        allowed = {k: v for k, v in kwargs.items() if k in ("temperature", "max_tokens") and v is not None}
        return scripted_lm_from_file(spec[len("scripted:") :], cache=False, **allowed)
    if spec and spec.startswith("py:"):
        target = spec[3:]
        module_name, _, attr = target.rpartition(":")
        if not module_name or not attr:
            raise ModelUnavailableError(f"--model {spec!r}: expected 'py:package.module:function'")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ModelUnavailableError(f"--model {spec!r}: cannot import {target} ({exc})") from None
        lm = factory(**{k: v for k, v in kwargs.items() if v is not None})
        import dspy

        if not isinstance(lm, dspy.BaseLM):
            raise ModelUnavailableError(f"--model {spec!r}: {target}() returned {type(lm).__name__}, not a dspy.LM")
        return lm
    from sstar_dspy.lm import resolve_lm

    return resolve_lm(spec, **kwargs)


class ModelSettings:
    """The model options of a command, resolved lazily (so --dry-run and errors never start a model)."""

    def __init__(
        self,
        model: str | None,
        api_base: str | None = None,
        api_key: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        judge_model: str | None = None,
    ):
        register_secret(api_key)
        self.model, self.judge_model = model, judge_model
        self.kwargs = {"api_base": api_base, "api_key": api_key, "temperature": temperature, "max_tokens": max_tokens}

    def model_ids(self) -> dict[str, str]:
        """Model id per role, for the manifest (never a key)."""
        from sstar_dspy.lm import default_model_name

        main = self.model or default_model_name()
        judge = self.judge_model or main
        return {"generator": main, "debugger": main, "test_generator": judge, "judge": judge}

    def settings(self) -> dict[str, Any]:
        """Sampling settings that change results (temperature, max_tokens); api_base and key excluded."""
        return {"lm_temperature": self.kwargs["temperature"], "max_tokens": self.kwargs["max_tokens"]}

    def build(self, *, check: bool = True) -> dict[str, Any]:
        """Role -> dspy.LM (the main model is built once and shared).

        With ``check`` each model first answers one tiny request (:func:`sstar_dspy.lm.preflight.preflight`), so a
        wrong name, an unreachable server or a bad key is one error line before anything runs.
        """
        main = build_lm_from_spec(self.model, **self.kwargs)
        judge = build_lm_from_spec(self.judge_model, **self.kwargs) if self.judge_model else main
        if check:
            from sstar_dspy.lm.preflight import preflight

            preflight(main, self.model)
            if judge is not main:
                preflight(judge, self.judge_model)
        return {"generator": main, "debugger": main, "test_generator": judge, "judge": judge}


def nothing_loaded(source: str, problems: Any) -> str:
    """Why a source gave no problems: every one excluded (reasons counted), or an empty source.

    Example:
        >>> from sstar_dspy.problems import ProblemSet
        >>> from sstar_dspy.problems.problemset import Excluded
        >>> nothing_loaded("x.jsonl", ProblemSet("x.jsonl", excluded=[Excluded("a", "no hidden tests")] * 2))
        'all 2 problems of x.jsonl were excluded: no hidden tests (2); nothing to run'
    """
    excluded = list(getattr(problems, "excluded", []) or [])
    if not excluded:
        return f"{source} holds no problems; check the file or suite"
    reasons = Counter(e.reason for e in excluded)
    shown = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(3))
    more = f"; +{len(reasons) - 3} other reasons" if len(reasons) > 3 else ""
    return f"all {len(excluded)} problems of {source} were excluded: {shown}{more}; nothing to run"


def load_problem_set(source: str, *, data_dir: Path | None = None, limit: int | None = None, fmt: str | None = None):
    """Load problems by suite name, path or ``example:NAME`` (errors are one line, also when nothing loads)."""
    from sstar_dspy.problems import load_problems

    problems = load_problems(source, data_dir=data_dir, limit=limit, format=fmt)
    if len(problems) == 0:
        raise UsageError(nothing_loaded(source, problems))
    return problems


def full_problem_set(source: str, *, data_dir: Path | None = None, fmt: str | None = None):
    """All problems of a source (for the manifest's data hash, independent of --limit); never empty."""
    return load_problem_set(source, data_dir=data_dir, fmt=fmt)


def print_error(message: str) -> None:
    """Print one error line to stderr."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
