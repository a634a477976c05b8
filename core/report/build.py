"""From a registry (and community data) to the charts of every kind, in one language.

:class:`Scope` holds what a report or a chart is computed for: the registry
(reformed or not), the jurisdictions, the date, the community kind, the
strengths, the language and the data; :func:`make_chart` draws one kind,
:func:`make_charts` every kind the scope allows (the data kinds only with data).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from . import charts as c
from . import data as d
from .labels import check_lang

if TYPE_CHECKING:
    from ..engine import Results
    from ..io import CommunityTable
    from ..registry import Registry


@attrs.frozen(eq=False)
class Scope:
    """What the charts are computed for.

    ``communities``: the validated data (None: only the standards' charts);
    ``households``: the size of the strictness map's reference community;
    ``all_concepts``: the map shows every concept, not only those two or more jurisdictions say something about.
    """

    registry: Registry
    jurisdictions: tuple[str, ...] = ()
    as_of: dt.date = attrs.field(factory=dt.date.today)
    kind: str = "urban"
    strengths: tuple[str, ...] = ()
    lang: str = attrs.field(default="zh", validator=lambda _i, _a, value: check_lang(value))
    communities: CommunityTable | None = None
    households: int = d.REFERENCE_HOUSEHOLDS
    persons_per_household: float | None = None
    all_concepts: bool = False

    @property
    def ids(self) -> list[str]:
        """The selected jurisdictions' ids, in the registry's order."""
        return [loaded.id for loaded in self.registry.select(self.jurisdictions)]

    @property
    def names(self) -> dict[str, str]:
        return d.jurisdiction_names(self.registry, self.jurisdictions, self.lang)

    @property
    def strength_filter(self) -> tuple[str, ...] | None:
        return self.strengths or None

    @functools.cached_property
    def results(self) -> Results:
        """The verdicts on the data (only with data)."""
        from ..engine import evaluate

        if self.communities is None:
            raise ValueError("compliance needs community data")
        return evaluate(self.communities, self.ids, self.as_of, registry=self.registry, strengths=self.strengths)


def available_kinds(scope: Scope) -> list[str]:
    """The chart kinds the scope can draw: every standards kind, and the data kinds with data (not the sweep)."""
    return [
        kind
        for kind in c.CHART_KINDS
        if kind != "sweep" and (kind not in c.DATA_KINDS or scope.communities is not None)
    ]


def chart_frame(kind: str, scope: Scope) -> pl.DataFrame:
    """The frame a chart kind draws, for the scope (the sweep's frame is given, not computed here)."""
    if kind in c.DATA_KINDS and scope.communities is None:
        raise ValueError(f"the {kind} chart needs community data")
    if kind == "scaling":
        return d.scaling_frame(scope.registry, scope.ids, scope.as_of, scope.kind, scope.strength_filter)
    if kind == "strictness":
        frame = d.strictness_frame(
            scope.registry,
            scope.ids,
            scope.as_of,
            scope.kind,
            scope.households,
            scope.persons_per_household,
            scope.strength_filter,
        )
        return frame if scope.all_concepts else d.shared_only(frame)
    if kind == "compliance":
        return d.compliance_frame(scope.results)
    if kind == "failing":
        return d.failing_rules_frame(scope.results, scope.registry)
    if kind == "timeline":
        return d.timeline_frame(scope.registry, scope.ids, scope.as_of, scope.communities, scope.strength_filter)
    if kind == "responsibilities":
        return d.responsibility_frame(scope.registry, scope.ids, scope.as_of, scope.strength_filter)
    if kind == "cost":
        return d.cost_frame(scope.registry, scope.communities, scope.ids, scope.as_of)
    raise ValueError(f"unknown chart kind {kind!r}; kinds: {', '.join(c.CHART_KINDS)}")


def make_chart(kind: str, scope: Scope, frame: pl.DataFrame | None = None, sweep_path: str = "") -> Any:
    """The Altair chart of ``kind`` for the scope (``frame``: draw this frame instead of computing it)."""
    if kind == "sweep":
        if frame is None:
            raise ValueError("the sweep chart draws a frame from `shequ whatif --sweep`")
        return c.sweep_chart(frame, scope.lang, sweep_path)
    frame = chart_frame(kind, scope) if frame is None else frame
    names = scope.names
    if kind == "strictness":
        return c.strictness_chart(frame, scope.lang, names, scope.kind)
    if kind == "timeline":
        return c.timeline_chart(frame, scope.lang, names, scope.as_of.isoformat())
    drawers = {
        "scaling": c.scaling_chart,
        "compliance": c.compliance_chart,
        "failing": c.failing_chart,
        "responsibilities": c.responsibilities_chart,
        "cost": c.cost_chart,
    }
    return drawers[kind](frame, scope.lang, names)


def make_charts(scope: Scope, kinds: Sequence[str] | None = None) -> dict[str, Any]:
    """Every chart of ``kinds`` (default: all the scope allows), by kind, in the report's order."""
    wanted = list(kinds) if kinds is not None else available_kinds(scope)
    return {kind: make_chart(kind, scope) for kind in c.CHART_KINDS if kind in wanted}
