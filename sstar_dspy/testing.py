"""A scripted LM for offline tests: a real ``dspy.LM`` whose engine answers from a script.

:class:`ScriptedLM` goes through DSPy's full LM path (adapter formatting and parsing, cache,
``rollout_id``, usage accounting); only the model is replaced. Each request is matched to the
signature it came from by its output fields, its input fields are parsed back into text, and the
reply is taken from the script. Every engine call is recorded in :attr:`ScriptedLM.calls`.
It works under DSPy's ChatAdapter and JSONAdapter (parsing their prompts) and under the
:class:`~sstar_dspy.adapters.code.CodeAdapter` of the ``code`` prompt forms (whose plain-text prompt is
not parsed: the adapter publishes the call's signature and inputs); a dict reply is rendered in the
form the adapter reads (``[[ ## field ## ]]`` sections, JSON, or prose then a fenced ```python block),
so one script drives every prompt form.

A script maps a key to a reply. The key is an SStar predictor name (``"generate"``, ``"debug"``,
``"generate_tests"``, ``"distinguish"``, ``"judge"``) or a signature class name. A reply is:

* a dict of output field values (str, or anything JSON-serialisable / pydantic),
* a str: the raw completion text (use it to simulate unparsable answers),
* an exception instance: raised by the engine (a failed LM call),
* a callable ``f(call: ScriptedCall) -> reply`` (decide from the inputs or ``call.rollout_id``),
* a list of replies: consumed in order per key, the last one repeating,
* a dict ``{rollout_id: reply}`` (int keys): one reply per sample.

Example:
    >>> import dspy
    >>> from sstar_dspy.testing import ScriptedLM
    >>> lm = ScriptedLM({"generate": {"code": "print(int(input()) * 2)"}})
    >>> from sstar_dspy.signatures import GenerateCode
    >>> pred = dspy.Predict(GenerateCode)(problem="double n", mode="stdin", function_name="",
    ...                                   starter_code="", lm=lm)
    >>> pred.code
    'print(int(input()) * 2)'
    >>> lm.calls[0].signature
    'generate'
"""

from __future__ import annotations

import contextvars
import itertools
import json
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dspy
from dspy.lm15 import Message, Request, Response, Usage
from pydantic import BaseModel

from sstar_dspy.adapters.code import current_request, render_code_reply
from sstar_dspy.signatures import SIGNATURES

__all__ = ["ScriptedCall", "ScriptedEngine", "ScriptedLM", "ScriptError", "scripted_lm_from_file"]

_ROLLOUT: contextvars.ContextVar[int | None] = contextvars.ContextVar("sstar_scripted_rollout", default=None)
_MODEL_IDS = itertools.count()
_HEADER = re.compile(r"\[\[ ## (\w+) ## \]\]")
_JSON_FIELD = re.compile(r"`(\w+)`")


class ScriptError(RuntimeError):
    """The script has no reply for a request (a bug in the test, not in the program)."""


@dataclass
class ScriptedCall:
    """One request the engine received.

    Attributes:
        signature: The matched script key family: a predictor name from ``SIGNATURES`` or the
            signature class name of a custom signature ("" if unknown).
        inputs: The input fields of the request, as rendered text.
        rollout_id: The ``rollout_id`` the call was made with, or None.
        temperature: The requested temperature.
        system: The system prompt (where the instructions are).
        user: The last user message.
        reply: The completion text returned ("" if the reply was an exception).
        messages: Every request message as (role, text), demos (earlier user/assistant turns)
            included; the system prompt is not repeated here.
    """

    signature: str
    inputs: dict[str, str]
    rollout_id: int | None
    temperature: float | None
    system: str
    user: str
    reply: str = ""
    messages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def demos(self) -> list[str]:
        """Texts of the assistant turns before the last user message (few-shot demos)."""
        return [text for role, text in self.messages[:-1] if role == "assistant"]

    def json(self, name: str) -> Any:
        """Decode a JSON-rendered input field (pydantic/list inputs)."""
        return json.loads(self.inputs[name])


def _render_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, (list, tuple)):
        return json.dumps([v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value])
    return json.dumps(value)


def render_chat_reply(fields: Mapping[str, Any]) -> str:
    """Format output field values the way DSPy's ChatAdapter expects them."""
    parts = [f"[[ ## {name} ## ]]\n{_render_value(value)}" for name, value in fields.items()]
    return "\n\n".join([*parts, "[[ ## completed ## ]]"])


class ScriptedEngine:
    """The ``dspy.lm15`` engine behind :class:`ScriptedLM` (``complete(Request) -> Response``).

    Args:
        script: Replies per predictor/signature name (see the module docstring).
        signatures: Extra ``{key: Signature}`` to recognise besides SStar's five.
    """

    def __init__(self, script: Mapping[str, Any], signatures: Mapping[str, type[dspy.Signature]] | None = None):
        self.script = dict(script)
        self.calls: list[ScriptedCall] = []
        self._lock = threading.Lock()
        self._positions: dict[str, int] = {}
        known = {**SIGNATURES, **(signatures or {})}
        self._by_outputs = {frozenset(sig.output_fields): key for key, sig in known.items()}
        self._class_names = {key: sig.__name__ for key, sig in known.items()}

    def __deepcopy__(self, memo: dict) -> ScriptedEngine:
        return self  # shared like a real model server; records stay in one place

    def complete(self, request: Request) -> Response:
        system = (
            request.system
            if isinstance(request.system, str)
            else "".join(getattr(p, "text", "") or "" for p in (request.system or ()))
        )
        user = request.messages[-1].text or "" if request.messages else ""
        code_request = current_request()
        if code_request is not None:  # a CodeAdapter prompt is plain text: take the signature and inputs it sent
            inputs = {k: _render_value(v).strip() for k, v in code_request.inputs.items()}
            outputs = list(code_request.signature.output_fields)

            def render(fields: Mapping[str, Any]) -> str:  # the fields this signature has, prose then code
                return render_code_reply({k: v for k, v in fields.items() if k in outputs})

        else:
            inputs, outputs, as_json = _parse_user_message(user)
            render = render_json_reply if as_json else render_chat_reply
        key = self._key_for(outputs)
        messages = [(str(getattr(m.role, "value", m.role)), m.text or "") for m in request.messages]
        call = ScriptedCall(key, inputs, _ROLLOUT.get(), request.config.temperature, system, user, "", messages)
        reply = self._reply_for(call)
        if isinstance(reply, BaseException):
            with self._lock:
                self.calls.append(call)
            raise reply
        if isinstance(reply, str):
            call.reply = reply
        else:
            call.reply = render(reply)
        with self._lock:
            self.calls.append(call)
        prompt_chars = len(system) + sum(len(m.text or "") for m in request.messages)
        usage = Usage(input_tokens=max(1, prompt_chars // 4), output_tokens=max(1, len(call.reply) // 4))
        return Response(
            id=None, model=request.model, message=Message.assistant(call.reply), finish_reason="stop", usage=usage
        )

    def close(self) -> None:
        """Nothing to release."""

    def _key_for(self, outputs: list[str]) -> str:
        """The script key of the signature with these output fields (a ``reasoning`` field, as added by
        ``ChainOfThought`` or the code-reasoning form, does not change which predictor it is)."""
        key = self._by_outputs.get(frozenset(outputs))
        return key if key is not None else self._by_outputs.get(frozenset(outputs) - {"reasoning"}, "")

    def _reply_for(self, call: ScriptedCall) -> Any:
        keys = [call.signature, self._class_names.get(call.signature, "")]
        entry_key = next((k for k in keys if k and k in self.script), None)
        if entry_key is None:
            raise ScriptError(
                f"ScriptedLM has no reply for {call.signature or 'an unknown signature'!r}; "
                f"script keys: {sorted(self.script)}"
            )
        reply = self.script[entry_key]
        for _ in range(8):  # unwrap nested callables / lists / rollout maps
            if callable(reply) and not isinstance(reply, (BaseException, type)):
                reply = reply(call)
            elif isinstance(reply, Sequence) and not isinstance(reply, str):
                with self._lock:
                    pos = self._positions.get(entry_key, 0)
                    self._positions[entry_key] = pos + 1
                reply = reply[min(pos, len(reply) - 1)]
            elif isinstance(reply, Mapping) and reply and all(isinstance(k, int) for k in reply):
                if call.rollout_id not in reply:
                    raise ScriptError(f"ScriptedLM: no reply for {entry_key!r} rollout_id={call.rollout_id}")
                reply = reply[call.rollout_id]
            else:
                break
        if not isinstance(reply, (str, Mapping, BaseException)):
            raise ScriptError(f"ScriptedLM: unsupported reply type {type(reply).__name__} for {entry_key!r}")
        return reply


def render_json_reply(fields: Mapping[str, Any]) -> str:
    """Format output field values the way DSPy's JSONAdapter expects them."""
    return json.dumps({k: json.loads(_render_value(v)) if not isinstance(v, str) else v for k, v in fields.items()})


def _parse_user_message(text: str) -> tuple[dict[str, str], list[str], bool]:
    """Split a Chat/JSON adapter user message into inputs, requested output names, and JSON-ness."""
    respond_at = text.rfind("Respond with the corresponding output fields")
    as_json = respond_at < 0 and "Respond with a JSON object" in text
    if as_json:
        respond_at = text.rfind("Respond with a JSON object")
    body, tail = (text[:respond_at], text[respond_at:]) if respond_at >= 0 else (text, "")
    pattern = _JSON_FIELD if as_json else _HEADER
    outputs = [name for name in pattern.findall(tail) if name != "completed"]
    inputs: dict[str, str] = {}
    matches = list(_HEADER.finditer(body))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        inputs[match.group(1)] = body[match.end() : end].strip()
    return inputs, outputs, as_json


class ScriptedLM(dspy.LM):
    """A ``dspy.LM`` answering from a script; records every request (see the module docstring).

    Args:
        script: Replies per predictor or signature name.
        model: Model name; unique by default (also across processes), so DSPy's memory and disk caches
            never mix two scripted LMs.
        signatures: Extra signatures to recognise (``{key: Signature}``).
        temperature: Default sampling temperature (``rollout_id`` needs > 0 to make samples differ).
        **kwargs: Other ``dspy.LM`` arguments (``cache=False``, ``max_tokens``...).
    """

    def __init__(
        self,
        script: Mapping[str, Any],
        *,
        model: str | None = None,
        signatures: Mapping[str, type[dspy.Signature]] | None = None,
        temperature: float = 0.7,
        **kwargs: Any,
    ):
        engine = ScriptedEngine(script, signatures)
        name = model or f"scripted/lm-{next(_MODEL_IDS)}-{uuid.uuid4().hex[:8]}"
        super().__init__(name, engine=engine, temperature=temperature, num_retries=0, **kwargs)
        self.scripted_engine = engine

    @property
    def calls(self) -> list[ScriptedCall]:
        """Every request the engine answered or failed, in arrival order (cache hits excluded)."""
        return self.scripted_engine.calls

    def calls_for(self, key: str) -> list[ScriptedCall]:
        """The recorded calls of one predictor/signature key."""
        return [c for c in self.calls if c.signature == key]

    def __call__(self, prompt: Any = None, *, messages: Any = None, **kwargs: Any) -> Any:
        token = _ROLLOUT.set(kwargs.get("rollout_id", self.kwargs.get("rollout_id")))
        try:
            return super().__call__(prompt, messages=messages, **kwargs)
        finally:
            _ROLLOUT.reset(token)


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$error"}:
            return RuntimeError(str(value["$error"]))
        if value and all(isinstance(k, str) and k.lstrip("-").isdigit() for k in value):
            return {int(k): _from_json(v) for k, v in value.items()}
        return value
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def scripted_lm_from_file(path: str | Path, **kwargs: Any) -> ScriptedLM:
    """Build a :class:`ScriptedLM` from a JSON script file (for CLI tests: ``--model scripted:PATH``).

    The JSON object maps keys to replies as in the module docstring; callables are not available,
    so: an object with only integer-string keys is a per-rollout map, ``{"$error": "msg"}`` is a
    failed call, a list is consumed in order, a string is a raw completion, any other object is
    the output field values.

    Raises:
        SStarError: The file is missing or is not a JSON object (one line: path and fix).
    """
    from sstar_dspy.errors import SStarError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SStarError(f"{path}: cannot read the scripted-LM file ({err}); give a JSON object of replies") from None
    if not isinstance(data, dict):
        raise SStarError(f"{path}: a scripted-LM file must hold a JSON object mapping predictor names to replies")
    return ScriptedLM({key: _from_json(value) for key, value in data.items()}, **kwargs)
