"""Summaries of finished runs: pass@1, oracle pass@N, selection efficiency, calls, tokens, wall, cost.

``pass@1`` is the pass rate of the *chosen* program over gradable problems (an errored problem counts as
failed), graded on all tests, public + hidden, as LiveCodeBench, unless the run opted in to hidden tests only;
``RunSummary.graded_on`` says which rule the records used (``"mixed"`` when they disagree, e.g. a run resumed
across the change: re-grade it with ``sstar score``). ``oracle pass@N`` is the share of gradable problems
where *any* of the N candidates passes (the coverage a perfect selector would reach).
``selection efficiency`` = pass@1 / oracle pass@N.
``coverage@k`` uses the unbiased estimator over each problem's N candidates. Calls, tokens, cost and wall are
the full method's: for a select run on ``sstar generate`` candidates they add the stage-1 cost carried in its
records (``stages`` holds the split).

Example:
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> recs = [ProblemRecord(problem_id="a", passed=True, candidates_passed=[True, False]),
    ...         ProblemRecord(problem_id="b", passed=False, candidates_passed=[False, True])]
    >>> s = summarize(Run(path=None, manifest=None, records=recs))
    >>> s.pass_at_1, s.oracle_pass_at_n, s.selection_efficiency, s.graded_on
    (0.5, 1.0, 0.5, 'hidden')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sstar_dspy.metric import grading_rule_text, pass_at_k
from sstar_dspy.runs.manifest import RunManifest
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import MANIFEST, RECORDS, RunDirError, read_records
from sstar_dspy.runs.stats import wilson
from sstar_dspy.trace import usable_input_counts


@dataclass
class Run:
    """A run loaded from disk (records in file order)."""

    path: Path | None
    manifest: RunManifest | None
    records: list[ProblemRecord]

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "run"

    @property
    def method(self) -> str:
        settings = self.manifest.settings if self.manifest else {}
        if self.manifest is not None and self.manifest.kind == "generate":
            return "candidates"
        label = str(settings.get("method", "?"))
        if settings.get("variant"):
            label = f"{label}+{Path(str(settings['variant'])).stem}"
        selector = settings.get("selector")
        if isinstance(selector, dict) and selector.get("evaluation_only"):
            label += f" [{selector.get('name', 'oracle')}: evaluation only]"  # looked at hidden tests
        return label

    @property
    def model(self) -> str:
        models = self.manifest.models if self.manifest else {}
        values = sorted(set(models.values()))
        return ",".join(values) if values else "?"


def load_run(path: str | Path) -> Run:
    """Load a run directory (or a bare records ``.jsonl`` file) for reporting or comparison.

    Raises:
        RunDirError: The path is missing or holds no records.
    """
    path = Path(path)
    if path.is_file():
        return Run(path=path, manifest=None, records=read_records(path))
    if not (path / RECORDS).exists():
        raise RunDirError(f"{path}: no {RECORDS} here; pass a run directory written by `sstar eval` or a records file")
    manifest = None
    if (path / MANIFEST).exists():
        try:
            manifest = RunManifest.model_validate_json((path / MANIFEST).read_text(encoding="utf-8"))
        except ValueError:
            raise RunDirError(f"{path / MANIFEST}: not an sstar run manifest") from None
    return Run(path=path, manifest=manifest, records=read_records(path / RECORDS))


@dataclass
class RunSummary:
    """One row of the report table."""

    name: str
    method: str
    model: str
    n: int
    problems: int
    errored: int
    graded: int
    pass_at_1: float | None
    oracle_pass_at_n: float | None
    selection_efficiency: float | None
    calls: int
    tokens: int
    cost_usd: float | None
    wall_s: float
    budget_stops: int = 0
    coverage: list[tuple[int, float]] = field(default_factory=list)
    stages: dict[str, dict[str, float | int | None]] | None = None
    notes: list[str] = field(default_factory=list)
    graded_on: str | None = None
    generated_inputs_usable: int = 0
    generated_inputs_considered: int = 0

    @property
    def usable_input_share(self) -> float | None:
        """Share of the selectors' generated test inputs that were usable (None when no input was generated)."""
        if not self.generated_inputs_considered:
            return None
        return self.generated_inputs_usable / self.generated_inputs_considered

    @property
    def grading(self) -> str:
        """The grading rule of the verdicts, in words (``RunSummary.graded_on``)."""
        if self.graded_on == "mixed":
            return "graded under mixed rules (see notes)"
        return grading_rule_text(self.graded_on) if self.graded_on else "nothing graded"

    @property
    def pass_at_1_ci95(self) -> tuple[float, float] | None:
        """95% Wilson interval of pass@1 over the graded problems (None when nothing was graded)."""
        if self.pass_at_1 is None or not self.graded:
            return None
        return wilson_interval(round(self.pass_at_1 * self.graded), self.graded)


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """(low, high) of the 95% :func:`~sstar_dspy.runs.stats.wilson` interval.

    Example:
        >>> [round(v, 3) for v in wilson_interval(1, 6)]
        [0.03, 0.564]
    """
    ci = wilson(successes, n)
    return ci.low, ci.high


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def coverage_curve(records: list[ProblemRecord]) -> list[tuple[int, float]]:
    """Mean unbiased pass@k of the candidates for k = 1..min N, over graded problems with candidates."""
    pools = [r.candidates_passed for r in records if r.candidates_passed]
    if not pools:
        return []
    n_min = min(len(p) for p in pools)
    return [(k, sum(pass_at_k(len(p), sum(p), k) for p in pools) / len(pools)) for k in range(1, n_min + 1)]


def _cost_row(usage: RoleUsage, wall_s: float) -> dict[str, float | int | None]:
    return {"calls": usage.calls, "tokens": usage.tokens, "cost_usd": usage.cost_usd, "wall_s": round(wall_s, 2)}


def stage_split(records: list[ProblemRecord]) -> dict[str, dict[str, float | int | None]] | None:
    """Stage 1 (carried from the generate run), stage 2 (this run) and total; None when no record has a split.

    Example:
        >>> from sstar_dspy.runs.record import StageCost, StageSplit
        >>> split = StageSplit.of(StageCost(total=RoleUsage(calls=8)), StageCost(total=RoleUsage(calls=3)))
        >>> rec = ProblemRecord(problem_id="a", total=RoleUsage(calls=3), stages=split)
        >>> [row["calls"] for row in stage_split([rec]).values()]
        [8, 3, 11]
    """
    if not any(r.stages is not None for r in records):
        return None
    stage1 = [r.stages.stage1 for r in records if r.stages is not None]
    return {
        "stage1": _cost_row(sum((c.total for c in stage1), RoleUsage()), sum(c.wall_s for c in stage1)),
        "stage2": _cost_row(sum((r.total for r in records), RoleUsage()), sum(r.wall_s for r in records)),
        "total": _cost_row(sum((r.method_total for r in records), RoleUsage()), sum(r.method_wall_s for r in records)),
    }


def grading_rule(records: list[ProblemRecord]) -> str | None:
    """The one rule the records' verdicts were graded under, ``"mixed"``, or None when nothing was graded.

    Example:
        >>> old = ProblemRecord(problem_id="a", passed=True)  # written before graded_on existed
        >>> grading_rule([ProblemRecord(problem_id="b", passed=False, graded_on="all")]), grading_rule([old])
        ('all', 'hidden')
    """
    rules = {r.grading_rule for r in records} - {None}
    if not rules:
        return None
    return rules.pop() if len(rules) == 1 else "mixed"


def summarize(run: Run) -> RunSummary:
    """Compute the report row of one run."""
    records = run.records
    graded = [r for r in records if r.passed is not None]
    pass1 = _mean([float(bool(r.passed)) for r in graded])
    oracle = _mean([float(bool(r.oracle_passed)) for r in records if r.passed is not None or r.candidates_passed])
    total = sum((r.method_total for r in records), RoleUsage())
    settings = run.manifest.settings if run.manifest else {}
    n = int(settings.get("n") or max((r.n_candidates for r in records), default=0))
    usable, considered = usable_input_counts(r.trace for r in records)
    notes = run_notes(run)
    if considered:
        notes.append(f"usable generated test inputs: {usable / considered:.0%} ({usable}/{considered})")
    return RunSummary(
        name=run.name,
        method=run.method,
        model=run.model,
        n=n,
        problems=len(records),
        errored=sum(r.status == "error" for r in records),
        graded=len(graded),
        pass_at_1=pass1,
        oracle_pass_at_n=oracle,
        selection_efficiency=(pass1 / oracle) if pass1 is not None and oracle else None,
        calls=total.calls,
        tokens=total.tokens,
        cost_usd=total.cost_usd,
        wall_s=round(sum(r.method_wall_s for r in records), 2),
        budget_stops=sum(r.budget_stop is not None for r in records),
        coverage=coverage_curve(records),
        stages=stage_split(records),
        notes=notes,
        graded_on=grading_rule(records),
        generated_inputs_usable=usable,
        generated_inputs_considered=considered,
    )


def run_notes(run: Run) -> list[str]:
    """Caveats a report must state about a run: the run budget was overshot (last session), mixed grading rules."""
    sessions = run.manifest.sessions if run.manifest is not None else []
    overshoot = sessions[-1].budget_overshoot if sessions else None
    notes = [overshoot] if overshoot else []
    counts: dict[str, int] = {}
    for record in run.records:
        if record.grading_rule is not None:
            counts[record.grading_rule] = counts.get(record.grading_rule, 0) + 1
    if len(counts) > 1:
        parts = ", ".join(f"{n} {grading_rule_text(rule)}" for rule, n in sorted(counts.items()))
        notes.append(f"records graded under different rules ({parts}); re-grade with `sstar score` to compare")
    return notes
