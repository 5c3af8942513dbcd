"""Deprecated import path: this module moved to :mod:`sstar_dspy.optimize.run`, which it re-exports."""

from sstar_dspy.optimize.run import *  # noqa: F403
