"""Milestones and deadlines in date order, with a status as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from .. import engine, forms
from ..engine import VERDICTS
from ..engine.results import community_frame
from ..model import Due, Recurring, next_occurrence
from ..model.deadlines import latest_occurrence
from ..registry import LoadedStandard, Registry
from .common import _as_of, _Keys, issued, source_document, strength_filter, successor_of

TIMELINE_COLUMNS = [
    "date",
    "jurisdiction",
    "kind",
    "id",
    "title",
    "departments",
    "status",
    "days",
    "passed",
    "failed",
    "unknown",
    "clause",
]


TIMELINE_STATUSES = (
    "upcoming",
    "due",
    "past",
    "done",
    "overdue",
    "open",
    "departs",
    "superseded",
    "not_applicable",
    "not_in_force",
)


_KIND_ORDER = {"document": 0, "superseded": 0, "in_force": 0, "milestone": 1, "task": 2, "rule": 3, "stage": 4}


def timeline(
    registry: Registry,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    communities: Any = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Documents, milestones and deadlines (rules, stages of staged rules, tasks) in date order.

    ``status`` as of ``as_of`` (default today), from the dates alone:
    ``upcoming`` (the date is after as-of), ``due`` (it is the as-of date),
    ``past`` (before as-of); ``not_in_force`` for the milestones, rules, stages
    and tasks of a document not yet issued on as-of (the document itself is
    ``upcoming``). With ``communities``, rule and stage deadlines on or before
    as-of are judged on the data instead: ``done`` (every covered community
    passes; for a rule over a set of communities, the set passes),
    ``overdue`` (at least one fails), ``open`` (none fails but some are
    unknown), ``departs`` (none fails or is unknown, but a guidance or
    permissive provision is not met), ``not_applicable`` (no community is
    covered); an earlier stage replaced by a later one in force is
    ``superseded``; a task with linked rules takes the worst status of those
    rules (overdue > open > departs > done). ``days`` is the date minus as-of.

    ``strengths``: only rules (and their stages) of these strengths, and only
    tasks linked to such a rule; documents and milestones carry no strength and stay.

    A recurring deadline (``due = { every = "year", by = "04-30" }``) shows its
    next occurrence on or after as-of and, once the first has passed, the latest
    one before as-of (the one the data are judged against), each titled with
    its recurrence ("… (every year by 04-30)"). A deadline counted from each
    community's event has no calendar date and no row; ``evaluate`` judges it.
    """
    as_of = _as_of(as_of)
    kept = strength_filter(strengths)
    standards = registry.select(jurisdictions)
    verdicts = _deadline_verdicts(registry, standards, communities, as_of) if communities is not None else None
    keys = _Keys(registry.catalog)
    rows: list[dict[str, Any]] = []

    def date_status(date: dt.date) -> str:
        return "upcoming" if date > as_of else ("due" if date == as_of else "past")

    for loaded in standards:
        standard = loaded.standard
        for document in standard.documents:
            if document.date is not None:
                rows.append(
                    {
                        "date": document.date,
                        "jurisdiction": loaded.id,
                        "kind": "document",
                        "id": document.id,
                        "title": f"{document.number or ''} {document.title}".strip(),
                        "departments": [],
                        "clause": None,
                        "status": date_status(document.date),
                    }
                )
            # versions: the day a document takes effect (when not its date) and the day it is superseded
            label = f"{document.number or ''} {document.title}".strip()
            successor = successor_of(loaded, document)
            events = []
            if document.effective is not None and document.effective != document.date:
                events.append(("in_force", document.effective, f"{label} 施行 (takes effect)"))
            if document.superseded_on is not None:
                by = f" by {successor.number or successor.title}" if successor is not None else ""
                events.append(("superseded", document.superseded_on, f"{label} superseded{by}"))
            for kind, date, title in events:
                rows.append(
                    {
                        "date": date,
                        "jurisdiction": loaded.id,
                        "kind": kind,
                        "id": document.id,
                        "title": title,
                        "departments": [],
                        "clause": None,
                        "status": date_status(date),
                    }
                )

        def in_force(document_id: str | None, loaded: LoadedStandard = loaded) -> bool:
            return issued(source_document(loaded, document_id), as_of)

        for milestone in standard.milestones:
            rows.append(
                {
                    "date": milestone.date,
                    "jurisdiction": loaded.id,
                    "kind": "milestone",
                    "id": milestone.id,
                    "title": milestone.title,
                    "departments": list(milestone.responsible),
                    "clause": milestone.source.clause,
                    "status": date_status(milestone.date) if in_force(milestone.source.document) else "not_in_force",
                }
            )
        rule_status: dict[str, str] = {}
        for rule in standard.rules:
            if kept is not None and rule.strength not in kept:
                continue
            rule_in_force = in_force(rule.source.document)
            stages = forms.stages(rule.requirement)
            document_date = source_document(loaded, rule.source.document).date
            for date, suffix, judged in _deadlines(rule.due, as_of, document_date):
                row: dict[str, Any] = {
                    "date": date,
                    "jurisdiction": loaded.id,
                    "kind": "rule",
                    "id": rule.id,
                    "title": f"{rule.title}{suffix}",
                    "departments": [],
                    "clause": rule.source.clause,
                    "status": date_status(date) if rule_in_force else "not_in_force",
                }
                if rule_in_force and judged:
                    _judge_deadline(row, verdicts, loaded.id, rule.id, as_of)
                    rule_status[rule.id] = row["status"]
                rows.append(row)
            current = forms.stage_in_force(rule.requirement, as_of)
            for number_, stage in enumerate(stages):
                row = {
                    "date": stage.due,
                    "jurisdiction": loaded.id,
                    "kind": "stage",
                    "id": f"{rule.id}#{number_ + 1}",
                    "title": f"{rule.title}: {keys.stated(stage.requirement, rule.metric, rule.tolerance)}",
                    "departments": [],
                    "clause": rule.source.clause,
                    "status": date_status(stage.due) if rule_in_force else "not_in_force",
                }
                if verdicts is not None and stage.due <= as_of and rule_in_force:
                    if current is not None and stage is not current[0]:
                        row["status"] = "superseded"
                    else:
                        _judge_deadline(row, verdicts, loaded.id, rule.id, as_of)
                        rule_status[rule.id] = row["status"]
                rows.append(row)
        kept_rules = {rule.id for rule in standard.rules if kept is None or rule.strength in kept}
        for task in standard.tasks:
            if kept is not None and not kept_rules & set(task.rules):
                continue
            # who acts by the date: leads, the responsible, and an authority that approves (审批)
            departments = list(dict.fromkeys([*task.lead, *task.responsible, *task.approving]))
            task_document_date = source_document(loaded, task.source.document).date
            for date, suffix, _judged in _deadlines(task.due, as_of, task_document_date):
                row = {
                    "date": date,
                    "jurisdiction": loaded.id,
                    "kind": "task",
                    "id": task.id,
                    "title": f"{task.title}{suffix}",
                    "departments": departments,
                    "clause": task.source.clause,
                    "status": date_status(date) if in_force(task.source.document) else "not_in_force",
                }
                if verdicts is not None and date <= as_of and task.rules and row["status"] != "not_in_force":
                    linked = [rule_status.get(r) for r in task.rules]
                    for worst in ("overdue", "open", "departs", "done"):
                        if worst in linked:
                            row["status"] = worst
                            break
                rows.append(row)
    for row in rows:
        row["days"] = (row["date"] - as_of).days
    rows.sort(key=lambda r: (r["date"], r["jurisdiction"], _KIND_ORDER[r["kind"]], r["id"]))
    schema: dict[str, Any] = dict.fromkeys(TIMELINE_COLUMNS, pl.String)
    schema.update(
        {
            "date": pl.Date,
            "departments": pl.List(pl.String),
            "days": pl.Int64,
            "passed": pl.Int64,
            "failed": pl.Int64,
            "unknown": pl.Int64,
        }
    )
    return pl.DataFrame([{name: row.get(name) for name in TIMELINE_COLUMNS} for row in rows], schema=schema)


def _deadlines(due: Due | None, as_of: dt.date, document_date: dt.date | None) -> list[tuple[dt.date, str, bool]]:
    """(date, title suffix, judged on the data) of each row a rule's or task's own deadline gives.

    A date gives one row. A recurring deadline gives its next occurrence on or
    after as-of and, once its first occurrence has passed, the latest one before
    as-of, which the data judge (``evaluate`` judges the latest cycle). A deadline
    after each community's event has no calendar date: no row.
    """
    if isinstance(due, dt.date):
        return [(due, "", True)]
    if not isinstance(due, Recurring):
        return []
    suffix = f" ({due.words()})"
    upcoming = next_occurrence(due, as_of, document_date)
    latest = latest_occurrence(due, as_of, document_date)
    rows = [(upcoming, suffix, upcoming == as_of)]
    if latest < as_of:
        rows.insert(0, (latest, suffix, True))
    return rows


def _deadline_verdicts(
    registry: Registry, standards: list[LoadedStandard], communities: Any, as_of: dt.date
) -> dict[tuple[str, str], dict[str, int]]:
    results = engine.evaluate(community_frame(communities), standards, as_of, registry=registry)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    if results.rules:
        codes = results.codes
        for compiled in results.rules:
            column = codes.get_column(compiled.key)
            counts[(compiled.jurisdiction, compiled.rule.id)] = {
                name: int((column == code).sum()) for code, name in enumerate(VERDICTS)
            }
    aggregates = results.aggregate_details()
    if not aggregates.is_empty():
        for row in aggregates.filter(pl.col("district") == engine.ALL_DISTRICTS).iter_rows(named=True):
            counts[(row["jurisdiction"], row["rule"])] = {
                "aggregate": True,
                **{name: int(row["verdict"] == name) for name in VERDICTS},
            }
    return counts


def _judge_deadline(
    row: dict[str, Any], verdicts: dict | None, jurisdiction: str, rule_id: str, as_of: dt.date
) -> None:
    if verdicts is None or row["date"] > as_of:
        return
    counts = verdicts.get((jurisdiction, rule_id))
    if counts is None:
        return
    if not counts.get("aggregate"):  # counts of communities; a set of communities has one verdict
        row.update(passed=counts["pass"], failed=counts["fail"], unknown=counts["unknown"])
    if counts["fail"]:
        row["status"] = "overdue"
    elif counts["unknown"]:
        row["status"] = "open"
    elif counts.get("departs"):
        row["status"] = "departs"
    elif counts["pass"]:
        row["status"] = "done"
    elif counts["not_due"]:
        row["status"] = "upcoming"
    elif counts.get("not_in_force"):
        row["status"] = "not_in_force"
    else:
        row["status"] = "not_applicable"
