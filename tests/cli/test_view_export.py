"""``sstar view`` and ``sstar export --format lcb`` end to end: a real ``sstar eval`` with a scripted LM first."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import view_lms

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "runs"))
from test_view import parse  # noqa: E402  (the page parser of the unit tests)

MODEL = ["--model", "py:view_lms:duels"]
EXAMPLES = ["balanced-brackets", "count-islands", "max-subarray", "merge-intervals", "sum-two", "two-sum"]


@pytest.fixture
def run_dir(sstar_inproc, tmp_path):
    code, _, err = sstar_inproc("eval", "examples", *MODEL, "--n", "4", "--rounds", "1", "--run-dir", "runs/ex")
    assert code == 0, err
    return tmp_path / "runs" / "ex"


def test_view_of_a_real_eval_run(sstar_inproc, run_dir):
    code, out, err = sstar_inproc("view", str(run_dir))
    assert code == 0, err
    target = run_dir / "report" / "view.html"
    assert out.strip() == str(target)
    text = target.read_text(encoding="utf-8")
    page = parse(text)
    summary = [a for t, a in page.tags if t == "table" and a.get("class") == "summary"]
    assert len(summary) == 1 and "<td>ex</td><td>sstar</td><td>py:view_lms:duels</td><td>4</td><td>6</td>" in text
    problems = page.having("details", "problem")
    assert sorted(p["data-id"] for p in problems) == EXAMPLES
    assert {p["data-id"]: p["data-status"] for p in problems}["sum-two"] == "passed"
    assert len(page.having("details", "candidate")) == 6 * 4
    assert len(page.having("details", "round")) == 4 + 5 * 4 * 2  # sum-two: 1 round each; the others debug once
    assert len(page.having("details", "duel")) == 1  # sum-two's two clusters
    assert len(page.having("details", "feedback")) == 5 * 4 * 2  # what the debugger saw, per failing round
    assert view_lms.RIGHT in page.chosen and "alert(" not in "".join(t for t, _ in page.tags)
    assert [t for t, _ in page.tags].count("script") == 1
    images = [a["src"] for t, a in page.tags if t == "img"]
    assert len(images) == 2 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "http://" not in text and "https://" not in text
    assert "A/B order: A, B/A order: B" in text and "prints a constant &lt;i&gt;zero&lt;/i&gt;" in text


def test_view_out_and_no_plots(sstar_inproc, run_dir, tmp_path):
    code, out, err = sstar_inproc("view", str(run_dir), "--out", "page.html", "--no-plots")
    assert code == 0, err
    assert out.strip() == "page.html" and "<img" not in (tmp_path / "page.html").read_text(encoding="utf-8")


def test_export_lcb_round_trips(sstar_inproc, run_dir, tmp_path):
    code, out, err = sstar_inproc("export", str(run_dir), "--format", "lcb")
    assert code == 0, err
    target = run_dir / "report" / "lcb.json"
    assert out.strip() == str(target)
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert [r["question_id"] for r in rows] == EXAMPLES  # sorted like the official runner sorts
    chosen = {r["question_id"]: r["code_list"] for r in rows}
    assert chosen["sum-two"] == [view_lms.RIGHT] and chosen["two-sum"] == ["print(0)"]
    code, out, err = sstar_inproc("export", str(run_dir), "--all-candidates", "--out", "all.json")
    assert code == 0, err
    every = {r["question_id"]: r["code_list"] for r in json.loads((tmp_path / "all.json").read_text())}
    assert every["sum-two"] == [view_lms.RIGHT, view_lms.SUBTLE, view_lms.RIGHT, view_lms.SUBTLE]  # sample order
    assert set(every) == set(EXAMPLES) and all(len(v) == 4 for v in every.values())


@pytest.mark.parametrize("command", ["view", "export"])
def test_bad_run_dirs_are_one_line_exit_2(sstar_inproc, tmp_path, command):
    (tmp_path / "empty").mkdir()
    (tmp_path / "norecords").mkdir()
    (tmp_path / "norecords" / "records.jsonl").write_text("")
    for target in ("nowhere", "empty", "norecords"):
        code, out, err = sstar_inproc(command, target)
        assert code == 2 and out == "", (target, out, err)
        assert err.startswith("error: ") and err.count("\n") == 1 and target in err, err
    code, _, err = sstar_inproc("export", "nowhere", "--format", "csv")
    assert code == 2 and "unknown export format" in err and err.count("\n") == 1


def test_export_of_a_generate_run_needs_all_candidates(sstar_inproc, tmp_path):
    code, _, err = sstar_inproc("generate", "example:sum-two", *MODEL, "--n", "2", "--rounds", "0", "--run-dir", "gen")
    assert code == 0, err
    code, out, err = sstar_inproc("export", "gen")
    assert code == 2 and out == "" and "no chosen program; pass --all-candidates" in err and err.count("\n") == 1
    code, out, err = sstar_inproc("export", "gen", "--all-candidates")
    assert code == 0, err
    (row,) = json.loads((tmp_path / "gen" / "report" / "lcb.json").read_text())
    assert row == {"question_id": "sum-two", "code_list": [view_lms.RIGHT, view_lms.SUBTLE]}
