"""Commands about versions and levels: how a requirement changed over time, and where a local standard
departs from its parent's (see docs/levels.md)."""

from __future__ import annotations

import datetime as dt

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

#: The terminal table's columns (every column in json, csv and markdown).
HISTORY_TABLE = ["rule", "document", "effective", "superseded_on", "requirement", "strength", "change", "clause"]
CONFLICT_TABLE = [
    "jurisdiction",
    "date",
    "requirement",
    "strength",
    "clause",
    "quote",
    "parent_requirement",
    "parent_strength",
    "parent_clause",
    "parent_quote",
    "class",
]


@click.command()
@click.option("-j", "--jurisdiction", "jurisdiction_id", required=True, metavar="ID", help="A jurisdiction id.")
@click.option("--metric", default=None, metavar="METRIC", help="A catalog metric, e.g. households.")
@click.option("--concept", default=None, metavar="CONCEPT", help="A catalog concept (every metric of it).")
@format_option
@click.pass_context
@handle_errors
def history(ctx: click.Context, jurisdiction_id: str, metric: str | None, concept: str | None, fmt: str) -> None:
    """How one requirement of a jurisdiction changed over its documents' versions.

    One row per rule on the metric (or concept), in the order the versions took
    effect: the document, when it took effect and was superseded, the
    requirement in words, its strength, what changed, clause and quote.

    \b
    Example:
      shequ history -j national --metric households
    """
    from ..errors import ShequError
    from ..views import records
    from ..views.versions import HISTORY_COLUMNS
    from ..views.versions import history as view

    if (metric is None) == (concept is None):
        raise ShequError("give exactly one of --metric or --concept")
    registry = registry_from(ctx)
    rows = records(view(registry, jurisdiction_id, metric=metric, concept=concept))
    what = f"metric {metric}" if metric else f"concept {concept}"
    notes = [
        f"{jurisdiction_id}, {what}: each version is in force from 'effective' until 'superseded_on' (exclusive)",
        *reform_notes(ctx),
    ]
    columns = HISTORY_TABLE if fmt == "table" else HISTORY_COLUMNS
    emit(fmt, rows, columns=columns, title="History", notes=notes)


@click.command()
@jurisdiction_option
@as_of_option
@click.option(
    "--class",
    "classes",
    multiple=True,
    metavar="CLASS",
    help="Only these classes (repeatable): incompatible, looser, stricter, compatible, not_comparable.",
)
@format_option
@click.pass_context
@handle_errors
def conflicts(
    ctx: click.Context, jurisdictions: tuple[str, ...], as_of: dt.datetime | None, classes: tuple[str, ...], fmt: str
) -> None:
    """Every local requirement beside its parent's (e.g. the national law) on the same concept.

    Each local rule is set beside the parent's rules in force on the day the
    local document took effect (at = document) and, with --as-of, on that day
    (at = as_of), with both clauses and quotes, and classified:

    \b
    incompatible    the ranges do not overlap: no community can meet both
    looser          the local range admits values the parent's excludes
    stricter        the local range lies within the parent's
    compatible      the same bounds
    not_comparable  different metrics, or not one range (a choice, a scale)

    The detail says how binding each side is: a guidance (一般/原则上) norm
    departed from is no breach.

    \b
    Example:
      shequ conflicts -j changchun
      shequ conflicts --as-of 2026-06-01 --class incompatible
    """
    from ..errors import ShequError
    from ..views import records
    from ..views.versions import CONFLICT_CLASSES, CONFLICT_COLUMNS
    from ..views.versions import conflicts as view

    for name in classes:
        if name not in CONFLICT_CLASSES:
            raise ShequError(f"unknown class '{name}'; classes: {', '.join(CONFLICT_CLASSES)}")
    registry = registry_from(ctx)
    when = day(as_of)
    frame = view(registry, list(jurisdictions), when)
    if classes:
        frame = frame.filter(frame["class"].is_in(list(classes)))
    rows = records(frame)
    without = [
        f"{loaded.id} (parent {loaded.standard.jurisdiction.parent})"
        for loaded in registry.select(jurisdictions)
        if loaded.standard.jurisdiction.parent not in (None, *registry.standards)
    ]
    notes = [
        "each local rule beside its parent's rules on the same concept, in force when the local document took effect"
        + (f" and on {when.isoformat()}" if when else "")
        + ("" if fmt != "table" else " (rule ids, documents and the detail: --format markdown, csv or json)"),
        *([f"parent not installed: {', '.join(without)}"] if without else []),
        *reform_notes(ctx),
    ]
    columns = CONFLICT_TABLE if fmt == "table" else CONFLICT_COLUMNS
    emit(fmt, rows, columns=columns, title="Conflicts between levels", notes=notes)


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [history, conflicts]
