"""Problem loaders: our JSONL schema, LiveCodeBench, CodeContests, the DeepSeek LeetCode set, HumanEval, suites.

Example:
    >>> from sstar_dspy.problems import load_problems
    >>> problems = load_problems("example:sum-two")
    >>> problems[0].public_tests[0].input
    '1 2\\n'
"""

from sstar_dspy.problems.errors import ProblemFormatError, ProblemSourceError
from sstar_dspy.problems.formats import FORMATS, detect_format
from sstar_dspy.problems.jsonl import read_jsonl, write_jsonl
from sstar_dspy.problems.load import load_problems
from sstar_dspy.problems.problemset import Excluded, ProblemSet
from sstar_dspy.problems.suites import DATA_DIR_ENV, Suite, list_examples, list_suites, resolve_data_dir
from sstar_dspy.problems.text import problem_from_text

__all__ = [
    "DATA_DIR_ENV",
    "FORMATS",
    "Excluded",
    "ProblemFormatError",
    "ProblemSet",
    "ProblemSourceError",
    "Suite",
    "detect_format",
    "list_examples",
    "list_suites",
    "load_problems",
    "problem_from_text",
    "read_jsonl",
    "resolve_data_dir",
    "write_jsonl",
]
