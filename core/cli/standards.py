"""Commands about the installed standards themselves: plugins, catalog, rules, show, validate.

Each parses its options, asks the library (:mod:`shequ.payloads`,
:mod:`shequ.checks.validate`) for plain rows and renders them with
:func:`~shequ.cli.common.emit`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import (
    as_of_option,
    day,
    emit,
    format_option,
    handle_errors,
    jurisdiction_option,
    reform_notes,
    registry_from,
)


@click.command()
@format_option
@click.option(
    "--coverage",
    is_flag=True,
    help="Also report, per plugin, the document's numbers: encoded (used by a value of the provision quoting them), "
    "listed as unencoded, unaccounted, and of those quoted only (in a quote no value uses).",
)
@click.pass_context
@handle_errors
def plugins(ctx: click.Context, fmt: str, coverage: bool) -> None:
    """Installed jurisdictions: id, name, documents, counts, where loaded from.

    \b
    Example:
      shequ plugins --coverage --format json
    """
    from ..payloads import plugin_rows

    rows = plugin_rows(registry_from(ctx), coverage)
    columns = None if fmt == "json" else [c for c in rows[0] if c not in ("location", "name_en")] if rows else None
    emit(fmt, rows, columns=columns, title="Installed jurisdictions", notes=reform_notes(ctx))


@click.command()
@click.argument("section", required=False, metavar="[SECTION]")
@format_option
@click.pass_context
@handle_errors
def catalog(ctx: click.Context, section: str | None, fmt: str) -> None:
    """The shared catalog: the ids rules, tasks and data may use, and which plugin added each.

    SECTION: metrics, concepts, kinds (facility kinds), organizations
    (organization kinds), flags, designations, departments or events (event
    date columns deadlines count from). Without one, how
    many entries each section has and who added them. An origin is `core` or
    the name of the plugin that added the entry.

    \b
    Example:
      shequ catalog                          every section, counted
      shequ catalog metrics --format json    every metric: unit, family, formula, concept, origin
      shequ catalog departments              bodies and the names documents use (民政局 → civil_affairs)
    """
    from ..payloads import catalog_payload, catalog_summary_rows

    rows = catalog_payload(registry_from(ctx), section)
    if section is None:
        if fmt == "json":
            emit(fmt, [], payload=rows)
            return
        rows = catalog_summary_rows(rows)
    emit(fmt, rows, title=f"Catalog: {section}" if section else "Catalog", notes=reform_notes(ctx))


@click.command()
@jurisdiction_option
@as_of_option
@format_option
@click.pass_context
@handle_errors
def rules(ctx: click.Context, jurisdictions: tuple[str, ...], as_of: dt.datetime | None, fmt: str) -> None:
    """The encoded rules with requirement, due date and citation.

    Only the rules of the document versions in force on --as-of (default
    today); a rule of a later or superseded version is left out (see
    `shequ history` for every version).

    \b
    Example:
      shequ rules -j changchun -j donghai --format markdown
      shequ rules -j national --as-of 2000-01-01
    """
    from ..payloads import rule_rows

    when = day(as_of) or dt.date.today()
    rows = rule_rows(registry_from(ctx), jurisdictions, when)
    columns = (
        None
        if fmt in ("json", "csv")
        else ["jurisdiction", "rule", "title", "metric", "applies_to", "requirement", "due", "clause"]
    )
    notes = [f"as of {when}: the rules of the document versions in force that day (history: shequ history)"]
    emit(fmt, rows, columns=columns, title="Rules", notes=notes + reform_notes(ctx))


@click.command()
@click.argument("jurisdiction_id", metavar="ID")
@as_of_option
@format_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, jurisdiction_id: str, as_of: dt.datetime | None, fmt: str) -> None:
    """One jurisdiction's whole normalised standard.

    Only the rules, tasks, milestones and obligations of the document
    versions in force on --as-of (default today); every document is still
    listed with its dates.

    \b
    Example:
      shequ show donghai --format json
      shequ show national --as-of 2026-06-01
    """
    from ..payloads import standard_notes, standard_payload, standard_sections
    from ..views.versions import in_force_standard

    registry = registry_from(ctx)
    loaded = registry.get(jurisdiction_id)
    when = day(as_of) or dt.date.today()
    loaded = in_force_standard(loaded, when)
    if fmt == "json":
        emit(fmt, [], payload=standard_payload(registry, loaded))
        return
    notes = standard_notes(loaded) + reform_notes(ctx)
    notes.append(f"as of {when}: only the items of the document versions in force that day (every document listed)")
    for index, (title, rows) in enumerate(standard_sections(registry, loaded)):
        if fmt == "csv":
            click.echo(f"# {title}")
        emit(fmt, rows, title=title, notes=notes if index == 0 else ())


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@handle_errors
def validate(paths: tuple[Path, ...], fmt: str) -> None:
    """Check plugin TOML without installing it: schema, ids, quotes, numbers, overlaps.

    \b
    Example:
      shequ validate ./shequ-suzhou
    """
    from ..checks.validate import spelling_notes, validate_path
    from ..errors import Problem, ProblemsError

    problems: list[Problem] = []
    for path in paths:
        try:
            problems += validate_path(path)
            # deprecations are notes, not problems: the older spellings are still read the same
            for note in spelling_notes(path):
                click.echo(f"note: {note}", err=True)
        except ProblemsError as exc:
            problems += exc.problems
    if problems:
        raise ProblemsError(problems)
    emit(fmt, [{"path": str(p), "valid": True} for p in paths], title="Valid")


@click.command()
@jurisdiction_option
@click.option(
    "--style",
    "styles",
    multiple=True,
    type=click.Choice(["bibtex", "gbt7714"]),
    help="Citation style (repeatable): BibTeX or GB/T 7714-2015; default: both.",
)
@click.pass_context
@handle_errors
def cite(ctx: click.Context, jurisdictions: tuple[str, ...], styles: tuple[str, ...]) -> None:
    """How to cite shequ and the documents of the selected jurisdictions (BibTeX, GB/T 7714-2015).

    \b
    Example:
      shequ cite -j donghai --style gbt7714
    """
    from ..citation import STYLES
    from ..citation import cite as citation_text

    standards = registry_from(ctx).select(jurisdictions)
    click.echo(citation_text(standards, styles or STYLES), nl=False)


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [plugins, catalog, rules, show, validate, cite]
