"""One in-process llama.cpp server per model file, bound to loopback, shared by the whole process.

``xllamacpp.Server`` runs llama.cpp's OpenAI-compatible HTTP server inside this Python process on
``127.0.0.1:<free port>``. DSPy/litellm then talk to it as ``openai/<alias>`` with ``api_base``.
Servers are started lazily, once per (model file, options), under a lock, warmed up with one tiny
request (the weights are mmapped; the first request pages them in), and kept alive until exit.

Example:
    >>> opts = ServerOptions(n_parallel=2, n_ctx=8192)
    >>> opts.n_parallel, opts.n_ctx, opts.kv_unified
    (2, 8192, True)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sstar_dspy.errors import ModelUnavailableError

logger = logging.getLogger(__name__)

XLLAMACPP_REQUIREMENT = "xllamacpp==2026.10.11549"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ModelUnavailableError(
            f"environment variable {name}={value!r} is not an integer: set it to e.g. {default}"
        ) from exc


def _default_threads() -> int:
    """All cores (``$SSTAR_LM_THREADS`` overrides).

    On a machine shared with other CPU-heavy processes set ``SSTAR_LM_THREADS=1``: llama.cpp threads
    spin at barriers while other processes hold the cores, so one thread is then many times faster.
    """
    return _env_int("SSTAR_LM_THREADS", os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerOptions:
    """Settings of the embedded llama.cpp server.

    Attributes:
        n_parallel: Concurrent request slots (S* samples run in parallel; 4 slots gave ~1.35x throughput).
        n_ctx: Total KV-cache tokens; with ``kv_unified`` every slot may use all of it.
        kv_unified: Share one KV pool between slots (so one long debug prompt is not capped at n_ctx/n_parallel).
        n_threads: CPU threads for generation and prompt processing (``$SSTAR_LM_THREADS``, else all
            cores; use 1 on a machine busy with other work).
        warm_up: Send one tiny request after loading so the first real call is not slowed by page-in.
    """

    n_parallel: int = field(default_factory=lambda: _env_int("SSTAR_LM_PARALLEL", 4))
    n_ctx: int = field(default_factory=lambda: _env_int("SSTAR_LM_CTX", 16384))
    kv_unified: bool = True
    n_threads: int = field(default_factory=_default_threads)
    warm_up: bool = True


class EmbeddedServer:
    """A running in-process llama.cpp server for one GGUF file.

    Args:
        model_file: Path of the GGUF file.
        alias: The served model name (requests use ``openai/<alias>``).
        options: Server settings.

    Example:
        >>> server = EmbeddedServer(Path("model.gguf"), "my-model")  # doctest: +SKIP
        >>> server.api_base  # doctest: +SKIP
        'http://127.0.0.1:42829/v1'
    """

    def __init__(self, model_file: Path, alias: str, options: ServerOptions | None = None):
        self.model_file = Path(model_file)
        self.alias = alias
        self.options = options or ServerOptions()
        xlc = import_xllamacpp()
        params = xlc.CommonParams()
        params.model.path = str(self.model_file)
        params.model_alias = {alias}
        params.n_ctx = self.options.n_ctx
        params.n_parallel = self.options.n_parallel
        params.kv_unified = self.options.kv_unified
        params.cpuparams.n_threads = self.options.n_threads
        params.cpuparams_batch.n_threads = self.options.n_threads
        params.verbosity = 0
        started = time.perf_counter()
        try:
            self._server = xlc.Server(params)
        except Exception as exc:  # the binding raises plain RuntimeError/ValueError on load failures
            raise ModelUnavailableError(
                f"llama.cpp could not load {self.model_file}: {exc}; delete the file to re-assemble it"
            ) from exc
        self.load_seconds = time.perf_counter() - started
        self.api_base = self._server.listening_address.rstrip("/") + "/v1"
        self.warm_up_seconds = self._warm_up() if self.options.warm_up else 0.0
        logger.info(
            "embedded server %s on %s (load %.1fs, warm-up %.1fs, %d slots, n_ctx %d, %d threads)",
            alias,
            self.api_base,
            self.load_seconds,
            self.warm_up_seconds,
            self.options.n_parallel,
            self.options.n_ctx,
            self.options.n_threads,
        )

    def chat(self, messages: list[dict[str, str]], **params: Any) -> dict[str, Any]:
        """Send one chat completion straight to the server (no HTTP); returns the OpenAI-style dict."""
        response = self._server.handle_chat_completions({"model": self.alias, "messages": messages, **params})
        if isinstance(response, dict) and "error" in response:
            raise ModelUnavailableError(f"embedded server {self.alias} returned an error: {response['error']}")
        return response

    def _warm_up(self) -> float:
        started = time.perf_counter()
        self.chat([{"role": "user", "content": "Say OK."}], max_tokens=2, temperature=0.0)
        return time.perf_counter() - started


def import_xllamacpp() -> Any:
    """Import xllamacpp, or raise the one-line error that says how to install it."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the embedded model needs the llama.cpp runtime: install it with `pip install '{XLLAMACPP_REQUIREMENT}'`"
        ) from exc
    return xllamacpp


_servers: dict[tuple[str, str, ServerOptions], EmbeddedServer] = {}
_servers_lock = threading.Lock()


def get_server(model_file: Path, alias: str, options: ServerOptions | None = None) -> EmbeddedServer:
    """The shared server for ``model_file`` (started on first use; thread-safe).

    Servers live until the process exits: ``xllamacpp`` stops a server when it is garbage
    collected, so the registry keeps every started server referenced.
    """
    options = options or ServerOptions()
    key = (str(Path(model_file).resolve()), alias, options)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = EmbeddedServer(Path(model_file), alias, options)
            _servers[key] = server
        return server


def running_servers() -> list[EmbeddedServer]:
    """Every server started in this process (for diagnostics)."""
    with _servers_lock:
        return list(_servers.values())
