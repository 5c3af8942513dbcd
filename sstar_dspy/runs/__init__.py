"""Run directories, per-problem records, manifests, resume, report tables and plots.

A run directory holds ``manifest.json``, ``records.jsonl`` (one :class:`ProblemRecord` per problem,
appended atomically as each finishes), ``run.log`` and ``report/``.

Example:
    >>> from sstar_dspy.runs import ProblemRecord
    >>> ProblemRecord(problem_id="p", passed=False).status
    'ok'
"""

from sstar_dspy.runs.budget import RunBudget
from sstar_dspy.runs.candidates import append_candidates, read_candidates
from sstar_dspy.runs.grading import Grade, Verdict, grade
from sstar_dspy.runs.manifest import RunManifest, file_sha256
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory, RunDirError, read_records
from sstar_dspy.runs.runner import EvalRunner, RunOutcome
from sstar_dspy.runs.session import ConfigMismatchError, data_block, run_eval
from sstar_dspy.runs.solve import solve_fn
from sstar_dspy.runs.summary import Run, RunSummary, load_run, summarize

__all__ = [
    "ConfigMismatchError",
    "EvalRunner",
    "Grade",
    "ProblemRecord",
    "RoleUsage",
    "Run",
    "RunBudget",
    "RunDirError",
    "RunDirectory",
    "RunManifest",
    "RunOutcome",
    "RunSummary",
    "Verdict",  # deprecated alias of Grade
    "append_candidates",
    "data_block",
    "file_sha256",
    "grade",
    "load_run",
    "read_candidates",
    "read_records",
    "run_eval",
    "solve_fn",
    "summarize",
]
