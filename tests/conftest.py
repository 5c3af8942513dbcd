"""Test isolation (offline LiteLLM, no DSPy disk cache, DSPy settings restored after each test) and CI skip rules.

Under ``CI=true`` a skipped test is a failure unless its reason is one CI is allowed to have (``CI_ALLOWED_SKIPS``:
a kernel that cannot provide an isolation layer, the real embedded model not installed). So the dev-data tests,
which skip locally when ``$SSTAR_DATA_DIR`` is missing, fail in CI, and so does any test that would skip for a
missing dependency. ``.ci/run`` also sets ``SSTAR_CI_EXPECTED_SKIPS`` (from ``.ci/expected-skips``): when set
under CI, a session whose skip count differs fails with the list of skips, so a test that starts skipping cannot go
unnoticed.
"""

import os
import re

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402
import pytest  # noqa: E402

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
EXPECTED_SKIPS_ENV = "SSTAR_CI_EXPECTED_SKIPS"
# Only impossibilities of the machine itself (tests/sandbox/conftest.py:impossible words them), never a missing package.
CI_ALLOWED_SKIPS = re.compile(
    r"the kernel refuses unprivileged user namespaces|the kernel has no Landlock|no seccomp syscall table"
    r"|embedded-fast model not installed",
    re.IGNORECASE,
)
_skips: list[str] = []


@pytest.fixture(autouse=True)
def _isolated_dspy():
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=True)
    with dspy.context():
        yield


def skip_reason(report: pytest.TestReport) -> str:
    """The reason of a skipped test's report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = skip_reason(report)
    if IN_CI and not CI_ALLOWED_SKIPS.search(reason):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where it must run: {reason}"
        return
    _skips.append(f"{item.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    expected = os.environ.get(EXPECTED_SKIPS_ENV)
    if not IN_CI or expected is None or not expected.strip().isdigit() or session.testscollected == 0:
        return
    if len(_skips) != int(expected):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [
            f"CI: {len(_skips)} tests skipped, expected {int(expected)} ({EXPECTED_SKIPS_ENV}, "
            "from .ci/expected-skips); a new skip hides a test, a missing one means the file is stale:",
            *(f"  {line}" for line in _skips),
        ]
        for line in lines:
            if reporter is not None:
                reporter.write_line(line)
            else:
                print(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
