"""Build a stdin problem from a plain statement (``sstar solve statement.md``): its examples become public tests.

Recognised example layouts (case-insensitive headings, optional colon and number, optional Markdown ``#``;
an example body may be a Markdown code fence)::

    Sample Input 1          Input:                Example 1:
    3 4                     3 4                   Input: 3 4
    Sample Output 1         Output:               Output: 7
    7                       7

The problem has no hidden tests, so it is not gradable; S* still uses the examples for debugging and selection.

Example:
    >>> p = problem_from_text("Add two numbers.\\n\\nSample Input 1\\n3 4\\n\\nSample Output 1\\n7\\n", id="add")
    >>> [(t.input, t.output) for t in p.public_tests], p.gradable
    ([('3 4\\n', '7\\n')], False)
"""

from __future__ import annotations

import re

from sstar_dspy.problem import Mode, Problem, ProblemMetadata, TestCase
from sstar_dspy.problems.errors import ProblemSourceError

_HEADING = re.compile(
    r"(?:^[ \t]*(?:\#{1,6}[ \t]+)?|(?=sample[ \t]+(?:input|output)))"  # "Sample Input" may follow text on a line
    r"(?:(?P<kind>(?:sample[ \t]+)?(?:input|output))(?:[ \t]*#?\d+)?"
    r"|(?P<other>examples?|notes?|explanation|constraints?|sample[ \t]+explanation)(?:[ \t]*\d+)?)"
    r"[ \t]*(?::[ \t]*(?P<rest>.*))?$",  # a heading ends the line, or a colon precedes inline content
    re.IGNORECASE | re.MULTILINE,
)


_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})[^\n]*\n(?P<code>.*?)^[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE)


def _unfence(body: str) -> str:
    """The content of a Markdown code fence (or inline `code`) that opens the body; else the body."""
    stripped = body.lstrip("\n")
    fence = _FENCE.match(stripped)
    if fence:
        return fence.group("code")
    first, _, after = stripped.partition("\n")
    inline = re.fullmatch(r"[ \t]*`([^`]+)`[ \t]*", first)
    return inline.group(1) + "\n" + after if inline else body


def _block(text: str) -> str:
    lines = text.strip("\n").splitlines()
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def _relevant_headings(text: str) -> list[tuple[re.Match[str], str]]:
    """Headings with their kind ("input", "output", "other"). "Sample Input" headings, when present, win over
    plain ones; otherwise only headings after the first "Example(s)" count (earlier "Input"/"Output" headings
    describe the format, they are not examples)."""
    found = []
    for match in _HEADING.finditer(text):
        kind_text = (match.group("kind") or "").lower()
        kind = kind_text.split()[-1] if kind_text else "other"
        found.append((match, kind, kind_text.startswith("sample"), (match.group("other") or "").lower()))
    if any(sample for _, _, sample, _ in found):
        return [(m, k) for m, k, sample, _ in found if sample or k == "other"]
    starts = [i for i, (_, _, _, other) in enumerate(found) if other.startswith("example")]
    first = starts[0] if starts else 0
    return [(m, k) for m, k, _, _ in found[first:]]


def extract_examples(text: str) -> list[TestCase]:
    """Pairs of (input, output) example blocks found in ``text``, in order."""
    headings = _relevant_headings(text)
    tests = []
    pending_input: str | None = None
    for i, (match, kind) in enumerate(headings):
        end = headings[i + 1][0].start() if i + 1 < len(headings) else len(text)
        rest = match.group("rest")
        body = _unfence((rest + "\n" if rest else "") + text[match.end() : end])
        if kind == "input":
            pending_input = _block(body)
        elif kind == "output" and pending_input is not None:
            output = _block(
                re.split(r"\n[ \t]*\n", body.strip("\n"), maxsplit=1)[0]
            )  # text after a blank line explains
            if pending_input.strip() or output.strip():
                tests.append(TestCase(input=pending_input, output=output))
            pending_input = None
    return tests


def problem_from_text(text: str, *, id: str = "problem") -> Problem:  # noqa: A002 - mirrors Problem.id
    """A stdin Problem whose statement is ``text`` and whose public tests are the examples found in it.

    Raises:
        ProblemSourceError: when the text is empty.
    """
    if not text.strip():
        raise ProblemSourceError("the problem statement is empty; write the statement (with examples) in the file")
    return Problem(
        id=id,
        statement=text.strip("\n"),
        mode=Mode.STDIN,
        public_tests=extract_examples(text),
        metadata=ProblemMetadata(source="text"),
    )
