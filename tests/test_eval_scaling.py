"""eval/scaling (analyze.py + report.py) on a tiny scripted stage-1 run, with hand-computed expectations.

Stage 1 = ``sstar generate examples --ids sum-two,max-subarray --n 4 --rounds 1`` with the scripted LM below:

sum-two, sample k (rollout k):          round 0          debugged (final)   passes public?  all tests?
    0                                   TWO_LINES (crash) -> SUM_OK          yes             yes
    1                                   SUM_OK                               yes             yes
    2                                   ZERO_BUG (0 0 -> 1)                  yes             NO (hidden 0 0)
    3                                   MINUS -> MINUS                       no              no
max-subarray: every sample writes MAX_OK (all pass). Plain-prompt file for sum-two: [ZERO_BUG, SUM_OK, TWO_LINES,
SUM_OK], for max-subarray MAX_OK x4.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from sstar_dspy.testing import ScriptedLM

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # `--model py:test_eval_scaling:scripted_lm` imports this module

SUM_OK = "a, b = map(int, input().split())\nprint(a + b)"
TWO_LINES = "a = int(input())\nb = int(input())\nprint(a + b)"
ZERO_BUG = "a, b = map(int, input().split())\ns = a + b\nprint(s if s != 0 else 1)"
MINUS = "a, b = map(int, input().split())\nprint(a - b)"
MAX_OK = (
    "n = int(input())\nbest = cur = None\nfor x in map(int, input().split()):\n"
    "    cur = x if cur is None or cur < 0 else cur + x\n    best = cur if best is None else max(best, cur)\n"
    "print(best)"
)


def _generate(call):
    if "largest sum" in call.inputs.get("problem", ""):
        return {"code": MAX_OK}
    return {"code": [TWO_LINES, SUM_OK, ZERO_BUG, MINUS][(call.rollout_id or 0) % 4]}


def _judge(call):  # consistent: the program without the zero bug wins in both orders
    return {"analysis": "compare", "verdict": "B" if "s != 0" in call.inputs["program_a"] else "A"}


SCRIPT = {
    "generate": _generate,
    "debug": lambda call: {"diagnosis": "d", "code": SUM_OK if (call.rollout_id or 0) % 4 == 0 else MINUS},
    "generate_tests": {
        "test_inputs": [{"input": "0 0\n", "expected_output": "0\n"}, {"input": "3 4\n", "expected_output": "7\n"}]
    },
    "distinguish": {"distinguishing_inputs": [{"input": "-2 2\n"}]},
    "judge": _judge,
}
BUILT: list[ScriptedLM] = []


def scripted_lm(**kwargs) -> ScriptedLM:
    kwargs = {k: v for k, v in kwargs.items() if k in ("temperature", "max_tokens")}
    lm = ScriptedLM(SCRIPT, model="scripted/scaling", cache=False, **kwargs)
    BUILT.append(lm)
    return lm


def _load(name: str):
    path = REPO / "eval" / "scaling" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scaling_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


analyze = _load("analyze")
report = _load("report")
MODEL = "py:test_eval_scaling:scripted_lm"


def _rows(out: Path) -> list[dict]:
    return analyze.read_rows(out / "results.jsonl")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(stage-1 run dir, plain file, analyze output dir) of one full analysis."""
    from sstar_dspy.cli.main import main as sstar

    base = tmp_path_factory.mktemp("scaling")
    stage1 = base / "gen"
    argv = ["generate", "examples", "--ids", "sum-two,max-subarray", "--n", "4", "--rounds", "1"]
    with pytest.raises(SystemExit) as done:
        sstar([*argv, "--model", MODEL, "--run-dir", str(stage1)])
    assert done.value.code == 0
    plain = base / "plain.jsonl"
    rows = [("sum-two", k, p) for k, p in enumerate([ZERO_BUG, SUM_OK, TWO_LINES, SUM_OK])]
    rows += [("max-subarray", k, MAX_OK) for k in range(4)]
    plain.write_text("".join(json.dumps({"problem_id": i, "sample": k, "program": p}) + "\n" for i, k, p in rows))
    out = base / "out"
    assert analyze.main([str(stage1), "--out", str(out), "--plain", str(plain), "--model", MODEL]) == 0
    return stage1, plain, out


def test_disjoint_groups_and_sizes():
    assert analyze.groups_of(16, 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]
    assert analyze.groups_of(4, 1) == [[0], [1], [2], [3]]
    assert analyze.sizes_for(16) == [1, 2, 4, 8, 16]
    assert analyze.sizes_for(4) == [1, 2, 4]
    assert analyze.sizes_for(12) == [1, 2, 4]


def test_reference_calls_replay_the_reference_per_input_grouping():
    # input 0 groups (first appearance): "1": [0, 2], "2": [1] -> ordered pairs (0, 1), (2, 1)
    # input 1 groups: "x": [0], "y": [1, 2]                    -> (0, 1) again (cached), (0, 2)
    clusters = [([0], ["1", "x"]), ([1], ["2", "y"]), ([2], ["1", "y"])]
    assert analyze.reference_calls(clusters) == 1 + 3 * 3
    # a crash is dropped from that input's groups; 3 crashes everywhere and never duels
    assert analyze.reference_calls([([0, 1], ["1", "2"]), ([2], ["3", "2"]), ([3], ["!timeout", "!timeout"])]) == 7
    assert analyze.reference_calls([]) == 1  # nothing to duel: the test-generation call only


def test_every_method_uses_the_same_disjoint_groups(run):
    rows = _rows(run[2])
    assert {r["method"] for r in rows} == set(analyze.METHODS)
    by_cell: dict[tuple, list[list[int]]] = {}
    for r in rows:
        by_cell.setdefault((r["problem_id"], r["method"], r["n"]), []).append(r["indices"])
    for (_, _, n), groups in by_cell.items():
        assert sorted(i for g in groups for i in g) == [0, 1, 2, 3]  # each sample once per n
        assert len(groups) == 4 // n
    paired = {(r["problem_id"], r["n"], r["group"]): r["indices"] for r in rows if r["method"] == "zero_shot"}
    assert all(paired[(r["problem_id"], r["n"], r["group"])] == r["indices"] for r in rows)


EXPECTED_SUM_TWO = {  # method -> {n: share of groups passing ALL tests}, see the module docstring
    "pass@1": {1: 0.25, 2: 0.25, 4: 0.25},
    "pass@1_debugged": {1: 0.5, 2: 0.5, 4: 0.5},
    "zero_shot": {1: 0.25, 2: 0.0, 4: 0.0},
    "self_debug": {1: 0.5, 2: 0.5, 4: 1.0},
    "public_filter": {1: 0.5, 2: 0.5, 4: 1.0},
    "plain_public_filter": {1: 0.5, 2: 0.5, 4: 0.0},  # [ZERO_BUG, SUM_OK] -> ZERO_BUG passes public, fails hidden
    "majority": {1: 0.25, 2: 0.0, 4: 1.0},  # N=4: SUM_OK agrees with MINUS on 0 0 and ZERO_BUG on 3 4
    "generated_tests": {1: 0.5, 2: 0.5, 4: 1.0},
    "judge": {1: 0.5, 2: 0.5, 4: 1.0},
    "sstar": {1: 0.5, 2: 0.5, 4: 1.0},
    "oracle": {1: 0.5, 2: 0.5, 4: 1.0},
}


def test_per_problem_scores_match_hand_computed_values(run):
    table = report.per_problem(_rows(run[2]))
    for method, by_n in EXPECTED_SUM_TWO.items():
        for n, expected in by_n.items():
            assert table[method][n]["sum-two"] == pytest.approx(expected), (method, n)
            assert table[method][n]["max-subarray"] == 1.0, (method, n)


def test_lm_selectors_record_choice_calls_and_the_reference_cost(run):
    rows = {(r["problem_id"], r["method"], r["n"], r["group"]): r for r in _rows(run[2])}
    star = rows[("sum-two", "sstar", 4, 0)]
    assert star["chosen"] == 0 and star["passed"] == 1.0
    assert star["calls"] == {"generate_tests": 1, "distinguish": 1, "judge": 2}
    assert star["duels"] == 1 and star["clusters"] == [2, 1]  # {0, 1} (same program) vs {2}; 3 fails public
    assert star["reference_calls"] == 1 + 3 * 2  # reference: every cross pair (0,2), (1,2) duels, 3 calls each
    assert rows[("sum-two", "judge", 4, 0)]["calls"] == {"generate_tests": 1, "distinguish": 0, "judge": 2}
    assert rows[("max-subarray", "sstar", 4, 0)]["calls"] == {"generate_tests": 0, "distinguish": 0, "judge": 0}
    assert rows[("sum-two", "sstar", 1, 3)]["chosen"] == 3  # nothing passes public: the fallback, no LM call


def test_summary_intervals_paired_differences_efficiency_and_calls(run):
    s = json.loads((run[2] / "summary.json").read_text())
    assert s["pass"]["sstar"]["4"]["mean"] == 1.0 and s["pass"]["plain_public_filter"]["4"]["mean"] == 0.5
    assert s["pass"]["zero_shot"]["2"]["mean"] == 0.5
    assert s["pass"]["pass@1"]["1"]["mean"] == pytest.approx((0.25 + 1) / 2)
    # unbiased pass@n over all subsets of the 4 debugged samples (sum-two: c=2): 1/2, 1 - 1/C(4,2), 1
    assert s["pass"]["pass@n_unbiased"]["2"]["mean"] == pytest.approx((5 / 6 + 1) / 2)
    lo, hi = s["pass"]["zero_shot"]["2"]["low"], s["pass"]["zero_shot"]["2"]["high"]
    assert (lo, hi) == (0.0, 1.0)  # two problems, scores 0 and 1: the bootstrap spans both
    diff = s["paired"]["plain_public_filter"]["sstar"]["4"]
    assert diff["mean"] == 0.5 and diff["problems"] == 2
    assert s["paired"]["zero_shot"]["sstar"]["4"]["mean"] == 0.5
    assert s["efficiency"] == {"1": 1.0, "2": 1.0, "4": 1.0}
    calls = s["calls"]["sstar"]["4"]
    assert calls["total"] == 2.0 and calls["reference"] == (7 + 1) / 2  # max-subarray: 0 calls, reference 1


def test_report_files(run):
    text = (run[2] / "report.md").read_text()
    assert "## Paired difference vs `plain_public_filter`" in text and "## Paired difference vs `zero_shot`" in text
    assert "| sstar | 75.0 [50.0, 100.0] | 75.0 [50.0, 100.0] | 100.0 [100.0, 100.0] |" in text
    assert "| sstar | 4 | 0.50 | 0.50 | 1.00 | 2.00 | 0.50 | 4.00 | 0.50 |" in text
    png = (run[2] / "scaling.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_resume_skips_done_rows_and_recomputes_only_missing_ones(run, tmp_path):
    stage1, plain, out = run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    rows, grades = _rows(copy), (copy / "grades.jsonl").read_text()
    built = len(BUILT)
    argv = [str(stage1), "--out", str(copy), "--plain", str(plain), "--model", MODEL, "--no-report"]
    assert analyze.main(argv) == 0
    assert _rows(copy) == rows and len(BUILT) == built  # nothing to do: no LM was even built
    kept = [r for r in rows if not (r["method"] == "sstar" and r["n"] == 4)]
    text = "".join(json.dumps(r) + "\n" for r in kept)
    (copy / "results.jsonl").write_text(text + '{"problem_id": "sum-tw')  # and a torn last line
    assert analyze.main(argv) == 0
    again = _rows(copy)
    assert len(again) == len(rows) and again[: len(kept)] == kept
    redone = {r["problem_id"]: r for r in again[len(kept) :]}
    assert set(redone) == {"sum-two", "max-subarray"} and redone["sum-two"]["chosen"] == 0
    assert len(BUILT) == built + 1 and len(BUILT[-1].calls) == 4  # only sum-two's N=4 selection called the LM
    assert (copy / "grades.jsonl").read_text() == grades  # verdicts came from the cache


def test_resume_refuses_other_settings(run, tmp_path, capsys):
    stage1, plain, out = run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = (copy / "results.jsonl").read_text()
    argv = [str(stage1), "--out", str(copy), "--plain", str(plain), "--model", MODEL, "--max-duels", "3"]
    assert analyze.main(argv) == 2
    assert "max_duels: 10 -> 3" in capsys.readouterr().err
    assert (copy / "results.jsonl").read_text() == before
