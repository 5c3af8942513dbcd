"""Dollar cost of LM usage from litellm's local price table (None when litellm does not know the model).

Example:
    >>> usage_cost("openai/gpt-4o-mini", 1000, 1000) > 0
    True
    >>> usage_cost("embedded", 1000, 1000) is None
    True
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


LOCAL_PREFIXES = ("embedded", "py:", "scripted:", "scripted/", "local/", "gguf-")


def is_local(model: str) -> bool:
    """Models that cost nothing and that litellm cannot price (no need to import litellm, which is slow)."""
    return not model or model.startswith(LOCAL_PREFIXES) or model.lower().endswith(".gguf")


@lru_cache(maxsize=256)
def token_prices(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token for a model id, or None if unknown (local and scripted models)."""
    if is_local(model):
        return None
    table = _price_table()
    candidates = [model, model.split("/", 1)[-1], model.rsplit("/", 1)[-1]]
    for key in candidates:
        entry = table.get(key)
        if entry and "input_cost_per_token" in entry:
            return float(entry.get("input_cost_per_token") or 0.0), float(entry.get("output_cost_per_token") or 0.0)
    return None


@lru_cache(maxsize=1)
def _price_table() -> dict:
    """litellm's price table. Read from the JSON file litellm ships when litellm is not imported yet: importing
    it takes ~15 s on a busy machine, which a dry run or a price check should not pay."""
    if "litellm" in sys.modules:  # already paid for; also sees models a user registered with litellm
        return sys.modules["litellm"].model_cost
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(spec.submodule_search_locations[0]) / "model_prices_and_context_window_backup.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        import litellm

        return litellm.model_cost


def usage_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD for the given token counts, or None when the price is unknown."""
    prices = token_prices(model)
    if prices is None:
        return None
    return prompt_tokens * prices[0] + completion_tokens * prices[1]


def dollars_to_tokens(model: str, dollars: float) -> int | None:
    """A conservative token cap for a dollar budget (every token priced at the dearer of input/output)."""
    prices = token_prices(model)
    if prices is None or max(prices) <= 0:
        return None
    return max(1, int(dollars / max(prices)))
