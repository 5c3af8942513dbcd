"""Static hints for the debugger when a stdin program printed nothing.

Small models often write a correct ``def main(): ...`` and never call it, or answer a stdin problem
with a bare function. The sandbox then reports an empty output, which small models misdiagnose.
When every failing public test
printed nothing, :func:`silent_program_hint` looks at the program's syntax tree (it never runs it)
and names the cause when it can: functions that are defined but never called at the top level, or
no top-level code at all. The hint is appended to the execution feedback of the debug round.

Example:
    >>> hint = silent_program_hint("def main():\\n    print(int(input()) * 2)")
    >>> hint.startswith("Note: the program defines main() but nothing at the top level calls it")
    True
    >>> silent_program_hint("print(1)") is None
    True
"""

from __future__ import annotations

import ast

__all__ = ["silent_program_hint"]


def _top_level_calls(tree: ast.Module) -> set[str]:
    """Names called anywhere outside function and class bodies (``if __name__ == ...`` included)."""
    called: set[str] = set()
    stack: list[ast.AST] = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            called.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
        stack.extend(ast.iter_child_nodes(node))
    return called


def silent_program_hint(program: str) -> str | None:
    """Why a stdin program may print nothing, from its syntax alone; None when no cause is visible.

    Args:
        program: The program source (never executed here).

    Returns:
        One sentence for the debugger, or None (also for code that does not parse: the compile
        error is already in the feedback).
    """
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return None
    functions = [s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    runs = [
        s
        for s in tree.body
        if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
        and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))  # docstrings
    ]
    if not functions:
        if runs:
            return None
        return (
            "Note: the program has no code that runs at the top level, so it reads nothing and prints nothing. "
            "Read the input from standard input and print the answer."
        )
    called = _top_level_calls(tree)
    if any(name in called for name in functions):
        return None
    names = ", ".join(f"{name}()" for name in functions)
    entry = "main" if "main" in functions else functions[-1]
    return (
        f"Note: the program defines {names} but nothing at the top level calls it, so it reads nothing and "
        f"prints nothing. Call it at the end of the program, e.g. {entry}()."
    )
