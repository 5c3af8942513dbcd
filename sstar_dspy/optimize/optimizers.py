"""Compile :class:`~sstar_dspy.program.SStar` with BootstrapFewShot, MIPROv2 or GEPA.

What this adds to calling a DSPy optimizer directly:

* **Choosing what is tuned.** Predictors that are not tuned are *frozen*: hidden from
  ``named_parameters()`` for the duration of the compile (wrapped in :class:`FrozenModule`), so the
  optimizer neither spends budget on them nor resets them, then put back unchanged.
* **Demos from the right calls.** BootstrapFewShot and MIPROv2 get a
  :class:`~sstar_dspy.optimize.demo_filter.DemoFilteringMetric`: a traced call becomes demo material only if its
  own output is confirmed by the hidden tests (a predictor runs N times per problem).
* **GEPA** gets the execution metric unchanged (5 arguments, ``dspy.Prediction(score, feedback)``).
* **A log.** DSPy's, GEPA's and Optuna's log lines (and BootstrapFewShot's prints) go to
  ``<log_dir>/optimizer.log``; every metric call is appended to ``<log_dir>/progress.jsonl``.

Example (Python API; ``sstar optimize`` wraps the same steps):
    >>> split_problems(list("abcdefgh"), train=0.5, val=2, seed=0)
    (['e', 'b', 'f', 'c'], ['a', 'd'])
    >>> compiled = compile_program(SStar(n=2, rounds=1), to_examples(train), OptimizeSettings(tune=["generate"]),
    ...                            metric=execution_metric, task_lm=lm)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeVar

import dspy
from pydantic import BaseModel, Field

from sstar_dspy.errors import SStarError
from sstar_dspy.optimize.demo_filter import DemoFilteringMetric, Grader, hidden_test_grader

logger = logging.getLogger(__name__)

T = TypeVar("T")

PREDICTOR_GROUPS: dict[str, tuple[str, ...]] = {
    "generation": ("generate", "debug"),
    "selection": ("generate_tests", "distinguish", "judge"),
}
"""Named groups accepted by ``--tune`` besides predictor names and ``all``."""


class OptimizeError(SStarError):
    """An optimization setting is invalid or the optimizer cannot run."""


class OptimizerName(str, Enum):
    """Which DSPy optimizer compiles the program."""

    BOOTSTRAP = "bootstrap"
    MIPRO = "mipro"
    GEPA = "gepa"


class OptimizeSettings(BaseModel):
    """Optimizer choice and budget knobs (passed through to DSPy).

    Example:
        >>> OptimizeSettings(optimizer="gepa", tune=["selection"], max_metric_calls=200).optimizer.value
        'gepa'

    Attributes:
        optimizer: bootstrap (demos), mipro (instructions and demos), gepa (instructions).
        tune: Predictor names, group names (``generation``, ``selection``) or ``all``.
        max_bootstrapped_demos: Demos per tuned predictor (bootstrap, mipro).
        max_rounds: BootstrapFewShot attempts per train problem.
        auto: MIPROv2/GEPA ``auto`` budget; for GEPA only used without ``max_metric_calls``.
        num_trials: MIPROv2 trials (needs ``auto=None``).
        max_metric_calls: GEPA budget in metric calls (full S* runs).
        num_threads: Parallel metric calls inside the optimizer.
        seed: Seed of the split and of the optimizer.
    """

    optimizer: OptimizerName = OptimizerName.BOOTSTRAP
    tune: list[str] = Field(default_factory=lambda: ["all"])
    max_bootstrapped_demos: int = Field(default=1, ge=0)
    max_rounds: int = Field(default=1, ge=1)
    auto: Literal["light", "medium", "heavy"] | None = None
    num_trials: int | None = Field(default=None, ge=1)
    max_metric_calls: int | None = Field(default=None, ge=1)
    num_threads: int = Field(default=1, ge=1)
    seed: int = 0


def resolve_tuned(tune: Sequence[str], available: Sequence[str]) -> list[str]:
    """Expand ``tune`` (names, groups, ``all``) into predictor names, in program order.

    Raises:
        OptimizeError: An unknown name, or nothing left to tune.

    Example:
        >>> resolve_tuned(["selection"], ["generate", "debug", "generate_tests", "distinguish", "judge"])
        ['generate_tests', 'distinguish', 'judge']
    """
    wanted: set[str] = set()
    for item in tune:
        for name in (part.strip() for part in item.split(",")):
            if not name:
                continue
            if name == "all":
                wanted.update(available)
            elif name in PREDICTOR_GROUPS:
                wanted.update(n for n in PREDICTOR_GROUPS[name] if n in available)
            elif name in available:
                wanted.add(name)
            else:
                choices = ", ".join([*available, *PREDICTOR_GROUPS, "all"])
                raise OptimizeError(f"--tune: unknown predictor or group '{name}'; choose from {choices}")
    if not wanted:
        raise OptimizeError("--tune selects no predictor; name at least one (e.g. --tune generate)")
    return [n for n in available if n in wanted]


def split_problems(
    items: Sequence[T], *, train: float | int, val: float | int, seed: int = 0
) -> tuple[list[T], list[T]]:
    """Shuffle with ``seed`` and cut a train and a disjoint validation split (counts, or fractions of the total).

    Raises:
        OptimizeError: When the splits are empty or do not fit.
    """
    total = len(items)

    def count(value: float | int, what: str) -> int:
        n = round(value * total) if isinstance(value, float) and value <= 1.0 else int(value)
        if n < 1:
            raise OptimizeError(f"--{what} gives an empty {what} split of {total} problems; use a larger value")
        return n

    n_train, n_val = count(train, "train"), count(val, "val")
    if n_train + n_val > total:
        raise OptimizeError(
            f"--train {n_train} + --val {n_val} exceed the {total} problems of the suite; lower them or use --limit"
        )
    order = list(items)
    random.Random(seed).shuffle(order)
    return order[:n_train], order[n_train : n_train + n_val]


class FrozenModule:
    """Holds a predictor (or sub-module) that an optimizer must not see: calls and attributes pass through.

    ``dspy.Module.named_parameters()`` only walks Parameters, Modules, lists and dicts, so a predictor
    held here is invisible to optimizers (no demos, no instructions, no ``reset()``) but still runs.

    Example:
        >>> import dspy
        >>> class QA(dspy.Module):
        ...     def __init__(self):
        ...         self.draft, self.answer = dspy.Predict("q -> a"), dspy.Predict("q, a -> answer")
        >>> [name for name, _ in freeze(QA(), ["answer"]).named_predictors()]
        ['answer']
    """

    __slots__ = ("module",)

    def __init__(self, module: Any):
        self.module = module

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name == "module" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.module, name)


def top_level_predictors(program: dspy.Module) -> list[str]:
    """Attribute names holding the program's predictors, in order (``generate`` for ``generate.predict``)."""
    names: list[str] = []
    for path, _ in program.named_predictors():
        top = path.split(".")[0].split("[")[0]
        if top not in names:
            names.append(top)
    return names


def freeze(program: dspy.Module, tuned: Sequence[str]) -> dspy.Module:
    """A deep copy of ``program`` whose top-level predictors not in ``tuned`` are wrapped in :class:`FrozenModule`."""
    copy = program.deepcopy()
    for name in top_level_predictors(program):
        if name not in tuned:
            setattr(copy, name, FrozenModule(getattr(copy, name)))
    return copy


def unfreeze(program: dspy.Module) -> dspy.Module:
    """Put frozen predictors back as plain attributes (in place); returns ``program``."""
    for name, value in list(vars(program).items()):
        if isinstance(value, FrozenModule):
            setattr(program, name, value.module)
    return program


class ProgressLog:
    """Append one JSON line per metric call to ``progress.jsonl`` and tell an optional callback.

    Example:
        >>> log = ProgressLog(None, on_event=lambda e: print(e["call"], e["score"]))
        >>> log.record(None, 1.0)
        1 1.0
    """

    def __init__(self, path: Path | None, on_event: Callable[[dict[str, Any]], None] | None = None):
        self.path, self.on_event = path, on_event
        self.calls = 0
        self.start = time.perf_counter()
        self._lock = threading.Lock()

    def record(self, example: Any, score: float) -> None:
        with self._lock:
            self.calls += 1
            event = {
                "call": self.calls,
                "problem_id": getattr(getattr(example, "problem", None), "id", None),
                "score": score,
                "elapsed_s": round(time.perf_counter() - self.start, 2),
            }
            if self.path is not None:
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(event) + "\n")
        if self.on_event is not None:
            self.on_event(event)


def _score(result: Any) -> float:
    return float(getattr(result, "score", result))


def _progress_metric(metric: Callable[..., Any], progress: ProgressLog) -> Callable[..., Any]:
    """Wrap a 5-argument metric so each call is logged; returns the metric's own result."""

    def metric_with_progress(gold: Any, pred: Any, trace: Any = None, pred_name: Any = None, pred_trace: Any = None):
        result = metric(gold, pred, trace, pred_name, pred_trace)
        if pred_name is None:  # GEPA re-calls the metric per predictor for feedback; count scoring calls only
            progress.record(gold, _score(result))
        return result

    return metric_with_progress


@contextlib.contextmanager
def optimizer_log(log_dir: Path | None) -> Iterator[None]:
    """Send DSPy/GEPA/Optuna/sstar_dspy logging and stdout prints to ``<log_dir>/optimizer.log``."""
    if log_dir is None:
        yield
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_dir / "optimizer.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in ("dspy", "gepa", "optuna", "sstar_dspy")]
    saved_levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        if lg.getEffectiveLevel() > logging.INFO:
            lg.setLevel(logging.INFO)
    stream = open(log_dir / "optimizer.log", "a", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        with contextlib.redirect_stdout(stream):
            yield
    finally:
        stream.close()
        for lg, level in zip(loggers, saved_levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()


def build_optimizer(
    settings: OptimizeSettings,
    metric: Callable[..., Any],
    *,
    reflection_lm: dspy.LM | None = None,
    prompt_lm: dspy.LM | None = None,
    task_lm: dspy.LM | None = None,
    grader: Grader = hidden_test_grader,
    log_dir: Path | None = None,
    progress: ProgressLog | None = None,
) -> tuple[Any, DemoFilteringMetric | None]:
    """The configured DSPy optimizer and, for demo optimizers, the demo-filtering metric it uses."""
    progress = progress or ProgressLog(None)
    logged = _progress_metric(metric, progress)
    if settings.optimizer is OptimizerName.GEPA:
        if reflection_lm is None:
            raise OptimizeError("GEPA needs a reflection LM: pass --reflection-model (or --model for both)")
        if (settings.max_metric_calls is None) == (settings.auto is None):
            raise OptimizeError("GEPA needs exactly one budget: --max-metric-calls N or --auto light|medium|heavy")
        budget = (
            {"max_metric_calls": settings.max_metric_calls} if settings.max_metric_calls else {"auto": settings.auto}
        )
        optimizer = dspy.GEPA(
            metric=logged,
            reflection_lm=reflection_lm,
            num_threads=settings.num_threads,
            seed=settings.seed,
            log_dir=str(log_dir / "gepa") if log_dir else None,
            track_stats=True,
            **budget,
        )
        return optimizer, None
    demo_metric = DemoFilteringMetric(logged, threshold=1.0, grader=grader)
    if settings.optimizer is OptimizerName.BOOTSTRAP:
        optimizer = dspy.BootstrapFewShot(
            metric=demo_metric,
            metric_threshold=1.0,
            max_bootstrapped_demos=settings.max_bootstrapped_demos,
            max_labeled_demos=0,  # raw problems are not demos of any S* step
            max_rounds=settings.max_rounds,
        )
        return optimizer, demo_metric
    try:
        import optuna  # noqa: F401
    except ImportError:
        raise OptimizeError(
            "MIPROv2 needs optuna: pip install 'sstar-dspy[optimize]' (or pip install optuna)"
        ) from None
    if settings.num_trials is not None and settings.auto is not None:
        raise OptimizeError("MIPROv2: give either --auto or --num-trials, not both")
    if (task_lm or dspy.settings.lm) is None:
        raise OptimizeError("MIPROv2 needs a task LM: pass --model (or dspy.configure(lm=...))")
    optimizer = dspy.MIPROv2(
        metric=demo_metric,
        metric_threshold=1.0,
        prompt_model=prompt_lm or task_lm or dspy.settings.lm,
        task_model=task_lm or dspy.settings.lm,
        auto=settings.auto if settings.num_trials is None else None,
        num_candidates=None if settings.num_trials is None else max(2, settings.num_trials // 2),
        max_bootstrapped_demos=settings.max_bootstrapped_demos,
        max_labeled_demos=0,
        num_threads=settings.num_threads,
        seed=settings.seed,
        log_dir=str(log_dir / "mipro") if log_dir else None,
    )
    return optimizer, demo_metric


def compile_program(
    student: dspy.Module,
    trainset: list[dspy.Example],
    settings: OptimizeSettings,
    *,
    metric: Callable[..., Any],
    valset: list[dspy.Example] | None = None,
    task_lm: dspy.LM | None = None,
    reflection_lm: dspy.LM | None = None,
    prompt_lm: dspy.LM | None = None,
    grader: Grader = hidden_test_grader,
    log_dir: Path | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dspy.Module:
    """Compile ``student`` on ``trainset``, tuning only ``settings.tune``; returns the compiled copy.

    ``task_lm`` becomes ``dspy.settings.lm`` during the compile (BootstrapFewShot's extra rounds and
    MIPROv2's task model read it); role LMs that the program passes at call time are unaffected.
    ``student`` itself is not modified.
    """
    tuned = resolve_tuned(settings.tune, top_level_predictors(student))
    if not trainset:
        raise OptimizeError("the train split is empty; use a larger --train")
    progress = ProgressLog(log_dir / "progress.jsonl" if log_dir else None, on_progress)
    optimizer, demo_metric = build_optimizer(
        settings,
        metric,
        reflection_lm=reflection_lm,
        prompt_lm=prompt_lm or task_lm,
        task_lm=task_lm,
        grader=grader,
        log_dir=log_dir,
        progress=progress,
    )
    hidden = freeze(student, tuned)
    kwargs: dict[str, Any] = {"trainset": trainset}
    if settings.optimizer is not OptimizerName.BOOTSTRAP and valset:
        kwargs["valset"] = valset
    if settings.optimizer is OptimizerName.MIPRO:
        kwargs.update(
            num_trials=settings.num_trials, requires_permission_to_run=False, minibatch=len(valset or []) > 35
        )
    logger.info("compiling with %s; tuned: %s; %d train problems", settings.optimizer.value, tuned, len(trainset))
    context = dspy.context(lm=task_lm) if task_lm is not None else contextlib.nullcontext()
    with optimizer_log(log_dir), context:
        compiled = optimizer.compile(hidden, **kwargs)
    unfreeze(compiled)
    compiled._compiled = False  # a variant is data: let it be optimized again
    if demo_metric is not None:
        logger.info("demo evidence (traced calls per role): %s", demo_metric.summary())
        if log_dir is not None:
            (log_dir / "demo_evidence.json").write_text(json.dumps(demo_metric.summary(), indent=2) + "\n")
    return compiled
