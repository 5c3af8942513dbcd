"""Compare runs of prompt variants: pass@1 (Wilson interval), paired bootstrap intervals of each difference, cost.

Runs are paired by problem id. Only problems graded in every run are compared (a problem that is
not gradable has ``passed=None``; an errored problem counts as failed, as in the run summaries).
Verdicts are graded on all tests, public + hidden, as LiveCodeBench, unless a run opted in to hidden
tests only; the comparison states the rule, and a note flags runs graded under different rules.
Settings that differ between the runs other than the variant (``n``, seeds, model, ...) are
reported as notes, because they make the comparison unpaired in spirit.

Example:
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> from sstar_dspy.runs.summary import Run
    >>> a = Run(None, None, [ProblemRecord(problem_id=p, passed=p in "ab") for p in "abcd"])
    >>> b = Run(None, None, [ProblemRecord(problem_id=p, passed=p in "abc") for p in "abcd"])
    >>> table = compare_runs([a, b], names=["paper", "tuned"], resamples=1000)
    >>> table.rows[1].diff.estimate
    0.25
    >>> table.grading  # records without graded_on: written before it existed, graded on hidden tests only
    "pass@1: graded on hidden tests only (public tests left out; opt-in, not LiveCodeBench's rule)."
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sstar_dspy.errors import SStarError
from sstar_dspy.metric import grading_rule_text
from sstar_dspy.runs.record import RoleUsage
from sstar_dspy.runs.stats import Interval, paired_bootstrap, wilson
from sstar_dspy.runs.summary import Run, grading_rule

logger = logging.getLogger(__name__)

_IGNORED_SETTINGS = {"variant", "variant_sha256"}


class ComparisonError(SStarError):
    """Runs cannot be compared (no problem graded in all of them, or too few runs)."""


def run_scores(run: Run) -> dict[str, float]:
    """Per-problem pass (1.0/0.0) of a run's chosen programs; ungradable problems are left out."""
    scores: dict[str, float] = {}
    for record in run.records:
        if record.status == "error" and record.passed is None:
            continue
        if record.passed is None:
            continue
        scores[record.problem_id] = 1.0 if record.passed and record.status == "ok" else 0.0
    return scores


@dataclass
class ComparisonRow:
    """One variant's line of the comparison.

    Attributes:
        name: Variant (or run) name.
        pass_at_1: pass@1 on the paired problems with its Wilson interval (``runs.stats``: one method per question).
        diff: pass@1 minus the baseline's, paired bootstrap interval (None for the baseline).
        wins: Problems this variant solved and the baseline did not.
        losses: Problems the baseline solved and this variant did not.
        usage: LM usage summed over the paired problems.
        wall_s: Solve wall time summed over the paired problems.
        errors: Paired problems whose solve raised.
    """

    name: str
    pass_at_1: Interval
    diff: Interval | None
    wins: int
    losses: int
    usage: RoleUsage
    wall_s: float
    errors: int

    def to_json(self) -> dict[str, Any]:
        def interval(ci: Interval | None) -> dict[str, float] | None:
            return None if ci is None else {"estimate": ci.estimate, "low": ci.low, "high": ci.high}

        return {
            "name": self.name,
            "pass_at_1": interval(self.pass_at_1),
            "diff_vs_baseline": interval(self.diff),
            "wins": self.wins,
            "losses": self.losses,
            "calls": self.usage.calls,
            "tokens": self.usage.tokens,
            "cost_usd": self.usage.cost_usd,
            "wall_s": round(self.wall_s, 2),
            "errors": self.errors,
        }


@dataclass
class Comparison:
    """The result of :func:`compare_runs`: rows (baseline first), the paired problems, and notes."""

    rows: list[ComparisonRow]
    problem_ids: list[str]
    confidence: float
    resamples: int
    notes: list[str] = field(default_factory=list)
    grading: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.rows[0].name,
            "problems": len(self.problem_ids),
            "problem_ids": self.problem_ids,
            "confidence": self.confidence,
            "resamples": self.resamples,
            "rows": [row.to_json() for row in self.rows],
            "notes": self.notes,
            "grading": self.grading,
        }

    def to_markdown(self) -> str:
        """A Markdown table (pass@1 and differences in percentage points)."""
        pct = int(round(self.confidence * 100))
        head = (
            f"| variant | pass@1 % [{pct}% CI] | diff vs {self.rows[0].name} (pp) [{pct}% CI] | +/- | calls | tokens "
        )
        head += "| cost $ | wall s | errors |"
        lines = [head, "|" + "---|" * 9]
        for row in self.rows:
            diff = "baseline" if row.diff is None else row.diff.format(signed=True, percent=True)
            cost = "-" if row.usage.cost_usd is None else f"{row.usage.cost_usd:.4f}"
            lines.append(
                f"| {row.name} | {row.pass_at_1.format(percent=True)} | {diff} | +{row.wins}/-{row.losses} "
                f"| {row.usage.calls} | {row.usage.tokens} | {cost} | {row.wall_s:.1f} | {row.errors} |"
            )
        lines.append(
            f"\n{len(self.problem_ids)} paired problems; pass@1: Wilson interval; differences: paired bootstrap, "
            f"{self.resamples} resamples."
        )
        if self.grading:
            lines.append(self.grading)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def _settings_notes(runs: Sequence[Run], names: Sequence[str]) -> list[str]:
    notes: list[str] = []
    base = runs[0].manifest
    if base is None:
        return notes
    base_settings = {k: v for k, v in base.settings.items() if k not in _IGNORED_SETTINGS}
    for run, name in zip(runs[1:], names[1:], strict=True):
        if run.manifest is None:
            continue
        other = {k: v for k, v in run.manifest.settings.items() if k not in _IGNORED_SETTINGS}
        diffs = base.config_diff(other, base.data) if other != base_settings else []
        diffs = [d for d in diffs if d.startswith("settings.")]
        if diffs:
            notes.append(f"{name} differs from {names[0]} beyond the variant: {'; '.join(diffs[:5])}")
        if run.manifest.models != base.models:
            notes.append(f"{name} used other models than {names[0]}: {run.manifest.models} vs {base.models}")
    return notes


def compare_runs(
    runs: Sequence[Run],
    *,
    names: Sequence[str] | None = None,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Compare runs problem by problem; the first run is the baseline.

    Raises:
        ComparisonError: Fewer than two runs, or no problem graded in all of them.
    """
    if len(runs) < 2:
        raise ComparisonError("compare needs at least two variants or run directories")
    names = list(names) if names is not None else [run.name for run in runs]
    scores = [run_scores(run) for run in runs]
    common = sorted(set.intersection(*(set(s) for s in scores)))
    if not common:
        raise ComparisonError(
            f"no problem is graded in all of {', '.join(names)}; compare runs over the same suite with hidden tests"
        )
    notes = _settings_notes(runs, names)
    grading, rule_note = _grading(runs, names)
    notes += [rule_note] if rule_note else []
    for name, s in zip(names, scores, strict=True):
        if len(s) > len(common):
            notes.append(f"{name}: {len(s) - len(common)} graded problems not in every run were left out")
    base = [scores[0][pid] for pid in common]
    rows: list[ComparisonRow] = []
    for index, (run, name, s) in enumerate(zip(runs, names, scores, strict=True)):
        values = [s[pid] for pid in common]
        records = {r.problem_id: r for r in run.records}
        paired = [records[pid] for pid in common]
        rows.append(
            ComparisonRow(
                name=name,
                pass_at_1=wilson(round(sum(values)), len(values), confidence=confidence),
                diff=None
                if index == 0
                else paired_bootstrap(base, values, resamples=resamples, confidence=confidence, seed=seed),
                wins=sum(v > b for v, b in zip(values, base, strict=True)),
                losses=sum(v < b for v, b in zip(values, base, strict=True)),
                usage=sum((r.method_total for r in paired), RoleUsage()),  # both stages of a stage split
                wall_s=sum(r.method_wall_s for r in paired),
                errors=sum(r.status == "error" for r in paired),
            )
        )
    return Comparison(
        rows=rows, problem_ids=common, confidence=confidence, resamples=resamples, notes=notes, grading=grading
    )


def _grading(runs: Sequence[Run], names: Sequence[str]) -> tuple[str, str | None]:
    """The sentence naming the grading rule, and a note when the runs were graded under different rules."""
    rules = [grading_rule(run.records) for run in runs]
    if len(set(rules)) == 1:
        return f"pass@1: {grading_rule_text(rules[0]) if rules[0] != 'mixed' else 'graded under mixed rules'}.", None
    each = "; ".join(f"{name}: {rule or 'not recorded'}" for name, rule in zip(names, rules, strict=True))
    return (
        f"pass@1: graded under different rules ({each}).",
        f"the runs were graded under different rules ({each}); re-grade them with `sstar score` before comparing",
    )
