"""Versions over time and levels over places: what was in force when, how a requirement changed, and where
a local standard departs from its parent's.

- :func:`in_force_standard` — a standard with only the items of the documents in force on a date;
- :func:`history` — every version of one requirement (a metric or concept) of one jurisdiction, in date order;
- :func:`conflicts` — every local requirement beside its parent's on the same concept, in force at the
  local document's date (and at an as-of date), classified ``stricter``, ``looser``,
  ``incompatible`` (ranges that cannot both hold), ``compatible`` or ``not_comparable``.

A document is in force from its ``effective`` date (else its ``date``) until its
``superseded_on`` (exclusive); every rule, task, milestone and obligation is in
force exactly while the document it cites is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from ..errors import ShequError
from ..model import AnyOf, Conditional, Document, Maximum, Minimum, Present, Range, Requirement, Rule
from ..registry import LoadedStandard, Registry
from .common import _Keys, compared_rules, document_label, issued, source_document, successor_of

#: How a local requirement stands to its parent's on the same concept.
CONFLICT_CLASSES = ("incompatible", "looser", "stricter", "compatible", "not_comparable")

HISTORY_COLUMNS = [
    "jurisdiction",
    "concept",
    "metric",
    "rule",
    "document",
    "effective",
    "superseded_on",
    "superseded_by",
    "requirement",
    "strength",
    "applies_to",
    "change",
    "clause",
    "quote",
]

CONFLICT_COLUMNS = [
    "jurisdiction",
    "level",
    "at",
    "date",
    "concept",
    "metric",
    "rule",
    "requirement",
    "strength",
    "document",
    "clause",
    "quote",
    "parent",
    "parent_level",
    "parent_rule",
    "parent_requirement",
    "parent_strength",
    "parent_document",
    "parent_clause",
    "parent_quote",
    "class",
    "detail",
]


def in_force_standard(loaded: LoadedStandard, as_of: dt.date) -> LoadedStandard:
    """The standard with only the rules, tasks, milestones and obligations whose document is in force on ``as_of``.

    Every document stays listed (with its dates), so citations still resolve; links from a kept
    rule to a dropped one (``restates``) and from a kept task to dropped rules are dropped.
    """
    standard = loaded.standard

    def kept(item: Any) -> bool:
        return issued(source_document(loaded, item.source.document), as_of)

    rules = tuple(rule for rule in standard.rules if kept(rule))
    ids = {rule.id for rule in rules}
    rules = tuple(attrs.evolve(rule, restates=tuple(r for r in rule.restates if r in ids)) for rule in rules)
    tasks = tuple(
        attrs.evolve(task, rules=tuple(r for r in task.rules if r in ids)) for task in standard.tasks if kept(task)
    )
    return attrs.evolve(
        loaded,
        standard=attrs.evolve(
            standard,
            rules=rules,
            tasks=tasks,
            milestones=tuple(item for item in standard.milestones if kept(item)),
            obligations=tuple(item for item in standard.obligations if kept(item)),
        ),
    )


def _concepts_of(keys: _Keys, rule: Rule) -> tuple[str, str]:
    """(concept, metric key) of a rule, as the comparison views line rules up."""
    key = keys.of_rule(rule)
    return keys.concept_of(key), key.key


def history(
    registry: Registry, jurisdiction: str, metric: str | None = None, concept: str | None = None
) -> pl.DataFrame:
    """How one jurisdiction's requirement on a metric (or concept) changed over its documents' versions.

    One row per rule on it, ordered by the day its document takes effect: the document,
    ``effective`` and ``superseded_on`` (and ``superseded_by``), the requirement in words, its
    strength, scope, clause and quote, and ``change`` against the previous version of the
    same metric (``first``, ``unchanged``, or ``changed:`` with what changed, from → to).
    """
    if (metric is None) == (concept is None):
        raise ShequError("history needs exactly one of a metric or a concept")
    loaded = registry.get(jurisdiction)
    keys = _Keys(registry.catalog)
    wanted = concept if concept is not None else None
    if metric is not None:
        registry.catalog.metric(metric)  # an unknown metric is an error with a suggestion, not an empty table
        wanted = registry.catalog.concept_of(metric)
    rows: list[dict[str, Any]] = []
    for rule in compared_rules(loaded.standard.rules):
        if rule.aggregate:
            continue
        rule_concept, key = _concepts_of(keys, rule)
        if metric is not None and rule.metric != metric and key != metric:
            continue
        if concept is not None and rule_concept != wanted:
            continue
        document = source_document(loaded, rule.source.document)
        successor = successor_of(loaded, document)
        rows.append(
            {
                "jurisdiction": loaded.id,
                "concept": rule_concept,
                "metric": rule.metric,
                "rule": rule.id,
                "document": document_label(document),
                "effective": document.in_force_from,
                "superseded_on": document.superseded_on,
                "superseded_by": document_label(successor) if successor is not None else None,
                "requirement": keys.stated(rule.requirement, rule.metric, rule.tolerance),
                "strength": rule.strength,
                "applies_to": _scope(rule),
                "change": None,
                "clause": rule.source.clause,
                "quote": rule.source.quote,
            }
        )
    rows.sort(key=lambda row: (row["effective"] or dt.date.min, row["rule"]))
    previous: dict[str, dict[str, Any]] = {}
    for row in rows:
        before = previous.get(row["metric"])
        if before is None:
            row["change"] = "first"
        else:
            changed = [name for name in ("requirement", "strength", "applies_to") if before[name] != row[name]]
            row["change"] = (
                "changed: " + "; ".join(f"{name} {before[name]} → {row[name]}" for name in changed)
                if changed
                else "unchanged"
            )
        previous[row["metric"]] = row
    schema = dict.fromkeys(HISTORY_COLUMNS, pl.String) | {"effective": pl.Date, "superseded_on": pl.Date}
    return pl.DataFrame(rows, schema=schema)


def _scope(rule: Rule) -> str:
    from ..forms import applies_text

    return applies_text(rule.applies_to)


# --------------------------------------------------------------------------
# Conflicts between levels


@attrs.frozen
class _Interval:
    """What a requirement admits, as bounds (None: unbounded), with what could not be said as bounds."""

    lo: float | None
    hi: float | None
    note: str = ""


def _interval(requirement: Requirement, tolerance: float | None) -> _Interval | None:
    """The values a requirement admits on its own metric, or None when it is not one interval."""
    t = tolerance or 0.0
    widened = f" (read with its tolerance ±{t:.0%})" if t else ""
    if isinstance(requirement, Range):
        return _Interval(requirement.min * (1 - t), requirement.max * (1 + t), widened)
    if isinstance(requirement, Minimum):
        return _Interval(requirement.value * (1 - t), None, widened)
    if isinstance(requirement, Maximum):
        return _Interval(None, requirement.value * (1 + t), widened)
    if isinstance(requirement, Present):
        return _Interval(1, None)
    if isinstance(requirement, Conditional):
        inner = _interval(requirement.then, tolerance)
        if inner is None:
            return None
        from ..forms import condition_text

        return attrs.evolve(inner, note=f"{inner.note} (where {condition_text(requirement.when)})")
    return None


def _classify(local: _Interval, parent: _Interval) -> tuple[str, str]:
    """(class, why) of a local interval against the parent's."""
    lo_l = -math.inf if local.lo is None else local.lo
    hi_l = math.inf if local.hi is None else local.hi
    lo_p = -math.inf if parent.lo is None else parent.lo
    hi_p = math.inf if parent.hi is None else parent.hi
    if hi_l < lo_p or lo_l > hi_p:
        return "incompatible", "the two ranges do not overlap: no community can meet both"
    if (lo_l, hi_l) == (lo_p, hi_p):
        return "compatible", "the same bounds"
    admits_more = lo_l < lo_p or hi_l > hi_p
    excludes_more = lo_l > lo_p or hi_l < hi_p
    if admits_more and excludes_more:
        return "looser", "the local range admits values the parent's excludes (and excludes some it admits)"
    if admits_more:
        return "looser", "the local range admits values the parent's excludes"
    return "stricter", "the local range lies within the parent's and excludes some of its values"


def _strength_note(local: Rule, parent: Rule) -> str:
    """What the two strengths mean for the finding: guidance or permissive provisions do not bind as written."""
    soft = ("guidance", "permissive")
    if local.strength in soft and parent.strength in soft:
        return (
            f"both are non-binding as written (local {local.strength}, parent {parent.strength}): "
            "a departure between norms, not a breach"
        )
    if parent.strength in soft:
        return f"the parent's requirement is {parent.strength}: departing from it is no breach"
    if local.strength in soft:
        return f"the local requirement is {local.strength}; the parent's is {parent.strength}"
    return f"both are binding (local {local.strength}, parent {parent.strength})"


def _overlapping_kinds(a: Rule, b: Rule) -> bool:
    kinds_a, kinds_b = set(a.applies_to.kinds), set(b.applies_to.kinds)
    return not kinds_a or not kinds_b or bool(kinds_a & kinds_b)


def conflicts(
    registry: Registry, jurisdictions: Sequence[str] = (), as_of: dt.date | dt.datetime | None = None
) -> pl.DataFrame:
    """Every local requirement beside its parent's on the same concept, classified.

    For each selected jurisdiction with a parent (``[jurisdiction] parent``) that is installed,
    each community-level rule is set beside every rule of the parent on the same concept and
    for some of the same community kinds that is in force on the day the local rule's document
    takes effect (``at`` = ``document``), and, with ``as_of``, on that day too (``at`` = ``as_of``).
    Numbers are compared only on one metric: a concept measured by different metrics, or a
    requirement that is not one interval (a choice, a scale), is ``not_comparable``.
    """
    keys = _Keys(registry.catalog)
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    rows: list[dict[str, Any]] = []
    for loaded in registry.select(jurisdictions):
        parent_id = loaded.standard.jurisdiction.parent
        if parent_id is None or parent_id not in registry.standards or parent_id == loaded.id:
            continue
        parent = registry.get(parent_id)
        for rule in compared_rules(loaded.standard.rules):
            if rule.aggregate:
                continue
            document = source_document(loaded, rule.source.document)
            dates = [("document", document.in_force_from)]
            if day is not None:
                dates.append(("as_of", day))
            for at, when in dates:
                if when is None:
                    continue
                rows += _beside(keys, loaded, rule, document, parent, at, when)
    schema = dict.fromkeys(CONFLICT_COLUMNS, pl.String) | {"date": pl.Date}
    order = {name: index for index, name in enumerate(CONFLICT_CLASSES)}
    rows.sort(key=lambda r: (r["jurisdiction"], r["at"] != "document", order[r["class"]], r["concept"], r["rule"]))
    return pl.DataFrame(rows, schema=schema)


def _beside(
    keys: _Keys,
    loaded: LoadedStandard,
    rule: Rule,
    document: Document,
    parent: LoadedStandard,
    at: str,
    when: dt.date,
) -> list[dict[str, Any]]:
    concept, key = _concepts_of(keys, rule)
    rows = []
    for other in compared_rules(parent.standard.rules):
        if other.aggregate or not _overlapping_kinds(rule, other):
            continue
        other_concept, other_key = _concepts_of(keys, other)
        if other_concept != concept:
            continue
        other_document = source_document(parent, other.source.document)
        if not issued(other_document, when):
            continue
        local = _interval(rule.requirement, rule.tolerance)
        theirs = _interval(other.requirement, other.tolerance)
        if key != other_key:
            cls, why = "not_comparable", f"measured by different metrics ({key}, {other_key})"
        elif local is None or theirs is None:
            form = rule.requirement.form if local is None else other.requirement.form
            why = f"a {form} requirement, not one range of values"
            if isinstance(rule.requirement, AnyOf) and theirs is not None:
                why = "a choice between requirements (any one is enough), not one range of values"
                for option in rule.requirement.options:
                    inner = _interval(option, rule.tolerance)
                    if inner is not None and (getattr(option, "metric", None) or rule.metric) == other.metric:
                        said = keys.stated(option, rule.metric)
                        why += f"; its option {said} alone would be {_classify(inner, theirs)[0]}"
            cls = "not_comparable"
        else:
            cls, why = _classify(local, theirs)
            why += local.note + ("" if not theirs.note else f"; parent{theirs.note}")
        strength = _strength_note(rule, other)
        rows.append(
            {
                "jurisdiction": loaded.id,
                "level": loaded.standard.jurisdiction.level,
                "at": at,
                "date": when,
                "concept": concept,
                "metric": rule.metric,
                "rule": rule.id,
                "requirement": keys.stated(rule.requirement, rule.metric, rule.tolerance),
                "strength": rule.strength,
                "document": document_label(document),
                "clause": rule.source.clause,
                "quote": rule.source.quote,
                "parent": parent.id,
                "parent_level": parent.standard.jurisdiction.level,
                "parent_rule": other.id,
                "parent_requirement": keys.stated(other.requirement, other.metric, other.tolerance),
                "parent_strength": other.strength,
                "parent_document": document_label(other_document),
                "parent_clause": other.source.clause,
                "parent_quote": other.source.quote,
                "class": cls,
                "detail": f"{why}; {strength}",
            }
        )
    return rows
