"""Reading raw records from JSON / JSONL files (optionally gzip-compressed), keeping file and line for errors.

Nothing here executes anything: files are parsed with :mod:`json` only.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.jsonl").write_text('{"x": 1}\\n\\n{"x": 2}\\n')
    >>> [(r.line, r.data["x"]) for r in iter_records(d / "a.jsonl")]
    [(1, 1), (3, 2)]
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sstar_dspy.problems.errors import ProblemFormatError, ProblemSourceError

T = TypeVar("T")

_MISSING = object()


@dataclass(frozen=True)
class Record:
    """One raw record and where it came from (``line`` is 1-based)."""

    data: dict[str, Any]
    path: Path
    line: int

    def error(self, message: str, field: str | None = None) -> ProblemFormatError:
        """A ProblemFormatError pointing at this record (and field)."""
        return ProblemFormatError(message, path=str(self.path), line=self.line, field=field)

    def get(self, name: str, kind: type[T] | tuple[type, ...], *, default: Any = _MISSING) -> T:
        """Return field ``name`` checked to be of ``kind``; a missing or mistyped field raises ProblemFormatError."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING or (value is None and default is not _MISSING):
            if default is _MISSING:
                raise self.error("missing required field", name)
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(f"expected {expected}, got {type(value).__name__}", name)
        return value


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def is_jsonl(path: Path) -> bool:
    """True for ``*.jsonl`` / ``*.jsonl.gz`` (one JSON value per line)."""
    name = path.name.lower()
    return name.endswith(".jsonl") or name.endswith(".jsonl.gz")


def check_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file, else raise ProblemSourceError with a fix."""
    if not path.exists():
        raise ProblemSourceError(f"{path}: no such file; pass an existing problem file, a suite name or example:NAME")
    if not path.is_file():
        raise ProblemSourceError(f"{path}: not a file")
    return path


def iter_records(path: Path) -> Iterator[Record]:
    """Yield the JSON objects of a JSONL file (one per non-blank line) or of a JSON file (an array or one object)."""
    check_file(path)
    try:
        if is_jsonl(path):
            yield from _iter_jsonl(path)
        else:
            yield from _iter_json(path)
    except UnicodeDecodeError as exc:
        raise ProblemFormatError(f"not UTF-8 text ({exc.reason}); save the file as UTF-8", path=str(path)) from None
    except (OSError, EOFError) as exc:
        raise ProblemFormatError(f"cannot read file: {exc}", path=str(path)) from None


def _iter_jsonl(path: Path) -> Iterator[Record]:
    with _open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ProblemFormatError(
                    f"invalid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object",
                    path=str(path),
                    line=number,
                ) from None
            if not isinstance(data, dict):
                raise ProblemFormatError(
                    f"expected a JSON object, got {type(data).__name__}", path=str(path), line=number
                )
            yield Record(data, path, number)


def _iter_json(path: Path) -> Iterator[Record]:
    with _open_text(path) as handle:
        text = handle.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemFormatError(
            f"invalid JSON ({exc.msg} at column {exc.colno})", path=str(path), line=exc.lineno
        ) from None
    if isinstance(data, dict):
        yield Record(data, path, 1)
        return
    if not isinstance(data, list):
        raise ProblemFormatError(f"expected a JSON array of objects, got {type(data).__name__}", path=str(path), line=1)
    lines = _element_lines(text, len(data))
    for item, line in zip(data, lines, strict=True):
        if not isinstance(item, dict):
            raise ProblemFormatError(f"expected a JSON object, got {type(item).__name__}", path=str(path), line=line)
        yield Record(item, path, line)


def _element_lines(text: str, count: int) -> list[int]:
    """1-based line on which each top-level array element starts (re-scans the text with raw_decode)."""
    decoder = json.JSONDecoder()
    lines: list[int] = []
    pos = text.index("[") + 1
    line = 1 + text.count("\n", 0, pos)
    for _ in range(count):
        while text[pos] in " \t\r\n,":
            if text[pos] == "\n":
                line += 1
            pos += 1
        lines.append(line)
        _, end = decoder.raw_decode(text, pos)
        line += text.count("\n", pos, end)
        pos = end
    return lines
