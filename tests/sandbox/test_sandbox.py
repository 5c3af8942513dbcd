"""The Sandbox facade: API shape, grading, caching, batching, usage errors."""

import asyncio

import pytest

from sstar_dspy.errors import SStarError
from sstar_dspy.problem import Mode, TestCase
from sstar_dspy.sandbox import Job, Limits, Sandbox, SandboxUsageError, Status, default_sandbox

DOUBLE = "n = int(input())\nprint(n * 2)\n"


def test_stdin_pass_wrong_and_unchecked(sandbox):
    tests = [TestCase(input="3\n", output="6\n"), TestCase(input="4\n", output="9"), TestCase(input="5\n")]
    results = sandbox.run(DOUBLE, tests, mode="stdin")
    assert [r.status for r in results] == [Status.PASSED, Status.WRONG_ANSWER, Status.EXECUTED]
    assert [r.actual for r in results] == ["6\n", "8\n", "10\n"]
    assert [r.output_key for r in results] == ["6", "8", "10"]
    assert results[1].expected == "9" and results[0].input == "3\n"
    assert all(r.wall_s > 0 and r.cpu_s >= 0 for r in results)


def test_functional_class_solution_and_enum_mode(sandbox):
    program = (
        "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
        "        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n"
        "                return (seen[target - x], i)\n            seen[x] = i\n"
    )
    tests = [TestCase.from_args([[2, 7, 11, 15], 9], [0, 1]), TestCase.from_args([[3, 2, 4], 6], [2, 1])]
    results = sandbox.run(program, tests, mode=Mode.FUNCTIONAL, function_name="twoSum")
    assert [r.status for r in results] == [Status.PASSED, Status.WRONG_ANSWER]
    assert results[0].actual == "[0, 1]" and results[1].output_key == "[1,2]"


def test_run_many_preserves_order_and_arun_many_matches(sandbox):
    jobs = [
        Job(f"print({i} + int(input()))", [TestCase(input=str(j), output=str(i + j)) for j in range(3)], "stdin")
        for i in range(6)
    ]
    results = sandbox.run_many(jobs)
    assert [[r.actual for r in rs] for rs in results] == [[f"{i + j}\n" for j in range(3)] for i in range(6)]
    assert all(r.passed for rs in results for r in rs)
    async_results = asyncio.run(sandbox.arun_many(jobs))
    assert [[r.actual for r in rs] for rs in async_results] == [[r.actual for r in rs] for rs in results]


def test_cache_serves_repeated_runs_without_the_backend():
    class CountingBackend:
        calls = 0

        def execute(self, request):
            from sstar_dspy.sandbox import RawRun

            CountingBackend.calls += len(request.inputs)
            return [RawRun(Status.EXECUTED, actual=text.upper()) for text in request.inputs]

        def layers(self):
            return {"fork_server": False}

        def close(self):
            pass

    box = Sandbox(backend=CountingBackend())
    box.layers()  # the start-up probe also goes through the backend
    probe_calls = CountingBackend.calls
    first = box.run("p", [TestCase(input="a", output="A"), TestCase(input="b", output="X")], mode="stdin")
    second = box.run("p", [TestCase(input="a", output="Z"), TestCase(input="b", output="B")], mode="stdin")
    assert CountingBackend.calls - probe_calls == 2  # second call fully cached, graded against new expectations
    assert [r.status for r in first] == [Status.PASSED, Status.WRONG_ANSWER]
    assert [r.status for r in second] == [Status.WRONG_ANSWER, Status.PASSED]
    box.run("p", [TestCase(input="a")], mode="stdin", limits=Limits(timeout_s=1))
    assert CountingBackend.calls - probe_calls == 3  # other limits -> other key
    uncached = Sandbox(backend=CountingBackend(), cache=False)
    uncached.layers()
    before = CountingBackend.calls
    twice = uncached.run("p", [TestCase(input="c", output="C"), TestCase(input="c", output="X")], mode="stdin")
    assert CountingBackend.calls - before == 1  # identical inputs in one call run once
    assert [r.status for r in twice] == [Status.PASSED, Status.WRONG_ANSWER]


def test_output_key_uses_the_comparator(sandbox):
    assert sandbox.output_key("1.0  2\n\n", "stdin") == sandbox.output_key("1.00 2", Mode.STDIN) == "1 2"
    assert sandbox.output_key(None, "stdin") is None
    assert sandbox.output_key("[1.0, 2]", "functional") == "[1,2]"


def test_unknown_mode_and_missing_function_name_are_clear_errors(sandbox):
    with pytest.raises(SandboxUsageError, match="unknown mode 'python'"):
        sandbox.run("print(1)", [TestCase(input="")], mode="python")
    with pytest.raises(SStarError, match="function_name"):
        sandbox.run("print(1)", [TestCase(input="1")], mode="functional")
    with pytest.raises(SandboxUsageError, match="TestCase"):
        sandbox.run("print(1)", ["1"], mode="stdin")


def test_unknown_comparator_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown comparator 'fuzzy'"):
        Sandbox(comparator="fuzzy", backend=object())


def test_layers_report_is_probed_and_engine_serves_after_close():
    with Sandbox(workers=1) as box:
        layers = box.layers()
        assert layers["fork_server"] and layers["rlimits"] and layers["clean_env"]
        assert set(layers) == {
            "fork_server", "process_group_kill", "rlimits", "clean_env", "seccomp", "landlock", "unprivileged_uid",
            "no_network", "pid_namespace", "readonly_root", "hidden_files",
        }  # fmt: skip
        box.close()
        assert box.run("print(7)", [TestCase(input="", output="7")], mode="stdin")[0].passed


def test_default_sandbox_is_shared():
    assert default_sandbox() is default_sandbox()
    assert default_sandbox().run("print(input())", [TestCase(input="x", output="x")], mode="stdin")[0].passed
