"""The run directory: ``manifest.json``, ``records.jsonl`` (append-only), ``run.log`` and ``report/``.

``records.jsonl`` holds one record per problem. When a resume retries problems whose record is an error,
those records first move to ``retried.jsonl`` (the run's history of failed attempts, never rewritten), then
``records.jsonl`` is replaced atomically without them, so nothing is lost and no problem has two records.

Crash safety: each record is one line written with a single ``write`` on an ``O_APPEND`` descriptor and
fsynced, so a record is either fully on disk or absent. A process killed mid-write can leave at most one
partial trailing line; :meth:`RunDirectory.open` cuts it off (that problem simply runs again). The
manifest is replaced atomically (write to a temp file, ``os.replace``). An exclusive ``flock`` stops two
processes from writing the same run.

Example:
    >>> import tempfile
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> d = tempfile.mkdtemp()
    >>> with RunDirectory.open(d) as run:
    ...     run.append(ProblemRecord(problem_id="a", passed=True))
    ...     sorted(run.done_ids())
    ['a']
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from pathlib import Path

from pydantic import ValidationError

from sstar_dspy.errors import SStarError
from sstar_dspy.runs.manifest import RunManifest
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.redact import redact

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
LOG = "run.log"
RETRIED = "retried.jsonl"
INFLIGHT = "inflight.jsonl"
LOCK = ".lock"


class RunDirError(SStarError):
    """A run directory cannot be created, locked, read or written."""


def write_json_atomic(path: Path, payload: dict) -> None:
    """Write JSON to ``path`` atomically (temp file in the same directory, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, sort_keys=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_records(path: str | Path) -> list[ProblemRecord]:
    """Read a records file, skipping a torn final line (logged); raises RunDirError on corrupt lines inside."""
    path = Path(path)
    records: list[ProblemRecord] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(ProblemRecord.model_validate_json(line))
        except ValidationError as exc:
            if number == len(lines):  # torn last line (no trailing newline): the problem will run again
                logger.warning("%s:%d: ignoring an incomplete last record", path, number)
                continue
            msg = exc.errors()[0].get("msg", "invalid record")
            raise RunDirError(f"{path}:{number}: not a run record ({msg}); was this file edited by hand?") from None
    return records


class RunDirectory:
    """An open, locked run directory. Use :meth:`open` (a context manager) to get one."""

    def __init__(self, path: Path, lock_fd: int):
        self.path = path
        self._lock_fd = lock_fd
        self._write_lock = threading.Lock()
        self._records_fd: int | None = None

    @classmethod
    def open(cls, path: str | Path) -> RunDirectory:
        """Create (if needed) and lock a run directory, repairing a torn last record."""
        path = Path(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RunDirError(
                f"{path}: cannot create the run directory ({exc.strerror}); choose another --run-dir"
            ) from None
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock_fd)
            raise RunDirError(
                f"{path}: another sstar process is writing this run; wait for it or use another --run-dir"
            ) from None
        run = cls(path, lock_fd)
        try:
            run._repair_tail()
        except OSError as exc:
            run.close()
            raise RunDirError(f"{path / RECORDS}: cannot repair the records file ({exc.strerror})") from None
        return run

    def __enter__(self) -> RunDirectory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the records file and release the lock."""
        if self._records_fd is not None:
            os.close(self._records_fd)
            self._records_fd = None
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def retried_path(self) -> Path:
        return self.path / RETRIED

    @property
    def inflight_path(self) -> Path:
        return self.path / INFLIGHT

    @property
    def log_path(self) -> Path:
        return self.path / LOG

    def _repair_tail(self) -> None:
        path = self.records_path
        if not path.exists():
            return
        data = path.read_bytes()
        if not data or data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        logger.warning(
            "%s: dropping an incomplete last record (%d bytes) left by an interrupted run", path, len(data) - keep
        )
        with open(path, "r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())

    def read_manifest(self) -> RunManifest | None:
        """The manifest, or None for a new run directory."""
        if not self.manifest_path.exists():
            return None
        try:
            return RunManifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
        except (ValidationError, ValueError):
            raise RunDirError(f"{self.manifest_path}: not an sstar run manifest; use another --run-dir") from None

    def write_manifest(self, manifest: RunManifest) -> None:
        """Replace the manifest atomically (secrets masked)."""
        try:
            write_json_atomic(self.manifest_path, redact(manifest.model_dump(mode="json")))
        except OSError as exc:
            raise RunDirError(f"{self.manifest_path}: cannot write the manifest ({exc.strerror})") from None

    def records(self) -> list[ProblemRecord]:
        """All complete records, in the order they were written."""
        return read_records(self.records_path) if self.records_path.exists() else []

    def done_ids(self, *, retry_errors: bool = False) -> set[str]:
        """Ids of the problems that already have a record (an ``error`` record does not count with ``retry_errors``)."""
        return {r.problem_id for r in self.records() if not (retry_errors and r.status == "error")}

    def retried_records(self) -> list[ProblemRecord]:
        """Failed attempts moved out of ``records.jsonl`` by :meth:`retire_errors`, oldest first."""
        return read_records(self.retried_path) if self.retried_path.exists() else []

    def retire_errors(self, problem_ids: set[str]) -> list[ProblemRecord]:
        """Move the ``error`` records of these problems to ``retried.jsonl`` so they run again; returns them.

        Crash-safe: the history is appended and fsynced before ``records.jsonl`` is replaced atomically; a crash
        in between leaves the records in both files and the next call does not append them twice.
        """
        lines = self.records_path.read_bytes().splitlines(keepends=True) if self.records_path.exists() else []
        keep: list[bytes] = []
        moved: list[bytes] = []
        retire: list[ProblemRecord] = []
        for line in lines:
            if not line.strip():
                continue
            record = ProblemRecord.model_validate_json(line)
            if record.status == "error" and record.problem_id in problem_ids:
                retire.append(record)
                moved.append(line)
            else:
                keep.append(line)
        if not retire:
            return []
        history = self.retried_path.read_bytes() if self.retried_path.exists() else b""
        seen = {line.rstrip(b"\n") for line in history.splitlines()}
        fresh = [line for line in moved if line.rstrip(b"\n") not in seen]
        with self._write_lock:
            try:
                _append_lines(self.retried_path, fresh)
                if self._records_fd is not None:  # it would keep writing to the replaced file
                    os.close(self._records_fd)
                    self._records_fd = None
                tmp = self.records_path.with_name(f".{RECORDS}.{os.getpid()}.tmp")
                with open(tmp, "wb") as fh:
                    fh.write(b"".join(keep))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.records_path)
            except OSError as exc:
                raise RunDirError(f"{self.records_path}: cannot move errored records aside ({exc.strerror})") from None
        return retire

    def append(self, record: ProblemRecord) -> None:
        """Append one record as a single atomic line (secrets masked), fsynced before returning."""
        payload = _record_line(record)
        with self._write_lock:
            if self._records_fd is None:
                self._records_fd = os.open(self.records_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            view = memoryview(payload)
            while view:
                written = os.write(self._records_fd, view)
                view = view[written:]
            os.fsync(self._records_fd)


def _record_line(record: ProblemRecord) -> bytes:
    """One record as a JSONL line (secrets masked)."""
    return (json.dumps(redact(record.model_dump(mode="json")), ensure_ascii=False) + "\n").encode("utf-8")


def _append_lines(path: Path, lines: list[bytes]) -> None:
    """Append lines with one ``write`` on an ``O_APPEND`` descriptor, fsynced."""
    if not lines:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(b"".join(lines))
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
