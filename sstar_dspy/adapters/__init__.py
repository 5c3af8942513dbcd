"""Prompt forms for the code-writing predictors: LiveCodeBench's plain prompt and a code-native DSPy adapter.

* :mod:`sstar_dspy.adapters.lcb_prompt`: LiveCodeBench's official generation prompt for a
  :class:`~sstar_dspy.problem.Problem` and its code extraction (the plain-prompt baseline).

Example:
    >>> from sstar_dspy.adapters import extract_last_code_block
    >>> extract_last_code_block("Idea.\\n```python\\nprint(1)\\n```")
    'print(1)'
"""

from sstar_dspy.adapters.lcb_prompt import extract_last_code_block, lcb_extract_code, lcb_messages, lcb_user_prompt

__all__ = ["extract_last_code_block", "lcb_extract_code", "lcb_messages", "lcb_user_prompt"]
