"""Fetching dataset files from the Hugging Face hub without hanging when there is no network.

``huggingface_hub`` retries a failing request for about half a minute before it gives up, printing a warning
for each try. :func:`fetch_dataset_files` avoids that: files already in the Hugging Face cache are used without
any network access; with ``HF_HUB_OFFLINE`` set, a missing file is one error line at once; otherwise one TCP
connection to the hub (or the HTTPS proxy) with a short timeout decides whether downloading is worth trying.

Example:
    >>> hub_offline({"HF_HUB_OFFLINE": "1"}), hub_offline({"HF_HUB_OFFLINE": "0"}), hub_offline({})
    (True, False, False)
    >>> probe_target({"HF_ENDPOINT": "https://hf-mirror.example:8443"})
    ('hf-mirror.example', 8443)
    >>> probe_target({"HTTPS_PROXY": "http://proxy.internal:3128"})
    ('proxy.internal', 3128)
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from sstar_dspy.problems.errors import ProblemSourceError

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 3.0
DEFAULT_ENDPOINT = "https://huggingface.co"


def hub_offline(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``HF_HUB_OFFLINE`` asks for no network access (1/true/yes/on, as huggingface_hub reads it)."""
    value = (environ if environ is not None else os.environ).get("HF_HUB_OFFLINE", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def probe_target(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """The host and port a download would connect to first: the HTTPS proxy if one is set, else the hub endpoint."""
    env = environ if environ is not None else os.environ
    proxy = env.get("HTTPS_PROXY") or env.get("https_proxy") or env.get("ALL_PROXY") or env.get("all_proxy")
    url = urlsplit(proxy or env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT)
    return url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)


def hub_unreachable(timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Why the hub cannot be reached (one TCP connection, ``timeout`` seconds), or None when it can."""
    host, port = probe_target()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{host}:{port}: {reason}"


def fetch_dataset_files(repo: str, names: Sequence[str], *, offline_hint: str) -> list[Path]:
    """Local paths of ``names`` in the hub dataset ``repo``: from the cache, else downloaded.

    Args:
        repo: Dataset repository id (``owner/name``).
        names: Files to fetch.
        offline_hint: How to proceed without the hub (ends every error line).

    Raises:
        ProblemSourceError: ``huggingface_hub`` is missing, ``HF_HUB_OFFLINE`` is set and a file is not cached,
            the hub cannot be reached, or a download fails (one line each).
    """
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise ProblemSourceError(
            f"loading {repo} from the hub needs the datasets extra: pip install 'sstar-dspy[datasets]'"
        ) from None
    cached: dict[str, Path] = {}
    for name in names:
        try:
            cached[name] = Path(hf_hub_download(repo, name, repo_type="dataset", local_files_only=True))
        except Exception:  # noqa: BLE001 - not in the cache (or an unreadable cache): try the network below
            continue
    missing = [name for name in names if name not in cached]
    if not missing:
        return [cached[name] for name in names]
    wanted = f"{', '.join(missing)} of {repo}"
    if hub_offline():
        verb = "is" if len(missing) == 1 else "are"
        raise ProblemSourceError(
            f"HF_HUB_OFFLINE is set and {wanted} {verb} not in the Hugging Face cache; unset it (with network) "
            f"or {offline_hint}"
        )
    unreachable = hub_unreachable()
    if unreachable is not None:
        raise ProblemSourceError(f"cannot reach the Hugging Face hub ({unreachable}) to fetch {wanted}; {offline_hint}")
    for name in missing:
        try:
            cached[name] = Path(hf_hub_download(repo, name, repo_type="dataset"))
        except Exception as exc:  # noqa: BLE001 - network/auth/cache errors all mean "not available"
            raise ProblemSourceError(f"cannot fetch {repo}/{name} ({type(exc).__name__}); {offline_hint}") from None
    return [cached[name] for name in names]
