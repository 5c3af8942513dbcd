"""SIGKILL an eval mid-run, resume it with the same command: records equal an uninterrupted run's (0 lost, 0 dup)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import cli_lms
import pytest
from cli_support import sstar_command, subprocess_env

from sstar_dspy.runs.rundir import read_records

ARGS = ["p.jsonl", "--model", "py:cli_lms:good", "--method", "sstar", "--n", "2", "--rounds", "1", "-j", "2"]
PROBLEMS = 6
# The interrupted run's debug calls hang on the two "mul" problems (arith-01, arith-04): with -j 2 exactly the other
# problems before arith-04 finish (arith-00, -02, -03), then both slots hang. The kill lands mid-run by construction,
# not by racing a clock; the resumed run has no hang.
HANG = {"CLI_LMS_HANG_DEBUG": "mul"}
RECORDED_BEFORE_THE_HANG = 3


def _wait_for_records(proc, records, count):
    deadline = time.monotonic() + 600  # a bound on a broken run, not a timing assumption
    while not (records.exists() and records.read_text().count("\n") >= count):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"eval ended or stalled before {count} records: exit {proc.returncode}\n{out}\n{err}")
        time.sleep(0.05)


def _comparable(run_dir):
    records = read_records(run_dir / "records.jsonl")
    return records, {r.problem_id: r.comparable() for r in records}


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted_run(tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", PROBLEMS)
    env = subprocess_env(DSPY_CACHEDIR=str(tmp_path / "dspy-cache"))

    reference = subprocess.run(
        sstar_command("eval", *ARGS, "--run-dir", "ref"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert reference.returncode == 0, reference.stderr

    proc = subprocess.Popen(
        sstar_command("eval", *ARGS, "--run-dir", "run"),
        cwd=tmp_path,
        env={**env, **HANG},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    records = tmp_path / "run" / "records.jsonl"
    _wait_for_records(proc, records, RECORDED_BEFORE_THE_HANG)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: CLI and sandbox workers
    proc.communicate(timeout=60)
    killed_at = records.read_text().count("\n")
    assert killed_at == RECORDED_BEFORE_THE_HANG, "the kill must land mid-run"

    resumed = subprocess.run(
        sstar_command("eval", *ARGS, "--run-dir", "run"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{killed_at} problems already recorded" in resumed.stderr + resumed.stdout, resumed.stderr

    ref_records, ref = _comparable(tmp_path / "ref")
    run_records, got = _comparable(tmp_path / "run")
    assert len(run_records) == PROBLEMS, "lost records"
    assert len({r.problem_id for r in run_records}) == len(run_records), "duplicated records"
    assert got == ref
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 2 and manifest["sessions"][-1]["completed"] == PROBLEMS - killed_at


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", PROBLEMS)
    env = subprocess_env(DSPY_CACHEDIR=str(tmp_path / "dspy-cache"))
    args = sstar_command("eval", *ARGS, "--run-dir", "run")
    proc = subprocess.Popen(
        args,
        cwd=tmp_path,
        env={**env, **HANG, "PYTHONFAULTHANDLER": "1"},  # SIGABRT below dumps every thread's stack
        # a shell's background job (e.g. CI started with `&`) inherits SIGINT ignored, and Python then keeps
        # ignoring it: give the CLI the disposition a terminal user's process has
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    records = tmp_path / "run" / "records.jsonl"
    _wait_for_records(proc, records, RECORDED_BEFORE_THE_HANG)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # show where it is stuck instead of a bare timeout
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate(timeout=60)
        pytest.fail(f"sstar eval did not stop within 120 s of Ctrl-C; its stderr and thread stacks:\n{err}")
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "error: interrupted; finished problems are saved - re-run the same command to resume"
    )
    saved = read_records(records)
    assert len(saved) == RECORDED_BEFORE_THE_HANG
    resumed = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    final = read_records(records)
    assert sorted(r.problem_id for r in final) == sorted(f"arith-{i:02d}" for i in range(PROBLEMS))
