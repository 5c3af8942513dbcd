"""problem_from_text: examples in a plain statement become public tests (three common layouts)."""

import pytest

from sstar_dspy.problem import Mode
from sstar_dspy.problems import ProblemSourceError, load_problems
from sstar_dspy.problems.text import extract_examples, problem_from_text

CODEFORCES_STYLE = """Print the sum.

Input

The first line holds n, then n numbers.

Output

Print one number.

Examples

Input


2
1 2


Output


3


Input


1
5


Output


5

Note

The first example sums 1 and 2.
"""

ATCODER_STYLE = (
    "Print twice N.Sample Input 1:\n4\n\nSample Output 1:\n\n8\n\nTwice 4 is 8.\n\n"
    "Sample Input 2:\n\n0\n\n\nSample Output 2:\n0\n"
)

LEETCODE_STYLE = "Add.\n\nExample 1:\nInput: 3 4\nOutput: 7\nExplanation: 3 + 4.\n\nConstraints:\n1 <= a, b"


def pairs(tests):
    return [(t.input, t.output) for t in tests]


def test_codeforces_layout_skips_the_format_sections():
    assert pairs(extract_examples(CODEFORCES_STYLE)) == [("2\n1 2\n", "3\n"), ("1\n5\n", "5\n")]


def test_atcoder_layout_with_headings_mid_line_and_explanations_after_outputs():
    assert pairs(extract_examples(ATCODER_STYLE)) == [("4\n", "8\n"), ("0\n", "0\n")]


def test_inline_layout():
    assert pairs(extract_examples(LEETCODE_STYLE)) == [("3 4\n", "7\n")]


def test_problem_from_text_is_a_stdin_problem_that_is_not_gradable():
    problem = problem_from_text(CODEFORCES_STYLE, id="sum")
    assert problem.id == "sum" and problem.mode is Mode.STDIN and problem.statement.startswith("Print the sum.")
    assert len(problem.public_tests) == 2 and not problem.gradable
    assert problem_from_text("No examples at all.").public_tests == []
    with pytest.raises(ProblemSourceError, match="empty"):
        problem_from_text(" \n")


@pytest.mark.slow
def test_examples_found_in_real_statements_match_the_recorded_public_tests(data_dir):
    def norm(text):
        return " ".join(text.split())

    agree = total = 0
    for problem in load_problems("dev-lcb-public", data_dir=data_dir):
        if problem.mode is Mode.STDIN:
            total += 1
            found = [(norm(t.input), norm(t.output)) for t in extract_examples(problem.statement)]
            agree += found == [(norm(t.input), norm(t.output)) for t in problem.public_tests]
    assert total == 321 and agree >= 315, f"{agree}/{total}"
    codecontests = load_problems("dev-codecontests", data_dir=data_dir, require_hidden=False)
    for problem in codecontests:  # statement order can differ from the test order
        found = sorted(norm(t.input) for t in extract_examples(problem.statement))
        assert found == sorted(norm(t.input) for t in problem.public_tests), problem.id


MARKDOWN_STYLE = """# Sum

## Input
One line with a and b.

## Output
Their sum.

## Examples

Input:
```text
1 2
```
Output:
```
3
```

Input: `5 5`
Output: `10`

The second example shows equal numbers.
"""


def test_markdown_headings_fences_and_inline_code_are_not_part_of_the_tests():
    tests = extract_examples(MARKDOWN_STYLE)
    assert [(t.input, t.output) for t in tests] == [("1 2\n", "3\n"), ("5 5\n", "10\n")]
