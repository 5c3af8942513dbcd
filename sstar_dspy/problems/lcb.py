"""LiveCodeBench ``code_generation_lite`` rows as published on the Hugging Face hub (``test*.jsonl``).

Fields used: ``question_id``, ``question_title``, ``question_content``, ``platform``, ``contest_id``,
``contest_date``, ``difficulty``, ``starter_code``, ``public_test_cases`` (a JSON string),
``private_test_cases`` (base64 -> zlib -> pickle -> JSON string, decoded by
:func:`~sstar_dspy.problems.safe_pickle.decode_private_tests`, which refuses every class) and ``metadata`` (a JSON
string holding ``func_name`` for functional problems). Public tests are the statement examples; private tests are
the hidden tests.

Sources: a local ``.jsonl`` file, a directory holding the hub files (``test.jsonl``, ``test2.jsonl``, ...) filtered
by a version tag, or the hub itself (``lcb:release_v5``; needs ``pip install 'sstar-dspy[datasets]'`` and network or a
filled Hugging Face cache; cached files are used without network, and no network is one error line within
seconds). Version tags follow LiveCodeBench: ``release_vN`` (cumulative), ``release_latest``,
``vN`` (one increment) and ``vA_vB`` (increments A..B).

Example:
    >>> version_files("release_v2"), version_files("v3"), version_files("v2_v3")
    (['test.jsonl', 'test2.jsonl'], ['test3.jsonl'], ['test2.jsonl', 'test3.jsonl'])
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from sstar_dspy.problem import Mode, Problem, ProblemMetadata
from sstar_dspy.problems.errors import ProblemSourceError
from sstar_dspy.problems.hub import fetch_dataset_files
from sstar_dspy.problems.lcb_public import REASON_INTERACTIVE, is_interactive, lcb_test
from sstar_dspy.problems.problemset import Excluded
from sstar_dspy.problems.records import Record, iter_records
from sstar_dspy.problems.safe_pickle import UnsafePickleError, decode_private_tests
from sstar_dspy.problems.signature import method_signature

FORMAT = "lcb"
HUB_REPO = "livecodebench/code_generation_lite"
LATEST = 6

_RANGE = re.compile(r"^v(\d+)(?:_v(\d+))?$")
_RELEASE = re.compile(r"^release_v(\d+)$")


def _file(n: int) -> str:
    return "test.jsonl" if n == 1 else f"test{n}.jsonl"


def version_files(version: str) -> list[str]:
    """The hub files that make up an LCB version tag (raises ProblemSourceError for an unknown tag)."""
    if version == "release_latest":
        return [_file(n) for n in range(1, LATEST + 1)]
    if match := _RELEASE.match(version):
        last = int(match.group(1))
        if 1 <= last <= LATEST:
            return [_file(n) for n in range(1, last + 1)]
    if match := _RANGE.match(version):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if 1 <= first <= last <= LATEST:
            return [_file(n) for n in range(first, last + 1)]
    raise ProblemSourceError(
        f"unknown LiveCodeBench version {version!r}; use release_v1..release_v{LATEST}, release_latest, vN or vA_vB"
    )


def _json_field(record: Record, name: str, kind: type) -> object:
    raw = record.data.get(name)
    if raw is None:
        raise record.error("missing required field", name)
    if isinstance(raw, kind):
        return raw
    if not isinstance(raw, str):
        raise record.error(f"expected a JSON string, got {type(raw).__name__}", name)
    try:
        value = json.loads(raw) if raw.strip() else kind()
    except json.JSONDecodeError as exc:
        raise record.error(f"invalid JSON inside the field ({exc.msg})", name) from None
    if not isinstance(value, kind):
        raise record.error(f"expected a JSON {kind.__name__}, got {type(value).__name__}", name)
    return value


def _private_tests(record: Record) -> list:
    raw = record.data.get("private_test_cases")
    if raw is None:
        raise record.error("missing required field", "private_test_cases")
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, str):
        raise record.error(f"expected a string, got {type(raw).__name__}", "private_test_cases")
    if not raw.strip():
        return []
    try:
        value = decode_private_tests(raw)
    except UnsafePickleError as exc:
        raise record.error(f"refused: {exc}", "private_test_cases") from None
    except ValueError as exc:
        raise record.error(f"cannot decode (base64 -> zlib -> pickle -> JSON): {exc}", "private_test_cases") from None
    if not isinstance(value, list):
        raise record.error(f"decoded tests are {type(value).__name__}, expected a list", "private_test_cases")
    return value


def problem_from_record(record: Record) -> Problem | Excluded:
    """Convert one published LCB row."""
    problem_id = str(record.get("question_id", (str, int)))
    statement = record.get("question_content", str)
    if is_interactive(statement):
        return Excluded(problem_id, REASON_INTERACTIVE)
    raw_public = _json_field(record, "public_test_cases", list)
    public = [lcb_test(t, record, "public_test_cases") for t in raw_public]
    hidden = [lcb_test(t, record, "private_test_cases") for t in _private_tests(record)]
    metadata = _json_field(record, "metadata", dict) if record.data.get("metadata") is not None else {}
    starter = record.get("starter_code", str, default="")
    types = {t.get("testtype") for t in raw_public}
    functional = "functional" in types or bool(metadata.get("func_name"))
    function_name = metadata.get("func_name")
    if functional and not function_name:
        signature = method_signature(starter)
        if signature is None:
            raise record.error("functional problem without func_name or a method in starter_code", "metadata")
        function_name = signature[0]
    date = record.get("contest_date", str, default=None)
    return Problem(
        id=problem_id,
        statement=statement,
        starter_code=starter,
        mode=Mode.FUNCTIONAL if functional else Mode.STDIN,
        function_name=function_name if functional else None,
        public_tests=public,
        hidden_tests=hidden,
        metadata=ProblemMetadata(
            source=FORMAT,
            difficulty=str(record.data["difficulty"]).lower() if record.data.get("difficulty") else None,
            date=date[:10] if date else None,
            platform=record.data.get("platform"),
            extra={
                "title": record.data.get("question_title"),
                "contest_id": record.data.get("contest_id"),
                "contest_date": date,
            },
        ),
    )


def iter_lcb(path: Path, *, version: str | None = None) -> Iterator[Problem | Excluded]:
    """Yield problems from an LCB ``.jsonl`` file, or from a directory of hub files selected by ``version``."""
    for file in lcb_files(path, version):
        for record in iter_records(file):
            yield problem_from_record(record)


def lcb_files(path: Path, version: str | None) -> list[Path]:
    """The files to read: ``path`` itself, or the version's files inside directory ``path``."""
    if not path.is_dir():
        if version is not None:
            raise ProblemSourceError(f"{path}: version={version!r} needs a directory of LCB test*.jsonl files")
        return [path]
    names = version_files(version or "release_latest")
    files = [path / n for n in names if (path / n).exists()]
    missing = [n for n in names if not (path / n).exists()]
    if version is not None and missing:
        raise ProblemSourceError(f"{path}: LCB {version} needs {', '.join(missing)} (not found in the directory)")
    if not files:
        raise ProblemSourceError(f"{path}: no LiveCodeBench test*.jsonl files in this directory")
    return files


def download_lcb(version: str) -> list[Path]:
    """The hub files of an LCB version: from the Hugging Face cache, else downloaded; ProblemSourceError (one line,
    fast) when neither is possible (``HF_HUB_OFFLINE`` set, hub unreachable)."""
    hint = f"download the test*.jsonl files elsewhere and load the directory with version={version!r}"
    return fetch_dataset_files(HUB_REPO, version_files(version), offline_hint=hint)
