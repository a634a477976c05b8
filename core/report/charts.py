"""One Vega-Lite chart (through Altair) per kind, from the frames of :mod:`.data`.

Every chart function takes its frame, the language and the jurisdictions'
labels, and returns an Altair chart whose data are inlined (``values``), so a
spec is complete by itself: :mod:`.export` writes it as SVG, PNG or HTML and
:mod:`.html` puts several in one page. States that are not a number (not
regulated, not encoded, not in force, unknown) get their own colour and a
legend entry; they are never drawn as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl

from .data import rows
from .labels import (
    FONT,
    KIND_LABELS,
    PERIOD_LABELS,
    ROLE_COLOURS,
    ROLE_LABELS,
    STATE_COLOURS,
    STATE_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    VERDICT_COLOURS,
    VERDICT_LABELS,
    label,
    text,
)

#: The chart kinds ``shequ chart`` draws and the report shows, in the report's order.
CHART_KINDS = ("scaling", "strictness", "compliance", "failing", "timeline", "responsibilities", "cost", "sweep")
#: The kinds that need community data.
DATA_KINDS = frozenset({"compliance", "failing", "cost", "sweep"})

WIDTH = 640
#: The width of one jurisdiction's column in the matrices.
COLUMN = 110


def _configured(chart: Any) -> Any:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=260)
        .configure_legend(labelFontSize=11, titleFontSize=12, labelLimit=320)
        .configure_title(fontSize=15, subtitleFontSize=11, anchor="start", subtitleColor="#555")
    )


def _top_axis() -> alt.Axis:
    """Column labels on top, horizontal, cut to the column (the full name is in the tooltip)."""
    return alt.Axis(orient="top", labelAngle=0, labelLimit=COLUMN - 6)


def _title(main: str, *subtitle: str) -> alt.TitleParams:
    lines = [line for line in subtitle if line]
    return alt.TitleParams(main, subtitle=lines) if lines else alt.TitleParams(main)


def _with_labels(frame: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    """The frame with ``jurisdiction_label`` (the jurisdiction's name in the chart's language)."""
    return frame.with_columns(
        pl.col("jurisdiction").replace_strict(dict(names), default=pl.col("jurisdiction")).alias("jurisdiction_label")
    )


def _mapped(frame: pl.DataFrame, column: str, table: Mapping[str, Mapping[str, str]], lang: str) -> pl.DataFrame:
    """The frame with ``<column>_label``: each id's label in ``lang``."""
    ids = frame[column].unique().drop_nulls().to_list()
    return frame.with_columns(
        pl.col(column)
        .replace_strict({i: label(table, i, lang) for i in ids}, default=pl.col(column))
        .alias(f"{column}_label")
    )


def _legend_scale(ids: list[str], table: Mapping[str, Mapping[str, str]], colours: Mapping[str, str], lang: str):
    """A colour scale whose legend shows the labels of ``ids`` in their given order."""
    return alt.Scale(domain=[label(table, i, lang) for i in ids], range=[colours[i] for i in ids])


# --------------------------------------------------------------------------
# The charts


def scaling_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str]) -> Any:
    """Required amount against households, one panel per metric, one line per jurisdiction.

    Jurisdictions without a number on a metric are named under its panel with their state.
    """
    frame = _mapped(_with_labels(frame, names), "category", STATE_LABELS, lang)
    panels = []
    order = [names.get(j, j) for j in names]
    for metric in frame["metric"].unique(maintain_order=True).to_list():
        part = frame.filter(pl.col("metric") == metric)
        title = part[f"metric_{lang}"][0]
        unit = part["unit"][0]
        drawn = part.filter(pl.col("required").is_not_null())
        missing = (
            part.filter(~pl.col("jurisdiction").is_in(drawn["jurisdiction"].unique().to_list()))
            .group_by("jurisdiction_label", maintain_order=True)
            .agg(pl.col("category_label").unique(maintain_order=True).str.join(" / "))
        )
        notes = [f"{r['jurisdiction_label']}: {r['category_label']}" for r in missing.iter_rows(named=True)]
        subtitle = [f"{text('not_drawn', lang)}:", *("; ".join(notes[i : i + 2]) for i in range(0, len(notes), 2))]
        base = alt.Chart(alt.Data(values=rows(drawn))).encode(
            x=alt.X("households:Q", title=text("households", lang), scale=alt.Scale(domain=[0, 5000])),
            y=alt.Y("required:Q", title=f"{text('required', lang)} ({unit})"),
            color=alt.Color(
                "jurisdiction_label:N",
                title=text("jurisdiction", lang),
                scale=alt.Scale(domain=order),
                legend=alt.Legend(orient="top", columns=3, symbolType="stroke"),
            ),
            # dashes tell apart lines that coincide (two standards requiring the same amount)
            strokeDash=alt.StrokeDash("jurisdiction_label:N", scale=alt.Scale(domain=order), legend=None),
            tooltip=[
                alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
                alt.Tooltip("households:Q", title=text("households", lang)),
                alt.Tooltip("required:Q", title=f"{text('required', lang)} ({unit})", format=",.0f"),
                alt.Tooltip("rules:N", title=text("rules", lang)),
            ],
        )
        layer = base.mark_line(strokeWidth=2) + base.mark_point(size=12, filled=True, opacity=0.6)
        panels.append(
            layer.properties(
                width=WIDTH,
                height=180,
                title=_title(title, *(subtitle if notes else ())),
            )
        )
    chart = alt.vconcat(*panels, title=_title(text("scaling", lang))).resolve_scale(color="shared")
    return _configured(chart)


def strictness_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str], kind: str = "urban") -> Any:
    """Concepts × jurisdictions: a shade of strictness where a number compares, a state colour elsewhere."""
    frame = _mapped(_with_labels(frame, names), "category", STATE_LABELS, lang)
    frame = frame.with_columns(pl.col(f"concept_{lang}").alias("concept_label"))
    households = int(frame["households"][0]) if frame.height else 0
    concepts = frame["concept_label"].unique(maintain_order=True).to_list()
    states = [s for s in STATE_COLOURS if s in set(frame["category"].to_list())]
    values = rows(frame)
    x = alt.X("jurisdiction_label:N", title=None, sort=list(names.values()), axis=_top_axis())
    y = alt.Y("concept_label:N", title=None, sort=concepts)
    tooltip = [
        alt.Tooltip("concept_label:N", title=text("concept", lang)),
        alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
        alt.Tooltip("category_label:N", title=text("state", lang)),
        alt.Tooltip("concrete:N", title=text("requirement", lang)),
        alt.Tooltip("strictness:Q", title=text("strictness", lang), format=".2f"),
        alt.Tooltip("rules:N", title=text("rules", lang)),
    ]
    base = alt.Chart(alt.Data(values=values)).encode(x=x, y=y, tooltip=tooltip)
    shades = (
        base.transform_filter("datum.category === 'regulated'")
        .mark_rect(stroke="#fff")
        .encode(
            color=alt.Color(
                "strictness:Q",
                title=text("strictness", lang),
                scale=alt.Scale(scheme="greens", domain=[0, 1]),
                legend=alt.Legend(orient="right", gradientLength=120),
            )
        )
    )
    others = (
        base.transform_filter("datum.category !== 'regulated'")
        .mark_rect(stroke="#bbb", strokeWidth=0.5)
        .encode(
            color=alt.Color(
                "category_label:N",
                title=text("state", lang),
                scale=_legend_scale(states, STATE_LABELS, STATE_COLOURS, lang),
                legend=alt.Legend(orient="right", symbolStrokeColor="#888", symbolType="square"),
            )
        )
    )
    numbers = (
        base.transform_filter("datum.category === 'regulated'")
        .mark_text(fontSize=10)
        .encode(
            text="number:N",
            color=alt.condition("datum.strictness > 0.6", alt.value("white"), alt.value("black")),
        )
    )
    chart = (
        alt.layer(shades, others, numbers)
        .resolve_scale(color="independent")
        .properties(
            width=max(COLUMN * len(names), 300),
            height=max(18 * len(concepts), 60),
            title=_title(
                text("strictness_title", lang),
                text("strictness_sub", lang, households=households, kind=label(KIND_LABELS, kind, lang)),
            ),
        )
    )
    return _configured(chart)


def compliance_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str]) -> Any:
    """Per jurisdiction, how many rule verdicts are each verdict, stacked."""
    verdicts = [v for v in VERDICT_COLOURS if v in set(frame.filter(pl.col("count") > 0)["verdict"].to_list())]
    frame = _mapped(
        _with_labels(frame.filter(pl.col("verdict").is_in(verdicts)), names), "verdict", VERDICT_LABELS, lang
    )
    frame = frame.with_columns(pl.col("verdict").replace_strict({v: i for i, v in enumerate(verdicts)}).alias("order"))
    chart = (
        alt.Chart(alt.Data(values=rows(frame)))
        .mark_bar()
        .encode(
            y=alt.Y("jurisdiction_label:N", title=None, sort=list(names.values())),
            x=alt.X("count:Q", title=text("verdict_share", lang), stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color(
                "verdict_label:N",
                title=text("verdict", lang),
                scale=_legend_scale(verdicts, VERDICT_LABELS, VERDICT_COLOURS, lang),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
                alt.Tooltip("verdict_label:N", title=text("verdict", lang)),
                alt.Tooltip("count:Q", title=text("count", lang)),
            ],
        )
        .properties(width=WIDTH, height=32 * max(len(names), 1), title=_title(text("compliance_title", lang)))
    )
    return _configured(chart)


def failing_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str]) -> Any:
    """The rules failing in most communities, with their clause and quote on hover."""
    title = "title_en" if lang == "en" and "title_en" in frame.columns else "title"
    frame = _with_labels(frame, names).with_columns(
        (pl.col("jurisdiction_label") + " · " + pl.col(title)).alias("rule_label"),
        pl.col(title).alias("title_label"),
    )
    order = frame["rule_label"].to_list()
    chart = (
        alt.Chart(alt.Data(values=rows(frame)))
        .mark_bar(color=VERDICT_COLOURS["fail"])
        .encode(
            y=alt.Y("rule_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=380)),
            x=alt.X("communities:Q", title=text("communities_failing", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
                alt.Tooltip("rule:N", title=text("rule", lang)),
                alt.Tooltip("title_label:N", title=text("title", lang)),
                alt.Tooltip("document:N", title=text("document", lang)),
                alt.Tooltip("clause:N", title=text("clause", lang)),
                alt.Tooltip("quote:N", title=text("quote", lang)),
                alt.Tooltip("strength:N", title=text("strength", lang)),
                alt.Tooltip("communities:Q", title=text("communities_failing", lang)),
            ],
        )
        .properties(width=WIDTH - 200, height=20 * max(len(order), 1), title=_title(text("failing_title", lang)))
    )
    return _configured(chart)


def timeline_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str], as_of: str) -> Any:
    """Documents, milestones and deadlines on a date axis, one row per jurisdiction; a rule marks as-of."""
    frame = _mapped(_mapped(_with_labels(frame, names), "kind", KIND_LABELS, lang), "status", STATUS_LABELS, lang)
    title = "title_en" if lang == "en" and "title_en" in frame.columns else "title"
    frame = frame.with_columns(pl.col(title).alias("title_label"))
    statuses = [s for s in STATUS_COLOURS if s in set(frame["status"].to_list())]
    points = (
        alt.Chart(alt.Data(values=rows(frame)))
        .mark_point(filled=True, size=70, opacity=0.8)
        .encode(
            x=alt.X("date:T", title=text("date", lang), axis=alt.Axis(format="%Y")),
            y=alt.Y("jurisdiction_label:N", title=None, sort=list(names.values())),
            yOffset=alt.YOffset("kind_label:N"),
            shape=alt.Shape("kind_label:N", title=text("kind", lang)),
            color=alt.Color(
                "status_label:N",
                title=text("status", lang),
                scale=_legend_scale(statuses, STATUS_LABELS, STATUS_COLOURS, lang),
            ),
            tooltip=[
                alt.Tooltip("date:T", title=text("date", lang), format="%Y-%m-%d"),
                alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
                alt.Tooltip("kind_label:N", title=text("kind", lang)),
                alt.Tooltip("title_label:N", title=text("title", lang)),
                alt.Tooltip("clause:N", title=text("clause", lang)),
                alt.Tooltip("status_label:N", title=text("status", lang)),
                alt.Tooltip("days:Q", title=text("days", lang)),
            ],
        )
    )
    rule = (
        alt.Chart(alt.Data(values=[{"as_of": as_of}]))
        .mark_rule(color="#de2d26", strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x="as_of:T")
    )
    chart = alt.layer(points, rule).properties(
        width=WIDTH,
        height=64 * max(len(names), 1),
        title=_title(text("timeline_title", lang), text("timeline_sub", lang, as_of=as_of)),
    )
    return _configured(chart)


def responsibilities_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str]) -> Any:
    """Departments × jurisdictions: the strongest role as colour, the number of tasks as text."""
    frame = _mapped(_with_labels(frame, names), "role", ROLE_LABELS, lang).with_columns(
        pl.col(f"department_{lang}").alias("department_label"),
        pl.col("roles")
        .list.eval(pl.element().replace_strict({r: label(ROLE_LABELS, r, lang) for r in ROLE_LABELS}))
        .list.join(", ")
        .alias("roles_label"),
    )
    departments = (
        frame.group_by("department_label", maintain_order=True)
        .agg(pl.col("tasks").sum())
        .sort("tasks", descending=True, maintain_order=True)["department_label"]
        .to_list()
    )
    roles = [r for r in ROLE_COLOURS if r in set(frame["role"].to_list())]
    base = alt.Chart(alt.Data(values=rows(frame.drop("roles")))).encode(
        x=alt.X("jurisdiction_label:N", title=None, sort=list(names.values()), axis=_top_axis()),
        y=alt.Y("department_label:N", title=None, sort=departments),
        tooltip=[
            alt.Tooltip("department_label:N", title=text("department", lang)),
            alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
            alt.Tooltip("roles_label:N", title=text("role", lang)),
            alt.Tooltip("tasks:Q", title=text("tasks", lang)),
            alt.Tooltip("titles:N", title=text("task_titles", lang)),
        ],
    )
    cells = base.mark_rect(stroke="#fff").encode(
        color=alt.Color(
            "role_label:N", title=text("role", lang), scale=_legend_scale(roles, ROLE_LABELS, ROLE_COLOURS, lang)
        )
    )
    counts = base.mark_text(fontSize=10).encode(
        text="tasks:Q",
        color=alt.condition(
            "datum.role === 'lead' || datum.role === 'responsible'", alt.value("white"), alt.value("black")
        ),
    )
    chart = alt.layer(cells, counts).properties(
        width=max(COLUMN * len(names), 300),
        height=16 * max(len(departments), 1),
        title=_title(text("responsibilities_title", lang)),
    )
    return _configured(chart)


def cost_chart(frame: pl.DataFrame, lang: str, names: Mapping[str, str]) -> Any:
    """Yearly, one-off and period-unstated money per jurisdiction; a known part with its unknown items marked."""
    frame = _mapped(_with_labels(frame, names), "period", PERIOD_LABELS, lang)
    known = frame["yuan_known"].map_elements(lambda v: f"{v:,.0f}", return_dtype=pl.String)
    frame = frame.with_columns(
        pl.when((pl.col("obligations") == 0) & (pl.col("period") == "yearly"))
        .then(pl.lit(text("no_obligation", lang)))
        .when(pl.col("unknown_items") > 0)
        .then(
            pl.struct(known.alias("known"), "period_label", "unknown_items").map_elements(
                lambda r: text(
                    "cost_unknown", lang, period=r["period_label"], known=r["known"], items=r["unknown_items"]
                ),
                return_dtype=pl.String,
            )
        )
        .when(pl.col("yuan_known") > 0)
        .then(known)
        .otherwise(pl.lit(""))
        .alias("note")
    )
    periods = [p for p in PERIOD_LABELS if p in set(frame["period"].to_list())]
    period_order = [label(PERIOD_LABELS, p, lang) for p in periods]
    base = alt.Chart(alt.Data(values=rows(frame))).encode(
        y=alt.Y("jurisdiction_label:N", title=None, sort=list(names.values())),
        yOffset=alt.YOffset("period_label:N", sort=period_order),
        x=alt.X("yuan_known:Q", title=text("yuan", lang), axis=alt.Axis(format="~s")),
        tooltip=[
            alt.Tooltip("jurisdiction_label:N", title=text("jurisdiction", lang)),
            alt.Tooltip("period_label:N", title=text("period", lang)),
            alt.Tooltip("yuan:Q", title=text("yuan", lang), format=",.0f"),
            alt.Tooltip("yuan_known:Q", title=f"{text('yuan', lang)} (known)", format=",.0f"),
            alt.Tooltip("unknown_items:Q", title=text("unknown_items", lang)),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "period_label:N",
            title=text("period", lang),
            scale=alt.Scale(domain=period_order, range=["#3182bd", "#fd8d3c", "#9e9ac8"][: len(period_order)]),
        )
    )
    notes = base.mark_text(align="left", dx=4, fontSize=10).encode(
        text="note:N",
        color=alt.condition("datum.unknown_items > 0", alt.value("#de2d26"), alt.value("#333")),
    )
    chart = alt.layer(bars, notes).properties(
        width=WIDTH - 80,
        height=22 * len(periods) * max(len(names), 1),
        title=_title(text("cost_title", lang), text("cost_sub", lang)),
    )
    return _configured(chart)


#: The columns of a what-if sweep frame (``shequ whatif DATA --sweep PATH=START:STOP:STEP``).
SWEEP_COLUMNS = ("value", "communities_failing", "share_failing", "cost_yearly_yuan", "cost_one_off_yuan")


def sweep_chart(frame: pl.DataFrame, lang: str, path: str = "") -> Any:
    """A what-if sweep: the share of communities failing and the cost against the swept value.

    ``frame`` has one row per value with :data:`SWEEP_COLUMNS`; a null cost
    (unknown) leaves a gap in its line, never a 0.
    """
    missing = [c for c in SWEEP_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"a sweep frame needs the columns {', '.join(SWEEP_COLUMNS)}; missing: {', '.join(missing)}")
    values = rows(frame.select(SWEEP_COLUMNS))
    x = alt.X("value:Q", title=path or text("value", lang))
    share = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True, color=VERDICT_COLOURS["fail"])
        .encode(
            x=x,
            y=alt.Y("share_failing:Q", title=text("share_failing", lang), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("value:Q", title=text("value", lang)),
                alt.Tooltip("communities_failing:Q", title=text("communities_failing", lang)),
                alt.Tooltip("share_failing:Q", title=text("share_failing", lang), format=".1%"),
            ],
        )
        .properties(width=WIDTH, height=180)
    )
    costs = (
        pl.DataFrame(values)
        .unpivot(index="value", on=["cost_yearly_yuan", "cost_one_off_yuan"], variable_name="period", value_name="yuan")
        .with_columns(
            pl.col("period").replace_strict({c: text(c, lang) for c in ("cost_yearly_yuan", "cost_one_off_yuan")})
        )
    )
    cost_lines = (
        alt.Chart(alt.Data(values=rows(costs)))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("yuan:Q", title=text("yuan", lang), axis=alt.Axis(format="~s")),
            color=alt.Color("period:N", title=text("period", lang)),
            tooltip=[
                alt.Tooltip("value:Q", title=text("value", lang)),
                alt.Tooltip("period:N", title=text("period", lang)),
                alt.Tooltip("yuan:Q", title=text("yuan", lang), format=",.0f"),
            ],
        )
        .properties(width=WIDTH, height=140)
    )
    chart = alt.vconcat(share, cost_lines, title=_title(text("sweep_title", lang, path=path or text("value", lang))))
    return _configured(chart)


def spec(chart: Any) -> dict[str, Any]:
    """A chart's Vega-Lite spec with its data inlined and no reference outside it (no ``$schema`` URL)."""
    out: dict[str, Any] = chart.to_dict()
    out.pop("$schema", None)
    return out
