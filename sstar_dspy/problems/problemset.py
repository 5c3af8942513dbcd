"""The result of loading problems: the problems, the ones excluded (with reasons) and the files read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, overload

from sstar_dspy.problem import Problem


class Excluded(NamedTuple):
    """A problem left out of a set, and why (e.g. interactive, no hidden tests)."""

    id: str
    reason: str


@dataclass
class ProblemSet(Sequence[Problem]):
    """An ordered, read-only collection of problems plus an account of what was left out.

    Attributes:
        name: The suite name or the path the problems came from.
        problems: The loaded problems, in source order.
        excluded: Problems that were not loaded, each with a stated reason.
        files: Every data file that was read (for manifests / checksums).
        notes: Caveats that apply to the whole set (e.g. "public tests only: not gradable").

    Example:
        >>> from sstar_dspy.problem import TestCase
        >>> p = Problem(id="a", statement="s", hidden_tests=[TestCase(input="1\\n", output="1\\n")])
        >>> ps = ProblemSet(name="demo", problems=[p], excluded=[Excluded("b", "interactive")])
        >>> len(ps), ps[0].id, ps.gradable, ps.excluded[0].reason
        (1, 'a', True, 'interactive')
        >>> ps.counts()["mode"]
        {'stdin': 1}
    """

    name: str
    problems: list[Problem] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @overload
    def __getitem__(self, index: int) -> Problem: ...
    @overload
    def __getitem__(self, index: slice) -> list[Problem]: ...
    def __getitem__(self, index: int | slice) -> Problem | list[Problem]:
        return self.problems[index]

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def by_id(self, problem_id: str) -> Problem:
        """Return the problem with this id (KeyError if absent)."""
        for problem in self.problems:
            if problem.id == problem_id:
                return problem
        raise KeyError(problem_id)

    @property
    def gradable(self) -> bool:
        """True when every problem has hidden tests with expected outputs (pass rates are honest)."""
        return bool(self.problems) and all(p.gradable for p in self.problems)

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts by mode, by difficulty ("unknown" when not recorded), and of exclusion reasons."""
        return {
            "mode": dict(Counter(p.mode.value for p in self.problems)),
            "difficulty": dict(Counter(p.metadata.difficulty or "unknown" for p in self.problems)),
            "gradable": dict(Counter("yes" if p.gradable else "no" for p in self.problems)),
            "excluded": dict(Counter(e.reason for e in self.excluded)),
        }

    def summary(self) -> str:
        """One line: name, problem count, modes, difficulties, exclusions."""
        c = self.counts()
        parts = [f"{self.name}: {len(self)} problems", f"mode {c['mode']}", f"difficulty {c['difficulty']}"]
        if self.excluded:
            parts.append(f"excluded {len(self.excluded)} {c['excluded']}")
        return "; ".join(parts)
