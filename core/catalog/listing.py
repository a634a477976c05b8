"""The merged catalog as rows: what ids a rule, task or dataset may use, and which plugin added each.

:func:`catalog_rows` lists one section (metrics, concepts, kinds, organizations,
flags, designations, departments); :func:`catalog_summary` counts every section
by origin. A row's ``origin`` is ``core`` for core's own entries, else the name
of the plugin that added it (several, comma-separated, when plugins share an
entry). Metrics include every family member (``area.K``, ``count.O``, ``flag.F``
…) and every metric a plugin computes in Python (``register_metrics``).
Functions of a :class:`Catalog` (a registry's ``catalog``), in plain Python
with no Polars: ``shequ catalog`` stays quick.
"""

from __future__ import annotations

from typing import Any

from ..errors import ShequError
from ..model import KindDef
from ..suggest import did_you_mean
from . import CORE, FAMILIES, Catalog

#: The sections ``shequ catalog`` lists, each with the catalog table it reads.
CATALOG_SECTIONS = {
    "metrics": "metrics",
    "concepts": "concepts",
    "kinds": "facility_kinds",
    "organizations": "organization_kinds",
    "flags": "flags",
    "designations": "designations",
    "departments": "departments",
    "events": "events",
}

#: What each section holds, for the summary.
_ABOUT = {
    "metrics": "numbers a rule is written on (columns, formulas, computed, families)",
    "concepts": "metrics that measure the same thing, compared together",
    "kinds": "facility kinds (area.K, count.K, floor.K)",
    "organizations": "organization kinds (members.O, count.O)",
    "flags": "yes/no facts of a community (flag.F)",
    "designations": "titles a community may hold (designation.D)",
    "departments": "government and party bodies, with the names documents use",
    "events": "event date columns a deadline may count from (due = { after = ID, days = N })",
}

#: The family metrics each kind section brings, for its rows.
_FAMILY_OF = {
    section: [prefix for prefix, (sections, *_rest) in FAMILIES.items() if section in sections.split("+")]
    for section in ("facility_kinds", "organization_kinds", "flags", "designations")
}


def check_section(section: str) -> str:
    """``section`` when it is one :func:`catalog_rows` lists; a :class:`ShequError` with a hint otherwise."""
    if section not in CATALOG_SECTIONS:
        hint = did_you_mean(section, list(CATALOG_SECTIONS))
        raise ShequError(f"unknown catalog section '{section}'{hint}; sections: {', '.join(CATALOG_SECTIONS)}")
    return section


def _origin(catalog: Catalog, section: str, entry_id: str) -> str:
    return ", ".join(catalog.added_by_of(section, entry_id)) or CORE


def metric_family(catalog: Catalog, metric_id: str) -> str:
    """How a metric is computed: ``column``; ``ratio``, ``sum``, ``difference`` or ``product`` (a declarative
    formula); ``computed`` (Python, a plugin's hook); or its family prefix (``area``, ``flag`` …)."""
    definition = catalog.metrics.get(metric_id)
    if definition is None:
        return metric_id.partition(".")[0]  # area, count, floor, members, flag, designation
    if definition.compute is not None:
        return "computed"
    return definition.formula_kind or "column"


def _metric_rows(catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for metric_id in catalog.metric_ids():
        definition = catalog.metric(metric_id)
        family = metric_family(catalog, metric_id)
        concept = catalog.concept_of(metric_id)
        rows.append(
            {
                "id": metric_id,
                "zh": definition.zh,
                "en": definition.en,
                "unit": definition.unit,
                "family": family,
                "column": definition.column if family != "computed" else None,
                "formula": definition.formula,
                "concept": concept if concept in catalog.concepts else None,
                "aliases": list(definition.aliases),
                "jurisdictions": list(definition.jurisdictions),
                "origin": _origin(catalog, "metrics", metric_id),
            }
        )
    return rows


def _concept_rows(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": concept.id,
            "zh": concept.zh,
            "en": concept.en,
            "metrics": list(concept.metrics),
            "origin": _origin(catalog, "concepts", concept.id),
        }
        for concept in sorted(catalog.concepts.values(), key=lambda c: c.id)
    ]


def _kind_rows(catalog: Catalog, table: str) -> list[dict[str, Any]]:
    entries: dict[str, KindDef] = getattr(catalog, table)
    return [
        {
            "id": kind.id,
            "zh": kind.zh,
            "en": kind.en,
            "aliases": list(kind.aliases),
            "metrics": [f"{prefix}.{kind.id}" for prefix in _FAMILY_OF[table]],
            "jurisdictions": list(kind.jurisdictions),
            "origin": _origin(catalog, table, kind.id),
        }
        for kind in sorted(entries.values(), key=lambda k: k.id)
    ]


def _department_rows(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": department.id,
            "zh": department.zh,
            "en": department.en,
            "level": department.level,
            "aliases": list(department.aliases),
            "jurisdictions": list(department.jurisdictions),
            "origin": _origin(catalog, "departments", department.id),
        }
        for department in sorted(catalog.departments.values(), key=lambda d: d.id)
    ]


def _event_rows(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": event.id,
            "zh": event.zh,
            "en": event.en,
            "aliases": list(event.aliases),
            "jurisdictions": list(event.jurisdictions),
            "origin": _origin(catalog, "events", event.id),
        }
        for event in sorted(catalog.events.values(), key=lambda e: e.id)
    ]


def catalog_rows(catalog: Catalog, section: str) -> list[dict[str, Any]]:
    """Every entry of one catalog section, sorted by id, with its names, aliases, users and origin.

    ``jurisdictions`` is empty for an entry every jurisdiction may use; ``origin``
    is ``core`` or the adding plugin's name. Raises :class:`ShequError` (with a
    did-you-mean) for a section that is not one of :data:`CATALOG_SECTIONS`.
    """
    table = CATALOG_SECTIONS[check_section(section)]
    if table == "metrics":
        return _metric_rows(catalog)
    if table == "concepts":
        return _concept_rows(catalog)
    if table == "departments":
        return _department_rows(catalog)
    if table == "events":
        return _event_rows(catalog)
    return _kind_rows(catalog, table)


def catalog_summary(catalog: Catalog) -> list[dict[str, Any]]:
    """One row per section: how many entries, and how many each origin added (core first)."""
    rows = []
    for section in CATALOG_SECTIONS:
        entries = catalog_rows(catalog, section)
        by_origin: dict[str, int] = {}
        for entry in entries:
            by_origin[entry["origin"]] = by_origin.get(entry["origin"], 0) + 1
        order = sorted(by_origin, key=lambda origin: (origin != CORE, origin))
        rows.append(
            {
                "section": section,
                "entries": len(entries),
                "by_origin": {origin: by_origin[origin] for origin in order},
                "holds": _ABOUT[section],
            }
        )
    return rows
