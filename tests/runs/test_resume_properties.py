"""Record/resume invariants under arbitrary session histories (hypothesis): one record per problem, always."""

from __future__ import annotations

import tempfile
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory
from sstar_dspy.runs.runner import EvalRunner

PROBLEMS = [Problem(id=f"p{i}", statement="s", hidden_tests=[TestCase(input="1", output="1")]) for i in range(6)]
IDS = [p.id for p in PROBLEMS]

# a session: which problems it is given (a --limit or a filter), which of them fail, retry errors or not
SESSION = st.tuples(
    st.lists(st.sampled_from(IDS), unique=True, min_size=0, max_size=6),
    st.sets(st.sampled_from(IDS)),
    st.booleans(),
    st.integers(1, 3),
)


@settings(max_examples=30, deadline=None)
@given(sessions=st.lists(SESSION, min_size=1, max_size=4))
def test_one_record_per_problem_after_any_resume_history(sessions):
    solved: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for chosen, failing, retry, concurrency in sessions:
            problems = [p for p in PROBLEMS if p.id in chosen]

            def solve(problem, index, failing=failing):
                solved[problem.id] += 1
                if problem.id in failing:
                    raise ConnectionError("down")
                return ProblemRecord(problem_id=problem.id, index=index, passed=True, total=RoleUsage(calls=1))

            with RunDirectory.open(tmp) as run:
                before = {r.problem_id: r for r in run.records()}
                EvalRunner(run, solve, concurrency=concurrency, retry_errors=retry).run(problems)
                records, retried = run.records(), run.retried_records()
            ids = [r.problem_id for r in records]
            assert len(ids) == len(set(ids))  # never two records for one problem
            after = {r.problem_id: r for r in records}
            assert set(after) == set(before) | set(chosen)  # every problem given now has a record
            for pid, old in before.items():  # ok records are never touched; errors only when retried
                if old.status == "ok" or not retry or pid not in chosen:
                    assert after[pid] == old
            # attempts on file: the current record plus the retired error records (retire_errors de-duplicates
            # byte-identical history lines for crash safety, so two identical failures may share one line)
            attempts = Counter(ids) + Counter(r.problem_id for r in retried)
            assert set(attempts) == set(solved) and all(attempts[pid] <= solved[pid] for pid in solved)
        with RunDirectory.open(tmp) as run:  # a final full session with retries settles everything
            EvalRunner(run, lambda p, i: ProblemRecord(problem_id=p.id, index=i), retry_errors=True).run(PROBLEMS)
            final = run.records()
        assert sorted(r.problem_id for r in final) == IDS and all(r.status == "ok" for r in final)
