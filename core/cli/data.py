"""Commands that judge community data: evaluate, compare, explain.

Each loads the data, evaluates it with :func:`shequ.engine.evaluate` under the
selected (possibly reformed) standards, and renders the verdicts; the JSON
payloads come from :mod:`shequ.payloads`. Every output states the date it was
judged on (and the strengths, when ``--strength`` keeps only some).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from typing import TYPE_CHECKING, Any

import click

from ..vocabulary import VERDICTS
from .common import (
    as_of_option,
    capturing,
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
    streams_output,
    strength_option,
)
from .progress import stage

if TYPE_CHECKING:
    import polars as pl

    from ..engine import Results

#: Rows a terminal table shows at most when stdout is not a terminal (on a terminal: a screenful).
TABLE_ROWS = 10_000

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


#: The suffixes of ``-o FILE`` that evaluate and compare write in batches themselves
#: (:data:`shequ.engine.export.EXTENSIONS`, named here so that ``--help`` loads no Polars).
STREAMED = (".parquet", ".csv", ".jsonl", ".ndjson")


def judge(ctx: click.Context, data: str | None, *args: Any) -> Results:
    """:func:`evaluate_data` with a progress display on stderr for a long load and evaluation."""
    with stage(f"Loading and judging {data}"):
        return evaluate_data(ctx, data, *args)


def table_limit() -> int:
    """How many rows a terminal table shows: a screenful on a terminal, else :data:`TABLE_ROWS`."""
    if sys.stdout.isatty():
        import shutil  # here, not at import: shequ --help stays quick

        return max(20, shutil.get_terminal_size().lines - 12)
    return TABLE_ROWS


def emit_frame(fmt: str, frame: pl.DataFrame, total: int | None = None, **kwargs: Any) -> None:
    """Print a frame: CSV straight from Polars; a table cut to :func:`table_limit` rows, saying what it left out.

    ``total``: how many rows there are when ``frame`` holds only the first of them (a table's).
    """
    if fmt == "csv" and not capturing():  # with -o FILE the text goes through emit, into the file
        from ..engine.export import write_csv_text

        sys.stdout.flush()  # anything echoed before goes first
        write_csv_text(frame, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    limit = table_limit() if fmt == "table" else None
    shown = frame if limit is None else frame.head(limit)
    emit(fmt, shown.to_dicts(), **kwargs)
    total = frame.height if total is None else total
    if shown.height < total:
        click.echo(f"… {total - shown.height:,} more rows; use --format csv or --output FILE")


def first_details(results: Results, verdicts: list[str] | None, limit: int) -> tuple[pl.DataFrame, int]:
    """The first ``limit`` verdict rows (in :meth:`Results.details`' order) and how many there are in all.

    Expands only as many communities as the table shows, never a million communities' rows.
    """
    import polars as pl

    rules = [rule.key for rule in results.rules]
    if verdicts is None:
        total = len(results) * len(rules)
    elif rules:
        codes = [VERDICTS.index(verdict) for verdict in verdicts]
        count = pl.sum_horizontal(pl.col(key).is_in(codes).cast(pl.Int64) for key in rules).sum()
        total = int(results.codes.select(count).item())
    else:
        total = 0
    ids = results.community_ids
    take = limit // max(1, len(rules)) + 1
    while True:
        rows = results.details(ids=ids[:take], verdicts=verdicts)
        if rows.height >= limit or take >= len(ids):
            return rows.head(limit), total
        take *= 4


def wrote(paths: list[Any], rows: str) -> None:
    """Say what ``--output`` wrote (on stdout: the result went to the file)."""
    first, *others = paths
    also = f" (beside it: {', '.join(str(p) for p in others)})" if others else ""
    click.echo(f"wrote {rows} to {first}{also}")


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
@streams_output(*STREAMED)
@click.option(
    "--compact",
    is_flag=True,
    help="With --output: leave the rules' text (title, clause, quote, unit…) out of the verdict rows "
    "and write it once per rule to FILE's rules table beside it (r.parquet → r.rules.parquet).",
)
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
    output: str | None,
    compact: bool,
) -> None:
    """Verdicts per community × jurisdiction × rule.

    A guidance or permissive rule that is not met ``departs`` (never a fail);
    before its document takes effect, or once a later version supersedes it,
    a rule is ``not_in_force``.

    \b
    With ``--output FILE`` every verdict row goes to FILE, ordered by jurisdiction,
    rule, then community (input order); rules over sets of communities go beside
    it (r.parquet → r.aggregates.parquet).

    \b
    Examples:
      shequ evaluate examples/communities.csv -j changchun --verdict fail
      shequ evaluate examples/communities.csv -j changchun --inherit --as-of 2026-06-01
      shequ evaluate --community households=1500,kind=urban,service_space_m2=420 -j donghai
      shequ evaluate big.parquet --output verdicts.parquet --compact
    """
    from ..payloads import evaluate_payload

    if compact and output is None:
        raise click.UsageError("--compact applies to --output FILE")
    if output is not None:
        from ..engine.export import output_format, write_results

        output_format(output)  # an unknown extension fails before the work
        results = judge(ctx, data, facilities, jurisdictions, as_of, strengths, inherit)
        with stage(f"Writing {output}", total=len(results.rules)) as advance:
            paths = write_results(results, output, verdicts=list(verdicts) or None, compact=compact, progress=advance)
        wrote(paths, f"the verdicts of {len(results):,} communities × {len(results.rules)} rules")
        exit_on_violation(results, fail_on_violation)
        return
    results = judge(ctx, data, facilities, jurisdictions, as_of, strengths, inherit)
    if fmt == "json":  # every verdict row, rendered and written a part at a time
        payload = evaluate_payload(results, verdicts, reform_notes(ctx), rows=False)
        emit(fmt, [], payload=payload, frames={"results": results.detail_batches(list(verdicts) or None)})
        exit_on_violation(results, fail_on_violation)
        return
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
    if fmt == "table":  # only the rows the table shows are expanded
        details, total = first_details(results, list(verdicts) or None, table_limit())
        emit_frame(fmt, details, total=total, columns=columns, title="Verdicts", notes=notes)
    elif fmt == "csv" and not capturing():  # a part of the rows at a time (a million communities: 149 M rows)
        from ..engine.export import write_csv_text

        sys.stdout.flush()
        parts = results.detail_batches(list(verdicts) or None)
        for index, part in enumerate(itertools.chain(parts, [results.details(ids=[])])):
            write_csv_text(part, sys.stdout.buffer, header=index == 0)
        sys.stdout.buffer.flush()
    else:
        details = results.details(verdicts=list(verdicts) or None)
        emit_frame(fmt, details, columns=columns, title="Verdicts", notes=notes)
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
@streams_output(*STREAMED)
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
    output: str | None,
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
        if output is not None:
            raise click.UsageError("--output does not apply with --baseline")
        from .views import emit_whatif  # here: `shequ compare` imports the views' commands only for --baseline

        emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all=True, strengths=strengths)
        return
    from ..payloads import compare_payload, compare_totals_rows

    if output is not None:
        from ..engine.export import output_format, write_frame

        output_format(output)  # an unknown extension fails before the work
    results = judge(ctx, data, facilities, jurisdictions, as_of, strengths)
    if output is not None:
        with stage(f"Writing {output}"):
            summary = results.summary()
            path = write_frame(summary, output)
        wrote([path], f"{summary.height:,} rows (communities × jurisdictions)")
    elif fmt == "json":
        summary = results.summary()
        payload = compare_payload(results, reform_notes(ctx), rows=False)
        emit(fmt, [], payload=payload, frames={"summary": summary})
    elif fmt == "csv":
        emit_frame(fmt, results.summary())
    else:
        notes = [
            *judged_notes(results),
            "cell = binding pass/fail/unknown (compliance = binding pass ÷ judged; unknown ÷ applicable; departures "
            "from guidance and permissions); a rule restating another counts once",
            *reform_notes(ctx),
        ]
        emit_frame(fmt, results.matrix(), title="Compliance by community and jurisdiction", notes=notes)
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
    from ..errors import ShequError
    from ..payloads import explain_payload
    from ..suggest import did_you_mean

    if given_communities(ctx) and community_id is None:
        data, community_id = None, data  # explain --community … [COMMUNITY_ID]: the one argument is the id
    elif community_id is None and data is not None:
        raise click.UsageError("Missing argument 'COMMUNITY_ID'.")
    results = judge(ctx, data, facilities, jurisdictions, as_of, strengths)
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
