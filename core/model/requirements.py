"""Requirement forms: one attrs class per form, told apart by the ``form`` key.

This is the schema: what a standard's TOML may say. What each form means
(its words, its Polars compilation, its stages, what it nests) lives in one
module per form in :mod:`shequ.forms`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Union, get_args

from attrs import field, frozen

from ._validators import _bounds_ordered, _check, _non_negative, _one_of, _positive


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
        return (
            (self.min is None or value >= self.min)
            and (self.max is None or value <= self.max)
            and (self.present is None or (value >= 1) == self.present)
        )


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


@frozen(kw_only=True)
class AllOf:
    """Parts that must all be met: met when every part is met, not met when any part is not,
    unknown when none fails and some part cannot be judged (Kleene "and")."""

    form: Literal["all_of"] = "all_of"
    options: tuple[Requirement, ...]

    def __attrs_post_init__(self) -> None:
        _check(len(self.options) >= 2, "'all_of' needs at least two options")


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


# typing.Union, not `|`: cattrs dispatches on this exact object and string annotations resolve to it
Requirement = Union[  # noqa: UP007
    Minimum,
    Maximum,
    Range,
    ScaledMinimum,
    Share,
    Present,
    Placement,
    Conditional,
    Staged,
    AnyOf,
    Aggregate,
    AllOf,
]


#: Each ``form`` key to its class, in the order of :data:`Requirement`.
REQUIREMENT_FORMS: dict[str, type] = {cls.__attrs_attrs__.form.default: cls for cls in get_args(Requirement)}


def is_aggregate(requirement: Requirement) -> bool:
    """Whether a requirement is judged over a set of communities: an aggregate, or stages of aggregates.

    A fact of the schema, not behaviour: :attr:`Rule.aggregate` needs it and
    the model imports nothing above itself (:mod:`shequ.forms` gives the forms behaviour).
    """
    if isinstance(requirement, Staged):
        return any(is_aggregate(stage.requirement) for stage in requirement.stages)
    return isinstance(requirement, Aggregate)
