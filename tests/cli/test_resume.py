"""SIGKILL an eval mid-run, resume it with the same command: records equal an uninterrupted run's (0 lost, 0 dup)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import cli_lms
import pytest
from conftest import sstar_command, subprocess_env

from sstar_dspy.runs.rundir import read_records

ARGS = ["p.jsonl", "--model", "py:cli_lms:good", "--method", "sstar", "--n", "2", "--rounds", "1", "-j", "2"]
PROBLEMS = 6


def _comparable(run_dir):
    records = read_records(run_dir / "records.jsonl")
    return records, {r.problem_id: r.comparable() for r in records}


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted_run(tmp_path):
    cli_lms.write_problems(tmp_path / "p.jsonl", PROBLEMS)
    env = subprocess_env(CLI_LMS_DELAY="0.5", DSPY_CACHEDIR=str(tmp_path / "dspy-cache"))

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
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    records = tmp_path / "run" / "records.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if records.exists() and records.read_text().count("\n") >= 2:
            break
        if proc.poll() is not None:
            pytest.fail("eval finished before it could be killed; raise CLI_LMS_DELAY")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: CLI and sandbox workers
    proc.wait(timeout=30)
    killed_at = records.read_text().count("\n")
    assert 2 <= killed_at < PROBLEMS, "the kill must land mid-run"

    resumed = subprocess.run(
        sstar_command("eval", *ARGS, "--run-dir", "run"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{killed_at} problems already recorded" in resumed.stderr + resumed.stdout

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
    env = subprocess_env(CLI_LMS_DELAY="0.5", DSPY_CACHEDIR=str(tmp_path / "dspy-cache"))
    args = sstar_command("eval", *ARGS, "--run-dir", "run")
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    records = tmp_path / "run" / "records.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (records.exists() and records.read_text().count("\n") >= 1):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == (
        "error: interrupted; finished problems are saved - re-run the same command to resume"
    )
    saved = read_records(records)
    assert 1 <= len(saved) < PROBLEMS
    resumed = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    final = read_records(records)
    assert sorted(r.problem_id for r in final) == sorted(f"arith-{i:02d}" for i in range(PROBLEMS))
