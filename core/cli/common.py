"""What every shequ command shares: error handling, common options, the writer.

Kept apart from :mod:`shequ.cli` so the modules that add commands
(:mod:`shequ.cli_views`, :mod:`shequ.cli_authoring`) import these without
importing the command group itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import click

from ..errors import ProblemsError, ShequError
from ..output import FORMATS, render

EXIT_VIOLATION = 1
EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """A user's mistake in data, a plugin or the command line: exit 2, no traceback."""

    exit_code = EXIT_BAD_INPUT


def handle_errors(command: Callable) -> Callable:
    """Turn shequ's input errors into exit code 2 with every problem listed."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsError as exc:
            raise BadInput(exc.report()) from None
        except ShequError as exc:
            raise BadInput(str(exc)) from None

    return wrapper


def format_option(command: Callable) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format. JSON is the stable, scriptable interface.",
    )(command)


def jurisdiction_option(command: Callable) -> Callable:
    return click.option(
        "-j",
        "--jurisdiction",
        "jurisdictions",
        multiple=True,
        metavar="ID",
        help="A jurisdiction id (repeatable); default: all installed.",
    )(command)


def as_of_option(command: Callable) -> Callable:
    return click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Evaluation date (YYYY-MM-DD); default: today.",
    )(command)


def emit(fmt: str, rows: Sequence[dict[str, Any]], **kwargs: Any) -> None:
    """Write rendered output on click's stdout (so CliRunner sees it)."""
    click.echo(render(fmt, rows, **kwargs), nl=False)


def registry_from(ctx: click.Context):
    """The registry for this invocation, with any what-if reforms applied."""
    from ..registry import get_registry

    registry = get_registry()
    reforms = ctx.find_root().obj or {}
    if reforms.get("set") or reforms.get("overlay"):
        from ..reform import apply_reforms

        registry = apply_reforms(registry, reforms.get("set", ()), reforms.get("overlay", ()))
    return registry


def reform_notes(ctx: click.Context) -> list[str]:
    """Header lines that say which what-if changes are in force."""
    reforms = ctx.find_root().obj or {}
    notes = [f"what-if: {assignment}" for assignment in reforms.get("set", ())]
    notes += [f"what-if overlay: {path}" for path in reforms.get("overlay", ())]
    return notes


def data_options(command: Callable) -> Callable:
    command = click.option(
        "--facilities",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="A separate facilities table (community_id, kind, area_m2, floor).",
    )(command)
    return click.argument("data", type=click.Path(exists=True, dir_okay=False))(command)
