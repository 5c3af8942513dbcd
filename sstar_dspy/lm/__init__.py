"""Language models for sstar-dspy: ``resolve_lm`` and the embedded local models.

Example:
    >>> from sstar_dspy.lm import describe_model
    >>> describe_model("embedded-fast").kind
    'embedded'
"""

from sstar_dspy.lm.embedded import EMBEDDED_MODELS, EmbeddedModelSpec, cache_dir, ensure_model_file
from sstar_dspy.lm.info import ModelInfo, describe_model
from sstar_dspy.lm.resolve import DEFAULT_MAX_TOKENS, default_model_name, resolve_lm
from sstar_dspy.lm.server import EmbeddedServer, ServerOptions, get_server, running_servers

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "EMBEDDED_MODELS",
    "EmbeddedModelSpec",
    "EmbeddedServer",
    "ModelInfo",
    "ServerOptions",
    "cache_dir",
    "default_model_name",
    "describe_model",
    "ensure_model_file",
    "get_server",
    "resolve_lm",
    "running_servers",
]
