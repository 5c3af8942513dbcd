"""The hostile programs of the sandbox suite: name -> (program, allowed statuses, forbidden text, layer).

``layer`` names the isolation layer that contains the case. Every layer is required: a case is only
skipped when the machine cannot have that layer at all (see ``conftest.impossible``). ``forbidden`` is
text that must not appear in the output or error (a secret, or proof the attack worked).
"""

import os
import uuid

import pydantic

from sstar_dspy.sandbox import Status

CANARY = "sk-sstar-canary-" + uuid.uuid4().hex  # planted as OPENAI_API_KEY in the test process's environment
TAG = uuid.uuid4().hex
HOME = os.path.expanduser("~")
HOST_ESCAPE = f"/tmp/sstar_escape_{TAG}"
HOST_FILE = os.path.abspath(__file__)
# files an attack would create on the host; none may exist after any case (checked after each one)
HOST_TARGETS = (
    HOST_ESCAPE, f"{HOME}/.sstar_pwned_{TAG}", f"/var/sstar_pwned_{TAG}", f"/var/tmp/sstar_pwned_{TAG}",
    f"/dev/shm/sstar_pwned_{TAG}", f"{HOME}/.sstar_daemon_{TAG}", f"/tmp/sstar_daemon_{TAG}",
)  # fmt: skip
TEST_PID = os.getpid()
SITE_PACKAGES = os.path.dirname(os.path.dirname(pydantic.__file__))  # the installing environment's packages

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
        "pid_namespace",
    ),
    "read_host_file": (f"print(open({HOST_FILE!r}).read())", {RE}, "HOST_ESCAPE", "hidden_files"),
    "read_etc_shadow": ("print(open('/etc/shadow').read())", {RE}, None, "hidden_files"),
    "write_outside_tmpdir": (
        f"open({HOST_ESCAPE!r}, 'w').write('escaped')\nopen('/escaped', 'w').write('x')",
        {RE},
        None,
        "readonly_root",
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
    # -- reported from inside a venv install (issue 14) ---------------------------------------------------------
    "ppid_chain_environ": (
        "import os\npid = os.getpid()\nwhile pid > 1:\n    try:\n"
        "        print(open(f'/proc/{pid}/environ', 'rb').read())\n"
        "        pid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
        "    except (OSError, ValueError):\n        break\nprint('walked')",
        {OK, RE},
        CANARY,
        "pid_namespace",
    ),
    "host_pid_environ": (f"print(open('/proc/{TEST_PID}/environ', 'rb').read())", {RE, OK}, CANARY, "pid_namespace"),
    "host_pid_cmdline_and_root": (
        f"print(open('/proc/{TEST_PID}/root/etc/hostname').read(), open('/proc/{TEST_PID}/cmdline').read())",
        {RE},
        "pytest",
        "pid_namespace",
    ),
    "signal_host_pid": (f"import os\nos.kill({TEST_PID}, 0)\nprint('reached')", {RE}, "reached", "seccomp"),
    "kill_pid_1": ("import os, signal\nos.kill(1, signal.SIGKILL)\nprint('killed')", {RE}, "killed", "seccomp"),
    "kill_every_pid": (
        "import os\nn = 0\nfor pid in range(1, 4096):\n    try:\n        os.kill(pid, 9)\n        n += 1\n"
        "    except OSError:\n        pass\nprint('killed', n)",
        {OK, RE},
        None,
        "seccomp",
    ),
    "read_home": (f"import os\nprint(os.listdir({HOME!r}))", {RE}, None, "hidden_files"),
    "read_root_dir": ("import os\nprint(os.listdir('/root'))", {RE}, None, "hidden_files"),
    "read_ssh_keys": (f"print(open({HOME + '/.ssh/id_rsa'!r}).read())", {RE}, None, "hidden_files"),
    "read_etc_passwd": ("print(open('/etc/passwd').read())", {RE}, "root:", "hidden_files"),
    "symlink_to_shadow": (
        "import os\nos.symlink('/etc/shadow', 'x')\nprint(open('x').read())",
        {RE},
        None,
        "hidden_files",
    ),
    "hardlink_passwd": (
        "import os\nos.link('/etc/passwd', 'x')\nprint(open('x').read())",
        {RE},
        "root:",
        "hidden_files",
    ),
    "write_home": (f"open({HOST_TARGETS[1]!r}, 'w').write('pwned')", {RE}, None, "readonly_root"),
    "write_var": (f"open({HOST_TARGETS[2]!r}, 'w').write('pwned')", {RE}, None, "readonly_root"),
    "write_var_tmp": (f"open({HOST_TARGETS[3]!r}, 'w').write('pwned')", {RE}, None, "readonly_root"),
    "write_dev_shm": (f"open({HOST_TARGETS[4]!r}, 'w').write('pwned')", {RE}, None, "readonly_root"),
    "write_sandbox_source": (
        "import os, sys\nopen(os.path.join(os.path.dirname(os.__file__), 'sstar_pwned.py'), 'w').write('x')",
        {RE},
        None,
        "readonly_root",
    ),
    "chmod_tmp": ("import os\nos.chmod('/tmp', 0o777)\nprint('changed')", {RE}, "changed", "readonly_root"),
    "chmod_own_files": (
        "import os, sys\nos.chmod(sys.executable, 0o777)\nprint('changed')",
        {RE},
        "changed",
        "readonly_root",
    ),
    "become_root": ("import os\nos.setuid(0)\nprint('became-' + 'root')", {RE}, "became-root", "unprivileged_uid"),
    "ctypes_fork_loop": (LIBC + "while True:\n    libc.fork()", {TLE}, None, "seccomp"),
    "ctypes_syscall_fork_loop": (LIBC + "while True:\n    libc.syscall(57)", {TLE}, None, "seccomp"),
    "ctypes_clone_loop": (LIBC + "while True:\n    libc.syscall(56, 17, 0, 0, 0, 0)", {TLE}, None, "seccomp"),
    "posix_fork_loop_catching": (
        "import posix\nn = 0\nwhile True:\n    try:\n        posix.fork()\n    except OSError:\n        n += 1",
        {TLE},
        None,
        "seccomp",
    ),
    "subprocess_shell": (
        "import subprocess\nprint(subprocess.run('echo pwned', shell=True, capture_output=True).stdout)",
        {RE},
        "pwned",
        "seccomp",
    ),
    "memfd_execveat": (
        LIBC + "import os\nfd = os.memfd_create('x')\nos.write(fd, open('/bin/true', 'rb').read())\n"
        "print(libc.syscall(322, fd, b'', None, None, 0x1000))",
        {OK, RE},
        None,
        "seccomp",
    ),
    "udp_send_localhost": (
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'x', ('127.0.0.1', 9))\n"
        "print('sent')",
        {RE},
        "sent",
        "no_network",
    ),
    "ctypes_raw_socket": (LIBC + "print(libc.socket(2, 2, 0), libc.socket(1, 1, 0))", {OK}, None, "no_network"),
    "io_uring_setup": (LIBC + "print(libc.syscall(425, 8, bytes(120)))", {OK}, None, "seccomp"),
    "nested_user_namespace": (LIBC + "print(libc.unshare(0x10000000 | 0x40000000))", {OK}, None, "seccomp"),
    "import_non_allowlisted_package": ("import pydantic\nprint('imported')", {RE}, "imported", "hidden_files"),
    "import_from_base_site_packages": (
        "import sys, sysconfig\nsys.path.append(sysconfig.get_paths()['purelib'])\nimport pip\nprint('imported')",
        {RE},
        "imported",
        "hidden_files",
    ),
    "list_venv_site_packages": (f"import os\nprint(os.listdir({SITE_PACKAGES!r}))", {RE}, "pydantic", "hidden_files"),
    "large_thread_count": (
        "import threading, time\nts = []\nfor _ in range(2000):\n"
        "    t = threading.Thread(target=time.sleep, args=(5,))\n    t.daemon = True\n    t.start()\n    ts.append(t)",
        {RE, MLE, TLE},
        None,
        None,
    ),
}
