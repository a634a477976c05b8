"""Inheritance between levels: a local standard plus its parent's rules where the local one is silent.

A jurisdiction declares its parent (``[jurisdiction] parent = "national"``). Judged
with inheritance, a community is held to the local rules and to every rule of the
parent on a concept the local standard does not regulate (its rules' metrics,
grouped by the catalog's concepts; a concept the local standard's ``[[gaps]]``
names is not inherited, since the local text may regulate it). Each inherited
rule keeps its own document, so the parent's versions stay in force only
between their own dates.
"""

from __future__ import annotations

import attrs

from .. import forms
from ..catalog import Catalog
from ..model import Rule
from ..registry import LoadedStandard, Registry

#: Between a parent's id and its rule or document id in an inherited item's id: ``national:committee_size_2025``.
SEPARATOR = ":"


@attrs.frozen
class Inherited:
    """A standard with its parent's rules added, and where each rule comes from."""

    loaded: LoadedStandard
    #: rule id → (jurisdiction id, level) of the standard it comes from (local rules included).
    origins: dict[str, tuple[str, str | None]]


def regulated_concepts(loaded: LoadedStandard, catalog: Catalog) -> set[str]:
    """The concepts a standard's rules measure, and those its gaps name (the shipped copy may regulate them)."""
    concepts: set[str] = set()
    for rule in loaded.standard.rules:
        metrics = {rule.metric}
        for requirement in forms.walk(rule.requirement):
            metric = getattr(requirement, "metric", None)
            if metric is not None:
                metrics.add(metric)
        concepts |= {_concept(catalog, metric) for metric in metrics}
    for gap in loaded.standard.gaps:
        concepts |= {_concept(catalog, name) for name in gap.concepts}
    return concepts


def _concept(catalog: Catalog, metric: str) -> str:
    return catalog.concept_of(metric)


def with_parent(loaded: LoadedStandard, registry: Registry) -> Inherited:
    """``loaded`` plus its parent's rules on every concept it does not regulate (itself when it has no parent).

    Inherited rules and their documents are renamed ``<parent>:<id>`` so that they
    never clash with the local ones; each keeps its strength, clause and quote.
    """
    local = loaded.standard
    origins: dict[str, tuple[str, str | None]] = {rule.id: (local.id, local.jurisdiction.level) for rule in local.rules}
    parent_id = local.jurisdiction.parent
    if parent_id is None or parent_id not in registry.standards or parent_id == local.id:
        return Inherited(loaded, origins)
    parent = registry.get(parent_id).standard
    catalog = registry.catalog
    regulated = regulated_concepts(loaded, catalog)

    def renamed(item_id: str) -> str:
        return f"{parent.id}{SEPARATOR}{item_id}"

    documents = tuple(
        attrs.evolve(
            document,
            id=renamed(document.id),
            superseded_by=renamed(document.superseded_by) if document.superseded_by else None,
        )
        for document in parent.documents
    )
    added: list[Rule] = []
    for rule in parent.rules:
        if rule.aggregate or _concept(catalog, rule.metric) in regulated:
            continue
        source_document = rule.source.document or parent.documents[0].id
        added.append(
            attrs.evolve(
                rule,
                id=renamed(rule.id),
                restates=tuple(renamed(other) for other in rule.restates),
                source=attrs.evolve(rule.source, document=renamed(source_document)),
            )
        )
        origins[renamed(rule.id)] = (parent.id, parent.jurisdiction.level)
    if not added:
        return Inherited(loaded, origins)
    kept = {rule.id for rule in added}
    added = [attrs.evolve(rule, restates=tuple(r for r in rule.restates if r in kept)) for rule in added]
    standard = attrs.evolve(local, rules=local.rules + tuple(added), documents=local.documents + documents)
    return Inherited(attrs.evolve(loaded, standard=standard), origins)
