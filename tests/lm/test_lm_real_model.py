"""The real embedded 0.5B model through DSPy (skipped unless its parts and xllamacpp are installed)."""

from __future__ import annotations

import dspy
import pytest

from sstar_dspy.lm import describe_model, resolve_lm, running_servers

pytestmark = pytest.mark.slow

_info = describe_model("embedded-fast")


@pytest.mark.skipif(not _info.ready, reason=f"embedded-fast model not installed: {_info.fix}")
def test_embedded_fast_answers_a_predict_through_the_shared_server():
    lm = resolve_lm("embedded-fast", temperature=0.0, max_tokens=256, cache=False)
    again = resolve_lm("embedded-fast", temperature=0.0, max_tokens=256, cache=False)
    assert lm.kwargs["api_base"] == again.kwargs["api_base"].rstrip("/")
    assert lm.kwargs["api_base"].startswith("http://127.0.0.1:")
    assert sum(s.alias == "qwen2.5-coder-0.5b-instruct-q4_k_m" for s in running_servers()) == 1
    with dspy.context(lm=lm):
        pred = dspy.Predict("question -> answer: int")(question="How many legs does a cat have?")
    assert isinstance(pred.answer, int)  # the ChatAdapter parsed a typed field from the real model's reply
    assert lm.history[-1]["usage"]["completion_tokens"] > 0
