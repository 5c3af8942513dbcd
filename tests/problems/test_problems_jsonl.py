"""Our JSONL schema: round trip, and one clear error (file, line, field) for each kind of malformed input."""

import json

import pytest

from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems import load_problems, read_jsonl, write_jsonl


def _problem(i: int) -> dict:
    return {
        "id": f"p{i}",
        "statement": f"Print {i}.",
        "public_tests": [{"input": "", "output": f"{i}\n"}],
        "hidden_tests": [{"input": "\n", "output": f"{i}\n"}],
    }


def _write(tmp_path, lines):
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_round_trip_keeps_every_field(tmp_path):
    problems = [
        Problem(
            id="f",
            statement="Add — ünïcode",
            starter_code="class Solution:\n    def add(self, a, b):\n",
            mode=Mode.FUNCTIONAL,
            function_name="add",
            public_tests=[TestCase.from_args([1, 2], 3)],
            hidden_tests=[TestCase.from_args([[1], None], [1])],
            metadata=ProblemMetadata(
                source="mine", difficulty="easy", date="2024-01-02", platform="x", extra={"k": [1, {"z": None}]}
            ),
        ),
        Problem(
            id="s",
            statement="Echo",
            public_tests=[TestCase(input="a\n", output="a\n")],
            hidden_tests=[TestCase(input="b\n")],
        ),
    ]
    path = tmp_path / "out.jsonl"
    write_jsonl(problems, path)
    assert read_jsonl(path) == problems
    assert "ünïcode" in path.read_text(encoding="utf-8")
    loaded = load_problems(path, require_hidden=False)
    assert [p.id for p in loaded] == ["f", "s"] and loaded.files == [path]
    assert not loaded[1].gradable  # a hidden test without expected output cannot grade


def test_format_is_detected_and_problems_without_hidden_tests_are_excluded_with_reason(tmp_path):
    rows = [json.dumps(_problem(1)), json.dumps({"id": "nohidden", "statement": "x"})]
    loaded = load_problems(_write(tmp_path, rows))
    assert [p.id for p in loaded] == ["p1"]
    assert loaded.excluded[0].id == "nohidden" and "no hidden tests" in loaded.excluded[0].reason
    assert [p.id for p in load_problems(_write(tmp_path, rows), require_hidden=False)] == ["p1", "nohidden"]


def test_bad_json_on_line_17_names_file_and_line(tmp_path):
    rows = [json.dumps(_problem(i)) for i in range(16)] + ['{"id": "p16", "statement": ']
    path = _write(tmp_path, rows)
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path)
    message = str(info.value)
    assert message.startswith(f"{path}:17: invalid JSON") and "\n" not in message


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"statement": "x"}, "id", "Field required"),
        ({"id": "a", "statement": "x", "mode": "functional"}, None, "function_name"),
        ({"id": "a", "statement": "x", "hiden_tests": []}, "hiden_tests", "unknown field"),
        ({"id": "a", "statement": "x", "public_tests": [{"output": "1"}]}, "public_tests.0.input", "required"),
        ({"id": "a", "statement": "x", "mode": "interactive"}, "mode", "stdin"),
        ({"id": "a", "statement": "x", "schema_version": 99}, "schema_version", "unsupported"),
    ],
)
def test_missing_or_wrong_fields_name_line_and_field(tmp_path, row, field, words):
    path = _write(tmp_path, [json.dumps(_problem(0)), json.dumps(row)])
    with pytest.raises(ProblemFormatError) as info:
        load_problems(path, format="sstar")
    assert info.value.line == 2 and info.value.path == str(path)
    assert info.value.field == field
    assert words in str(info.value)


def test_duplicate_ids_are_refused(tmp_path):
    path = _write(tmp_path, [json.dumps(_problem(1)), json.dumps(_problem(1))])
    with pytest.raises(ProblemFormatError, match="duplicate id 'p1' \\(first on line 1\\)"):
        load_problems(path)
