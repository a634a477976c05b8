"""Helpers every comparison view shares: metric keys and concepts, the date and what is in force, plain rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..catalog import Catalog
from ..model import Document, Gap, Requirement, Rule
from ..registry import LoadedStandard

F64 = pl.Float64

#: What a jurisdiction's standard says about a concept, in every comparison view:
#: ``regulated`` (a rule in force), ``not_regulated`` (the document is silent),
#: ``not_encoded`` (the standard's ``[[gaps]]`` names it: the shipped copy is incomplete),
#: ``not_in_force`` (the document is not yet issued on the as-of date).
STATES = ("regulated", "not_regulated", "not_encoded", "not_in_force")


def _as_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


def document_label(document: Document) -> str:
    """How a document is cited: its number (文号), else its title; never an internal id."""
    return document.number or document.title


def issued(document: Document, as_of: dt.date) -> bool:
    """Whether a document is in force on ``as_of``: taken effect (no date: always) and not yet superseded."""
    return document.in_force(as_of)


def superseded(document: Document, as_of: dt.date) -> bool:
    """Whether a later version has replaced the document by ``as_of``."""
    return document.superseded_on is not None and document.superseded_on <= as_of


def source_document(loaded: LoadedStandard, document_id: str | None) -> Document:
    """The document an item cites (the standard's first when it names none)."""
    return loaded.standard.document(document_id)


def not_in_force_text(document: Document, as_of: dt.date, successor: Document | None = None) -> str:
    """Why an item is not in force: its document is not yet in effect, or a later version replaced it."""
    if superseded(document, as_of):
        by = f" by {document_label(successor)}" if successor is not None else ""
        when = document.superseded_on.isoformat() if document.superseded_on else "?"
        return f"not in force on {as_of.isoformat()}: {document_label(document)} was superseded{by} on {when}"
    if document.effective is not None and document.effective != document.date:
        return f"not in force on {as_of.isoformat()}: {document_label(document)} takes effect {document.effective}"
    when = document.date.isoformat() if document.date else "?"
    return f"not in force on {as_of.isoformat()}: {document_label(document)} is dated {when}"


def any_issued(loaded: LoadedStandard, as_of: dt.date) -> bool:
    """Whether any document of a standard is issued on ``as_of``."""
    return any(issued(document, as_of) for document in loaded.standard.documents)


def gap_of(loaded: LoadedStandard, catalog: Catalog, concept: str) -> Gap | None:
    """The standard's gap that names ``concept`` (by concept id, or by a metric of it), if any."""
    for gap in loaded.standard.gaps:
        for name in gap.concepts:
            if name == concept or catalog.concept_of(name) == concept:
                return gap
    return None


def absent_state(loaded: LoadedStandard, catalog: Catalog, concept: str, as_of: dt.date) -> tuple[str, str]:
    """(state, text) of a jurisdiction with no rule on ``concept``: not encoded, not in force or not regulated."""
    gap = gap_of(loaded, catalog, concept)
    if gap is not None:
        document = source_document(loaded, gap.document)
        if not issued(document, as_of):
            return "not_in_force", not_in_force_text(document, as_of)
        return "not_encoded", f"not encoded: {gap.reason}"
    if not any_issued(loaded, as_of):
        return "not_in_force", not_in_force_text(loaded.standard.documents[0], as_of)
    return "not_regulated", "not regulated"


def not_yet_issued(standards: Sequence[LoadedStandard], as_of: dt.date) -> list[dict[str, Any]]:
    """The documents of ``standards`` not yet in effect on ``as_of``: jurisdiction, document, date."""
    return [
        {"jurisdiction": loaded.id, "document": document_label(document), "date": document.in_force_from}
        for loaded in standards
        for document in loaded.standard.documents
        if not issued(document, as_of) and not superseded(document, as_of)
    ]


def superseded_documents(standards: Sequence[LoadedStandard], as_of: dt.date) -> list[dict[str, Any]]:
    """The documents of ``standards`` a later version has replaced by ``as_of``: jurisdiction, document, date."""
    return [
        {"jurisdiction": loaded.id, "document": document_label(document), "date": document.superseded_on}
        for loaded in standards
        for document in loaded.standard.documents
        if superseded(document, as_of)
    ]


def as_of_note(standards: Sequence[LoadedStandard], as_of: dt.date) -> str:
    """The header line that states the date a view is read on, and what is not in force then."""
    later = not_yet_issued(standards, as_of)
    note = f"as of {as_of.isoformat()}: nothing is in force before its document's date"
    if later:
        note += "; not yet issued: " + ", ".join(
            f"{d['jurisdiction']} ({d['document']}, {d['date'].isoformat()})" for d in later
        )
    replaced = superseded_documents(standards, as_of)
    if replaced:
        note += "; superseded: " + ", ".join(
            f"{d['jurisdiction']} ({d['document']}, {d['date'].isoformat()})" for d in replaced
        )
    return note


def successor_of(loaded: LoadedStandard, document: Document) -> Document | None:
    """The document that supersedes ``document`` in the same standard, if the standard names it."""
    if document.superseded_by is None:
        return None
    try:
        return loaded.standard.document(document.superseded_by)
    except KeyError:
        return None


def compared_rules(rules: Iterable[Rule]) -> Iterator[Rule]:
    """Each rule as the comparison views set it beside others: one per metric it bounds.

    A rule whose requirement bounds several metrics at once (an ``all_of`` of the seven centres, staged or
    not) is, on each metric, a requirement on that metric's concept like a rule of its own: it is seen as one
    rule per metric, each keeping the rule's id, source and scope. Any other rule is seen as it is.
    """
    for rule in rules:
        parts = forms.per_metric(rule.requirement, rule.metric)
        if len(parts) == 1:
            yield rule
            continue
        for metric, requirement in parts:
            yield attrs.evolve(rule, metric=metric, requirement=requirement)


def strength_filter(strengths: Sequence[str] | None) -> frozenset[str] | None:
    """The strengths a view keeps (None: every strength)."""
    return frozenset(strengths) if strengths else None


def with_strengths(loaded: LoadedStandard, strengths: frozenset[str] | None) -> LoadedStandard:
    """A standard keeping only the rules of ``strengths`` (links to the others dropped); itself for None."""
    if strengths is None:
        return loaded
    kept = tuple(rule for rule in loaded.standard.rules if rule.strength in strengths)
    ids = {rule.id for rule in kept}
    kept = tuple(attrs.evolve(rule, restates=tuple(r for r in rule.restates if r in ids)) for rule in kept)
    return attrs.evolve(loaded, standard=attrs.evolve(loaded.standard, rules=kept))


@attrs.frozen
class MetricKey:
    """One comparable quantity: its id, label, display unit and the factor from raw values."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    #: How this key was derived from the rule, when it is not simply the rule's metric.
    normalised: str | None = None


#: The key of aggregate rules that count communities (their metric is not read).
COMMUNITY_COUNT = MetricKey("number_of_communities", "社区数量", "个")


class _Keys:
    """Metric keys for rules of one catalog (ratio metrics looked up once)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.ratios = {
            definition.ratio: definition for definition in catalog.metrics.values() if definition.ratio is not None
        }

    def unit(self, metric: str) -> str:
        try:
            return self.catalog.metric(metric).unit
        except KeyError:
            return ""

    def label(self, metric: str) -> str:
        try:
            return self.catalog.metric(metric).zh
        except KeyError:
            return metric

    def of_metric(self, metric: str) -> MetricKey:
        unit = self.unit(metric)
        if unit == "比例":
            return MetricKey(metric, self.label(metric), "%", 100.0)
        return MetricKey(metric, self.label(metric), unit)

    def of_share(self, metric: str, of: str, per: float) -> MetricKey:
        ratio = self.ratios.get((metric, of))
        if ratio is not None and per == 1:
            return MetricKey(ratio.id, ratio.zh, "%", 100.0, normalised=f"share of {metric} in {of} = {ratio.id}")
        label = f"{self.label(metric)} ÷ {self.label(of)}"
        if per == 1:
            return MetricKey(f"{metric}÷{of}", label, "%", 100.0)
        return MetricKey(f"{metric}÷{of}×{per:g}", label, f"per {per:g} {of}")

    def of_measured(self, measured: forms.Measured) -> MetricKey:
        """The key of what a requirement measures."""
        if measured.metric is None:
            return COMMUNITY_COUNT  # the rule's metric is only a carrier
        if measured.of is not None:
            return self.of_share(measured.metric, measured.of, measured.per)
        return self.of_metric(measured.metric)

    def concept_of(self, key: MetricKey) -> str:
        """The concept a metric key belongs to: the catalog's concept of its metric, else the key itself.

        A share of two metrics with no ratio metric of its own (``a÷b``) belongs to
        the concept of ``a`` when ``a`` is in one; otherwise it stands alone.
        """
        if self.catalog.has_metric(key.key):
            return self.catalog.concept_of(key.key)
        metric = key.key.split("÷", 1)[0]
        if metric != key.key and self.catalog.concept_of(metric) in self.catalog.concepts:
            return self.catalog.concept_of(metric)
        return key.key

    def concept_label(self, concept: str, key: MetricKey | None = None) -> str:
        """A concept's Chinese name (a metric standing alone: the key's label)."""
        if concept in self.catalog.concepts:
            return self.catalog.concepts[concept].zh
        return key.label if key is not None else self.label(concept)

    def of_rule(self, rule: Rule) -> MetricKey:
        return self.of_measured(forms.measured(forms.leaf(rule.requirement), rule.metric))

    def of_requirement(self, requirement: Requirement, metric: str) -> MetricKey:
        return self.of_measured(forms.measured(requirement, metric))

    def stated(self, requirement: Requirement, metric: str, tolerance: float | None = None) -> str:
        """The requirement as the standard states it, in the key's display unit (``≈ … (±10%)`` with a tolerance)."""
        return forms.words(requirement, unit_of=self.unit, shown=self.of_measured, metric=metric, tolerance=tolerance)


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A view's rows as plain dicts (dates as ISO text), for JSON and snapshots."""
    from ..output import plain

    return plain(frame.to_dicts())
