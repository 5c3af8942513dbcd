"""What a sandboxed program may read and import: system libraries, the standard library and an allowlist.

The fork server confines itself (``_confine.py``) with the configuration built here. Test processes can
read (never write) only:

* the system's shared libraries and data (``/usr``, ``/lib*``, ``/bin``, ``/etc/ld.so.cache``,
  ``/etc/localtime``) and the CPU topology in ``/sys/devices/system/cpu``;
* the Python installation the sandbox runs (``sys.base_prefix``: the interpreter and its standard library,
  not its ``site-packages``);
* the sandbox's own source directory (the fork server imports its modules from there);
* the packages of :data:`ALLOWED_PACKAGES`, wherever they are installed (a virtual environment or not):
  their top-level directories are linked into one directory on the programs' ``sys.path``.

Nothing else of the machine is visible to a program: not the other installed packages (so the same
programs run the same way in every install), not the home directories, ``/etc/shadow`` or the project.

Example:
    >>> config = sandbox_config()
    >>> any(path.endswith("/numpy") for path in config["packages"])
    True
    >>> any(path.endswith("site-packages") for path in config["read"])
    False
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
import sysconfig

ALLOWED_PACKAGES = ("numpy",)  # importable by every program; a dependency of sstar-dspy, so in every install
SYSTEM_READ = (
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache", "/etc/localtime",
    "/sys/devices/system/cpu",
)  # fmt: skip
NPROC_CAP = 512  # processes + threads of one fork server's namespace (seccomp already forbids new processes)


def package_paths(name: str) -> list[str]:
    """The installed top-level directories (and ``.libs`` directories of its wheel) of distribution ``name``."""
    try:
        distribution = importlib.metadata.distribution(name)
        tops = {str(file).split("/", 1)[0] for file in distribution.files or ()} - {"..", "."}  # not ../../bin
        paths = [str(distribution.locate_file(top)) for top in sorted(tops)]
        paths = [p for p in paths if os.path.isdir(p) and not p.endswith((".dist-info", ".data", "__pycache__"))]
        if paths:
            return paths
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(name)
    return list(spec.submodule_search_locations or []) if spec is not None else []


def installation_paths(prefix: str) -> list[str]:
    """The Python installation at ``prefix`` without its ``site-packages``: the entries beside the path to the
    standard library and the standard library's own entries (packages installed into the base interpreter
    are not readable, so programs see the same modules in every install). ``[prefix]`` when the standard
    library is not under it, or ``prefix`` is a system directory that is readable anyway (``/usr``).
    """
    paths = {"base": prefix, "platbase": prefix, "installed_base": prefix, "installed_platbase": prefix}
    stdlib = sysconfig.get_paths(vars=paths)["stdlib"]
    if not stdlib.startswith(prefix.rstrip("/") + "/") or not os.path.isdir(stdlib) or prefix in SYSTEM_READ:
        return [prefix]
    out, directory = [], prefix
    for part in os.path.relpath(stdlib, prefix).split(os.sep):
        out += [os.path.join(directory, name) for name in sorted(os.listdir(directory)) if name != part]
        directory = os.path.join(directory, part)
    out += [os.path.join(stdlib, n) for n in sorted(os.listdir(stdlib)) if n not in ("site-packages", "dist-packages")]
    return out


def sandbox_config(source_dir: str | None = None) -> dict:
    """The fork server's ``--config``: paths to read and keep reachable, allowlisted packages, process cap."""
    source_dir = source_dir or os.path.dirname(os.path.abspath(__file__))
    executable_dir = os.path.dirname(os.path.realpath(sys.executable))
    prefixes = list(dict.fromkeys([sys.base_prefix, sys.base_exec_prefix]))
    read = [*SYSTEM_READ, *(p for prefix in prefixes for p in installation_paths(prefix)), source_dir]
    reveal = [*prefixes, source_dir, executable_dir]
    packages = [path for name in ALLOWED_PACKAGES for path in package_paths(name)]
    return {"read": list(dict.fromkeys(read)), "reveal": reveal, "packages": packages, "nproc": NPROC_CAP}
