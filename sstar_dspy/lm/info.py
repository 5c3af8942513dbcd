"""What model would be used and whether it can run: the data behind ``sstar doctor``.

Nothing here loads or assembles a model; it only inspects installed packages and the cache.

Example:
    >>> info = describe_model("openai/gpt-4o-mini")
    >>> info.kind, info.ready
    ('remote', True)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from pathlib import Path

from pydantic import BaseModel, Field

from sstar_dspy.lm.embedded import EMBEDDED_MODELS, cache_dir, is_cached, missing_parts, model_path
from sstar_dspy.lm.resolve import default_model_name, is_gguf_path
from sstar_dspy.lm.server import XLLAMACPP_REQUIREMENT


class ModelInfo(BaseModel):
    """A description of the model ``resolve_lm(model)`` would return.

    Attributes:
        requested: The model name as given (``None`` resolved to the default).
        kind: ``embedded`` (part wheels), ``gguf`` (local file) or ``remote`` (any DSPy/litellm string).
        title: Human-readable model name.
        cache_dir: The sstar-dspy cache directory.
        model_file: Path of the GGUF file that would be served (embedded/gguf only).
        model_file_ready: The file exists (assembled and verified, for embedded models).
        parts_total: Number of part wheels (embedded only).
        parts_missing: PyPI names of missing part wheels.
        runtime_installed: Whether ``xllamacpp`` is importable (embedded/gguf only).
        runtime_version: Its installed version.
        ready: Whether ``resolve_lm`` can be expected to succeed without installing anything.
        fix: The command that makes it ready, or "" when it is ready.
    """

    requested: str
    kind: str
    title: str
    cache_dir: str
    model_file: str | None = None
    model_file_ready: bool = False
    parts_total: int = 0
    parts_missing: list[str] = Field(default_factory=list)
    runtime_installed: bool = False
    runtime_version: str | None = None
    ready: bool
    fix: str = ""

    def lines(self) -> list[str]:
        """Short ``key: value`` lines for a doctor report."""
        out = [f"model: {self.requested} ({self.kind}) - {self.title}", f"cache dir: {self.cache_dir}"]
        if self.kind != "remote":
            if self.model_file_ready:
                state = "ready"
            else:
                state = "not assembled yet (done on first use)" if self.kind == "embedded" else "missing"
            out.append(f"model file: {self.model_file} [{state}]")
            runtime = f"xllamacpp {self.runtime_version}" if self.runtime_installed else "xllamacpp missing"
            out.append(f"runtime: {runtime}")
        if self.kind == "embedded":
            have = self.parts_total - len(self.parts_missing)
            out.append(f"model parts: {have}/{self.parts_total} installed")
        out.append(f"ready: {'yes' if self.ready else 'no'}" + (f" - fix: {self.fix}" if self.fix else ""))
        return out


def _runtime() -> tuple[bool, str | None]:
    if importlib.util.find_spec("xllamacpp") is None:
        return False, None
    try:
        return True, importlib.metadata.version("xllamacpp")
    except importlib.metadata.PackageNotFoundError:
        return True, None


def describe_model(model: str | None = None, cache: str | os.PathLike[str] | None = None) -> ModelInfo:
    """Describe the model ``resolve_lm(model)`` would use, without loading or assembling it."""
    name = (model or default_model_name()).strip()
    directory = str(cache_dir(cache))
    if name in EMBEDDED_MODELS:
        spec = EMBEDDED_MODELS[name]
        runtime, version = _runtime()
        missing = [spec.distribution.format(i=i) for i in missing_parts(spec)]
        cached = is_cached(spec, cache)
        fixes = []
        if not runtime:
            fixes.append(f"pip install '{XLLAMACPP_REQUIREMENT}'")
        if missing and not cached:
            fixes.append(spec.pip_install_command())
        return ModelInfo(
            requested=name,
            kind="embedded",
            title=spec.title,
            cache_dir=directory,
            model_file=str(model_path(spec, cache)),
            model_file_ready=cached,
            parts_total=spec.n_parts,
            parts_missing=missing,
            runtime_installed=runtime,
            runtime_version=version,
            ready=not fixes,
            fix=" && ".join(fixes),
        )
    if is_gguf_path(name):
        runtime, version = _runtime()
        path = Path(name).expanduser()
        fixes = [] if runtime else [f"pip install '{XLLAMACPP_REQUIREMENT}'"]
        if not path.is_file():
            fixes.append(f"point to an existing .gguf file (not found: {path})")
        return ModelInfo(
            requested=name,
            kind="gguf",
            title=path.name,
            cache_dir=directory,
            model_file=str(path),
            model_file_ready=path.is_file(),
            runtime_installed=runtime,
            runtime_version=version,
            ready=not fixes,
            fix=" && ".join(fixes),
        )
    title = f"dspy.LM({name!r}) via its provider"
    return ModelInfo(requested=name, kind="remote", title=title, cache_dir=directory, ready=True)
