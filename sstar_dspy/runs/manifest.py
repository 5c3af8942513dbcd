"""The run manifest: what produced a run directory, so results can be reproduced and resumed safely.

``settings`` and ``data`` are the run's *config*: resuming compares them with the current command and
refuses a mismatch (mixing records of two configs would corrupt the numbers). Resource knobs that do not
change results (concurrency, the per-run budget, ``--limit``) live in ``runtime`` and may change.

Example:
    >>> m = RunManifest.create(command=["sstar", "eval"], settings={"n": 4}, data={"source": "x"}, models={})
    >>> m.config_diff({"n": 8}, {"source": "x"})
    ['settings.n: 4 -> 8']
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

MANIFEST_SCHEMA_VERSION = 1
_PACKAGES = ("sstar-dspy", "dspy", "litellm", "pydantic", "xllamacpp")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape results (missing ones are left out)."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def canonical_hash(value: Any) -> str:
    """Short SHA-256 of a JSON value in canonical form (sorted keys)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Session(BaseModel):
    """One invocation that wrote to the run (the first run, then each resume)."""

    started_at: str = Field(default_factory=_now)
    finished_at: str | None = None
    completed: int = 0
    errored: int = 0
    retried: int = 0
    stopped_by: str | None = None
    budget_overshoot: str | None = None


class RunManifest(BaseModel):
    """Everything needed to reproduce a run and to check that a resume continues the same run.

    Attributes:
        run_id: Stable id (config hash plus creation time).
        command: The command line, with secret values masked.
        versions: Python, platform and package versions.
        models: Model id per role (no keys, no api_base credentials).
        settings: Method, preset or variant (with its sha256), n, rounds, selector, temperatures, seeds,
            per-problem budget, sandbox limits: every setting that changes results.
        data: Problem source, data-file sha256s, problem count and a hash of the problem ids.
        runtime: Concurrency, per-run budget and --limit (may change between sessions).
        config_hash: ``canonical_hash({"settings": settings, "data": data})``.
        sessions: One entry per invocation.
    """

    schema_version: int = MANIFEST_SCHEMA_VERSION
    kind: str = "eval"
    run_id: str
    created_at: str = Field(default_factory=_now)
    command: list[str] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=package_versions)
    models: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)
    runtime: dict[str, Any] = Field(default_factory=dict)
    config_hash: str
    sessions: list[Session] = Field(default_factory=list)

    @classmethod
    def create(
        cls,
        *,
        command: list[str],
        settings: dict[str, Any],
        data: dict[str, Any],
        models: dict[str, str],
        runtime: dict[str, Any] | None = None,
        kind: str = "eval",
    ) -> RunManifest:
        """Build a new manifest; ``settings`` and ``data`` must be JSON-serialisable."""
        config_hash = canonical_hash({"settings": settings, "data": data})
        run_id = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{config_hash[:8]}"
        return cls(
            kind=kind,
            run_id=run_id,
            command=command,
            models=models,
            settings=settings,
            data=data,
            runtime=runtime or {},
            config_hash=config_hash,
        )

    def config_diff(self, settings: dict[str, Any], data: dict[str, Any]) -> list[str]:
        """Human-readable differences between this run's config and another one (empty when equal)."""
        diffs: list[str] = []
        for section, old, new in (("settings", self.settings, settings), ("data", self.data, data)):
            old_j, new_j = json.loads(json.dumps(old, default=str)), json.loads(json.dumps(new, default=str))
            for key in sorted(set(old_j) | set(new_j)):
                if old_j.get(key) != new_j.get(key):
                    diffs.append(f"{section}.{key}: {_short(old_j.get(key))} -> {_short(new_j.get(key))}")
        return diffs


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."
