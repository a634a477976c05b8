"""The one validation pipeline: every column parsed, normalised and checked with Polars expressions.

Whatever the format, a dataset reaches :func:`parse` as a frame of raw
columns: text cells of a CSV or XLSX file, stored values of a Parquet file, or
the values of nested JSON/TOML records flattened into the same columns
(:mod:`shequ.io.nested`). :func:`parse` turns each into its canonical type in
three passes over the whole frame, never a loop over rows:

1. values: every column at once. A text cell holding a number is cast
   directly; only the cells that fail that fast cast are cleaned up in pass 2.
2. clean-up of the few cells that need it: full-width digits and punctuation
   (NFKC), stray spaces, thousands separators (``1,200``), placeholders read
   as blank (``-``, ``无``, ``N/A`` …); kinds, flags
   and designations looked up once per distinct cell.
3. checks: each rule a boolean expression; the bad rows are counted in one
   pass and the first of them phrased by the rows' :class:`Place`.

:func:`check_rows` then applies the rules across columns and rows (ids,
staff offices within the service space, areas and floors of facilities that
are not there). Nested records are checked by exactly these rules; only their
wording and place differ (``communities[3].households: … got -5``).
How each column is read is :mod:`shequ.io.parsers`; where a problem is and
how it is phrased, :mod:`shequ.io.problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from .columns import Vocabulary, key
from .parsers import NumberCells, clean_text, display, expected_messages, null_tokens, parsers_for
from .problems import Check, Place, Problems


def parse(
    raw: pl.DataFrame,
    columns: Mapping[str, str],
    kinds: Mapping[str, str],
    vocabulary: Vocabulary,
    place: Place,
    problems: Problems,
    *,
    required: Sequence[str] = (),
    carry: Sequence[str] = (),
    cells: bool = False,
) -> pl.DataFrame | None:
    """Parse the mapped columns (canonical name → raw column) of ``raw``; report what is wrong.

    ``kinds`` says how each canonical column is parsed (see
    :func:`shequ.io.columns.field_kind`; also ``facility_kind`` and
    ``organization_kind``). Returns the parsed frame with a ``__row`` column
    (the row's number in ``place``), ``__given__<c>`` for each ``required``
    column (its cell is not blank) and the ``carry`` columns of ``raw``; a flat
    file's blank rows are dropped. None if a column cannot be parsed at all.
    ``cells``: ``raw`` holds a text file's cells (numbers perhaps cast by the
    reader), which the spreadsheet clean-up applies to, not typed values.
    """
    parsers = parsers_for(raw, columns, kinds, vocabulary, place, problems, cells)
    if parsers is None:
        return None
    first = 0 if place.nested else 1
    bulk: list[NumberCells] = []
    if not place.nested:
        bulk = [parser for parser in parsers if isinstance(parser, NumberCells)]
        if len(bulk) > BULK_COLUMNS:
            parsers = [parser for parser in parsers if not isinstance(parser, NumberCells)]
        else:
            bulk = []
    work = raw.select(
        pl.int_range(first, pl.len() + first, dtype=pl.Int64).alias("__row"),
        *(pl.col(columns[p.column]).alias(p.source) for p in parsers),
        *(pl.col(name) for name in carry),
    )
    prepared = [expr for parser in parsers for expr in parser.prepare()]
    if prepared:
        work = work.with_columns(prepared)
    # pass 1: every column's value at once (how a column is read may depend on a survey of it)
    surveys = [(parser, survey) for parser in parsers if (survey := parser.survey()) is not None]
    if surveys and work.height:
        results = work.select(survey.alias(f"s{i}") for i, (_parser, survey) in enumerate(surveys)).row(0)
        for (parser, _survey), result in zip(surveys, results, strict=True):
            parser.surveyed(result, work.height)
    # the columns taken as they are (renamed) apart from those computed: with a hundred renames in the same
    # call, Polars ran the few costly expressions one after the other (0.066 s against 0.046 s)
    computed = [expr for parser in parsers for expr in parser.value()]
    renamed = [expr.meta.undo_aliases().meta.is_column() for expr in computed]
    work = work.with_columns(expr for expr, plain in zip(computed, renamed, strict=True) if not plain)
    work = work.with_columns(expr for expr, plain in zip(computed, renamed, strict=True) if plain)
    work = work.drop(name for parser in parsers for name in parser.scratch())
    second = [expr for parser in parsers for expr in parser.then()]
    if second:
        work = work.with_columns(second)
    # pass 2: the cells the fast path could not read, counted with the rules' findings (pass 3): when
    # no cell needs the slow path, as in most files, the rules need not be counted again
    counted = [(parser, retry) for parser in parsers if (retry := parser.retry()) is not None]
    checks = [(parser, check) for parser in parsers for check in parser.checks()]
    found_before: list[int] | None = None
    if counted and work.height:
        sums = [retry.sum() for _parser, retry in counted] + [check.bad.fill_null(False).sum() for _p, check in checks]
        counts = work.select(sum_.alias(f"s{i}") for i, sum_ in enumerate(sums)).row(0)
        fixes = [
            series
            for (parser, _retry), count in zip(counted, counts[: len(counted)], strict=True)
            if count
            for series in parser.fix(work)
        ]
        if fixes:
            work = work.with_columns(fixes)
            checks = [(parser, check) for parser in parsers for check in parser.checks()]
        else:
            found_before = list(counts[len(counted) :])
    # pass 3: the rules
    totals = report(work, [check for _parser, check in checks], place, problems, totals=found_before)
    found: dict[str, list[Check]] = {parser.column: [] for parser in parsers}
    for (parser, check), total in zip(checks, totals, strict=True):
        if total:
            found[parser.column].append(check)
    finals = {parser.column: parser.final(clean=not found[parser.column]) for parser in parsers}
    if place.nested:  # as a record is read: a value found wrong is left out of the checks across fields
        for column, wrong in found.items():
            if wrong:
                bad = pl.any_horizontal(check.bad.fill_null(False) for check in wrong)
                finals[column] = pl.when(bad).then(None).otherwise(finals[column])
    given = []
    for name in required:
        if name in columns:
            cell = pl.col(f"__src__{name}")
            present = cell if place.nested else clean_text(cell, nfkc=True)
            given.append(present.is_not_null().alias(f"__given__{name}"))
    parsed = work.select("__row", *(final.alias(column) for column, final in finals.items()), *given, *carry)
    filled = None
    if bulk:
        values, filled = bulk_numbers(raw, columns, bulk, place, problems)
        parsed = parsed.hstack(values)
    # (a column without a blank cell, as an id column mostly is, says at once that no row is blank)
    full = any(parsed.get_column(column).null_count() == 0 for column in finals)
    if (finals or bulk) and not place.nested and not full:
        # Rows where every cell is blank carry nothing: dropped (row numbers are kept).
        # (A blank row fails no check above: every check needs a value.)
        blank = pl.all_horizontal([pl.col(column).is_null() for column in finals]) if finals else pl.lit(True)
        if filled is not None:
            blank = blank & ~pl.lit(filled)
        if parsed.select(blank.any()).item():
            parsed = parsed.filter(~blank)
    return parsed


#: A flat file with more number columns than this reads them in one long column (a wide file).
BULK_COLUMNS = 256


def bulk_numbers(
    raw: pl.DataFrame, columns: Mapping[str, str], parsers: Sequence[NumberCells], place: Place, problems: Problems
) -> tuple[list[pl.Series], pl.Series]:
    """The number columns of a wide file, parsed and checked as one long column per kind.

    Each Polars expression has a fixed cost: 10,000 columns of 50 rows, each
    parsed by its own expressions, took seconds of that cost alone. Stacked
    into one column (column after column), the same parser runs once over the
    cells, so the work follows the number of cells. Problems are phrased per
    column, exactly as the column-by-column path phrases them. Returns the
    parsed columns and, per row, whether any of them holds a value.
    """
    height = raw.height
    values: list[pl.Series] = []
    filled = pl.Series("filled", [False] * height, dtype=pl.Boolean)
    groups: dict[tuple[str, bool], list[NumberCells]] = {}
    for parser in parsers:
        groups.setdefault((parser.kind, parser.cast), []).append(parser)
    for (kind, cast), group in groups.items():
        names = [parser.column for parser in group]
        by_source = {columns[name]: name for name in names}
        cell = NumberCells("__cells", kind, cast)
        long = raw.select(columns[name] for name in names).unpivot(variable_name="__col", value_name=cell.source)
        long = long.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) % max(height, 1) + 1).alias("__row"))
        work = long.with_columns(cell.value())
        retry = cell.retry()
        if retry is not None and work.height and work.select(retry.sum()).item():
            work = work.with_columns(cell.fix(work))
        checks = cell.checks()
        sums = (check.bad.fill_null(False).sum().alias(f"c{i}") for i, check in enumerate(checks))
        totals = work.select(sums).row(0) if work.height and checks else ()
        wrong = False
        for check, total in zip(checks, totals, strict=False):
            if not total:
                continue
            wrong = True
            bad = work.filter(check.bad.fill_null(False)).select("__col", "__row", check.shown.alias("__shown"))
            for (source,), rows in bad.group_by("__col", maintain_order=True):
                column = by_source[str(source)]
                says, said = expected_messages(column, kind)
                listed = rows if place.listed is None else rows.head(place.listed)
                one = Check(field=column, kind=check.kind, bad=check.bad, shown=check.shown, says=says, said=said)
                place.report(problems, one, rows.height, listed.select("__row", "__shown").rows())
        final = work.select(cell.final(clean=not wrong)).to_series()
        values.extend(final.slice(index * height, height).alias(name) for index, name in enumerate(names))
        if height:
            any_given = (
                pl.DataFrame({"r": long.get_column("__row"), "g": final.is_not_null()})
                .group_by("r")
                .agg(pl.col("g").any())
                .sort("r")
                .get_column("g")
            )
            filled = filled | any_given
    return values, filled


def report(
    frame: pl.DataFrame,
    checks: Sequence[Check],
    place: Place,
    problems: Problems,
    *,
    totals: Sequence[int] | None = None,
) -> list[int]:
    """Count the rows each check flags in ``frame``; the place phrases the first ones (with ``__row``).

    Returns the count of each check. ``totals``: those counts, when the caller has made them.
    """
    if not checks or not frame.height:
        return [0] * len(checks)
    if totals is None:
        totals = frame.select(check.bad.fill_null(False).sum().alias(f"c{i}") for i, check in enumerate(checks)).row(0)
    for check, total in zip(checks, totals, strict=True):
        if not total:
            continue
        bad = frame.lazy().filter(check.bad.fill_null(False))
        if place.listed is not None:
            bad = bad.head(place.listed)
        rows = bad.select("__row", check.shown.alias("__shown")).collect().rows()
        place.report(problems, check, total, rows)
    return list(totals)


def required(column: str, row_message: str, record_message: str) -> Check:
    """A cell that must not be blank (``__given__<column>`` from :func:`parse`)."""
    return Check(
        field=column,
        kind="missing",
        bad=~pl.col(f"__given__{column}"),
        shown=pl.lit(None),
        says=lambda _raw: row_message,
        said=lambda _shown, _original: [("", record_message)],
    )


def check_rows(frame: pl.DataFrame, place: Place, problems: Problems) -> None:
    """The rules across columns and rows of the community table: ids, impossible values."""
    columns = set(frame.columns)
    checks: list[Check] = []
    if "id" in columns:

        def missing_id(_shown: Any, original: Any) -> list[tuple[str, str]]:
            if original is None:
                return [("", "required field missing: every community needs an id")]
            return [("", f"expected a non-empty text, got {original!r}")]

        checks.append(
            Check(
                field="id",
                kind="missing id",
                bad=pl.col("id").is_null(),
                shown=pl.lit(None),
                says=lambda _raw: "id: missing: every community needs an id",
                said=missing_id,
            )
        )
    if {"staff_office_m2", "service_space_m2"} <= columns:
        checks.append(
            Check(
                field="staff_office_m2",
                kind="exceeds service_space_m2",
                bad=pl.col("staff_office_m2") > pl.col("service_space_m2"),
                shown=pl.concat_list(pl.col("staff_office_m2"), pl.col("service_space_m2")),
                says=lambda pair: (
                    f"staff_office_m2 ({display(pair[0])}) exceeds service_space_m2 ({display(pair[1])}): "
                    "the staff offices are part of the service space"
                ),
            )
        )
    for column in sorted(columns):
        family, _dot, kind = column.partition(".")
        count = f"count.{kind}"
        if family in ("area", "members") and count in columns:
            checks.append(
                Check(
                    field=column,
                    kind=f"{family} without any {kind}",
                    bad=(pl.col(column) > 0) & (pl.col(count) == 0),
                    shown=pl.col(column).cast(pl.Float64),
                    says=_without(column, count, display),
                )
            )
        if family == "floor" and count in columns:
            checks.append(
                Check(
                    field=column,
                    kind=f"floor without any {kind}",
                    bad=pl.col(column).is_not_null() & (pl.col(count) == 0),
                    shown=pl.col(column),
                    says=_without(column, count, str),
                )
            )
    # the checks and the count of distinct ids in one query, in parallel. The ids are counted by their
    # hashes, several times faster than comparing texts: distinct hashes are distinct ids, and when two
    # hashes agree (a repeated id, or rarely two ids of one hash) duplicate_ids looks at the texts.
    sums = [check.bad.fill_null(False).sum().alias(f"c{i}") for i, check in enumerate(checks)]
    ids = pl.col("id").drop_nulls()
    distinct = [(ids.hash().n_unique() == ids.len()).alias("distinct")] if "id" in columns else []
    found = frame.select(*sums, *distinct).row(0) if frame.height and (sums or distinct) else ()
    report(frame, checks, place, problems, totals=found[: len(sums)] if found else None)
    if distinct and not (found and found[-1]):
        duplicate_ids(frame, place, problems)


def _without(column: str, count: str, shown: Callable[[Any], str]) -> Callable[[Any], str]:
    """The message of an area, members or floor given for a kind the community has none of."""
    return lambda value: f"{column} is {shown(value)} but {count} is 0"


def duplicate_ids(frame: pl.DataFrame, place: Place, problems: Problems) -> None:
    """One problem per id given to several rows, at its second row."""
    ids = frame.get_column("id")
    if ids.drop_nulls().n_unique() == ids.len() - ids.null_count():
        return
    duplicated = frame.filter(pl.col("id").is_not_null() & pl.col("id").is_duplicated())
    groups = duplicated.group_by("id", maintain_order=True).agg(pl.col("__row"))
    listed = groups if place.listed is None else groups.head(place.listed)
    place.report_duplicates(problems, groups.height, listed.rows())


# --------------------------------------------------------------------------
# A flat file's header row


def _blank(column: str, dtype: pl.DataType) -> pl.Expr:
    source = pl.col(column)
    if dtype == pl.String:
        return null_tokens(source.str.normalize("NFKC").str.strip_chars()).is_null()
    return source.is_null()


def map_headers(
    headers: Sequence[str | None],
    raw: pl.DataFrame,
    resolve: Callable[[str], tuple[str | None, str | None]],
    problems: Problems,
) -> dict[str, str]:
    """Canonical column → raw column (``c<i>``); unknown, duplicate and nameless columns reported."""
    mapped: dict[str, str] = {}
    named: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        source = f"c{index}"
        if header is None or not key(header):
            if raw.height and raw.select(_blank(source, raw.schema[source]).all()).item() is False:
                message = f"column {index + 1} has no header but holds values"
                problems.add(("header", "column without a header"), (0, index), "header", message)
            continue
        column, why = resolve(header)
        if column is None:
            problems.add(("header", "unknown column"), (0, index), "header", f"{why} (column {index + 1})")
            continue
        if column in named:
            first_index, first_header = named[column]
            message = f"columns {first_index + 1} ('{first_header}') and {index + 1} ('{header}') both give '{column}'"
            problems.add(("header", "duplicate column"), (0, index), "header", message, field=column)
            continue
        named[column] = (index, header)
        mapped[column] = source
    return mapped
