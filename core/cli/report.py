"""The picture commands: ``shequ report`` (one self-contained HTML page) and ``shequ chart`` (one chart).

Thin click commands over :mod:`shequ.report`; :mod:`shequ.cli.main` adds
every command of :data:`COMMANDS` to the ``shequ`` group. The page and the
charts load nothing from the network: the chart libraries, styles and data are
inlined. A file is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..vocabulary import COMMUNITY_KINDS
from .common import (
    BadInput,
    as_of_option,
    command_provenance,
    day,
    handle_errors,
    jurisdiction_option,
    load_data,
    reform_notes,
    registry_from,
    strength_option,
)

if TYPE_CHECKING:
    from ..report.build import Scope

F = TypeVar("F", bound=Callable[..., Any])

#: Kept here (not imported from shequ.report) so that ``shequ --help`` does not load Altair.
CHART_KINDS = ("scaling", "strictness", "compliance", "failing", "timeline", "responsibilities", "cost", "sweep")


def _common_options(command: F) -> F:
    """The scope of a report or a chart: jurisdictions, date, strengths, language, reference community."""
    for option in (
        click.option(
            "--all-concepts",
            is_flag=True,
            help="Strictness map: every concept (default: those two or more jurisdictions say something about).",
        ),
        click.option(
            "--persons-per-household",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            metavar="R",
            help="Strictness map: estimate the reference community's population as households × R.",
        ),
        click.option(
            "--households",
            type=click.IntRange(min=0),
            default=1500,
            show_default=True,
            metavar="N",
            help="Strictness map: households of the reference community.",
        ),
        click.option(
            "--kind",
            "community_kind",
            type=click.Choice(COMMUNITY_KINDS),
            default="urban",
            show_default=True,
            help="The kind of community the standards' charts are drawn for.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default="zh",
            show_default=True,
            help="Language of every label.",
        ),
        click.option(
            "--facilities",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="A separate facilities table (community_id, kind, area_m2, floor).",
        ),
        strength_option,
        as_of_option,
        jurisdiction_option,
    ):
        command = option(command)
    return command


def _scope(ctx: click.Context, data: str | None, params: dict[str, Any]) -> Scope:
    from ..report.build import Scope

    registry = registry_from(ctx)
    registry.select(params["jurisdictions"])  # an unknown id is bad input before anything is computed
    communities = load_data(data, params["facilities"]) if data else None
    return Scope(
        registry=registry,
        jurisdictions=tuple(params["jurisdictions"]),
        as_of=day(params["as_of"]) or dt.date.today(),
        kind=params["community_kind"],
        strengths=tuple(params["strengths"]),
        lang=params["lang"],
        communities=communities,
        households=params["households"],
        persons_per_household=params["persons_per_household"],
        all_concepts=params["all_concepts"],
    )


def _write_whole(path: Path, write: Callable[[Path], Any]) -> None:
    """Write whole (:func:`shequ.output.write_atomic`), making the folder first (`-o reports/r.html`)."""
    from ..output import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, write)


def _header(ctx: click.Context, scope: Scope, data: str | None) -> list[str]:
    from ..report.labels import text

    lang = scope.lang
    lines = [f"{text('as_of', lang)}: {scope.as_of.isoformat()}"]
    if data and scope.communities is not None:
        count = len(scope.communities)
        lines.append(
            f"{text('data', lang)}: {data} ({count} 个社区)" if lang == "zh" else f"data: {data} ({count} communities)"
        )
    else:
        lines.append(text("no_data", lang))
    if scope.strengths:
        lines.append(f"{text('strength', lang)}: {', '.join(scope.strengths)}")
    return lines + reform_notes(ctx)


# --------------------------------------------------------------------------
# report


@click.command()
@click.argument("data", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (self-contained: opens offline).",
)
@click.option(
    "--sweep-frame",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="SWEEP.csv",
    help="Add the what-if sweep chart of this CSV (`shequ whatif DATA --sweep PATH=START:STOP:STEP --format csv`).",
)
@click.option("--sweep-label", default="", metavar="PATH", help="The swept path, as the sweep chart's x axis title.")
@click.option(
    "--sweep",
    "sweep_spec",
    default=None,
    metavar="PATH=START:STOP:STEP",
    help="Add the chart of a what-if sweep computed on DATA, as `shequ whatif DATA --sweep` does "
    "(e.g. donghai.service_space_floor_600.requirement.value=300:800:50).",
)
@_common_options
@click.pass_context
@handle_errors
def report(
    ctx: click.Context,
    data: str | None,
    output: Path,
    sweep_frame: str | None,
    sweep_label: str,
    sweep_spec: str | None,
    **params: Any,
) -> None:
    """One self-contained HTML report with charts, readable offline in Chinese or English.

    How requirements scale with community size, a strictness map (concepts ×
    jurisdictions), the timeline and the responsibility matrix; with DATA also
    compliance per jurisdiction, the rules that fail most often (clause and
    quote on hover) and the cost. "Not regulated", "not encoded" and "not in
    force" are shown as such, never as 0. The footer gives the provenance.
    --sweep PATH=START:STOP:STEP adds the chart of a what-if sweep on DATA
    (the rows of `shequ whatif DATA --sweep`); --sweep-frame draws a sweep
    saved as CSV instead.

    \b
    Example:
      shequ report examples/communities.csv -o report.html --lang en
      shequ report -o standards.html          (the standards only)
      shequ report examples/communities.csv -o r.html \\
        --sweep donghai.service_space_floor_600.requirement.value=300:800:50
    """
    from ..report.build import make_chart, make_charts
    from ..report.html import report_html

    if sweep_spec is not None and sweep_frame is not None:
        raise BadInput("give --sweep (computed on DATA) or --sweep-frame (a saved sweep), not both")
    if sweep_spec is not None and data is None:
        raise BadInput("--sweep computes a what-if on DATA: shequ report DATA --sweep PATH=START:STOP:STEP -o FILE")
    sweep = _sweep_frame(sweep_frame) if sweep_frame else None
    scope = _scope(ctx, data, params)
    if sweep_spec is not None:
        from ..views.whatif import parse_sweep
        from ..views.whatif import sweep as sweep_of

        path, values = parse_sweep(sweep_spec)
        sweep = sweep_of(
            scope.registry, scope.communities, path, values, as_of=scope.as_of, strength=scope.strength_filter
        )
        sweep_label = sweep_label or path
    charts = make_charts(scope)
    if sweep is not None:
        charts["sweep"] = make_chart("sweep", scope, sweep, sweep_label)
    page = report_html(charts, scope.lang, command_provenance(ctx), _header(ctx, scope, data))
    _write_whole(output, lambda path: path.write_text(page, encoding="utf-8"))
    click.echo(f"wrote {output} ({len(charts)} charts)", err=True)


# --------------------------------------------------------------------------
# chart


@click.command()
@click.argument("kind", type=click.Choice(CHART_KINDS))
@click.argument("data", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: .svg, .png or .html (by its suffix).",
)
@click.option(
    "--frame",
    "frame_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="sweep: the CSV of `shequ whatif DATA --sweep PATH=START:STOP:STEP --format csv`.",
)
@click.option("--sweep-label", default="", metavar="PATH", help="sweep: the swept path, as the x axis title.")
@_common_options
@click.pass_context
@handle_errors
def chart(
    ctx: click.Context,
    kind: str,
    data: str | None,
    output: Path,
    frame_path: str | None,
    sweep_label: str,
    **params: Any,
) -> None:
    """One chart of the report, as SVG, PNG or a self-contained HTML page.

    KIND: scaling, strictness, timeline, responsibilities (standards only);
    compliance, failing, cost (need DATA); sweep (draws --frame).

    \b
    Example:
      shequ chart strictness -o strictness.svg --households 800
      shequ chart compliance examples/communities.csv -o compliance.png --lang en
    """
    from ..report.build import make_chart
    from ..report.html import CHART_SUFFIXES, write_chart

    if output.suffix.lower() not in CHART_SUFFIXES:
        raise BadInput(f"--output {output}: a chart is written as {', '.join(CHART_SUFFIXES)} (by the file's suffix)")
    needs_data = kind in ("compliance", "failing", "cost")
    if needs_data and not data:
        raise BadInput(f"the {kind} chart needs community data: shequ chart {kind} DATA -o FILE")
    frame = None
    if kind == "sweep":
        if frame_path is None:
            raise BadInput("the sweep chart draws a frame: shequ chart sweep --frame SWEEP.csv -o FILE")
        frame = _sweep_frame(frame_path)
    scope = _scope(ctx, data, params)
    drawn = make_chart(kind, scope, frame, sweep_label)
    provenance = command_provenance(ctx)
    _write_whole(output, lambda path: write_chart(drawn, path, scope.lang, provenance, kind))
    click.echo(f"wrote {output}", err=True)


def _sweep_frame(path: str) -> Any:
    """The sweep CSV, with every column the chart needs (each missing one named)."""
    import polars as pl

    from ..errors import Problem, ProblemsError
    from ..report.charts import SWEEP_COLUMNS

    try:
        frame = pl.read_csv(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ProblemsError([Problem(file=path, where=None, message=f"not a readable CSV: {exc}")]) from None
    missing = [column for column in SWEEP_COLUMNS if column not in frame.columns]
    if missing:
        raise ProblemsError(
            [
                Problem(
                    file=path,
                    where=f"column {column}",
                    field=column,
                    message=f"missing (a sweep has {', '.join(SWEEP_COLUMNS)})",
                )
                for column in missing
            ]
        )
    return frame.select(pl.col(column).cast(pl.Float64) for column in SWEEP_COLUMNS)


COMMANDS = [report, chart]
