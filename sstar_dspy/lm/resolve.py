"""Turn a model name into a ``dspy.LM``: the embedded models, a local GGUF file, or any DSPy/litellm string.

A server given by ``api_base`` without ``api_key`` (a local vLLM/SGLang/Ollama server needs none) gets the
placeholder key ``"local"``, unless the provider's own key variable (``OPENAI_API_KEY`` for ``openai/...``) is set.

Example:
    >>> lm = resolve_lm("openai/my-model", api_base="http://127.0.0.1:8000/v1", api_key="local")
    >>> lm.model, lm.kwargs["api_base"]
    ('openai/my-model', 'http://127.0.0.1:8000/v1')
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import dspy

from sstar_dspy.errors import ModelUnavailableError
from sstar_dspy.lm.embedded import EMBEDDED_MODELS, ensure_model_file
from sstar_dspy.lm.preflight import EMBEDDED_ATTR
from sstar_dspy.lm.server import ServerOptions, get_server

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "embedded"
DEFAULT_MAX_TOKENS = 1536
MODEL_ENV_VAR = "SSTAR_MODEL"
PLACEHOLDER_KEY = "local"


def default_model_name() -> str:
    """The model used when none is given: ``$SSTAR_MODEL`` or ``"embedded"``."""
    return os.environ.get(MODEL_ENV_VAR) or DEFAULT_MODEL


def is_gguf_path(model: str) -> bool:
    """True when ``model`` names a local ``.gguf`` file (served by the embedded runtime)."""
    return model.lower().endswith(".gguf")


def resolve_lm(
    model: str | None = None,
    *,
    server: ServerOptions | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    **kwargs: Any,
) -> dspy.LM:
    """Return a ``dspy.LM`` for ``model``.

    * ``None`` / ``"embedded"``: Qwen2.5-Coder-1.5B-Instruct Q4_K_M from the pinned part wheels;
      ``"embedded-fast"``: the 0.5B. The parts are assembled and sha256-verified into the cache
      (``cache_dir``, ``$SSTAR_CACHE_DIR`` or ``~/.cache/sstar-dspy``) on first use and served by one
      in-process llama.cpp server on 127.0.0.1 (shared by every LM of this process).
    * a path ending in ``.gguf``: that file, served the same way.
    * anything else: ``dspy.LM(model, **kwargs)``, e.g. ``"openai/Qwen2.5-Coder-7B"`` with
      ``api_base=`` for vLLM/SGLang/Ollama, or a hosted ``"anthropic/..."`` model.

    Args:
        model: Model name; ``None`` uses ``$SSTAR_MODEL`` or ``"embedded"``.
        server: Embedded-server settings (slots, context, threads); ignored for remote models.
        cache_dir: Where the assembled model file lives (embedded models only).
        **kwargs: Passed to ``dspy.LM`` (temperature, max_tokens, cache, num_retries, ...); ``None``
            values are dropped, so a CLI can forward unset options. Embedded models default to
            ``max_tokens=1536`` and ``cache=True`` (samples differ by ``rollout_id``).

    Raises:
        ModelUnavailableError: a package or file the embedded model needs is missing or corrupt.

    Example:
        >>> resolve_lm("openai/gpt-4o-mini", temperature=0.0).model
        'openai/gpt-4o-mini'
    """
    name = (model or default_model_name()).strip()
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    if not name:
        raise ModelUnavailableError("empty model name: pass e.g. 'embedded', 'embedded-fast' or 'openai/<model>'")
    if name in EMBEDDED_MODELS:
        spec = EMBEDDED_MODELS[name]
        path = ensure_model_file(spec, cache_dir)
        return _served_lm(path, spec.model_id, server, kwargs)
    if is_gguf_path(name):
        path = Path(name).expanduser()
        if not path.is_file():
            raise ModelUnavailableError(f"model file {path} does not exist: pass an existing .gguf path or 'embedded'")
        return _served_lm(path, f"gguf-{path.stem}", server, kwargs)
    return dspy.LM(name, **with_placeholder_key(name, kwargs))


def with_placeholder_key(model: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus ``api_key="local"`` when a server is given without a key and the provider has none set.

    Local OpenAI-compatible servers accept any key, but the client refuses to send a request without one.

    Example:
        >>> with_placeholder_key("hosted_vllm/m", {"api_base": "http://127.0.0.1:8000/v1"})["api_key"]
        'local'
        >>> "api_key" in with_placeholder_key("hosted_vllm/m", {})
        False
    """
    if not (kwargs.get("api_base") or kwargs.get("base_url")) or kwargs.get("api_key"):
        return kwargs
    provider = model.split("/", 1)[0] if "/" in model else "openai"
    if os.environ.get(f"{provider.upper().replace('-', '_')}_API_KEY"):
        return kwargs
    return {**kwargs, "api_key": PLACEHOLDER_KEY}


def _served_lm(path: Path, alias: str, server: ServerOptions | None, kwargs: dict[str, Any]) -> dspy.LM:
    for key in ("api_base", "base_url", "api_key"):
        if key in kwargs:
            raise ModelUnavailableError(
                f"'{key}' cannot be set for the embedded model {alias}: it is served in-process; "
                "pass an 'openai/<model>' string to use your own server"
            )
    running = get_server(path, alias, server)
    settings = {"max_tokens": DEFAULT_MAX_TOKENS, "cache": True, **kwargs}
    # The alias names the weights, so DSPy's cache (which ignores api_base) never mixes two models.
    lm = dspy.LM(f"openai/{alias}", api_base=running.api_base, api_key=PLACEHOLDER_KEY, **settings)
    setattr(lm, EMBEDDED_ATTR, True)  # warmed up when the server started: no preflight call needed
    return lm
