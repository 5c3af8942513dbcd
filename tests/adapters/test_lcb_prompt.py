"""LiveCodeBench's plain prompt and the two code extractors."""

from sstar_dspy.adapters.lcb_prompt import (
    LCB_SYSTEM,
    extract_last_code_block,
    lcb_extract_code,
    lcb_messages,
    lcb_user_prompt,
)
from sstar_dspy.problem import Mode, Problem

STDIN = Problem(id="s", statement="Read a and b; print a + b.")
FUNCTIONAL = Problem(
    id="f",
    statement="Return a + b.",
    mode=Mode.FUNCTIONAL,
    function_name="add",
    starter_code="class Solution:\n    def add(self, a: int, b: int) -> int:\n        ",
)


def test_stdin_prompt_is_lcb_verbatim():
    assert lcb_user_prompt(STDIN) == (
        "### Question:\nRead a and b; print a + b.\n\n"
        "### Format: Read the inputs from stdin solve the problem and write the answer to stdout (do not directly "
        "test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python "
        "program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.\n"
        "```python\n# YOUR CODE HERE\n```\n\n"
        "### Answer: (use the provided format with backticks)\n\n"
    )


def test_starter_prompt_is_lcb_verbatim():
    assert lcb_user_prompt(FUNCTIONAL) == (
        "### Question:\nReturn a + b.\n\n"
        "### Format: You will use the following starter code to write the solution to the problem and enclose your "
        "code within delimiters.\n"
        f"```python\n{FUNCTIONAL.starter_code}\n```\n\n"
        "### Answer: (use the provided format with backticks)\n\n"
    )


def test_messages_are_system_then_user():
    messages = lcb_messages(STDIN)
    assert messages == [{"role": "system", "content": LCB_SYSTEM}, {"role": "user", "content": lcb_user_prompt(STDIN)}]
    assert LCB_SYSTEM.startswith("You are an expert Python programmer. You will be given a question")


def test_lcb_extract_matches_lcb_rule():
    reply = "Plan.\n```python\na = 1\n```\nThen:\n```python\nimport sys\nprint(2)\n```\nBye"
    assert lcb_extract_code(reply) == "import sys\nprint(2)"
    assert lcb_extract_code("```python\nunterminated") == ""
    assert lcb_extract_code("") == "" and lcb_extract_code(None) == ""


def test_tolerant_extractor():
    assert extract_last_code_block("a\n```python\nx = 1\n```\nb\n```py\nx = 2\n```\n") == "x = 2"
    assert extract_last_code_block("```\nx = 3\n```") == "x = 3"  # untagged counts as Python
    assert extract_last_code_block("```python\nx = 1\n```\n```bash\nls\n```") == "x = 1"
    assert extract_last_code_block("```cpp\nint main(){}\n```") == "int main(){}"  # only other languages: last one
    assert extract_last_code_block("Idea first.\n```python\nx = 1\ny = 2") == "x = 1\ny = 2"  # cut by max_tokens
    assert extract_last_code_block("n = int(input())\nprint(n)") == "n = int(input())\nprint(n)"
    assert extract_last_code_block("The answer is simple: add them.") == ""
    assert extract_last_code_block("") == "" and extract_last_code_block(None) == ""
    # code keeps its indentation and inner backticks in strings
    code = "def f():\n    return '`'\n\nprint(f())"
    assert extract_last_code_block(f"```python\n{code}\n```") == code
