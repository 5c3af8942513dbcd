"""What a valid test input of one problem looks like, and the repair of what the LM wrote.

Selection runs candidates on inputs the LM writes. :class:`InputFormat` gives the prompt the
function's ``parameters`` (from the starter code) and one public test input as an ``example``
written exactly as an answer item, and turns every written input into the test encoding before
anything runs, or refuses it with a reason (:class:`InvalidInputError`): functional arguments go
through :func:`~sstar_dspy.selection.arguments.parse_arguments` (arity and types checked, common
wrong forms repaired); stdin text gets cheap checks against the public inputs' line structure.

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
    sstar_dspy.selection.input_format.InvalidInputError: argument k: expected int, got true
    >>> fmt.normalize(TestInput(input="nums = [4, 5], k = 1"))
    ('[4, 5]\\n1', 'call or keyword form')
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sstar_dspy.problem import Mode, Problem, TestCase
from sstar_dspy.selection.arguments import ArgumentError, function_parameters, parse_arguments
from sstar_dspy.signatures import Parameter, TestInput
from sstar_dspy.trace import DroppedInput, InputSource

__all__ = ["InputFormat", "InvalidInputError", "UsableInput", "expand_nested", "normalize_all"]

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


def expand_nested(proposals: Sequence[TestInput]) -> list[TestInput]:
    """Unpack answer items written inside an input (``'{"input": "1 2", "expected_output": "3"}'`` as a
    string, or a list of such objects as the input), forms small models produce; others stay as they are.

    Example:
        >>> [t.input for t in expand_nested([TestInput(input=[{"input": "1 2"}, {"input": {"a": 3}}])])]
        ['1 2', {'a': 3}]
    """
    out: list[TestInput] = []
    for p in proposals:
        nested = _nested_items(p.input)
        out.extend(expand_nested(nested) if nested else [p])
    return out


def _nested_items(value: Any) -> list[TestInput] | None:
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.startswith(("{", "[")) or '"input"' not in stripped:
            return None
        try:
            value = json.loads(stripped)
        except ValueError:
            return None
    items = value if isinstance(value, list) else [value]
    if not items or not all(
        isinstance(v, dict) and set(v) & {"input", "expected_output"} and "input" in v for v in items
    ):
        return None
    return [TestInput.model_validate(v) for v in items]


def normalize_all(
    fmt: InputFormat, proposals: Sequence[TestInput], *, source: InputSource, attempt: int = 0
) -> tuple[list[UsableInput], list[DroppedInput]]:
    """Normalise ``proposals`` (already expanded, see :func:`expand_nested`): the valid ones (first
    occurrence) and the dropped ones with reasons."""
    valid: list[UsableInput] = []
    dropped: list[DroppedInput] = []
    seen: set[str] = set()
    for p in proposals:
        shown = clip(p.input if isinstance(p.input, str) else json.dumps(p.input))
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


def clip(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters (for traces)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
