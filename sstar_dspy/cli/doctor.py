"""``sstar doctor``: which sandbox layers are active, which model would be used, where caches live."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import ModelOpt, console
from sstar_dspy.errors import SandboxUnavailableError

StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        envvar="SSTAR_SANDBOX_STRICT",
        help="Fail (exit 2, one error line) unless every sandbox isolation layer is on.",
    ),
]


def doctor(model: ModelOpt = None, strict: StrictOpt = False) -> None:
    """Check the installation: sandbox isolation layers, the model that would be used, cache locations.

    Each layer is ``active`` or ``MISSING: <reason>`` on one line; ``--strict`` makes a missing layer an error.
    Setting ``SSTAR_SANDBOX_STRICT=1`` makes every command's sandbox strict (it refuses to run).
    """
    from sstar_dspy import __version__
    from sstar_dspy.lm import describe_model
    from sstar_dspy.runs.manifest import package_versions
    from sstar_dspy.sandbox import default_sandbox

    versions = package_versions()
    console.print(f"sstar-dspy {__version__}  (python {versions['python']}, dspy {versions.get('dspy', '?')})")
    console.print("sandbox layers:")
    sandbox = default_sandbox()
    layers, missing = sandbox.layers(), sandbox.missing_layers()
    for name, active in layers.items():
        state = "active" if active else f"MISSING: {missing.get(name, 'not provided by this backend')}"
        console.print(f"  {name:<20} {state}", markup=False, highlight=False)
    from sstar_dspy.sandbox.allowlist import ALLOWED_PACKAGES, package_paths

    allowed = ", ".join(name if package_paths(name) else f"{name} (NOT INSTALLED)" for name in ALLOWED_PACKAGES)
    console.print(f"  {'program imports':<20} standard library + {allowed}", markup=False, highlight=False)
    if strict and missing:
        described = "; ".join(f"{name} ({why})" for name, why in missing.items())
        raise SandboxUnavailableError(f"--strict: sandbox isolation layers missing: {described}")
    info = sandbox.cache_info() if hasattr(sandbox, "cache_info") else {}
    if info:
        described = f"{info.get('kind', '?')}, {int(info.get('max_bytes', 0)) >> 20} MB max (per process)"
    else:
        described = "off"
    console.print(f"  {'run cache':<20} {described}")
    if model and model.startswith("py:"):
        console.print(f"model: {model} (Python factory)")
    else:
        for line in describe_model(model).lines():
            console.print(line)
    dspy_cache = os.environ.get("DSPY_CACHEDIR") or str(Path.home() / ".dspy_cache")
    console.print(f"dspy LM cache: {dspy_cache}")
    console.print(f"default run dir: {Path('runs').resolve()}")


def register(app: typer.Typer) -> None:
    """Add ``sstar doctor`` to the app."""
    app.command("doctor")(doctor)
