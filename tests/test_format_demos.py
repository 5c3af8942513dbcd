"""The hand-written I/O-format demos: correct under the real sandbox, attached by default, rendered."""

from __future__ import annotations

import re

import pytest
from sstar_world import GOOD, SUM, sstar, sum_script

from sstar_dspy.format_demos import debug_demos, generate_demos
from sstar_dspy.problem import Mode, TestCase
from sstar_dspy.program import SStar
from sstar_dspy.sandbox import default_sandbox
from sstar_dspy.signatures import SIGNATURES
from sstar_dspy.testing import ScriptedLM


def _examples(problem: str) -> list[tuple[str, str]]:
    """(input, output) pairs of the demo statement's "Example" section (stdin demo)."""
    found = re.findall(r"Input:\n(.*?)\nOutput:\n(\S+)", problem, flags=re.S)
    assert found, "the demo statement lost its example"
    return found


@pytest.fixture
def sandbox():
    return default_sandbox()


def test_stdin_demo_program_passes_its_own_example_in_the_sandbox(sandbox):
    demo = generate_demos()[0]
    tests = [TestCase(input=i + "\n", output=o + "\n") for i, o in _examples(demo.problem)]
    results = sandbox.run(demo.code, tests, mode=Mode.STDIN)
    assert [r.passed for r in results] == [True] * len(tests), results


def test_functional_demo_program_passes_its_example_in_the_sandbox(sandbox):
    demo = generate_demos()[1]
    assert demo.starter_code.strip().splitlines()[1].strip() in demo.code  # keeps the starter signature
    results = sandbox.run(
        demo.code,
        [TestCase.from_args([[1, 2, 4, 7]], 2), TestCase.from_args([[1]], 0)],
        mode=Mode.FUNCTIONAL,
        function_name=demo.function_name,
    )
    assert all(r.passed for r in results), results


def test_debug_demo_turns_the_silent_function_into_the_stdin_program(sandbox):
    [demo] = debug_demos()
    tests = [TestCase(input=i + "\n", output=o + "\n") for i, o in _examples(demo.problem)]
    assert not any(r.passed for r in sandbox.run(demo.program, tests, mode=Mode.STDIN))
    assert all(r.passed for r in sandbox.run(demo.code, tests, mode=Mode.STDIN))


@pytest.mark.parametrize("name,demos", [("generate", generate_demos), ("debug", debug_demos)])
def test_demos_fill_exactly_the_signature_fields(name, demos):
    fields = set(SIGNATURES[name].input_fields) | set(SIGNATURES[name].output_fields)
    for demo in demos():
        assert set(demo.keys()) == fields


def test_sstar_attaches_them_by_default_and_not_when_disabled():
    program = SStar(n=1)
    assert [d.mode for d in program.generate.demos] == ["stdin", "functional"]
    assert len(program.debug.demos) == 1
    assert all(not p.demos for name, p in program.named_predictors() if name not in ("generate", "debug"))
    assert all(not p.demos for _, p in SStar(n=1, format_demos=False).named_predictors())


def test_demos_are_rendered_before_the_problem_in_generate_and_debug_prompts():
    lm = ScriptedLM(sum_script())
    program = sstar(lm, n=1, rounds=1)
    assert program(problem=SUM).program == GOOD
    [generate] = lm.calls_for("generate")
    assert len(generate.demos) == 2 and "sys.stdin.read()" in generate.demos[0]
    assert "countEven" in generate.demos[1]
    assert SUM.statement.strip()[:40] in generate.user  # the real problem is the last user turn
    [debug] = lm.calls_for("debug")
    assert len(debug.demos) == 1 and "never calls it" in debug.demos[0]
