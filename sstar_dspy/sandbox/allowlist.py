"""What a sandboxed program may read and import: system libraries, the standard library and an allowlist.

The fork server confines itself (``_confine.py``) with the configuration built here. Test processes can
read (never write) only:

* the system's shared libraries and data (``/usr``, ``/lib*``, ``/bin``, ``/etc/ld.so.cache``,
  ``/etc/localtime``) and the CPU topology in ``/sys/devices/system/cpu``;
* the Python installation the sandbox runs (``sys.base_prefix``: the interpreter and its standard library);
* the sandbox's own source directory (the fork server imports its modules from there);
* the packages of :data:`ALLOWED_PACKAGES`, wherever they are installed (a virtual environment or not):
  their top-level directories are linked into one directory on the programs' ``sys.path``.

Nothing else of the machine is visible to a program: not the other installed packages (so the same
programs run the same way in every install), not the home directories, ``/etc/shadow`` or the project.

Example:
    >>> config = sandbox_config()
    >>> any(path.endswith("/numpy") for path in config["packages"])
    True
    >>> sys.base_prefix in config["read"]
    True
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys

ALLOWED_PACKAGES = ("numpy",)  # importable by every program (dspy always installs numpy)
SYSTEM_READ = (
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache", "/etc/localtime",
    "/sys/devices/system/cpu",
)  # fmt: skip
NPROC_CAP = 512  # processes + threads of one fork server's namespace (seccomp already forbids new processes)


def package_paths(name: str) -> list[str]:
    """The installed top-level directories (and ``.libs`` directories of its wheel) of distribution ``name``."""
    try:
        distribution = importlib.metadata.distribution(name)
        tops = {str(file).split("/", 1)[0] for file in distribution.files or ()}
        paths = [str(distribution.locate_file(top)) for top in sorted(tops)]
        paths = [p for p in paths if os.path.isdir(p) and not p.endswith((".dist-info", ".data", "__pycache__"))]
        if paths:
            return paths
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(name)
    return list(spec.submodule_search_locations or []) if spec is not None else []


def sandbox_config(source_dir: str | None = None) -> dict:
    """The fork server's ``--config``: paths to read, allowlisted package directories, process cap."""
    source_dir = source_dir or os.path.dirname(os.path.abspath(__file__))
    read = [*SYSTEM_READ, sys.base_prefix, sys.base_exec_prefix, source_dir]
    read.append(os.path.dirname(os.path.realpath(sys.executable)))
    packages = [path for name in ALLOWED_PACKAGES for path in package_paths(name)]
    return {"read": list(dict.fromkeys(read)), "packages": packages, "nproc": NPROC_CAP}
