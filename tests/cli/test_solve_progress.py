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


class _Terminal:
    """A stderr stand-in that says it is a terminal."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_on_a_terminal_the_line_is_redrawn_in_place_and_cleared():
    import dspy

    from sstar_dspy.cli.solve_progress import solve_progress
    from sstar_dspy.problems import load_problems
    from sstar_dspy.program import SStar
    from sstar_dspy.solve_context import RoleLMs

    program = SStar(n=2, rounds=0, lms=RoleLMs(generator=view_lms.duels()))
    problem = load_problems("example:sum-two")[0]
    terminal = _Terminal()
    with solve_progress(program, problem.id, enabled=True, stream=terminal):
        program(problem=problem)
    assert "\n" not in terminal.text and terminal.text.count("\r") >= 4
    assert "samples 2/2 written" in terminal.text and terminal.text.endswith("\r")  # cleared at the end
    assert terminal.text.rstrip("\r").endswith(" ")  # the last write blanks the line
    assert not [c for c in dspy.settings.get("callbacks", []) if type(c).__name__ == "SolveProgress"]  # removed
