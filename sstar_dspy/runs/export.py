"""``sstar export``: a run's programs in the format other graders read.

``lcb``: what LiveCodeBench's ``lcb_runner.runner.custom_evaluator`` reads with ``--custom_output_file``: a JSON
list of ``{"question_id": ..., "code_list": [program, ...]}``, one object per problem. ``code_list`` holds the
chosen program, or (``all_candidates=True``) every candidate program of the trace in sample order. The question
id is the problem id as loaded; for LiveCodeBench sources that is the dataset's ``question_id``, which the
official runner matches (it sorts both sides by id and zips them, so the run must cover exactly the problems of
the runner's selection).

Example:
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> rec = ProblemRecord(problem_id="abc301_a", program="print(1)")
    >>> lcb_rows([rec])
    [{'question_id': 'abc301_a', 'code_list': ['print(1)']}]
"""

from __future__ import annotations

import json
from pathlib import Path

from sstar_dspy.runs.record import ProblemRecord

__all__ = ["FORMATS", "candidate_programs", "lcb_rows", "write_export"]

FORMATS = ("lcb",)


def candidate_programs(record: ProblemRecord) -> list[str] | None:
    """Every candidate program of the record's trace, in sample order (None when the record has no candidates).

    Example:
        >>> trace = {"problem_id": "p", "candidates": [{"index": 1, "program": "b"}, {"index": 0, "program": "a"}]}
        >>> candidate_programs(ProblemRecord(problem_id="p", trace=trace))
        ['a', 'b']
    """
    candidates = (record.trace or {}).get("candidates") or []
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: int(c.get("index", 0)))
    return [str(c.get("program") or "") for c in ordered]


def lcb_rows(records: list[ProblemRecord], *, all_candidates: bool = False) -> list[dict]:
    """LiveCodeBench custom-output rows, sorted by question id (records without candidates keep their chosen
    program under ``all_candidates``)."""
    rows = []
    for record in sorted(records, key=lambda r: r.problem_id):
        programs = candidate_programs(record) if all_candidates else None
        rows.append({"question_id": record.problem_id, "code_list": programs or [record.program]})
    return rows


def write_export(records: list[ProblemRecord], out: Path, *, fmt: str = "lcb", all_candidates: bool = False) -> Path:
    """Write the export file (JSON) and return its path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = lcb_rows(records, all_candidates=all_candidates)
    out.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out
