"""Catalog entries a plugin may add: metrics, concepts, kinds, departments."""

from __future__ import annotations

import math

from attrs import field, frozen

from ._validators import _check, _non_empty

#: The declarative formulas a catalog metric may have instead of a ``column`` (see :class:`MetricDef`).
FORMULA_KINDS = ("ratio", "sum", "difference", "product")


@frozen(kw_only=True)
class MetricProduct:
    """A metric times a constant: ``product = { metric = "households", factor = 0.5 }``."""

    metric: str = field(validator=_non_empty)
    factor: float

    def __attrs_post_init__(self) -> None:
        _check(math.isfinite(self.factor), f"'factor' must be a finite number: {self.factor}")


@frozen(kw_only=True)
class MetricDef:
    """A catalog metric: how a number is computed from a community.

    Exactly one of ``column`` (a column of the community table) or a
    declarative formula over other metrics is given: ``ratio`` (numerator ÷
    denominator), ``sum`` (two or more metrics added), ``difference`` (the
    first minus the second) or ``product`` (a metric times a constant); unless a
    Python plugin supplies ``compute`` (a callable returning a Polars
    expression). A derived metric's unit is checked against its operands'
    units once the whole catalog is in (:meth:`shequ.catalog.Catalog.check_formulas`).
    """

    id: str = field(validator=_non_empty)
    unit: str = ""
    zh: str = field(validator=_non_empty)
    en: str = ""
    column: str | None = None
    ratio: tuple[str, str] | None = None
    #: Two or more metrics added up (``sum = ["a", "b"]``); null where any is unknown.
    sum: tuple[str, ...] | None = None
    #: The first metric minus the second (``difference = ["a", "b"]``); null where either is unknown.
    difference: tuple[str, str] | None = None
    #: A metric times a constant (``product = { metric = "a", factor = 0.5 }``).
    product: MetricProduct | None = None
    #: Chinese column headers accepted for this metric's column in spreadsheets.
    aliases: tuple[str, ...] = ()
    #: Set when only some jurisdictions use the metric.
    jurisdictions: tuple[str, ...] = ()
    compute: object | None = field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        given = [name for name in (*FORMULA_KINDS, "column") if getattr(self, name) is not None]
        _check(
            len(given) <= 1,
            f"metric '{self.id}' gives {' and '.join(repr(name) for name in given)}: give one of "
            "'column', 'ratio', 'sum', 'difference' or 'product'",
        )
        if self.sum is not None:
            _check(len(self.sum) >= 2, f"metric '{self.id}': 'sum' adds two or more metrics, got {len(self.sum)}")

    @property
    def formula_kind(self) -> str | None:
        """``ratio``, ``sum``, ``difference`` or ``product`` for a declarative derived metric; else None."""
        for name in FORMULA_KINDS:
            if getattr(self, name) is not None:
                return name
        return None

    @property
    def operands(self) -> tuple[str, ...]:
        """The metric ids a derived metric is computed from, in order (empty for any other metric)."""
        if self.product is not None:
            return (self.product.metric,)
        return tuple(self.ratio or self.sum or self.difference or ())

    @property
    def formula(self) -> str | None:
        """The derived metric's formula in words, e.g. ``service_space_m2 − staff_office_m2``; None if not derived."""
        if self.ratio is not None:
            return f"{self.ratio[0]} ÷ {self.ratio[1]}"
        if self.sum is not None:
            return " + ".join(self.sum)
        if self.difference is not None:
            return f"{self.difference[0]} − {self.difference[1]}"
        if self.product is not None:
            return f"{self.product.metric} × {self.product.factor:g}"
        return None


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
    #: Event date columns a deadline may count from (``due = { after = "handover_date", days = 15 }``).
    events: tuple[KindDef, ...] = ()
