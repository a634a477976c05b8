"""The `shequ` command line: thin click commands over the Python API.

Every listing command takes ``--format table|json|csv|markdown`` and writes
through :mod:`shequ.output`. Bad input (data, plugin TOML, usage) prints every
problem to stderr and exits 2; ``--fail-on-violation`` makes a failing
evaluation exit 1. Plugins and Polars load only inside the commands that need
them, so ``shequ --help`` stays instant.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..errors import ProblemsError, ShequError
from ..payloads import rule_rows, standard_payload
from .authoring import COMMANDS as AUTHORING_COMMANDS
from .common import (
    EXIT_VIOLATION,
    as_of_option,
    data_options,
    emit,
    format_option,
    handle_errors,
    jurisdiction_option,
    reform_notes,
    registry_from,
)
from .views import COMMANDS as VIEW_COMMANDS
from .views import emit_whatif


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shequ")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="ID.RULE.FIELD=VALUE",
    help="What-if: change one value of a standard for this run (repeatable).",
)
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="What-if: a TOML file of changes to apply for this run (repeatable).",
)
@click.pass_context
def main(ctx: click.Context, assignments: tuple[str, ...], overlays: tuple[Path, ...]) -> None:
    """shequ (社区): Chinese community-construction standards as citable, comparable code.

    \b
    Try:
      shequ plugins                      installed jurisdictions
      shequ rules -j changchun           the encoded rules with their sources
      shequ compare examples/communities.csv
      shequ explain examples/communities.csv C01 -j donghai
    """
    ctx.obj = {"set": assignments, "overlay": overlays}


# --------------------------------------------------------------------------
# Standards


@main.command()
@format_option
@click.option("--coverage", is_flag=True, help="Also report, per plugin, provisions encoded and numbers accounted for.")
@click.pass_context
@handle_errors
def plugins(ctx: click.Context, fmt: str, coverage: bool) -> None:
    """Installed jurisdictions: id, name, documents, counts, where loaded from."""
    registry = registry_from(ctx)
    plugins_by_name = {p.name: p for p in registry.plugins}
    rows = []
    for loaded in registry.select():
        standard = loaded.standard
        info = plugins_by_name.get(loaded.plugin)
        row = {
            "id": standard.id,
            "name": standard.jurisdiction.name,
            "name_en": standard.jurisdiction.name_en,
            "level": standard.jurisdiction.level,
            "documents": [d.number or d.title for d in standard.documents],
            "rules": len(standard.rules),
            "tasks": len(standard.tasks),
            "milestones": len(standard.milestones),
            "obligations": len(standard.obligations),
            "plugin": loaded.plugin,
            "package": f"{info.distribution} {info.version}" if info and info.distribution else None,
            "location": str(loaded.path) if loaded.path else (info.location if info else None),
        }
        if coverage:
            from ..checks.audit import number_coverage

            summary = number_coverage(loaded).summary()
            row.update(
                {k: summary[k] for k in ("numbers", "numbers_encoded", "numbers_unencoded", "numbers_unaccounted")}
            )
            row["unencoded"] = len(standard.unencoded)
        rows.append(row)
    columns = None if fmt == "json" else [c for c in rows[0] if c not in ("location", "name_en")] if rows else None
    emit(fmt, rows, columns=columns, title="Installed jurisdictions", notes=reform_notes(ctx))


@main.command()
@jurisdiction_option
@format_option
@click.pass_context
@handle_errors
def rules(ctx: click.Context, jurisdictions: tuple[str, ...], fmt: str) -> None:
    """The encoded rules with requirement, due date and citation."""
    registry = registry_from(ctx)
    rows = rule_rows(registry, jurisdictions)
    columns = (
        None
        if fmt in ("json", "csv")
        else ["jurisdiction", "rule", "title", "metric", "applies_to", "requirement", "due", "clause"]
    )
    emit(fmt, rows, columns=columns, title="Rules", notes=reform_notes(ctx))


@main.command()
@click.argument("jurisdiction_id", metavar="ID")
@format_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, jurisdiction_id: str, fmt: str) -> None:
    """One jurisdiction's whole normalised standard."""
    registry = registry_from(ctx)
    loaded = registry.get(jurisdiction_id)
    payload = standard_payload(registry, loaded)
    if fmt == "json":
        emit(fmt, [], payload=payload)
        return
    standard = loaded.standard
    j = standard.jurisdiction
    notes = [f"{j.id}: {j.name}" + (f" ({j.name_en})" if j.name_en else "") + (f", {j.level}" if j.level else "")]
    notes += [f"copy note: {note}" for note in j.copy_notes] + reform_notes(ctx)
    sections = [
        (
            "Documents",
            [
                {
                    "id": d.id,
                    "number": d.number,
                    "title": d.title,
                    "issuer": d.issuer,
                    "date": d.date,
                    "status": d.status,
                    "notes": list(d.notes),
                }
                for d in standard.documents
            ],
        ),
        ("Rules", rule_rows(registry, [loaded.id])),
        (
            "Tasks",
            [
                {
                    "task": t.id,
                    "title": t.title,
                    "lead": list(t.lead),
                    "responsible": list(t.responsible),
                    "guiding": list(t.guiding),
                    "cooperating": list(t.cooperating),
                    "due": t.due,
                    "rules": list(t.rules),
                    "clause": t.source.clause,
                }
                for t in standard.tasks
            ],
        ),
        (
            "Milestones",
            [
                {
                    "milestone": m.id,
                    "date": m.date,
                    "title": m.title,
                    "responsible": list(m.responsible),
                    "clause": m.source.clause,
                    "notes": m.notes,
                }
                for m in standard.milestones
            ],
        ),
        (
            "Obligations",
            [
                {
                    "obligation": o.id,
                    "title": o.title,
                    "kind": o.kind,
                    "amount_yuan": o.amount_yuan,
                    "basis": o.basis,
                    "per": o.per,
                    "payer": list(o.payer),
                    "clause": o.source.clause,
                }
                for o in standard.obligations
            ],
        ),
    ]
    for index, (title, rows) in enumerate(sections):
        if fmt == "csv":
            click.echo(f"# {title}")
        emit(fmt, rows, title=title, notes=notes if index == 0 else ())


# --------------------------------------------------------------------------
# Evaluation


def _load_data(path: str, facilities: str | None):
    from ..io import load_communities

    return load_communities(path, facilities=facilities)


def _evaluate(
    ctx: click.Context, data: str, facilities: str | None, jurisdictions: Sequence[str], as_of: dt.datetime | None
):
    from ..engine import evaluate

    registry = registry_from(ctx)
    table = _load_data(data, facilities)
    return evaluate(table, list(jurisdictions) or None, as_of.date() if as_of else None, registry=registry)


def fail_option(command: Callable) -> Callable:
    return click.option("--fail-on-violation", is_flag=True, help="Exit with code 1 when any community fails a rule.")(
        command
    )


def _exit_on_violation(results, enabled: bool) -> None:
    if enabled and results.has_failures():
        sys.exit(EXIT_VIOLATION)


@main.command()
@data_options
@jurisdiction_option
@as_of_option
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice(["pass", "fail", "not_applicable", "not_due", "unknown"]),
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
    """Verdicts per community × jurisdiction × rule."""
    results = _evaluate(ctx, data, facilities, jurisdictions, as_of)
    details = results.details(verdicts=list(verdicts) or None)
    rows = details.to_dicts()
    notes = [
        f"as of {results.as_of.isoformat()}: {len(results)} communities × {len(results.jurisdictions)} jurisdictions",
        *reform_notes(ctx),
    ]
    if fmt == "json":
        payload = {
            "as_of": results.as_of,
            "communities": len(results),
            "reforms": reform_notes(ctx),
            "results": rows,
            "aggregates": results.aggregate_details().to_dicts(),
        }
        emit(fmt, rows, payload=payload)
    else:
        columns = (
            None
            if fmt == "csv"
            else ["id", "jurisdiction", "rule", "verdict", "value", "required", "shortfall", "unit", "due", "clause"]
        )
        emit(fmt, rows, columns=columns, title="Verdicts", notes=notes)
        aggregates = results.aggregate_details().to_dicts()
        if aggregates and fmt != "csv":
            emit(
                fmt,
                aggregates,
                title="Rules over sets of communities (per jurisdiction and district)",
                columns=[
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
                ],
            )
    _exit_on_violation(results, fail_on_violation)


@main.command()
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
    """Communities × jurisdictions: passes, fails, unknowns and compliance share."""
    if baseline:
        emit_whatif(ctx, data, facilities, jurisdictions, as_of, fmt, show_all=True)
        return
    results = _evaluate(ctx, data, facilities, jurisdictions, as_of)
    summary = results.summary()
    notes = [
        f"as of {results.as_of.isoformat()}; cell = pass/fail/unknown (compliance = pass ÷ judged)",
        *reform_notes(ctx),
    ]
    if fmt in ("json", "csv"):
        rows = summary.to_dicts()
        payload = (
            {
                "as_of": results.as_of,
                "reforms": reform_notes(ctx),
                "summary": rows,
                "totals": results.totals().to_dicts(),
            }
            if fmt == "json"
            else None
        )
        emit(fmt, rows, payload=payload)
    else:
        emit(fmt, results.matrix().to_dicts(), title="Compliance by community and jurisdiction", notes=notes)
        emit(fmt, results.totals().to_dicts(), title="Totals by jurisdiction")
    _exit_on_violation(results, fail_on_violation)


@main.command()
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
    """Every rule for one community: value, requirement, verdict, clause and source text."""
    from ..catalog import Catalog

    results = _evaluate(ctx, data, facilities, jurisdictions, as_of)
    ids = results.community_ids
    if community_id not in ids:
        raise ShequError(f"{data}: no community with id '{community_id}'{Catalog.suggest(community_id, ids)}")
    rows = results.details(ids=[community_id]).to_dicts()
    if fmt == "json":
        emit(
            fmt,
            rows,
            payload={"community": community_id, "as_of": results.as_of, "reforms": reform_notes(ctx), "results": rows},
        )
        return
    columns = ["jurisdiction", "rule", "title", "verdict", "value", "required", "shortfall", "unit", "clause", "quote"]
    emit(
        fmt,
        rows,
        columns=columns,
        title=f"Community {community_id} as of {results.as_of.isoformat()}",
        notes=reform_notes(ctx),
    )


# --------------------------------------------------------------------------
# Authoring


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@handle_errors
def validate(paths: tuple[Path, ...], fmt: str) -> None:
    """Check plugin TOML without installing it: schema, ids, quotes, numbers, overlaps."""
    from ..checks.validate import validate_path

    problems = []
    for path in paths:
        try:
            problems += validate_path(path)
        except ProblemsError as exc:
            problems += exc.problems
    if problems:
        raise ProblemsError(problems)
    emit(fmt, [{"path": str(p), "valid": True} for p in paths], title="Valid")


for _command in (*VIEW_COMMANDS, *AUTHORING_COMMANDS):
    main.add_command(_command)
