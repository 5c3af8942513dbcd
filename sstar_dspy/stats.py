"""Deprecated import path: this module moved to :mod:`sstar_dspy.runs.stats`, which it re-exports."""

from sstar_dspy.runs.stats import *  # noqa: F403
