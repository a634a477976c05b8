"""The comparison commands: standards, diff, responsibilities, timeline, cost, whatif.

Thin click commands over :mod:`shequ.views` (the frames) and
:mod:`shequ.payloads` (their JSON); :mod:`shequ.cli.main` adds every command of
:data:`COMMANDS` to the ``shequ`` group. Every command honours the group's
what-if options (``shequ --set ID.RULE.FIELD=VALUE … COMMAND``, ``shequ
--overlay FILE.toml … COMMAND``) through :func:`~shequ.cli.common.registry_from`
and names them in its output header (JSON: ``"reforms"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import ShequError
from ..model import COMMUNITY_KINDS, TASK_ROLES
from .common import (
    as_of_option,
    data_options,
    day,
    emit,
    format_option,
    handle_errors,
    jurisdiction_option,
    load_data,
    reform_notes,
    registry_from,
)

F = TypeVar("F", bound=Callable[..., Any])


def _size_options(command: F) -> F:
    command = click.option(
        "--population",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="Residents of the community (default: unknown; requirements that need it say 'depends').",
    )(command)
    return click.option(
        "--households",
        multiple=True,
        type=click.IntRange(min=0),
        metavar="N",
        help="Households of the community (repeatable: one comparison per size).",
    )(command)


# --------------------------------------------------------------------------
# standards


@click.command()
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="M",
    help="A metric id (repeatable), e.g. service_space_m2; default: every regulated metric.",
)
@_size_options
@click.option(
    "--persons-per-household",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="R",
    help="Estimate population as households × R when --population is not given (stated in the output).",
)
@click.option(
    "--kind",
    type=click.Choice(COMMUNITY_KINDS),
    default="urban",
    show_default=True,
    help="The kind of community whose requirements are compared.",
)
@click.option("--shared", is_flag=True, help="Only metrics that at least two of the jurisdictions regulate.")
@jurisdiction_option
@as_of_option
@format_option
@click.pass_context
@handle_errors
def standards(
    ctx: click.Context,
    metrics: tuple[str, ...],
    households: tuple[int, ...],
    population: int | None,
    persons_per_household: float | None,
    kind: str,
    shared: bool,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    fmt: str,
) -> None:
    """Every jurisdiction's requirement per metric side by side, concrete for a community's size.

    ★ marks the strictest (highest minimum / lowest maximum); a metric a
    jurisdiction does not regulate says "not regulated", never 0.

    \b
    Example:
      shequ standards --metric service_space_m2 --households 800 --households 1500
    """
    from ..payloads import standards_payload
    from ..views import standards_matrix, standards_notes, standards_rules, standards_table

    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    scenario: dict[str, Any] = {
        "metrics": list(metrics) or None,
        "households": list(households),
        "population": population,
        "kind": kind,
        "jurisdictions": list(jurisdictions),
        "as_of": when,
        "persons_per_household": persons_per_household,
    }
    table = standards_table(registry, shared=shared, **scenario)
    notes = standards_notes(households, population, kind, persons_per_household, when) + reform_notes(ctx)
    if fmt == "json":
        payload = standards_payload(
            table,
            standards_rules(registry, **scenario),
            as_of=when,
            kind=kind,
            households=households,
            population=population,
            persons_per_household=persons_per_household,
            notes=notes,
            reforms=reform_notes(ctx),
        )
        emit(fmt, [], payload=payload)
    elif fmt == "csv":
        emit(fmt, table.to_dicts())
    else:
        emit(fmt, standards_matrix(table).to_dicts(), title="Standards side by side", notes=notes)


# --------------------------------------------------------------------------
# diff


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--metric", "metrics", multiple=True, metavar="M", help="Only these metrics (repeatable).")
@_size_options
@click.option(
    "--kind",
    type=click.Choice([*COMMUNITY_KINDS, "all"]),
    default="urban",
    show_default=True,
    help="The kind of community compared; 'all': every rule, a rule for one kind as its own scope.",
)
@click.option("--differences-only", is_flag=True, help="Leave out the metrics both regulate the same way.")
@as_of_option
@format_option
@click.pass_context
@handle_errors
def diff(
    ctx: click.Context,
    a: str,
    b: str,
    metrics: tuple[str, ...],
    households: tuple[int, ...],
    population: int | None,
    kind: str,
    differences_only: bool,
    as_of: dt.datetime | None,
    fmt: str,
) -> None:
    """What A requires that B does not, and which is stricter, by how much, where both regulate a metric.

    \b
    Example:
      shequ diff changchun donghai --households 1500 --differences-only
    """
    from ..payloads import diff_payload, diff_rows
    from ..views import diff as diff_view
    from ..views import records

    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    frame = diff_view(
        registry,
        a,
        b,
        kind=None if kind == "all" else kind,
        households=list(households),
        population=population,
        as_of=when,
        metrics=list(metrics) or None,
    )
    if differences_only:
        frame = frame.filter(frame["status"] != "same")
    rows = records(frame)
    if fmt == "json":
        emit(fmt, [], payload=diff_payload(rows, a, b, kind, when, reform_notes(ctx)))
        return
    if fmt == "csv":
        emit(fmt, rows)
        return
    notes = [
        f"{a} vs {b}, {'all' if kind == 'all' else kind} communities, "
        f"requirements in force as of {when.isoformat()}; minimum = the "
        "highest fixed lower bound (a scaled rule's floor included)",
        *reform_notes(ctx),
    ]
    emit(fmt, diff_rows(rows, a, b), title=f"Differences: {a} vs {b}", notes=notes)


# --------------------------------------------------------------------------
# responsibilities


@click.command()
@click.option(
    "--department",
    default=None,
    metavar="D",
    help="A department id or any of its Chinese names (e.g. civil_affairs, 民政局).",
)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(TASK_ROLES),
    help="Only these roles (repeatable); default: all four.",
)
@jurisdiction_option
@format_option
@click.pass_context
@handle_errors
def responsibilities(
    ctx: click.Context, department: str | None, roles: tuple[str, ...], jurisdictions: tuple[str, ...], fmt: str
) -> None:
    """Tasks × jurisdictions by normalised department: who leads, is responsible, guides, cooperates.

    \b
    Example:
      shequ responsibilities --department 民政局 --role lead
    """
    from ..payloads import responsibilities_payload
    from ..views import resolve_department, responsibilities_matrix
    from ..views import responsibilities as view

    registry = registry_from(ctx)
    department_id = resolve_department(registry.catalog, department) if department else None
    selected_roles = list(roles) or list(TASK_ROLES)
    frame = view(registry, department_id, list(jurisdictions), selected_roles)
    selected = [loaded.id for loaded in registry.select(jurisdictions)]
    matrix = responsibilities_matrix(frame, selected, by_department=department_id is not None)
    if fmt == "json":
        payload = responsibilities_payload(registry, frame, matrix, department_id, selected_roles, reform_notes(ctx))
        emit(fmt, [], payload=payload)
        return
    if fmt == "csv":
        emit(fmt, frame.to_dicts())
        return
    if department_id:
        definition = registry.catalog.departments.get(department_id)
        title = f"Tasks of {department_id} ({definition.zh if definition else ''}) by jurisdiction and role"
        columns = ["jurisdiction", *selected_roles, "tasks"]
    else:
        title = "Departments × jurisdictions: number of tasks per role"
        columns = None
    emit(fmt, matrix, columns=columns, title=title, notes=reform_notes(ctx))


# --------------------------------------------------------------------------
# timeline


@click.command()
@jurisdiction_option
@as_of_option
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Community data: judge deadlines that have passed (done / overdue / open).",
)
@click.option(
    "--facilities",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A separate facilities table for --data.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="S",
    help="Only these statuses (repeatable): upcoming, due, past, done, overdue, open, superseded, not_applicable.",
)
@format_option
@click.pass_context
@handle_errors
def timeline(
    ctx: click.Context,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    data: str | None,
    facilities: str | None,
    statuses: tuple[str, ...],
    fmt: str,
) -> None:
    """Milestones and deadlines in date order, with their status as of a date.

    \b
    upcoming  the date is after the as-of date
    due       the date is the as-of date
    past      the date is before it
    with --data, rule deadlines on or before as-of become:
    done (every covered community passes), overdue (some fail),
    open (none fails, some unknown), superseded (an earlier stage)

    \b
    Example:
      shequ timeline -j donghai --data examples/communities.csv --status overdue
    """
    from ..payloads import timeline_payload
    from ..views import TIMELINE_STATUSES, records
    from ..views import timeline as view

    for status in statuses:
        if status not in TIMELINE_STATUSES:
            raise ShequError(f"unknown status '{status}'; statuses: {', '.join(TIMELINE_STATUSES)}")
    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    communities = load_data(data, facilities) if data else None
    frame = view(registry, list(jurisdictions), when, communities)
    if statuses:
        frame = frame.filter(frame["status"].is_in(list(statuses)))
    rows = records(frame)
    if fmt == "json":
        emit(fmt, [], payload=timeline_payload(rows, when, data, reform_notes(ctx)))
        return
    notes = [f"as of {when.isoformat()}" + (f"; deadlines judged on {data}" if data else ""), *reform_notes(ctx)]
    columns = (
        None
        if fmt == "csv"
        else ["date", "jurisdiction", "kind", "id", "title", "status", "days"]
        + (["passed", "failed", "unknown"] if data else [])
        + ["departments"]
    )
    emit(fmt, rows, columns=columns, title="Timeline", notes=notes)


# --------------------------------------------------------------------------
# cost

COST_COLUMNS = [
    "jurisdiction",
    "obligation",
    "title",
    "period",
    "amount_yuan",
    "basis",
    "per",
    "payer",
    "communities",
    "unknown",
    "total_yuan",
    "total_yuan_known",
    "document",
    "clause",
]


@click.command()
@data_options
@jurisdiction_option
@format_option
@click.pass_context
@handle_errors
def cost(ctx: click.Context, data: str, facilities: str | None, jurisdictions: tuple[str, ...], fmt: str) -> None:
    """The yearly and one-off money each jurisdiction's standard commits for these communities.

    Totals per jurisdiction and obligation (with payer and source) and per
    community. A missing basis (e.g. no household count) is unknown, not 0:
    such totals are empty, and the *_known columns sum what is known. CSV
    output is one row per community × obligation.

    \b
    Example:
      shequ cost examples/communities.csv -j donghai --format csv
    """
    from ..payloads import cost_payload
    from ..views import cost as view

    registry = registry_from(ctx)
    report = view(registry, load_data(data, facilities), list(jurisdictions))
    if fmt == "json":
        emit(fmt, [], payload=cost_payload(report, data, reform_notes(ctx)))
        return
    if fmt == "csv":
        emit(fmt, report.items.to_dicts())
        return
    notes = [
        "yuan; yearly = per year, one_off = once; "
        "an empty total means some item is unknown (see *_known and *_unknown)",
        *reform_notes(ctx),
    ]
    emit(fmt, report.summary.to_dicts(), title="Money committed, by jurisdiction", notes=notes)
    emit(fmt, report.totals.to_dicts(), title="By obligation (payer and source)", columns=COST_COLUMNS)
    emit(fmt, report.by_community.to_dicts(), title="By community")


# --------------------------------------------------------------------------
# whatif

WHATIF_RULE_COLUMNS = [
    "jurisdiction",
    "rule",
    "change",
    "requirement_baseline",
    "requirement_reformed",
    "due_baseline",
    "due_reformed",
    "strength_baseline",
    "strength_reformed",
]
WHATIF_CHANGE_COLUMNS = [
    "id",
    "jurisdiction",
    "rule",
    "verdict_baseline",
    "verdict_reformed",
    "value",
    "required_baseline",
    "required_reformed",
    "unit",
    "clause",
]


def emit_whatif(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    jurisdictions: Sequence[str],
    as_of: dt.datetime | dt.date | None,
    fmt: str,
    show_all: bool = False,
) -> None:
    """Write baseline against reformed verdicts (used by ``whatif`` and by ``compare --baseline``)."""
    from ..payloads import whatif_payload, whatif_rows
    from ..registry import get_registry
    from ..views import records
    from ..views import whatif as view

    notes = reform_notes(ctx)
    if not notes:
        raise ShequError(
            "nothing to compare: give what-if changes before the command, e.g. "
            "shequ --set donghai.service_space_per_100_households.requirement.floor=400 whatif DATA"
        )
    reformed = registry_from(ctx)
    report = view(get_registry(), reformed, load_data(data, facilities), list(jurisdictions), day(as_of))
    summary = report.summary
    if not show_all:
        summary = summary.filter(summary["changed"] > 0)
    if fmt == "json":
        emit(fmt, [], payload=whatif_payload(report, summary, notes))
        return
    if fmt == "csv":
        emit(fmt, report.changes.to_dicts())
        return
    header = [
        f"as of {report.as_of.isoformat()}: baseline (installed standards) vs reformed, "
        f"jurisdictions: {', '.join(report.jurisdictions)}",
        *notes,
    ]
    emit(fmt, records(report.rules), title="Rules changed by the what-if", notes=header, columns=WHATIF_RULE_COLUMNS)
    emit(
        fmt,
        whatif_rows(summary),
        title="Communities whose verdicts change (pass/fail/unknown, compliance)"
        if not show_all
        else "Every community: baseline vs reformed (pass/fail/unknown, compliance)",
    )
    emit(fmt, records(report.changes), title="Verdicts that change", columns=WHATIF_CHANGE_COLUMNS)
    if not report.aggregate_changes.is_empty():
        emit(fmt, records(report.aggregate_changes), title="Rules over sets of communities that change")


@click.command()
@data_options
@jurisdiction_option
@as_of_option
@click.option("--all", "show_all", is_flag=True, help="List every community, not only those whose verdicts change.")
@format_option
@click.pass_context
@handle_errors
def whatif(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    show_all: bool,
    fmt: str,
) -> None:
    """Baseline against reformed verdicts for the same data, and which verdicts change.

    Default jurisdictions: those the what-if changes. (shequ --set … compare
    DATA shows the reformed view alone.)

    \b
    Example:
      shequ --set donghai.service_space_per_100_households.requirement.floor=400 \\
        whatif examples/communities.csv
    """
    emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all)


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [standards, diff, responsibilities, timeline, cost, whatif]
