"""How each raw column is read, and the rules its values must meet.

A parser turns one raw column into a canonical one in the passes of
:func:`shequ.io.validate.parse`: pass 1 computes every row's value (a number
in a text cell is cast directly); pass 2 cleans up the cells the fast path
could not read (NFKC, stray spaces, thousands separators, placeholders read
as blank) and looks names up once per distinct cell; pass 3 checks the
values (:class:`shequ.io.problems.Check`). A text cell of a flat file is
cleaned; a nested record's value is taken exactly as it is held, so a
parser knows which of the two it reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from ..model import COMMUNITY_KINDS
from ..suggest import did_you_mean
from .columns import EXPECTED, KIND_NAMES, NULL_TOKENS, Vocabulary, key
from .problems import Check, Place, Problems

UNMATCHABLE = "\x00"

_INTEGER_TYPES = (pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt16, pl.UInt8)

# --------------------------------------------------------------------------
# Cleaning text cells


def _case_variants(token: str) -> list[str]:
    variants = [""]
    for char in token:
        variants = [v + c for v in variants for c in dict.fromkeys((char.lower(), char.upper()))]
    return variants


_NULL_CELLS = sorted({"", *(v for token in NULL_TOKENS for v in _case_variants(token))})


def null_tokens(text: pl.Expr) -> pl.Expr:
    """Blank and placeholder cells → null (any letter case)."""
    return pl.when(text.is_in(_NULL_CELLS)).then(None).otherwise(text)


def clean_text(column: pl.Expr, nfkc: bool) -> pl.Expr:
    """A text cell stripped, placeholders null; full-width forms normalised with ``nfkc``."""
    text = column.cast(pl.String)
    if nfkc:
        text = text.str.normalize("NFKC")
    return null_tokens(text.str.strip_chars())


def _numeric_text(column: pl.Expr) -> pl.Expr:
    """Full-width digits, spaces and thousands separators cleaned; placeholders null."""
    text = null_tokens(column.str.normalize("NFKC").str.replace_all(r"\s+", ""))
    thousands = text.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
    return pl.when(thousands).then(text.str.replace_all(",", "", literal=True)).otherwise(text)


def _non_ascii(text: pl.Expr) -> pl.Expr:
    """Whether any cell holds a character besides ASCII (one of several bytes in UTF-8)."""
    text = text.cast(pl.String)
    return (text.str.len_bytes() != text.str.len_chars()).any()


def _name_key(text: pl.Expr) -> pl.Expr:
    """:func:`shequ.io.columns.key` as an expression: NFKC, no whitespace, lower case."""
    return text.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase().str.strip_chars_start("\ufeff")


def _finite(number: pl.Expr) -> pl.Expr:
    """NaN and infinities → null."""
    return pl.when(number.is_finite()).then(number)


def _all_finite(number: pl.Expr) -> pl.Expr:
    """Whether a float column holds no NaN and no infinity (blanks aside), as one aggregate.

    A NaN or an infinity makes the sum NaN or infinite; a sum is the cheapest pass there is (half
    the cost of ``is_finite().all()``). Finite values whose sum overflows read as not finite: that
    costs only the exact look the caller then takes, never a missed value.
    """
    return number.sum().is_finite()


def _whole(number: pl.Expr) -> pl.Expr:
    return (number == number.floor()) & (number.abs() < 2.0**53)


def display(value: Any) -> str:
    """A value as a problem shows it: ``12`` for 12.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------
# Column parsers: how one raw column becomes a canonical one, and what can be wrong with it


class _Parser:
    """One canonical column parsed from ``work[source]`` into ``work[column]``.

    Each method gives expressions that :func:`shequ.io.validate.parse` runs
    together with every other column's, so that the columns are parsed in
    parallel: a survey of the column, the value (in one or two steps), the
    rows to read again by the slow path, the rules.
    """

    def __init__(self, column: str):
        self.column = column
        self.source = f"__src__{column}"

    def prepare(self) -> list[pl.Expr]:
        """Columns computed once, before the survey, for the expressions that follow to read."""
        return []

    def survey(self) -> pl.Expr | None:
        """An aggregate of the raw column that decides how it is read (see :meth:`surveyed`)."""
        return None

    def surveyed(self, result: Any, height: int) -> None:
        """Take the result of :meth:`survey` (for a frame of ``height`` rows)."""

    def value(self) -> list[pl.Expr]:
        """Pass 1: the value of every row, from the raw cell (and columns :meth:`then` reads)."""
        return [pl.col(self.source).alias(self.column)]

    def then(self) -> list[pl.Expr]:
        """Pass 1, second step: expressions over the columns :meth:`value` made."""
        return []

    def scratch(self) -> list[str]:
        """Columns :meth:`prepare` made that no step after :meth:`value` reads (dropped then, to spare memory)."""
        return []

    def retry(self) -> pl.Expr | None:
        """Pass 2: the rows whose value needs the slow path (None: never)."""
        return None

    def fix(self, work: pl.DataFrame) -> list[pl.Series]:
        """Pass 2 (for the rows :meth:`retry` marks): columns of ``work`` to replace or add."""
        return []

    def checks(self) -> list[Check]:
        """Pass 3: the rules, over ``work``."""
        return []

    def final(self, clean: bool) -> pl.Expr:
        """The parsed column; ``clean``: no check found a wrong value in it."""
        return pl.col(self.column)


def expected_messages(
    column: str, kind: str
) -> tuple[Callable[[Any], str], Callable[[Any, Any], list[tuple[str, str]]]]:
    """How a number problem is phrased: for a row (the cell) and for a record (the value it holds)."""
    expected = EXPECTED[kind]

    def says(raw: Any) -> str:
        return f"{column}: expected {expected}, got {display(raw)!r}"

    def said(_shown: Any, original: Any) -> list[tuple[str, str]]:
        return [("", f"expected {expected}, got {original!r}")]

    return says, said


class NumberCells(_Parser):
    """Numbers in text cells: cast first; only cells that fail the cast are cleaned up, then cast again.

    ``cast``: the CSV reader has cast the cells already (then only a NaN or an
    infinity it read is looked at again: the clean-up reads them as text).
    """

    def __init__(self, column: str, kind: str, cast: bool):
        super().__init__(column)
        self.kind = kind
        self.cast = cast
        self.not_a_number = f"__nan__{column}"
        self.retried = False
        #: Every number the CSV reader cast is finite (no NaN or infinity to read again), as the survey tells.
        self.finite = False

    def survey(self) -> pl.Expr | None:
        return _all_finite(pl.col(self.source)) if self.cast else None

    def surveyed(self, result: Any, height: int) -> None:
        self.finite = bool(result)

    def value(self) -> list[pl.Expr]:
        source = pl.col(self.source)
        return [(source if self.cast else _finite(source.cast(pl.Float64, strict=False))).alias(self.column)]

    def retry(self) -> pl.Expr | None:
        source = pl.col(self.source)
        if self.cast:  # (a blank cell is null, which a filter or a sum passes over)
            return None if self.finite else ~source.is_finite()
        return source.is_not_null() & pl.col(self.column).is_null()

    def fix(self, work: pl.DataFrame) -> list[pl.Series]:
        retry = self.retry()
        assert retry is not None  # (fix is asked only of rows retry marked)
        failed = work.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("at"),
            pl.col(self.source).cast(pl.String).alias("cell"),  # a NaN the CSV reader cast is the text "NaN"
            retry.alias("retry"),
        ).filter("retry")
        text = _numeric_text(pl.col("cell"))
        number = _finite(text.cast(pl.Float64, strict=False))
        slow = failed.select("at", number.alias("value"), (text.is_not_null() & number.is_null()).alias("bad"))
        value = work.get_column(self.column).clone().scatter(slow.get_column("at"), slow.get_column("value"))
        bad = pl.repeat(False, work.height, eager=True).scatter(slow.get_column("at"), slow.get_column("bad"))
        self.retried = True
        return [value.alias(self.column), bad.alias(self.not_a_number)]

    def checks(self) -> list[Check]:
        says, said = expected_messages(self.column, self.kind)
        value, cell = pl.col(self.column), pl.col(self.source)
        found = []
        if self.retried:
            bad = pl.col(self.not_a_number)
            found.append(Check(field=self.column, kind="not a number", bad=bad, shown=cell, says=says, said=said))
        found.extend(_range_checks(self.column, self.kind, value, cell, says, said))
        return found

    def final(self, clean: bool) -> pl.Expr:
        value = pl.col(self.column)
        if self.kind not in ("int", "floor"):
            return value
        return value.cast(pl.Int64) if clean else pl.when(_whole(value)).then(value).cast(pl.Int64)


def _range_checks(
    column: str,
    kind: str,
    value: pl.Expr,
    shown: pl.Expr,
    says: Callable[[Any], str],
    said: Callable[[Any, Any], list[tuple[str, str]]],
) -> list[Check]:
    """Whole numbers, signs and floors, on a Float64 value."""

    def check(what: str, bad: pl.Expr) -> Check:
        return Check(field=column, kind=what, bad=bad, shown=shown, says=says, said=said)

    found = []
    if kind in ("int", "floor"):
        found.append(check("not a whole number", value.is_not_null() & ~_whole(value)))
    if kind == "int":
        found.append(check("negative", _whole(value) & (value < 0)))
    elif kind == "float":
        found.append(check("negative", value < 0))
    elif kind == "floor":
        found.append(check("floor 0", value == 0))
    return found


class _NumberStored(_Parser):
    """Numbers stored as numbers (Parquet, nested records): no parsing; the range is checked.

    ``bounds``: the least and greatest value of the column (NaN aside; None if
    it holds none; the greatest None if not surveyed), and ``finite``: no NaN
    or infinity in it, which :func:`parsers_for` finds in the survey it makes
    anyway. A rule those bounds cannot break (no negative value when the least
    is 0 or more) is not run over the rows: most files are clean, and on a
    million rows of a hundred columns the rules were a pass of their own.
    """

    def __init__(
        self,
        column: str,
        kind: str,
        dtype: pl.DataType,
        has_nan: bool,
        bounds: tuple[Any, Any] | None = None,
        finite: bool = False,
    ):
        super().__init__(column)
        self.kind = kind
        self.whole = kind in ("int", "floor") and dtype in _INTEGER_TYPES
        self.real = kind == "float" and dtype in (pl.Float64, pl.Float32)
        self.has_nan = has_nan
        self.bounds = bounds
        #: No NaN and no infinity in the column (an integer type's, or told by the survey).
        self.finite = finite

    def _may(self, rule: str) -> bool:
        """Whether a value within the column's bounds can break ``rule`` (always, when they are unknown)."""
        if self.bounds is None:
            return True
        low, high = self.bounds  # high None: not surveyed (only a floor's and a non-finite column's are)
        if low is None:  # nothing but blanks: no value to check
            return False
        if rule == "negative":
            return bool(low < 0)
        if rule == "floor 0":
            return high is None or bool(low <= 0 <= high)
        if rule == "not a number":
            return not self.finite and (high is None or bool(low == -math.inf or high == math.inf))
        return True

    def value(self) -> list[pl.Expr]:
        source = pl.col(self.source)
        if self.whole:  # already whole numbers: no copy
            return [source.alias(self.column)]
        number = source.cast(pl.Float64)
        if self.real:  # a NaN marks a missing value (as pandas writes it); without one the column is taken as it is
            return [(number.fill_nan(None) if self.has_nan else number).alias(self.column)]
        return [_finite(number.fill_nan(None)).alias(self.column)]

    def checks(self) -> list[Check]:
        says, said = expected_messages(self.column, self.kind)
        source, value = pl.col(self.source), pl.col(self.column)
        shown = source.cast(pl.String)

        def check(what: str, bad: pl.Expr) -> Check:
            return Check(field=self.column, kind=what, bad=bad, shown=shown, says=says, said=said)

        if self.whole:
            found = [check("negative", source < 0) if self.kind == "int" else check("floor 0", source == 0)]
        elif self.real:  # an infinite value is reported, so the file is refused: the final column need not clear it
            # (-inf is "not a number" once, not also negative)
            found = [check("not a number", value.is_infinite()), check("negative", value.is_finite() & (value < 0))]
        else:
            infinite = check("not a number", source.cast(pl.Float64).is_infinite())
            found = [infinite, *_range_checks(self.column, self.kind, value, shown, says, said)]
        return [rule for rule in found if self._may(rule.kind)]

    def final(self, clean: bool) -> pl.Expr:
        value = pl.col(self.column)
        if self.kind not in ("int", "floor"):
            return value
        return value.cast(pl.Int64) if self.whole or clean else pl.when(_whole(value)).then(value).cast(pl.Int64)


class _Text(_Parser):
    """Text: cells stripped (NFKC with ``nfkc``), blank cells null; a record's text as it is.

    Placeholders (``NA``, ``None``, ``-`` …) are text here: "Nan" is a pinyin
    name and "NA" may be a district's abbreviation. They mean blank only in
    number and list columns.
    """

    def __init__(self, column: str, exact: bool, nfkc: bool | None):
        super().__init__(column)
        self.exact = exact
        #: None: NFKC if the column holds anything besides ASCII, which the survey tells
        self.nfkc = nfkc

    def survey(self) -> pl.Expr | None:
        return _non_ascii(pl.col(self.source)) if self.nfkc is None and not self.exact else None

    def surveyed(self, result: Any, height: int) -> None:
        self.nfkc = bool(result)

    def value(self) -> list[pl.Expr]:
        source = pl.col(self.source)
        if self.exact:
            return [source.alias(self.column)]
        text = source.cast(pl.String)
        if self.nfkc:
            text = text.str.normalize("NFKC")
        return [text.str.strip_chars().replace("", None).alias(self.column)]


class _Names(_Parser):
    """Text matched against names (kinds; lists of flags, designations) — once per distinct cell in a flat file.

    Kinds and flags repeat a few values a million times: a flat file's cells
    are cleaned and looked up once per distinct text and gathered back by
    index; only a column of mostly different cells is judged row by row. A
    nested record's value is compared as :func:`shequ.io.columns.key` does
    (``aliases``) or must be an id itself.
    """

    def __init__(self, column: str, names: Mapping[str, str], nested: bool, aliases: bool, categorical: bool = False):
        super().__init__(column)
        #: The raw column is ``Categorical``: its distinct texts are found and looked up as such, not as strings.
        self.categorical = categorical
        self.names = dict(names)
        self.nested = nested
        self.lookup = dict(names) if aliases or not nested else {name: name for name in set(names.values())}
        self.aliases = aliases
        self.bad = f"__bad__{column}"
        self.index = f"__idx__{column}"
        self.cleaned = f"__a__{column}"
        self.keyed = f"__key__{column}"
        #: :meth:`key` is computed once into ``keyed`` (:meth:`prepare`): when it costs a pass of its own.
        self.keyed_once = False
        #: The distinct cells, cleaned (``a``), matched (``b``) and judged (``bad``); None: row by row.
        self.table: pl.DataFrame | None = None
        #: A ``Categorical`` column's codes of the distinct cells, in the table's order (see :meth:`value`).
        self.codes: pl.Series | None = None

    def key(self, source: pl.Expr) -> pl.Expr:
        """A flat file's cell as one text per row (for distinct values); a record's value as it is."""
        return source if self.nested or self.categorical else source.cast(pl.String)

    def key_column(self) -> pl.Expr:
        """:meth:`key` of the raw column: the column :meth:`prepare` made, when it made one."""
        return pl.col(self.keyed) if self.keyed_once else self.key(pl.col(self.source))

    def clean(self, key: pl.Expr) -> pl.Expr:
        raise NotImplementedError

    def match(self, cleaned: pl.Expr) -> pl.Expr:
        raise NotImplementedError

    def unknown(self, cleaned: pl.Expr, matched: pl.Expr) -> pl.Expr:
        raise NotImplementedError

    def survey(self) -> pl.Expr | None:
        if self.nested:  # records are few, and their lists are not ';'-joined texts: row by row
            return None
        key = self.key_column()
        distinct = key.drop_nulls().unique(maintain_order=True).implode()
        if not self.categorical:
            return distinct
        # and their codes, in the same order (each text has one code): a row is then looked up by its code
        codes = key.to_physical().drop_nulls().unique(maintain_order=True).implode()
        return pl.struct(distinct.alias("texts"), codes.alias("codes"))

    def surveyed(self, result: Any, height: int) -> None:
        if self.categorical:
            self.codes = pl.Series("codes", result["codes"], dtype=pl.UInt32)
            result = result["texts"]
        distinct = pl.Series("key", result, dtype=pl.String)
        self.found(distinct)
        if len(distinct) * 4 > height:  # mostly different cells: judging each row directly is cheaper
            return
        table = pl.DataFrame({"key": distinct}).with_columns(self.clean(pl.col("key")).alias("a"))
        table = table.with_columns(self.match(pl.col("a")).alias("b"))
        self.table = table.with_columns(self.unknown(pl.col("a"), pl.col("b")).fill_null(False).alias("bad"))

    def found(self, distinct: pl.Series) -> None:
        """What the distinct cells (the survey's) tell before they are cleaned."""

    def value(self) -> list[pl.Expr]:
        key = self.key_column()
        if self.table is None:
            return [self.clean(key).alias(self.cleaned)]
        distinct = self.table.get_column("key")
        positions = pl.Series(range(len(distinct)), dtype=pl.UInt32)
        if self.codes is not None:  # a Categorical column: by the cells' codes, three times faster than by text
            code = key.to_physical()
            top = int(self.codes.max() or 0)  # type: ignore[arg-type]
            if top < _DENSE_CODES:  # codes are small numbers: a position per code, gathered
                dense = pl.Series([None] * (top + 1), dtype=pl.UInt32).scatter(self.codes, positions)
                return [pl.lit(dense).gather(code).alias(self.index)]
            return [code.replace_strict(self.codes, positions, default=None, return_dtype=pl.UInt32).alias(self.index)]
        return [key.replace_strict(distinct, positions, default=None, return_dtype=pl.UInt32).alias(self.index)]

    def then(self) -> list[pl.Expr]:
        if self.table is None:
            return [self.match(pl.col(self.cleaned)).alias(self.column)]
        index = pl.col(self.index)
        matched = pl.lit(self.table.get_column("b")).gather(index).alias(self.column)
        if not self.table.get_column("bad").any():  # every distinct cell is known: no row to mark
            return [matched]
        return [matched, pl.lit(self.table.get_column("bad")).gather(index).fill_null(False).alias(self.bad)]

    def bad_rows(self) -> pl.Expr:
        if self.table is None:
            return self.unknown(pl.col(self.cleaned), pl.col(self.column))
        if not self.table.get_column("bad").any():
            return pl.lit(False)
        return pl.col(self.bad)

    def cleaned_cells(self) -> pl.Expr:
        """The cleaned value of each row (evaluated only for the rows a problem shows)."""
        if self.table is None:
            return pl.col(self.cleaned)
        return pl.lit(self.table.get_column("a")).gather(pl.col(self.index))


#: A Categorical column's codes below this are looked up in a table with a row per code (4 bytes each).
_DENSE_CODES = 1 << 22


class _Kind(_Names):
    """A kind (community, facility, organization kind): one name per cell."""

    def __init__(
        self,
        column: str,
        names: Mapping[str, str],
        label: str,
        choices: Sequence[str],
        *,
        nested: bool,
        aliases: bool = True,
        choices_in_records: bool = False,
        categorical: bool = False,
    ):
        super().__init__(column, names, nested, aliases, categorical)
        self.label = label
        self.choices = choices
        self.choices_in_records = choices_in_records

    #: Every distinct cell is a kind's id as it is written: the column is taken as it is (a text column).
    as_written = False

    def surveyed(self, result: Any, height: int) -> None:
        super().surveyed(result, height)
        table = self.table
        if table is not None and self.codes is None and not table.get_column("bad").any():
            self.as_written = bool((table.get_column("key") == table.get_column("b")).all())

    def value(self) -> list[pl.Expr]:
        # (a stored column of ids, as a program writes it: no lookup, no copy)
        return [pl.col(self.source).cast(pl.String).alias(self.column)] if self.as_written else super().value()

    def then(self) -> list[pl.Expr]:
        return [] if self.as_written else super().then()

    def bad_rows(self) -> pl.Expr:
        return pl.lit(False) if self.as_written else super().bad_rows()

    def clean(self, key: pl.Expr) -> pl.Expr:
        if self.nested:
            return _name_key(key) if self.aliases else key
        return clean_text(key, nfkc=True).str.replace_all(r"\s+", "").str.to_lowercase()

    def match(self, cleaned: pl.Expr) -> pl.Expr:
        return cleaned.replace_strict(self.lookup, default=None, return_dtype=pl.String)

    def unknown(self, cleaned: pl.Expr, matched: pl.Expr) -> pl.Expr:
        return cleaned.is_not_null() & matched.is_null()

    def checks(self) -> list[Check]:
        names, label, column = self.names, self.label, self.column
        expected = f"; expected one of {', '.join(self.choices)}"

        def says(raw: Any) -> str:
            hint = did_you_mean(key(str(raw)), names)
            return f"{column}: unknown {label} {str(raw).strip()!r}{hint}{expected}"

        def said(_shown: Any, original: Any) -> list[tuple[str, str]]:
            if self.choices_in_records:
                hint = did_you_mean(key(original), names) if isinstance(original, str) else ""
                return [("", f"unknown {label} {original!r}{hint}{expected}")]
            if not isinstance(original, str):
                return [("", f"expected a text, got {original!r}")]
            return [("", f"unknown {label} '{original}'{did_you_mean(key(original), names)}")]

        bad, shown = self.bad_rows(), pl.col(self.source)
        return [Check(field=column, kind=f"unknown {label}", bad=bad, shown=shown, says=says, said=said)]


class _List(_Names):
    """A list of names: a flat file's ``;``-separated cell (``；`` too), or a record's list of texts.

    NFKC (full-width forms) runs only when the column holds non-ASCII text: on a
    million distinct lists of ids it would be most of the load time. Whether it
    does is told by the distinct cells, which the survey finds anyway.
    """

    def __init__(
        self,
        column: str,
        names: Mapping[str, str],
        label: str,
        *,
        nested: bool,
        aliases: bool,
        stored_as_list: bool,
        canonical: bool = False,
        categorical: bool = False,
    ):
        super().__init__(column, names, nested, aliases, categorical)
        self.label = label
        self.nfkc = False
        self.stored_as_list = stored_as_list
        #: A stored list whose every item is an id (no clean-up or alias to apply): taken as it is.
        self.canonical = canonical

    def survey(self) -> pl.Expr | None:
        return None if self.canonical else super().survey()

    def value(self) -> list[pl.Expr]:
        return [pl.col(self.source).alias(self.column)] if self.canonical else super().value()

    def then(self) -> list[pl.Expr]:
        return [] if self.canonical else super().then()

    def bad_rows(self) -> pl.Expr:
        return pl.lit(False) if self.canonical else super().bad_rows()

    def cleaned_cells(self) -> pl.Expr:
        return pl.col(self.column) if self.canonical else super().cleaned_cells()

    def found(self, distinct: pl.Series) -> None:
        self.nfkc = bool(distinct.len() and (distinct.str.len_bytes() != distinct.str.len_chars()).any())

    def prepare(self) -> list[pl.Expr]:
        if self.nested or not self.stored_as_list or self.canonical:
            return []
        # a stored list's text is read by the survey and by the value: joined once, not twice
        self.keyed_once = True
        return [self.key(pl.col(self.source)).alias(self.keyed)]

    def scratch(self) -> list[str]:
        return [self.keyed] if self.keyed_once else []

    def key(self, source: pl.Expr) -> pl.Expr:
        if self.nested:
            return source
        if self.stored_as_list:  # an empty list stays empty (";"), null stays null
            return pl.when(source.list.len() == 0).then(pl.lit(";")).otherwise(source.list.join(";"))
        return source if self.categorical else source.cast(pl.String)

    def clean(self, key: pl.Expr) -> pl.Expr:
        if self.nested:
            return key.list.eval(_name_key(pl.element())) if self.aliases else key
        items = clean_text(key, nfkc=self.nfkc).str.split(";")
        return items.list.eval(pl.element().str.strip_chars().str.to_lowercase()).list.eval(
            pl.element().filter(pl.element() != "")
        )

    def match(self, cleaned: pl.Expr) -> pl.Expr:
        return cleaned.list.eval(pl.element().replace_strict(self.lookup, default=None, return_dtype=pl.String))

    def unknown(self, cleaned: pl.Expr, matched: pl.Expr) -> pl.Expr:
        return matched.list.eval(pl.element().is_null()).list.any()

    def checks(self) -> list[Check]:
        names, label, column = self.names, self.label, self.column

        def says(values: Any) -> str:
            parts = [f"'{value}'{did_you_mean(key(value), names)}" for value in values or []]
            return f"{column}: unknown {label} {', '.join(parts)}"

        def said(unknown: Any, original: Any) -> list[tuple[str, str]]:
            found = []
            for index, (item, missing) in enumerate(zip(original, unknown, strict=False)):
                if not missing:
                    continue
                if not isinstance(item, str):
                    found.append((f"[{index}]", f"expected a text, got {item!r}"))
                else:
                    found.append((f"[{index}]", f"unknown {label} '{item}'{did_you_mean(key(item), names)}"))
            return found

        lookup = pl.element().replace_strict(self.lookup, default=None, return_dtype=pl.String)
        if self.nested:  # which items are unknown, by position in the record's list
            shown = pl.col(self.column).list.eval(pl.element().is_null())
        else:
            shown = self.cleaned_cells().list.eval(pl.element().filter(lookup.is_null()))
        return [Check(field=column, kind=f"unknown {label}", bad=self.bad_rows(), shown=shown, says=says, said=said)]


class _Dates(_Parser):
    """Event dates: date cells as they are, text as ``YYYY-MM-DD`` (``/`` or ``.`` also separate); else a problem."""

    def __init__(self, column: str, dtype: pl.DataType):
        super().__init__(column)
        self.dtype = dtype

    def value(self) -> list[pl.Expr]:
        source = pl.col(self.source)
        if self.dtype in (pl.Date, pl.Datetime) or isinstance(self.dtype, pl.Datetime):
            return [source.cast(pl.Date).alias(self.column)]
        text = clean_text(source.cast(pl.String), nfkc=True).str.replace_all(r"[/.]", "-")
        return [text.str.to_date("%Y-%m-%d", strict=False).alias(self.column)]

    def checks(self) -> list[Check]:
        says, said = expected_messages(self.column, "date")
        bad = pl.col(self.source).is_not_null() & pl.col(self.column).is_null()
        if self.dtype == pl.String:
            bad = bad & clean_text(pl.col(self.source), nfkc=True).is_not_null()  # a blank cell is unknown
        return [Check(field=self.column, kind="not a date", bad=bad, shown=pl.col(self.source), says=says, said=said)]


def parsers_for(
    raw: pl.DataFrame,
    columns: Mapping[str, str],
    kinds: Mapping[str, str],
    vocabulary: Vocabulary,
    place: Place,
    problems: Problems,
    cells: bool = False,
) -> list[_Parser] | None:
    """A parser per mapped column; a column whose type cannot hold its values is reported (then None)."""
    schema = raw.schema
    nested = place.nested
    floats = [source for source in columns.values() if schema[source] in (pl.Float64, pl.Float32) and not cells]
    # a stored list (Parquet) whose items are all ids as the catalog writes them is taken as it is
    stored = {
        source: sorted(set((vocabulary.flags if column == "flags" else vocabulary.designations).values()))
        for column, source in columns.items()
        if kinds[column] == "list" and not nested and schema[source] == pl.List(pl.String)
    }

    def all_ids(source: str) -> pl.Expr:  # every item an id (a blank item is not)
        return pl.col(source).list.eval(pl.element().is_in(stored[source]).fill_null(False)).list.all().all()

    # the least and greatest of each stored number, which rule out most checks (see _NumberStored)
    numbers = [
        source
        for column, source in columns.items()
        if not cells and kinds[column] in ("int", "float", "number", "floor") and schema[source].is_numeric()
    ]
    # the greatest tells a floor 0 (the least alone tells a negative value); whether a float column is
    # finite tells at once that it holds no NaN and no infinity, as almost every column does
    highs = [source for column, source in columns.items() if source in numbers and kinds[column] == "floor"]
    floats = list(dict.fromkeys(floats))
    has_nan: dict[str, bool] = {}
    finite: dict[str, bool] = {}
    canonical: dict[str, bool] = {}
    bounds: dict[str, tuple[Any, Any]] = {}
    if (floats or stored or numbers) and raw.height:
        found = raw.select(
            *(_all_finite(pl.col(f)).alias(f) for f in floats),
            *(all_ids(source).alias(source) for source in stored),
            *(pl.col(n).min().alias(f"{n}.min") for n in dict.fromkeys(numbers)),
            *(pl.col(n).max().alias(f"{n}.max") for n in dict.fromkeys(highs)),
        ).row(0, named=True)
        finite = {name: bool(found[name]) for name in floats}
        # a column with a NaN or an infinity: which of the two, and its greatest value
        odd = [name for name in floats if not finite[name]]
        more: dict[str, Any] = {}
        if odd:
            more = raw.select(
                *(pl.col(f).is_nan().any().alias(f) for f in odd), *(pl.col(f).max().alias(f"{f}.max") for f in odd)
            ).row(0, named=True)
            found.update({f"{f}.max": more[f"{f}.max"] for f in odd})
        has_nan = {name: bool(more.get(name, False)) for name in floats}
        canonical = {name: bool(found[name]) for name in stored}
        bounds = {name: (found[f"{name}.min"], found.get(f"{name}.max")) for name in numbers}
    aliases = place.aliases
    parsers: list[_Parser] = []
    broken = False
    for column, source in columns.items():
        dtype, kind = schema[source], kinds[column]
        if kind in ("id", "text"):
            # NFKC only where an id holds something besides ASCII (it is the costly step): the survey tells
            parsers.append(_Text(column, exact=nested, nfkc=None if kind == "id" else False))
        elif kind == "kind":
            parsers.append(
                _Kind(
                    column,
                    KIND_NAMES,
                    "community kind",
                    COMMUNITY_KINDS,
                    nested=nested,
                    aliases=aliases,
                    choices_in_records=True,
                    categorical=isinstance(dtype, pl.Categorical) and not nested,
                )
            )
        elif kind in ("facility_kind", "organization_kind"):
            label = kind.replace("_", " ")
            names = vocabulary.facility_kinds if kind == "facility_kind" else vocabulary.organization_kinds
            choices = sorted(getattr(vocabulary.catalog, f"{kind}s"))
            parsers.append(_Kind(column, names, label, choices, nested=nested, aliases=aliases))
        elif kind == "list":
            text = dtype == pl.String or isinstance(dtype, pl.Categorical)
            if not (text or (isinstance(dtype, pl.List) and dtype.inner == pl.String)):
                message = f"{column}: expected ';'-separated text or a list of texts, the column has type {dtype}"
                problems.add((column, "column type"), (0, 0), "header", message, field=column)
                broken = True
                continue
            names = vocabulary.flags if column == "flags" else vocabulary.designations
            parsers.append(
                _List(
                    column,
                    names,
                    column[:-1],
                    nested=nested,
                    aliases=aliases,
                    stored_as_list=isinstance(dtype, pl.List),
                    canonical=canonical.get(source, False),
                    categorical=isinstance(dtype, pl.Categorical) and not nested,
                )
            )
        elif kind == "date":
            parsers.append(_Dates(column, dtype))
        elif not nested and (dtype == pl.String or (cells and dtype == pl.Float64)):
            parsers.append(NumberCells(column, kind, cast=dtype == pl.Float64))
        elif dtype.is_numeric():
            told_finite = finite.get(source, dtype.is_integer())
            parsers.append(
                _NumberStored(column, kind, dtype, has_nan.get(source, True), bounds.get(source), told_finite)
            )
        else:
            message = f"{column}: expected {EXPECTED[kind]}, the column has type {dtype}"
            problems.add((column, "column type"), (0, 0), "header", message, field=column)
            broken = True
    return None if broken else parsers
