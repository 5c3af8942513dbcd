"""CodeAdapter: a code-native ``dspy.Adapter`` that prompts like LiveCodeBench and reads the last fenced block.

DSPy's ChatAdapter wraps every field in ``[[ ## name ## ]]`` markers and asks for structured
answers; small code models write better programs from a plain prompt. This adapter renders a
code-writing signature (:class:`~sstar_dspy.signatures.GenerateCode`, :class:`~sstar_dspy.signatures.DebugCode`
or any signature with a ``code`` output) the way LiveCodeBench does, while everything optimizers
touch stays where DSPy keeps it:

* **system message** = ``signature.instructions`` (the docstring) and nothing else, so MIPROv2 and
  GEPA edit the whole system prompt by editing the instruction;
* **user message** = ``### Question:`` (the statement), then the other inputs under ``###`` headings
  (earlier attempts, the latest program in a fence, its public-test results, or any extra field),
  then ``### Format:`` (LiveCodeBench's starter-code or stdin text with its ```python block),
  then ``### Answer:``;
* **demos** (format demos, bootstrapped or labeled ones) = earlier user/assistant turns in the same
  form, in their order, the assistant turn being the prose fields then the fenced code. System
  message and demos come first and are byte-identical across calls of one predictor, so a server's
  prompt cache (llama.cpp) reuses them.

:meth:`CodeAdapter.parse` reads a free-text reply: ``code`` = the last fenced Python block
(:func:`~sstar_dspy.adapters.lcb_prompt.extract_last_code_block`: then any fenced block, then the
whole reply if it is a program); the first other output field (``reasoning`` of ``dspy.ChainOfThought``
or the code-reasoning form, ``diagnosis`` of DebugCode) = the text before the code. It never raises on
a reply with text: a reply without code parses to ``code=""``, which stage 1 records as a sample that
produced no code (the contract of a ChatAdapter parse failure, without its extra JSON-fallback call).

Example:
    >>> from sstar_dspy.signatures import GenerateCode
    >>> adapter = CodeAdapter()
    >>> messages = adapter.format(GenerateCode, [], {"problem": "Print 1.", "mode": "stdin",
    ...                                              "function_name": "", "starter_code": ""})
    >>> messages[0]["content"] == GenerateCode.instructions
    True
    >>> print(messages[1]["content"].splitlines()[0])
    ### Question:
    >>> adapter.parse(GenerateCode, "Here it is:\\n```python\\nprint(1)\\n```")
    {'code': 'print(1)'}
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dspy
from dspy.adapters.utils import format_field_value

from sstar_dspy.adapters.lcb_prompt import LCB_ANSWER, LCB_FORMAT_STARTER, LCB_FORMAT_STDIN, extract_last_code_block

__all__ = ["CODE_FIELD", "CodeAdapter", "CodeRequest", "current_request", "render_code_reply"]

CODE_FIELD = "code"
"""The output field that receives the program."""

_FORMAT_FIELDS = ("mode", "function_name", "starter_code")  # rendered together in the ### Format block
_HEADINGS = {
    "problem": "Question",
    "history": "Earlier attempts and their results",
    "program": "Your latest program",
    "feedback": "Results of your latest program on the public tests",
}
_FENCED_INPUTS = ("program",)
_ANSWER_CODE = LCB_ANSWER.rstrip("\n")
_ANSWER_REASONING = "### Answer: (reason first, then give the complete program in the provided format with backticks)"


@dataclass(frozen=True)
class CodeRequest:
    """The signature and inputs of the CodeAdapter call in progress (see :func:`current_request`)."""

    signature: type[dspy.Signature]
    inputs: Mapping[str, Any]


_CURRENT: contextvars.ContextVar[CodeRequest | None] = contextvars.ContextVar("sstar_code_request", default=None)


def current_request() -> CodeRequest | None:
    """The CodeAdapter request being sent in this context, or None outside a CodeAdapter call.

    For test doubles (:class:`~sstar_dspy.testing.ScriptedLM`): the rendered prompt is plain text, so a
    scripted engine learns the predictor and its inputs from here instead of parsing them back.
    """
    return _CURRENT.get()


def _prose_fields(signature: type[dspy.Signature]) -> list[str]:
    return [name for name in signature.output_fields if name != CODE_FIELD]


def _text(signature: type[dspy.Signature], name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    return str(format_field_value(signature.fields[name], value))


def _format_block(mode: str, function_name: str, starter_code: str) -> str:
    """LiveCodeBench's format block; a functional problem without starter code names its function."""
    if starter_code:
        return f"### Format: {LCB_FORMAT_STARTER}\n```python\n{starter_code}\n```"
    if mode == "functional" and function_name:
        text = (
            f"Write a Python function named `{function_name}` that solves the problem; it must not read input or "
            "print. Enclose your code within delimiters as follows."
        )
        return f"### Format: {text}\n```python\n# YOUR CODE HERE\n```"
    return f"### Format: {LCB_FORMAT_STDIN}\n```python\n# YOUR CODE HERE\n```"


def render_code_reply(fields: Mapping[str, Any]) -> str:
    """An assistant reply in the adapter's form: the prose fields, then the program in a ```python block.

    Example:
        >>> print(render_code_reply({"reasoning": "Add them.", "code": "print(1 + 2)"}))
        Add them.
        <BLANKLINE>
        ```python
        print(1 + 2)
        ```
    """
    prose = [str(v).strip() for k, v in fields.items() if k != CODE_FIELD and v is not None and str(v).strip()]
    code = str(fields.get(CODE_FIELD) or "").strip("\n").rstrip()
    fenced = code if code.lstrip().startswith("```") else f"```python\n{code}\n```"  # already fenced: as is
    return "\n\n".join([*prose, fenced])


class CodeAdapter(dspy.Adapter):
    """Render code-writing signatures like LiveCodeBench's prompt; parse free text (see the module docstring).

    The signature needs a ``code`` output field; its other output fields must be ``str`` (they receive the
    text before the code). Inputs named ``mode``, ``function_name`` and ``starter_code`` form the
    ``### Format:`` block; every other input gets a ``###`` heading (known ones a readable title).
    """

    def __call__(
        self, lm: Any, lm_kwargs: dict[str, Any], signature: type[dspy.Signature], demos: list, inputs: dict
    ) -> list[dict[str, Any]]:
        """Format, call the LM and parse (DSPy's pipeline), publishing the request for :func:`current_request`."""
        token = _CURRENT.set(CodeRequest(signature, dict(inputs)))
        try:
            return super().__call__(lm, lm_kwargs, signature, demos, inputs)
        finally:
            _CURRENT.reset(token)

    async def acall(
        self, lm: Any, lm_kwargs: dict[str, Any], signature: type[dspy.Signature], demos: list, inputs: dict
    ) -> list[dict[str, Any]]:
        """The async :meth:`__call__`."""
        token = _CURRENT.set(CodeRequest(signature, dict(inputs)))
        try:
            return await super().acall(lm, lm_kwargs, signature, demos, inputs)
        finally:
            _CURRENT.reset(token)

    # -- formatting -------------------------------------------------------------------------------
    def format(
        self, signature: type[dspy.Signature], demos: list[dict[str, Any]], inputs: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """System (the instruction), demos as user/assistant turns, then the request."""
        _check(signature)
        messages = [{"role": "system", "content": self.format_system_message(signature)}]
        messages.extend(self.format_demos(signature, demos))
        messages.append({"role": "user", "content": self.format_user_message_content(signature, inputs)})
        return messages

    def format_system_message(self, signature: type[dspy.Signature]) -> str:
        """The signature's instruction, verbatim (stripped)."""
        return signature.instructions.strip()

    def format_field_description(self, signature: type[dspy.Signature]) -> str:
        """Unused: the fields are shown through the ``###`` layout, not described."""
        return ""

    def format_field_structure(self, signature: type[dspy.Signature]) -> str:
        """Unused: the answer format is the fenced block asked for in the user message."""
        return ""

    def format_task_description(self, signature: type[dspy.Signature]) -> str:
        """The instruction."""
        return signature.instructions.strip()

    def format_user_message_content(
        self,
        signature: type[dspy.Signature],
        inputs: dict[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        """The LiveCodeBench-shaped user message for one set of inputs (a demo's or the request's)."""
        sections = [prefix.strip()] if prefix.strip() else []
        for name in signature.input_fields:
            value = inputs.get(name)
            if name in _FORMAT_FIELDS or value is None:
                continue
            text = _text(signature, name, value)
            text = text if name == "problem" else text.strip("\n")  # the statement verbatim, as LiveCodeBench
            if not text.strip():
                continue  # an empty history or field says nothing
            heading = _HEADINGS.get(name, name.replace("_", " ").capitalize())
            if name in _FENCED_INPUTS:
                text = f"```python\n{text.rstrip()}\n```"
            sections.append(f"### {heading}:\n{text}")
        if any(name in signature.input_fields for name in _FORMAT_FIELDS) or not sections:
            sections.append(
                _format_block(
                    str(inputs.get("mode") or "stdin"),
                    str(inputs.get("function_name") or ""),
                    str(inputs.get("starter_code") or ""),
                )
            )
        sections.append(_ANSWER_REASONING if _prose_fields(signature) else _ANSWER_CODE)
        if suffix.strip():
            sections.append(suffix.strip())
        return "\n\n".join(sections) + "\n\n"  # LiveCodeBench's prompt ends with a blank line too

    def format_assistant_message_content(
        self,
        signature: type[dspy.Signature],
        outputs: dict[str, Any],
        missing_field_message: str | None = None,
    ) -> str:
        """A demo's answer: its prose fields (those it has), then its code in a ```python block."""
        return render_code_reply({name: outputs.get(name) for name in signature.output_fields})

    def format_demos(self, signature: type[dspy.Signature], demos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each demo with code becomes a user turn and an assistant turn, in the demos' order.

        Demos without code (or without any input) are skipped: they cannot show the answer's form.
        """
        messages: list[dict[str, Any]] = []
        for demo in demos:
            if not str(demo.get(CODE_FIELD) or "").strip() or not any(demo.get(k) for k in signature.input_fields):
                continue
            messages.append({"role": "user", "content": self.format_user_message_content(signature, demo)})
            messages.append({"role": "assistant", "content": self.format_assistant_message_content(signature, demo)})
        return messages

    # -- parsing ----------------------------------------------------------------------------------
    def parse(self, signature: type[dspy.Signature], completion: str) -> dict[str, Any]:
        """``code`` = the last fenced Python block (with fallbacks), the first prose field = the text before it."""
        _check(signature)
        code = extract_last_code_block(completion)
        values: dict[str, Any] = {CODE_FIELD: code}
        prose = _prose_fields(signature)
        if prose:
            before = _text_before_code(completion, code)
            values.update({name: "" for name in prose})
            values[prose[0]] = before
        return values


def _text_before_code(completion: str, code: str) -> str:
    """The reply's text before the fence that holds ``code`` (all of it when there is no code)."""
    if not code:
        return completion.strip()
    at = completion.rfind(code)
    if at < 0:
        return ""
    fence = completion.rfind("```", 0, at)
    return completion[: fence if fence >= 0 else at].strip()


def _check(signature: type[dspy.Signature]) -> None:
    if CODE_FIELD not in signature.output_fields:
        raise ValueError(f"CodeAdapter needs a '{CODE_FIELD}' output field; {signature.__name__} has none")
    odd = [n for n, f in signature.output_fields.items() if n != CODE_FIELD and f.annotation is not str]
    if odd:
        raise ValueError(f"CodeAdapter: output fields {odd} of {signature.__name__} must be str (they get prose)")
