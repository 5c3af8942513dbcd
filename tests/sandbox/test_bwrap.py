"""The bubblewrap view of a fork server: what it can and cannot see."""

import shutil
import subprocess
import sys

import pytest

from sstar_dspy.sandbox.bwrap import bwrap_command

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")


def _run_inside(source_dir, code: str) -> subprocess.CompletedProcess:
    prefix = bwrap_command({"PATH": "/usr/bin:/bin"}, str(source_dir))
    result = subprocess.run([*prefix, sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=30)
    if result.returncode != 0 and "No permissions to create new namespace" in result.stderr:
        pytest.skip("user namespaces are disabled on this machine")
    return result


def test_source_dir_under_tmp_stays_visible(tmp_path):
    """A checkout or venv under /tmp (common in CI) must not be hidden by the sandbox's private /tmp."""
    (tmp_path / "marker.txt").write_text("here")
    result = _run_inside(tmp_path, f"print(open({str(tmp_path / 'marker.txt')!r}).read())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "here"


def test_source_dir_is_read_only_and_host_tmp_is_hidden(tmp_path):
    host_file = tmp_path.parent / f"host-only-{tmp_path.name}.txt"  # on the host's /tmp, beside the source dir
    host_file.write_text("secret")
    code = (
        "import os\n"
        f"try:\n    open({str(tmp_path / 'new.txt')!r}, 'w')\n    print('writable')\n"
        "except OSError:\n    print('read-only')\n"
        f"print(os.path.exists({str(host_file)!r}))\n"
    )
    result = _run_inside(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["read-only", "False"]
    assert not (tmp_path / "new.txt").exists()
