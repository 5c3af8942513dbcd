"""Where the kernel refuses a mechanism, the sandbox still runs, names each missing layer with the reason
in one line, and strict mode refuses. The refusal is simulated: the fork server starts under a seccomp
filter that makes ``unshare`` fail with EPERM (as a kernel forbidding user namespaces does) or
``landlock_create_ruleset`` fail with ENOSYS (a kernel without Landlock).
"""

import errno

import pytest

from sstar_dspy.errors import SandboxUnavailableError
from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox import LocalForkServerBackend, Sandbox, Status, local

WRAPPER = """
import ctypes, runpy, sys
sys.path.insert(0, {sandbox_dir!r})
import _seccomp as s
deny = [(s.JEQ_K, {number}, "refuse", None), (s.RET_K, s.RET_ALLOW, None, None),
        ("refuse",), (s.RET_K, s.RET_ERRNO | {errno}, None, None)]
program = s._assemble(s._prologue(s._table()[0]) + deny + s._returns())
libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(program, len(program))
fprog = s._SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_char_p))
assert libc.prctl(s.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
assert libc.prctl(s.PR_SET_SECCOMP, s.SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
del sys.path[0]
sys.argv[0] = {server!r}
runpy.run_path({server!r}, run_name="__main__")
"""


def _refusing(tmp_path, monkeypatch, syscall: str, code: int) -> LocalForkServerBackend:
    from sstar_dspy.sandbox import _seccomp

    number = {**_seccomp.SYSCALLS_X86_64, "landlock_create_ruleset": 444}[syscall]
    wrapper = tmp_path / "refusing_server.py"
    source = WRAPPER.format(sandbox_dir=local.SOURCE_DIR, number=number, errno=code, server=local.SERVER_SCRIPT)
    wrapper.write_text(source)
    monkeypatch.setattr(local, "SERVER_SCRIPT", str(wrapper))
    return LocalForkServerBackend(workers=1)


@pytest.mark.parametrize(
    ("syscall", "code", "missing", "reason"),
    [
        ("unshare", errno.EPERM, {"no_network", "pid_namespace"}, "the kernel refused new namespaces"),
        ("landlock_create_ruleset", errno.ENOSYS, {"landlock", "readonly_root", "hidden_files"}, "no Landlock"),
    ],
)
def test_a_refused_mechanism_is_named_with_its_reason(tmp_path, monkeypatch, syscall, code, missing, reason):
    with Sandbox(backend=_refusing(tmp_path, monkeypatch, syscall, code)) as box:
        absent = box.missing_layers()
        assert missing <= set(absent), absent
        for name in missing:
            assert reason in absent[name] and "\n" not in absent[name], absent[name]
        assert {"seccomp", "fork_server", "rlimits", "clean_env"}.isdisjoint(absent)
        result = box.run("print(int(input()) * 2)", [TestCase(input="21", output="42")], mode="stdin")[0]
        assert result.status is Status.PASSED, result.error  # the engine still serves, with fewer layers
        box.strict = True
        with pytest.raises(SandboxUnavailableError, match=reason):
            box.run("print(1)", [TestCase(input="")], mode="stdin")
