"""Hostile programs: each is contained with the right status, in time, leaves nothing behind, and the
engine keeps serving. A fake API key planted in this process's environment never reaches any child.
"""

import os
import time
import uuid

import pytest

from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox import Job, Limits, Sandbox, Status

from .conftest import stray_processes

pytestmark = pytest.mark.hostile

CANARY = "sk-sstar-canary-" + uuid.uuid4().hex
HOST_ESCAPE = f"/tmp/sstar_escape_{uuid.uuid4().hex}"
LIMITS = Limits(timeout_s=1.0, memory_mb=256, output_bytes=1 << 16)

RE, TLE, MLE, OLE, OK = (
    Status.RUNTIME_ERROR,
    Status.TIME_LIMIT,
    Status.MEMORY_LIMIT,
    Status.OUTPUT_LIMIT,
    Status.EXECUTED,
)
LIBC = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"

# name -> (program, allowed statuses, text that must NOT appear in the output, layer the case needs)
HOSTILE = {
    "os_fork_bomb": ("import os\nwhile True:\n    os.fork()", {RE}, None, "seccomp"),
    "posix_fork_bomb": ("import posix\nwhile True:\n    posix.fork()", {RE}, None, "seccomp"),
    "forkpty": ("import os\nos.forkpty()", {RE}, None, "seccomp"),
    "pty_fork": ("import pty\npty.fork()", {RE}, None, "seccomp"),
    "subprocess_run": ("import subprocess\nprint(subprocess.run(['echo', 'pwned']))", {RE}, "pwned", "seccomp"),
    "os_system": ("import os\nprint(os.system('echo pwned'))", {OK}, "pwned", "seccomp"),
    "os_popen": ("import os\nprint(os.popen('echo pwned').read())", {OK, RE}, "pwned", "seccomp"),
    "os_execv": ("import os\nos.execv('/bin/echo', ['echo', 'pwned'])", {RE}, "pwned", "seccomp"),
    "posix_spawn": ("import os\nos.posix_spawn('/bin/echo', ['echo', 'pwned'], {})", {RE}, "pwned", "seccomp"),
    "multiprocessing": (
        "import multiprocessing as mp\np = mp.Process(target=print, args=('pwned',))\np.start()\np.join()",
        {RE},
        "pwned",
        "seccomp",
    ),
    "ctypes_fork_syscall": (LIBC + "print(libc.syscall(57), libc.fork())", {OK}, None, "seccomp"),
    "ctypes_clone_syscall": (LIBC + "print(libc.syscall(56, 17, 0, 0, 0, 0))", {OK}, None, "seccomp"),
    "ctypes_vfork": (LIBC + "print(libc.syscall(58))", {OK}, None, "seccomp"),
    "thread_bomb": (
        "import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()",
        {RE, MLE, TLE},
        None,
        None,
    ),
    "busy_non_daemon_thread": (
        # spins without allocating (an ever-growing list would race the memory limit against the timeout)
        "import threading\ndef spin():\n    while True:\n        pass\nthreading.Thread(target=spin).start()",
        {TLE},
        None,
        None,
    ),
    "daemon_thread_outlives_main": (
        "import threading\nthreading.Thread(target=lambda: [0 for _ in iter(int, 1)], daemon=True).start()\n"
        "print('ok')",
        {OK},
        None,
        None,
    ),
    "memory_bomb_bytearray": ("x = bytearray(10 ** 10)", {MLE}, None, None),
    "memory_bomb_growth": ("a = []\nwhile True:\n    a.append(' ' * 10 ** 6)", {MLE}, None, None),
    "memory_bomb_mmap": ("import mmap\nm = mmap.mmap(-1, 10 ** 10)\nm[-1] = 1", {MLE}, None, None),
    "raise_rlimit_then_bomb": (
        "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))\nx = bytearray(10 ** 10)",
        {RE, MLE},
        None,
        None,
    ),
    "while_true": ("while True:\n    pass", {TLE}, None, None),
    "c_level_loop": ("sum(range(10 ** 12))", {TLE}, None, None),
    "sleep_forever": ("import time\ntime.sleep(1000)", {TLE}, None, None),
    "ignore_signals_and_spin": (
        "import signal\nfor s in (signal.SIGTERM, signal.SIGXCPU, signal.SIGALRM, signal.SIGINT):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass",
        {TLE},
        None,
        None,
    ),
    "catastrophic_regex": ("import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')", {TLE}, None, None),
    "atexit_spin": ("import atexit\natexit.register(lambda: exec('while True: pass'))\nprint(1)", {TLE}, None, None),
    "deep_recursion": ("def f(n):\n    return f(n + 1)\nf(0)", {RE, MLE}, None, None),
    "unbounded_recursion_limit": (
        "import sys\nsys.setrecursionlimit(10 ** 9)\ndef f(n):\n    return list(map(f, [n + 1]))\nf(0)",
        {RE, MLE},
        None,
        None,
    ),
    "c_recursion_json": ("import json\njson.loads('[' * 10 ** 6)", {RE, MLE}, None, None),
    "socket_connect": (
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=0.5)\nprint('connected')",
        {RE},
        "connected",
        "no_network",
    ),
    "udp_send": (
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'x', ('8.8.8.8', 53))\n"
        "print('sent')",
        {RE},
        "sent",
        "no_network",
    ),
    "unix_socket_to_host": (
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/run/systemd/private')\nprint('connected')",
        {RE},
        "connected",
        None,
    ),
    "environ_dump": ("import os\nprint(dict(os.environ))", {OK}, CANARY, None),
    "parent_environ": (
        "import os\nprint(open(f'/proc/{os.getppid()}/environ', 'rb').read())",
        {OK, RE},
        CANARY,
        None,
    ),
    "scan_all_environs": (
        "import os\nfor p in os.listdir('/proc'):\n    try:\n        print(open(f'/proc/{p}/environ', 'rb').read())\n"
        "    except OSError:\n        pass",
        {OK},
        CANARY,
        "pid_namespace",  # without bubblewrap the host's /proc/<pid>/environ is readable (same uid)
    ),
    "read_host_file": (f"print(open({os.path.abspath(__file__)!r}).read())", {RE}, "HOST_ESCAPE", "bwrap"),
    "read_etc_shadow": ("print(open('/etc/shadow').read())", {RE}, None, "bwrap"),
    "write_outside_tmpdir": (
        f"open({HOST_ESCAPE!r}, 'w').write('escaped')\nopen('/escaped', 'w').write('x')",
        {RE},
        None,
        "readonly_root",  # without bubblewrap a root child can write anywhere the caller can
    ),
    "fill_disk": ("open('big', 'wb').write(b'x' * 10 ** 8)", {OLE}, None, None),
    "kill_parent": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", {RE}, None, "seccomp"),
    "kill_everything": ("import os, signal\nos.kill(-1, signal.SIGKILL)", {RE}, None, "seccomp"),
    "killpg_own_group": ("import os, signal\nos.killpg(0, signal.SIGKILL)", {RE}, None, "seccomp"),
    "setsid_escape": ("import os\nos.setsid()\nprint('escaped')", {RE}, "escaped", "seccomp"),
    "ptrace_parent": (LIBC + "import os\nprint(libc.ptrace(16, os.getppid(), 0, 0))", {OK}, None, "seccomp"),
    "unshare_namespace": (LIBC + "print(libc.unshare(0x10000000))", {OK}, None, "seccomp"),
    "mount_tmpfs": (LIBC + "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))", {OK}, None, "seccomp"),
    "iopl_and_mknod": (
        LIBC + "print(libc.iopl(3), libc.mknod(b'/tmp/sda', 0o60600, 0x801), libc.sethostname(b'pwned', 5))",
        {OK},
        "0",
        "seccomp",
    ),
    "ctypes_segfault": ("import ctypes\nctypes.string_at(0)", {RE}, None, None),
    "abort": ("import os\nos.abort()", {RE}, None, None),
    "self_sigkill": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", {RE}, None, None),
    "alarm_signal": ("import signal, time\nsignal.alarm(1)\ntime.sleep(5)", {RE, TLE}, None, None),
    "close_all_fds": (
        "import os\nfor fd in range(256):\n    try:\n        os.close(fd)\n    except OSError:\n"
        "        pass\nprint('x')",
        {RE, OK},
        None,
        None,
    ),
    "close_stdout_then_print": ("import os\nos.close(1)\nprint('x' * 10000)", {RE}, None, None),
    "exhaust_fds": ("[open('/dev/null') for _ in range(10 ** 4)]", {RE}, None, None),
    "huge_output_loop": ("while True:\n    print('x' * 1000)", {OLE}, None, None),
    "huge_output_once": ("print('x' * 10 ** 7)", {OLE}, None, None),
    "huge_stderr": ("import sys\nsys.stderr.write('e' * 10 ** 7)", {OLE}, None, None),
    "wipe_sys_modules": ("import sys\nsys.modules.clear()\nprint('x')", {OK, RE}, None, None),
    "open_dev_tty": ("open('/dev/tty', 'w').write('pwned')", {RE}, None, None),
}

# Cases whose *right* status is not a time limit but that need real CPU work before failing get a
# longer deadline, so that a loaded CI machine cannot turn them into a time limit.
SLOW_TO_FAIL = {"deep_recursion", "unbounded_recursion_limit", "c_recursion_json", "memory_bomb_growth", "fill_disk"}
SLOW_LIMITS = Limits(timeout_s=4.0, memory_mb=256, output_bytes=1 << 16)


@pytest.fixture(scope="module")
def hostile_box():
    os.environ["OPENAI_API_KEY"] = CANARY  # planted before the workers start
    os.environ["SSTAR_FAKE_SECRET"] = CANARY
    box = Sandbox(limits=LIMITS, workers=2, cache=False)
    box.backend.pipeline = True  # multi-test jobs have a prepared test process waiting (a target to attack)
    try:
        yield box
    finally:
        box.close()
        os.environ.pop("OPENAI_API_KEY", None)
        os.environ.pop("SSTAR_FAKE_SECRET", None)


def test_suite_is_large_enough():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_program_is_contained(hostile_box, name):
    program, allowed, forbidden, layer = HOSTILE[name]
    if layer is not None and not hostile_box.layers().get(layer):
        pytest.skip(f"isolation layer {layer!r} is not active on this machine")
    limits = SLOW_LIMITS if name in SLOW_TO_FAIL else LIMITS
    start = time.monotonic()
    result = hostile_box.run(program, [TestCase(input="")], mode="stdin", limits=limits)[0]
    elapsed = time.monotonic() - start
    assert result.status in allowed, (result.status, result.error)
    assert result.wall_s <= limits.timeout_s + 1.0
    assert elapsed <= limits.timeout_s + 5.0  # host side, generous for a loaded CI machine
    for text in (result.actual or "", result.error):
        assert CANARY not in text
        if forbidden:
            assert forbidden not in text
    assert not os.path.exists(HOST_ESCAPE)
    assert stray_processes(hostile_box.backend.worker_pids()) == []
    follow_up = hostile_box.run("print(int(input()) + 1)", [TestCase(input="41", output="42")], mode="stdin")[0]
    assert follow_up.status is Status.PASSED, follow_up.error


def test_layers_active_where_ci_installs_them(hostile_box):
    layers = hostile_box.layers()
    assert layers["clean_env"] and layers["rlimits"] and layers["process_group_kill"]
    if layers["bwrap"]:
        assert layers["pid_namespace"] and layers["readonly_root"] and layers["no_network"]


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
        layer = HOSTILE[name][3]
        if layer is None or hostile_box.layers().get(layer):
            assert rs[0].status in HOSTILE[name][1], (name, rs[0].status, rs[0].error)
    assert stray_processes(hostile_box.backend.worker_pids()) == []


def test_tests_of_one_program_cannot_reach_each_other(hostile_box):
    """The server prepares a program's next test process while the current one runs: no other process (the waiting
    test process, the server as pid 1) can be read, written or signalled from a test (non-dumpable, seccomp, no
    capabilities, no bwrap reaper)."""
    layers = hostile_box.layers()
    if not (layers.get("bwrap") and layers.get("seccomp")):
        pytest.skip("needs bubblewrap (no capabilities) and seccomp")
    program = (
        "import os, signal\n"
        "me = os.getpid()\n"
        "for p in os.listdir('/proc'):\n"
        "    if p.isdigit() and int(p) != me:\n"
        "        for attempt in (lambda: open(f'/proc/{p}/mem', 'r+b').close(), lambda: os.kill(int(p), 9)):\n"
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
