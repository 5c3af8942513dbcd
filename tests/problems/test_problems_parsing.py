"""Low-level helpers: literal folding, starter-code signatures, restricted unpickling, raw record reading."""

import ast
import base64
import pickle
import zlib

import pytest

from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.problems.literals import NotLiteralError, literal_value
from sstar_dspy.problems.records import iter_records
from sstar_dspy.problems.safe_pickle import UnsafePickleError, decode_private_tests
from sstar_dspy.problems.signature import method_signature, method_signatures


def fold(text):
    return literal_value(ast.parse(text, mode="eval").body)


def test_literal_folding_handles_containers_and_arithmetic():
    assert fold("{'a': [1, -2.5, (3, None)], 'b': True}") == {"a": [1, -2.5, (3, None)], "b": True}
    assert fold("3 * 19") == 57
    assert fold("'ab' + 'c' * 2") == "abcc"
    assert fold("2 ** 10 - 1") == 1023


@pytest.mark.parametrize("text", ["x", "f(1)", "os.system('x')", "[i for i in range(3)]", "{**a}", "lambda: 1"])
def test_literal_folding_refuses_anything_that_would_run_code(text):
    with pytest.raises(NotLiteralError):
        fold(text)


def test_literal_folding_caps_huge_values():
    with pytest.raises(NotLiteralError, match="too large"):
        fold("[0] * 10 ** 9")
    with pytest.raises(NotLiteralError, match="too large"):
        fold("7 ** 10 ** 8")


def test_signature_from_starter_code_with_empty_body_and_helper_class():
    starter = (
        "class ListNode:\n    def __init__(self, val=0, next=None):\n        self.val = val\n"
        "class Solution:\n    def doubleIt(self, head: Optional[ListNode]) -> Optional[ListNode]:\n        "
    )
    assert method_signature(starter) == ("doubleIt", ["head"])
    assert method_signatures("def a(x):\n  pass\ndef b(\n    y,\n    z: int = 3,\n):\n") == [
        ("a", ["x"]),
        ("b", ["y", "z"]),
    ]
    assert method_signature("class Solution:\n    pass\n") is None
    assert method_signature("def a(x): pass", "b") is None


def _blob(obj) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(obj))).decode()


def test_private_tests_decode_plain_string_payload():
    assert decode_private_tests(_blob('[{"input": "1\\n", "output": "2\\n"}]')) == [{"input": "1\n", "output": "2\n"}]


class _Boom:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


def test_private_tests_refuse_any_class_before_running_it(tmp_path):
    marker = tmp_path / "ran"

    class _Touch:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(UnsafePickleError, match="builtins.open|io.open"):
        decode_private_tests(_blob(_Touch()))
    with pytest.raises(UnsafePickleError, match="system"):
        decode_private_tests(_blob(_Boom()))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("blob", "layer"),
    [
        ("not base64!!", "base64"),
        (base64.b64encode(b"plain").decode(), "zlib"),
        (base64.b64encode(zlib.compress(b"garbage")).decode(), "pickle"),
        (_blob(42), "expected a JSON string"),
    ],
)
def test_private_tests_name_the_broken_layer(blob, layer):
    with pytest.raises(ValueError, match=layer):
        decode_private_tests(blob)


def test_private_tests_cap_decompressed_size():
    big = base64.b64encode(zlib.compress(pickle.dumps("x" * 100_000))).decode()
    with pytest.raises(ValueError, match="exceeds"):
        decode_private_tests(big, max_bytes=1000)


def test_records_report_the_line_of_bad_json(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("".join('{"a": 1}\n' for _ in range(16)) + '{"a": 1,,}\n')
    with pytest.raises(ProblemFormatError) as info:
        list(iter_records(path))
    assert info.value.line == 17 and str(path) in str(info.value)


def test_records_of_a_json_array_carry_the_line_each_element_starts_on(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[\n {"a": 1},\n {"a": [\n  2]},\n\n {"a": 3}\n]\n')
    assert [r.line for r in iter_records(path)] == [2, 3, 6]
    path.write_text('[{"a": 1}, 5]')
    with pytest.raises(ProblemFormatError, match="expected a JSON object"):
        list(iter_records(path))
