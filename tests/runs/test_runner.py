import json
import threading

import dspy
import pytest

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.runs.budget import RunBudget
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory
from sstar_dspy.runs.runner import EvalRunner, error_line
from sstar_dspy.runs.session import ConfigMismatchError, run_eval

PROBLEMS = [Problem(id=f"p{i}", statement="s", hidden_tests=[TestCase(input="1", output="1")]) for i in range(6)]


def record(problem, index, calls=1):
    return ProblemRecord(problem_id=problem.id, index=index, total=RoleUsage(calls=calls))


def test_exceptions_become_error_records(tmp_path):
    def solve(problem, index):
        if problem.id == "p2":
            raise TimeoutError("LM request timed out\nsecond line")
        return record(problem, index)

    with RunDirectory.open(tmp_path) as run:
        outcome = EvalRunner(run, solve, concurrency=3).run(PROBLEMS)
        records = {r.problem_id: r for r in run.records()}
    assert (outcome.completed, outcome.errored) == (6, 1)
    assert records["p2"].status == "error" and records["p2"].error == "TimeoutError: LM request timed out"
    assert records["p2"].passed is False  # gradable problem that erred counts as failed


def test_resume_skips_recorded_problems(tmp_path):
    calls = []

    def solve(problem, index):
        calls.append(problem.id)
        return record(problem, index)

    with RunDirectory.open(tmp_path) as run:
        run.append(record(PROBLEMS[0], 0))
        run.append(record(PROBLEMS[3], 3))
        outcome = EvalRunner(run, solve, concurrency=2).run(PROBLEMS)
        ids = [r.problem_id for r in run.records()]
    assert sorted(calls) == ["p1", "p2", "p4", "p5"]
    assert outcome.skipped == 2 and sorted(ids) == sorted(p.id for p in PROBLEMS) and len(ids) == 6


def test_run_budget_stops_new_problems(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        outcome = EvalRunner(run, lambda p, i: record(p, i, calls=5), budget=RunBudget(max_calls=10)).run(PROBLEMS)
        assert len(run.records()) == 2
    assert outcome.stopped_by == "run budget reached: 10 LM calls >= --max-run-calls 10"
    assert outcome.not_started == 4


def test_dspy_context_reaches_worker_threads(tmp_path):
    seen = []
    lock = threading.Lock()

    def solve(problem, index):
        with lock:
            seen.append(dspy.settings.lm)
        return record(problem, index)

    marker = dspy.LM("openai/marker-model")
    with dspy.context(lm=marker), RunDirectory.open(tmp_path) as run:
        EvalRunner(run, solve, concurrency=3).run(PROBLEMS)
    assert len(seen) == 6 and all(lm is marker for lm in seen)


def test_resume_with_changed_config_is_refused_and_run_untouched(tmp_path):
    class Nothing(dspy.Module):
        def forward(self, problem):
            return dspy.Prediction(program="", candidates=[], trace=None)

    probs = [Problem(id="a", statement="s")]
    run_eval(probs, run_dir=tmp_path, program=Nothing(), settings={"n": 2})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "run.log"}
    with pytest.raises(ConfigMismatchError, match=r"settings.n: 2 -> 4.*pass a new --run-dir"):
        run_eval(probs, run_dir=tmp_path, program=Nothing(), settings={"n": 4})
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "run.log"}
    assert before == after


def test_error_line_is_one_line_and_masks_keys():
    line = error_line(RuntimeError("bad key sk-abcdefghijklmnopqrst\ntraceback..."))
    assert line == "RuntimeError: bad key ***"


def test_problem_timeout_records_stragglers_and_discards_late_results(tmp_path):
    release = threading.Event()

    def solve(problem, index):
        if problem.id == "p1":
            release.wait(30)  # a hung LM call
        return record(problem, index)

    with RunDirectory.open(tmp_path) as run:
        # the other solves are instant: 3 s is far more than they need, even on a loaded machine
        outcome = EvalRunner(run, solve, concurrency=2, problem_timeout=3.0).run(PROBLEMS)
        release.set()
        records = {r.problem_id: r for r in run.records()}
    assert len(records) == 6 and outcome.abandoned == 1 and outcome.errored == 1
    assert records["p1"].status == "error" and records["p1"].error.startswith("ProblemTimeout: no result after")
    assert all(records[f"p{i}"].status == "ok" for i in (0, 2, 3, 4, 5))


def test_run_log_has_one_line_per_problem_and_the_session_totals(tmp_path):
    def solve(problem, index):
        if problem.id == "p1":
            raise ValueError("bad answer")
        return record(problem, index, calls=2).model_copy(
            update={"passed": True, "hidden_passed": 1, "hidden_total": 1}
        )

    for _ in range(2):  # the second call resumes a finished run
        run_eval(PROBLEMS[:3], run_dir=tmp_path, solve=solve, settings={"n": 1})
    log = (tmp_path / "run.log").read_text()
    assert "session: 3 problems to run, 0 already recorded" in log
    assert "p0: passed 1/1 hidden; 2 LM calls" in log and "[3/3]" in log
    assert "p1: error: ValueError: bad answer" in log
    assert "session done: 3 finished (1 errors), 0 not started" in log
    assert "session: 1 problems to run (1 erred before and are retried), 2 already recorded" in log


def test_resume_retries_errored_problems_and_keeps_the_failed_attempt(tmp_path):
    down = {"p2", "p4"}

    def solve(problem, index):
        if problem.id in down:
            raise ConnectionError("LM server unreachable")
        return record(problem, index, calls=2)

    first = run_eval(PROBLEMS, run_dir=tmp_path, solve=solve, settings={"n": 1})
    assert (first.completed, first.errored, first.retried) == (6, 2, 0)
    down.clear()  # the server is back
    second = run_eval(PROBLEMS, run_dir=tmp_path, solve=solve, settings={"n": 1})
    assert (second.completed, second.errored, second.retried, second.skipped) == (2, 0, 2, 4)
    with RunDirectory.open(tmp_path) as run:
        records, history = run.records(), run.retried_records()
    assert sorted(r.problem_id for r in records) == [p.id for p in PROBLEMS]  # one record per problem
    assert all(r.status == "ok" for r in records)
    assert sorted((r.problem_id, r.error) for r in history) == [
        ("p2", "ConnectionError: LM server unreachable"),
        ("p4", "ConnectionError: LM server unreachable"),
    ]
    assert "retrying p2 (its earlier attempt erred: ConnectionError" in (tmp_path / "run.log").read_text()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [s["retried"] for s in manifest["sessions"]] == [0, 2]


def test_no_retry_errors_keeps_errored_records(tmp_path):
    def fail_p1(problem, index):
        if problem.id == "p1":
            raise ConnectionError("LM server unreachable")
        return record(problem, index)

    run_eval(PROBLEMS[:3], run_dir=tmp_path, solve=fail_p1, settings={"n": 1})
    again = run_eval(PROBLEMS[:3], run_dir=tmp_path, solve=record, settings={"n": 1}, retry_errors=False)
    assert (again.completed, again.retried, again.skipped) == (0, 0, 3)
    with RunDirectory.open(tmp_path) as run:
        assert {r.problem_id: r.status for r in run.records()}["p1"] == "error"
        assert run.retried_records() == []


def test_retiring_errors_after_a_crash_does_not_duplicate_the_history(tmp_path):
    failed = ProblemRecord(problem_id="p1", status="error", error="ConnectionError: down")
    with RunDirectory.open(tmp_path) as run:
        run.append(record(PROBLEMS[0], 0))
        run.append(failed)
        line = (tmp_path / "records.jsonl").read_text().splitlines()[1]
        (tmp_path / "retried.jsonl").write_text(line + "\n")  # moved, then killed before records.jsonl was replaced
        assert [r.problem_id for r in run.retire_errors({"p0", "p1"})] == ["p1"]
        assert [r.problem_id for r in run.records()] == ["p0"]
        assert len(run.retried_records()) == 1
        run.append(record(PROBLEMS[1], 1))  # appends go to the new records file
        assert [r.problem_id for r in run.records()] == ["p0", "p1"]


def test_run_budget_counts_failed_attempts_and_retries_only_what_it_starts(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        run.append(ProblemRecord(problem_id="p0", status="error", error="down", total=RoleUsage(calls=6)))
        run.retire_errors({"p0"})  # an earlier session retried p0 ...
        run.append(record(PROBLEMS[0], 0, calls=4))  # ... and it worked: 6 + 4 calls spent on it
        run.append(ProblemRecord(problem_id="p1", status="error", error="down"))
        outcome = EvalRunner(run, record, budget=RunBudget(max_calls=10)).run(PROBLEMS)
        statuses = {r.problem_id: r.status for r in run.records()}
    assert outcome.stopped_by == "run budget reached: 10 LM calls >= --max-run-calls 10"
    assert outcome.completed == 0 and outcome.retried == 0
    assert statuses == {"p0": "ok", "p1": "error"}  # not started, so p1 keeps its record


def test_known_worst_case_keeps_the_run_within_its_call_cap(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        runner = EvalRunner(run, lambda p, i: record(p, i, calls=5), concurrency=3, budget=RunBudget(max_calls=12))
        runner.problem_calls = 5  # the program's worst case: only two fit at once, then none
        outcome = runner.run(PROBLEMS)
        spent = sum(r.total.calls for r in run.records())
    assert spent == 10 and outcome.completed == 2 and outcome.not_started == 4 and outcome.overshoot is None
    assert outcome.stopped_by == (
        "run budget reached: 2 LM calls left of --max-run-calls 12, less than one problem may use (5 LM calls)"
    )


def test_largest_finished_problem_estimates_what_may_start(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        budget = RunBudget(max_calls=22)
        outcome = EvalRunner(run, lambda p, i: record(p, i, calls=5), concurrency=2, budget=budget).run(PROBLEMS)
        spent = sum(r.total.calls for r in run.records())
    assert spent == 20 and outcome.overshoot is None  # without the estimate: 25 (two in flight at 20)
    assert outcome.stopped_by.startswith("run budget reached: 2 LM calls left of --max-run-calls 22")


def test_first_wave_overshoot_is_stated_in_the_manifest_and_the_report(tmp_path):
    from sstar_dspy.runs.report import to_markdown
    from sstar_dspy.runs.summary import load_run, summarize

    outcome = run_eval(
        PROBLEMS,
        run_dir=tmp_path,
        solve=lambda p, i: record(p, i, calls=5),
        settings={"n": 1},
        concurrency=3,
        budget=RunBudget(max_calls=12),
    )
    line = "run budget overshot: 15 LM calls > --max-run-calls 12 (by 3 LM calls; problems in flight when it was"
    assert outcome.completed == 3 and outcome.overshoot.startswith(line)
    sessions = json.loads((tmp_path / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["budget_overshoot"] == outcome.overshoot
    assert line in (tmp_path / "run.log").read_text()
    assert f"note: {tmp_path.name}: {line}" in to_markdown([summarize(load_run(tmp_path))])
