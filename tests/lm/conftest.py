"""Fake part-wheel packages on a temporary sys.path, so assembly is tested without any download."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from sstar_dspy.lm.embedded import EmbeddedModelSpec

PART_BYTES = [b"GGUF\x00fake-part-one|", b"second<&>\"'\nslice|", b"third slice, the end\n"]


def _make_spec(name: str, module: str, data: list[bytes], *, sha256: str | None = None, size: int | None = None):
    """A spec whose parts are ``<module><i>/data/partNN.bin`` with the given bytes."""
    whole = b"".join(data)
    return EmbeddedModelSpec(
        name=name,
        model_id=f"{module}-model",
        title=f"fake {name}",
        distribution=module.replace("_", "-") + "{i}",
        module=module + "{i}",
        part_file="part{i:02d}.bin",
        n_parts=len(data),
        version="0.1.0",
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        size=len(whole) if size is None else size,
    )


@pytest.fixture
def install_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write fake part packages into a temp site dir on sys.path; returns the site dir."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(module: str, data: list[bytes], skip: tuple[int, ...] = ()) -> Path:
        for i, chunk in enumerate(data, start=1):
            if i in skip:
                continue
            package = site / f"{module}{i}"
            (package / "data").mkdir(parents=True)
            # Importing would raise: the assembler must locate parts without running their code.
            (package / "__init__.py").write_text("raise RuntimeError('part packages must not be imported')\n")
            (package / "data" / f"part{i:02d}.bin").write_bytes(chunk)
        importlib.invalidate_caches()
        return site

    return install


@pytest.fixture
def make_spec() -> Callable[..., EmbeddedModelSpec]:
    """Factory for specs of fake part packages (see ``_make_spec``)."""
    return _make_spec


@pytest.fixture
def part_bytes() -> list[bytes]:
    """The bytes of the three fake parts (with quotes, newlines and markup characters)."""
    return list(PART_BYTES)
