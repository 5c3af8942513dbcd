"""Judge fidelity: the idioms real solutions use behave as on a judge (stdin) or LeetCode (functional)."""

import pytest

from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox import Status

SUM_TESTS = [TestCase(input="3\n1 2 3\n", output="6\n"), TestCase(input="2\n10 -4\n", output="6")]

STDIN_IDIOMS = {
    "input": "n = int(input())\nprint(sum(map(int, input().split())))",
    "stdin_buffer": "import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:])))",
    "open_0": "data = open(0).read().split()\nprint(sum(map(int, data[1:])))",
    "readline": "import sys\nsys.stdin.readline()\nprint(sum(map(int, sys.stdin.readline().split())))",
    "iterate_stdin": "import sys\nlines = [l for l in sys.stdin]\nprint(sum(map(int, lines[1].split())))",
    "main_guard_double": "def main():\n    input()\n    print(sum(map(int, input().split())))\n\n"
    'if __name__ == "__main__":\n    main()',
    "main_guard_single": "def main():\n    input()\n    print(sum(map(int, input().split())))\n\n"
    "if __name__ == '__main__':\n    main()",
    "exit_after_print": "input()\nprint(sum(map(int, input().split())))\nexit()\nprint('unreachable')",
    "quit_builtin": "input()\nprint(sum(map(int, input().split())))\nquit()",
    "sys_exit_zero": "import sys\ninput()\nprint(sum(map(int, input().split())))\nsys.exit(0)",
    "sys_stdout_write": "import sys\ninput()\nsys.stdout.write(str(sum(map(int, input().split()))))",
    "print_no_newline": "input()\nprint(sum(map(int, input().split())), end='')",
    "thread_with_big_stack": "import sys, threading\nthreading.stack_size(1 << 26)\n"
    "def main():\n    input()\n    print(sum(map(int, input().split())))\n"
    "t = threading.Thread(target=main)\nt.start()\nt.join()",
    "lcb_prelude_names": "input()\nprint(reduce(add, map(int, input().split())))",
}


@pytest.mark.parametrize("idiom", sorted(STDIN_IDIOMS))
def test_stdin_idioms_pass(sandbox, idiom):
    results = sandbox.run(STDIN_IDIOMS[idiom], SUM_TESTS, mode="stdin")
    assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.error for r in results]


def test_nonzero_exit_is_a_runtime_error_and_exit_message_is_reported(sandbox):
    one, message = (
        sandbox.run("import sys\nprint(6)\nsys.exit(1)", [TestCase(input="", output="6")], mode="stdin")[0],
        sandbox.run("import sys\nsys.exit('bad input format')", [TestCase(input="")], mode="stdin")[0],
    )
    assert one.status is Status.RUNTIME_ERROR and one.actual == "6\n"
    assert message.status is Status.RUNTIME_ERROR and "bad input format" in message.error


def test_runtime_error_reports_the_exception_line(sandbox):
    program = "a = int(input())\nb = 0\nprint(a // b)\n"
    result = sandbox.run(program, [TestCase(input="5", output="1")], mode="stdin")[0]
    assert result.status is Status.RUNTIME_ERROR
    assert "ZeroDivisionError: integer division or modulo by zero" in result.error
    assert 'File "<solution>", line 3' in result.error
    assert "_harness" not in result.error and "_forkserver" not in result.error


def test_reading_past_the_end_of_input_is_a_runtime_error(sandbox):
    result = sandbox.run("input()\ninput()", [TestCase(input="only one line\n")], mode="stdin")[0]
    assert result.status is Status.RUNTIME_ERROR and "EOFError" in result.error


def test_stdin_is_not_newline_translated_like_cpython_and_lcb(sandbox):
    result = sandbox.run("print(repr(input()))", [TestCase(input="ab\r\ncd\n", output="'ab\\r'")], mode="stdin")[0]
    assert result.status is Status.PASSED, result.actual


def test_module_state_does_not_leak_between_tests(sandbox):
    program = "import collections\ncollections.SEEN = getattr(collections, 'SEEN', 0) + 1\nprint(collections.SEEN)"
    results = sandbox.run(program, [TestCase(input="", output="1")] * 3, mode="stdin")
    assert [r.status for r in results] == [Status.PASSED] * 3


def test_recursion_limit_is_lcb_high(sandbox):
    program = "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(20000))"
    assert sandbox.run(program, [TestCase(input="", output="20000")], mode="stdin")[0].passed


def test_unicode_and_float_output(sandbox):
    program = "print('héllo ✓')\nprint(1 / 3)"
    result = sandbox.run(program, [TestCase(input="", output="héllo ✓\n0.3333333333333333")], mode="stdin")[0]
    assert result.status is Status.PASSED


FUNCTIONAL = {
    "class_solution": "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b",
    "top_level_function": "def add(a, b):\n    return a + b",
    "typing_without_import": "class Solution:\n    def add(self, a: Optional[int], b: int) -> Dict[str, List[int]]:\n"
    "        return a + b",
    "prelude_modules": "class Solution:\n    def add(self, a, b):\n        q = deque([a]); heappush(h := [], b)\n"
    "        return q[0] + h[0] + int(sqrt(0)) + len(Counter()) + lru_cache(None)(lambda: 0)()",
    "prints_are_ignored": "class Solution:\n    def add(self, a, b):\n        print('debug', a, b)\n"
    "        return a + b",
    "main_guard_not_run": "class Solution:\n    def add(self, a, b):\n        return a + b\n"
    "if __name__ == '__main__':\n    print(Solution().add(int(input()), 1))",
    "float_equal_to_int": "class Solution:\n    def add(self, a, b):\n        return float(a + b)",
}


@pytest.mark.parametrize("variant", sorted(FUNCTIONAL))
def test_functional_variants_pass(sandbox, variant):
    tests = [TestCase.from_args([1, 2], 3), TestCase.from_args([-5, 5], 0)]
    results = sandbox.run(FUNCTIONAL[variant], tests, mode="functional", function_name="add")
    assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.error for r in results]


def test_functional_tuple_compares_as_list_and_json_types_round_trip(sandbox):
    program = (
        "class Solution:\n    def f(self, s: str, d: dict, flag: bool):\n"
        "        return (s.upper(), sorted(d), not flag, None)"
    )
    test = TestCase.from_args(["ab", {"y": 1, "x": 2}, False], ["AB", ["x", "y"], True, None])
    result = sandbox.run(program, [test], mode="functional", function_name="f")[0]
    assert result.status is Status.PASSED and result.actual == '["AB", ["x", "y"], true, null]'


def test_functional_fresh_solution_per_test(sandbox):
    program = (
        "class Solution:\n    calls = []\n    def f(self, x):\n        self.calls.append(x)\n"
        "        return len(self.calls)"
    )
    results = sandbox.run(program, [TestCase.from_args([i], 1) for i in range(3)], mode="functional", function_name="f")
    assert all(r.passed for r in results)


def test_functional_set_result_is_a_wrong_answer_not_a_crash(sandbox):
    program = "class Solution:\n    def f(self, x):\n        return {x}"
    result = sandbox.run(program, [TestCase.from_args([1], [1])], mode="functional", function_name="f")[0]
    assert result.status is Status.WRONG_ANSWER


def test_functional_exception_and_missing_method(sandbox):
    crash = "class Solution:\n    def f(self, x):\n        return [1][x]"
    result = sandbox.run(crash, [TestCase.from_args([3], 1)], mode="functional", function_name="f")[0]
    assert result.status is Status.RUNTIME_ERROR and "IndexError" in result.error and "line 3" in result.error
    missing = sandbox.run(
        "class Solution:\n    pass", [TestCase.from_args([3], 1)], mode="functional", function_name="f"
    )
    assert missing[0].status is Status.RUNTIME_ERROR and "no 'class Solution' with method 'f'" in missing[0].error


def test_functional_exit_before_return_is_a_runtime_error(sandbox):
    result = sandbox.run("exit()", [TestCase.from_args([1], 1)], mode="functional", function_name="f")[0]
    assert result.status is Status.RUNTIME_ERROR and "exited before" in result.error
