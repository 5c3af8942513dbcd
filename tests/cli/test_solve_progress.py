"""``sstar solve`` shows stage progress on stderr (samples k/N, debug rounds, selection calls) unless ``--quiet``."""

from __future__ import annotations

import view_lms

MODEL = ["--model", "py:view_lms:duels"]


def test_solve_shows_stage_progress_on_stderr_unless_quiet(sstar_inproc):
    code, out, err = sstar_inproc("solve", "example:sum-two", *MODEL, "--n", "4", "--rounds", "1")
    assert code == 0 and out.strip() == view_lms.RIGHT.strip()
    lines = [line for line in err.splitlines() if line.startswith("progress: sum-two: ")]
    assert "progress: sum-two: samples 1/4 written, 0 debug rounds" in lines
    assert lines[-1].endswith(
        "samples 4/4 written, 0 debug rounds | selection: 1 test-input calls, 1 distinguish, 2 judge"
    )
    assert "1 duels" in err  # the summary still follows
    code, out, err = sstar_inproc("solve", "example:sum-two", *MODEL, "--n", "4", "--rounds", "1", "--quiet")
    assert code == 0 and "progress:" not in err and "1 duels" in err
