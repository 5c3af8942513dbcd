"""``sstar doctor``: which sandbox layers are active, which model would be used, where caches live."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sstar_dspy.cli.common import ModelOpt, console


def doctor(model: ModelOpt = None) -> None:
    """Check the installation: sandbox isolation layers, the model that would be used, cache locations."""
    from sstar_dspy import __version__
    from sstar_dspy.lm import describe_model
    from sstar_dspy.runs.manifest import package_versions
    from sstar_dspy.sandbox import default_sandbox

    versions = package_versions()
    console.print(f"sstar-dspy {__version__}  (python {versions['python']}, dspy {versions.get('dspy', '?')})")
    console.print("sandbox layers:")
    sandbox = default_sandbox()
    for name, active in sandbox.layers().items():
        console.print(f"  {name:<20} {'active' if active else 'MISSING'}")
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
