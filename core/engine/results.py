"""Evaluation entry point and the compact Results it returns."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..errors import PluginError
from ..model import BINDING_STRENGTHS, COMMUNITIES_METRIC, STRENGTHS, Rule
from ..registry import LoadedStandard, Registry, get_registry
from .aggregates import _evaluate_aggregates, _plan_aggregate
from .compile import CompiledRule, compile_standard
from .inherit import with_parent
from .metrics import MetricResolver
from .verdicts import (
    DEPARTS,
    EXACT,
    F64,
    FAIL,
    IDENTITY,
    NOT_APPLICABLE,
    NOT_DUE,
    NOT_IN_FORCE,
    PASS,
    UNKNOWN,
    VERDICTS,
)

#: How a restates group's verdict is chosen from its members': the first of these any member has.
_SEVERITY = (FAIL, DEPARTS, UNKNOWN, PASS, NOT_DUE, NOT_APPLICABLE, NOT_IN_FORCE)

#: The verdict columns counted per strength: pass and unknown, and fail (binding) or departs (not binding).
#: The summary columns a notebook shows of :class:`Results`.
_HTML_COUNTS = ("pass", "fail", "departs", "unknown", "not_applicable", "not_due", "not_in_force", "compliance")

STRENGTH_COLUMNS = tuple(
    f"{verdict}_{strength}"
    for strength in STRENGTHS
    for verdict in ("pass", "fail" if strength in BINDING_STRENGTHS else "departs", "unknown")
)


@attrs.define
class Results:
    """Verdicts of communities under jurisdictions, compact until asked for detail.

    ``codes`` holds one Int8 verdict column per (jurisdiction, rule); the
    identity columns of every input community come first, so nothing is
    dropped. :meth:`details` expands selected rows into full records.
    """

    as_of: dt.date
    jurisdictions: list[LoadedStandard]
    rules: list[CompiledRule]
    codes: pl.DataFrame
    metrics_frame: pl.DataFrame
    #: Judges the rules over sets of communities: called once, when :attr:`aggregates` is first read.
    judge_aggregates: Callable[[], pl.DataFrame] = attrs.field(repr=False, eq=False)
    #: The strengths evaluated (``--strength``); empty: every strength.
    strengths: tuple[str, ...] = ()
    #: Judged with the parents' rules where the local standard is silent (``--inherit``):
    #: :meth:`details` then says where each rule comes from (``from``, ``level``).
    inherit: bool = False
    #: :meth:`summary`, computed once: the matrix, the totals and the JSON payload all read it.
    _summary: pl.DataFrame | None = attrs.field(default=None, init=False, repr=False, eq=False)
    _aggregates: pl.DataFrame | None = attrs.field(default=None, init=False, repr=False, eq=False)

    def __len__(self) -> int:
        return self.codes.height

    @property
    def aggregates(self) -> pl.DataFrame:
        """The verdicts of the rules over sets of communities (per jurisdiction and district), one row each.

        Judged when first read, then kept: a summary or a community's verdicts do not wait for them.
        """
        if self._aggregates is None:
            self._aggregates = self.judge_aggregates()
        return self._aggregates

    @property
    def community_ids(self) -> list[str]:
        return self.codes.get_column("id").to_list()

    def summary(self) -> pl.DataFrame:
        """Per community × jurisdiction: verdict counts, coverage and compliance with its denominator.

        Counts are of provisions: rules that restate one another (``restates``) count once, with the
        verdict of the member that weighs most (fail, departs, unknown, pass, not_due,
        not_applicable, not_in_force). ``covered``: some rule in force applies (or may: unknown).
        ``applicable``: pass + fail + departs + unknown (in force, due, and covering the community
        or perhaps covering it). ``judged``: binding (mandatory and target) provisions with pass or
        fail; ``compliance`` = binding passes ÷ judged (null when nothing is judged);
        ``unknown_share`` = unknown ÷ applicable. Per strength: ``pass_<s>``, ``unknown_<s>``, and
        ``fail_<s>`` for binding strengths or ``departs_<s>`` for guidance and permissive ones.
        """
        if self._summary is None:
            self._summary = self._compute_summary()
        return self._summary.clone()  # cheap (columns are shared); a caller changing it in place changes no other

    def _compute_summary(self) -> pl.DataFrame:
        frames = self._summary_frames()
        if not frames:
            return pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String})
        # one jurisdiction at a time: as fast as all at once, and their intermediates are not all held together
        return pl.concat([frame.collect() for frame in frames])

    def _summary_frames(self) -> list[pl.LazyFrame]:
        """The summary of each jurisdiction, in order, as a query."""
        identity = [c for c in IDENTITY if c in self.codes.columns]
        binding_pass = pl.sum_horizontal([pl.col(f"pass_{s}") for s in BINDING_STRENGTHS])
        judged = binding_pass + pl.col("fail")
        applicable = pl.col("pass") + pl.col("fail") + pl.col("departs") + pl.col("unknown")
        totals = [
            pl.when(judged > 0).then(binding_pass / judged).otherwise(None).alias("compliance"),
            (applicable + pl.col("not_due") > 0).alias("covered"),
            applicable.cast(COUNT).alias("applicable"),
            judged.cast(COUNT).alias("judged"),
            pl.when(applicable > 0).then(pl.col("unknown") / applicable).otherwise(None).alias("unknown_share"),
        ]
        frames = []
        for loaded in self.jurisdictions:
            rules = [r for r in self.rules if r.jurisdiction == loaded.id]
            if len(rules) > _COUNT_MAX:
                raise PluginError(f"{loaded.id}: {len(rules)} rules, more than a summary count holds ({_COUNT_MAX})")
            groups = _restates_groups(rules)
            # A rule standing alone is counted from its own Int8 verdict column, at its own strength;
            # only a restates group needs the combined code, computed once per group.
            single = [group[0] for group in groups if len(group) == 1]
            combined = {f"_provision{i}": _provision(group) for i, group in enumerate(g for g in groups if len(g) > 1)}
            packed: dict[str, pl.Expr] = {}
            counts = _counts(single, list(combined), packed)
            if packed and len(single) + len(combined) < 2**_BITS:
                # every strength packed, and no verdict more often than a field holds: the packed sums of
                # the strengths add up to one, whose fields are the counts of each verdict
                total = pl.sum_horizontal([pl.col(name) for name in packed])
                by_verdict = [_field(total, code).alias(name) for code, name in enumerate(VERDICTS)]
            else:
                by_verdict = [
                    pl.sum_horizontal([counts[code, strength] for strength in STRENGTHS]).cast(COUNT).alias(name)
                    for code, name in enumerate(VERDICTS)
                ]
            by_strength = []
            for name in STRENGTH_COLUMNS:
                verdict, _, strength = name.rpartition("_")
                by_strength.append(counts[VERDICTS.index(verdict), strength].alias(name))
            frames.append(
                self.codes.lazy()
                .with_columns(**combined)
                .with_columns(**packed)
                .select(*identity, pl.lit(loaded.id).alias("jurisdiction"), *by_verdict, *by_strength)
                .with_columns(totals)
            )
        return frames

    def has_failures(self) -> bool:
        """Whether any community (or set of communities) fails any rule."""
        keys = [r.key for r in self.rules]
        failing = bool(keys) and self.codes.select(pl.any_horizontal([pl.col(k) == FAIL for k in keys]).any()).item()
        if not failing and not self.aggregates.is_empty():
            failing = bool((self.aggregates.get_column("verdict_code") == FAIL).any())
        return bool(failing)

    def totals(self) -> pl.DataFrame:
        """Per jurisdiction: verdict counts over all communities, coverage, and how many fully comply.

        ``communities``: every community in the data; ``covered``: those some rule in force covers.
        ``fully_compliant``: judged communities with no fail and no unknown. ``mean_compliance`` is
        the mean over the ``mean_compliance_of`` communities with something judged (covered ones
        only); ``unknown_share`` = all unknowns ÷ all applicable provisions.
        """
        summary = self.summary()
        return summary.group_by("jurisdiction", maintain_order=True).agg(
            pl.len().alias("communities"),
            pl.col("covered").sum().cast(pl.Int32).alias("covered"),
            *(pl.col(v).sum().cast(pl.Int64) for v in VERDICTS),
            *(pl.col(c).sum().cast(pl.Int64) for c in STRENGTH_COLUMNS),
            pl.col("judged").sum().cast(pl.Int64),
            ((pl.col("judged") > 0) & (pl.col("fail") == 0) & (pl.col("unknown") == 0))
            .sum()
            .cast(pl.Int32)
            .alias("fully_compliant"),
            pl.col("compliance").mean().alias("mean_compliance"),
            pl.col("compliance").is_not_null().sum().cast(pl.Int32).alias("mean_compliance_of"),
            pl.when(pl.col("applicable").sum() > 0)
            .then(pl.col("unknown").sum() / pl.col("applicable").sum())
            .otherwise(None)
            .alias("unknown_share"),
        )

    def matrix(self) -> pl.DataFrame:
        """Communities × jurisdictions, each cell ``pass/fail/unknown (compliance % of judged; unknown %)``.

        Pass and fail count binding provisions (mandatory, target); departures from guidance and
        permissions follow when there are any: ``3/1/4 (75% of 4; 50% unknown; 1 departs)``.
        """

        def percent(column: str) -> pl.Expr:
            return (pl.col(column) * 100).round(0).cast(pl.Int64).cast(pl.String)

        binding_pass = pl.sum_horizontal([pl.col(f"pass_{s}") for s in BINDING_STRENGTHS])
        compliance = pl.when(pl.col("judged") > 0).then(
            pl.concat_str([percent("compliance"), pl.lit("% of "), pl.col("judged").cast(pl.String), pl.lit("; ")])
        )
        departs = pl.when(pl.col("departs") > 0).then(
            pl.concat_str([pl.lit("; "), pl.col("departs").cast(pl.String), pl.lit(" departs")])
        )
        counts = pl.concat_str(
            [
                binding_pass.cast(pl.String),
                pl.lit("/"),
                pl.col("fail").cast(pl.String),
                pl.lit("/"),
                pl.col("unknown").cast(pl.String),
                pl.lit(" ("),
                compliance.otherwise(pl.lit("nothing judged; ")),
                percent("unknown_share"),
                pl.lit("% unknown"),
                departs.otherwise(pl.lit("")),
                pl.lit(")"),
            ]
        )
        cell = (
            pl.when(pl.col("applicable") > 0)
            .then(counts)
            .when(pl.col("not_due") > 0)
            .then(pl.lit("not due"))
            .when((pl.col("not_in_force") > 0) & (pl.col("not_applicable") == 0))
            .then(pl.lit("not in force"))
            .otherwise(pl.lit("not covered"))
        )
        summary = self.summary().with_columns(cell.alias("cell"))
        identity = [c for c in ("id", "name", "district", "kind") if c in summary.columns]
        wide = summary.pivot(on="jurisdiction", index=identity, values="cell")
        return wide

    def detail_batches(self, verdicts: Sequence[str] | None = None, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """:meth:`details` (every community, rule and jurisdiction) in parts of about ``rows`` rows, in its order.

        ``rows``: default :data:`DETAIL_BATCH_ROWS`.

        Each part holds the rows of consecutive communities, so the parts put together are
        :meth:`details`' frame; only one part is in memory at a time (a million communities under
        the built-in standards have 149 million rows).
        """
        ids = self.community_ids
        per = max(1, (rows or DETAIL_BATCH_ROWS) // max(1, len(self.rules)))
        for start in range(0, len(ids), per):
            yield self.details(ids=ids[start : start + per], verdicts=verdicts)

    def details(
        self,
        ids: Sequence[str] | None = None,
        jurisdictions: Sequence[str] | None = None,
        rules: Sequence[str] | None = None,
        verdicts: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """One row per (community, jurisdiction, rule) with value, requirement, shortfall and source."""
        frame = self.metrics_frame
        if ids is not None:
            frame = frame.filter(pl.col("id").is_in(list(ids)))
        selected = [
            r
            for r in self.rules
            if (jurisdictions is None or r.jurisdiction in jurisdictions) and (rules is None or r.rule.id in rules)
        ]
        columns = []
        for compiled in selected:
            rule = compiled.rule
            origin = [
                pl.lit(compiled.origin or compiled.jurisdiction, dtype=pl.String).alias("from"),
                pl.lit(compiled.level, dtype=pl.String).alias("level"),
            ]
            frame_rule = frame.select(
                pl.col("id"),
                pl.lit(compiled.jurisdiction).alias("jurisdiction"),
                *(origin if self.inherit else []),
                pl.lit(rule.id).alias("rule"),
                pl.lit(rule.title).alias("title"),
                pl.lit(rule.metric).alias("metric"),
                compiled.verdict().alias("verdict_code"),
                compiled.part.value.cast(F64).alias("value"),
                compiled.part.text.cast(pl.String).alias("required"),
                compiled.part.lo.cast(F64).alias("required_min"),
                compiled.part.hi.cast(F64).alias("required_max"),
                pl.lit(rule.tolerance, dtype=F64).alias("tolerance"),
                compiled.shortfall().alias("shortfall"),
                compiled.shortfall_basis().alias("shortfall_basis"),
                pl.lit(compiled.unit).alias("unit"),
                (compiled.due_expr if compiled.due_expr is not None else pl.lit(compiled.due, dtype=pl.Date)).alias(
                    "due"
                ),
                pl.lit(rule.strength).alias("strength"),
                pl.lit(compiled.document).alias("document"),
                pl.lit(rule.source.clause).alias("clause"),
                pl.lit(rule.source.text).alias("quote"),
            )
            columns.append(frame_rule)
        if not columns:
            empty = _empty_details()
            if self.inherit:
                empty = empty.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in INHERIT_COLUMNS)
                return empty.select(self.detail_columns)
            return empty
        details = pl.concat(columns, how="vertical_relaxed")
        # order: community input order, then jurisdiction, then rule order in the standard
        order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
        rule_order = pl.DataFrame(
            {
                "jurisdiction": [r.jurisdiction for r in selected],
                "rule": [r.rule.id for r in selected],
                "_rule": list(range(len(selected))),
            }
        )
        details = (
            details.join(order, on="id", how="left")
            .join(rule_order, on=["jurisdiction", "rule"], how="left")
            .sort(["_row", "_rule"])
            .drop("_row", "_rule")
        )
        not_met = pl.col("verdict_code").is_in([PASS, FAIL]).not_()
        unmet = pl.col("verdict_code").is_in([FAIL, DEPARTS])
        met = pl.col("verdict_code") == PASS
        details = details.with_columns(
            pl.col("verdict_code")
            .replace_strict(list(range(len(VERDICTS))), list(VERDICTS), return_dtype=pl.String)
            .alias("verdict"),
            pl.when(unmet).then(pl.col("shortfall")).when(met).then(pl.lit(0.0)).otherwise(None).alias("shortfall"),
            pl.when(unmet)
            .then(pl.col("shortfall_basis"))
            .when(met)
            .then(pl.lit(EXACT))
            .otherwise(None)
            .alias("shortfall_basis"),
            pl.when(not_met & (pl.col("verdict_code") == NOT_APPLICABLE))
            .then(None)
            .otherwise(pl.col("required"))
            .alias("required"),
        )
        if verdicts is not None:
            details = details.filter(pl.col("verdict").is_in(list(verdicts)))
        return details.select(self.detail_columns)

    @property
    def detail_columns(self) -> list[str]:
        """The columns of :meth:`details`: with inheritance, ``from`` and ``level`` follow ``jurisdiction``."""
        if not self.inherit:
            return DETAIL_COLUMNS
        at = DETAIL_COLUMNS.index("jurisdiction") + 1
        return [*DETAIL_COLUMNS[:at], *INHERIT_COLUMNS, *DETAIL_COLUMNS[at:]]

    def aggregate_details(self) -> pl.DataFrame:
        """Results of aggregate rules: one row per jurisdiction × rule × district (and "(all)")."""
        if self.aggregates.is_empty():
            return self.aggregates
        return self.aggregates.with_columns(
            pl.col("verdict_code")
            .replace_strict(list(range(len(VERDICTS))), list(VERDICTS), return_dtype=pl.String)
            .alias("verdict")
        ).drop("verdict_code")

    def _repr_html_(self) -> str:
        """How a notebook shows results: per community × jurisdiction counts and compliance (first rows).

        Only the communities shown are summarised (a big result is not summarised whole to
        be displayed); the last line says how many rows are left out.
        """
        from ..output import HTML_ROWS, render_html

        jurisdictions = max(len(self.jurisdictions), 1)
        shown = attrs.evolve(self, codes=self.codes.head(-(-HTML_ROWS // jurisdictions)))
        summary = shown.summary().head(HTML_ROWS)
        keep = [c for c in (*IDENTITY, "jurisdiction", *_HTML_COUNTS) if c in summary.columns]
        title = (
            f"Results: {len(self)} communities × {len(self.jurisdictions)} jurisdictions, "
            f"as of {self.as_of.isoformat()}"
        )
        notes = [f"strengths: {', '.join(self.strengths)}"] if self.strengths else []
        notes.append("provisions per verdict; compliance = binding pass ÷ judged (empty: nothing judged)")
        return render_html(
            summary.select(keep).to_dicts(), keep, title, notes, total=len(self) * len(self.jurisdictions)
        )

    def to_polars(self) -> pl.DataFrame:
        """Every community-level result as a long Polars DataFrame (expand only what you need on big data)."""
        return self.details()

    def records(self) -> list[dict[str, Any]]:
        """Every community-level result as plain dicts (dates as ISO text)."""
        return [
            {key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in row.items()}
            for row in self.details().iter_rows(named=True)
        ]


DETAIL_COLUMNS = [
    "id",
    "jurisdiction",
    "rule",
    "title",
    "metric",
    "verdict",
    "value",
    "required",
    "required_min",
    "required_max",
    "tolerance",
    "shortfall",
    "shortfall_basis",
    "unit",
    "due",
    "strength",
    "document",
    "clause",
    "quote",
]

#: The columns :meth:`Results.details` adds when judged with inheritance: the jurisdiction whose standard
#: the rule comes from, and that standard's level (``national``, ``city`` …).
INHERIT_COLUMNS = ["from", "level"]


def _empty_details() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(DETAIL_COLUMNS, pl.String)
    schema.update(
        {"value": F64, "required_min": F64, "required_max": F64, "tolerance": F64, "shortfall": F64, "due": pl.Date}
    )
    return pl.DataFrame(schema=schema)


def _provision(group: list[CompiledRule]) -> pl.Expr:
    """A restates group's verdict and strength as one code: severity rank × strengths + strength.

    The least code is the member that weighs most: the most severe verdict, the strongest strength.
    """
    width = len(STRENGTHS)
    rank = pl.Series([_SEVERITY.index(code) for code in range(len(VERDICTS))], dtype=pl.Int64)
    return pl.min_horizontal(
        [pl.lit(rank).gather(pl.col(r.key)) * width + STRENGTHS.index(r.rule.strength) for r in group]
    )


#: Rows of :meth:`Results.details` in one part of :meth:`Results.detail_batches` (about: whole communities).
DETAIL_BATCH_ROWS = 500_000

#: The type of a community's counts in :meth:`Results.summary` (a count is at most a standard's
#: provisions: a few hundred). Int16 rather than Int32 spares 250 MiB for a million communities under
#: six standards; sums over communities (:meth:`Results.totals`) are Int64.
COUNT = pl.Int16
_COUNT_MAX = 2**15 - 1

#: Bits per verdict in a packed count (:func:`_counts`): up to 255 provisions of one strength per jurisdiction.
_BITS = 8


def _counts(
    single: list[CompiledRule], combined: list[str], packed: dict[str, pl.Expr]
) -> dict[tuple[int, str], pl.Expr]:
    """How many provisions have each verdict at each strength (:data:`COUNT`), keyed ``(verdict, strength)``.

    Per strength, each provision adds ``2 ** (8 × verdict)`` (looked up by its code) to one Int64, so one
    sum counts all seven verdicts at once, 8 bits each; a standard with more provisions of one strength
    than 8 bits hold is counted verdict by verdict instead. The packed sums are added to ``packed``
    (column name → expression), to be computed once, before the counts that read them.
    """
    width = len(STRENGTHS)
    counts: dict[tuple[int, str], pl.Expr] = {}
    for strength in STRENGTHS:
        lone = [r for r in single if r.rule.strength == strength]
        if len(lone) + len(combined) >= 2**_BITS:
            for verdict in range(len(VERDICTS)):
                counts[verdict, strength] = _count(lone, combined, verdict, strength)
            continue
        by_code = pl.Series([1 << (_BITS * code) for code in range(len(VERDICTS))], dtype=pl.Int64)
        # a group's code is severity rank × strengths + strength: it adds only at its own strength
        by_group_code = pl.Series(
            [
                (1 << (_BITS * _SEVERITY[code // width])) if STRENGTHS[code % width] == strength else 0
                for code in range(len(_SEVERITY) * width)
            ],
            dtype=pl.Int64,
        )
        terms = [pl.lit(by_code).gather(pl.col(r.key)) for r in lone]
        terms += [pl.lit(by_group_code).gather(pl.col(name)) for name in combined]
        if not terms:
            for verdict in range(len(VERDICTS)):
                counts[verdict, strength] = pl.lit(0, dtype=COUNT)
            continue
        name = f"_packed_{strength}"
        packed[name] = pl.sum_horizontal(terms)
        for verdict in range(len(VERDICTS)):
            counts[verdict, strength] = _field(pl.col(name), verdict)
    return counts


def _field(packed: pl.Expr, verdict: int) -> pl.Expr:
    """The count of ``verdict`` in a packed sum: its field of :data:`_BITS` bits (a mask, not a modulo: faster)."""
    return ((packed // (1 << (_BITS * verdict))) & ((1 << _BITS) - 1)).cast(COUNT)


def _count(single: list[CompiledRule], combined: list[str], verdict: int, strength: str) -> pl.Expr:
    """How many provisions have ``verdict`` at ``strength``: lone rules by their verdict column, groups by code."""
    tests = [pl.col(r.key) == verdict for r in single if r.rule.strength == strength]
    code = _SEVERITY.index(verdict) * len(STRENGTHS) + STRENGTHS.index(strength)
    tests += [pl.col(name) == code for name in combined]
    if not tests:
        return pl.lit(0, dtype=COUNT)
    return pl.sum_horizontal([test.cast(pl.Int32) for test in tests]).cast(COUNT)


def _restates_groups(rules: list[CompiledRule]) -> list[list[CompiledRule]]:
    """The rules of one standard grouped by ``restates`` links (either direction), in rule order."""
    index = {r.rule.id: i for i, r in enumerate(rules)}
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, compiled in enumerate(rules):
        for other in compiled.rule.restates:
            if other in index:  # a linked aggregate rule is not summarised per community
                parent[root(index[other])] = root(i)
    groups: dict[int, list[CompiledRule]] = {}
    for i, compiled in enumerate(rules):
        groups.setdefault(root(i), []).append(compiled)
    return list(groups.values())


def community_frame(communities: Any) -> pl.DataFrame:
    """The community table of anything :func:`evaluate` accepts: a path, a CommunityTable, a frame, records."""
    if isinstance(communities, pl.DataFrame):
        return communities
    from ..io import CommunityTable, load_communities

    if isinstance(communities, CommunityTable):
        return communities.frame
    if isinstance(communities, (str, Path)):
        return load_communities(communities).frame
    from ..io import communities_frame

    return communities_frame(list(communities)).frame


def evaluate(
    communities: Any,
    jurisdictions: Iterable[str | LoadedStandard] | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    strengths: Iterable[str] = (),
    inherit: bool = False,
) -> Results:
    """Judge communities under jurisdictions as of a date (default: today).

    :param communities: a path, a :class:`shequ.io.CommunityTable`, a Polars
        DataFrame in the canonical layout, or an iterable of
        :class:`shequ.model.Community`.
    :param jurisdictions: jurisdiction ids or loaded standards (default: all installed).
    :param as_of: the evaluation date: rules whose document is not yet issued are
        ``not_in_force``, rules not yet due are ``not_due``.
    :param strengths: only rules of these strengths (``mandatory``, ``target``, ``guidance``,
        ``permissive``); empty: every rule.
    :param inherit: also judge each jurisdiction's parent's rules (``parent`` in its
        ``[jurisdiction]``) on every concept the local standard does not regulate; the
        details then name where each rule comes from (``from``, ``level``).
    """
    registry = registry or get_registry()
    as_of = as_of or dt.date.today()
    standards = [
        j if isinstance(j, LoadedStandard) else registry.get(j) for j in (jurisdictions or [])
    ] or registry.select()
    origins: dict[str, dict[str, tuple[str, str | None]]] = {}
    if inherit:
        inherited = [with_parent(loaded, registry) for loaded in standards]
        standards = [item.loaded for item in inherited]
        origins = {item.loaded.id: item.origins for item in inherited}
    strengths = tuple(s for s in STRENGTHS if s in set(strengths))
    if strengths:
        standards = [_with_strengths(loaded, strengths) for loaded in standards]
    frame = community_frame(communities)
    columns = frozenset(frame.columns)
    metrics = MetricResolver(registry.catalog, columns)
    compiled: list[CompiledRule] = []
    aggregate_rules: list[tuple[LoadedStandard, Rule]] = []
    for loaded in standards:
        rules, set_rules = compile_standard(loaded, metrics, as_of, columns)
        if inherit:
            own = (loaded.id, loaded.standard.jurisdiction.level)
            rules = [
                attrs.evolve(rule, origin=origin, level=level)
                for rule in rules
                for origin, level in [origins[loaded.id].get(rule.rule.id, own)]
            ]
        compiled += rules
        aggregate_rules += [(loaded, rule) for rule in set_rules]
    # aggregates may add metrics: compile their expressions before building the metrics table
    plans = [
        _plan_aggregate(i, rule, loaded, metrics, as_of, columns) for i, (loaded, rule) in enumerate(aggregate_rules)
    ]
    identity = [pl.col(c) for c in IDENTITY if c in columns]
    metrics_frame = metrics.table(frame)
    codes = metrics_frame.lazy().select(*identity, *(rule.verdict() for rule in compiled)).collect()
    return Results(
        as_of=as_of,
        jurisdictions=standards,
        rules=compiled,
        codes=codes,
        metrics_frame=metrics_frame,
        judge_aggregates=functools.partial(_evaluate_aggregates, plans, metrics_frame),
        strengths=strengths,
        inherit=inherit,
    )


def _with_strengths(loaded: LoadedStandard, strengths: tuple[str, ...]) -> LoadedStandard:
    """The standard with only the rules of ``strengths`` (restates links to the others dropped)."""
    kept = [rule for rule in loaded.standard.rules if rule.strength in strengths]
    ids = {rule.id for rule in kept}
    rules = tuple(attrs.evolve(rule, restates=tuple(r for r in rule.restates if r in ids)) for rule in kept)
    return attrs.evolve(loaded, standard=attrs.evolve(loaded.standard, rules=rules))


def input_columns(registry: Registry, standards: Iterable[LoadedStandard] | None = None) -> dict[str, str]:
    """The community-table columns the standards' rules read, each with its kind.

    Kinds: ``int`` (counts, members), ``floor``, ``float`` and ``list`` (flags,
    designations). Python-computed metrics contribute nothing: their inputs
    are not declared.
    """
    catalog = registry.catalog
    needed: dict[str, str] = {}

    def add(metric_id: str | None) -> None:
        if metric_id is None or metric_id == COMMUNITIES_METRIC:  # counted, never read
            return
        definition = catalog.metric(metric_id)
        if definition.compute is not None:
            return
        if definition.formula_kind is not None:  # ratio, sum, difference, product: their operands' columns
            for part in definition.operands:
                add(part)
            return
        family = metric_id.split(".")[0]
        if family in ("flag", "designation"):
            needed[f"{family}s"] = "list"
        elif family == "floor":
            needed[definition.column or metric_id] = "floor"
        elif family in ("count", "members"):
            needed[definition.column or metric_id] = "int"
        else:
            needed[definition.column or metric_id] = "float"

    for loaded in standards if standards is not None else registry.select():
        for rule in loaded.standard.rules:
            add(rule.metric)
            for flag in rule.applies_to.flags:
                add(f"flag.{flag}")
            for condition in rule.applies_to.when:
                add(condition.metric)
            for requirement in forms.walk(rule.requirement):
                for _field, metric_id in forms.references(requirement):
                    add(metric_id)
        for obligation in loaded.standard.obligations:
            add(obligation.basis)
    return dict(sorted(needed.items()))
