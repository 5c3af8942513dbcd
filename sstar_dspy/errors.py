"""User-facing errors. Each message is one line: what went wrong, where, and how to fix it."""

from __future__ import annotations


def error_line(exc: BaseException, *, limit: int = 300) -> str:
    """One line naming an exception: its type and the first line of its message (at most ``limit`` characters),
    secrets masked.

    Example:
        >>> error_line(ValueError("bad input\\nmore detail"))
        'ValueError: bad input'
        >>> error_line(TimeoutError())
        'TimeoutError'
    """
    from sstar_dspy.runs.redact import redact_text  # lazy: sstar_dspy.runs imports most of the package

    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    name = type(exc).__name__
    return redact_text(f"{name}: {lines[0][:limit]}" if lines else name)


class SStarError(Exception):
    """Base class for errors shown to users as one clear line (the CLI exits with code 2)."""


class ProblemFormatError(SStarError):
    """A problem file or record is malformed.

    Example:
        >>> str(ProblemFormatError("bad JSON", path="p.jsonl", line=17, field="tests"))
        "p.jsonl:17: field 'tests': bad JSON"
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, field: str | None = None):
        self.path, self.line, self.field, self.detail = path, line, field, message
        where = ""
        if path:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}{what}{message}")


class SandboxUnavailableError(SStarError):
    """A required isolation layer is missing (strict mode) or the sandbox cannot start."""


class ModelUnavailableError(SStarError):
    """The requested LM cannot be used (missing package, bad checksum, unknown model)."""


class VariantError(SStarError):
    """A saved prompt variant cannot be loaded (incompatible layout or version)."""


class BudgetError(SStarError):
    """A budget setting is invalid."""
