from sstar_dspy.runs.redact import MASK, RedactingFilter, redact, redact_argv, register_secret


def test_registered_and_env_secrets_are_masked(monkeypatch):
    monkeypatch.setenv("MYPROVIDER_API_KEY", "plantedvalue-0001")
    register_secret("another-planted-secret")
    out = redact({"a": ["x plantedvalue-0001 y"], "b": "another-planted-secret", "api_key": "whatever"})
    assert out == {"a": [f"x {MASK} y"], "b": MASK, "api_key": MASK}


def test_key_shapes_are_masked_even_if_unknown():
    assert redact("token sk-abcdefghijklmnop1234 end") == f"token {MASK} end"


def test_argv_masks_api_key_options():
    argv = ["sstar", "eval", "--api-key", "k-123456", "--model=x", "--api-key=k-123456"]
    assert redact_argv(argv) == ["sstar", "eval", "--api-key", MASK, "--model=x", f"--api-key={MASK}"]


def test_logging_filter_masks_messages():
    import logging

    register_secret("logged-secret-42")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "calling with %s", ("logged-secret-42",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == f"calling with {MASK}"
