"""LM-written test inputs made usable: shown the exact format, repaired, validated, run, filtered.

Selection runs candidates on inputs the LM writes (``generate_tests``, ``distinguish``). Small
models often write them in the wrong form (stdin-style ``1 1 2 1 3`` for a function of
``nums, k``), and an input every candidate rejects says nothing about which one is right. So:

1. The prompt shows what a valid input looks like: the function's ``parameters`` (parsed from the
   starter code with ``ast``) and one public test input as an ``example``, written exactly as an
   answer item (:meth:`InputFormat.prompt_fields`).
2. Every written input is normalised to the test encoding before anything runs
   (:meth:`InputFormat.normalize`): functional arguments go through
   :func:`~sstar_dspy.selection.arguments.parse_arguments` (arity and types checked, common wrong
   forms repaired); stdin text gets cheap checks against the public inputs' shape.
3. :func:`gather_inputs` runs the pool on the valid ones, drops inputs on which every candidate
   fails, and asks once more (new ``rollout_id``, with feedback on what was wrong) when fewer than
   ``min_inputs`` remain. Everything is counted in the selection's
   :class:`~sstar_dspy.trace.InputReport`.

Example:
    >>> from sstar_dspy.problem import Problem, TestCase
    >>> p = Problem(id="f", statement="s", mode="functional", function_name="f",
    ...             starter_code="class Solution:\\n    def f(self, nums: List[int], k: int) -> int:\\n",
    ...             public_tests=[TestCase.from_args([[1, 2, 3], 3], 2)])
    >>> fmt = InputFormat.of(p)
    >>> fmt.prompt_fields()["example"].input
    {'nums': [1, 2, 3], 'k': 3}
    >>> fmt.normalize(TestInput(input="f([4, 5], True)"))
    Traceback (most recent call last):
    ...
    sstar_dspy.selection.inputs.InvalidInputError: argument k: expected int, got true
    >>> fmt.normalize(TestInput(input="nums = [4, 5], k = 1"))
    ('[4, 5]\\n1', 'call or keyword form')
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sstar_dspy.budget import BudgetExhaustedError
from sstar_dspy.candidate import Candidate
from sstar_dspy.problem import Mode, Problem, TestCase
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.selection.arguments import ArgumentError, function_parameters, parse_arguments
from sstar_dspy.selection.clustering import run_pool
from sstar_dspy.signatures import Parameter, TestInput
from sstar_dspy.solve_context import LMCallError, SolveContext
from sstar_dspy.trace import DroppedInput, InputReport, InputSource

__all__ = [
    "Gathered",
    "InputFormat",
    "InvalidInputError",
    "UsableInput",
    "gather_inputs",
    "normalize_all",
    "run_and_filter",
]

_FENCE = re.compile(r"^```[\w+-]*\n(.*?)\n?```$", re.DOTALL)
_LABEL = re.compile(r"^\s*(input|stdin|test input)\s*:\s*", re.IGNORECASE)
_INT = re.compile(r"^[+-]?\d+$")
_MAX_CHARS = 200_000


class InvalidInputError(ValueError):
    """A written input is not valid for the problem (the message says why, in one line)."""


@dataclass(frozen=True)
class UsableInput:
    """A valid input in the test encoding, with where it came from.

    Attributes:
        input: The input as tests encode it (stdin text, or one JSON value per line).
        expected_output: The LM's predicted output, if it gave one.
        repair: The repair that made it valid (None: written correctly).
        source: ``generated`` or ``synthesized``.
    """

    input: str
    expected_output: str | None = None
    repair: str | None = None
    source: InputSource = "generated"

    def case(self, *, with_expected: bool = False) -> TestCase:
        """As a sandbox test case (expected output only when asked for)."""
        text = self.input if self.input.endswith("\n") else self.input + "\n"
        return TestCase(input=text, output=self.expected_output if with_expected else None)

    def record(self) -> dict[str, Any]:
        """As stored in ``SelectionTrace.test_inputs``."""
        return {
            "input": self.input,
            "expected_output": self.expected_output,
            "source": self.source,
            "repair": self.repair,
        }


@dataclass(frozen=True)
class InputFormat:
    """What a valid input of one problem looks like (see the module docstring).

    Attributes:
        mode: The problem's mode.
        params: Functional: the parameters (from the starter code, else one per line of a public
            input, typed by its value); None when unknown (then only JSON-ness is checked).
        public_inputs: The public tests' inputs (the example and the stdin shape checks).
        example: The first public test as an answer item (None without public tests).
    """

    mode: Mode
    params: list[Parameter] | None
    public_inputs: list[str]
    example: TestInput | None

    @classmethod
    def of(cls, problem: Problem) -> InputFormat:
        """The format of ``problem``'s inputs."""
        publics = [t.input for t in problem.public_tests]
        if problem.mode is not Mode.FUNCTIONAL:
            first = problem.public_tests[0] if problem.public_tests else None
            example = TestInput(input=first.input, expected_output=first.output) if first else None
            return cls(problem.mode, None, publics, example)
        params = function_parameters(problem.starter_code, problem.function_name or "")
        values = _public_args(problem)
        if params is None and values is not None:
            params = [Parameter(name=f"arg{i + 1}", type=_json_type(v)) for i, v in enumerate(values)]
        example = None
        if values is not None and params is not None and len(values) == len(params):
            out = problem.public_tests[0].output
            example = TestInput(input={p.name: v for p, v in zip(params, values, strict=True)}, expected_output=out)
        return cls(problem.mode, params, publics, example)

    def prompt_fields(self) -> dict[str, Any]:
        """The ``parameters`` and ``example`` inputs of ``GenerateTestInputs`` / ``DistinguishPrograms``."""
        example = self.example
        if example is None:
            example = TestInput(input={p.name: None for p in self.params or []} if self.mode is Mode.FUNCTIONAL else "")
        return {"parameters": list(self.params or []), "example": example}

    def normalize(self, proposal: TestInput) -> tuple[str, str | None]:
        """The input in the test encoding and the repair applied (None if none).

        Raises:
            InvalidInputError: The input cannot be made valid (nothing should run it).
        """
        raw = proposal.input
        if isinstance(raw, str):
            raw = _unwrap(raw)
            if len(raw) > _MAX_CHARS:
                raise InvalidInputError(f"too long ({len(raw)} characters)")
        if self.mode is Mode.FUNCTIONAL:
            return self._functional(raw)
        return self._stdin(raw)

    def _functional(self, raw: str | list[Any] | dict[str, Any]) -> tuple[str, str | None]:
        if self.params is not None:
            try:
                return parse_arguments(raw, self.params)
            except ArgumentError as err:
                raise InvalidInputError(str(err)) from None
        if not isinstance(raw, str):
            values = list(raw.values()) if isinstance(raw, dict) else raw
            return "\n".join(json.dumps(v) for v in values), "structured arguments"
        lines = [line for line in raw.splitlines() if line.strip()]
        if not lines:
            raise InvalidInputError("empty input")
        try:
            return "\n".join(json.dumps(json.loads(line)) for line in lines), None
        except ValueError:
            raise InvalidInputError("not one JSON value per line") from None

    def _stdin(self, raw: str | list[Any] | dict[str, Any]) -> tuple[str, str | None]:
        repair = None
        if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            raw, repair = "\n".join(raw), "a list of lines"
        if not isinstance(raw, str):
            raise InvalidInputError("a stdin input must be text")
        text = raw
        if "\n" not in text.strip() and "\\n" in text:
            text, repair = text.replace("\\n", "\n"), "escaped newlines"
        if not text.strip():
            raise InvalidInputError("empty input")
        problem = _shape_problem(text, self.public_inputs)
        if problem:
            raise InvalidInputError(problem)
        return text, repair


def _public_args(problem: Problem) -> list[Any] | None:
    if not problem.public_tests:
        return None
    try:
        return problem.public_tests[0].args()
    except ValueError:
        return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(type(value), "")


def _unwrap(text: str) -> str:
    """Remove a Markdown fence and an ``Input:`` label; cut a trailing ``Output:`` part."""
    text = text.strip("\n")
    fenced = _FENCE.match(text.strip())
    if fenced:
        text = fenced.group(1)
    text = _LABEL.sub("", text, count=1)
    return re.split(r"\n\s*(?:expected )?output\s*:", text, maxsplit=1, flags=re.IGNORECASE)[0]


def _shape_problem(text: str, publics: Sequence[str]) -> str | None:
    """Why a stdin input does not look like the public inputs (cheap line-structure checks), or None."""
    if not publics:
        return None
    lines = [line for line in text.strip("\n").split("\n")]
    public_lines = [p.strip("\n").split("\n") for p in publics]
    if all(len(p) >= 2 for p in public_lines) and len(lines) < 2:
        return "the public inputs span several lines; this one is a single line"
    heads = [p[0].split() for p in public_lines]
    width = len(heads[0])
    if width in (1, 2) and all(len(h) == width and all(_INT.match(t) for t in h) for h in heads):
        first = lines[0].split()
        if len(first) != width or not all(_INT.match(t) for t in first):
            return f"the first line should hold {width} integer{'s' if width > 1 else ''}, as in the public inputs"
    return None


def normalize_all(
    fmt: InputFormat, proposals: Sequence[TestInput], *, source: InputSource, attempt: int = 0
) -> tuple[list[UsableInput], list[DroppedInput]]:
    """Normalise ``proposals``: the valid ones (first occurrence) and the dropped ones with reasons."""
    valid: list[UsableInput] = []
    dropped: list[DroppedInput] = []
    seen: set[str] = set()
    for p in proposals:
        shown = _clip(p.input if isinstance(p.input, str) else json.dumps(p.input))
        try:
            text, repair = fmt.normalize(p)
        except InvalidInputError as err:
            dropped.append(DroppedInput(input=shown, stage="invalid", reason=str(err), source=source, attempt=attempt))
            continue
        if text.strip() in seen:
            dropped.append(
                DroppedInput(
                    input=shown, stage="duplicate", reason="same as an earlier input", source=source, attempt=attempt
                )
            )
            continue
        seen.add(text.strip())
        valid.append(UsableInput(input=text, expected_output=p.expected_output, repair=repair, source=source))
    return valid, dropped


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def all_failed_reason(results: Sequence[TestResult]) -> str | None:
    """Why no candidate ran an input cleanly (e.g. ``every candidate failed: runtime_error (IndexError...)``),
    or None when at least one did."""
    if not results or any(r.status.ran_cleanly for r in results):
        return None
    statuses = sorted({r.status.value for r in results})
    error = next((r.error.strip().splitlines()[-1] for r in results if r.error.strip()), "")
    return f"every candidate failed: {', '.join(statuses)}" + (f" ({error[:120]})" if error else "")


def run_and_filter(
    ctx: SolveContext,
    candidates: Sequence[Candidate],
    pool: Sequence[int],
    inputs: Sequence[UsableInput],
    *,
    with_expected: bool = False,
) -> tuple[list[UsableInput], dict[int, list[TestResult]], list[DroppedInput]]:
    """Run the pool on ``inputs``; (inputs some candidate ran cleanly, the pool's results on them, the
    inputs every candidate failed on, as ``all_failed`` drops)."""
    kept: list[UsableInput] = []
    results: dict[int, list[TestResult]] = {i: [] for i in pool}
    dropped: list[DroppedInput] = []
    if not inputs:
        return kept, results, dropped
    ran = run_pool(ctx, candidates, pool, [v.case(with_expected=with_expected) for v in inputs])
    for k, v in enumerate(inputs):
        failed = all_failed_reason([ran[i][k] for i in pool])
        if failed:
            dropped.append(DroppedInput(input=_clip(v.input), stage="all_failed", reason=failed, source=v.source))
            continue
        kept.append(v)
        for i in pool:
            results[i].append(ran[i][k])
    return kept, results, dropped


@dataclass
class Gathered:
    """The usable generated inputs of a selection and the pool's results on them.

    Attributes:
        inputs: Usable inputs, in order.
        results: Per pool candidate, its results on ``inputs`` (aligned).
        why_none: Why there are no usable inputs (None when there are some).
    """

    inputs: list[UsableInput] = field(default_factory=list)
    results: dict[int, list[TestResult]] = field(default_factory=dict)
    why_none: str | None = None


def _ask(ctx: SolveContext, fmt: InputFormat, feedback: str, attempt: int) -> tuple[list[TestInput], str | None, bool]:
    """One ``generate_tests`` call: (proposals, why it failed, whether a budget forbids asking again)."""
    from sstar_dspy.generation import problem_inputs

    try:
        pred = ctx.predict(
            "generate_tests",
            rollout_id=attempt or None,
            **problem_inputs(ctx),
            **fmt.prompt_fields(),
            feedback=feedback,
        )
    except BudgetExhaustedError as err:
        return [], f"test generation failed ({err})", True
    except LMCallError as err:
        return [], f"test generation failed ({err})", False
    return list(pred.test_inputs or []), None, False


def _feedback(dropped: Sequence[DroppedInput], fmt: InputFormat, min_inputs: int) -> str:
    lines = [f"Too few of the earlier inputs were usable; write at least {min_inputs} new, different ones."]
    for d in dropped[:6]:
        lines.append(f"- {d.input[:80]!r} could not be used: {d.reason}")
    if fmt.mode is Mode.FUNCTIONAL and fmt.params:
        lines.append("Write each `input` as an object keyed by the parameter names, exactly like `example`.")
    else:
        lines.append("Write each `input` as complete standard input text, exactly like `example`.")
    return "\n".join(lines)


def gather_inputs(
    ctx: SolveContext,
    candidates: Sequence[Candidate],
    pool: Sequence[int],
    report: InputReport,
    *,
    max_inputs: int,
    min_inputs: int = 2,
    regenerate: bool = True,
    with_expected: bool = False,
) -> Gathered:
    """Ask for test inputs, normalise and validate them, run the pool, keep the usable ones.

    At most ``1 + regenerate`` ``generate_tests`` calls; everything is counted in ``report``.

    Args:
        ctx: The solve context.
        candidates: Every candidate.
        pool: The candidates to run.
        report: Filled in (generated, usable, dropped with reasons, regenerated).
        max_inputs: Cap on usable inputs (extra valid ones are counted as ``unused``).
        min_inputs: Ask once more when fewer usable inputs remain.
        regenerate: Allow that second call.
        with_expected: Run with the predicted outputs as expected outputs (pass/fail results).
    """
    fmt = InputFormat.of(ctx.problem)
    out = Gathered(results={i: [] for i in pool})
    seen: set[str] = set()
    feedback, why_failed = "", None
    for attempt in range(1 + int(regenerate)):
        if attempt:
            report.regenerated += 1
        proposals, why_failed, stop = _ask(ctx, fmt, feedback, attempt)
        if stop:
            break
        report.generated += len(proposals)
        valid, dropped = normalize_all(fmt, proposals, source="generated", attempt=attempt)
        fresh = []
        for v in valid:
            if v.input.strip() in seen:
                dropped.append(
                    DroppedInput(
                        input=_clip(v.input), stage="duplicate", reason="same as an earlier input", attempt=attempt
                    )
                )
            elif len(out.inputs) + len(fresh) >= max_inputs:
                report.unused += 1
            else:
                seen.add(v.input.strip())
                fresh.append(v)
        kept, results, failed = run_and_filter(ctx, candidates, pool, fresh, with_expected=with_expected)
        for f in failed:
            f.attempt = attempt
        dropped.extend(failed)
        out.inputs.extend(kept)
        for i in pool:
            out.results[i].extend(results[i])
        report.dropped.extend(dropped)
        if len(out.inputs) >= min(min_inputs, max_inputs):
            break
        feedback = _feedback([d for d in dropped if d.stage != "duplicate"], fmt, min_inputs)
    usable = [v for v in out.inputs if v.source == "generated"]
    report.usable += len(usable)
    for v in usable:
        if v.repair:
            report.repaired += 1
            report.repairs[v.repair] = report.repairs.get(v.repair, 0) + 1
    if not out.inputs:
        out.why_none = why_failed if why_failed and not report.generated else _why_none(report)
    return out


def _why_none(report: InputReport) -> str:
    if not report.generated:
        return "test generation returned no inputs"
    stages: dict[str, int] = {}
    for d in report.dropped:
        stages[d.stage] = stages.get(d.stage, 0) + 1
    detail = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in stages.items())
    return f"none of {report.generated} generated inputs was usable ({detail})"
