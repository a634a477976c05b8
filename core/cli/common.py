"""What every shequ command shares: error handling, the common options, the writer, the registry in use.

Kept apart from :mod:`shequ.cli.main` so the modules that define commands
(:mod:`.standards`, :mod:`.data`, :mod:`.views`, :mod:`.authoring`) import
these without importing the command group. Nothing here loads Polars, plugins
or the registry at import time: ``shequ --help`` imports every command module.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ..errors import ProblemsError, ShequError
from ..output import OUTPUT_FORMATS, render

if TYPE_CHECKING:
    from ..engine import Results
    from ..io import CommunityTable
    from ..registry import Registry

EXIT_VIOLATION = 1
EXIT_BAD_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    """A user's mistake in data, a plugin or the command line: exit 2, no traceback."""

    exit_code = EXIT_BAD_INPUT


def handle_errors(command: F) -> F:
    """Turn shequ's input errors into exit code 2 with every problem listed."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsError as exc:
            raise BadInput(exc.report()) from None
        except ShequError as exc:
            raise BadInput(str(exc)) from None

    return cast(F, wrapper)  # functools.wraps keeps the name, docstring and signature click reads


# --------------------------------------------------------------------------
# Options


def format_option(command: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format. JSON is the stable, scriptable interface.",
    )(command)


def jurisdiction_option(command: F) -> F:
    return click.option(
        "-j",
        "--jurisdiction",
        "jurisdictions",
        multiple=True,
        metavar="ID",
        help="A jurisdiction id (repeatable); default: all installed.",
    )(command)


def as_of_option(command: F) -> F:
    return click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Evaluation date (YYYY-MM-DD); default: today.",
    )(command)


def _strengths(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """The strengths of ``--strength`` (repeatable, each a comma list), validated, in the model's order; () = all."""
    from ..model import STRENGTHS

    given = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [name for name in given if name not in STRENGTHS]
    if unknown:
        raise click.BadParameter(
            f"unknown strength {', '.join(repr(name) for name in unknown)}; strengths: {', '.join(STRENGTHS)}",
            ctx=ctx,
            param=param,
        )
    return tuple(name for name in STRENGTHS if name in given)


def strength_option(command: F) -> F:
    """``--strength mandatory,target …``: only rules of these strengths; default every strength."""
    return click.option(
        "--strength",
        "strengths",
        multiple=True,
        metavar="S[,S…]",
        callback=_strengths,
        help="Only rules of these strengths (repeatable or comma-separated): "
        "mandatory, target, guidance, permissive; default: all.",
    )(command)


def data_options(command: F) -> F:
    """The community data file (an argument) and an optional separate facilities table."""
    command = click.option(
        "--facilities",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="A separate facilities table (community_id, kind, area_m2, floor).",
    )(command)
    return click.argument("data", type=click.Path(exists=True, dir_okay=False))(command)


def fail_option(command: F) -> F:
    return click.option("--fail-on-violation", is_flag=True, help="Exit with code 1 when any community fails a rule.")(
        command
    )


def day(as_of: dt.datetime | dt.date | None) -> dt.date | None:
    """The date of an ``--as-of`` value (click gives a datetime); None when not given."""
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


# --------------------------------------------------------------------------
# The writer


def emit(fmt: str, rows: Sequence[dict[str, Any]], **kwargs: Any) -> None:
    """Write rendered output on click's stdout (so CliRunner sees it).

    JSON carries the command's provenance (see :func:`command_provenance`); the
    first Markdown table of a command is preceded by a one-line provenance note.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and fmt == "json":
        kwargs["provenance"] = command_provenance(ctx)
    elif ctx is not None and fmt == "markdown" and not ctx.meta.get(_NOTED):
        from ..provenance import provenance_note

        ctx.meta[_NOTED] = True
        kwargs["notes"] = [*kwargs.get("notes", ()), provenance_note(command_provenance(ctx))]
    click.echo(render(fmt, rows, **kwargs), nl=False)


_REGISTRY = "shequ.registry"  # ctx.meta key: the registry this invocation used, for its provenance
_NOTED = "shequ.provenance_noted"  # ctx.meta key: the Markdown provenance note is written (once per command)


def _selected_jurisdictions(params: dict[str, Any]) -> list[str]:
    """The jurisdictions a command's parameters select (-j …, a show's ID, a diff's A and B); [] = all installed."""
    if params.get("jurisdictions"):
        return list(params["jurisdictions"])
    if params.get("jurisdiction_id"):
        return [params["jurisdiction_id"]]
    return [params[name] for name in ("a", "b") if isinstance(params.get(name), str)]


def command_provenance(ctx: click.Context) -> dict[str, Any]:
    """The provenance of this invocation's result, from click's context (never ``sys.argv``).

    Plugins and documents are those of the registry the command used (none for a command
    that loads no plugin, such as ``validate``); ``as_of`` is the date a command with
    ``--as-of`` evaluated at (today when the option is not given).
    """
    from ..provenance import provenance

    params = dict(ctx.params)
    arguments = {**(ctx.find_root().params if ctx.parent is not None else {}), **params}
    as_of = (day(params["as_of"]) or dt.date.today()) if "as_of" in params else None
    registry = ctx.meta.get(_REGISTRY)
    selected = _selected_jurisdictions(params) if registry is not None else []
    selected = [
        jurisdiction for jurisdiction in selected if registry is not None and jurisdiction in registry.standards
    ]
    return provenance(
        registry,
        selected,
        as_of=as_of,
        command=_command_path(ctx),
        arguments={name: _argument(value) for name, value in arguments.items()},
    )


def _command_path(ctx: click.Context) -> str:
    """``shequ compare``: the subcommands as typed, under shequ's name (not the program name, which varies)."""
    names: list[str] = []
    while ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["shequ", *names])


def _argument(value: Any) -> Any:
    """A parsed parameter as plain data: paths as text, an ``--as-of`` datetime as its date."""
    if isinstance(value, (list, tuple)):
        return [_argument(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


# --------------------------------------------------------------------------
# The library, as this invocation sees it


def registry_from(ctx: click.Context) -> Registry:
    """The registry for this invocation, with any what-if reforms applied."""
    from ..registry import get_registry

    registry = get_registry()
    reforms = ctx.find_root().obj or {}
    if reforms.get("set") or reforms.get("overlay"):
        from ..reform import apply_reforms

        registry = apply_reforms(registry, reforms.get("set", ()), reforms.get("overlay", ()))
    ctx.meta[_REGISTRY] = registry
    return registry


def reform_notes(ctx: click.Context) -> list[str]:
    """Header lines that say which what-if changes are in force."""
    reforms = ctx.find_root().obj or {}
    notes = [f"what-if: {assignment}" for assignment in reforms.get("set", ())]
    notes += [f"what-if overlay: {path}" for path in reforms.get("overlay", ())]
    return notes


def load_data(data: str, facilities: str | None) -> CommunityTable:
    """The communities of a data file (and a separate facilities table), validated."""
    from ..io import load_communities

    return load_communities(data, facilities=facilities)


def evaluate_data(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    jurisdictions: Sequence[str],
    as_of: dt.datetime | None,
    strengths: Sequence[str] = (),
    inherit: bool = False,
) -> Results:
    """Verdicts for a data file under the selected (possibly reformed) standards; ``strengths``: only such rules;
    ``inherit``: with each jurisdiction's parent's rules where the local standard is silent."""
    from ..engine import evaluate

    registry = registry_from(ctx)
    table = load_data(data, facilities)
    return evaluate(
        table, list(jurisdictions) or None, day(as_of), registry=registry, strengths=strengths, inherit=inherit
    )


def exit_on_violation(results: Results, enabled: bool) -> None:
    """With ``--fail-on-violation``, exit 1 when any community fails a rule."""
    if enabled and results.has_failures():
        sys.exit(EXIT_VIOLATION)
