"""Catalog entries a plugin may add: metrics, concepts, kinds, departments."""

from __future__ import annotations

from attrs import field, frozen

from ._validators import _non_empty


@frozen(kw_only=True)
class MetricDef:
    """A catalog metric: how a number is computed from a community.

    Exactly one of ``column`` (a column of the community table) or ``ratio``
    (numerator and denominator metric ids) is given, unless a Python plugin
    supplies ``compute`` (a callable returning a Polars expression).
    """

    id: str = field(validator=_non_empty)
    unit: str = ""
    zh: str = field(validator=_non_empty)
    en: str = ""
    column: str | None = None
    ratio: tuple[str, str] | None = None
    #: Chinese column headers accepted for this metric's column in spreadsheets.
    aliases: tuple[str, ...] = ()
    #: Set when only some jurisdictions use the metric.
    jurisdictions: tuple[str, ...] = ()
    compute: object | None = field(default=None, eq=False, repr=False)


@frozen(kw_only=True)
class ConceptDef:
    """What several metrics measure alike (e.g. ``premises``: service space, office area …).

    A metric belongs to at most one concept; a metric in no concept is its own concept.
    """

    id: str = field(validator=_non_empty)
    zh: str = field(validator=_non_empty)
    en: str = ""
    metrics: tuple[str, ...] = ()


@frozen(kw_only=True)
class KindDef:
    """A facility kind, organization kind, flag or designation."""

    id: str = field(validator=_non_empty)
    zh: str = field(validator=_non_empty)
    en: str = ""
    aliases: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()


@frozen(kw_only=True)
class DepartmentDef:
    """A government or party body; ``aliases`` are the names documents use for it."""

    id: str = field(validator=_non_empty)
    zh: str = field(validator=_non_empty)
    en: str = ""
    level: str | None = None
    aliases: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()


@frozen(kw_only=True)
class CatalogAdditions:
    """Entries a standard adds to the shared catalog."""

    metrics: tuple[MetricDef, ...] = ()
    concepts: tuple[ConceptDef, ...] = ()
    facility_kinds: tuple[KindDef, ...] = ()
    organization_kinds: tuple[KindDef, ...] = ()
    flags: tuple[KindDef, ...] = ()
    designations: tuple[KindDef, ...] = ()
    departments: tuple[DepartmentDef, ...] = ()
