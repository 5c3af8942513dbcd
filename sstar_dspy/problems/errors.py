"""Errors raised while finding or reading problems.

``ProblemFormatError`` (shared, in :mod:`sstar_dspy.errors`) means the content is malformed and names file, line
and field. ``ProblemSourceError`` means the source itself cannot be used: a missing file, an unknown suite or
format, an absent data directory, or a hub download that is not possible offline.

Example:
    >>> str(ProblemSourceError("no such suite 'dev-x'; known suites: dev-leetcode"))
    "no such suite 'dev-x'; known suites: dev-leetcode"
"""

from __future__ import annotations

from sstar_dspy.errors import ProblemFormatError, SStarError

__all__ = ["ProblemFormatError", "ProblemSourceError"]


class ProblemSourceError(SStarError):
    """A problem source (file, suite, data directory, hub dataset) cannot be found or used."""
