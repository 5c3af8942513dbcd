"""Per-call evidence for demo bootstrapping: failed samples never become demos.

DSPy's ``BootstrapFewShot`` (also used inside MIPROv2) turns the trace of an example whose metric
passed into demos: for a predictor called N times it keeps **one randomly chosen call**. In S* the
generator runs N times per problem and most samples are wrong even when the selected program is
right, so without care a failed sample becomes a "good" demo. :class:`DemoFilteringMetric` wraps
the execution metric and, when an example passes, removes from the trace (in place, which is what
``BootstrapFewShot`` then reads) every call whose own output is contradicted by the hidden tests:

* a call that outputs ``code`` (generate, debug) is kept only if that code passes the hidden tests;
* a duel call with inputs ``program_a``/``program_b`` and a ``verdict`` output (judge) is kept only if
  the verdict names the program the hidden tests say is right (``tie`` when both or neither pass);
* a duel call without a verdict (distinguish) is kept only if exactly one of A and B is right (the
  duel was worth separating);
* any other call (generate_tests: one per problem) is kept, since the whole example passed.

Example:
    >>> from sstar_dspy.optimize.demo_filter import expected_verdict
    >>> expected_verdict(True, False), expected_verdict(False, False)
    ('A', 'tie')
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from sstar_dspy.problem import Problem
from sstar_dspy.signatures import extract_code

logger = logging.getLogger(__name__)

CODE_FIELD = "code"
PAIR_FIELDS = ("program_a", "program_b")
VERDICT_FIELD = "verdict"

Grader = Callable[[Problem, str], bool]
"""``grader(problem, code) -> True`` when ``code`` passes the problem's hidden tests."""


def hidden_test_grader(problem: Problem, code: str) -> bool:
    """Default grader: the execution metric's own hidden-test verdict (``sstar_dspy.metric.grade_program``)."""
    from sstar_dspy.metric import grade_program

    return grade_program(problem, code)[0]


def expected_verdict(a_passes: bool, b_passes: bool) -> str:
    """The verdict the hidden tests support for a duel between A and B."""
    if a_passes == b_passes:
        return "tie"
    return "A" if a_passes else "B"


def call_role(inputs: dict[str, Any], outputs: Any) -> str:
    """Classify a traced call by its signature's fields: ``code``, ``judge``, ``distinguish`` or ``other``."""
    output_keys = set(outputs.keys()) if hasattr(outputs, "keys") else set()
    if CODE_FIELD in output_keys:
        return "code"
    if all(f in inputs for f in PAIR_FIELDS):
        return "judge" if VERDICT_FIELD in output_keys else "distinguish"
    return "other"


class CallGrader:
    """Memoised, thread-safe hidden-test verdicts of code strings for one problem at a time."""

    def __init__(self, grader: Grader = hidden_test_grader):
        self._grader = grader
        self._cache: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()

    def passes(self, problem: Problem, code: str) -> bool:
        program = extract_code(code)
        key = (problem.id, hashlib.sha256(program.encode()).hexdigest())
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        verdict = bool(program.strip()) and self._grader(problem, program)
        with self._lock:
            self._cache[key] = verdict
        return verdict


def keep_call(problem: Problem, inputs: dict[str, Any], outputs: Any, grader: CallGrader) -> tuple[str, bool]:
    """Whether one traced call of a passing example may become a demo; returns ``(role, keep)``."""
    role = call_role(inputs, outputs)
    if role == "code":
        return role, grader.passes(problem, str(outputs[CODE_FIELD] or ""))
    if role in ("judge", "distinguish"):
        a_ok = grader.passes(problem, str(inputs[PAIR_FIELDS[0]] or ""))
        b_ok = grader.passes(problem, str(inputs[PAIR_FIELDS[1]] or ""))
        if role == "distinguish":
            return role, a_ok != b_ok
        return role, str(outputs[VERDICT_FIELD]) == expected_verdict(a_ok, b_ok)
    return role, True


class DemoFilteringMetric:
    """Wrap a metric for demo bootstrapping: a float score, and a trace pruned to calls with good evidence.

    Args:
        metric: ``metric(example, pred, trace=None) -> score`` or ``dspy.Prediction(score, feedback)``.
        threshold: Score an example needs for its trace to be used (the caller passes it to DSPy as
            ``metric_threshold`` too, because a ``dspy.Prediction`` is always truthy).
        grader: Hidden-test grader for code strings (default: the sandbox).

    Example:
        >>> import dspy
        >>> m = DemoFilteringMetric(lambda ex, pred, trace=None: 1.0, grader=lambda p, code: "good" in code)
        >>> p = Problem(id="x", statement="s")
        >>> gen = dspy.Predict("problem -> code")
        >>> trace = [(gen, {"problem": "s"}, dspy.Prediction(code="bad")),
        ...          (gen, {"problem": "s"}, dspy.Prediction(code="good"))]
        >>> m(dspy.Example(problem=p), dspy.Prediction(program="good"), trace)
        1.0
        >>> [step[2].code for step in trace]
        ['good']
    """

    def __init__(self, metric: Callable[..., Any], *, threshold: float = 1.0, grader: Grader = hidden_test_grader):
        self.metric = metric
        self.threshold = threshold
        self.call_grader = CallGrader(grader)
        self.kept: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, example: Any, pred: Any, trace: list | None = None, *args: Any, **kwargs: Any) -> float:
        result = self.metric(example, pred, trace)
        score = float(getattr(result, "score", result))
        if trace is not None and score >= self.threshold:
            self.prune(example.problem, trace)
        return score

    def prune(self, problem: Problem, trace: list) -> None:
        """Remove, in place, the calls of ``trace`` whose outputs the hidden tests contradict."""
        kept_steps = []
        for step in trace:
            predictor, inputs, outputs = step
            role, keep = keep_call(problem, inputs, outputs, self.call_grader)
            with self._lock:
                (self.kept if keep else self.dropped)[role] += 1
            if keep:
                kept_steps.append(step)
        if len(kept_steps) != len(trace):
            logger.info(
                "problem %s: %d of %d traced calls kept as demo material", problem.id, len(kept_steps), len(trace)
            )
        trace[:] = kept_steps

    def summary(self) -> dict[str, dict[str, int]]:
        """Kept and dropped traced calls per role so far (for the optimizer log)."""
        return {"kept": dict(self.kept), "dropped": dict(self.dropped)}
