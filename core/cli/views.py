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

from ..vocabulary import COMMUNITY_KINDS, TASK_ROLES
from .common import (
    as_of_option,
    data_options,
    data_or_community_options,
    day,
    emit,
    format_option,
    handle_errors,
    installed_registry,
    jurisdiction_option,
    load_data,
    reform_notes,
    registry_from,
    strength_option,
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
@click.option("--shared", is_flag=True, help="Only concepts that at least two of the jurisdictions regulate.")
@jurisdiction_option
@as_of_option
@strength_option
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
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """Every jurisdiction's requirement per concept side by side, concrete for a community's size.

    Rows are concepts (metrics that measure the same thing); a jurisdiction
    that regulates one by another metric says "regulated under <metric>".
    ★ marks the strictest (highest minimum / lowest maximum) on the row's
    metric. A cell is regulated, "not regulated" (the document is silent,
    never 0), "not encoded" (the shipped copy is incomplete) or "not in force"
    (the document is not yet issued on --as-of).

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
        "strengths": list(strengths),
    }
    table = standards_table(registry, shared=shared, **scenario)
    notes = standards_notes(households, population, kind, persons_per_household, when, strengths) + reform_notes(ctx)
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
            strengths=strengths,
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
@click.option("--differences-only", is_flag=True, help="Leave out what both regulate the same way.")
@as_of_option
@strength_option
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
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """What A requires that B does not, concept by concept, and which is stricter, by how much, on a shared metric.

    Where both regulate a concept by different metrics the row says so
    ("different metrics") instead of "only A"; where only one does, the other
    side says whether its document is silent, its copy incomplete ("not
    encoded") or it is not yet in force on --as-of.

    \b
    Example:
      shequ diff changchun donghai --households 1500 --differences-only
    """
    from ..payloads import diff_payload, diff_rows
    from ..views import as_of_note, records
    from ..views import diff as diff_view

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
        strengths=strengths,
    )
    if differences_only:
        frame = frame.filter(frame["status"] != "same")
    rows = records(frame)
    if fmt == "json":
        emit(fmt, [], payload=diff_payload(rows, a, b, kind, when, reform_notes(ctx), strengths))
        return
    if fmt == "csv":
        emit(fmt, rows)
        return
    notes = [
        as_of_note([registry.get(a), registry.get(b)], when),
        f"{a} vs {b}, {'all' if kind == 'all' else kind} communities, concept by concept; numbers ranked only on "
        "one metric; minimum = the highest fixed lower bound (a scaled rule's floor included)",
        *([f"strengths: {', '.join(strengths)}"] if strengths else []),
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
    help="Only these roles (repeatable); default: all.",
)
@jurisdiction_option
@as_of_option
@strength_option
@format_option
@click.pass_context
@handle_errors
def responsibilities(
    ctx: click.Context,
    department: str | None,
    roles: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """Tasks × jurisdictions by normalised department: who leads, is responsible, guides, cooperates.

    Only tasks of documents issued on --as-of; with --strength, only tasks
    linked to a rule of those strengths (a task has no strength of its own).

    \b
    Example:
      shequ responsibilities --department 民政局 --role lead
    """
    from ..payloads import responsibilities_payload
    from ..views import as_of_note, not_yet_issued, resolve_department, responsibilities_matrix
    from ..views import responsibilities as view

    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    department_id = resolve_department(registry.catalog, department) if department else None
    selected_roles = list(roles) or list(TASK_ROLES)
    frame = view(registry, department_id, list(jurisdictions), selected_roles, when, strengths)
    standards = registry.select(jurisdictions)
    selected = [loaded.id for loaded in standards]
    matrix = responsibilities_matrix(frame, selected, by_department=department_id is not None)
    if fmt == "json":
        payload = responsibilities_payload(
            registry,
            frame,
            matrix,
            department_id,
            selected_roles,
            reform_notes(ctx),
            as_of=when,
            strengths=strengths,
            not_yet_issued=not_yet_issued(standards, when),
        )
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
    notes = [
        as_of_note(standards, when),
        *([f"strengths: {', '.join(strengths)} (tasks linked to such a rule)"] if strengths else []),
        *reform_notes(ctx),
    ]
    emit(fmt, matrix, columns=columns, title=title, notes=notes)


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
    help="Only these statuses (repeatable): upcoming, due, past, done, overdue, open, departs, superseded, "
    "not_applicable, not_in_force.",
)
@strength_option
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
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """Milestones and deadlines in date order, with their status as of a date.

    \b
    upcoming      the date is after the as-of date
    due           the date is the as-of date
    past          the date is before it
    not_in_force  its document is not yet issued on the as-of date
    with --data, rule deadlines on or before as-of become:
    done (every covered community passes), overdue (some fail),
    open (none fails, some unknown), departs (only guidance or
    permissive provisions unmet), superseded (an earlier stage)

    \b
    Example:
      shequ timeline -j donghai --data examples/communities.csv --status overdue
    """
    from ..errors import ShequError
    from ..payloads import timeline_payload
    from ..views import TIMELINE_STATUSES, as_of_note, records
    from ..views import timeline as view

    for status in statuses:
        if status not in TIMELINE_STATUSES:
            raise ShequError(f"unknown status '{status}'; statuses: {', '.join(TIMELINE_STATUSES)}")
    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    communities = load_data(data, facilities) if data else None
    frame = view(registry, list(jurisdictions), when, communities, strengths)
    if statuses:
        frame = frame.filter(frame["status"].is_in(list(statuses)))
    rows = records(frame)
    if fmt == "json":
        emit(fmt, [], payload=timeline_payload(rows, when, data, reform_notes(ctx), strengths))
        return
    notes = [
        as_of_note(registry.select(jurisdictions), when) + (f"; deadlines judged on {data}" if data else ""),
        *([f"strengths: {', '.join(strengths)} (tasks linked to such a rule)"] if strengths else []),
        *reform_notes(ctx),
    ]
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
    "share",
    "basis",
    "per",
    "payer",
    "communities",
    "unknown",
    "not_in_force",
    "total_yuan",
    "total_yuan_known",
    "document",
    "clause",
]


@click.command()
@data_or_community_options
@jurisdiction_option
@as_of_option
@format_option
@click.pass_context
@handle_errors
def cost(
    ctx: click.Context,
    data: str | None,
    facilities: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    fmt: str,
) -> None:
    """The yearly, one-off and unstated-period money each jurisdiction's standard commits for these communities.

    Totals per jurisdiction and obligation (with payer and source) and per
    community. A missing basis (e.g. no household count) is unknown, not 0:
    such totals are empty, and the *_known columns sum what is known. Money
    the text commits without a period is "unstated", never yearly; an
    obligation whose document is not yet issued on --as-of commits nothing.
    Obligations carry no strength, so cost takes no --strength. CSV output is
    one row per community × obligation.

    \b
    Examples:
      shequ cost examples/communities.csv -j donghai --format csv
      shequ cost --community households=1500,kind=urban -j panzhihua
    """
    from ..payloads import cost_payload
    from ..views import as_of_note
    from ..views import cost as view

    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    report = view(registry, load_data(data, facilities), list(jurisdictions), when)
    if fmt == "json":
        emit(fmt, [], payload=cost_payload(report, data or "--community", reform_notes(ctx)))
        return
    if fmt == "csv":
        emit(fmt, report.items.to_dicts())
        return
    notes = [
        as_of_note(registry.select(jurisdictions), when),
        "yuan; yearly = per year, one_off = once, unstated = the text states no period (never counted as yearly); "
        "an empty total means some item is unknown (see *_known and *_unknown)",
        *reform_notes(ctx),
    ]
    emit(fmt, report.summary.to_dicts(), title="Money committed, by jurisdiction", notes=notes)
    emit(fmt, report.totals.to_dicts(), title="By obligation (payer and source)", columns=COST_COLUMNS)
    emit(fmt, report.by_community.to_dicts(), title="By community")


# --------------------------------------------------------------------------
# whatif

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
    strengths: Sequence[str] = (),
) -> None:
    """Write baseline against reformed verdicts (used by ``whatif`` and by ``compare --baseline``)."""
    from ..errors import ShequError
    from ..payloads import whatif_payload, whatif_rows
    from ..views import records
    from ..views import whatif as view
    from ..views.whatif import RULE_CHANGE_COLUMNS

    notes = reform_notes(ctx)
    if not notes:
        raise ShequError(
            "nothing to compare: give what-if changes before the command, e.g. "
            "shequ --set donghai.service_space_per_100_households.requirement.floor=400 whatif DATA"
        )
    reformed = registry_from(ctx)
    baseline = installed_registry(ctx)
    report = view(baseline, reformed, load_data(data, facilities), list(jurisdictions), day(as_of), strengths)
    summary = report.summary
    if not show_all:
        summary = summary.filter(summary["changed"] > 0)
    if fmt == "json":
        emit(fmt, [], payload=whatif_payload(report, summary, notes, strengths))
        return
    if fmt == "csv":
        emit(fmt, report.changes.to_dicts())
        return
    header = [
        f"as of {report.as_of.isoformat()}: baseline (installed standards) vs reformed, "
        f"jurisdictions: {', '.join(report.jurisdictions)}",
        *([f"strengths: {', '.join(strengths)}"] if strengths else []),
        *notes,
    ]
    # the table leaves out the applicability texts (JSON and CSV carry every column)
    columns = [c for c in RULE_CHANGE_COLUMNS if not c.startswith("applies_")]
    emit(fmt, records(report.rules), title="Rules changed by the what-if", notes=header, columns=columns)
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


def emit_sweep(
    ctx: click.Context,
    spec: str,
    data: str,
    facilities: str | None,
    jurisdictions: Sequence[str],
    as_of: dt.datetime | dt.date | None,
    fmt: str,
    strengths: Sequence[str] = (),
) -> None:
    """Write a what-if sweep (``whatif --sweep PATH=START:STOP:STEP``): one row per value."""
    from ..errors import ShequError
    from ..payloads import sweep_payload
    from ..views import records
    from ..views.whatif import first_value_failing, parse_sweep, sweep

    path, values = parse_sweep(spec)
    jurisdiction = path.split(".")[0]
    if jurisdictions and list(jurisdictions) != [jurisdiction]:
        others = ", ".join(jurisdictions)
        raise ShequError(f"--sweep {spec}: sweeps {jurisdiction}'s standard; -j {others} says another")
    registry = registry_from(ctx)
    when = day(as_of) or dt.date.today()
    frame = sweep(registry, load_data(data, facilities), path, values, as_of=when, strength=strengths)
    half = first_value_failing(frame, 0.5)
    if fmt == "json":
        emit(fmt, [], payload=sweep_payload(frame, path, when, half, reform_notes(ctx), strengths))
        return
    counted = frame.get_column("counted")[0] if frame.height else ""
    notes = [
        f"as of {when.isoformat()}: {path} set to each value in turn (validated as --set is); "
        f"{'failing = fails rule ' + counted if counted != '(any rule)' else 'failing = fails any rule'} of "
        f"{jurisdiction}; share = failing ÷ communities it applies to; cost in yuan (empty = unknown)",
        f"half the communities fail from {path.split('.')[-1]} = {half:g}"
        if half is not None
        else "half the communities fail at none of these values",
        *([f"strengths: {', '.join(strengths)}"] if strengths else []),
        *reform_notes(ctx),
    ]
    emit(fmt, records(frame), title=f"What-if sweep: {path}", notes=notes if fmt != "csv" else ())


@click.command()
@data_options
@jurisdiction_option
@as_of_option
@click.option("--all", "show_all", is_flag=True, help="List every community, not only those whose verdicts change.")
@click.option(
    "--sweep",
    "sweep_spec",
    default=None,
    metavar="PATH=START:STOP:STEP",
    help="Set PATH (as in --set, e.g. donghai.service_space_floor_600.requirement.value) to each value from "
    "START to STOP (inclusive) by STEP, at most 1000 values: one row per value with communities failing, "
    "share failing and cost.",
)
@strength_option
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
    sweep_spec: str | None,
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """Baseline against reformed verdicts for the same data, and which verdicts change.

    Default jurisdictions: those the what-if changes. (shequ --set … compare
    DATA shows the reformed view alone.) With --sweep: one row per value of one
    field (on top of any --set/--overlay), no baseline needed.

    \b
    Examples:
      shequ --set donghai.service_space_per_100_households.requirement.floor=400 \\
        whatif examples/communities.csv
      shequ whatif examples/communities.csv \\
        --sweep donghai.service_space_floor_600.requirement.value=300:800:50
    """
    from ..errors import ShequError

    if sweep_spec is not None:
        if show_all:
            raise ShequError("--all lists communities of a what-if; a --sweep lists values (leave out --all)")
        emit_sweep(ctx, sweep_spec, data, facilities, jurisdictions, as_of, fmt, strengths)
        return
    emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all, strengths)


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [standards, diff, responsibilities, timeline, cost, whatif]
