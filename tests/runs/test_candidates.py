import pytest

from sstar_dspy.candidate import Candidate
from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.runs.candidates import append_candidates, read_candidates, repair_candidates_file


def test_external_candidates_need_only_problem_id_and_program(tmp_path):
    path = tmp_path / "ext.jsonl"
    path.write_text('{"problem_id": "p", "program": "print(1)"}\n{"problem_id": "p", "program": "print(2)"}\n')
    groups = read_candidates(path)
    assert [(c.index, c.source, c.program) for c in groups["p"]] == [
        (0, "external", "print(1)"),
        (1, "external", "print(2)"),
    ]


def test_incomplete_block_is_dropped_and_repaired(tmp_path):
    path = tmp_path / "c.jsonl"
    append_candidates(path, "a", [Candidate(index=i, program=f"print({i})") for i in range(2)])
    append_candidates(path, "b", [Candidate(index=i, program="x") for i in range(3)])
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:4]) + lines[4][:10])  # crash mid-block of "b"
    assert list(read_candidates(path)) == ["a"]
    repair_candidates_file(path)
    assert len(path.read_text().splitlines()) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ("{bad\n{}\n", "c.jsonl:1: not JSON"),
        ("[1, 2]\n", "c.jsonl:1: expected a JSON object"),
        ('{"program": "x"}\n', "c.jsonl:1: field 'problem_id'"),
        ('{"problem_id": "p", "program": 3}\n', "c.jsonl:1: field 'program'"),
        ('{"problem_id": "p", "program": "x", "index": -1}\n', "c.jsonl:1: field 'index'"),
    ],
)
def test_malformed_lines_are_one_clear_error(tmp_path, content, message):
    path = tmp_path / "c.jsonl"
    path.write_text(content)
    with pytest.raises(ProblemFormatError, match=message):
        read_candidates(path)
