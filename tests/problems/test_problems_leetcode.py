"""The DeepSeek LeetCode set: assert blocks split into functional tests by parsing, never by executing."""

import json

import pytest

from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problem import Mode
from sstar_dspy.problems import load_problems
from sstar_dspy.problems.leetcode import lcb_overrides, parse_asserts


def test_asserts_become_positional_tests_in_signature_order(fixtures):
    problems = load_problems(fixtures / "leetcode_deepseek.jsonl")
    add, acronym = problems
    assert add.mode is Mode.FUNCTIONAL and add.function_name == "addTwo"
    # test_input is {"b": ..., "a": ...}; the signature is addTwo(a, b)
    assert [t.args() for t in add.public_tests] == [[1, 2], [-1, 1]]
    assert [(t.args(), t.output) for t in add.hidden_tests] == [([5, 5], "10"), ([100, -3], "97"), ([7, 0], "7")]
    assert add.metadata.difficulty == "easy" and add.metadata.date == "2023-07-02"
    assert add.metadata.platform == "leetcode" and add.metadata.extra["examples"] == 2
    assert "Return a + b." in add.statement and add.starter_code.startswith("class Solution:")
    assert len(acronym.public_tests) == 3 and acronym.hidden_tests[0].output == "true"
    assert problems.excluded == [
        (
            "weekly-contest-900-double-it",
            "arguments built by helper functions (linked lists), not expressible as JSON tests",
        )
    ]


def test_parse_never_executes_the_test_source(tmp_path):
    marker = tmp_path / "ran"
    source = (
        f"my_solution = Solution()\nopen({str(marker)!r}, 'w')\n"
        "test_input = {'a': 1}\nassert my_solution.f(**test_input) == 2\n"
    )
    assert parse_asserts(source) == ("f", [({"a": 1}, 2)])
    assert not marker.exists()


@pytest.mark.parametrize(
    ("test", "words"),
    [
        ("assert my_solution.f(**test_input) == 1\n", "before any test_input"),
        ("test_input = {'a': 1}\nassert my_solution.f(**test_input) < 1\n", "expected 'assert"),
        (
            "test_input = {'a': 1}\nassert my_solution.f(**test_input) == 1\nassert my_solution.g(**test_input) == 1",
            "calls g",
        ),
        (
            "test_input = {'zz': 1}\nassert my_solution.addTwo(**test_input) == 1\n"
            "test_input = {'zz': 2}\nassert my_solution.addTwo(**test_input) == 1\n"
            "test_input = {'zz': 3}\nassert my_solution.addTwo(**test_input) == 1\n",
            "!= method parameters",
        ),
        ("test_input = {'a': 1\n", "does not parse"),
    ],
)
def test_malformed_test_source_names_record_and_field(tmp_path, fixtures, test, words):
    row = json.loads((fixtures / "leetcode_deepseek.jsonl").read_text().splitlines()[0])
    row["test"] = test
    path = tmp_path / "lc.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path, format="leetcode-deepseek")
    assert (info.value.line, info.value.field) == (1, "test") and words in str(info.value)


def test_missing_method_in_starter_is_a_prompt_error(tmp_path, fixtures):
    row = json.loads((fixtures / "leetcode_deepseek.jsonl").read_text().splitlines()[0])
    row["prompt"] = row["prompt"].replace("def addTwo", "def other")
    path = tmp_path / "lc.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(ProblemFormatError, match="no method 'addTwo'") as info:
        load_problems(path)
    assert info.value.field == "prompt"


def test_lcb_statement_can_replace_deepseek_text(fixtures):
    from sstar_dspy.problems.leetcode import iter_deepseek

    overrides = lcb_overrides(fixtures / "lcb_match.json", fixtures / "lcb_public_for_match.json")
    items = list(iter_deepseek(fixtures / "leetcode_deepseek.jsonl", lcb=overrides))
    add = items[0]
    assert add.statement == "LCB text: return a plus b." and add.metadata.extra["lcb_source_index"] == 40
    assert [t.args() for t in add.public_tests] == [[1, 2], [-1, 1]]
    assert len(add.hidden_tests) == 3  # still DeepSeek's asserts after the 2 examples
    assert items[1].reason.startswith("no statement-identical")
    kept = list(iter_deepseek(fixtures / "leetcode_deepseek.jsonl", lcb=overrides, matched_only=False))
    assert kept[1].statement.startswith("Return whether s")


def test_public_tests_are_the_asserts_matching_the_statement_examples():
    from sstar_dspy.problems.leetcode import example_inputs, split_public

    statement = "Example 1:\nInput: a = 3, b = [1, 2]\nOutput: 1\n\nExample 2:\n\nInput: a = 0,\n b = []\nOutput: 0\n"
    assert example_inputs(statement) == [{"a": 3, "b": [1, 2]}, {"a": 0, "b": []}]
    cases = [({"a": 0, "b": []}, 0), ({"a": 9, "b": []}, 2), ({"a": 3, "b": [1, 2]}, 1), ({"a": 1, "b": []}, 5)]
    assert split_public(cases, statement) == ([2, 0], "matched")
    unparsable = statement.replace("a = 0", "a = x")
    assert split_public(cases, unparsable) == ([0, 1], "first-k")
