import dspy
import pytest

from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.runs.cost import dollars_to_tokens, is_local, usage_cost
from sstar_dspy.runs.session import ConfigMismatchError, precheck, run_eval
from sstar_dspy.runs.solve import solve_fn, usage_from_trace

GOOD = "a, b = map(int, input().split())\nprint(a + b)"
PROBLEM = Problem(
    id="sum",
    statement="a+b",
    public_tests=[TestCase(input="1 2\n", output="3\n")],
    hidden_tests=[TestCase(input="2 2\n", output="4\n"), TestCase(input="5 5\n", output="10\n")],
)


class Fixed(dspy.Module):
    """Returns a fixed answer and trace, like SStar would."""

    def __init__(self, program, candidates, errors=()):
        super().__init__()
        self.answer, self.cands, self.errors = program, candidates, list(errors)

    def forward(self, problem):
        from sstar_dspy.candidate import Candidate

        cands = [Candidate(index=i, program=p) for i, p in enumerate(self.cands)]
        trace = {
            "usage": {"generator": {"calls": 2, "prompt_tokens": 1000, "completion_tokens": 500}},
            "errors": self.errors,
            "budget_stop": None,
        }
        return dspy.Prediction(program=self.answer, candidates=cands, trace=trace)


def test_record_grades_choice_and_every_candidate():
    record = solve_fn(Fixed(GOOD, ["print(0)", GOOD]), models={"generator": "openai/gpt-4o-mini"})(PROBLEM, 3)
    assert (record.passed, record.hidden_passed, record.hidden_total, record.index) == (True, 2, 2, 3)
    assert record.candidates_passed == [False, True]
    assert record.usage["generator"].calls == 2 and record.total.cost_usd == pytest.approx(
        usage_cost("openai/gpt-4o-mini", 1000, 500)
    )


def test_errors_without_a_program_make_an_error_record():
    record = solve_fn(Fixed("", [""], errors=["generate call failed: TimeoutError: slow"]))(PROBLEM, 0)
    assert record.status == "error" and record.passed is False and "TimeoutError" in record.error
    recovered = solve_fn(Fixed(GOOD, [GOOD], errors=["debug call failed: x"]))(PROBLEM, 0)
    assert recovered.status == "ok" and recovered.passed is True and recovered.error.startswith("1 errors")


def test_first_failure_is_reported_and_clipped():
    wrong = "print('x' * 1000)"
    record = solve_fn(Fixed(wrong, [wrong]))(PROBLEM, 0)
    assert record.passed is False and record.first_failure["status"] == "wrong_answer"
    assert len(record.first_failure["actual"]) < 300


def test_costs_only_for_priced_models():
    assert is_local("embedded") and is_local("py:x:y") and is_local("/m/q.gguf") and not is_local("openai/gpt-4o")
    assert usage_cost("embedded", 10, 10) is None
    assert dollars_to_tokens("openai/gpt-4o-mini", 1.0) > 1000
    assert usage_from_trace({"usage": {"judge": {"calls": 1, "prompt_tokens": 5}}}, {"judge": "x"})["judge"].calls == 1


def test_precheck_refuses_before_anything_runs(tmp_path):
    run_eval([PROBLEM], run_dir=tmp_path / "r", program=Fixed(GOOD, [GOOD]), settings={"n": 1})
    precheck(tmp_path / "r", settings={"n": 1}, data=_data(), kind="eval")
    with pytest.raises(ConfigMismatchError, match="kind: eval -> score"):
        precheck(tmp_path / "r", settings={"n": 1}, data=_data(), kind="score")


def _data():
    from sstar_dspy.runs.session import data_block

    return data_block([PROBLEM], source="<python>")


def test_pricing_reads_litellm_prices_without_importing_litellm():
    import subprocess
    import sys

    code = (
        "import sys; from sstar_dspy.runs.cost import token_prices; "
        "p = token_prices('openai/gpt-4o-mini'); assert p and p[0] > 0, p; "
        "assert 'litellm' not in sys.modules, 'imported litellm (15 s on a busy machine)'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
