"""Decode LiveCodeBench ``private_test_cases`` without ever running pickled code.

The published field is ``base64(zlib(pickle.dumps(json_string)))``. The pickle holds a single ``str``, so
:class:`RefusingUnpickler` refuses every global / class lookup (``find_class``) and persistent id: a payload that
tries to build any object raises :class:`UnsafePickleError` before anything is imported or called.
Decompression is capped (``max_bytes``) against zip bombs.

Example:
    >>> import base64, pickle, zlib
    >>> blob = base64.b64encode(zlib.compress(pickle.dumps('[{"input": "1", "output": "2"}]'))).decode()
    >>> decode_private_tests(blob)
    [{'input': '1', 'output': '2'}]
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib
from typing import Any

DEFAULT_MAX_BYTES = 1 << 30


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle payload tried to load a class or function."""


class RefusingUnpickler(pickle.Unpickler):
    """An unpickler that can only rebuild plain data (str, bytes, numbers, lists, dicts, tuples)."""

    def find_class(self, module: str, name: str) -> Any:
        raise UnsafePickleError(f"pickle payload tries to load {module}.{name}; only plain data is allowed")

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("pickle payload uses persistent ids; only plain data is allowed")


def _inflate(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, max_bytes)
    if inflater.unconsumed_tail:
        raise ValueError(f"decompressed size exceeds {max_bytes} bytes")
    return out + inflater.flush()


def decode_private_tests(encoded: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Decode an LCB ``private_test_cases`` string into its JSON value (a list of test dicts).

    Raises:
        ValueError: when a layer is malformed (message says which layer).
        UnsafePickleError: when the pickle asks for any class or function.
    """
    stripped = encoded.strip()
    if stripped.startswith("["):  # some mirrors store the JSON directly
        return json.loads(stripped)
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64 ({exc})") from None
    try:
        inflated = _inflate(raw, max_bytes)
    except zlib.error as exc:
        raise ValueError(f"not zlib data ({exc})") from None
    try:
        value = RefusingUnpickler(io.BytesIO(inflated)).load()
    except UnsafePickleError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a format error
        raise ValueError(f"not a valid pickle ({type(exc).__name__}: {exc})") from None
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if not isinstance(value, str):
        raise ValueError(f"pickle holds {type(value).__name__}, expected a JSON string")
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"pickled string is not JSON ({exc.msg})") from None
