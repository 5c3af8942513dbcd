"""The ``sstar`` console script: builds the Typer app and turns every user error into one line + exit 2.

Example:
    >>> main(["--help"])
    Traceback (most recent call last):
    SystemExit: 0
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import typer
from pydantic import ValidationError

from sstar_dspy.cli.common import print_error
from sstar_dspy.errors import SStarError
from sstar_dspy.runs.redact import RedactingFilter, redact_text

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
SUBCOMMANDS = (
    "solve",
    "eval",
    "generate",
    "select",
    "score",
    "report",
    "view",
    "export",
    "doctor",
    "optimize",
    "compare",
)

app = typer.Typer(
    name="sstar",
    help="S* test-time scaling for code generation (DSPy). Every option can also be set as SSTAR_<OPTION>.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)

for _name in SUBCOMMANDS:
    importlib.import_module(f"sstar_dspy.cli.{_name}").register(app)


def _one_line(text: str) -> str:
    return " ".join(redact_text(str(text)).split())


def _validation_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{exc.title}: {where}: {first.get('msg', 'invalid value')}"


def _usage_line(exc: Exception) -> str:
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and "UsageError" in {cls.__name__ for cls in type(exc).__mro__}:
        message += f" (see '{ctx.command_path} --help')"
    return _one_line(message)


def _interrupted() -> None:
    print_error("interrupted; finished problems are saved - re-run the same command to resume")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)  # do not wait for LM calls still running in worker threads


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exits 0 on success, 2 on user errors (one line on stderr), 130 when interrupted."""
    level = os.environ.get("SSTAR_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:  # run.log gets INFO; the terminal only what was asked for
        handler.setLevel(level)
        handler.addFilter(RedactingFilter())
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="sstar", standalone_mode=False)
    except SStarError as exc:
        print_error(_one_line(str(exc)))
        sys.exit(EXIT_USAGE)
    except ValidationError as exc:
        print_error(_one_line(_validation_line(exc)))
        sys.exit(EXIT_USAGE)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        print_error(_one_line(f"{exc.filename or ''}: {exc.strerror or exc}"))
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:  # noqa: BLE001 - click's (or Typer's vendored click's) exceptions, then a last resort
        kinds = {cls.__name__ for cls in type(exc).__mro__}
        if "Exit" in kinds:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # Typer turns Ctrl-C into Exit(130)
                _interrupted()
            sys.exit(getattr(exc, "exit_code", 0))
        if "Abort" in kinds:  # click turns Ctrl-C into Abort
            _interrupted()
        if "NoArgsIsHelpError" in kinds:  # bare `sstar`: the help itself, not squashed into one line
            sys.stderr.write(exc.ctx.get_help() + "\n")
            sys.exit(EXIT_USAGE)
        if "ClickException" in kinds:
            print_error(_usage_line(exc))
            sys.exit(EXIT_USAGE)
        if os.environ.get("SSTAR_DEBUG"):
            raise
        print_error(_one_line(f"internal error: {type(exc).__name__}: {exc} (set SSTAR_DEBUG=1 for a traceback)"))
        sys.exit(1)
    if result == EXIT_INTERRUPTED:  # Typer returns Ctrl-C as exit code 130 when not in standalone mode
        _interrupted()
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
