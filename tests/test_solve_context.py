"""SolveContext: sandbox failures become results, concurrency keeps order and surfaces crashes."""

from __future__ import annotations

import dspy
import pytest
from sstar_world import GOOD, SUM

from sstar_dspy.budget import UsageLedger
from sstar_dspy.problem import TestCase
from sstar_dspy.program import SStar
from sstar_dspy.sandbox import default_sandbox
from sstar_dspy.sandbox.results import Status
from sstar_dspy.solve_context import RoleLMs, SolveContext


class BrokenSandbox:
    """A sandbox whose every call fails (fault injection)."""

    calls = 0

    def run_many(self, jobs):
        BrokenSandbox.calls += 1
        raise OSError("fork server died")


def context(sandbox) -> SolveContext:
    program = SStar(n=1)
    predictors = {name: p for name, p in program.named_predictors()}
    return SolveContext(problem=SUM, predictors=predictors, lms=RoleLMs(), ledger=UsageLedger(), sandbox=sandbox)


def test_sandbox_failure_is_recorded_as_sandbox_errors_after_one_retry():
    ctx = context(BrokenSandbox())
    [results] = ctx.run_many([(GOOD, SUM.public_tests)])
    assert [r.status for r in results] == [Status.SANDBOX_ERROR]
    assert "fork server died" in results[0].error
    assert BrokenSandbox.calls == 2 and any("sandbox failed" in e for e in ctx.errors)


def test_empty_programs_and_empty_tests_never_reach_the_sandbox():
    ctx = context(BrokenSandbox())
    BrokenSandbox.calls = 0
    empty_program, no_tests = ctx.run_many([("  ", [TestCase(input="1 2\n")]), (GOOD, [])])
    assert empty_program[0].status is Status.COMPILE_ERROR and no_tests == []
    assert BrokenSandbox.calls == 0


def test_map_keeps_order_and_carries_the_dspy_context():
    ctx = context(default_sandbox())
    marker = dspy.LM("openai/context-marker")
    with dspy.context(lm=marker):
        seen = ctx.map(lambda i: (i, dspy.settings.lm is marker), list(range(6)))
    assert seen == [(i, True) for i in range(6)]


def test_map_surfaces_a_crash_in_the_caller():
    ctx = context(default_sandbox())

    def boom(i):
        if i == 3:
            raise KeyError("bug")
        return i

    with pytest.raises(KeyError):
        ctx.map(boom, list(range(5)))
