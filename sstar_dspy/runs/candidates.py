"""Candidate JSONL: the hand-off between ``sstar generate`` and ``sstar select`` (or another system).

One line per candidate: the :class:`~sstar_dspy.candidate.Candidate` fields plus ``problem_id``.
``sstar generate`` also writes ``batch_size`` (the problem's number of candidates) so a block torn by a
crash is detected and regenerated; files from other systems may give just ``problem_id`` and ``program``
(``index`` defaults to the line's position within its problem, ``source`` to ``"external"``).

Example:
    >>> import tempfile, pathlib
    >>> from sstar_dspy.candidate import Candidate
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> append_candidates(path, "p1", [Candidate(index=0, program="print(1)")])
    >>> {pid: [c.program for c in cs] for pid, cs in read_candidates(path).items()}
    {'p1': ['print(1)']}
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from pydantic import ValidationError

from sstar_dspy.candidate import Candidate
from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.runs.redact import redact

logger = logging.getLogger(__name__)


def append_candidates(path: str | Path, problem_id: str, candidates: list[Candidate]) -> None:
    """Append all candidates of one problem with one ``write`` (a crash leaves the block whole or torn)."""
    lines = []
    for cand in candidates:
        row = {"problem_id": problem_id, "batch_size": len(candidates), **cand.model_dump(mode="json")}
        lines.append(json.dumps(redact(row), ensure_ascii=False))
    payload = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def read_candidates(path: str | Path, *, drop_incomplete: bool = True) -> dict[str, list[Candidate]]:
    """Candidates grouped by problem id, in file order.

    Raises:
        ProblemFormatError: A line is not JSON or lacks ``problem_id``/``program`` (one line: file:line: field).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemFormatError("no such candidates file; run `sstar generate` first", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemFormatError(f"cannot read candidates ({exc})", path=str(path)) from None
    groups: dict[str, list[Candidate]] = {}
    expected: dict[str, int] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # torn last line of an interrupted `sstar generate`
                logger.warning("%s:%d: ignoring an incomplete last line", path, number)
                continue
            raise ProblemFormatError(f"not JSON ({exc.msg})", path=str(path), line=number) from None
        if not isinstance(row, dict):
            raise ProblemFormatError("expected a JSON object per line", path=str(path), line=number)
        for name in ("problem_id", "program"):
            if not isinstance(row.get(name), str):
                raise ProblemFormatError("missing or not a string", path=str(path), line=number, field=name)
        pid = row.pop("problem_id")
        if "batch_size" in row:
            expected[pid] = int(row.pop("batch_size"))
        row.setdefault("index", len(groups.get(pid, [])))
        row.setdefault("source", "external")
        try:
            groups.setdefault(pid, []).append(Candidate.model_validate(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err.get("loc", ()))
            raise ProblemFormatError(err.get("msg", "invalid"), path=str(path), line=number, field=field) from None
    if drop_incomplete:
        for pid, size in expected.items():
            if len(groups.get(pid, [])) < size:
                logger.warning("%s: problem %s has %d of %d candidates; ignoring it", path, pid, len(groups[pid]), size)
                groups.pop(pid, None)
    return groups


def repair_candidates_file(path: str | Path) -> None:
    """Cut a torn last line and drop incomplete problem blocks left by a crash (rewrites atomically)."""
    path = Path(path)
    if not path.exists():
        return
    complete = read_candidates(path)
    rows = []
    for pid, cands in complete.items():
        for cand in cands:
            rows.append(json.dumps({"problem_id": pid, "batch_size": len(cands), **cand.model_dump(mode="json")}))
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    os.replace(tmp, path)
