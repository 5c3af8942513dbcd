"""Deprecated import path: this module moved to :mod:`sstar_dspy.optimize.demo_filter`, which it re-exports."""

from sstar_dspy.optimize.demo_filter import *  # noqa: F403
