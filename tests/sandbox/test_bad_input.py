"""Bad input gets a clear result or a clear error, never a hang or a crash of the engine."""

import pytest

from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox import SandboxUsageError, Status


def test_empty_program(sandbox):
    results = sandbox.run("", [TestCase(input="1"), TestCase(input="1", output="1")], mode="stdin")
    assert [r.status for r in results] == [Status.EXECUTED, Status.WRONG_ANSWER]
    assert results[0].actual == ""
    functional = sandbox.run("", [TestCase.from_args([1], 1)], mode="functional", function_name="f")[0]
    assert functional.status is Status.RUNTIME_ERROR and "no 'class Solution'" in functional.error


def test_no_output_expected_empty_passes(sandbox):
    assert sandbox.run("pass", [TestCase(input="", output="")], mode="stdin")[0].passed


def test_syntax_error_is_a_compile_error_on_every_test(sandbox):
    results = sandbox.run("def f(:\n    pass", [TestCase(input="1", output="1")] * 2, mode="stdin")
    assert [r.status for r in results] == [Status.COMPILE_ERROR] * 2
    assert "SyntaxError" in results[0].error and "line 1" in results[0].error
    assert results[0].wall_s == 0.0  # nothing was forked


def test_null_byte_in_program_is_a_compile_error(sandbox):
    result = sandbox.run("print(1)\x00", [TestCase(input="")], mode="stdin")[0]
    assert result.status is Status.COMPILE_ERROR


def test_non_utf8_output(sandbox):
    result = sandbox.run("import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe')", [TestCase(input="")], mode="stdin")[0]
    assert result.status is Status.EXECUTED
    assert result.actual == "ok \ufffd\ufffd" and "not valid UTF-8" in result.error


def test_test_without_expected_output_is_executed(sandbox):
    result = sandbox.run("print(input())", [TestCase(input="abc")], mode="stdin")[0]
    assert result.status is Status.EXECUTED and result.expected is None and result.output_key == "abc"


def test_functional_input_that_is_not_json_is_an_invalid_test(sandbox):
    program = "class Solution:\n    def f(self, x):\n        return x"
    tests = [TestCase(input="not json", output="1"), TestCase(input="1", output="1")]
    results = sandbox.run(program, tests, mode="functional", function_name="f")
    assert [r.status for r in results] == [Status.INVALID_TEST, Status.PASSED]
    assert "not one JSON value per line" in results[0].error


def test_unknown_mode_and_wrong_types(sandbox):
    with pytest.raises(SandboxUsageError, match="unknown mode 'cpp'"):
        sandbox.run("print(1)", [TestCase(input="")], mode="cpp")
    with pytest.raises(SandboxUsageError, match="program must be a str"):
        sandbox.run(b"print(1)", [TestCase(input="")], mode="stdin")


def test_no_tests_and_large_input(sandbox):
    assert sandbox.run("print(1)", [], mode="stdin") == []
    big = " ".join(["7"] * 300_000)
    result = sandbox.run("print(len(input().split()))", [TestCase(input=big, output="300000")], mode="stdin")[0]
    assert result.status is Status.PASSED
