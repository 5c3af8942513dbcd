import json
import os
import threading

import pytest

from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.rundir import RunDirectory, RunDirError, read_records


def test_append_and_read_back(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        run.append(ProblemRecord(problem_id="a", passed=True, program="print(1)"))
        run.append(ProblemRecord(problem_id="b", status="error", error="TimeoutError: slow"))
    records = read_records(tmp_path / "records.jsonl")
    assert [r.problem_id for r in records] == ["a", "b"]
    assert records[1].error == "TimeoutError: slow"


def test_torn_last_line_is_cut_on_open(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        run.append(ProblemRecord(problem_id="a"))
    with open(tmp_path / "records.jsonl", "ab") as fh:
        fh.write(b'{"problem_id": "b", "sta')  # what a SIGKILL mid-write could leave
    assert [r.problem_id for r in read_records(tmp_path / "records.jsonl")] == ["a"]
    with RunDirectory.open(tmp_path) as run:
        assert run.done_ids() == {"a"}
        run.append(ProblemRecord(problem_id="b"))
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert [json.loads(line)["problem_id"] for line in lines] == ["a", "b"]


def test_corrupt_line_in_the_middle_is_one_clear_error(tmp_path):
    (tmp_path / "records.jsonl").write_text('{"problem_id": "a"}\nnot json\n{"problem_id": "c"}\n')
    with pytest.raises(RunDirError, match=r"records.jsonl:2: not a run record"):
        read_records(tmp_path / "records.jsonl")


def test_second_writer_is_refused(tmp_path):
    with RunDirectory.open(tmp_path):
        with pytest.raises(RunDirError, match="another sstar process"):
            RunDirectory.open(tmp_path)
    with RunDirectory.open(tmp_path):  # released after close
        pass


def test_unwritable_parent_is_a_run_dir_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RunDirError, match="cannot create the run directory"):
        RunDirectory.open(blocker / "run")


def test_concurrent_appends_never_interleave(tmp_path):
    big = "x" * 200_000  # larger than a pipe buffer: a single write must still land whole
    with RunDirectory.open(tmp_path) as run:
        threads = [
            threading.Thread(target=run.append, args=(ProblemRecord(problem_id=f"p{i}", program=big),))
            for i in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    records = read_records(tmp_path / "records.jsonl")
    assert sorted(r.problem_id for r in records) == [f"p{i}" for i in range(8)]
    assert all(r.program == big for r in records)


def test_manifest_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    from sstar_dspy.runs.manifest import RunManifest

    with RunDirectory.open(tmp_path) as run:
        m = RunManifest.create(command=["sstar"], settings={"n": 2}, data={}, models={"generator": "m"})
        run.write_manifest(m)
        assert run.read_manifest().settings == {"n": 2}
    assert sorted(os.listdir(tmp_path)) == [".lock", "manifest.json"]


def test_lone_surrogates_are_written_as_escape_text(tmp_path):
    """A test input "\ud800" (problem file or LM-generated) cannot be UTF-8: the record keeps its escape text."""
    record = ProblemRecord(
        problem_id="s\ud800", program="print('\udfff')", error="x\ud800", trace={"inputs": ["1 2\ud800\n"]}
    )
    with RunDirectory.open(tmp_path) as run:
        run.append(record)
        run.append(ProblemRecord(problem_id="b", program="print('✓')"))
        assert [r.problem_id for r in run.records()] == ["s\\ud800", "b"]
    (back, plain) = read_records(tmp_path / "records.jsonl")
    assert back.program == "print('\\udfff')" and back.trace == {"inputs": ["1 2\\ud800\n"]}
    assert plain.program == "print('✓')"
