"""load_problems: source resolution, suites, data directory, filters, and clear errors."""

import json

import pytest

from sstar_dspy.errors import ProblemFormatError, SStarError
from sstar_dspy.problems import (
    DATA_DIR_ENV,
    Excluded,
    ProblemSet,
    ProblemSourceError,
    list_examples,
    list_suites,
    load_problems,
    resolve_data_dir,
)
from sstar_dspy.problems.suites import SUITES, suite_files


def test_bundled_examples_load_by_name_and_as_a_suite():
    assert set(list_examples()) >= {
        "sum-two",
        "balanced-brackets",
        "max-subarray",
        "two-sum",
        "merge-intervals",
        "count-islands",
    }
    (p,) = load_problems("example:sum-two")
    assert p.id == "sum-two" and p.public_tests[0].input == "1 2\n" and p.gradable
    everything = load_problems("examples")
    assert len(everything) == len(list_examples()) and everything.gradable
    assert everything.counts()["mode"] == {"stdin": 3, "functional": 3}
    with pytest.raises(ProblemSourceError, match="no bundled example 'nope'; examples: balanced-brackets"):
        load_problems("example:nope")


def test_unknown_source_format_and_suite_errors_are_one_line(tmp_path):
    with pytest.raises(ProblemSourceError, match="no such file, suite or example") as info:
        load_problems("dev-typo")
    assert "dev-leetcode" in str(info.value) and "\n" not in str(info.value)
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"question": "?", "answer": 1}) + "\n")
    with pytest.raises(ProblemFormatError, match="unknown format: cannot tell") as info:
        load_problems(path)
    assert (info.value.path, info.value.line) == (str(path), 1)
    with pytest.raises(ProblemFormatError, match="field 'format': unknown format 'apps'; known formats: codecontests"):
        load_problems(path, format="apps")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(ProblemFormatError, match="holds no problems"):
        load_problems(empty)
    assert issubclass(ProblemSourceError, SStarError)


def test_data_dir_comes_from_argument_or_environment_never_a_default(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(ProblemSourceError, match=f"pass --data-dir \\(data_dir=\\) or set {DATA_DIR_ENV}"):
        load_problems("dev-leetcode")
    with pytest.raises(ProblemSourceError, match="does not exist"):
        resolve_data_dir(tmp_path / "missing")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert resolve_data_dir() == tmp_path
    with pytest.raises(ProblemSourceError, match="needs leetcode_contest_deepseek_dev.jsonl"):
        load_problems("dev-leetcode")


def test_suites_resolve_their_files_in_the_data_dir(tmp_path, fixtures):
    (tmp_path / "leetcode_contest_deepseek_dev.jsonl").write_bytes((fixtures / "leetcode_deepseek.jsonl").read_bytes())
    (tmp_path / "codecontests_test_dev.json").write_bytes((fixtures / "codecontests_flat.json").read_bytes())
    (tmp_path / "lcb_v5_public_only_dev.json").write_bytes((fixtures / "lcb_public_for_match.json").read_bytes())
    (tmp_path / "lcb_deepseek_match_dev.json").write_bytes((fixtures / "lcb_match.json").read_bytes())
    leetcode = load_problems("dev-leetcode", data_dir=tmp_path)
    assert [p.id for p in leetcode] == ["weekly-contest-900-add-two", "weekly-contest-900-is-acronym"]
    assert leetcode.files == [tmp_path / "leetcode_contest_deepseek_dev.jsonl"]
    matched = load_problems("dev-leetcode-lcb", data_dir=tmp_path)
    assert [p.statement for p in matched] == ["LCB text: return a plus b."] and len(matched.excluded) == 2
    mixed = load_problems("dev", data_dir=tmp_path)
    assert mixed.counts()["mode"] == {"functional": 2, "stdin": 1}
    assert mixed[0].statement.startswith("LCB text") and mixed[1].statement.startswith("Return whether")
    public = load_problems("dev-lcb-public", data_dir=tmp_path)
    assert not public.gradable and public.notes
    assert {s.name for s in list_suites()} == set(SUITES)
    assert suite_files(SUITES["dev-codecontests"], tmp_path) == [tmp_path / "codecontests_test_dev.json"]


def test_limit_and_ids_select_problems(fixtures):
    assert [p.id for p in load_problems("examples", limit=2)] == list_examples()[:2]
    assert len(load_problems("examples", limit=0)) == 0
    picked = load_problems("examples", ids=["two-sum", "sum-two"])
    assert sorted(p.id for p in picked) == ["sum-two", "two-sum"]
    with pytest.raises(ProblemSourceError, match="unknown problem ids \\['nope'\\]"):
        load_problems("examples", ids=["nope"])
    with pytest.raises(ProblemSourceError, match="limit must be"):
        load_problems("examples", limit=-1)
    # an excluded id is reported as excluded, not as unknown
    only = load_problems(fixtures / "leetcode_deepseek.jsonl", ids=["weekly-contest-900-double-it"])
    assert len(only) == 0 and only.excluded[0].id == "weekly-contest-900-double-it"


def test_date_filter_excludes_undated_problems_with_a_reason():
    filtered = load_problems("example:sum-two", since="2020-01-01")
    assert len(filtered) == 0 and "no date" in filtered.excluded[0].reason


def test_problem_set_api():
    ps = load_problems("examples")
    assert isinstance(ps, ProblemSet) and ps[0] is ps.problems[0] and ps[:2] == ps.problems[:2]
    assert ps.by_id("two-sum").function_name == "twoSum"
    with pytest.raises(KeyError):
        ps.by_id("missing")
    assert "examples: 6 problems" in ps.summary()
    assert Excluded("a", "b") == ("a", "b")


def test_problems_with_oversized_hidden_tests_are_excluded_not_truncated():
    loaded = load_problems("examples", max_hidden_bytes=200)
    big = {e.id for e in loaded.excluded}
    assert "count-islands" in big and "sum-two" not in big
    assert all("not truncated" in e.reason for e in loaded.excluded)
    assert all(p.id not in big for p in loaded)
