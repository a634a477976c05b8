"""What every shequ command shares: error handling, the common options, the writer, the registry in use.

Kept apart from :mod:`shequ.cli.main` so the modules that define commands
(:mod:`.standards`, :mod:`.data`, :mod:`.views`, :mod:`.authoring`) import
these without importing the command group. Nothing here loads Polars, attrs, plugins
or the registry at import time: ``shequ --help`` imports every command module, so what an option offers
comes from :mod:`shequ.vocabulary` and everything else is imported where it is used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ..vocabulary import BINARY_FORMATS, OUTPUT_FORMATS, STRENGTHS, SUFFIX_FORMATS

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
        from ..errors import ProblemsError, ShequError  # here, not at import: the errors are attrs classes

        try:
            return command(*args, **kwargs)
        except ProblemsError as exc:
            raise BadInput(exc.report()) from None
        except ShequError as exc:
            raise BadInput(str(exc)) from None
        except OSError as exc:
            if not _broken_pipe(exc):
                raise
            # the reader of stdout has gone (`shequ compare big.csv | head`): stop quietly, as other
            # command-line tools do, and keep Python from complaining when it flushes stdout at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)

    return cast(F, wrapper)  # functools.wraps keeps the name, docstring and signature click reads


#: Exit code when stdout's reader has closed the pipe: 128 + SIGPIPE, as a shell reports a command killed by it.
EXIT_BROKEN_PIPE = 141


def _broken_pipe(exc: OSError) -> bool:
    """A write to a closed pipe: Python's BrokenPipeError, or Polars' writer's OSError ("Broken pipe (os error 32)")."""
    return isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE or "Broken pipe" in str(exc)


# --------------------------------------------------------------------------
# Options


def format_option(command: F) -> F:
    """``--format`` and ``-o/--output FILE``: every listing command's output, on stdout or in a file.

    With ``-o`` and no ``--format``, the file's suffix says the format (:data:`SUFFIX_FORMATS`:
    .csv .json .md .tex .xlsx .txt). Everything the command writes is collected and the file
    written once, when the command has finished (to a temporary file, then renamed): a command
    that fails writes nothing; one that exits 1 under ``--fail-on-violation`` still writes its
    result. XLSX is written only to a file.
    """

    streams: tuple[str, ...] = getattr(command, STREAMS, ())

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        path = kwargs.pop("output", None)
        if streams:
            # a command that writes big results in batches (evaluate, compare) takes -o FILE.parquet,
            # .csv, .jsonl/.ndjson itself; other suffixes (.xlsx, .md, .tex, .json) go through Output
            default_format = ctx.get_parameter_source("fmt") in (None, click.core.ParameterSource.DEFAULT)
            suffix = os.path.splitext(path)[1].lower() if path is not None else ""
            if path is not None and default_format and suffix in streams:
                directory = os.path.dirname(os.path.abspath(path))
                if not os.path.isdir(directory):
                    raise click.UsageError(f"-o {path}: the directory {directory} does not exist", ctx=ctx)
                return command(*args, output=path, **kwargs)
            if path is not None and default_format and suffix not in SUFFIX_FORMATS:
                known = ", ".join(dict.fromkeys([*streams, *SUFFIX_FORMATS]))
                raise click.UsageError(
                    f"-o {path}: cannot tell the output format from '{suffix or os.path.basename(path)}'; "
                    f"use one of {known} or give --format",
                    ctx=ctx,
                )
            kwargs["output"] = None
        kwargs["fmt"] = ctx.params["fmt"] = fmt = output_format(ctx, kwargs["fmt"], path)
        if path is None:
            return command(*args, **kwargs)
        sink = ctx.meta[_OUTPUT] = Output(path=path, fmt=fmt)
        try:
            result = command(*args, **kwargs)
        except SystemExit as exc:
            if exc.code == EXIT_VIOLATION:
                sink.finish(ctx)
            raise
        sink.finish(ctx)
        return result

    wrapped = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="Write the output to FILE (whole, or not at all); without --format its suffix says the format: "
        + " ".join(SUFFIX_FORMATS)
        + ".",
    )(wrapper)
    return cast(
        F,
        click.option(
            "--format",
            "fmt",
            type=click.Choice(OUTPUT_FORMATS),
            default="table",
            show_default=True,
            help="Output format. JSON is the stable, scriptable interface; xlsx needs -o FILE.xlsx; "
            "latex is a booktabs table (XeLaTeX + xeCJK for the Chinese).",
        )(wrapped),
    )


#: Attribute a command function sets (:func:`streams_output`) to write ``-o FILE`` of these suffixes itself.
STREAMS = "shequ_streams_output"


def streams_output(*suffixes: str) -> Callable[[F], F]:
    """Mark a command that writes ``-o FILE`` with one of ``suffixes`` itself, in batches.

    Put it below :func:`format_option`; the command then takes an ``output`` argument,
    the path when the suffix is one of these and ``--format`` is not given, else None
    (and :func:`format_option` collects the output as for any listing command).
    """

    def mark(command: F) -> F:
        setattr(command, STREAMS, tuple(suffixes))
        return command

    return mark


def capturing() -> bool:
    """Whether this command's output is being collected for ``-o FILE`` (then nothing may bypass :func:`emit`)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.meta.get(_OUTPUT) is not None


def output_format(ctx: click.Context, fmt: str, path: str | None) -> str:
    """The format to write: ``--format`` when given, else the suffix of ``-o FILE``, else a table.

    :raises click.UsageError: (exit 2) for a suffix that says no format, a directory that does
        not exist, or a binary format without ``-o``.
    """
    if path is not None:
        target = os.path.abspath(path)
        if not os.path.isdir(os.path.dirname(target)):
            raise click.UsageError(f"-o {path}: the directory {os.path.dirname(target)} does not exist", ctx=ctx)
        if ctx.get_parameter_source("fmt") in (None, click.core.ParameterSource.DEFAULT):
            suffix = os.path.splitext(path)[1].lower()
            if suffix not in SUFFIX_FORMATS:
                raise click.UsageError(
                    f"-o {path}: cannot tell the format from '{suffix or os.path.basename(path)}'; use one of "
                    f"{', '.join(SUFFIX_FORMATS)} or give --format",
                    ctx=ctx,
                )
            return SUFFIX_FORMATS[suffix]
    elif fmt in BINARY_FORMATS:
        raise click.UsageError(f"--format {fmt} is written to a file: add -o FILE.{fmt}", ctx=ctx)
    return fmt


def jurisdiction_option(command: F) -> F:
    return click.option(
        "-j",
        "--jurisdiction",
        "jurisdictions",
        multiple=True,
        metavar="ID",
        help="A jurisdiction id (repeatable); default: all installed.",
    )(command)


class DateParam(click.ParamType):
    """A YYYY-MM-DD date (given to the command as a datetime, as ``click.DateTime`` did).

    A date in the right form that does not exist (2021-02-30) is named as such, not as a format mismatch.
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if match is None:
            self.fail(f"{text!r} is not a date: expected YYYY-MM-DD, e.g. 2021-02-28", param, ctx)
        year, month, day_of_month = (int(part) for part in match.groups())
        try:
            return dt.datetime(year, month, day_of_month)
        except ValueError:
            if not 1 <= month <= 12:
                reason = f"there is no month {month}"
            else:
                import calendar  # here: the import is only for this message (shequ --help stays quick)

                days = calendar.monthrange(year, month)[1]
                reason = f"{calendar.month_name[month]} {year} has {days} days"
            self.fail(f"the date {text} does not exist: {reason}", param, ctx)


def as_of_option(command: F) -> F:
    return click.option(
        "--as-of",
        type=DateParam(),
        default=None,
        help="Evaluation date (YYYY-MM-DD); default: today.",
    )(command)


def _strengths(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """The strengths of ``--strength`` (repeatable, each a comma list), validated, in the model's order; () = all."""
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


_READING = "shequ.reading"  # ctx.meta key: how the data file is read (--encoding, --sheet)


def _reading(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_READING, {})[param.name] = value
    return value


def _reading_options(command: F) -> F:
    """``--encoding`` and ``--sheet``: kept in the context (not passed to the command); :func:`load_data` reads them."""
    command = click.option(
        "--encoding",
        default=None,
        metavar="NAME",
        expose_value=False,
        callback=_reading,
        help="Read text data files (CSV, JSON, TOML) in this encoding (utf-8, utf-16, gb18030 …); default: detected.",
    )(command)
    return click.option(
        "--sheet",
        "sheets",
        multiple=True,
        metavar="NAME",
        expose_value=False,
        callback=_reading,
        help="Read this sheet of a workbook (repeatable); default: every sheet with a community header.",
    )(command)


def _facilities_option(command: F) -> F:
    return click.option(
        "--facilities",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="A separate facilities table (community_id, kind, area_m2, floor).",
    )(command)


def data_options(command: F) -> F:
    """The community data file (an argument), an optional separate facilities table, and how to read them.

    ``--encoding`` and ``--sheet`` are kept in the context (not passed to the
    command): :func:`load_data` reads them.
    """
    command = _reading_options(command)
    command = _facilities_option(command)
    return click.argument("data", type=click.Path(exists=True, dir_okay=False))(command)


_COMMUNITIES = "shequ.communities"  # ctx.meta key: the --community texts of this invocation


def _keep_communities(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> None:
    ctx.meta[_COMMUNITIES] = tuple(values)


def data_or_community_options(command: F) -> F:
    """Like :func:`data_options`, but DATA may be left out for ``--community KEY=VALUE,…`` (repeatable).

    Each ``--community`` is one hypothetical community, checked exactly as a data file's row
    (:func:`shequ.io.hypothetical.communities_from_options`); :func:`load_data` reads them. DATA
    and ``--community`` together are refused: a file's rows and typed communities are not mixed.
    """
    command = click.option(
        "--community",
        "communities",
        multiple=True,
        metavar="KEY=VALUE,…",
        expose_value=False,
        callback=_keep_communities,
        help="A hypothetical community instead of DATA (repeatable), e.g. "
        "households=1500,kind=urban,service_space_m2=420; keys are data-file headers; id H1, H2 … unless id= is given.",
    )(command)
    command = _reading_options(command)
    command = _facilities_option(command)
    return click.argument("data", required=False, type=click.Path(dir_okay=False))(command)


def given_communities(ctx: click.Context | None = None) -> tuple[str, ...]:
    """The ``--community`` texts of this invocation (() when none, or for a command without the option)."""
    ctx = ctx or click.get_current_context(silent=True)
    return tuple(ctx.meta.get(_COMMUNITIES, ())) if ctx is not None else ()


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
    """Write rendered output on click's stdout (so CliRunner sees it), or collect it for ``-o FILE``.

    JSON carries the command's provenance (see :func:`command_provenance`); the
    first Markdown or LaTeX table of a command is preceded by a one-line provenance
    note (LaTeX: a ``%`` comment, after the preamble note); a LaTeX caption names
    the documents. XLSX tables are collected as sheets; the about sheet gets the
    provenance when the file is written.
    """
    from ..output import render

    ctx = click.get_current_context(silent=True)
    sink: Output | None = ctx.meta.get(_OUTPUT) if ctx is not None else None
    if ctx is not None and fmt == "json":
        kwargs["provenance"] = command_provenance(ctx)
    elif ctx is not None and fmt in ("markdown", "latex") and not ctx.meta.get(_NOTED):
        from ..provenance import provenance_note

        ctx.meta[_NOTED] = True
        kwargs["notes"] = [*kwargs.get("notes", ()), provenance_note(command_provenance(ctx))]
        if fmt == "latex":
            from ..output import LATEX_PREAMBLE_NOTE

            _write(sink, LATEX_PREAMBLE_NOTE)
    if fmt == "latex":
        kwargs["caption"] = latex_caption(ctx, kwargs.get("title"))
    if fmt in BINARY_FORMATS:
        from ..errors import ShequError
        from ..output import Sheet

        if sink is None:  # a command called without the -o machinery (a test, a library caller)
            raise ShequError(f"--format {fmt} is written to a file: add -o FILE.{fmt}")
        sink.sheets.append(
            Sheet(rows=rows, columns=kwargs.get("columns"), title=kwargs.get("title"), notes=kwargs.get("notes", ()))
        )
        return
    frames = kwargs.pop("frames", None)
    if fmt == "json" and frames:
        from ..output import json_chunks

        # a payload holding whole tables (a million rows …): rendered and written a batch of rows at a time
        document = {**kwargs["payload"], **({"provenance": kwargs["provenance"]} if "provenance" in kwargs else {})}
        _write(sink, json_chunks(document, frames))
        return
    _write(sink, render(fmt, rows, **kwargs))


def _write(sink: Output | None, text: str | Iterable[bytes]) -> None:
    """Text (or its UTF-8 pieces, written as they come) to stdout, or kept for ``-o FILE``."""
    if sink is not None:
        sink.texts.append(text)
    elif isinstance(text, str):
        click.echo(text, nl=False)
    else:
        for piece in text:
            click.echo(piece, nl=False)


def latex_caption(ctx: click.Context | None, title: str | None) -> str:
    """A LaTeX table's caption: its title and the documents the command's result comes from."""
    text = title or (_command_path(ctx) if ctx is not None else "shequ")
    documents = command_provenance(ctx)["documents"] if ctx is not None else []
    named = list(dict.fromkeys(d["number"] or d["title"] for d in documents if d["number"] or d["title"]))
    return f"{text}. Source: {'; '.join(named)}" if named else text


_OUTPUT = "shequ.output"  # ctx.meta key: the Output collecting this command's tables for -o FILE


@dataclasses.dataclass
class Output:
    """What a command writes to ``-o FILE``: texts (text formats) or sheets (XLSX), written once at the end."""

    path: str
    fmt: str
    #: Texts, or a text's pieces (an iterable written piece by piece, never joined in memory).
    texts: list[str | Iterable[bytes]] = dataclasses.field(default_factory=list)
    sheets: list[Any] = dataclasses.field(default_factory=list)

    def finish(self, ctx: click.Context) -> None:
        """Write the file whole (temporary file, then rename) and say so on stderr."""
        from ..output import write_pieces, write_xlsx

        if self.fmt in BINARY_FORMATS:
            write_xlsx(self.path, self.sheets, command_provenance(ctx))
            count = len(self.sheets)
        else:
            pieces = (piece for text in self.texts for piece in ([text] if isinstance(text, str) else text))
            write_pieces(self.path, pieces)
            count = len(self.texts)
        what = f"{count} sheet{'s' if count != 1 else ''} and an about sheet" if self.fmt == "xlsx" else self.fmt
        click.echo(f"wrote {self.path} ({what})", err=True)


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

    params = {name: value for name, value in ctx.params.items() if not (name == "output" and value is None)}
    if given_communities(ctx):
        params["community"] = list(given_communities(ctx))
    arguments = {**(ctx.find_root().params if ctx.parent is not None else {}), **params}
    arguments.pop("quiet", None)  # how the run shows progress, not what it computed
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


_WARNED: set[str] = set()  # plugins already reported on stderr in this process


def installed_registry(ctx: click.Context | None = None) -> Registry:
    """The installed plugins' registry; a plugin set aside is reported once on stderr (``--strict``: exit 2)."""
    from ..registry import get_registry

    options = (ctx.find_root().obj or {}) if ctx is not None else {}
    registry = get_registry(strict=True) if options.get("strict") else get_registry()  # SHEQU_STRICT: read there
    for name, broken in registry.broken.items():
        if name in _WARNED:
            continue
        _WARNED.add(name)
        shown = [f"  - {problem}" for problem in broken.problems[:5]]
        if len(broken.problems) > 5:
            shown.append(f"  … and {len(broken.problems) - 5} more")
        click.echo(
            f"warning: plugin '{name}' could not be loaded and is skipped "
            f"({len(broken.problems)} problem{'s' if len(broken.problems) != 1 else ''}; "
            "--strict or SHEQU_STRICT=1 makes this an error):\n" + "\n".join(shown),
            err=True,
        )
    return registry


def registry_from(ctx: click.Context) -> Registry:
    """The registry for this invocation, with any what-if reforms applied."""
    registry = installed_registry(ctx)
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


def load_data(data: str | None, facilities: str | None) -> CommunityTable:
    """The communities of a data file (and a separate facilities table), or of ``--community``, validated."""
    from ..io import load_communities

    typed = given_communities()
    if typed:
        if data is not None:
            raise click.UsageError(
                f"give DATA ({data}) or --community, not both: to add a hypothetical community to a file, add a row"
            )
        if facilities is not None:
            raise click.UsageError("--facilities goes with DATA; with --community give area.<kind>=… keys")
        from ..io.hypothetical import communities_from_options

        return communities_from_options(typed)
    if data is None:
        raise click.UsageError("Missing argument 'DATA' (a community data file), or give --community KEY=VALUE,…")
    if not os.path.exists(data):  # as click says it for a DATA that must exist
        raise click.BadParameter(f"Path {data!r} does not exist.", param_hint="'DATA'")
    ctx = click.get_current_context(silent=True)
    reading = ctx.meta.get(_READING, {}) if ctx is not None else {}
    table = load_communities(
        data, facilities=facilities, encoding=reading.get("encoding"), sheets=tuple(reading.get("sheets") or ())
    )
    for note in table.notes:
        click.echo(f"note: {data}: {note}", err=True)
    return table


def evaluate_data(
    ctx: click.Context,
    data: str | None,
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
