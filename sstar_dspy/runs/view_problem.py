"""One problem of ``sstar view``: the whole S* story of a record as an HTML fragment.

Everything model-written or test-derived is escaped (:func:`esc`), and every long text is clipped to a fixed
size (:func:`clip`), so a page's size grows with the number of problems, candidates and rounds, never with the
length of a program's output. Stage 1 shows each sample's rounds (program when it changed, public-test results,
the feedback the debugger saw, the diagnosis, the round's cost); stage 2 the selection: generated inputs and
what became of them (the ``InputReport``), clusters, every duel with both programs' outputs and both-order
verdicts; then the chosen program, its verdict and the costs. Sections are ``<details>`` elements, closed.

Example:
    >>> from sstar_dspy.runs.record import ProblemRecord
    >>> html = problem_html(ProblemRecord(problem_id="a<b", passed=True, program="print('</script>')"), 0)
    >>> "a&lt;b" in html and "&lt;/script&gt;" in html and "</script>" not in html
    True
"""

from __future__ import annotations

import html
from typing import Any

from pydantic import ValidationError

from sstar_dspy.candidate import Candidate, DebugRound
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.trace import Duel, InputReport, SelectionTrace, SolveTrace

CLIP_IO = 600  # a test input, expected or actual output, error tail
CLIP_TEXT = 3000  # a diagnosis, a judge's analysis, the feedback text
CLIP_PROGRAM = 20_000  # a program
MAX_ROWS = 30  # rows of one results / inputs / dropped-inputs table
STAGES = (  # (stage, its roles, its key in SolveTrace.wall_s)
    ("1: samples + debugging", ("generator", "debugger"), "generation"),
    ("2: selection", ("test_generator", "judge"), "selection"),
)


def esc(value: Any) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes).

    Example:
        >>> esc('<script>"x"</script>')
        '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def clip(text: str | None, limit: int) -> str:
    """Escaped ``text``, cut to ``limit`` characters with a note of how much was left out.

    Example:
        >>> clip("x" * 10, 4)
        'xxxx<span class="clip">… 6 more characters</span>'
    """
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return esc(text)
    return esc(text[:limit]) + f'<span class="clip">… {len(text) - limit:,} more characters</span>'


def pre(text: str | None, limit: int = CLIP_IO, cls: str = "io") -> str:
    """A ``<pre>`` block of clipped, escaped text (``(none)`` when there is nothing)."""
    if text is None or text == "":
        return '<span class="none">(none)</span>'
    return f'<pre class="{cls}">{clip(text, limit)}</pre>'


def table(head: list[str], rows: list[list[str]], cls: str = "", total: int | None = None) -> str:
    """A table from already-escaped cells; rows beyond :data:`MAX_ROWS` are counted, not shown."""
    total = len(rows) if total is None else total
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows[:MAX_ROWS])
    more = total - min(len(rows), MAX_ROWS)
    note = f'<p class="clip">… {more} more rows not shown</p>' if more > 0 else ""
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    thead = f"<thead><tr>{header}</tr></thead>" if any(head) else ""  # fact tables (name, value) have none
    return f'<table class="{cls}">{thead}<tbody>{body}</tbody></table>{note}'


def fold(summary: str, body: str, cls: str = "", open_: bool = False) -> str:
    """A ``<details>`` element (``summary`` is already escaped HTML)."""
    return f'<details class="{cls}"{" open" if open_ else ""}><summary>{summary}</summary>{body}</details>'


def status_of(record: ProblemRecord) -> str:
    """``passed``, ``failed``, ``ungraded`` or ``error``: the filter class of a problem."""
    if record.status == "error":
        return "error"
    return "ungraded" if record.passed is None else ("passed" if record.passed else "failed")


def verdict_text(record: ProblemRecord) -> str:
    """The verdict in a few words, e.g. ``passed 10/10 (all tests)``."""
    state = status_of(record)
    if state in ("error", "ungraded"):
        return "error" if state == "error" else "not graded"
    counts = f" {record.tests_passed}/{record.tests_total}" if record.tests_total else ""
    rule = record.grading_rule
    return f"{state}{counts}" + (f" ({'all tests' if rule == 'all' else 'hidden tests only'})" if rule else "")


def load_trace(record: ProblemRecord) -> tuple[SolveTrace | None, str | None]:
    """The record's trace as a :class:`SolveTrace`, or None and why not."""
    if not record.trace:
        return None, "this record holds no trace"
    try:
        return SolveTrace.model_validate(record.trace), None
    except ValidationError as exc:
        return None, f"the trace does not load as a SolveTrace ({exc.error_count()} errors)"


def _results(results: list[TestResult]) -> str:
    rows = [
        [
            f'<span class="st {esc(r.status.value)}">{esc(r.status.value)}</span>',
            pre(r.input),
            pre(r.expected) if r.expected is not None else '<span class="none">-</span>',
            pre(r.actual),
            pre(r.error) if r.error else "",
        ]
        for r in results
    ]
    return table(["status", "input", "expected", "actual", "error"], rows, "results")


def _cost(r: DebugRound) -> str:
    if r.cost is None:
        return "cost not recorded"
    c = r.cost
    return f"{c.prompt_tokens:,}+{c.completion_tokens:,} tokens, LM {c.lm_wall_s:.2f}s, tests {c.sandbox_wall_s:.2f}s"


def _round(r: DebugRound, previous: DebugRound | None) -> str:
    from sstar_dspy.generation import format_feedback

    label = "generation" if r.round == 0 else "debug"
    head = f"round {r.round} ({label}): {r.public_passed}/{len(r.public_results)} public tests; {esc(_cost(r))}"
    parts = []
    if r.lm_error:
        parts.append(f'<p class="err">LM step: {clip(r.lm_error, CLIP_TEXT)}</p>')
    if r.reasoning:
        parts.append(f"<p><b>{'reasoning' if r.round == 0 else 'diagnosis'}</b></p>" + pre(r.reasoning, CLIP_TEXT))
    if previous is not None and r.program == previous.program:
        parts.append('<p class="none">program unchanged from the previous round</p>')
    else:
        parts.append(fold("program", pre(r.program, CLIP_PROGRAM, "code"), "program"))
    if r.public_results:
        parts.append(_results(r.public_results))
        if not r.passes_public:
            feedback = format_feedback(r.public_results)
            parts.append(fold("execution feedback (what the debugger is shown)", pre(feedback, CLIP_TEXT), "feedback"))
    return fold(head, "".join(parts), "round")


def _candidate(c: Candidate, passed: bool | None, chosen: bool) -> str:
    verdict = "" if passed is None else ("; passes all grading tests" if passed else "; fails the grading tests")
    head = (
        f"#{c.index} (rollout {esc(c.rollout_id)}): {len(c.rounds)} rounds, "
        f"{'passes' if c.passes_public else 'fails'} the public tests{verdict}" + (" — chosen" if chosen else "")
    )
    rounds = "".join(_round(r, c.rounds[i - 1] if i else None) for i, r in enumerate(c.rounds))
    return fold(
        esc(head), rounds or '<p class="none">no rounds recorded</p>', "candidate" + (" chosen" if chosen else "")
    )


def _input_report(report: InputReport) -> str:
    share = report.usable_share
    facts = [
        ("generated", report.generated),
        ("usable", f"{report.usable}" + (f" ({share:.0%})" if share is not None else "")),
        ("repaired", ", ".join(f"{k}: {v}" for k, v in report.repairs.items()) or report.repaired),
        ("over the cap", report.unused),
        ("regenerated", report.regenerated),
        ("synthesized (usable)", f"{report.synthesized} ({report.synthesized_usable})"),
        ("agreement probe", "yes" if report.probe else "no"),
    ]
    out = table(["", ""], [[esc(k), esc(v)] for k, v in facts], "facts")
    rows = [
        [pre(d.input), esc(d.stage), clip(d.reason, CLIP_IO), esc(d.source), esc(d.attempt)] for d in report.dropped
    ]
    if rows:
        out += "<p><b>dropped inputs</b></p>" + table(
            ["input", "stage", "reason", "source", "attempt"], rows, "dropped"
        )
    return out


def _duel(d: Duel, programs: dict[int, str]) -> str:
    verdicts = f"A/B order: {d.verdict_ab}, B/A order: {d.verdict_ba}" if d.judged else "same outputs, not judged"
    head = f"#{d.a} vs #{d.b}: {d.outcome} ({verdicts})"
    rows = []
    for i, text in enumerate(d.inputs[:MAX_ROWS]):
        ra = d.results_a[i] if i < len(d.results_a) else None
        rb = d.results_b[i] if i < len(d.results_b) else None
        source = "synthesized" if i < d.synthesized_inputs else "generated"
        rows.append(
            [
                pre(text),
                esc(source),
                (esc(ra.status.value) + pre(ra.actual)) if ra else "",
                (esc(rb.status.value) + pre(rb.actual)) if rb else "",
            ]
        )
    body = [table(["input", "source", f"#{d.a} output", f"#{d.b} output"], rows, "duel-io", len(d.inputs))]
    if d.error:
        body.append(f'<p class="err">{clip(d.error, CLIP_TEXT)}</p>')
    for label, text in ((f"judge, #{d.a} shown as A", d.analysis_ab), (f"judge, #{d.b} shown as A", d.analysis_ba)):
        if text:
            body.append(f"<p><b>{esc(label)}</b></p>" + pre(text, CLIP_TEXT))
    if d.dropped_inputs:
        dropped = [[pre(x.input), esc(x.stage), clip(x.reason, CLIP_IO)] for x in d.dropped_inputs]
        body.append("<p><b>dropped inputs</b></p>" + table(["input", "stage", "reason"], dropped, "dropped"))
    for side in (d.a, d.b):
        body.append(fold(f"program #{side}", pre(programs.get(side, ""), CLIP_PROGRAM, "code"), "program"))
    return fold(esc(head), "".join(body), "duel")


def _selection(s: SelectionTrace, programs: dict[int, str]) -> str:
    facts = [
        ("selector", s.selector + (" (evaluation only: looked at hidden tests)" if s.evaluation_only else "")),
        ("chosen", f"#{s.chosen}" if s.chosen is not None else "none"),
        ("why", s.reason),
        ("pool (pass the public tests)", ", ".join(f"#{i}" for i in s.pool) or "empty"),
        ("duels", f"{len(s.duels)}" + (" (cap reached)" if s.duel_cap_reached else "")),
    ]
    out = [table(["", ""], [[esc(k), clip(v, CLIP_TEXT)] for k, v in facts], "facts")]
    if s.inputs is not None:
        out.append("<h4>Generated test inputs</h4>" + _input_report(s.inputs))
    if s.test_inputs:
        rows = [
            [pre(str(t.get("input", ""))), esc(t.get("source", "")), esc(t.get("repair") or "")] for t in s.test_inputs
        ]
        out.append("<p><b>usable inputs</b></p>" + table(["input", "source", "repair"], rows, "inputs"))
    if s.clusters:
        keys = len(s.clusters[0].output_keys)
        head = ["cluster", "members", "wins"] + [f"in {i + 1}" for i in range(min(keys, 8))]
        rows = [
            [esc(c.id), esc(", ".join(f"#{m}" for m in c.members)), esc(c.wins)]
            + [clip(k, 80) for k in c.output_keys[:8]]
            for c in s.clusters
        ]
        out.append("<h4>Clusters on the usable inputs</h4>" + table(head, rows, "clusters"))
    if s.duels:
        out.append("<h4>Duels</h4>" + "".join(_duel(d, programs) for d in s.duels))
    if s.scores:
        out.append("<p>scores: " + esc(", ".join(f"#{k}: {v:g}" for k, v in s.scores.items())) + "</p>")
    return "".join(out)


def _costs(record: ProblemRecord, trace: SolveTrace | None) -> str:
    rows = []
    for role, u in record.usage.items():
        t = trace.usage.get(role) if trace else None
        cost = "-" if u.cost_usd is None else f"${u.cost_usd:.4f}"
        extra = f"{t.failed} failed, {t.cached} cached" if t else ""
        rows.append([esc(role), esc(u.calls), f"{u.prompt_tokens:,}+{u.completion_tokens:,}", esc(cost), esc(extra)])
    out = table(["role", "LM calls", "tokens (prompt+completion)", "cost", "calls"], rows, "costs")
    walls = dict(trace.wall_s) if trace and trace.wall_s else {"total": record.wall_s}
    out += "<p>wall: " + esc(", ".join(f"{k} {v:.2f}s" for k, v in walls.items())) + "</p>"
    per_stage = []
    for stage, roles, wall in STAGES:
        used = [record.usage[r] for r in roles if r in record.usage]
        calls, tokens = sum(u.calls for u in used), sum(u.tokens for u in used)
        seconds = f"{walls[wall]:.2f}s" if wall in walls else "-"
        per_stage.append([esc(stage), esc(calls), f"{tokens:,}", esc(seconds)])
    out += table(["stage", "LM calls", "tokens", "wall"], per_stage, "per-stage")
    if record.stages is not None:
        st = record.stages
        rows = [
            [esc(name), esc(c.total.calls), f"{c.total.tokens:,}", f"{c.wall_s:.2f}s"]
            for name, c in (("stage 1 (generate run)", st.stage1), ("stage 2", st.stage2), ("total", st.total))
        ]
        out += table(["stage", "LM calls", "tokens", "wall"], rows, "stages")
    return out


def _verdict(record: ProblemRecord) -> str:
    facts = [
        ("status", record.status + (f": {record.error}" if record.error else "")),
        ("verdict", verdict_text(record)),
        ("graded on", record.grading_rule or "-"),
        ("tests passed", f"{record.tests_passed}/{record.tests_total}"),
        ("hidden tests passed", f"{record.hidden_passed}/{record.hidden_total}"),
        ("budget stop", record.budget_stop or "-"),
    ]
    out = table(["", ""], [[esc(k), clip(v, CLIP_TEXT)] for k, v in facts], "facts verdict")
    f = record.first_failure
    if f:
        rows = [
            [esc(f.get("kind", "")), esc(f.get("status", ""))]
            + [pre(f.get(k)) for k in ("input", "expected", "actual")]
        ]
        out += "<p><b>first failing test</b></p>" + table(["kind", "status", "input", "expected", "actual"], rows)
    return out + "<p><b>chosen program</b></p>" + pre(record.program, CLIP_PROGRAM, "code chosen")


def problem_html(record: ProblemRecord, number: int) -> str:
    """The ``<details class="problem">`` element of one record (closed; ``number`` makes its id)."""
    trace, why = load_trace(record)
    state = status_of(record)
    candidates = trace.candidates if trace else []
    passing = sum(c.passes_public for c in candidates)
    duels = len(trace.selection.duels) if trace and trace.selection else 0
    head = (
        f'<span class="pid">{esc(record.problem_id)}</span> <span class="badge {state}">{esc(verdict_text(record))}'
        f"</span> {len(candidates)} candidates ({passing} pass public), {duels} duels, "
        f"{record.total.calls} LM calls, {record.total.tokens:,} tokens, {record.wall_s:.1f}s"
    )
    sections = [f'<section class="verdict"><h3>Chosen program and verdict</h3>{_verdict(record)}</section>']
    sections.append(f'<section class="cost"><h3>Cost</h3>{_costs(record, trace)}</section>')
    if trace is None:
        sections.append(f'<p class="none">{esc(why)}</p>')
    else:
        chosen = trace.chosen
        passed = record.candidates_passed
        cands = "".join(
            _candidate(c, passed[c.index] if c.index < len(passed) else None, c.index == chosen) for c in candidates
        )
        sections.append(f'<section class="stage1"><h3>Stage 1: samples and debugging</h3>{cands}</section>')
        if trace.selection is not None:
            programs = {c.index: c.program for c in candidates}
            sections.append(
                f'<section class="stage2"><h3>Stage 2: selection</h3>{_selection(trace.selection, programs)}</section>'
            )
        if trace.budget_stop or trace.errors:
            items = ([f"budget stop: {trace.budget_stop}"] if trace.budget_stop else []) + trace.errors
            lis = "".join(f"<li>{clip(e, CLIP_TEXT)}</li>" for e in items[:MAX_ROWS])
            sections.append(f'<section class="errors"><h3>Errors</h3><ul>{lis}</ul></section>')
    body = f'<div class="body">{"".join(sections)}</div>'
    return (
        f'<details class="problem" id="p{number}" data-status="{state}" data-id="{esc(record.problem_id)}">'
        f"<summary>{head}</summary>{body}</details>"
    )
