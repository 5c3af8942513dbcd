"""LiveCodeBench's official code-generation prompt, and code extraction from a model's reply.

The texts are LiveCodeBench's generic chat prompt (``lcb_runner/prompts/code_generation.py``:
``PromptConstants.SYSTEM_MESSAGE_GENERIC`` and ``get_generic_question_template_answer``), so a
baseline built on :func:`lcb_messages` is the plain prompt LiveCodeBench's leaderboard uses. As in
LiveCodeBench, only ``starter_code`` decides the format block: with starter code the model
completes it, without it the model writes a stdin/stdout program.

Two extractors:

* :func:`lcb_extract_code` is LiveCodeBench's own rule (the lines between the last two lines that
  contain a triple backtick; "" with fewer than two such lines), for a faithful baseline;
* :func:`extract_last_code_block` is the project's tolerant reader (used by the code adapter): the
  last complete fenced Python (or untagged) block, else the last fenced block of any language,
  else an unterminated last fence (a reply cut by ``max_tokens``), else the whole reply if it
  parses as Python, else "".

Example:
    >>> from sstar_dspy.problem import Problem
    >>> p = Problem(id="x", statement="Print the sum of two integers.")
    >>> [m["role"] for m in lcb_messages(p)]
    ['system', 'user']
    >>> print(lcb_user_prompt(p).splitlines()[0])
    ### Question:
    >>> lcb_extract_code("Sure:\\n```python\\nprint(1)\\n```\\nDone.")
    'print(1)'
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

__all__ = [
    "LCB_ANSWER",
    "LCB_FORMAT_STARTER",
    "LCB_FORMAT_STDIN",
    "LCB_SYSTEM",
    "extract_last_code_block",
    "lcb_extract_code",
    "lcb_format_block",
    "lcb_messages",
    "lcb_user_prompt",
]

LCB_SYSTEM = (
    "You are an expert Python programmer. You will be given a question (problem specification) and will generate "
    "a correct Python program that matches the specification and passes all tests."
)
"""LiveCodeBench's ``SYSTEM_MESSAGE_GENERIC``."""

LCB_FORMAT_STARTER = (
    "You will use the following starter code to write the solution to the problem and enclose your code within "
    "delimiters."
)
"""LiveCodeBench's ``FORMATTING_MESSAGE_WITH_STARTER_CODE``."""

LCB_FORMAT_STDIN = (
    "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the "
    "sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it "
    "reads the inputs, runs the algorithm and writes output to STDOUT."
)
"""LiveCodeBench's ``FORMATTING_WITHOUT_STARTER_CODE``."""

LCB_ANSWER = "### Answer: (use the provided format with backticks)\n\n"
"""The last line of LiveCodeBench's user prompt."""

_PLACEHOLDER = "# YOUR CODE HERE"
_FENCE_LINE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+.-]*)[^\n]*$", re.MULTILINE)
_PYTHON_TAGS = ("", "python", "python3", "py", "py3")


def lcb_format_block(starter_code: str) -> str:
    """The ``### Format:`` block of LiveCodeBench's prompt (starter code, or the stdin placeholder).

    Example:
        >>> print(lcb_format_block("def f():\\n    pass"))
        ### Format: You will use the following starter code to write the solution to the problem and enclose your \
code within delimiters.
        ```python
        def f():
            pass
        ```
        <BLANKLINE>
        <BLANKLINE>
    """
    if starter_code:
        return f"### Format: {LCB_FORMAT_STARTER}\n```python\n{starter_code}\n```\n\n"
    return f"### Format: {LCB_FORMAT_STDIN}\n```python\n{_PLACEHOLDER}\n```\n\n"


def lcb_user_prompt(problem: Any) -> str:
    """LiveCodeBench's user prompt for ``problem`` (a :class:`~sstar_dspy.problem.Problem`).

    Example:
        >>> from sstar_dspy.problem import Problem
        >>> text = lcb_user_prompt(Problem(id="x", statement="Read n; print n."))
        >>> text.startswith("### Question:\\nRead n; print n.\\n\\n### Format: Read the inputs from stdin")
        True
        >>> text.endswith("### Answer: (use the provided format with backticks)\\n\\n")
        True
    """
    return f"### Question:\n{problem.statement}\n\n" + lcb_format_block(problem.starter_code or "") + LCB_ANSWER


def lcb_messages(problem: Any) -> list[dict[str, str]]:
    """LiveCodeBench's generic chat prompt for ``problem``: ``[system, user]`` OpenAI-style messages.

    Example:
        >>> from sstar_dspy.problem import Problem
        >>> messages = lcb_messages(Problem(id="x", statement="Read n; print n."))
        >>> messages[0]["content"].startswith("You are an expert Python programmer.")
        True
    """
    return [{"role": "system", "content": LCB_SYSTEM}, {"role": "user", "content": lcb_user_prompt(problem)}]


def lcb_extract_code(text: str | None) -> str:
    """LiveCodeBench's extraction: the lines between the last two lines containing a triple backtick.

    Example:
        >>> lcb_extract_code("```python\\na = 1\\n```\\ntext\\n```python\\nb = 2\\n```")
        'b = 2'
        >>> lcb_extract_code("print(1)")  # no fence: nothing (LiveCodeBench counts it as wrong)
        ''
    """
    lines = (text or "").split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    if len(fences) < 2:
        return ""
    return "\n".join(lines[fences[-2] + 1 : fences[-1]])


def _is_program(text: str) -> bool:
    """Parses as Python and is more than a bare name or constant ("Done", "42" are prose, not programs)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on odd escapes in prose
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    trivial = (ast.Name, ast.Constant)
    return any(not (isinstance(node, ast.Expr) and isinstance(node.value, trivial)) for node in tree.body)


def _fenced_blocks(text: str) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """Complete fenced blocks as (language tag, body), and an unterminated last block if any."""
    blocks: list[tuple[str, str]] = []
    fences = list(_FENCE_LINE.finditer(text))
    i = 0
    while i < len(fences):
        opening = fences[i]
        if i + 1 >= len(fences):
            return blocks, (opening.group(1).lower(), text[opening.end() + 1 :])
        closing = fences[i + 1]
        blocks.append((opening.group(1).lower(), text[opening.end() + 1 : closing.start()]))
        i += 2
    return blocks, None


def extract_last_code_block(text: str | None) -> str:
    """The program in a model reply: the last fenced Python block, with fallbacks (see the module docstring).

    Example:
        >>> extract_last_code_block("```python\\nx = 1\\n```\\nor better:\\n```python\\nx = 2\\n```")
        'x = 2'
        >>> extract_last_code_block("```python\\nx = 1\\n```\\n```text\\n3\\n```")  # prefers the Python block
        'x = 1'
        >>> extract_last_code_block("import sys\\nprint(sys.stdin.read())")  # no fence, but valid Python
        'import sys\\nprint(sys.stdin.read())'
        >>> extract_last_code_block("I cannot solve this.")
        ''
        >>> extract_last_code_block("Done")  # parses, but a bare name is prose
        ''
    """
    if not text or not text.strip():
        return ""
    blocks, unterminated = _fenced_blocks(text)
    python = [body for tag, body in blocks if tag in _PYTHON_TAGS and body.strip()]
    if python:
        return python[-1].strip("\n").rstrip()
    if unterminated is not None and unterminated[0] in _PYTHON_TAGS and unterminated[1].strip():
        return unterminated[1].strip("\n").rstrip()
    other = [body for _, body in blocks if body.strip()]
    if other:
        return other[-1].strip("\n").rstrip()
    stripped = text.strip("\n").rstrip()
    return stripped if "```" not in stripped and _is_program(stripped) else ""
