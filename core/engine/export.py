"""Large results written to a file in batches: Parquet, CSV or NDJSON, chosen by the file's extension.

:func:`write_results` writes every (community, jurisdiction, rule) verdict of a
:class:`~shequ.engine.Results` — the rows of :meth:`Results.details` — without
ever holding them all: one rule at a time (at most :data:`BATCH_ROWS`
communities per batch), streamed through Polars' sinks, so the file is ordered
by jurisdiction, rule (as the standard lists them), then community (input order).
Rule-level text (jurisdiction, rule, title, metric, unit, strength, document,
clause, quote) is an enum of the rules' own texts (as are ``verdict`` and
``shortfall_basis``), so a Parquet file stores each text once per row group and
the writer needs no lookup per row; ``compact=True`` leaves it out of the verdict rows altogether
and writes it once, one row per rule, to a rules table beside the file
(:func:`sidecar`: ``r.parquet`` → ``r.rules.parquet``).

:func:`write_frame` writes any frame (``compare``'s summary) the same way, and
:func:`csv_ready` makes a frame's CSV text what :func:`shequ.output.render_csv`
writes for the same rows (floats rounded to 6 digits, ``True``/``False``, no
``NaN``, a leading apostrophe before text a spreadsheet would run as a formula).

Every file is written to a temporary file in the same folder and renamed into
place at the end: on an error nothing half-written is left, and an existing
file of the same name is replaced only by a complete one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import polars as pl

from ..errors import ShequError
from ..output import _FORMULA_START, as_new_file
from .compile import shortfall_exprs
from .results import DETAIL_COLUMNS, Results
from .verdicts import DEPARTS, EXACT, F64, FAIL, LOWER_BOUND, NOT_APPLICABLE, PASS, VERDICTS

#: File formats by extension (lower case); ``.json`` is not here: a JSON document cannot be streamed row by row.
EXTENSIONS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "ndjson", ".ndjson": "ndjson"}

#: At most this many verdict rows (communities of one rule) per batch.
BATCH_ROWS = 2_000_000
#: The least number of rows of a row group of a verdict Parquet file (else one rule's communities).
MIN_ROW_GROUP = 65_536

#: The rule-level columns of a verdict row: the same for every community, written once per rule with ``compact``.
RULE_COLUMNS = [
    "jurisdiction",
    "rule",
    "title",
    "metric",
    "tolerance",
    "unit",
    "due",
    "strength",
    "document",
    "clause",
    "quote",
]
#: With inheritance (``evaluate --inherit``): where each rule comes from, written after ``jurisdiction``.
ORIGIN_COLUMNS = ["from", "level"]
#: The columns of a compact verdict row: the community, the rule's key, and what differs per community.
COMPACT_COLUMNS = [
    "id",
    "jurisdiction",
    "rule",
    "verdict",
    "value",
    "required",
    "required_min",
    "required_max",
    "shortfall",
    "shortfall_basis",
]

#: ``verdict``: the verdict codes' names, in code order (a code is its verdict's index).
VERDICT_ENUM = pl.Enum(VERDICTS)
#: ``shortfall_basis``: a shortfall computed from the requirement, or a lower bound of it.
BASIS_ENUM = pl.Enum([EXACT, LOWER_BOUND])
_VERDICT_VALUES = pl.Series("verdict", VERDICTS, dtype=VERDICT_ENUM)

#: How :func:`write_results` writes Parquet (:func:`write_frame` keeps Polars' defaults): zstd at
#: level 1 (within 1 % of the default level 3's size, and faster), and null counts but no min/max
#: statistics per page and row group: those cost about an eighth of the writing time of a verdict
#: file and made Polars' own filtered reads of one (by rule, jurisdiction or verdict) no faster.
#: Measured in ``benchmarks/README.md``.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "statistics": {"min": False, "max": False, "distinct_count": False, "null_count": True},
}

Progress = Callable[[int], None]


def output_format(path: str | os.PathLike[str]) -> str:
    """The file format of an output path, from its extension; a :class:`ShequError` for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(EXTENSIONS)
        raise ShequError(
            f"{os.fspath(path)}: cannot tell the output format from '{suffix or '(no extension)'}'; use one of {known}"
        )
    return EXTENSIONS[suffix]


def sidecar(path: str | os.PathLike[str], name: str) -> Path:
    """A table written beside ``path``: ``r.parquet`` → ``r.<name>.parquet``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{name}{path.suffix}")


# --------------------------------------------------------------------------
# Frames


def csv_ready(frame: pl.DataFrame | pl.LazyFrame, *, surveyed: pl.DataFrame | None = None) -> Any:
    """The frame with every cell as :func:`shequ.output.render_csv` writes it, for Polars' CSV writer.

    Floats rounded to 6 digits, NaN and infinities blank; booleans ``True``/``False``; lists
    joined with ``;``; text (and categories) starting with ``= + - @``, a tab or a carriage
    return get a leading apostrophe.

    Given a DataFrame (or, with a LazyFrame, the same rows as ``surveyed``), its text columns
    are surveyed first and only those holding an empty text or a formula-like one are
    rewritten: the survey looks at a cell's first byte through a string comparison Polars
    answers from the cell's inline prefix, so for the usual columns (ids, names) it costs a
    few nanoseconds a cell instead of a regular expression.
    """
    formula = "^[" + "".join({"\t": "\\t", "\r": "\\r", "-": "\\-"}.get(c, c) for c in _FORMULA_START) + "]"
    schema = frame.collect_schema()
    texts = [name for name, dtype in schema.items() if dtype == pl.String]
    clean: set[str] = set()
    if surveyed is None and isinstance(frame, pl.DataFrame):
        surveyed = frame
    if surveyed is not None and texts and surveyed.height:
        survey = surveyed.select(
            pl.any_horizontal(
                pl.col(name).filter(_may_start_formula(pl.col(name))).str.contains(formula).any(),
                (pl.col(name) == "").any(),
            ).alias(name)
            for name in texts
        ).row(0)
        clean = {name for name, needs in zip(texts, survey, strict=True) if not needs}
    exprs = []
    for name, dtype in schema.items():
        column = pl.col(name)
        if dtype.is_float():
            exprs.append(pl.when(column.is_finite()).then(column.round(6)).alias(name))
        elif dtype == pl.Boolean:
            exprs.append(pl.when(column).then(pl.lit("True")).when(column.not_()).then(pl.lit("False")).alias(name))
        elif name in clean:
            continue
        elif isinstance(dtype, pl.Enum):
            # each category escaped once, then looked up per row: no text test per row
            cells = pl.Series([_csv_cell(text) for text in dtype.categories], dtype=pl.String)
            exprs.append(
                (pl.lit(cells).gather(column.to_physical()) if len(cells) else pl.lit(None, dtype=pl.String)).alias(
                    name
                )
            )
        elif isinstance(dtype, pl.List) or dtype == pl.String or isinstance(dtype, pl.Categorical):
            text = (
                column.cast(pl.List(pl.String)).list.join(";") if isinstance(dtype, pl.List) else column.cast(pl.String)
            )
            exprs.append(
                pl.when(text == "")
                .then(None)  # as render_csv: an empty cell, never a quoted ""
                .when(text.str.contains(formula))
                .then(pl.lit("'") + text)
                .otherwise(text)
                .alias(name)
            )
    return frame.with_columns(exprs) if exprs else frame


def _may_start_formula(text: pl.Expr) -> pl.Expr:
    """True for every text whose first character may start a formula (and some others): below ``A``, not a digit.

    The characters of :data:`~shequ.output._FORMULA_START` all sort below ``A`` and none is a
    digit; comparing whole texts with one-character bounds tests the first byte.
    """
    assert all(c < "A" and not c.isdigit() for c in _FORMULA_START)
    return (text < "A") & ((text < "0") | (text >= ":"))


def _csv_cell(text: str) -> str | None:
    """One text as :func:`csv_ready` writes it: empty as no value, a formula-like start behind an apostrophe."""
    if text == "":
        return None
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv_text(frame: pl.DataFrame, stream: IO[bytes], *, batch_rows: int = 500_000, header: bool = True) -> None:
    """Write a frame as CSV to a binary stream in slices, exactly as ``--format csv`` prints rows.

    ``header=False``: the rows only, to follow an earlier part of the same table.
    """
    # lazy, so that only a slice at a time is materialised: an eager rewrite of a frame whose text
    # columns share buffers (the summary repeats each community's texts per jurisdiction) copies them all
    ready = csv_ready(frame.lazy(), surveyed=frame)
    if frame.height == 0:
        if header:
            ready.collect().write_csv(stream)
        return
    for start in range(0, frame.height, batch_rows):
        ready.slice(start, batch_rows).collect().write_csv(stream, include_header=header and start == 0)


def write_frame(frame: pl.DataFrame | pl.LazyFrame, path: str | os.PathLike[str]) -> Path:
    """Write a frame to ``path`` in the format of its extension (whole, or nothing on error)."""
    return _atomic_all([(Path(path), _writer(frame.lazy(), output_format(path)))])[0]


# --------------------------------------------------------------------------
# Verdicts


def write_results(
    results: Results,
    path: str | os.PathLike[str],
    *,
    verdicts: Sequence[str] | None = None,
    compact: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> list[Path]:
    """Write every community's verdicts (:meth:`Results.details`' rows) to ``path``, rule by rule.

    :param verdicts: only rows with these verdicts.
    :param compact: leave the rule-level text out of the verdict rows and write it once, to
        :func:`sidecar` ``(path, "rules")``.
    :param progress: called after each batch with the number of rules done.
    :returns: the files written: ``path``, then the rules table with ``compact``, then the
        rules over sets of communities (``sidecar(path, "aggregates")``) when there are any.
    """
    fmt = output_format(path)
    rules_table = _rules_table(results)
    columns = COMPACT_COLUMNS if compact else DETAIL_COLUMNS
    if results.inherit:
        at = columns.index("jurisdiction") + 1
        columns = [*columns[:at], *ORIGIN_COLUMNS, *columns[at:]]
    schema = _schema(rules_table, columns)

    def source(
        with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, _batch_size: int | None
    ) -> Iterator[pl.DataFrame]:
        written = 0
        for index in range(len(results.rules)):
            for start in range(0, len(results), batch_rows):
                batch = _verdict_rows(results, index, start, batch_rows, rules_table, columns, verdicts)
                if predicate is not None:
                    batch = batch.filter(predicate)
                if with_columns is not None:
                    batch = batch.select(with_columns)
                if n_rows is not None:
                    batch = batch.head(n_rows - written)
                written += batch.height
                yield batch
                if progress is not None:
                    progress(index + 1)
                if n_rows is not None and written >= n_rows:
                    return

    from polars.io.plugins import register_io_source

    lazy = register_io_source(source, schema=schema)
    writes: list[tuple[Path, pl.LazyFrame]] = [(Path(path), lazy)]
    if compact:
        writes.append((sidecar(path, "rules"), rules_table.drop("_rule").lazy()))
    aggregates = results.aggregate_details()
    if not aggregates.is_empty():
        writes.append((sidecar(path, "aggregates"), aggregates.lazy()))
    # the verdict rows in row groups of one rule's communities (a batch), so that no id repeats within a
    # row group: where one does, Polars' writer tries a dictionary for the ids, which doubles its time
    # and the file's size (1,000,000 communities: 352 MB in its default row groups, 328 MB in rules,
    # 623 MB in groups of two rules)
    # (with ``verdicts`` a rule's rows are fewer, and as many as its verdicts make: Polars' default groups)
    verdict_groups = dict(PARQUET_OPTIONS)
    if verdicts is None:
        verdict_groups["row_group_size"] = min(max(len(results), MIN_ROW_GROUP), batch_rows)
    return _atomic_all(
        [
            (target, _writer(frame, fmt, verdict_groups if target == Path(path) else PARQUET_OPTIONS))
            for target, frame in writes
        ]
    )


def _rules_table(results: Results) -> pl.DataFrame:
    """One row per community-level rule, in the order of :attr:`Results.rules`, its text as enums.

    Each text column is an :class:`polars.Enum` of its own values in rule order: the categories
    are known before the first row is written, so every batch shares them and a Parquet writer
    stores each text once per row group without a lookup per row (a ``Categorical`` costs one).
    """
    rules = results.rules
    texts: dict[str, list[Any]] = {
        "jurisdiction": [r.jurisdiction for r in rules],
        "rule": [r.rule.id for r in rules],
        "title": [r.rule.title for r in rules],
        "metric": [r.rule.metric for r in rules],
        "unit": [r.unit for r in rules],
        "strength": [r.rule.strength for r in rules],
        "document": [r.document for r in rules],
        "clause": [r.rule.source.clause for r in rules],
        "quote": [r.rule.source.text for r in rules],  # fragments joined with …
        "from": [r.origin or r.jurisdiction for r in rules],
        "level": [r.level for r in rules],
    }
    frame = pl.DataFrame(
        {
            "_rule": pl.Series(range(len(rules)), dtype=pl.UInt32),
            **{name: pl.Series(name, values, dtype=_enum_of(values)) for name, values in texts.items()},
            "tolerance": pl.Series([r.rule.tolerance for r in rules], dtype=F64),
            "due": pl.Series([r.due for r in rules], dtype=pl.Date),
        }
    )
    return frame.select("_rule", *RULE_COLUMNS, *(ORIGIN_COLUMNS if results.inherit else []))


def _enum_of(values: Sequence[str | None]) -> pl.Enum:
    """An enum of the distinct values given (nulls aside), in their first order: deterministic for the same rules."""
    return pl.Enum(list(dict.fromkeys(v for v in values if v is not None)))


def _schema(rules_table: pl.DataFrame, columns: Sequence[str]) -> dict[str, Any]:
    per_row = {
        "id": pl.String,
        "verdict": VERDICT_ENUM,
        "value": F64,
        "required": pl.Categorical,
        "required_min": F64,
        "required_max": F64,
        "shortfall": F64,
        "shortfall_basis": BASIS_ENUM,
    }
    types = {**per_row, **{name: dtype for name, dtype in rules_table.schema.items() if name != "_rule"}}
    return {name: types[name] for name in columns}


def _verdict_rows(
    results: Results,
    index: int,
    start: int,
    length: int,
    rules_table: pl.DataFrame,
    columns: Sequence[str],
    verdicts: Sequence[str] | None,
) -> pl.DataFrame:
    """The verdict rows of rule ``index`` for communities ``start`` … ``start + length``, in input order."""
    compiled = results.rules[index]
    part = compiled.part
    frame = results.metrics_frame.slice(start, length).with_columns(
        results.codes.get_column(compiled.key).slice(start, length).alias("_verdict_code")
    )
    rows = frame.lazy()
    if verdicts is not None:
        rows = rows.filter(pl.col("_verdict_code").is_in([VERDICTS.index(v) for v in verdicts]))
    # value and bounds once, as columns; the shortfall from them
    bounds = [(part.lo, "required_min"), (part.hi, "required_max"), (part.least, "_least")]
    rows = rows.select(
        pl.col("id"),
        pl.col("_verdict_code"),
        part.value.cast(F64).alias("value"),
        _requirement_text(part.text).alias("required"),
        part.lo.cast(F64).alias("required_min"),
        part.hi.cast(F64).alias("required_max"),
        part.least.cast(F64).alias("_least"),
        # a deadline after an event is each community's own (as in Results.details())
        *([compiled.due_expr.alias("_due")] if compiled.due_expr is not None else []),
    )
    # bounds no community has (most rules': a minimum has no maximum) drop out of the shortfall
    lo, hi, least = (None if _absent(bound) else pl.col(name) for bound, name in bounds)
    shortfall, basis = shortfall_exprs(pl.col("value"), lo, hi, least, basis_dtype=BASIS_ENUM)
    code = pl.col("_verdict_code")
    unmet = code.is_in([FAIL, DEPARTS])
    met = code == PASS
    rule = rules_table.row(index, named=True)
    rule_columns = {
        name: pl.lit(rule[name], dtype=rules_table.schema[name]).alias(name)
        for name in columns
        if name in RULE_COLUMNS or name in ORIGIN_COLUMNS
    }
    if "due" in rule_columns and compiled.due_expr is not None:
        rule_columns["due"] = pl.col("_due").alias("due")
    rows = rows.select(
        pl.col("id"),
        pl.lit(_VERDICT_VALUES).gather(code).alias("verdict"),  # codes are the enum's indices
        pl.col("value"),
        pl.when(code == NOT_APPLICABLE).then(None).otherwise(pl.col("required")).alias("required"),
        pl.col("required_min"),
        pl.col("required_max"),
        pl.when(unmet).then(shortfall).when(met).then(pl.lit(0.0)).otherwise(None).alias("shortfall"),
        pl.when(unmet)
        .then(basis)
        .when(met)
        .then(pl.lit(EXACT, dtype=BASIS_ENUM))
        .otherwise(pl.lit(None, dtype=BASIS_ENUM))
        .alias("shortfall_basis"),
        *rule_columns.values(),
    )
    return rows.select(columns).collect()


def _absent(bound: pl.Expr) -> bool:
    """Whether a bound is null for every community: a literal null (a minimum's maximum, say)."""
    if not bound.meta.is_literal(allow_aliasing=True):
        return False
    values = pl.select(bound)
    return values.shape == (1, 1) and values.item() is None


def _requirement_text(text: pl.Expr) -> pl.Expr:
    """A rule's requirement in words (``required``), as a ``Categorical``.

    Most rules' words read no column (``≥ 30 m²``): they are computed once and broadcast, instead
    of formatting the same numbers for every row. As text, a column of a few repeated values is
    the dearest of a verdict file for Polars' Parquet writer (about a quarter of its time, more
    than the ids); as a category, each value is stored once per row group. A ``Categorical``
    rather than an enum: the words of a requirement on each community's own figures (``≥ 116910
    元/年``) are known only once computed, and a writer stores only the categories a row group uses.
    """
    if not text.meta.root_names():
        words = pl.select(text.cast(pl.String).alias("required"))
        if words.height == 1:
            return pl.lit(words.item(), dtype=pl.Categorical)
    return text.cast(pl.Categorical)


# --------------------------------------------------------------------------
# Writing


def _sink(lazy: pl.LazyFrame, target: IO[bytes], fmt: str, parquet: dict[str, Any] | None = None) -> None:
    """Write a frame to a stream; ``parquet``: options of :meth:`polars.LazyFrame.sink_parquet` (else Polars')."""
    if fmt == "parquet":
        lazy.sink_parquet(target, **(parquet or {}))
    elif fmt == "csv":
        csv_ready(lazy).sink_csv(target)
    else:
        lazy.sink_ndjson(target)


def _writer(lazy: pl.LazyFrame, fmt: str, parquet: dict[str, Any] | None = None) -> Callable[[IO[bytes]], None]:
    if parquet is None:
        return lambda target: _sink(lazy, target, fmt)
    return lambda target: _sink(lazy, target, fmt, parquet)


def _atomic_all(writes: list[tuple[Path, Callable[[IO[bytes]], None]]]) -> list[Path]:
    """Write each file to a temporary file beside it; rename them all into place only when every one is complete.

    On an error every temporary file is removed and no file is replaced. An ``OSError`` (a missing
    folder, a full disk) is an input error naming the file.
    """
    done: list[tuple[Path, str]] = []
    try:
        for path, write in writes:
            try:
                handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            except OSError as exc:
                raise ShequError(f"{os.fspath(path)}: cannot write there ({exc.strerror})") from None
            done.append((path, temporary))
            try:
                with os.fdopen(handle, "wb") as stream:
                    write(stream)
            except OSError as exc:
                raise ShequError(f"{os.fspath(path)}: cannot write ({exc.strerror})") from None
        for path, temporary in done:
            as_new_file(temporary)
            os.replace(temporary, path)
    except BaseException:
        for _path, temporary in done:
            Path(temporary).unlink(missing_ok=True)
        raise
    return [path for path, _temporary in done]
