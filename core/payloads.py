"""What shequ's commands print, as plain data: the rows of each table and the payload of each ``--format json``.

These live in the library, not the CLI: the conformance kit snapshots exactly
what ``show`` prints, and a program gets the same JSON as ``shequ … --format
json`` by calling the library and then one of these. Each function takes what
the library computed (a registry, :class:`~shequ.engine.Results`, a view's
frames) and returns dicts and lists; rendering them is :mod:`shequ.output`'s
job. Importing this module loads no Polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .forms.words import share_words
from .model import due_words
from .registry import LoadedStandard, Registry

if TYPE_CHECKING:
    import polars as pl

    from .engine import Results
    from .views import CostReport, WhatIfReport


def rule_rows(registry: Registry, jurisdictions: Sequence[str], as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every rule of the selected jurisdictions with requirement, due date and citation (with ``as_of``: only
    the rules whose document is in force that day)."""
    from .forms import applies_text, words
    from .views.versions import in_force_standard

    rows = []
    for loaded in registry.select(jurisdictions):
        if as_of is not None:
            loaded = in_force_standard(loaded, as_of)
        for rule in loaded.standard.rules:
            unit = registry.catalog.metric(rule.metric).unit
            document = loaded.standard.document(rule.source.document)
            rows.append(
                {
                    "jurisdiction": loaded.id,
                    "rule": rule.id,
                    "title": rule.title,
                    "metric": rule.metric,
                    "applies_to": applies_text(rule.applies_to),
                    "requirement": words(
                        rule.requirement, unit, lambda m: registry.catalog.metric(m).unit, tolerance=rule.tolerance
                    ),
                    "due": rule.due if rule.due is None or isinstance(rule.due, dt.date) else due_words(rule.due),
                    "strength": rule.strength,
                    "document": document.number or document.title,  # never an internal id
                    "clause": rule.source.clause,
                    "quote": rule.source.text,
                }
            )
    return rows


def standard_payload(registry: Registry, loaded: LoadedStandard) -> dict[str, Any]:
    """The whole normalised standard of one jurisdiction as plain data."""
    from .convert import unstructure
    from .forms import applies_text, stages, words

    data = unstructure(loaded.standard)
    for rule, rule_data in zip(loaded.standard.rules, data["rules"], strict=False):
        unit = registry.catalog.metric(rule.metric).unit
        rule_data["unit"] = unit
        rule_data["requirement_text"] = words(rule.requirement, unit, lambda m: registry.catalog.metric(m).unit)
        rule_data["applies_to_text"] = applies_text(rule.applies_to)
        rule_data["stages"] = [
            {"due": stage.due.isoformat(), "requirement": unstructure(stage.requirement)}
            for stage in stages(rule.requirement)
        ]
    added = added_metrics(registry, loaded)
    if added:
        data["added_metrics"] = added
    data["plugin"] = loaded.plugin
    return data


def added_metrics(registry: Registry, loaded: LoadedStandard) -> list[dict[str, Any]]:
    """The metrics a standard's plugin adds outside the standard's own ``[catalog]``: by its hooks.

    Each with its unit, family and formula: a declarative one in words, a Python
    one (``register_metrics``) as the source of its ``compute``, so a changed
    formula shows in the standard's snapshot like a changed rule.
    """
    import inspect

    from .catalog.listing import metric_family

    own = {metric.id for metric in loaded.standard.catalog.metrics}
    rows = []
    for metric_id, definition in sorted(registry.catalog.metrics.items()):
        if metric_id in own or loaded.plugin not in registry.catalog.added_by.get(("metrics", metric_id), ()):
            continue
        formula = definition.formula
        if definition.compute is not None:
            try:
                formula = inspect.getsource(definition.compute).strip()  # type: ignore[arg-type]
            except (OSError, TypeError):
                formula = getattr(definition.compute, "__qualname__", repr(definition.compute))
        rows.append(
            {
                "id": metric_id,
                "zh": definition.zh,
                "unit": definition.unit,
                "family": metric_family(registry.catalog, metric_id),
                "column": definition.column,
                "formula": formula,
            }
        )
    return rows


# --------------------------------------------------------------------------
# Standards: `shequ plugins`, `shequ show`


def catalog_payload(registry: Registry, section: str | None = None) -> list[dict[str, Any]]:
    """``shequ catalog [SECTION] --format json``: one section's entries, or (no section) the summary of every section.

    Each entry has its id, names, aliases, the jurisdictions that use it (empty: any may) and its
    origin (``core`` or the plugin that added it); a metric also its unit, family, column, formula
    and concept. Raises :class:`~shequ.errors.ShequError` with a hint for an unknown section.
    """
    from .catalog.listing import catalog_rows, catalog_summary

    if section is None:
        return catalog_summary(registry.catalog)
    return catalog_rows(registry.catalog, section)


def catalog_summary_rows(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary of :func:`catalog_payload` as table rows: counts by origin in one cell ("core 64; longgang 9")."""
    return [
        {**row, "by_origin": "; ".join(f"{origin} {count}" for origin, count in row["by_origin"].items())}
        for row in summary
    ]


def plugin_rows(registry: Registry, coverage: bool = False) -> list[dict[str, Any]]:
    """One row per installed jurisdiction: id, name, documents, counts, where it was loaded from.

    :param coverage: also count, per standard, the document's numbers encoded (used by a value of
        the provision quoting them), listed as unencoded and accounted for by nobody, and of those
        the ones that stand in a quote all the same (:func:`shequ.checks.audit.number_coverage`).
    """
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
            from .checks.audit import number_coverage

            summary = number_coverage(loaded).summary()
            row.update(
                {
                    k: summary[k]
                    for k in (
                        "numbers",
                        "numbers_in_chinese_numerals",
                        "numbers_encoded",
                        "numbers_unencoded",
                        "numbers_unaccounted",
                        "numbers_quoted_only",
                    )
                }
            )
            row["unencoded"] = len(standard.unencoded)
        rows.append(row)
    return rows


def standard_sections(registry: Registry, loaded: LoadedStandard) -> list[tuple[str, list[dict[str, Any]]]]:
    """One standard as titled tables of rows: documents, rules, tasks, milestones, obligations."""
    standard = loaded.standard
    versioned = any(d.effective or d.superseded_on for d in standard.documents)
    documents = [
        {
            "id": d.id,
            "number": d.number,
            "title": d.title,
            "issuer": d.issuer,
            "date": d.date,
            "status": d.status,
            # versions: when each is in force, shown where a standard dates any
            **(
                {"effective": d.in_force_from, "superseded_on": d.superseded_on, "superseded_by": d.superseded_by}
                if versioned
                else {}
            ),
            "notes": list(d.notes),
        }
        for d in standard.documents
    ]
    tasks = [
        {
            "task": t.id,
            "title": t.title,
            "lead": list(t.lead),
            "responsible": list(t.responsible),
            "guiding": list(t.guiding),
            "cooperating": list(t.cooperating),
            "receiving": list(t.receiving),
            "approving": list(t.approving),
            "due": t.due if t.due is None or isinstance(t.due, dt.date) else due_words(t.due),
            "rules": list(t.rules),
            "clause": t.source.clause,
        }
        for t in standard.tasks
    ]
    milestones = [
        {
            "milestone": m.id,
            "date": m.date,
            "title": m.title,
            "responsible": list(m.responsible),
            "clause": m.source.clause,
            "notes": m.notes,
        }
        for m in standard.milestones
    ]
    obligations = [
        {
            "obligation": o.id,
            "title": o.title,
            "kind": o.kind,
            "amount_yuan": o.amount_yuan,
            "share": share_words(o.share) if o.share else None,
            "basis": o.basis,
            "per": o.per,
            "payer": list(o.payer),
            "clause": o.source.clause,
        }
        for o in standard.obligations
    ]
    return [
        ("Documents", documents),
        ("Rules", rule_rows(registry, [loaded.id])),
        ("Tasks", tasks),
        ("Milestones", milestones),
        ("Obligations", obligations),
    ]


def standard_notes(loaded: LoadedStandard) -> list[str]:
    """The header of a standard: id, name (and English name, level), then its copy notes."""
    j = loaded.standard.jurisdiction
    heading = f"{j.id}: {j.name}" + (f" ({j.name_en})" if j.name_en else "") + (f", {j.level}" if j.level else "")
    heading += (f"; parent {j.parent}" if j.parent else "") + (
        f"; superior named in the text: {j.superior}" if j.superior else ""
    )
    return [heading, *(f"copy note: {note}" for note in j.copy_notes)]


# --------------------------------------------------------------------------
# Data: `shequ evaluate`, `shequ compare`, `shequ explain`
#
# ``reforms`` is the list of what-if changes in force (``what-if: …`` lines), empty without any.


#: How `compare` counts, stated in its JSON beside the figures.
COMPARE_READING = {
    "counts": "provisions: rules that restate one another (restates) count once",
    "covered": "some rule in force applies to the community (or may: unknown)",
    "applicable": "pass + fail + departs + unknown: in force, due, and applying or perhaps applying",
    "judged": "binding provisions (mandatory, target) with pass or fail",
    "compliance": "binding passes ÷ judged; null when nothing is judged",
    "unknown_share": "unknown ÷ applicable",
    "departs": "guidance or permissive provisions not met: recorded, never a violation",
    "mean_compliance": "mean of compliance over the mean_compliance_of communities with something judged",
}


def evaluate_payload(
    results: Results, verdicts: Sequence[str] = (), reforms: Sequence[str] = (), *, rows: bool = True
) -> dict[str, Any]:
    """Every verdict (only ``verdicts`` when given) and every rule over a set of communities.

    ``rows=False``: ``results`` is left empty, for a writer that renders :meth:`Results.details`
    itself a part at a time (:meth:`Results.detail_batches`, :func:`shequ.output.json_chunks`).
    """
    return {
        "as_of": results.as_of,
        "strengths": list(results.strengths),
        "communities": len(results),
        "reforms": list(reforms),
        "results": results.details(verdicts=list(verdicts) or None).to_dicts() if rows else [],
        "aggregates": results.aggregate_details().to_dicts(),
    }


def compare_payload(results: Results, reforms: Sequence[str] = (), *, rows: bool = True) -> dict[str, Any]:
    """Per community × jurisdiction counts, coverage and compliance, and the totals per jurisdiction.

    ``rows=False``: ``summary`` is left empty, for a writer that renders :meth:`Results.summary`
    itself a batch at a time (:func:`shequ.output.json_chunks`).
    """
    return {
        "as_of": results.as_of,
        "strengths": list(results.strengths),
        "reforms": list(reforms),
        "reading": COMPARE_READING,
        "summary": results.summary().to_dicts() if rows else [],
        "totals": results.totals().to_dicts(),
    }


def compare_totals_rows(results: Results) -> list[dict[str, Any]]:
    """The totals for reading: communities covered of those in the data, compliance with what it is over."""
    rows = []
    for row in results.totals().to_dicts():
        mean, share = row["mean_compliance"], row["unknown_share"]
        rows.append(
            {
                "jurisdiction": row["jurisdiction"],
                "covered": f"{row['covered']} of {row['communities']}",
                "pass": row["pass"],
                "fail": row["fail"],
                "departs": row["departs"],
                "unknown": row["unknown"],
                "not_due": row["not_due"],
                "not_in_force": row["not_in_force"],
                "judged": row["judged"],
                "fully_compliant": row["fully_compliant"],
                "mean_compliance": "—"
                if mean is None
                else f"{round(mean * 100)}% over {row['mean_compliance_of']} communities",
                "unknown_share": "—" if share is None else f"{round(share * 100)}%",
            }
        )
    return rows


def explain_payload(results: Results, community_id: str, reforms: Sequence[str] = ()) -> dict[str, Any]:
    """Every rule's verdict for one community, with value, requirement, clause and quote."""
    return {
        "community": community_id,
        "as_of": results.as_of,
        "strengths": list(results.strengths),
        "reforms": list(reforms),
        "results": results.details(ids=[community_id]).to_dicts(),
    }


# --------------------------------------------------------------------------
# Views: `shequ standards`, `diff`, `responsibilities`, `timeline`, `cost`, `whatif`


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    from .views import records  # loaded already: the frame is a view's

    return records(frame)


def standards_payload(
    table: pl.DataFrame,
    rules: pl.DataFrame,
    *,
    as_of: dt.date,
    kind: str,
    households: Sequence[int],
    population: int | None,
    persons_per_household: float | None,
    notes: Sequence[str],
    reforms: Sequence[str] = (),
    strengths: Sequence[str] = (),
) -> dict[str, Any]:
    """The side-by-side cells (one per concept × size × jurisdiction) and every rule behind them."""
    return {
        "as_of": as_of,
        "strengths": list(strengths),
        "kind": kind,
        "households": list(households),
        "population": population,
        "persons_per_household": persons_per_household,
        "notes": list(notes),
        "reforms": list(reforms),
        "cells": _records(table),
        "rules": _records(rules),
    }


def diff_payload(
    differences: list[dict[str, Any]],
    a: str,
    b: str,
    kind: str,
    as_of: dt.date,
    reforms: Sequence[str] = (),
    strengths: Sequence[str] = (),
) -> dict[str, Any]:
    """The differences between two jurisdictions (``differences``: the rows of :func:`shequ.views.diff`)."""
    return {
        "a": a,
        "b": b,
        "kind": kind,
        "as_of": as_of,
        "strengths": list(strengths),
        "reforms": list(reforms),
        "differences": differences,
    }


def diff_rows(differences: list[dict[str, Any]], a: str, b: str) -> list[dict[str, Any]]:
    """The differences for reading: one column per jurisdiction, the status in words (``donghai stricter``).

    ``concept`` names the concept, and the metric in brackets where the row is one metric of a wider concept.
    """
    statuses = {
        "a_stricter": f"{a} stricter",
        "b_stricter": f"{b} stricter",
        "only_a": f"only {a}",
        "only_b": f"only {b}",
        "different_metric": "different metrics",
        "not_in_force": "not in force",
    }
    return [
        {
            "concept": r["concept"] if r["metric"] == r["concept"] else f"{r['concept']} ({r['metric']})",
            "scope": r["qualifier"],
            "aspect": r["aspect"],
            a: (r["a_text"] if r["aspect"] or r["qualifier"] else r["a_requirement"]) or "—",
            b: (r["b_text"] if r["aspect"] or r["qualifier"] else r["b_requirement"]) or "—",
            "status": statuses.get(r["status"], r["status"]),
            "summary": r["summary"],
        }
        for r in differences
    ]


def responsibilities_payload(
    registry: Registry,
    assignments: pl.DataFrame,
    matrix: list[dict[str, Any]],
    department: str | None,
    roles: Sequence[str],
    reforms: Sequence[str] = (),
    as_of: dt.date | None = None,
    strengths: Sequence[str] = (),
    not_yet_issued: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Who does what: every (task, department, role) assignment in force and the matrix built from them."""
    definition = registry.catalog.departments.get(department) if department else None
    return {
        "as_of": as_of,
        "strengths": list(strengths),
        "not_yet_issued": list(not_yet_issued),
        "department": department,
        "department_zh": definition.zh if definition else None,
        "roles": list(roles),
        "reforms": list(reforms),
        "assignments": _records(assignments),
        "matrix": matrix,
    }


def timeline_payload(
    events: list[dict[str, Any]],
    as_of: dt.date,
    data: str | None,
    reforms: Sequence[str] = (),
    strengths: Sequence[str] = (),
) -> dict[str, Any]:
    """Milestones and deadlines in date order (``events``: the rows of :func:`shequ.views.timeline`)."""
    return {"as_of": as_of, "strengths": list(strengths), "data": data, "reforms": list(reforms), "events": events}


def cost_payload(report: CostReport, data: str, reforms: Sequence[str] = ()) -> dict[str, Any]:
    """The money each standard commits as of ``report.as_of``: per jurisdiction, obligation, community, item."""
    return {
        "as_of": report.as_of,
        "data": data,
        "reforms": list(reforms),
        "summary": _records(report.summary),
        "totals": _records(report.totals),
        "by_community": _records(report.by_community),
        "items": _records(report.items),
    }


def whatif_payload(
    report: WhatIfReport, summary: pl.DataFrame, reforms: Sequence[str] = (), strengths: Sequence[str] = ()
) -> dict[str, Any]:
    """Baseline against reformed: the rules changed, the communities (``summary``) and verdicts that change."""
    return {
        "as_of": report.as_of,
        "strengths": list(strengths),
        "reforms": list(reforms),
        "jurisdictions": report.jurisdictions,
        "rules": _records(report.rules),
        "summary": _records(summary),
        "changes": _records(report.changes),
        "aggregate_changes": _records(report.aggregate_changes),
    }


def sweep_payload(
    frame: pl.DataFrame,
    path: str,
    as_of: dt.date,
    half_failing: float | None,
    reforms: Sequence[str] = (),
    strengths: Sequence[str] = (),
) -> dict[str, Any]:
    """A what-if sweep: one row per value of ``path`` (:func:`shequ.views.whatif.sweep`) and where half fail."""
    return {
        "as_of": as_of,
        "strengths": list(strengths),
        "reforms": list(reforms),
        "path": path,
        "half_failing_from": half_failing,
        "sweep": _records(frame),
    }


def whatif_rows(summary: pl.DataFrame) -> list[dict[str, Any]]:
    """The what-if summary for reading: ``pass/fail/unknown (compliance %)`` before and after."""
    return [
        {
            **{k: row.get(k) for k in ("id", "name", "jurisdiction")},
            "baseline": _tally(row, "baseline"),
            "reformed": _tally(row, "reformed"),
            "changed": row["changed"],
        }
        for row in summary.to_dicts()
    ]


def _tally(row: dict[str, Any], side: str) -> str:
    if row.get(f"pass_{side}") is None:
        return "—"
    text = f"{row[f'pass_{side}']}/{row[f'fail_{side}']}/{row[f'unknown_{side}']}"
    compliance = row.get(f"compliance_{side}")
    return text + (f" ({round(compliance * 100)}%)" if compliance is not None else "")
