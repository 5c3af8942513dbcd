"""Deprecated import path: this module moved to :mod:`sstar_dspy.optimize.comparison`, which it re-exports."""

from sstar_dspy.optimize.comparison import *  # noqa: F403
