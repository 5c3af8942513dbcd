from dataclasses import replace

import pytest

from sstar_dspy.runs.manifest import RunManifest
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.report import to_json, to_markdown
from sstar_dspy.runs.summary import Run, coverage_curve, load_run, pass_at_k, summarize, wilson_interval


def test_pass_at_k_unbiased_with_guards():
    assert pass_at_k(4, 0, 1) == 0.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 4) == 1.0
    with pytest.raises(ValueError, match="1 <= k <= n"):  # k > n is not estimable (was 1.0 even with c = 0)
        pass_at_k(2, 0, 3)
    curve = coverage_curve(
        [
            ProblemRecord(problem_id="a", candidates_passed=[False, True, False]),
            ProblemRecord(problem_id="b", candidates_passed=[False, False]),
        ]
    )
    assert [k for k, _ in curve] == [1, 2]  # k only up to the smallest pool


def test_summary_counts_errors_as_failures_and_skips_ungradable():
    recs = [
        ProblemRecord(problem_id="a", passed=True, candidates_passed=[True, False], total=RoleUsage(calls=3)),
        ProblemRecord(problem_id="b", status="error", error="X", passed=False, total=RoleUsage(calls=1)),
        ProblemRecord(problem_id="c", passed=False, candidates_passed=[False, True]),
        ProblemRecord(problem_id="d", passed=None),
    ]
    m = RunManifest.create(command=[], settings={"method": "sstar", "n": 2}, data={}, models={"generator": "m1"})
    s = summarize(Run(path=None, manifest=m, records=recs))
    assert (s.problems, s.graded, s.errored, s.calls, s.n) == (4, 3, 1, 4, 2)
    assert s.pass_at_1 == pytest.approx(1 / 3)
    assert s.oracle_pass_at_n == pytest.approx(2 / 3)
    assert s.selection_efficiency == pytest.approx(0.5)
    assert s.coverage == [(1, pytest.approx(0.5)), (2, pytest.approx(1.0))]
    assert "| run | sstar | m1 | 2 | 4 | 1 | 33.3% | 6.1-79.2 | 66.7% | 50.0% | 4 |" in to_markdown([s])
    assert to_json([s])[0]["pass_at_1_ci95"] == pytest.approx((0.0615, 0.7923), abs=1e-4)  # Wilson, 1 of 3
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0 and wilson_interval(0, 5)[1] > 0.4


def test_coverage_curve_empty_without_candidates():
    assert coverage_curve([ProblemRecord(problem_id="a", passed=True)]) == []


def test_load_run_errors_are_one_line(tmp_path):
    from sstar_dspy.runs.rundir import RunDirError

    with pytest.raises(RunDirError, match="no records.jsonl here"):
        load_run(tmp_path)


def test_plots_are_written(tmp_path):
    from sstar_dspy.runs.plots import write_plots

    recs = [ProblemRecord(problem_id="a", passed=True, candidates_passed=[True, False, False, False])]
    s = summarize(Run(path=tmp_path, manifest=None, records=recs))
    paths = write_plots([s], tmp_path / "report")
    assert all(p.stat().st_size > 1000 and p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_oracle_selection_is_labelled_evaluation_only():
    m = RunManifest.create(
        command=[],
        settings={"method": "sstar", "selector": {"name": "oracle", "evaluation_only": True}},
        data={},
        models={},
    )
    assert Run(path=None, manifest=m, records=[]).method == "sstar [oracle: evaluation only]"


def test_scaling_plot_gives_each_method_one_colour_and_integer_ticks(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from sstar_dspy.runs.plots import plot_scaling

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: saved.append(fig))
    recs = [ProblemRecord(problem_id="a", passed=True, candidates_passed=[True, False, False, False])]
    a = replace(summarize(Run(path=tmp_path / "a", manifest=None, records=recs)), method="sstar")
    b = replace(summarize(Run(path=tmp_path / "b", manifest=None, records=recs)), method="zero_shot")
    plot_scaling([a, b], tmp_path / "scaling.png")
    [ax] = saved[0].axes
    colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert colours["coverage@k sstar (a)"] == colours["pass@1 sstar"] != colours["pass@1 zero_shot"]
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"1", "2", "4"} <= set(ticks) and not any("^" in t for t in ticks)  # plain N, not 2^k


def test_plots_of_an_empty_run_are_written_without_warnings(tmp_path):
    import warnings

    from sstar_dspy.runs.plots import write_plots

    s = summarize(Run(path=tmp_path, manifest=None, records=[]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "No artists with labels" warning reached the terminal
        paths = write_plots([s], tmp_path / "report")
    assert paths and all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_summary_reports_the_share_of_usable_generated_inputs():
    def traced(pid, generated, usable):
        trace = {
            "problem_id": pid,
            "selection": {"selector": "adaptive", "inputs": {"generated": generated, "usable": usable}},
        }
        return ProblemRecord(problem_id=pid, passed=True, trace=trace)

    recs = [traced("a", 5, 4), traced("b", 5, 1), ProblemRecord(problem_id="c", passed=False)]
    m = RunManifest.create(command=[], settings={"method": "sstar", "n": 4}, data={}, models={"generator": "m1"})
    s = summarize(Run(path=None, manifest=m, records=recs))
    assert (s.generated_inputs_usable, s.generated_inputs_considered) == (5, 10)
    assert s.usable_input_share == pytest.approx(0.5)
    assert "usable generated test inputs: 50% (5/10)" in s.notes
    assert summarize(Run(path=None, manifest=m, records=recs[2:])).usable_input_share is None
