"""Keep API keys out of everything a run writes (records, manifests, logs, saved programs).

Secrets are collected from three places: values registered explicitly (``--api-key``), environment
variables whose names look like credentials (``*_API_KEY``, ``*_TOKEN``, ``*_SECRET*``, ``*PASSWORD*``),
and well-known key shapes (``sk-...``). :func:`redact` replaces them in any text or JSON-like value.

Everything a run writes goes through :func:`redact`, so it also makes text writable: a lone surrogate (e.g. a
test input ``"\\ud800"`` from a problem file or an LM's generated tests) cannot be encoded as UTF-8 and would
crash the writer; it becomes the visible escape text ``\\ud800`` (:func:`writable_text`).

Example:
    >>> register_secret("sk-test-123456789")
    >>> redact({"api_key": "x", "note": "key sk-test-123456789"})
    {'api_key': '***', 'note': 'key ***'}
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any

MASK = "***"
_SECRET_ENV = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)", re.IGNORECASE)
_SECRET_FIELD = re.compile(r"^(api_?key|.*_api_key|token|access_token|secret|password|authorization)$", re.IGNORECASE)
_KEY_SHAPES = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|hf_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}|xox[bp]-[A-Za-z0-9\-]{10,})")
_MIN_SECRET_LEN = 6

_lock = threading.Lock()
_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret value (for example the ``--api-key`` option) so it is masked everywhere."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _registered.add(value)


def known_secrets() -> list[str]:
    """Registered secrets plus credential-looking environment variable values, longest first."""
    env = [v for k, v in os.environ.items() if _SECRET_ENV.search(k) and v and len(v) >= _MIN_SECRET_LEN]
    with _lock:
        values = set(_registered) | set(env)
    return sorted(values, key=len, reverse=True)


def writable_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by its escape text, so it can be written as UTF-8 (and JSON).

    Example:
        >>> writable_text("1 2\\ud800 ok")
        '1 2\\\\ud800 ok'
        >>> writable_text("plain ✓") == "plain ✓"
        True
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """Mask known secrets and key-shaped tokens in a string (and make it writable, see :func:`writable_text`)."""
    text = writable_text(text)
    for secret in known_secrets() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(MASK, text)


def redact(value: Any, secrets: list[str] | None = None) -> Any:
    """Return a copy of a JSON-like value with secrets masked (dict keys named like credentials too)."""
    secrets = known_secrets() if secrets is None else secrets
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            k = writable_text(k) if isinstance(k, str) else k
            if isinstance(k, str) and _SECRET_FIELD.match(k) and v not in (None, ""):
                out[k] = MASK
            else:
                out[k] = redact(v, secrets)
        return out
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    return value


def redact_argv(argv: list[str]) -> list[str]:
    """Mask the value of ``--api-key`` style options in a command line."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(MASK)
            hide_next = False
            continue
        name, eq, _ = arg.partition("=")
        if name.startswith("--") and _SECRET_ENV.search(name.replace("-", "_")):
            if eq:
                out.append(f"{name}={MASK}")
            else:
                out.append(arg)
                hide_next = True
            continue
        out.append(redact_text(arg))
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every message written by a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not break logging
            return True
        record.msg, record.args = redact_text(message), ()
        return True
