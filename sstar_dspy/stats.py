"""Deprecated import path: this module moved to :mod:`sstar_dspy.optimize.stats`, which it re-exports."""

from sstar_dspy.optimize.stats import *  # noqa: F403
