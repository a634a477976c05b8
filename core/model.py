"""The domain model: what a standard declares and what a community is.

Every type here is a frozen, slotted, keyword-only attrs class. Standards are
structured from a plugin's TOML by the converter in :mod:`shequ.convert`;
communities come from a researcher's data through :mod:`shequ.io`. Missing data
stays ``None`` and is never read as zero. Invariants that concern one object
are attrs validators raising :class:`SchemaError`, so the converter can report
every broken object of a file at once, each with its path.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Union

import attrs
from attrs import field, frozen

COMMUNITY_KINDS = ("urban", "town", "rural", "village")
STRENGTHS = ("mandatory", "target", "guidance")
JURISDICTION_LEVELS = ("province", "city", "district", "county")


class SchemaError(ValueError):
    """A value is well-typed but breaks a rule of the schema; the message says which."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SchemaError(message)


def _non_negative(_instance, attribute, value) -> None:
    if value is not None and value < 0:
        raise SchemaError(f"'{attribute.name}' must be >= 0: {value}")


def _positive(_instance, attribute, value) -> None:
    if value is not None and value <= 0:
        raise SchemaError(f"'{attribute.name}' must be > 0: {value}")


def _non_empty(_instance, attribute, value) -> None:
    if isinstance(value, str) and not value.strip():
        raise SchemaError(f"'{attribute.name}' must not be empty")


def _one_of(choices: tuple[str, ...]):
    def check(_instance, attribute, value) -> None:
        if value is not None and value not in choices:
            raise SchemaError(
                f"'{attribute.name}' must be one of {', '.join(choices)}: {value!r}"
            )

    return check


def _bounds_ordered(instance) -> None:
    lo, hi = getattr(instance, "min", None), getattr(instance, "max", None)
    if lo is not None and hi is not None:
        _check(lo <= hi, f"'min' ({lo}) must not exceed 'max' ({hi})")


# --------------------------------------------------------------------------
# Provenance


@frozen(kw_only=True)
class Source:
    """Where a provision comes from: document, clause, and the exact words."""

    clause: str = field(validator=_non_empty)
    quote: str = field(validator=_non_empty)
    #: Document id; defaults to the standard's first document.
    document: str | None = None


@frozen(kw_only=True)
class Document:
    """A policy document a standard is encoded from."""

    id: str = field(validator=_non_empty)
    number: str | None = None  # 文号, e.g. 长政办〔2018〕61号
    title: str = field(validator=_non_empty)
    issuer: str | None = None
    date: dt.date | None = None
    status: str | None = None
    #: File name of the shipped document text, relative to the standard's TOML.
    text: str | None = None
    #: Readings chosen where the copy is damaged or ambiguous.
    notes: tuple[str, ...] = ()


@frozen(kw_only=True)
class Jurisdiction:
    """The body whose standard a plugin encodes."""

    id: str = field(validator=_non_empty)
    name: str = field(validator=_non_empty)
    name_en: str | None = None
    level: str | None = field(default=None, validator=_one_of(JURISDICTION_LEVELS))
    parent: str | None = None
    #: What is known to be wrong with the copy of the source, recorded honestly.
    copy_notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Requirements: one class per form, told apart by the ``form`` key.


@frozen(kw_only=True)
class Condition:
    """A test on one metric, used by conditional requirements and applicability."""

    metric: str
    min: float | None = None
    max: float | None = None
    present: bool | None = None

    def __attrs_post_init__(self) -> None:
        _bounds_ordered(self)
        _check(
            self.min is not None or self.max is not None or self.present is not None,
            "a condition needs 'min', 'max' or 'present'",
        )

    def holds(self, value: float | None) -> bool | None:
        """Whether one value meets the condition; None when the value is unknown."""
        if value is None:
            return None
        return ((self.min is None or value >= self.min) and (self.max is None or value <= self.max)
                and (self.present is None or (value >= 1) == self.present))


@frozen(kw_only=True)
class Minimum:
    """The metric must be at least ``value``."""

    form: Literal["min"] = "min"
    value: float
    metric: str | None = None


@frozen(kw_only=True)
class Maximum:
    """The metric must be at most ``value``."""

    form: Literal["max"] = "max"
    value: float
    metric: str | None = None


@frozen(kw_only=True)
class Range:
    """The metric must lie within ``min``..``max`` (both inclusive)."""

    form: Literal["range"] = "range"
    min: float
    max: float
    metric: str | None = None

    def __attrs_post_init__(self) -> None:
        _bounds_ordered(self)


@frozen(kw_only=True)
class ScaledMinimum:
    """At least ``rate`` per ``per`` units of ``basis``, and never below ``floor``.

    E.g. 30 m² per 100 households, at least 300 m²: a community of 1,500
    households needs max(300, 1500 / 100 × 30) = 450 m².
    """

    form: Literal["scaled_min"] = "scaled_min"
    rate: float = field(validator=_positive)
    per: float = field(default=1.0, validator=_positive)
    basis: str = "households"
    floor: float | None = field(default=None, validator=_non_negative)
    metric: str | None = None


@frozen(kw_only=True)
class Share:
    """The metric divided by ``of`` (times ``per``) must lie within min/max.

    ``min = 0.04`` with ``of = "population"`` reads "at least 4 % of residents";
    ``per = 10000`` reads "per 10,000 residents".
    """

    form: Literal["share"] = "share"
    of: str
    per: float = field(default=1.0, validator=_positive)
    min: float | None = None
    max: float | None = None
    metric: str | None = None

    def __attrs_post_init__(self) -> None:
        _bounds_ordered(self)
        _check(self.min is not None or self.max is not None, "a share needs 'min' or 'max'")


@frozen(kw_only=True)
class Present:
    """The metric must be present: a count of at least one, or a flag that is set."""

    form: Literal["present"] = "present"
    metric: str | None = None


@frozen(kw_only=True)
class Placement:
    """A facility must stand on one of ``floors``; basements are allowed only if said."""

    form: Literal["placement"] = "placement"
    floors: tuple[int, ...]
    basement: bool = False
    metric: str | None = None

    def __attrs_post_init__(self) -> None:
        _check(len(self.floors) > 0, "'floors' must list at least one floor")


@frozen(kw_only=True)
class Conditional:
    """``then`` applies when ``when`` holds; otherwise ``otherwise`` (or not applicable)."""

    form: Literal["conditional"] = "conditional"
    when: Condition
    then: Requirement
    otherwise: Requirement | None = None


@frozen(kw_only=True)
class Stage:
    """One step of a staged requirement: what is required from ``due`` on."""

    due: dt.date
    requirement: Requirement


@frozen(kw_only=True)
class Staged:
    """Values that tighten over time; the latest stage whose date has come is in force."""

    form: Literal["staged"] = "staged"
    stages: tuple[Stage, ...]

    def __attrs_post_init__(self) -> None:
        _check(len(self.stages) > 0, "'stages' must hold at least one stage")
        dues = [stage.due for stage in self.stages]
        _check(dues == sorted(dues) and len(set(dues)) == len(dues), "stages must be in strictly increasing date order")


@frozen(kw_only=True)
class AnyOf:
    """Alternatives: the requirement is met when any option is met."""

    form: Literal["any_of"] = "any_of"
    options: tuple[Requirement, ...]

    def __attrs_post_init__(self) -> None:
        _check(len(self.options) >= 2, "'any_of' needs at least two options")


AGGREGATE_STATISTICS = ("share", "sum", "rate", "count", "mean")
AGGREGATE_SCOPES = ("both", "jurisdiction", "district")


@frozen(kw_only=True)
class Aggregate:
    """A requirement on a set of communities, judged once per jurisdiction and district.

    statistic:
      - ``share``: the share of covered communities meeting ``condition``;
      - ``sum`` / ``mean``: of the metric over covered communities;
      - ``rate``: sum of the metric ÷ sum of ``of``, times ``per``;
      - ``count``: how many covered communities meet ``condition`` (all
        covered communities when there is none).

    ``scope`` says which sets are judged: ``both`` (the whole jurisdiction and
    each district), ``jurisdiction`` (a citywide total means nothing per
    street) or ``district`` (a quota each district must meet).
    """

    form: Literal["aggregate"] = "aggregate"
    statistic: str = field(validator=_one_of(AGGREGATE_STATISTICS))
    condition: Requirement | None = None
    of: str | None = None
    per: float = field(default=1.0, validator=_positive)
    min: float | None = None
    max: float | None = None
    scope: str = field(default="both", validator=_one_of(AGGREGATE_SCOPES))

    def __attrs_post_init__(self) -> None:
        _bounds_ordered(self)
        _check(self.min is not None or self.max is not None, "an aggregate needs 'min' or 'max'")
        if self.statistic == "share":
            _check(self.condition is not None, "statistic 'share' needs a 'condition'")
        if self.statistic == "rate":
            _check(self.of is not None, "statistic 'rate' needs 'of' (the denominator metric)")


Requirement = Union[
    Minimum, Maximum, Range, ScaledMinimum, Share, Present, Placement,
    Conditional, Staged, AnyOf, Aggregate,
]

REQUIREMENT_FORMS: dict[str, type] = {
    cls.__attrs_attrs__.form.default: cls  # type: ignore[attr-defined]
    for cls in (Minimum, Maximum, Range, ScaledMinimum, Share, Present, Placement,
                Conditional, Staged, AnyOf, Aggregate)
}


def walk_requirement(requirement: Requirement):
    """Yield ``requirement`` and every requirement nested in it, depth first."""
    yield requirement
    if isinstance(requirement, Conditional):
        yield from walk_requirement(requirement.then)
        if requirement.otherwise is not None:
            yield from walk_requirement(requirement.otherwise)
    elif isinstance(requirement, Staged):
        for stage in requirement.stages:
            yield from walk_requirement(stage.requirement)
    elif isinstance(requirement, AnyOf):
        for option in requirement.options:
            yield from walk_requirement(option)
    elif isinstance(requirement, Aggregate) and requirement.condition is not None:
        yield from walk_requirement(requirement.condition)


def is_aggregate(requirement: Requirement) -> bool:
    """Whether a requirement is judged over a set of communities."""
    if isinstance(requirement, Staged):
        return any(is_aggregate(stage.requirement) for stage in requirement.stages)
    return isinstance(requirement, Aggregate)


# --------------------------------------------------------------------------
# Rules, tasks, milestones, obligations


@frozen(kw_only=True)
class AppliesTo:
    """Which communities a rule covers; the empty default covers all."""

    kinds: tuple[str, ...] = field(default=(), validator=attrs.validators.deep_iterable(_one_of(COMMUNITY_KINDS)))
    #: Only communities in these districts (街道/区/县 names as the data gives them).
    districts: tuple[str, ...] = ()
    #: Every flag listed must be set (e.g. ``village_to_residence`` for 村改居).
    flags: tuple[str, ...] = ()
    #: Every condition must hold (e.g. ``population >= 5000``).
    when: tuple[Condition, ...] = ()


@frozen(kw_only=True)
class Rule:
    """One checkable provision: a metric, whom it covers, what it requires, by when."""

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    metric: str
    applies_to: AppliesTo = AppliesTo()
    requirement: Requirement
    #: Deadline; before it the rule is ``not_due``. Staged rules date each stage instead.
    due: dt.date | None = None
    strength: str = field(default="mandatory", validator=_one_of(STRENGTHS))
    source: Source
    #: The reading chosen where the text is ambiguous, and why.
    notes: str | None = None

    @property
    def aggregate(self) -> bool:
        return is_aggregate(self.requirement)


@frozen(kw_only=True)
class Task:
    """A responsibility assignment: who leads, is responsible, guides, cooperates."""

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    guiding: tuple[str, ...] = ()
    cooperating: tuple[str, ...] = ()
    due: dt.date | None = None
    rules: tuple[str, ...] = ()
    source: Source
    notes: str | None = None

    def __attrs_post_init__(self) -> None:
        _check(
            bool(self.lead or self.responsible or self.guiding or self.cooperating),
            "a task names at least one department (lead, responsible, guiding or cooperating)",
        )


@frozen(kw_only=True)
class Milestone:
    """A dated step of a standard's timeline."""

    id: str = field(validator=_non_empty)
    date: dt.date
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    responsible: tuple[str, ...] = ()
    source: Source
    notes: str | None = None


OBLIGATION_KINDS = ("yearly", "one_off")


@frozen(kw_only=True)
class Obligation:
    """Money a standard commits someone to pay: ``amount_yuan`` per ``per`` units of ``basis``.

    With no ``basis`` the amount is per community. ``min_yuan`` / ``max_yuan``
    bound the result for one community where the document sets a range.
    """

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    kind: str = field(validator=_one_of(OBLIGATION_KINDS))
    amount_yuan: float = field(validator=_non_negative)
    basis: str | None = None
    per: float = field(default=1.0, validator=_positive)
    min_yuan: float | None = field(default=None, validator=_non_negative)
    max_yuan: float | None = field(default=None, validator=_non_negative)
    payer: tuple[str, ...] = ()
    applies_to: AppliesTo = AppliesTo()
    due: dt.date | None = None
    source: Source
    notes: str | None = None


@frozen(kw_only=True)
class Unencoded:
    """A passage with numbers that is deliberately not encoded, and why."""

    quote: str = field(validator=_non_empty)
    reason: str = field(validator=_non_empty)
    document: str | None = None


# --------------------------------------------------------------------------
# Catalog entries a plugin may add


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
    facility_kinds: tuple[KindDef, ...] = ()
    organization_kinds: tuple[KindDef, ...] = ()
    flags: tuple[KindDef, ...] = ()
    designations: tuple[KindDef, ...] = ()
    departments: tuple[DepartmentDef, ...] = ()


@frozen(kw_only=True)
class Standard:
    """One jurisdiction's whole declared standard, as a plugin's TOML gives it."""

    jurisdiction: Jurisdiction
    documents: tuple[Document, ...]
    rules: tuple[Rule, ...] = ()
    tasks: tuple[Task, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    unencoded: tuple[Unencoded, ...] = ()
    catalog: CatalogAdditions = CatalogAdditions()

    def __attrs_post_init__(self) -> None:
        _check(len(self.documents) > 0, "a standard cites at least one document")

    @property
    def id(self) -> str:
        return self.jurisdiction.id

    def document(self, document_id: str | None) -> Document:
        """The document a source cites (the first one when the source names none)."""
        if document_id is None:
            return self.documents[0]
        for document in self.documents:
            if document.id == document_id:
                return document
        raise KeyError(document_id)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# --------------------------------------------------------------------------
# Communities


@frozen(kw_only=True)
class Facility:
    """A facility of a community (设施): its kind from the catalog, area and floor."""

    kind: str
    area_m2: float | None = field(default=None, validator=_non_negative)
    #: 1 is the ground floor; negative numbers are basements.
    floor: int | None = None
    provided_by: str | None = None
    project_floor_area_m2: float | None = field(default=None, validator=_non_negative)


@frozen(kw_only=True)
class Organization:
    """An organization in a community (组织): its kind from the catalog and members."""

    kind: str
    members: int | None = field(default=None, validator=_non_negative)


@frozen(kw_only=True)
class Community:
    """One community of a researcher's dataset. Missing values stay ``None``."""

    id: str = field(validator=_non_empty)
    name: str | None = None
    district: str | None = None
    kind: str | None = field(default=None, validator=_one_of(COMMUNITY_KINDS))
    households: int | None = field(default=None, validator=_non_negative)
    population: int | None = field(default=None, validator=_non_negative)
    party_members: int | None = field(default=None, validator=_non_negative)
    service_space_m2: float | None = field(default=None, validator=_non_negative)
    staff_office_m2: float | None = field(default=None, validator=_non_negative)
    facilities: tuple[Facility, ...] | None = None
    organizations: tuple[Organization, ...] | None = None
    staff: dict[str, float] | None = None
    volunteers: dict[str, float] | None = None
    finance: dict[str, float] | None = None
    grids: int | None = field(default=None, validator=_non_negative)
    service_radius_km: float | None = field(default=None, validator=_non_negative)
    flags: tuple[str, ...] | None = None
    designations: tuple[str, ...] | None = None
    #: Other measured indicators, keyed by name (catalog metrics read them as ``indicators.<name>``):
    #: trainings per year, resident units with a co-building agreement, …
    indicators: dict[str, float] | None = None
