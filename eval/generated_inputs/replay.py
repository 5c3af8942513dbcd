"""Replay recorded LM-written test inputs through today's validation (no LM, no sandbox run).

Reads selection traces of earlier runs (``selection.<method>.test_inputs`` in the records of
``eval/zero_shot_vs_sstar``), loads each problem from the dev suites, and reports how many recorded
inputs the old code would have run as they were (functional: one JSON value per line with the right
arity) and how many :class:`~sstar_dspy.selection.input_format.InputFormat` accepts (after repair), with
the repairs applied and the reasons for refusals. It measures the repair/validation layer only: the
inputs were written under the old prompt, and the all-fail filter needs the candidate pools, which
these records do not keep.

Usage:
    SSTAR_DATA_DIR=/work/shared/data python eval/generated_inputs/replay.py RECORDS.jsonl [...]
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

from sstar_dspy.problems import load_problems
from sstar_dspy.selection.input_format import InputFormat, expand_nested, normalize_all
from sstar_dspy.signatures import TestInput


def main(paths: list[str]) -> None:
    data_dir = os.environ.get("SSTAR_DATA_DIR", "/work/shared/data")
    problems = {
        p.id: p for suite in ("dev-leetcode", "dev-codecontests") for p in load_problems(suite, data_dir=data_dir)
    }
    counts: Counter[tuple[str, str]] = Counter()
    reasons: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for path in paths:
        for line in open(path, encoding="utf-8"):
            record = json.loads(line)
            problem = problems.get(record["problem_id"])
            for selection in (record.get("selection") or {}).values():
                for written in selection.get("test_inputs") or []:
                    key = (record["problem_id"], written["input"])
                    if problem is None or key in seen:
                        continue
                    seen.add(key)
                    mode = problem.mode.value
                    fmt = InputFormat.of(problem)
                    counts[(mode, "recorded")] += 1
                    counts[(mode, "old: ran as written")] += _old_ok(written["input"], fmt)
                    items = expand_nested([TestInput(input=written["input"])])
                    valid, dropped = normalize_all(fmt, items, source="generated")
                    counts[(mode, "items (nested ones unpacked)")] += len(items)
                    counts[(mode, "new: valid")] += len(valid)
                    for v in valid:
                        if v.repair is not None:
                            counts[(mode, f"  repaired: {v.repair}")] += 1
                    for d in dropped:
                        reasons[f"{mode}: {d.reason.split(',')[0][:70]}"] += 1
    for (mode, what), n in sorted(counts.items()):
        print(f"{mode:10} {what:32} {n}")
    print("refusals:")
    for reason, n in reasons.most_common(12):
        print(f"  {n:3}  {reason}")


def _old_ok(text: str, fmt: InputFormat) -> bool:
    if fmt.params is None:  # stdin: the old code ran any text
        return True
    try:
        values = [json.loads(line) for line in text.split("\n") if line.strip()]
    except ValueError:
        return False
    return len(values) == len(fmt.params)


if __name__ == "__main__":
    main(sys.argv[1:])
