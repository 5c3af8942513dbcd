"""SStar: the S* test-time-scaling method as one optimizable DSPy module.

Stage 1 samples ``n`` programs concurrently, each with its own ``rollout_id``, and debugs each
for up to ``rounds`` rounds on the public tests (:mod:`sstar_dspy.generation`). Stage 2 hands the
candidates to a selector (:mod:`sstar_dspy.selection`; S*'s adaptive selection by default).

The five predictors are plain attributes, so ``named_predictors()``, ``save()``/``load()`` and
every DSPy optimizer see them: ``generate``, ``debug``, ``generate_tests``, ``distinguish``,
``judge``. Role LMs are applied at call time, so compiled and loaded programs keep routing them.

Example:
    >>> from sstar_dspy.program import SStar
    >>> from sstar_dspy.selection import FirstSelector
    >>> program = SStar(n=4, rounds=1, selector=FirstSelector())
    >>> [name for name, _ in program.named_predictors()]
    ['generate', 'debug', 'generate_tests', 'distinguish', 'judge']

    With an LM configured (``dspy.configure(lm=...)`` or ``lms=RoleLMs(generator=lm)``)::

        pred = program(problem=problem)
        pred.program, pred.trace.summary()
"""

from __future__ import annotations

import copy
import logging
import time
import warnings
from typing import Any

import dspy

from sstar_dspy.adapters.forms import LEGACY_FORM, PromptForm, PromptFormName, code_predictors, parse_form
from sstar_dspy.budget import Budget, UsageLedger
from sstar_dspy.candidate import Candidate, DebugRound
from sstar_dspy.errors import SStarError
from sstar_dspy.format_demos import debug_demos, generate_demos
from sstar_dspy.generation import ContextMode, run_sample
from sstar_dspy.problem import Problem
from sstar_dspy.selection import AdaptiveSelector, Selector, selection_calls
from sstar_dspy.signatures import DistinguishPrograms, GenerateTestInputs, JudgePair
from sstar_dspy.solve_context import RoleLMs, SolveContext
from sstar_dspy.trace import SelectionTrace, SolveTrace

__all__ = ["RoleLMs", "SStar"]

logger = logging.getLogger(__name__)

_ROLLOUT_STRIDE = 10_000  # rollout_id = seed * stride + sample index: seeds never share rollouts


class SStar(dspy.Module):
    """S*: parallel sampling + sequential debugging, then adaptive selection.

    Args:
        n: Number of parallel samples.
        rounds: Maximum debugging rounds per sample after the first generation (the paper: 2).
        context: ``"full"`` (the debugger sees every earlier round) or ``"last"`` (latest only).
        selector: Stage 2 (default :class:`~sstar_dspy.selection.AdaptiveSelector`).
        budget: Per-problem LM caps (default: unlimited).
        lms: LM per role (default: DSPy's configured LM for every role).
        sandbox: The :class:`~sstar_dspy.sandbox.Sandbox` (default: the shared default sandbox).
        seed: Offsets every rollout_id, so one seed replays its samples from the cache and another
            seed draws new ones.
        temperature: Sampling temperature of generate/debug calls (None: the LM's own).
        num_threads: Concurrent samples / duels.
        format_demos: Attach the hand-written I/O-contract demos of :mod:`sstar_dspy.format_demos`
            to ``generate`` and ``debug`` (one stdin and one functional example; small models need
            them to write stdin programs). ``False`` leaves the predictors zero-shot.
        prompt_form: How ``generate`` and ``debug`` ask for code (:mod:`sstar_dspy.adapters.forms`):
            ``"chat"`` (DSPy's ChatAdapter), ``"code"`` (LiveCodeBench's plain prompt through
            :class:`~sstar_dspy.adapters.code.CodeAdapter`) or ``"code-reasoning"`` (the same, reasoning
            before the code). None = :data:`~sstar_dspy.adapters.forms.DEFAULT_FORM` (``chat``).

    Example:
        >>> SStar(n=2, rounds=0).settings()["n"]
        2
        >>> SStar(prompt_form="code").settings()["prompt_form"]
        'code'
    """

    def __init__(
        self,
        n: int = 16,
        rounds: int = 2,
        context: ContextMode = "full",
        selector: Selector | None = None,
        budget: Budget | None = None,
        lms: RoleLMs | None = None,
        sandbox: Any = None,
        seed: int = 0,
        temperature: float | None = 0.7,
        num_threads: int = 8,
        format_demos: bool = True,
        prompt_form: PromptForm | PromptFormName | None = None,
    ):
        super().__init__()
        if n < 1 or rounds < 0 or num_threads < 1:
            raise SStarError(
                f"SStar: need n >= 1, rounds >= 0, num_threads >= 1 (got n={n}, rounds={rounds}, "
                f"num_threads={num_threads})"
            )
        if context not in ("full", "last"):
            raise SStarError(f"SStar: context must be 'full' or 'last', not {context!r}")
        self.format_demos = format_demos
        self.set_prompt_form(prompt_form)
        self.generate_tests = dspy.Predict(GenerateTestInputs)
        self.distinguish = dspy.Predict(DistinguishPrograms)
        self.judge = dspy.Predict(JudgePair)
        self.n, self.rounds, self.context, self.seed = n, rounds, context, seed
        self.temperature, self.num_threads = temperature, num_threads
        self.selector = selector if selector is not None else AdaptiveSelector()
        self.budget = budget or Budget()
        self.lms = lms or RoleLMs()
        self._sandbox = sandbox

    def __deepcopy__(self, memo: dict) -> SStar:
        """Copy the parameters (predictors, settings); share the resources: role LMs and the sandbox.

        Optimizers deep-copy the program (``reset_copy``, ``deepcopy``); the copies must route to the same
        LMs and run programs in the same sandbox, not in copies of them."""
        for resource in (self.lms, self._sandbox):
            memo[id(resource)] = resource
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return new

    @classmethod
    def from_variant(cls, variant: str, **kwargs: Any) -> SStar:
        """Deprecated: use ``sstar_dspy.load_variant(variant, **kwargs)`` (variants depend on the program, not
        the other way round; this shim is the only import of ``variants`` here and goes with it)."""
        warnings.warn("SStar.from_variant is deprecated; use sstar_dspy.load_variant", DeprecationWarning, stacklevel=2)
        from sstar_dspy.variants import load_variant

        return load_variant(variant, **kwargs)

    def set_prompt_form(self, prompt_form: PromptForm | PromptFormName | None) -> None:
        """Rebuild ``generate`` and ``debug`` in another prompt form (their prompts and demos become that form's
        defaults; predictor LMs are kept). Variants call it to restore the form they were saved with."""
        form = parse_form(prompt_form)
        old = {name: getattr(self, name, None) for name in ("generate", "debug")}
        self.prompt_form = form
        self.generate, self.debug = code_predictors(form)
        for name, predictor in (("generate", self.generate), ("debug", self.debug)):
            predictor.lm = getattr(old[name], "lm", None)
        if self.format_demos:
            self.generate.demos = generate_demos(form)
            self.debug.demos = debug_demos(form)

    # -- public API ---------------------------------------------------------------------------------
    def forward(self, problem: Problem) -> dspy.Prediction:
        """Solve ``problem``: returns ``Prediction(program, candidates, trace)``."""
        problem = _as_problem(problem)
        ctx = self._context(problem)
        started = time.perf_counter()
        candidates = self._generate(ctx)
        generation_s = time.perf_counter() - started
        pred = self._select(ctx, candidates)
        pred.trace.wall_s = {"generation": generation_s, **pred.trace.wall_s, "total": time.perf_counter() - started}
        return pred

    def generate_candidates(self, problem: Problem) -> tuple[list[Candidate], SolveTrace]:
        """Stage 1 only (``sstar generate``): the candidates and a trace without selection."""
        problem = _as_problem(problem)
        ctx = self._context(problem)
        started = time.perf_counter()
        candidates = self._generate(ctx)
        trace = self._trace(ctx, candidates, None)
        trace.wall_s = {"generation": time.perf_counter() - started}
        return candidates, trace

    def select(self, problem: Problem, candidates: list[Candidate]) -> dspy.Prediction:
        """Stage 2 only (``sstar select``), also for candidates produced elsewhere.

        Candidates without rounds are run on the public tests first, so the public filter works.
        """
        problem = _as_problem(problem)
        ctx = self._context(problem)
        missing = [i for i, c in enumerate(candidates) if not c.rounds]
        results = ctx.run_many([(candidates[i].program, problem.public_tests) for i in missing])
        ready = list(candidates)
        for i, res in zip(missing, results, strict=True):
            first = DebugRound(round=0, program=candidates[i].program, public_results=res)
            ready[i] = candidates[i].model_copy(update={"rounds": [first]})
        return self._select(ctx, ready)

    def settings(self) -> dict[str, Any]:
        """The program's configuration as plain JSON (for run manifests and traces)."""
        selector = {k: v for k, v in vars(self.selector).items() if isinstance(v, (int, float, str, bool, type(None)))}
        return {
            "n": self.n,
            "rounds": self.rounds,
            "context": self.context,
            "seed": self.seed,
            "temperature": self.temperature,
            "num_threads": self.num_threads,
            "selector": {"class": type(self.selector).__name__, **selector},
            "budget": self.budget.model_dump(),
            # omitted for chat, the form of every earlier run, so run directories made before forms existed resume
            **({"prompt_form": self.prompt_form.value} if self.prompt_form is not LEGACY_FORM else {}),
        }

    def estimate_calls(self) -> dict[str, int]:
        """Upper bound of LM calls per problem, per role (before budgets); each selector states its own."""
        return {"generator": self.n, "debugger": self.n * self.rounds, **selection_calls(self.selector, self.n)}

    # -- stages ---------------------------------------------------------------------------------------
    def _context(self, problem: Problem) -> SolveContext:
        if (self.lms.for_role("generator") or self.generate.lm or dspy.settings.lm) is None:
            raise SStarError(
                "SStar: no LM configured; pass lms=RoleLMs(generator=lm) or call dspy.configure(lm=lm) "
                "(sstar_dspy.lm.resolve_lm() gives the embedded model)"
            )
        sandbox = self._sandbox
        if sandbox is None:
            from sstar_dspy.sandbox import default_sandbox

            sandbox = default_sandbox()
        predictors = {
            name: getattr(self, name) for name in ("generate", "debug", "generate_tests", "distinguish", "judge")
        }
        return SolveContext(
            problem=problem,
            predictors=predictors,
            lms=self.lms,
            ledger=UsageLedger(self.budget),
            sandbox=sandbox,
            num_threads=self.num_threads,
            sample_temperature=self.temperature,
        )

    def _generate(self, ctx: SolveContext) -> list[Candidate]:
        base = self.seed * _ROLLOUT_STRIDE
        return ctx.map(lambda i: run_sample(ctx, i, base + i, self.rounds, self.context), list(range(self.n)))

    def _select(self, ctx: SolveContext, candidates: list[Candidate]) -> dspy.Prediction:
        started = time.perf_counter()
        try:
            selection = self.selector.select(ctx, candidates)
        except Exception as err:  # a selector bug must not lose the candidates
            logger.exception("selector %s crashed on %s", type(self.selector).__name__, ctx.problem.id)
            ctx.note_error(f"selector crashed: {type(err).__name__}: {err}")
            selection = SelectionTrace(selector=getattr(self.selector, "name", "?"), reason="selector crashed")
        if selection.chosen is None and any(c.program.strip() for c in candidates):
            selection.chosen = next(c.index for c in candidates if c.program.strip())
            selection.reason += "; fallback: first candidate with a program"
        trace = self._trace(ctx, candidates, selection)
        trace.wall_s = {"selection": time.perf_counter() - started}
        chosen = next((c.program for c in candidates if c.index == selection.chosen), "")
        return dspy.Prediction(program=chosen, candidates=candidates, trace=trace)

    def _trace(self, ctx: SolveContext, candidates: list[Candidate], selection: SelectionTrace | None) -> SolveTrace:
        return SolveTrace(
            problem_id=ctx.problem.id,
            config=self.settings(),
            candidates=candidates,
            selection=selection,
            chosen=selection.chosen if selection else None,
            usage=ctx.ledger.snapshot(),
            budget_stop=ctx.ledger.stop_reason,
            errors=list(ctx.errors),
        )


def _as_problem(problem: Any) -> Problem:
    if isinstance(problem, Problem):
        return problem
    if isinstance(problem, dict):
        return Problem.model_validate(problem)
    hint = (
        "wrap a plain statement with sstar_dspy.problems.problem_from_text(text)"
        if isinstance(problem, str)
        else "load problems with sstar_dspy.load_problems or Problem.model_validate_json"
    )
    raise SStarError(f"SStar: 'problem' must be a sstar_dspy.Problem (got {type(problem).__name__}); {hint}")
