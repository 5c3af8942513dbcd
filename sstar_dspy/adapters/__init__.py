"""How ``generate`` and ``debug`` ask for code: LiveCodeBench's plain prompt and a code-native DSPy adapter.

* :mod:`sstar_dspy.adapters.lcb_prompt`: LiveCodeBench's official generation prompt for a
  :class:`~sstar_dspy.problem.Problem` and its code extraction (the plain-prompt baseline).
* :mod:`sstar_dspy.adapters.code`: :class:`CodeAdapter`, a ``dspy.Adapter`` that renders a code-writing
  signature like that prompt (system = the instruction) and reads the last fenced block.
* :mod:`sstar_dspy.adapters.forms`: the prompt forms SStar offers (``chat``, ``code``, ``code-reasoning``).

Example:
    >>> from sstar_dspy.adapters import PromptForm, extract_last_code_block
    >>> extract_last_code_block("Idea.\\n```python\\nprint(1)\\n```")
    'print(1)'
    >>> [form.value for form in PromptForm]
    ['chat', 'code', 'code-reasoning']
"""

from sstar_dspy.adapters.code import CodeAdapter
from sstar_dspy.adapters.forms import DEFAULT_FORM, CodePredict, PromptForm, code_predictors, parse_form
from sstar_dspy.adapters.lcb_prompt import extract_last_code_block, lcb_extract_code, lcb_messages, lcb_user_prompt

__all__ = [
    "DEFAULT_FORM",
    "CodeAdapter",
    "CodePredict",
    "PromptForm",
    "code_predictors",
    "extract_last_code_block",
    "lcb_extract_code",
    "lcb_messages",
    "lcb_user_prompt",
    "parse_form",
]
