"""Shared sandbox fixtures: one warm sandbox per test module (workers start once), short limits."""

import os

import pytest

from sstar_dspy.sandbox import Limits, Sandbox

FAST = Limits(timeout_s=2.0, memory_mb=512, output_bytes=1 << 16)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=FAST, workers=2, cache=False) as box:
        yield box


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) for every process visible in /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        table[int(entry)] = (ppid, comm)
    return table


def stray_processes(worker_pids: list[int]) -> list[tuple[int, str]]:
    """Processes under the sandbox workers other than the workers themselves (bwrap + one python each).

    A forked test child is a child of a python fork server; anything in that position (or any other
    command) after a run has returned is a process the engine left behind.
    """
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    strays, stack = [], list(worker_pids)
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            parent_comm, comm = table[pid][1], table[child][1]
            if comm == "bwrap" or (comm.startswith("python") and not parent_comm.startswith("python")):
                stack.append(child)
            else:
                strays.append((child, comm))
    return strays
