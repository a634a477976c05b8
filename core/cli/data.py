"""Commands that judge community data: evaluate, compare, explain.

Each loads the data, evaluates it with :func:`shequ.engine.evaluate` under the
selected (possibly reformed) standards, and renders the verdicts; the JSON
payloads come from :mod:`shequ.payloads`. Every output states the date it was
judged on (and the strengths, when ``--strength`` keeps only some).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from ..errors import ShequError
from ..model import VERDICTS
from ..suggest import did_you_mean
from .common import (
    as_of_option,
    data_options,
    data_or_community_options,
    emit,
    evaluate_data,
    exit_on_violation,
    fail_option,
    format_option,
    given_communities,
    handle_errors,
    jurisdiction_option,
    reform_notes,
    registry_from,
    strength_option,
)
from .views import emit_whatif

if TYPE_CHECKING:
    from ..engine import Results

DETAIL_COLUMNS = [
    "id",
    "jurisdiction",
    "rule",
    "strength",
    "verdict",
    "value",
    "required",
    "shortfall",
    "unit",
    "due",
    "clause",
]
AGGREGATE_COLUMNS = [
    "jurisdiction",
    "rule",
    "district",
    "statistic",
    "strength",
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
    "strength",
    "verdict",
    "value",
    "required",
    "shortfall",
    "unit",
    "clause",
    "quote",
]


def judged_notes(results: Results, what: str = "") -> list[str]:
    """What every table of verdicts says first: the date judged on (``what`` was judged), the strengths kept."""
    notes = [
        f"as of {results.as_of.isoformat()}: {what}{'; ' if what else ''}nothing is in force before its document's date"
    ]
    from ..views.common import superseded_documents

    replaced = superseded_documents(results.jurisdictions, results.as_of)
    if replaced:
        notes.append(
            "superseded by a later version (their rules not_in_force): "
            + ", ".join(f"{d['jurisdiction']} ({d['document']}, from {d['date'].isoformat()})" for d in replaced)
        )
    if results.strengths:
        notes.append(f"strengths: {', '.join(results.strengths)} (rules of other strengths left out)")
    return notes


@click.command()
@data_or_community_options
@jurisdiction_option
@as_of_option
@strength_option
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice(VERDICTS),
    help="Show only these verdicts (repeatable).",
)
@click.option(
    "--inherit",
    is_flag=True,
    help="Also judge each jurisdiction's parent's rules (e.g. the national law) on every concept the local "
    "standard does not regulate; columns from and level say where each rule comes from.",
)
@fail_option
@format_option
@click.pass_context
@handle_errors
def evaluate(
    ctx: click.Context,
    data: str | None,
    facilities: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    strengths: tuple[str, ...],
    verdicts: tuple[str, ...],
    inherit: bool,
    fail_on_violation: bool,
    fmt: str,
) -> None:
    """Verdicts per community × jurisdiction × rule.

    A guidance or permissive rule that is not met ``departs`` (never a fail);
    before its document takes effect, or once a later version supersedes it,
    a rule is ``not_in_force``.

    \b
    Examples:
      shequ evaluate examples/communities.csv -j changchun --verdict fail
      shequ evaluate examples/communities.csv -j changchun --inherit --as-of 2026-06-01
      shequ evaluate --community households=1500,kind=urban,service_space_m2=420 -j donghai
    """
    from ..payloads import evaluate_payload

    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of, strengths, inherit)
    if fmt == "json":
        emit(fmt, [], payload=evaluate_payload(results, verdicts, reform_notes(ctx)))
        exit_on_violation(results, fail_on_violation)
        return
    rows = results.details(verdicts=list(verdicts) or None).to_dicts()
    notes = [
        *judged_notes(results, f"{len(results)} communities × {len(results.jurisdictions)} jurisdictions"),
        *reform_notes(ctx),
    ]
    columns = DETAIL_COLUMNS
    if results.inherit:
        at = DETAIL_COLUMNS.index("jurisdiction") + 1
        columns = [*DETAIL_COLUMNS[:at], "from", "level", *DETAIL_COLUMNS[at:]]
        notes.append(
            "inherit: each jurisdiction's parent's rules apply where the local standard is silent (from, level)"
        )
        installed = registry_from(ctx).standards
        missing = [
            f"{loaded.id} (parent {loaded.standard.jurisdiction.parent})"
            for loaded in results.jurisdictions
            if loaded.standard.jurisdiction.parent not in (None, *installed)
        ]
        if missing:
            notes.append(f"parent not installed, nothing inherited: {', '.join(missing)}")
    emit(fmt, rows, columns=None if fmt == "csv" else columns, title="Verdicts", notes=notes)
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
@strength_option
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
    strengths: tuple[str, ...],
    fail_on_violation: bool,
    baseline: bool,
    fmt: str,
) -> None:
    """Communities × jurisdictions: passes, fails, unknowns, compliance and what it is over.

    Counts are of provisions (rules restating one another count once).
    Compliance is binding (mandatory and target) passes over those judged,
    beside the share of applicable provisions that is unknown; departures from
    guidance and permissions are counted apart. Totals count the communities
    covered, not only those in the data.

    \b
    Examples:
      shequ compare examples/communities.csv --as-of 2021-01-01
      shequ --set donghai.service_space_per_100_households.requirement.floor=400 \\
        compare examples/communities.csv --baseline
    """
    if baseline:
        emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all=True, strengths=strengths)
        return
    from ..payloads import compare_payload, compare_totals_rows

    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of, strengths)
    if fmt == "json":
        emit(fmt, [], payload=compare_payload(results, reform_notes(ctx)))
    elif fmt == "csv":
        emit(fmt, results.summary().to_dicts())
    else:
        notes = [
            *judged_notes(results),
            "cell = binding pass/fail/unknown (compliance = binding pass ÷ judged; unknown ÷ applicable; departures "
            "from guidance and permissions); a rule restating another counts once",
            *reform_notes(ctx),
        ]
        emit(fmt, results.matrix().to_dicts(), title="Compliance by community and jurisdiction", notes=notes)
        emit(fmt, compare_totals_rows(results), title="Totals by jurisdiction")
    exit_on_violation(results, fail_on_violation)


@click.command()
@data_or_community_options
@click.argument("community_id", required=False)
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
@strength_option
@format_option
@click.pass_context
@handle_errors
def explain(
    ctx: click.Context,
    data: str | None,
    facilities: str | None,
    community_id: str | None,
    jurisdictions: tuple[str, ...],
    as_of: dt.datetime | None,
    strengths: tuple[str, ...],
    fmt: str,
) -> None:
    """Every rule for one community: strength, value, requirement, verdict, document, clause and source text.

    With --community instead of DATA, COMMUNITY_ID may be left out when one
    community is given.

    \b
    Examples:
      shequ explain examples/communities.csv SYN-001 -j donghai
      shequ explain --community households=1500,kind=urban,service_space_m2=420 -j donghai
    """
    from ..payloads import explain_payload

    if given_communities(ctx) and community_id is None:
        data, community_id = None, data  # explain --community … [COMMUNITY_ID]: the one argument is the id
    elif community_id is None and data is not None:
        raise click.UsageError("Missing argument 'COMMUNITY_ID'.")
    results = evaluate_data(ctx, data, facilities, jurisdictions, as_of, strengths)
    ids = results.community_ids
    if community_id is None:
        if len(ids) != 1:
            raise ShequError(f"--community gives {len(ids)} communities: name the one to explain ({', '.join(ids)})")
        community_id = ids[0]
    if community_id not in ids:
        source = data or "--community"
        raise ShequError(f"{source}: no community with id '{community_id}'{did_you_mean(community_id, ids)}")
    if fmt == "json":
        emit(fmt, [], payload=explain_payload(results, community_id, reform_notes(ctx)))
        return
    rows = results.details(ids=[community_id]).to_dicts()
    cited: dict[str, list[str]] = {}
    for row in rows:
        documents = cited.setdefault(row["jurisdiction"], [])
        if row["document"] not in documents:
            documents.append(row["document"])
    # one document per jurisdiction is said once, above the table; several are told apart row by row
    several = any(len(documents) > 1 for documents in cited.values())
    columns = [*EXPLAIN_COLUMNS[:-2], "document", *EXPLAIN_COLUMNS[-2:]] if several else EXPLAIN_COLUMNS
    sources = "; ".join(f"{jurisdiction}: {', '.join(documents)}" for jurisdiction, documents in cited.items())
    emit(
        fmt,
        rows,
        columns=columns,
        title=f"Community {community_id} as of {results.as_of.isoformat()}",
        notes=[*judged_notes(results), *([f"documents: {sources}"] if sources else []), *reform_notes(ctx)],
    )


#: The commands this module adds to ``shequ``.
COMMANDS: list[click.Command] = [evaluate, compare, explain]
