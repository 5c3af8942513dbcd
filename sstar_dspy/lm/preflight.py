"""One cheap call before a run starts, so a wrong model, an unreachable server or a bad key is one error line.

Without it, ``sstar eval --model gpt-99-bogus`` would record every problem as an LM error and report
``pass@1 0.0%``. :func:`preflight` sends one request (``max_tokens=1``, no cache, no retries, a short timeout)
to every LM that talks to a network; LMs that answer in-process (``ScriptedLM`` and other custom engines, the
embedded models, which are warmed up when they start) are not called. A rate limit or a 5xx answer means the
model exists and the server is there: it is a warning, not an error (the run's own retries deal with it).

Example:
    >>> from sstar_dspy.testing import ScriptedLM
    >>> preflight(ScriptedLM({"generate": {"code": "print(1)"}}), "scripted") is None  # never called
    True
    >>> import dspy
    >>> preflight(dspy.LM("openai/m", api_base="http://127.0.0.1:9/v1", api_key="k"), "openai/m")
    Traceback (most recent call last):
    ...
    sstar_dspy.errors.ModelUnavailableError: model 'openai/m' does not answer at http://127.0.0.1:9/v1 ...
"""

from __future__ import annotations

import logging
from typing import Any

from sstar_dspy.errors import ModelUnavailableError, error_line

logger = logging.getLogger(__name__)

PREFLIGHT_TIMEOUT_S = 30.0
EMBEDDED_ATTR = "_sstar_in_process"  # set by resolve_lm on LMs served by the embedded runtime


def needs_preflight(lm: Any) -> bool:
    """True for a ``dspy.LM`` whose engine talks to a server (not scripted, custom or embedded).

    Example:
        >>> import dspy
        >>> needs_preflight(dspy.LM("openai/gpt-4o-mini"))
        True
    """
    import dspy

    from sstar_dspy.testing import ScriptedLM

    if isinstance(lm, ScriptedLM) or not isinstance(lm, dspy.LM) or getattr(lm, EMBEDDED_ATTR, False):
        return False
    return isinstance(getattr(lm, "_engine_spec", "auto"), str)  # "auto"/"litellm"; an engine object is local


class _DropTruncationWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "truncated" not in record.getMessage()


def _fatal(exc: Exception) -> bool:
    """Errors that mean the run cannot work: configuration, auth, billing, bad model, no connection."""
    from dspy.utils import exceptions as e

    retry_later = (e.LMRateLimitError, e.LMServerError)
    if isinstance(exc, retry_later):
        return False
    fatal = (
        e.LMConfigurationError,
        e.LMAuthError,
        e.LMBillingError,
        e.LMInvalidRequestError,
        e.LMTransportError,
        e.LMTimeoutError,
    )
    return isinstance(exc, fatal) or not isinstance(exc, e.LMError)


def preflight(lm: Any, name: str | None = None) -> None:
    """Check that ``lm`` answers one tiny request; raise one error line when it cannot.

    Args:
        lm: The LM a command is about to use.
        name: How the user named it (``--model`` value), for the message.

    Raises:
        ModelUnavailableError: Unknown model or provider, missing or bad key, unreachable server, timeout.
    """
    if not needs_preflight(lm):
        return
    name = name or lm.model
    # reasoning models carry max_completion_tokens instead; sending both would be refused
    limit = "max_completion_tokens" if "max_completion_tokens" in lm.kwargs else "max_tokens"
    quiet = _DropTruncationWarning()
    dspy_lm_logger = logging.getLogger("dspy.clients.lm")
    dspy_lm_logger.addFilter(quiet)  # a 1-token answer is truncated by design: no warning about it
    try:
        probe = lm.copy(**{limit: 1}, timeout=PREFLIGHT_TIMEOUT_S)
        probe.num_retries = 0
        probe("ping", cache=False)
    except Exception as exc:  # noqa: BLE001 - classified below; anything unexpected is fatal too
        where = f" at {lm.kwargs['api_base']}" if lm.kwargs.get("api_base") else ""
        if not _fatal(exc):
            logger.warning("model %s%s answered a test request with %s; starting anyway", name, where, error_line(exc))
            return
        raise ModelUnavailableError(
            f"model {name!r} does not answer{where} ({error_line(exc)}); check the model name, --api-base and "
            "--api-key (a test request with max_tokens=1 failed before the run started)"
        ) from None
    finally:
        dspy_lm_logger.removeFilter(quiet)
    logger.info("model %s answered the preflight request", name)
