"""Commands that judge community data: evaluate, compare, explain.

Each loads the data, evaluates it with :func:`shequ.engine.evaluate` under the
selected (possibly reformed) standards, and renders the verdicts; the JSON
payloads come from :mod:`shequ.payloads`.
"""

from __future__ import annotations

import datetime as dt

import click

from ..errors import ShequError
from ..model import VERDICTS
from ..suggest import did_you_mean
from .common import (
    as_of_option,
    data_options,
    emit,
    evaluate_data,
    exit_on_violation,
    fail_option,
    format_option,
    handle_errors,
    jurisdiction_option,
    reform_notes,
)
from .views import emit_whatif

DETAIL_COLUMNS = ["id", "jurisdiction", "rule", "verdict", "value", "required", "shortfall", "unit", "due", "clause"]
AGGREGATE_COLUMNS = [
    "jurisdiction",
    "rule",
    "district",
    "statistic",
    "verdict",
    "value",
    "required_min",
    "required_max",
    "communities",
    "met",
    "unknown",
    "due",
]
EXPLAIN_COLUMNS = [
    "jurisdiction",
    "rule",
    "title",
    "verdict",
    "value",
    "required",
    "shortfall",
    "unit",
    "clause",
    "quote",
]


@click.command()
@data_options
@jurisdiction_option
@as_of_option
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice(VERDICTS),
    help="Show only these verdicts (repeatable).",
)
@fail_option
@format_option
@click.pass_context
@handle_errors
def evaluate(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    verdicts: tuple[str, ...],
    fail_on_violation: bool,
    fmt: str,
) -> None:
    """Verdicts per community × jurisdiction × rule.

    \b
    Example:
      shequ evaluate examples/communities.csv -j changchun --verdict fail
    """
    from ..payloads import evaluate_payload

    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of)
    if fmt == "json":
        emit(fmt, [], payload=evaluate_payload(results, verdicts, reform_notes(ctx)))
        exit_on_violation(results, fail_on_violation)
        return
    rows = results.details(verdicts=list(verdicts) or None).to_dicts()
    notes = [
        f"as of {results.as_of.isoformat()}: {len(results)} communities × {len(results.jurisdictions)} jurisdictions",
        *reform_notes(ctx),
    ]
    emit(fmt, rows, columns=None if fmt == "csv" else DETAIL_COLUMNS, title="Verdicts", notes=notes)
    aggregates = results.aggregate_details().to_dicts()
    if aggregates and fmt != "csv":
        emit(
            fmt,
            aggregates,
            title="Rules over sets of communities (per jurisdiction and district)",
            columns=AGGREGATE_COLUMNS,
        )
    exit_on_violation(results, fail_on_violation)


@click.command()
@data_options
@jurisdiction_option
@as_of_option
@fail_option
@click.option(
    "--baseline", is_flag=True, help="With --set/--overlay: show baseline and reformed verdicts side by side."
)
@format_option
@click.pass_context
@handle_errors
def compare(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    fail_on_violation: bool,
    baseline: bool,
    fmt: str,
) -> None:
    """Communities × jurisdictions: passes, fails, unknowns and compliance share.

    \b
    Examples:
      shequ compare examples/communities.csv --as-of 2021-01-01
      shequ --set donghai.service_space_per_100_households.requirement.floor=400 \\
        compare examples/communities.csv --baseline
    """
    if baseline:
        emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all=True)
        return
    from ..payloads import compare_payload

    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of)
    if fmt == "json":
        emit(fmt, [], payload=compare_payload(results, reform_notes(ctx)))
    elif fmt == "csv":
        emit(fmt, results.summary().to_dicts())
    else:
        notes = [
            f"as of {results.as_of.isoformat()}; cell = pass/fail/unknown (compliance = pass ÷ judged)",
            *reform_notes(ctx),
        ]
        emit(fmt, results.matrix().to_dicts(), title="Compliance by community and jurisdiction", notes=notes)
        emit(fmt, results.totals().to_dicts(), title="Totals by jurisdiction")
    exit_on_violation(results, fail_on_violation)


@click.command()
@data_options
@click.argument("community_id")
@click.option(
    "-j",
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    metavar="ID",
    required=True,
    help="The jurisdiction whose standard to explain (repeatable).",
)
@as_of_option
@format_option
@click.pass_context
@handle_errors
def explain(
    ctx: click.Context,
    data: str,
    facilities: str | None,
    community_id: str,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    fmt: str,
) -> None:
    """Every rule for one community: value, requirement, verdict, clause and source text.

    \b
    Example:
      shequ explain examples/communities.csv SYN-001 -j donghai
    """
    from ..payloads import explain_payload

    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of)
    ids = results.community_ids
    if community_id not in ids:
        raise ShequError(f"{data}: no community with id '{community_id}'{did_you_mean(community_id, ids)}")
    if fmt == "json":
        emit(fmt, [], payload=explain_payload(results, community_id, reform_notes(ctx)))
        return
    emit(
        fmt,
        results.details(ids=[community_id]).to_dicts(),
        columns=EXPLAIN_COLUMNS,
        title=f"Community {community_id} as of {results.as_of.isoformat()}",
        notes=reform_notes(ctx),
    )


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [evaluate, compare, explain]
