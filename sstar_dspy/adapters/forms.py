"""Prompt forms of the code-writing predictors (``generate``, ``debug``): how S* asks for code.

=================  ==============================================================================
form               what the model sees and answers
=================  ==============================================================================
``chat``           DSPy's ChatAdapter with :class:`~sstar_dspy.signatures.GenerateCode` /
                   :class:`~sstar_dspy.signatures.DebugCode` (``[[ ## field ## ]]`` sections; code only)
``code``           :class:`~sstar_dspy.adapters.code.CodeAdapter`: LiveCodeBench's plain prompt, the
                   answer is free text whose last ```python block is the program
``code-reasoning`` the CodeAdapter, and the model first reasons briefly, then writes the program (the
                   S* reference wraps its signatures in ``ChainOfThought``; ``generate`` gets a
                   ``reasoning`` output field before ``code``)
=================  ==============================================================================

Each form keeps its instruction in a signature docstring (the chat form's are the paper's prompts in
:mod:`sstar_dspy.signatures`, the code forms' are below), so MIPROv2/GEPA edit it the same way in
every form, and predictor names stay ``generate``/``debug``. ``debug`` always explains the failure
(``diagnosis``) before the corrected code; in both code forms that is the text before the fence.

Example:
    >>> generate, debug = code_predictors("code-reasoning")
    >>> list(generate.signature.output_fields)
    ['reasoning', 'code']
    >>> parse_form("code").value
    'code'
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

import dspy

from sstar_dspy.adapters.code import CodeAdapter
from sstar_dspy.errors import SStarError
from sstar_dspy.signatures import DebugCode, GenerateCode

__all__ = [
    "DEFAULT_FORM",
    "LEGACY_FORM",
    "CodeDebug",
    "CodeGenerate",
    "CodeGenerateWithReasoning",
    "CodePredict",
    "PromptForm",
    "PromptFormName",
    "code_predictors",
    "form_of",
    "parse_form",
]


class PromptForm(str, Enum):
    """How the code-writing predictors are prompted (see the module docstring)."""

    CHAT = "chat"
    CODE = "code"
    CODE_REASONING = "code-reasoning"


PromptFormName = Literal["chat", "code", "code-reasoning"]
DEFAULT_FORM = PromptForm.CHAT
"""The form SStar uses unless told otherwise (the one line to change to switch the package's default; then
regenerate ``signatures/paper.json`` with :func:`sstar_dspy.variants.write_paper_variant`)."""
LEGACY_FORM = PromptForm.CHAT
"""The form of every program and variant made before forms existed (never changes)."""


def parse_form(value: PromptForm | str | None) -> PromptForm:
    """A form from its name (``_`` and ``-`` interchangeable); None = :data:`DEFAULT_FORM`.

    Raises:
        SStarError: An unknown name (one line listing the forms).

    Example:
        >>> parse_form("code_reasoning") is PromptForm.CODE_REASONING
        True
    """
    if value is None:
        return DEFAULT_FORM
    if isinstance(value, PromptForm):
        return value
    try:
        return PromptForm(str(value).strip().lower().replace("_", "-"))
    except ValueError:
        names = ", ".join(f.value for f in PromptForm)
        raise SStarError(f"unknown prompt form {value!r}: choose one of {names}") from None


class CodeGenerate(GenerateCode):
    """You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests."""  # noqa: E501


class CodeGenerateWithReasoning(dspy.Signature):
    """You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests.

    First think step by step, briefly: how the input is given, what exactly must be computed, and an algorithm that is fast enough for the constraints. Then write the complete program in a single ```python block.
    """  # noqa: E501

    problem: str = dspy.InputField(desc="the problem statement")
    mode: Literal["stdin", "functional"] = dspy.InputField()
    function_name: str = dspy.InputField(desc="empty in stdin mode")
    starter_code: str = dspy.InputField(desc="may be empty")
    reasoning: str = dspy.OutputField(desc="brief step-by-step reasoning before the code")
    code: str = dspy.OutputField(desc="Python 3 source code")


class CodeDebug(DebugCode):
    """You are an expert Python programmer. You will be given a question (problem specification), your latest program for it and the results of running that program on the public tests: the input, the expected output and what the program actually printed, or the error it raised. Earlier attempts, when shown, failed too.

    First explain briefly why the program fails those tests: compare the expected and the actual output, check how the input is read and parsed, edge cases and efficiency. Then write the corrected complete program in a single ```python block, in the same format as before.
    """  # noqa: E501


_SIGNATURES: dict[PromptForm, tuple[type[dspy.Signature], type[dspy.Signature]]] = {
    PromptForm.CHAT: (GenerateCode, DebugCode),
    PromptForm.CODE: (CodeGenerate, CodeDebug),
    PromptForm.CODE_REASONING: (CodeGenerateWithReasoning, CodeDebug),
}


class CodePredict(dspy.Predict):
    """A ``dspy.Predict`` that always formats and parses with :class:`~sstar_dspy.adapters.code.CodeAdapter`.

    Everything else is ``Predict``'s: ``demos``, ``signature`` (instructions), ``lm=``/``config=`` at call
    time, traces, ``save``/``load``, optimizers. Only this predictor's calls use the adapter (a thread-local
    ``dspy.context``); other predictors keep DSPy's configured adapter.

    Example:
        >>> from sstar_dspy.signatures import GenerateCode
        >>> CodePredict(GenerateCode).signature is GenerateCode
        True
    """

    def forward(self, **kwargs: Any) -> dspy.Prediction:
        with dspy.context(adapter=CodeAdapter()):
            return super().forward(**kwargs)

    async def aforward(self, **kwargs: Any) -> dspy.Prediction:
        with dspy.context(adapter=CodeAdapter()):
            return await super().aforward(**kwargs)


def code_predictors(form: PromptForm | str | None = None) -> tuple[dspy.Predict, dspy.Predict]:
    """Fresh ``(generate, debug)`` predictors of a form, without demos."""
    form = parse_form(form)
    generate_sig, debug_sig = _SIGNATURES[form]
    predict = dspy.Predict if form is PromptForm.CHAT else CodePredict
    return predict(generate_sig), predict(debug_sig)


def form_of(predictor: Any) -> PromptForm:
    """The form a ``generate`` predictor was built for (from its class and output fields).

    Example:
        >>> form_of(code_predictors("code")[0]).value
        'code'
    """
    if not isinstance(predictor, CodePredict):
        return PromptForm.CHAT
    return PromptForm.CODE_REASONING if "reasoning" in predictor.signature.output_fields else PromptForm.CODE
