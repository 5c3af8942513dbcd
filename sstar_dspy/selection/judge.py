"""The paper's "LLM judge" baseline (Table 3): S* selection without input synthesis.

Candidates are clustered on generated inputs exactly as in :class:`AdaptiveSelector`, and
cluster representatives duel, but the judge only sees both programs' real outputs on the
generated inputs that separate them; no distinguishing inputs are synthesised.

Example:
    >>> JudgeSelector().synthesize_inputs
    False
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.selection.adaptive import AdaptiveSelector

__all__ = ["JudgeSelector"]


@dataclass
class JudgeSelector(AdaptiveSelector):
    """Adaptive selection with ``synthesize_inputs=False`` (see the module docstring)."""

    synthesize_inputs: bool = False
    name: str = "judge"
