"""LiveCodeBench: published code_generation_lite rows, version tags, hub access, and the public-only records."""

import base64
import json
import pickle
import zlib

import pytest

from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problem import Mode
from sstar_dspy.problems import ProblemSourceError, load_problems
from sstar_dspy.problems.lcb import version_files


def test_published_rows_decode_public_and_private_tests(fixtures):
    problems = load_problems(fixtures / "lcb_rows.jsonl")
    stdin, functional = problems
    assert stdin.id == "abc900_a" and stdin.mode is Mode.STDIN
    assert [t.input for t in stdin.public_tests] == ["3 4\n"]
    assert [(t.input, t.output) for t in stdin.hidden_tests] == [("10 -2\n", "8\n"), ("0 0\n", "0\n")]
    assert stdin.metadata.date == "2023-06-10" and stdin.metadata.platform == "atcoder"
    assert stdin.metadata.difficulty == "easy"
    assert functional.function_name == "sumList" and functional.mode is Mode.FUNCTIONAL
    assert functional.hidden_tests[1].args() == [[-1, 1, 5]]
    assert dict(problems.excluded) == {
        "abc901_g": "interactive problem (needs a judge program, not fixed input/output tests)",
        "1999_A": "no hidden tests beyond the statement examples (cannot be graded honestly)",
    }


def test_date_filters_select_by_contest_date(fixtures):
    assert [p.id for p in load_problems(fixtures / "lcb_rows.jsonl", since="2024-01-01")] == ["9001"]
    assert [p.id for p in load_problems(fixtures / "lcb_rows.jsonl", until="2023-12-31")] == ["abc900_a"]


def _row(**changes):
    row = json.loads(
        (__import__("pathlib").Path(__file__).parent / "fixtures" / "lcb_rows.jsonl").read_text().splitlines()[0]
    )
    row.update(changes)
    return json.dumps(row)


def test_pickle_payload_that_loads_a_class_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "executed"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    blob = base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode()
    path = tmp_path / "test.jsonl"
    path.write_text(_row() + "\n" + _row(question_id="evil", private_test_cases=blob) + "\n")
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path)
    assert info.value.line == 2 and info.value.field == "private_test_cases"
    assert "refused" in str(info.value) and "open" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"public_test_cases": "[{"}, "public_test_cases"),
        ({"private_test_cases": "@@@"}, "private_test_cases"),
        ({"question_content": None}, "question_content"),
        ({"metadata": "[1]"}, "metadata"),
    ],
)
def test_malformed_rows_name_the_field(tmp_path, changes, field):
    path = tmp_path / "rows.jsonl"
    path.write_text(_row(**changes) + "\n")
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path, format="lcb")
    assert (info.value.line, info.value.field) == (1, field)


def test_version_tags_map_to_hub_files():
    assert version_files("release_v1") == ["test.jsonl"]
    assert version_files("release_v5")[-1] == "test5.jsonl" and len(version_files("release_latest")) == 6
    assert version_files("v4_v6") == ["test4.jsonl", "test5.jsonl", "test6.jsonl"]
    for bad in ("release_v9", "v3_v2", "latest"):
        with pytest.raises(ProblemSourceError, match="unknown LiveCodeBench version"):
            version_files(bad)


def test_directory_of_hub_files_is_filtered_by_version(tmp_path, fixtures):
    rows = (fixtures / "lcb_rows.jsonl").read_text().splitlines()
    (tmp_path / "test.jsonl").write_text(rows[0] + "\n")
    (tmp_path / "test2.jsonl").write_text(rows[1] + "\n")
    assert [p.id for p in load_problems(tmp_path, version="release_v1")] == ["abc900_a"]
    assert [p.id for p in load_problems(tmp_path, version="v2")] == ["9001"]
    assert [p.id for p in load_problems(tmp_path)] == ["abc900_a", "9001"]
    with pytest.raises(ProblemSourceError, match="needs test3.jsonl"):
        load_problems(tmp_path, version="release_v3")
    with pytest.raises(ProblemSourceError, match="only applies to LiveCodeBench"):
        load_problems(fixtures / "lcb_public.json", format="lcb-public", version="v1")


def test_hub_source_without_the_datasets_extra_or_network_fails_with_a_fix(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # simulate: extra not installed
    with pytest.raises(ProblemSourceError, match=r"pip install 'sstar-dspy\[datasets\]'"):
        load_problems("lcb:release_v5")


def _fake_hub(monkeypatch, *, cache: dict[str, str], network=None):
    """A stand-in huggingface_hub: ``cache`` maps file names to cached paths; ``network(name)`` downloads."""
    import sys
    import types

    calls = []

    def hf_hub_download(repo, name, repo_type, local_files_only=False):
        calls.append((repo, name, repo_type, local_files_only))
        if local_files_only:
            if name not in cache:
                raise FileNotFoundError(f"{name} is not cached")
            return cache[name]
        if network is None:
            raise AssertionError("no network call expected")
        return network(name)

    monkeypatch.setitem(sys.modules, "huggingface_hub", types.SimpleNamespace(hf_hub_download=hf_hub_download))
    return calls


def test_hub_download_failure_says_how_to_load_locally(monkeypatch):
    import sstar_dspy.problems.hub as hub

    def refuse(name):
        raise OSError("offline")

    _fake_hub(monkeypatch, cache={}, network=refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "hub_unreachable", lambda timeout=hub.PROBE_TIMEOUT_S: None)
    with pytest.raises(ProblemSourceError, match=r"cannot fetch .*test2.jsonl \(OSError\); download the test"):
        load_problems("lcb:v2")


def test_hf_hub_offline_fails_at_once_without_network(monkeypatch):
    import sstar_dspy.problems.hub as hub

    calls = _fake_hub(monkeypatch, cache={"test.jsonl": "/cache/test.jsonl"})
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "hub_unreachable", lambda timeout=0: pytest.fail("HF_HUB_OFFLINE: no probe"))
    with pytest.raises(ProblemSourceError) as err:
        load_problems("lcb:release_v2")
    assert str(err.value) == (
        "HF_HUB_OFFLINE is set and test2.jsonl of livecodebench/code_generation_lite is not in the Hugging Face "
        "cache; unset it (with network) or download the test*.jsonl files elsewhere and load the directory with "
        "version='release_v2'"
    )
    assert all(local for *_, local in calls)


def test_unreachable_hub_is_one_line_after_one_probe(monkeypatch):
    import sstar_dspy.problems.hub as hub

    calls = _fake_hub(monkeypatch, cache={})
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "hub_unreachable", lambda timeout=0: "huggingface.co:443: Name or service not known")
    with pytest.raises(ProblemSourceError, match=r"cannot reach the Hugging Face hub \(huggingface.co:443: Name"):
        load_problems("lcb:v1")
    assert calls == [("livecodebench/code_generation_lite", "test.jsonl", "dataset", True)]


def test_probe_sees_a_listening_server_and_a_closed_port(monkeypatch):
    import socket

    from sstar_dspy.problems.hub import hub_unreachable

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        assert hub_unreachable(timeout=2) is None
    reason = hub_unreachable(timeout=2)  # the port is closed now
    assert reason is not None and reason.startswith("127.0.0.1:")


def test_hub_files_are_read_with_the_same_loader(monkeypatch, tmp_path, fixtures):
    import sstar_dspy.problems.hub as hub

    rows = (fixtures / "lcb_rows.jsonl").read_text().splitlines()
    (tmp_path / "test.jsonl").write_text(rows[0] + "\n")
    (tmp_path / "test2.jsonl").write_text(rows[1] + "\n")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "hub_unreachable", lambda timeout=0: None)
    calls = _fake_hub(monkeypatch, cache={"test.jsonl": str(tmp_path / "test.jsonl")}, network=lambda n: tmp_path / n)
    problems = load_problems("lcb:release_v2")
    assert [p.id for p in problems] == ["abc900_a", "9001"]
    repo = "livecodebench/code_generation_lite"
    assert calls == [  # the cache first (no network), then a download of the one missing file
        (repo, "test.jsonl", "dataset", True),
        (repo, "test2.jsonl", "dataset", True),
        (repo, "test2.jsonl", "dataset", False),
    ]


def test_public_only_records_load_but_are_not_gradable(fixtures):
    problems = load_problems(fixtures / "lcb_public.json")
    functional, stdin = problems
    assert functional.id == "lcb-public-11" and functional.function_name == "bigger"
    assert functional.public_tests[0].args() == [1, 2] and not functional.hidden_tests
    assert stdin.mode is Mode.STDIN and stdin.public_tests[0].output == "4\n"
    assert not problems.gradable and "not gradable" in problems.notes[0]
    assert problems.excluded == [
        ("lcb-public-13", "interactive problem (needs a judge program, not fixed input/output tests)")
    ]
    strict = load_problems(fixtures / "lcb_public.json", require_hidden=True)
    assert len(strict) == 0 and len(strict.excluded) == 3
