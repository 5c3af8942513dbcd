"""Functional arguments: parameters from the starter code, each common wrong form repaired, the rest refused."""

from __future__ import annotations

import pytest

from sstar_dspy.selection.arguments import ArgumentError, function_parameters, parse_arguments, type_spec
from sstar_dspy.signatures import Parameter

STARTER = "class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n        "
NUMS_K = [Parameter(name="nums", type="List[int]"), Parameter(name="k", type="int")]
GRID_WORD = [Parameter(name="grid", type="List[List[str]]"), Parameter(name="word", type="str")]
FLAGS = [Parameter(name="s", type="str"), Parameter(name="strict", type="bool"), Parameter(name="x", type="float")]


def test_parameters_come_from_the_def_header_even_without_a_body():
    assert function_parameters(STARTER, "countPairs") == NUMS_K
    nested = "class Solution:\n    def f(self, root: Optional[TreeNode],\n          k: int = 2) -> bool:\n"
    assert [(p.name, p.type) for p in function_parameters(nested, "f")] == [
        ("root", "Optional[TreeNode]"),
        ("k", "int"),
    ]
    assert function_parameters("def g(a, b):\n    return a", "g") == [Parameter(name="a"), Parameter(name="b")]
    assert function_parameters(STARTER, "other") is None
    assert function_parameters("def g(*args):\n", "g") is None  # no fixed arity


def test_type_specs():
    assert type_spec("List[List[int]]").item.item.kind == "int"
    assert type_spec("Optional[int]").optional and type_spec("int | None").optional
    assert type_spec("list[str]").item.kind == "str"
    assert type_spec("TreeNode").kind == "any" and type_spec("").kind == "any"
    assert type_spec("Dict[str, int]").kind == "dict"


@pytest.mark.parametrize(
    ("written", "params", "encoded", "repair"),
    [
        ("[1, 2, 3]\n2", NUMS_K, "[1, 2, 3]\n2", None),  # already right
        ("(1, 2, 3)\n2", NUMS_K, "[1, 2, 3]\n2", "Python literals"),  # a tuple
        ("[['a', 'b']]\n'ab'", GRID_WORD, '[["a", "b"]]\n"ab"', "Python literals"),  # single quotes
        ('"x"\nTrue\n1', FLAGS, '"x"\ntrue\n1', "Python literals"),
        ("countPairs([1, 2, 3], 2)", NUMS_K, "[1, 2, 3]\n2", "call or keyword form"),
        ("Solution().countPairs(nums=[1, 2, 3], k=2)", NUMS_K, "[1, 2, 3]\n2", "call or keyword form"),
        ("nums = [1, 2, 3], k = 2", NUMS_K, "[1, 2, 3]\n2", "call or keyword form"),
        ("nums = [1, 2, 3]\nk = 2", NUMS_K, "[1, 2, 3]\n2", "call or keyword form"),
        ("k = 2, nums = [1, 2, 3]", NUMS_K, "[1, 2, 3]\n2", "call or keyword form"),  # by name, any order
        ('{"k": 2, "nums": [1, 2, 3]}', NUMS_K, "[1, 2, 3]\n2", "one array or object of all arguments"),
        ("[[1, 2, 3], 2]", NUMS_K, "[1, 2, 3]\n2", "one array or object of all arguments"),
        ("1 2 3 2", NUMS_K, "[1, 2, 3]\n2", "stdin-style values"),  # the list takes all but the last
        ("1 2 3\n2", NUMS_K, "[1, 2, 3]\n2", "stdin-style values"),  # one line per argument
        ("1, 2, 3\n2", NUMS_K, "[1, 2, 3]\n2", "Python literals"),  # a tuple, really
        ("[1,2,3] 2", NUMS_K, "[1, 2, 3]\n2", "stdin-style values"),
        ('["1", "2"]\n"3"', NUMS_K, "[1, 2]\n3", None),  # numbers written as strings are coerced
        ("[1.0, 2]\n2.0", NUMS_K, "[1, 2]\n2", None),
        ("hello world", [Parameter(name="s", type="str")], '"hello world"', "stdin-style values"),  # unquoted
        (
            "abc\n2",
            [Parameter(name="s", type="str"), Parameter(name="k", type="int")],
            '"abc"\n2',
            "stdin-style values",
        ),
    ],
)
def test_each_written_form_becomes_json_lines(written, params, encoded, repair):
    assert parse_arguments(written, params) == (encoded, repair)


def test_structured_answers():
    assert parse_arguments({"nums": [4], "k": 1}, NUMS_K) == ("[4]\n1", None)  # the form the prompt asks for
    assert parse_arguments({"args": {"nums": [4], "k": 1}}, NUMS_K) == ("[4]\n1", None)
    assert parse_arguments([[4], 1], NUMS_K) == ("[4]\n1", "a list of the arguments")
    one_list = [Parameter(name="nums", type="List[int]")]
    assert parse_arguments([4, 5], one_list) == ("[4, 5]", None)  # one parameter: the list is the value
    assert parse_arguments([[4, 5]], one_list) == ("[4, 5]", "a list of the arguments")


@pytest.mark.parametrize(
    ("written", "params", "why"),
    [
        ("1 1 2 1 3", GRID_WORD, "argument grid"),  # values that fit no reading
        ("[1, 2]", NUMS_K, "2 arguments expected"),  # k missing
        ("[1, 2]\n3\n4", NUMS_K, "2 arguments expected"),
        ("nums = [1, 2], k = True", NUMS_K, "argument k: expected int, got true"),
        ('"abc"\n2', NUMS_K, "argument nums: expected a list of int"),
        ({"numbers": [1], "k": 2}, NUMS_K, "argument names ['numbers'] are not the parameters"),
        ("", NUMS_K, "empty input"),
        ("1 2\n3 4", [Parameter(name="a", type="List[int]"), Parameter(name="b", type="List[int]")], None),
    ],
)
def test_unreadable_inputs_are_refused_with_a_reason(written, params, why):
    if why is None:  # one line per list: fine; two lists on one line would be ambiguous
        assert parse_arguments(written, params)[0] == "[1, 2]\n[3, 4]"
        with pytest.raises(ArgumentError, match="cannot tell which values belong"):
            parse_arguments("1 2 3 4", params)
        return
    with pytest.raises(ArgumentError) as err:
        parse_arguments(written, params)
    assert why in str(err.value)


def test_no_reading_invents_values():
    one_str = [Parameter(name="moves", type="str")]
    # adjacent string lines would concatenate if read as call arguments; several lines are not one string
    with pytest.raises(ArgumentError):
        parse_arguments('"-5"\n"1"\n"7"', one_str)
    assert parse_arguments("010", one_str) == ('"010"', "stdin-style values")  # a digit string stays a string
    with pytest.raises(ArgumentError, match="1 arguments expected"):
        parse_arguments("[1, 2, 1]\n15", [Parameter(name="nums", type="List[int]")])  # an invented extra argument
