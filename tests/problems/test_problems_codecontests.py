"""CodeContests: flattened rLLM records (examples public, the rest hidden) and Hugging Face rows."""

import json

import pytest

from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problems import load_problems
from sstar_dspy.problems.codecontests import count_examples, parse_limits


def test_flat_records_split_examples_from_hidden_tests(fixtures):
    problems = load_problems(fixtures / "codecontests_flat.json")
    (p,) = problems
    assert p.id == "codecontests-0"
    assert [t.input for t in p.public_tests] == ["2\n1 2\n", "1\n5\n"]
    assert [t.input for t in p.hidden_tests] == ["3\n1 1 1\n"]  # the repeated example is not a hidden test
    assert p.metadata.extra["duplicate_hidden_dropped"] == 1
    assert p.metadata.extra["time_limit_s"] == 1.5 and p.metadata.extra["memory_limit_bytes"] == 256_000_000
    reasons = dict(problems.excluded)
    assert reasons["codecontests-1"].startswith("no hidden tests")
    assert reasons["codecontests-2"].startswith("interactive")


def test_example_count_and_limits_are_read_from_the_statement():
    statement = (
        "Story.\n\nExamples\n\nInput\n\n1\n\nOutput\n\n1\n\nInput\n\n2\n\nOutput\n\n2\n\nNote\n\nInput is small."
    )
    assert count_examples(statement) == 2
    assert count_examples("no examples here") == 0
    assert parse_limits("Time Limit: {'seconds': 3, 'nanos': 0}\nMemory Limit: 512000000 Bytes") == {
        "time_limit_s": 3.0,
        "memory_limit_bytes": 512_000_000,
    }


def test_flat_record_without_example_heading_falls_back_to_inputs_quoted_in_statement(tmp_path):
    rows = [
        {
            "problem": "Read 7 and print 8. For instance 7 gives 8.",
            "tests": {"inputs": ["7\n", "1\n"], "outputs": ["8\n", "2\n"]},
            "source_index": 5,
        }
    ]
    path = tmp_path / "cc.json"
    path.write_text(json.dumps(rows))
    (p,) = load_problems(path, format="codecontests-flat")
    assert [t.input for t in p.public_tests] == ["7\n"] and [t.input for t in p.hidden_tests] == ["1\n"]


def test_flat_record_with_mismatched_tests_names_the_field(tmp_path):
    path = tmp_path / "cc.json"
    path.write_text(json.dumps([{"problem": "x", "tests": {"inputs": ["1"], "outputs": []}}]))
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path, format="codecontests-flat")
    assert (info.value.line, info.value.field) == (1, "tests")


def test_hugging_face_rows(fixtures):
    problems = load_problems(fixtures / "codecontests_hf.jsonl")
    (p,) = problems
    assert p.id == "1000_A. Double" and p.metadata.platform == "codeforces" and p.metadata.difficulty == "A"
    assert [t.input for t in p.hidden_tests] == ["5\n", "0\n"]  # private + generated, minus the public duplicate
    assert p.metadata.extra["cf_rating"] == 800 and p.metadata.extra["time_limit_s"] == 2.0
    assert dict(problems.excluded) == {"1000_B. Files": "reads or writes named files instead of stdin/stdout"}
