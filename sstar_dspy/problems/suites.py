"""Named problem suites: the bundled examples, and dev suites built from a data directory.

The data directory is never hard-wired: it comes from the ``data_dir`` argument (the CLI's ``--data-dir``) or the
``SSTAR_DATA_DIR`` environment variable. Dev suites read the files described in the data directory's
``PROVENANCE.md``; their problems are never copied into this repository.

Example:
    >>> [s.name for s in list_suites()]  # doctest: +NORMALIZE_WHITESPACE
    ['examples', 'dev', 'dev-leetcode', 'dev-leetcode-lcb', 'dev-codecontests', 'dev-lcb-public']
    >>> list_examples()[:1]
    ['balanced-brackets']
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sstar_dspy.problem import Problem
from sstar_dspy.problems import codecontests, jsonl, lcb_public, leetcode
from sstar_dspy.problems.errors import ProblemSourceError
from sstar_dspy.problems.problemset import Excluded

DATA_DIR_ENV = "SSTAR_DATA_DIR"
LEETCODE_FILE = "leetcode_contest_deepseek_dev.jsonl"
CODECONTESTS_FILE = "codecontests_test_dev.json"
LCB_PUBLIC_FILE = "lcb_v5_public_only_dev.json"
MATCH_FILE = "lcb_deepseek_match_dev.json"

Items = Iterator["Problem | Excluded"]


@dataclass(frozen=True)
class Suite:
    """A named set of problems.

    Attributes:
        name: What users type (``sstar eval dev-leetcode``).
        description: One line for ``list_suites`` / ``--help``.
        files: Files it reads, relative to the data directory (empty for bundled suites).
        gradable: Whether its problems have hidden tests (False: never report pass rates from it).
    """

    name: str
    description: str
    files: tuple[str, ...]
    build: Callable[[Path], Items]
    gradable: bool = True


def examples_dir() -> Path:
    """The directory holding the bundled example problems (``sstar_dspy/examples``)."""
    return Path(str(resources.files("sstar_dspy") / "examples"))


def list_examples() -> list[str]:
    """Names of the bundled examples, usable as ``example:NAME``."""
    return sorted(p.stem for p in examples_dir().glob("*.jsonl"))


def example_path(name: str) -> Path:
    """The file of bundled example ``name`` (ProblemSourceError listing the examples otherwise)."""
    path = examples_dir() / f"{name}.jsonl"
    if not path.is_file():
        raise ProblemSourceError(f"no bundled example {name!r}; examples: {', '.join(list_examples())}")
    return path


def _examples(_: Path) -> Items:
    for name in list_examples():
        yield from jsonl.iter_jsonl(example_path(name))


def _leetcode_lcb(data: Path, *, only_matched: bool) -> Items:
    overrides = leetcode.lcb_overrides(data / MATCH_FILE, data / LCB_PUBLIC_FILE)
    return leetcode.iter_deepseek(data / LEETCODE_FILE, lcb=overrides, matched_only=only_matched)


def _dev(data: Path) -> Items:
    return itertools.chain(
        _leetcode_lcb(data, only_matched=False), codecontests.iter_codecontests_flat(data / CODECONTESTS_FILE)
    )


SUITES: dict[str, Suite] = {
    s.name: s
    for s in [
        Suite("examples", "the small problems bundled with sstar-dspy (stdin and functional)", (), _examples),
        Suite(
            "dev",
            "dev-leetcode (LCB statements where matched) + dev-codecontests: the mixed scored dev set",
            (LEETCODE_FILE, MATCH_FILE, LCB_PUBLIC_FILE, CODECONTESTS_FILE),
            _dev,
        ),
        Suite(
            "dev-leetcode",
            "DeepSeek LeetCode contest problems, 2023-07..10 (functional, ~97 hidden tests each)",
            (LEETCODE_FILE,),
            lambda d: leetcode.iter_deepseek(d / LEETCODE_FILE),
        ),
        Suite(
            "dev-leetcode-lcb",
            "dev-leetcode problems matched to LiveCodeBench: LCB statement/starter/public tests, DeepSeek hidden tests",
            (LEETCODE_FILE, MATCH_FILE, LCB_PUBLIC_FILE),
            lambda d: _leetcode_lcb(d, only_matched=True),
        ),
        Suite(
            "dev-codecontests",
            "CodeContests test split, first 83 problems (stdin; examples public, rest hidden)",
            (CODECONTESTS_FILE,),
            lambda d: codecontests.iter_codecontests_flat(d / CODECONTESTS_FILE),
        ),
        Suite(
            "dev-lcb-public",
            "LiveCodeBench v5 statements with public tests only: NOT gradable (development only)",
            (LCB_PUBLIC_FILE,),
            lambda d: lcb_public.iter_lcb_public(d / LCB_PUBLIC_FILE),
            gradable=False,
        ),
    ]
}


def list_suites() -> list[Suite]:
    """All named suites, bundled first."""
    return list(SUITES.values())


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The data directory: ``data_dir`` if given, else ``$SSTAR_DATA_DIR``; ProblemSourceError when unset/absent."""
    chosen = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    if not chosen:
        raise ProblemSourceError(f"dev suites need a data directory: pass --data-dir (data_dir=) or set {DATA_DIR_ENV}")
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise ProblemSourceError(f"data directory {path} does not exist; pass --data-dir or set {DATA_DIR_ENV}")
    return path


def suite_files(suite: Suite, data_dir: str | Path | None = None) -> list[Path]:
    """The files a suite reads (checked to exist); bundled suites list their example files."""
    if not suite.files:
        return [example_path(name) for name in list_examples()]
    base = resolve_data_dir(data_dir)
    files = [base / name for name in suite.files]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise ProblemSourceError(f"suite {suite.name!r} needs {', '.join(missing)} in data directory {base}")
    return files
