"""Deprecated import path: this module moved to :mod:`sstar_dspy.optimize.variant_eval`, which it re-exports."""

from sstar_dspy.optimize.variant_eval import *  # noqa: F403
