"""``sstar view``: one self-contained HTML page of a run (works offline: inline CSS, a little vanilla JS, plots
as base64 PNG; no external resource of any kind).

The page opens with the run's summary (the same numbers as ``sstar report``: :func:`~sstar_dspy.runs.summary.
summarize`, :mod:`~sstar_dspy.runs.report`), the run's settings and the plots, then one closed ``<details>`` per
problem holding the S* story of its record (:mod:`~sstar_dspy.runs.view_problem`). Every text is escaped and
clipped, so a 500-problem run stays a few MB and model-written code such as ``</script>`` is shown, never run.

Example:
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> from sstar_dspy.runs.summary import Run
    >>> page = render_view(Run(path=None, manifest=None, records=[ProblemRecord(problem_id="a", passed=True)]),
    ...                    plots=False)
    >>> page.startswith("<!DOCTYPE html>") and page.count('class="problem"') == 1 and "http" not in page
    True
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections import Counter
from pathlib import Path

from sstar_dspy.runs.report import COLUMNS, STAGE_COLUMNS, grading_line, row_cells, stage_cells
from sstar_dspy.runs.rundir import RECORDS, RunDirError
from sstar_dspy.runs.summary import Run, RunSummary, load_run, summarize
from sstar_dspy.runs.view_problem import esc, problem_html, status_of, table

__all__ = ["default_view_path", "render_view", "write_view"]

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.5em}h3{font-size:1.05em}h4{font-size:1em;margin:.8em 0 .3em}
table{border-collapse:collapse;margin:.3em 0}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}pre{margin:0;white-space:pre-wrap;word-break:break-all;max-height:24em;overflow:auto}
pre.code{background:#f7f7f9;border:1px solid #ddd;padding:4px;font-size:12px}pre.io{font-size:12px;max-height:10em}
details{margin:2px 0}details details{margin-left:1em}summary{cursor:pointer}
details.problem{border-top:1px solid #ddd;padding:2px 0}details.problem>.body{padding:0 0 .6em 1em}
.badge{border-radius:3px;padding:0 5px;font-size:12px;color:#fff;background:#888}
.badge.passed{background:#2e7d32}.badge.failed{background:#c62828}.badge.error{background:#6a1b9a}
.pid{font-family:monospace;font-weight:600}.none,.clip{color:#777;font-style:italic}.err{color:#b71c1c}
.st.passed,.st.executed{color:#2e7d32}.st{font-family:monospace;font-size:12px}.chosen>summary{font-weight:600}
.controls{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd}
img{max-width:48%;margin-right:1%}
"""

JS = """
(function(){
  var q=document.getElementById('q'),s=document.getElementById('status'),n=document.getElementById('shown');
  function apply(){var t=q.value.toLowerCase(),k=s.value,c=0;
    document.querySelectorAll('details.problem').forEach(function(d){
      var ok=(!k||d.dataset.status===k)&&(!t||d.dataset.id.toLowerCase().indexOf(t)>=0);
      d.style.display=ok?'':'none';c+=ok?1:0;});n.textContent=c;}
  q.addEventListener('input',apply);s.addEventListener('change',apply);
  document.getElementById('fold').addEventListener('click',function(){
    document.querySelectorAll('details').forEach(function(d){d.open=false;});});
})();
"""


def default_view_path(run_path: Path) -> Path:
    """Where ``sstar view`` writes by default: ``RUN_DIR/report/view.html``."""
    base = run_path if run_path.is_dir() else run_path.parent
    return base / "report" / "view.html"


def _plots(summary: RunSummary) -> str:
    """The report's plots as inline base64 PNG images ("" when matplotlib is missing)."""
    from sstar_dspy.runs.plots import have_matplotlib, write_plots

    if not have_matplotlib():
        return '<p class="none">plots skipped: matplotlib is not installed</p>'
    with tempfile.TemporaryDirectory() as tmp:
        images = [(p.stem, base64.b64encode(p.read_bytes()).decode("ascii")) for p in write_plots([summary], Path(tmp))]
    return "".join(f'<img alt="{esc(name)}" src="data:image/png;base64,{data}">' for name, data in images)


def _settings(run: Run) -> str:
    m = run.manifest
    if m is None:
        return '<p class="none">no manifest (a bare records file)</p>'
    facts = [
        ("run id", m.run_id),
        ("kind", m.kind),
        ("command", " ".join(m.command)),
        ("models", ", ".join(f"{role}: {model}" for role, model in m.models.items())),
        ("settings", json.dumps(m.settings, sort_keys=True)),
        ("data source", m.data.get("source", "-")),
        ("created", m.created_at),
        ("sessions", len(m.sessions)),
    ]
    return table(["", ""], [[esc(k), f"<code>{esc(v)}</code>"] for k, v in facts], "facts settings")


def _summary(summary: RunSummary, run: Run) -> str:
    out = [table(COLUMNS, [[esc(c) for c in row_cells(summary)]], "summary")]
    out.append(f"<p>{esc(grading_line([summary]))}</p>")
    out += [f'<p class="note">note: {esc(note)}</p>' for note in summary.notes]
    stages = stage_cells([summary])
    if stages:
        out.append("<h3>Cost by stage</h3>" + table(STAGE_COLUMNS, [[esc(c) for c in r] for r in stages], "stages"))
    counts = Counter(status_of(r) for r in run.records)
    out.append("<p>problems: " + esc(", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "ungraded", "error"))))
    return "".join(out) + "</p>"


def render_view(run: Run, *, plots: bool = True, notes: list[str] | None = None) -> str:
    """The whole page of a loaded run (``plots=False`` leaves the images out; ``notes`` join the summary's)."""
    summary = summarize(run)
    summary.notes.extend(notes or [])
    records = sorted(run.records, key=lambda r: (r.index, r.problem_id))  # the source's order, not finish order
    options = "".join(f'<option value="{k}">{k}</option>' for k in ("passed", "failed", "ungraded", "error"))
    controls = (
        '<div class="controls">filter: <input id="q" placeholder="problem id"> <select id="status">'
        f'<option value="">all</option>{options}</select> <button id="fold" type="button">collapse all</button> '
        f'<span id="shown">{len(records)}</span> of {len(records)} problems shown</div>'
    )
    problems = "\n".join(problem_html(r, i) for i, r in enumerate(records))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>sstar view: {esc(run.name)}</title><style>{CSS}</style></head><body>\n"
        f"<h1>sstar view: {esc(run.name)}</h1>\n<h2>Summary</h2>{_summary(summary, run)}\n"
        f"<h2>Run</h2>{_settings(run)}\n"
        + (f'<h2>Plots</h2><div class="plots">{_plots(summary)}</div>\n' if plots else "")
        + f"<h2>Problems</h2>{controls}\n{problems}\n<script>{JS}</script>\n</body></html>\n"
    )


def write_view(
    run_path: str | Path, out: str | Path | None = None, *, plots: bool = True, notes: list[str] | None = None
) -> Path:
    """Render the run at ``run_path`` into ``out`` (default :func:`default_view_path`) and return the path.

    Raises:
        RunDirError: No run there, or a run without any record.
    """
    run_path = Path(run_path)
    if not run_path.exists():
        raise RunDirError(f"{run_path}: no such run directory; pass a directory written by `sstar eval`")
    run = load_run(run_path)
    if not run.records:
        raise RunDirError(f"{run_path}: {RECORDS} holds no records yet; nothing to view")
    target = Path(out) if out is not None else default_view_path(run_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_view(run, plots=plots, notes=notes), encoding="utf-8")
    return target
