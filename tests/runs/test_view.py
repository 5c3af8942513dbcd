"""``sstar_dspy.runs.view``: the HTML page of a run is self-contained, escaped, and bounded in size."""

from __future__ import annotations

from html.parser import HTMLParser

from sstar_dspy.candidate import Candidate, DebugRound, RoundCost
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory
from sstar_dspy.runs.summary import Run
from sstar_dspy.runs.view import render_view, write_view
from sstar_dspy.runs.view_problem import CLIP_IO, CLIP_PROGRAM, problem_html
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.trace import Cluster, DroppedInput, Duel, InputReport, SelectionTrace, SolveTrace
from sstar_dspy.trace import RoleUsage as TraceUsage

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)> & <!-- </details></pre>"


class Page(HTMLParser):
    """Start tags with their attributes, and the text inside every ``pre.chosen``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chosen: list[str] = []
        self._in_chosen = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "pre" and "chosen" in (attributes.get("class") or ""):
            self._in_chosen = True
            self.chosen.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_chosen = False

    def handle_data(self, data):
        if self._in_chosen:
            self.chosen[-1] += data

    def having(self, tag: str, cls: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def _result(inp: str, out: str, status: Status = Status.PASSED) -> TestResult:
    return TestResult(status=status, input=inp, expected=out, actual=out, output_key=out.strip())


def make_record(i: int, *, program: str = "print(1)", output: str = "3\n", n: int = 4) -> ProblemRecord:
    """A record shaped like a real S* solve: n samples (two rounds for the odd ones), inputs, two clusters, a duel."""
    candidates = []
    for k in range(n):
        first = DebugRound(
            round=0,
            program=f"# sample {k}\nprint(0)",
            public_results=[_result("1 2\n", output, Status.WRONG_ANSWER)],
            cost=RoundCost(prompt_tokens=700, completion_tokens=40, lm_wall_s=1.5, sandbox_wall_s=0.05),
        )
        rounds = [first]
        if k % 2:
            rounds.append(
                DebugRound(
                    round=1,
                    program=program,
                    reasoning="it printed a constant",
                    public_results=[_result("1 2\n", output)],
                    cost=RoundCost(prompt_tokens=900, completion_tokens=50, lm_wall_s=2.0, sandbox_wall_s=0.05),
                )
            )
        candidates.append(Candidate(index=k, rollout_id=k, program=rounds[-1].program, rounds=rounds))
    duel = Duel(
        a=1,
        b=3,
        inputs=["6 7\n", "2 3\n"],
        synthesized_inputs=1,
        proposed_inputs=1,
        results_a=[_result("6 7\n", "13\n", Status.EXECUTED), _result("2 3\n", "5\n", Status.EXECUTED)],
        results_b=[_result("6 7\n", "-1\n", Status.EXECUTED), _result("2 3\n", "-1\n", Status.EXECUTED)],
        verdict_ab="A",
        verdict_ba="B",
        analysis_ab="A adds",
        analysis_ba="B adds",
        outcome="a",
    )
    report = InputReport(
        generated=3, usable=2, dropped=[DroppedInput(input="x y", stage="invalid", reason="not two integers")]
    )
    selection = SelectionTrace(
        selector="adaptive",
        chosen=1,
        reason="2 clusters; 1 decisive duel",
        pool=[1, 3],
        test_inputs=[{"input": "2 3\n", "source": "generated"}, {"input": "4 4\n", "source": "generated"}],
        inputs=report,
        clusters=[Cluster(id=0, members=[1], output_keys=["5", "8"], wins=1), Cluster(id=1, members=[3])],
        duels=[duel],
    )
    trace = SolveTrace(
        problem_id=f"prob-{i:03d}",
        candidates=candidates,
        selection=selection,
        chosen=1,
        usage={"generator": TraceUsage(calls=n, prompt_tokens=2800, completion_tokens=160)},
        wall_s={"generation": 3.0, "selection": 1.0, "total": 4.0},
    )
    return ProblemRecord(
        problem_id=f"prob-{i:03d}",
        index=i,
        passed=i % 3 == 0,
        tests_passed=10 if i % 3 == 0 else 7,
        tests_total=10,
        graded_on="all",
        program=program,
        candidates_passed=[False, i % 3 == 0, False, False],
        usage={"generator": RoleUsage(calls=n, prompt_tokens=2800, completion_tokens=160)},
        total=RoleUsage(calls=n, prompt_tokens=2800, completion_tokens=160),
        wall_s=4.0,
        trace=trace.model_dump(mode="json"),
    )


def test_a_500_problem_run_stays_light(tmp_path):
    with RunDirectory.open(tmp_path / "run") as run:
        for i in range(500):
            run.append(make_record(i))
    out = write_view(tmp_path / "run", plots=False)
    assert out == tmp_path / "run" / "report" / "view.html"
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    problems = page.having("details", "problem")
    assert len(problems) == 500 and not any("open" in p for p in problems)  # every problem starts closed
    assert [p["data-id"] for p in problems[:3]] == ["prob-000", "prob-001", "prob-002"]  # source order
    assert len(page.having("details", "round")) == 500 * 6 and len(page.having("details", "duel")) == 500
    assert len(page.having("table", "per-stage")) == 500
    assert "<td>1: samples + debugging</td><td>4</td><td>2,960</td><td>3.00s</td>" in text
    assert not [a for _, a in page.tags if "open" in a]  # nothing opened: the browser lays out only summaries
    # measured: ~8.4 KB per problem of this shape (4 samples, 6 rounds, 1 duel, 3 inputs): ~4 MB in all
    assert len(text.encode()) < 500 * 16_000


def test_huge_outputs_and_programs_are_clipped():
    small = len(problem_html(make_record(0), 0))
    huge = problem_html(make_record(0, program="x = 1\n" * 100_000, output="9\n" * 500_000), 0)
    assert len(huge) < small + 20 * CLIP_IO + 6 * CLIP_PROGRAM  # bounded by the clip sizes, not by the trace
    assert "more characters" in huge


def test_model_written_code_is_escaped_and_the_page_has_no_external_resource():
    program = f"# {HOSTILE}\nprint('<b>hi</b>')"
    record = make_record(0, program=program)
    record.problem_id = 'id"<script>'
    page_text = render_view(Run(path=None, manifest=None, records=[record]), plots=False)
    page = parse(page_text)
    assert [t for t, _ in page.tags].count("script") == 1  # only the page's own script
    assert not [t for t, _ in page.tags if t == "img"]  # the hostile <img> is text, not an element
    assert page.chosen == [program]  # shown exactly, as text
    assert not [a for _, a in page.tags for k, v in a.items() if v and k in ("src", "href") and "//" in v]
    assert "http://" not in page_text and "https://" not in page_text
    assert page_text.count("<!--") == 0  # a model's comment opener is escaped too


def test_records_without_trace_or_with_an_unreadable_one_still_render():
    plain = ProblemRecord(problem_id="external", program="print(2)", passed=False, graded_on="all")
    broken = ProblemRecord(problem_id="broken", index=1, status="error", error="boom", trace={"candidates": "nonsense"})
    page = parse(render_view(Run(path=None, manifest=None, records=[plain, broken]), plots=False))
    statuses = [p["data-status"] for p in page.having("details", "problem")]
    assert statuses == ["failed", "error"]
    assert page.chosen == ["print(2)"]


def test_a_select_run_shows_the_cost_by_stage():
    from sstar_dspy.runs.record import StageCost, StageSplit

    record = make_record(0)
    record.stages = StageSplit.of(
        StageCost(total=RoleUsage(calls=8, prompt_tokens=600), wall_s=2.0), StageCost(total=record.total, wall_s=4.0)
    )
    text = render_view(Run(path=None, manifest=None, records=[record]), plots=False)
    page = parse(text)
    assert len(page.having("table", "stages")) == 2  # the run's "cost by stage" and the problem's
    assert "<td>1: generate (carried)</td><td>8</td><td>600</td>" in text
