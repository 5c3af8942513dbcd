"""The five typed signatures of S*: one per LM step, the instruction in each docstring.

DSPy's instruction optimizers (MIPROv2, GEPA) rewrite ``Signature.instructions``, which is the
docstring, so every instruction lives there; field descriptions only name what a field holds.
The starting texts follow the prompts of the S* paper (Li et al. 2025, Appendix A.2).

Code travels as plain ``str`` fields through DSPy's default ChatAdapter (quotes, newlines, ``<``,
``&`` and fences survive it); :func:`extract_code` removes Markdown fences the model may add.

Example:
    >>> import dspy
    >>> from sstar_dspy.signatures import GenerateCode
    >>> "Python" in GenerateCode.instructions
    True
    >>> list(GenerateCode.output_fields)
    ['code']
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import dspy
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

__all__ = [
    "DebugCode",
    "DistinguishPrograms",
    "ExecutionComparison",
    "GenerateCode",
    "GenerateTestInputs",
    "JudgePair",
    "JudgeVerdict",
    "Parameter",
    "SIGNATURES",
    "TestInput",
    "Verdict",
    "extract_code",
]


def _normalize_verdict(value: Any) -> Any:
    """Map the ways models write a verdict ("Tie", "**A**", "Program B.") onto A / B / tie."""
    if not isinstance(value, str):
        return value
    words = re.sub(r"[^A-Za-z]+", " ", value).lower().split()
    if any(w in ("tie", "equal", "both", "neither", "same") for w in words):
        return "tie"
    named = {w.upper() for w in words if w in ("a", "b")}
    return named.pop() if len(named) == 1 else value


class JudgeVerdict(str):
    """The judge's answer, "A", "B" or "tie" (validated values are plain ``str``).

    Lenient about case, quotes and markup ("**A**", "Tie", "Program B."), strict about ambiguity
    ("A or B" fails to parse). A class rather than ``Annotated[Literal, validator]``, because
    pydantic moves an ``Annotated`` validator off the field annotation that DSPy parses with, and
    DSPy's signature rebuilding (``with_instructions``, ``load``) only accepts real types.

    Example:
        >>> from pydantic import TypeAdapter
        >>> TypeAdapter(JudgeVerdict).validate_python("**B**")
        'B'
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            _normalize_verdict, core_schema.literal_schema(["A", "B", "tie"])
        )


Verdict = JudgeVerdict  # deprecated alias (runs.grading's Grade is the other verdict)


def _no_description(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


class TestInput(BaseModel):
    """One test input proposed by the model, with an optional predicted output.

    ``input`` is written like the ``example`` the model is shown: for a stdin problem the complete
    stdin text; for a functional problem an object with one value per parameter, by name. Other
    forms small models produce (JSON lines, a list of the arguments, a bare string, the arguments
    as top-level keys) are kept as written; :mod:`sstar_dspy.selection.inputs`, which knows the
    problem, repairs and validates them before anything runs.

    Example:
        >>> TestInput.model_validate("1 2").input
        '1 2'
        >>> TestInput.model_validate({"nums": [1, 2], "k": 3, "output": 4}).model_dump()
        {'input': {'nums': [1, 2], 'k': 3}, 'expected_output': '4'}
    """

    # the class docstring is for Python readers: keep it out of the JSON schema DSPy shows the model
    model_config = ConfigDict(extra="ignore", json_schema_extra=_no_description)
    __test__ = False

    input: str | list[Any] | dict[str, Any]
    expected_output: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"input": value}
        if isinstance(value, (int, float, bool)) or value is None:
            return {"input": json.dumps(value)}
        if isinstance(value, (list, tuple)):
            return {"input": list(value)}
        if isinstance(value, dict):
            value = dict(value)
            out = next((value.pop(k) for k in _OUTPUT_KEYS if k in value), None)
            key = next((k for k in _INPUT_KEYS if k in value), None)
            raw = value[key] if key is not None else {k: v for k, v in value.items() if k not in _OUTPUT_KEYS}
            if isinstance(raw, tuple):
                raw = list(raw)
            elif raw is None or not isinstance(raw, (str, list, dict)):
                raw = json.dumps(raw)
            value = {
                "input": raw,
                "expected_output": None if out is None else out if isinstance(out, str) else json.dumps(out),
            }
        return value


_INPUT_KEYS = ("input", "stdin", "args", "arguments", "test_input", "inputs")
_OUTPUT_KEYS = ("expected_output", "output", "expected", "outputs")


class Parameter(BaseModel):
    """One parameter of the function a functional problem calls: its name and annotation as written."""

    model_config = ConfigDict(json_schema_extra=_no_description)

    name: str
    type: str = ""


class ExecutionComparison(BaseModel):
    """What the two programs of a duel really printed (or returned) on one input."""

    model_config = ConfigDict(json_schema_extra=_no_description)

    input: str
    output_a: str
    output_b: str


class GenerateCode(dspy.Signature):
    """You are an expert competitive programmer. Write a correct and efficient Python 3 program
    that solves the problem.

    If `mode` is "stdin": write a complete program, not just a function. It reads the input from
    standard input exactly in the format the problem describes (several values may share one
    line), computes the answer and prints it to standard output. Call your own functions at the
    top level, and print nothing besides the answer.
    If `mode` is "functional": implement the function or method named `function_name`; when
    `starter_code` is given, complete that skeleton (for example the method of `class Solution`)
    and keep its signature. Do not read input, do not print, and do not call the function.

    Answer with the code only: no explanations and no example usage.
    """

    problem: str = dspy.InputField(desc="the problem statement")
    mode: Literal["stdin", "functional"] = dspy.InputField()
    function_name: str = dspy.InputField(desc="empty in stdin mode")
    starter_code: str = dspy.InputField(desc="may be empty")
    code: str = dspy.OutputField(desc="Python 3 source code")


class DebugCode(dspy.Signature):
    """You are an expert competitive programmer debugging your own solution. Below is the problem,
    your latest program, and the result of running it on the public tests (the input, the
    expected output and what your program actually produced, or the error it raised).
    `history` holds your earlier attempts and their feedback, when available.

    First reason step by step about why the program fails those tests: compare the expected and
    actual outputs, check how the input is read and parsed, edge cases, and efficiency. Then write
    the corrected complete program. It must follow the same interface as before (`mode`,
    `function_name`, `starter_code`). Put only code in `code`: no explanations.
    """

    problem: str = dspy.InputField(desc="the problem statement")
    mode: Literal["stdin", "functional"] = dspy.InputField()
    function_name: str = dspy.InputField(desc="empty in stdin mode")
    starter_code: str = dspy.InputField(desc="may be empty")
    history: str = dspy.InputField(desc="earlier attempts with their feedback; may be empty")
    program: str = dspy.InputField(desc="the latest program")
    feedback: str = dspy.InputField(desc="results of the latest program on the public tests")
    diagnosis: str = dspy.OutputField(desc="why the program fails")
    code: str = dspy.OutputField(desc="the corrected Python 3 program")


class GenerateTestInputs(dspy.Signature):
    """You are an expert tester. Write a set of test inputs for the problem that together would
    reveal bugs in a candidate solution. Cover (i) edge cases such as the smallest inputs, empty
    or single-element collections and boundary values, (ii) complex or tricky inputs that are not
    very long, and (iii) other inputs likely to catch a bug.

    Every input must be valid under the problem's constraints and written exactly like `example`,
    which is a correct input taken from the problem's own tests (write new inputs, not that one).
    For mode "functional" the `input` of each test is an object with one value per parameter in
    `parameters`, keyed by the parameter's name, each value of that parameter's type in JSON
    (lists as [1, 2], strings in double quotes, true/false, null). For mode "stdin" the `input` is
    the complete text given on standard input, line by line as the problem describes. You may give
    the expected output of an input when you are sure of it; otherwise leave it out. If `feedback`
    is not empty, it says why earlier inputs could not be used: do not repeat those mistakes.
    """

    problem: str = dspy.InputField(desc="the problem statement")
    mode: Literal["stdin", "functional"] = dspy.InputField()
    function_name: str = dspy.InputField(desc="empty in stdin mode")
    starter_code: str = dspy.InputField(desc="may be empty")
    parameters: list[Parameter] = dspy.InputField(desc="the function's parameters; empty in stdin mode")
    example: TestInput = dspy.InputField(desc="a valid test input of this problem")
    feedback: str = dspy.InputField(desc="why earlier inputs were unusable; may be empty")
    test_inputs: list[TestInput] = dspy.OutputField(desc="5 to 10 test inputs")


class DistinguishPrograms(dspy.Signature):
    """Two programs, A and B, were written for the same problem and behave differently on some
    inputs. Read both carefully and write test inputs on which their outputs are likely to
    differ, so that running them reveals which one is correct: cases where one implementation
    may fail and the other succeed, edge cases, and complex but not very long inputs.

    Every input must be valid under the problem's constraints and written exactly like `example`,
    a correct input from the problem's own tests. For mode "functional" the `input` of each test
    is an object with one value per parameter in `parameters`, keyed by the parameter's name,
    each value of that parameter's type in JSON. For mode "stdin" the `input` is the complete text
    given on standard input.
    """

    problem: str = dspy.InputField(desc="the problem statement")
    mode: Literal["stdin", "functional"] = dspy.InputField()
    function_name: str = dspy.InputField(desc="empty in stdin mode")
    parameters: list[Parameter] = dspy.InputField(desc="the function's parameters; empty in stdin mode")
    example: TestInput = dspy.InputField(desc="a valid test input of this problem")
    program_a: str = dspy.InputField()
    program_b: str = dspy.InputField()
    distinguishing_inputs: list[TestInput] = dspy.OutputField(desc="1 to 5 test inputs")


class JudgePair(dspy.Signature):
    """You are an expert programming judge. Two candidate programs, A and B, solve the same
    problem, and `executions` shows what each one actually printed (or returned) when run on the
    same inputs. Decide which program is correct.

    First analyse the problem and work out the correct output for each input yourself. Then check
    both programs against it: samples can be tricky, so do not trust either program, and do not
    favour a program because of its length, style or position. Answer "A" or "B" for the correct
    program, or "tie" if both are equally correct or equally wrong.
    """

    problem: str = dspy.InputField(desc="the problem statement")
    program_a: str = dspy.InputField()
    program_b: str = dspy.InputField()
    executions: list[ExecutionComparison] = dspy.InputField(desc="outputs of A and B on the same inputs")
    analysis: str = dspy.OutputField(desc="your step-by-step reasoning")
    verdict: JudgeVerdict = dspy.OutputField()


SIGNATURES: dict[str, type[dspy.Signature]] = {
    "generate": GenerateCode,
    "debug": DebugCode,
    "generate_tests": GenerateTestInputs,
    "distinguish": DistinguishPrograms,
    "judge": JudgePair,
}
"""The signature of each SStar predictor, by attribute name."""

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


_LANGUAGE_TAGS = ("python", "python3", "py")


def extract_code(text: str | None) -> str:
    """Return the program inside a model answer: the fenced block if there is one, else the text.

    With several fenced blocks, the longest Python (or untagged) block wins; an unterminated
    fence (a truncated answer) keeps everything after it.

    Example:
        >>> extract_code("```python\\nprint('<&>')\\n```")
        "print('<&>')"
        >>> extract_code("x = 1")
        'x = 1'
        >>> extract_code("python\\nx = 1")  # a fence whose backticks the model dropped
        'x = 1'
    """
    if not text:
        return ""
    blocks = [(tag.lower(), body) for tag, body in _FENCE.findall(text)]
    if not blocks:
        text = text.strip()
        first, _, rest = text.partition("\n")
        return rest.strip() if first.strip().lower() in _LANGUAGE_TAGS and rest.strip() else text
    python = [body for tag, body in blocks if tag in ("", *_LANGUAGE_TAGS)]
    return max(python or [body for _, body in blocks], key=len).strip("\n").rstrip()
