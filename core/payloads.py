"""Plain-data forms of standards: the rows of ``shequ rules`` and the payload of ``shequ show --format json``.

These live in the library, not the CLI, because the conformance kit snapshots
exactly what ``show`` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .registry import LoadedStandard, Registry


def rule_rows(registry: Registry, jurisdictions: Sequence[str]) -> list[dict[str, Any]]:
    """Every rule of the selected jurisdictions with requirement, due date and citation."""
    from .describe import applies_text, requirement_text

    rows = []
    for loaded in registry.select(jurisdictions):
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
                    "requirement": requirement_text(rule.requirement, unit, lambda m: registry.catalog.metric(m).unit),
                    "due": rule.due,
                    "strength": rule.strength,
                    "document": document.number or document.id,
                    "clause": rule.source.clause,
                    "quote": rule.source.quote,
                }
            )
    return rows


def standard_payload(registry: Registry, loaded: LoadedStandard) -> dict[str, Any]:
    """The whole normalised standard of one jurisdiction as plain data."""
    from .convert import unstructure
    from .describe import applies_text, requirement_text

    data = unstructure(loaded.standard)
    for rule, rule_data in zip(loaded.standard.rules, data["rules"], strict=False):
        unit = registry.catalog.metric(rule.metric).unit
        rule_data["unit"] = unit
        rule_data["requirement_text"] = requirement_text(
            rule.requirement, unit, lambda m: registry.catalog.metric(m).unit
        )
        rule_data["applies_to_text"] = applies_text(rule.applies_to)
        rule_data["stages"] = [
            {"due": stage.due.isoformat(), "requirement": unstructure(stage.requirement)}
            for stage in getattr(rule.requirement, "stages", ())
        ]
    data["plugin"] = loaded.plugin
    return data
