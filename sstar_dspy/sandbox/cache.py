"""An in-memory LRU cache of raw runs keyed by (program hash, input hash, limits, mode, function name).

S* runs the same programs on the same inputs again and again (debug rounds, filtering, clustering,
duels). Raw runs are cached *before* grading, so the same entry serves any expected output and any
comparator. Sandbox failures are never cached.

Example:
    >>> from sstar_dspy.sandbox.backend import RawRun
    >>> cache = RunCache(max_bytes=1 << 20)
    >>> key = cache.key("print(1)", "", Mode.STDIN, None, Limits())
    >>> cache.put(key, RawRun(Status.EXECUTED, "1\\n"))
    >>> cache.get(key).actual
    '1\\n'
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from sstar_dspy.problem import Mode
from sstar_dspy.sandbox.backend import RawRun
from sstar_dspy.sandbox.results import Limits, Status

DEFAULT_MAX_BYTES = 256 << 20
ENTRY_OVERHEAD = 200


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


class RunCache:
    """Thread-safe LRU bounded by the approximate size of the cached outputs."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[RawRun, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(program: str, test_input: str, mode: Mode, function_name: str | None, limits: Limits) -> tuple:
        """The cache key of one run."""
        mode_value = mode.value if isinstance(mode, Mode) else str(mode)
        return (_sha(program), _sha(test_input), mode_value, function_name, limits.timeout_s, limits.memory_mb,
                limits.output_bytes)  # fmt: skip

    def get(self, key: tuple) -> RawRun | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: tuple, run: RawRun) -> None:
        if run.status in (Status.SANDBOX_ERROR,):
            return
        size = ENTRY_OVERHEAD + len(run.actual or "") + len(run.error)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (run, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    @property
    def size_bytes(self) -> int:
        """Approximate bytes held by the cached runs."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
