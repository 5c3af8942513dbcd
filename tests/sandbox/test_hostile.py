"""Hostile programs: each is contained with the right status, in time, leaves nothing behind, and the
engine keeps serving. A fake API key planted in this process's environment never reaches any child.
The sandbox is strict: it refuses to run unless every isolation layer is on (see ``conftest``).
"""

import os
import time

import pytest

from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox import Job, Limits, Sandbox, Status
from sstar_dspy.sandbox.sandbox import STRICT_LAYERS

from .conftest import impossible, stray_processes
from .hostile_programs import CANARY, HOST_TARGETS, HOSTILE, MLE, TLE

pytestmark = pytest.mark.hostile

LIMITS = Limits(timeout_s=1.0, memory_mb=256, output_bytes=1 << 16)
# Cases whose *right* status is not a time limit but that need real CPU work before failing get a
# longer deadline, so that a loaded CI machine cannot turn them into a time limit.
SLOW_TO_FAIL = {"deep_recursion", "unbounded_recursion_limit", "c_recursion_json", "memory_bomb_growth", "fill_disk"}
SLOW_LIMITS = Limits(timeout_s=4.0, memory_mb=256, output_bytes=1 << 16)
MACHINE_LIMITS = [layer for layer in STRICT_LAYERS if impossible(layer)]


@pytest.fixture(scope="module")
def hostile_box():
    os.environ["OPENAI_API_KEY"] = CANARY  # planted before the workers start
    os.environ["SSTAR_FAKE_SECRET"] = CANARY
    box = Sandbox(limits=LIMITS, workers=2, cache=False, strict=not MACHINE_LIMITS)
    box.backend.pipeline = True  # multi-test jobs have a prepared test process waiting (a target to attack)
    try:
        yield box
    finally:
        box.close()
        os.environ.pop("OPENAI_API_KEY", None)
        os.environ.pop("SSTAR_FAKE_SECRET", None)


def assert_clean(box: Sandbox) -> None:
    """Nothing left behind: no process under the fork servers, no file an attack meant to create."""
    assert stray_processes(box.backend.worker_pids()) == []
    for path in HOST_TARGETS:
        assert not os.path.exists(path), path


def test_suite_is_large_enough():
    assert len(HOSTILE) >= 60


def test_every_layer_is_on_in_this_install():
    """Strict mode: every layer is required; only a detected impossibility of the machine may excuse one."""
    for layer in MACHINE_LIMITS:
        pytest.skip(f"{layer}: {impossible(layer)}")
    with Sandbox(workers=1, strict=True) as box:
        layers = box.layers()
        assert set(layers) == set(STRICT_LAYERS)
        assert all(layers.values()), box.missing_layers()
        assert box.missing_layers() == {}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_program_is_contained(hostile_box, name):
    program, allowed, forbidden, layer = HOSTILE[name]
    if impossible(layer):
        pytest.skip(f"{layer}: {impossible(layer)}")
    limits = SLOW_LIMITS if name in SLOW_TO_FAIL else LIMITS
    start = time.monotonic()
    result = hostile_box.run(program, [TestCase(input="")], mode="stdin", limits=limits)[0]
    elapsed = time.monotonic() - start
    assert result.status in allowed, (result.status, result.actual, result.error)
    assert result.wall_s <= limits.timeout_s + 1.0
    assert elapsed <= limits.timeout_s + 5.0  # host side, generous for a loaded CI machine
    for text in (result.actual or "", result.error):
        assert CANARY not in text
        if forbidden:
            assert forbidden not in text
    assert_clean(hostile_box)
    follow_up = hostile_box.run("print(int(input()) + 1)", [TestCase(input="41", output="42")], mode="stdin")[0]
    assert follow_up.status is Status.PASSED, follow_up.error


def test_hostile_and_honest_jobs_interleaved_in_parallel(hostile_box):
    hostile = ["os_fork_bomb", "memory_bomb_bytearray", "kill_parent", "huge_output_once", "close_all_fds"]
    tests = [TestCase(input=f"{i} {i}", output=str(2 * i)) for i in range(3)]
    honest = Job("print(sum(map(int, input().split())))", tests, "stdin")
    jobs = []
    for name in hostile:
        jobs += [Job(HOSTILE[name][0], [TestCase(input="")], "stdin"), honest]
    results = hostile_box.run_many(jobs)
    for job, rs in zip(jobs, results, strict=True):
        if job is honest:
            assert [r.status for r in rs] == [Status.PASSED] * 3
    for name, rs in zip(hostile, results[::2], strict=True):
        assert rs[0].status in HOSTILE[name][1], (name, rs[0].status, rs[0].error)
    assert_clean(hostile_box)


def test_tests_of_one_program_cannot_reach_each_other(hostile_box):
    """The server prepares a program's next test process while the current one runs: no other process (the waiting
    test process, the server as pid 1) can be read, written or signalled from a test (non-dumpable, seccomp, no
    capabilities)."""
    program = (
        "import os, signal\n"
        "me = os.getpid()\n"
        "for p in os.listdir('/proc'):\n"
        "    if p.isdigit() and int(p) != me:\n"
        "        for attempt in (lambda: open(f'/proc/{p}/mem', 'r+b').close(), lambda: os.kill(int(p), 9),\n"
        "                        lambda: open(f'/proc/{p}/environ', 'rb').close()):\n"
        "            try:\n"
        "                attempt()\n"
        "                print('reached', p)\n"
        "            except OSError:\n"
        "                pass\n"
        "print(input())\n"
    )
    tests = [TestCase(input=str(i), output=str(i)) for i in range(4)]
    results = hostile_box.run(program, tests, mode="stdin")
    assert [r.status for r in results] == [Status.PASSED] * 4, [(r.actual, r.error) for r in results]


def test_a_program_cannot_disturb_the_next_programs_work_directory(hostile_box):
    """Planting the next test directory's name, files beside its own directory and a mode change of the shared
    work root: the next program still runs in a fresh, empty directory."""
    attack = (
        "import os\nroot = os.path.dirname(os.getcwd())\nfor i in range(1, 400):\n"
        "    for name in (str(i), f'{i}-x'):\n        try:\n            os.mkdir(os.path.join(root, name))\n"
        "        except OSError:\n            pass\nopen(os.path.join(root, 'planted'), 'w').write('x')\n"
        "os.chmod(root, 0)\nprint('done')"
    )
    assert hostile_box.run(attack, [TestCase(input="")], mode="stdin")[0].actual == "done\n"
    check = "import os\nprint(os.listdir('.'), sorted(os.listdir('..')) == [os.path.basename(os.getcwd())])"
    for _ in range(3):  # whichever worker ran the attack
        result = hostile_box.run(check, [TestCase(input="", output="[] True")], mode="stdin")[0]
        assert result.status is Status.PASSED, (result.actual, result.error)


def test_programs_import_the_standard_library_and_the_allowlist_only(hostile_box):
    program = (
        "import numpy, fractions, decimal, sqlite3, sys\nprint(int(numpy.arange(4).sum()), fractions.Fraction(1, 2))\n"
        "for name in ('dspy', 'pydantic', 'litellm', 'sstar_dspy', 'pip', 'pyseccomp'):\n"
        "    try:\n        __import__(name)\n        print('imported', name)\n    except ImportError:\n        pass"
    )
    result = hostile_box.run(program, [TestCase(input="", output="6 1/2")], mode="stdin")[0]
    assert result.status is Status.PASSED, (result.actual, result.error)


def test_only_the_sandbox_processes_are_visible(hostile_box):
    program = "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit())[:1], os.getuid())"
    result = hostile_box.run(program, [TestCase(input="")], mode="stdin")[0]
    assert result.status is Status.EXECUTED, result.error
    assert result.actual.startswith("[1] "), result.actual  # the fork server is pid 1; the host is invisible
    assert os.path.exists(f"/proc/{os.getpid()}")


def test_ten_megabyte_program_compiles_within_the_limit(hostile_box):
    """Compiling 10 MB takes many seconds: it counts against the time limit and the engine keeps serving."""
    program = "a = 1\n" * (10 * 1024 * 1024 // 6)
    start = time.monotonic()
    results = hostile_box.run(program, [TestCase(input=""), TestCase(input="x")], mode="stdin")
    elapsed = time.monotonic() - start
    assert [r.status for r in results] in ([TLE, TLE], [MLE, MLE], [Status.EXECUTED] * 2), results[0].error
    assert all(r.wall_s <= LIMITS.timeout_s + 1.0 for r in results)
    assert elapsed <= LIMITS.timeout_s + 5.0
    assert_clean(hostile_box)
    assert hostile_box.run("print(2)", [TestCase(input="", output="2")], mode="stdin")[0].passed


def test_lone_surrogate_in_a_test_input(hostile_box):
    """A lone surrogate cannot be written to a program's stdin: an invalid test; the engine keeps serving."""
    tests = [TestCase(input="\ud800", output="x"), TestCase(input="ok\udcff", output="ok"), TestCase(input="7")]
    results = hostile_box.run("import sys\nprint(sys.stdin.buffer.read()[:2].decode())", tests, mode="stdin")
    assert [r.status for r in results] == [Status.INVALID_TEST, Status.PASSED, Status.EXECUTED]
    assert "not valid Unicode" in results[0].error
    functional = hostile_box.run(
        "def f(s):\n    return len(s)", [TestCase(input='"\\ud800"', output="1")], mode="functional", function_name="f"
    )[0]
    assert functional.status is Status.PASSED, functional.error
    assert hostile_box.run("print(5)", [TestCase(input="", output="5")], mode="stdin")[0].passed


@pytest.mark.slow
def test_double_forked_daemon_does_not_survive(hostile_box):
    """A daemon that would outlive the test and write into HOME (and /tmp) 30 s later: checked 30 s later."""
    daemon = (
        "import ctypes, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "forks = (os.fork, libc.fork, lambda: libc.syscall(57), lambda: libc.syscall(56, 17, 0, 0, 0, 0))\n"
        "for fork in forks:\n    try:\n        pid = fork()\n    except OSError:\n        continue\n"
        "    if pid == 0:\n        os.setsid()\n        if fork() == 0:\n            time.sleep(30)\n"
        f"            for path in {HOST_TARGETS[5:]!r}:\n"
        "                try:\n                    open(path, 'w').write('daemon')\n"
        "                except OSError:\n                    pass\n        os._exit(0)\nprint('parent done')"
    )
    result = hostile_box.run(daemon, [TestCase(input="")], mode="stdin")[0]
    assert result.status is Status.EXECUTED and result.actual == "parent done\n", result.error
    time.sleep(31)
    assert_clean(hostile_box)
    assert hostile_box.run("print(3)", [TestCase(input="", output="3")], mode="stdin")[0].passed
