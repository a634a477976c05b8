"""Loading community data into the canonical columnar table the engine evaluates.

:func:`load_communities` reads a researcher's dataset in any of five formats and
returns a :class:`CommunityTable`: one Polars row per community, with the same
column names and types whatever the input format was.

Nested forms (one record per community, facilities and organizations as lists):

- ``.json``: an object ``{"communities": [...]}`` (plus, optionally, a ``"_note"``
  text, the only other key accepted) or a bare list of records;
- ``.toml``: ``[[communities]]`` tables (and an optional ``_note``).

Each record is structured into :class:`shequ.model.Community` by the shared
cattrs converter, so problems come with paths such as
``communities[3].households``. A record may also hold an ``indicators`` table
(name → number); it becomes ``indicators.*`` columns.

Flat forms (one row per community): ``.csv`` (UTF-8, or GB18030 as Excel saves it
on Chinese Windows), ``.xlsx`` (the first sheet) and ``.parquet``. Scalar fields are
columns; ``area.<kind>``, ``count.<kind>``, ``floor.<kind>``, ``members.<kind>``,
``staff.<x>``, ``volunteers.<x>``, ``finance.<x>`` and ``indicators.<x>`` are columns
directly; ``flags`` and ``designations`` are ``;``-separated (``；`` too). Headers
may be Chinese: the catalog metrics' ``aliases`` and Chinese names, the Chinese
names of the fixed fields (编号, 社区名称, 街道, 类型, 标识, 荣誉 …) and
``<kind name>面积`` / ``数量`` / ``所在楼层`` / ``成员数``. An unknown header is an
error (with "did you mean"), never silently dropped. Flat files are read and
checked column by column with Polars expressions, never row by row.

Spreadsheet cleanliness: full-width digits and punctuation (１２．５, －, ；) are
normalised (NFKC), stray and full-width spaces removed, thousands separators
accepted (``1,200``); cells holding only ``-``, ``—``, ``无``, ``NA``, ``N/A``,
``#N/A``, ``null``, ``none`` or ``nan`` are blank. Blank stays null — unknown,
never 0. A flags/designations cell that is blank is unknown; a cell holding only
``;`` says "none".

A separate facilities table (``facilities=``: columns ``community_id``, ``kind``,
``area_m2``, ``floor``; optionally ``provided_by``, ``project_floor_area_m2``) may
be given instead of ``area.*`` / ``count.*`` / ``floor.*`` columns. As in the
nested form, the rows of one community are its complete list (count 0, area 0
for kinds it has no row of); a community with no row at all has an unknown list
(nulls).

Every problem of a file is collected before one :class:`ProblemsError` is raised
(``row 7`` is the 7th data row, the header not counted; ``communities[3]`` is the
JSON/TOML path, counting from 0). A problem repeated in many rows is listed 20
times per field and kind of problem, followed by one line saying how many more
rows have it.

The canonical table (see :data:`FIXED_COLUMNS` and :func:`column_dtype`):

- ``id`` (unique, non-empty), ``name``, ``district``, ``kind`` (urban/town/rural/
  village): String;
- ``households``, ``population``, ``party_members``, ``grids``: Int64;
- ``service_space_m2``, ``staff_office_m2``, ``service_radius_km``: Float64;
- ``flags``, ``designations``: List(String), null when unknown;
- ``staff.*``, ``volunteers.*``, ``finance.*``, ``indicators.*``: Float64;
- for each facility kind K seen: ``area.K`` (Float64), ``count.K``, ``floor.K``
  (Int64); for each organization kind O seen: ``members.O``, ``count.O`` (Int64).
  A community whose list is given but lacks a kind has count 0 and area 0.0 for
  it; a community without the list has nulls.

The fixed columns come first in that order, then the others sorted by group and
name, so equal data in different formats gives equal frames.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from ..catalog import Catalog
from ..convert import structure, unstructure
from ..errors import Problem, ProblemsError
from ..model import COMMUNITY_KINDS, Community, Facility, Organization

__all__ = [
    "FIXED_COLUMNS",
    "MAX_LISTED",
    "NULL_TOKENS",
    "CommunityTable",
    "column_dtype",
    "communities_frame",
    "load_communities",
]

# --------------------------------------------------------------------------
# The canonical layout

TEXT_COLUMNS = ("id", "name", "district", "kind")
INT_COLUMNS = ("households", "population", "party_members", "grids")
FLOAT_COLUMNS = ("service_space_m2", "staff_office_m2", "service_radius_km")
LIST_COLUMNS = ("flags", "designations")
#: The columns every canonical table has, in this order.
FIXED_COLUMNS = TEXT_COLUMNS + INT_COLUMNS + FLOAT_COLUMNS + LIST_COLUMNS

#: Tables of free-named numbers: ``staff.full_time``, ``finance.work_funds_yuan`` …
TABLE_GROUPS = ("staff", "volunteers", "finance", "indicators")
FACILITY_FAMILIES = ("area", "count", "floor")
ORGANIZATION_FAMILIES = ("members", "count")
_GROUP_ORDER = {name: rank for rank, name in enumerate((*TABLE_GROUPS, "area", "count", "floor", "members"))}

#: Cell texts read as a blank cell (compared after NFKC, stripping and lower-casing).
NULL_TOKENS = ("-", "--", "—", "——", "–", "无", "na", "n/a", "#n/a", "null", "none", "nan")
#: How many problems of one field and kind are listed before the rest are counted.
MAX_LISTED = 20

KIND_NAMES = {
    "urban": "urban",
    "城市社区": "urban",
    "城市": "urban",
    "town": "town",
    "城镇社区": "town",
    "城镇": "town",
    "rural": "rural",
    "农村社区": "rural",
    "农村": "rural",
    "village": "village",
    "行政村": "village",
    "村": "village",
}

#: Chinese (and other) headers for the fixed fields; metrics' aliases come from the catalog.
FIELD_HEADERS = {
    "id": ("编号", "社区编号", "社区代码", "代码"),
    "name": ("社区名称", "名称", "社区名"),
    "district": ("街道", "所属街道", "区", "所属区", "街道(乡镇)", "乡镇(街道)"),
    "kind": ("类型", "社区类型"),
    "flags": ("标识", "标志", "状态标识"),
    "designations": ("荣誉", "称号", "荣誉称号"),
}

#: The separate facilities table: its columns and their Chinese headers.
FACILITY_TABLE_HEADERS = {
    "community_id": ("社区编号", "编号", "社区代码"),
    "kind": ("类型", "设施类型", "设施种类", "设施"),
    "area_m2": ("面积", "建筑面积", "使用面积"),
    "floor": ("楼层", "所在楼层"),
    "provided_by": ("提供方", "提供单位"),
    "project_floor_area_m2": ("项目建筑面积", "项目总建筑面积"),
}

_FAMILY_HEADER_SUFFIXES = {
    "area": ("面积",),
    "floor": ("所在楼层", "楼层"),
    "count": ("数量", "数"),
    "members": ("成员数", "人数"),
}

_EXPECTED = {
    "int": "a whole number >= 0",
    "float": "a number >= 0",
    "number": "a number",
    "floor": "a whole floor number other than 0 (1 = ground floor, -1 = first basement)",
}


def column_dtype(name: str) -> pl.DataType:
    """The Polars type of a canonical column."""
    if name in TEXT_COLUMNS:
        return pl.String()
    if name in INT_COLUMNS:
        return pl.Int64()
    if name in LIST_COLUMNS:
        return pl.List(pl.String())
    prefix = name.partition(".")[0]
    if prefix in ("count", "members", "floor"):
        return pl.Int64()
    return pl.Float64()


def _column_order(name: str) -> tuple:
    if name in FIXED_COLUMNS:
        return (0, FIXED_COLUMNS.index(name), "")
    prefix, dot, member = name.partition(".")
    if dot and prefix in _GROUP_ORDER:
        return (1, _GROUP_ORDER[prefix], member)
    return (2, 0, name)


def _canonical_order(columns: Iterable[str]) -> list[str]:
    return sorted(set(columns) | set(FIXED_COLUMNS), key=_column_order)


@attrs.frozen(eq=False)
class CommunityTable:
    """The canonical community table, and the file it was read from."""

    frame: pl.DataFrame
    source: str = "<python>"

    def __len__(self) -> int:
        return self.frame.height

    @property
    def ids(self) -> list[str]:
        """The community ids, in input order."""
        return self.frame.get_column("id").to_list()

    @property
    def columns(self) -> list[str]:
        return self.frame.columns


# --------------------------------------------------------------------------
# Collecting problems, capped per field and kind


class _Problems:
    """Every problem of one file; at most :data:`MAX_LISTED` listed per (field, kind)."""

    def __init__(self, file: str, unit: str = "rows"):
        self.file = file
        self.unit = unit
        self._listed: list[tuple[tuple, int, Problem]] = []
        self._totals: dict[tuple[str, str], int] = {}
        self._shown: dict[tuple[str, str], int] = {}
        self._seq = 0

    def add(self, key: tuple[str, str], order: tuple, where: str | None, message: str) -> None:
        self._totals[key] = self._totals.get(key, 0) + 1
        if self._shown.get(key, 0) < MAX_LISTED:
            self._shown[key] = self._shown.get(key, 0) + 1
            self._seq += 1
            self._listed.append((order, self._seq, Problem(file=self.file, where=where, message=message)))

    def add_counted(self, key: tuple[str, str], total: int, items: Iterable[tuple[tuple, str | None, str]]) -> None:
        """Add problems found by a vectorised check: ``items`` are the first rows, ``total`` all of them."""
        before = self._totals.get(key, 0)
        for order, where, message in items:
            self.add(key, order, where, message)
        self._totals[key] = before + total

    def extend(
        self,
        problems: Iterable[Problem],
        key_of: Callable[[Problem], tuple[str, str]],
        order_of: Callable[[Problem], tuple],
    ) -> None:
        for problem in problems:
            self.add(key_of(problem), order_of(problem), problem.where, problem.message)

    def __bool__(self) -> bool:
        return bool(self._totals)

    def problems(self) -> list[Problem]:
        listed = [problem for _order, _seq, problem in sorted(self._listed, key=lambda item: item[:2])]
        for (field, kind), total in self._totals.items():
            more = total - self._shown.get((field, kind), 0)
            if more > 0:
                listed.append(
                    Problem(
                        file=self.file,
                        where=None,
                        message=(
                            f"{field}: {kind} in {more:,} more {self.unit} (only the first {MAX_LISTED} are listed)"
                        ),
                    )
                )
        return listed

    def raise_if_any(self) -> None:
        if self:
            raise ProblemsError(self.problems())


def _suggest(name: str, candidates: Iterable[str]) -> str:
    return Catalog.suggest(name, candidates)


def _suggest_id(value: str, names: Mapping[str, str]) -> str:
    """A did-you-mean naming the id, when ``value`` is close to an id, Chinese name or alias."""
    close = difflib.get_close_matches(_key(value), list(names), n=1, cutoff=0.6)
    return f" (did you mean '{names[close[0]]}'?)" if close else ""


# --------------------------------------------------------------------------
# The vocabulary: headers, kinds, flags and designations the catalog knows


def _key(text: str) -> str:
    """How headers and names are compared: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower().lstrip("\ufeff")


def _names(entries: Mapping[str, Any]) -> dict[str, str]:
    """id, Chinese name and aliases (compared by :func:`_key`) → id."""
    names: dict[str, str] = {}
    for entry in entries.values():
        for name in (entry.id, entry.zh, *entry.aliases):
            names.setdefault(_key(name), entry.id)
    return names


@attrs.frozen
class _Vocabulary:
    headers: dict[str, str]
    ambiguous: dict[str, tuple[str, ...]]
    facility_kinds: dict[str, str]
    organization_kinds: dict[str, str]
    flags: dict[str, str]
    designations: dict[str, str]
    #: Catalog metric columns outside the canonical forms: read as Float64.
    extra_columns: frozenset[str]
    catalog: Catalog

    def resolve(self, header: str) -> tuple[str | None, str | None]:
        """The canonical column a header names, or (None, why not)."""
        key = _key(header)
        for candidate in dict.fromkeys((key, re.sub(r"\([^()]*\)$", "", key))):
            if not candidate:
                continue
            if candidate in self.ambiguous:
                return None, f"ambiguous column '{header}': it could be {' or '.join(self.ambiguous[candidate])}"
            if candidate in self.headers:
                return self.headers[candidate], None
            prefix, dot, member = candidate.partition(".")
            if dot and member:
                if prefix in TABLE_GROUPS:
                    return f"{prefix}.{member}", None
                kinds = {"area": "facility", "floor": "facility", "members": "organization", "count": "both"}.get(
                    prefix
                )
                if kinds is not None:
                    table = {}
                    if kinds in ("facility", "both"):
                        table.update(self.facility_kinds)
                    if kinds in ("organization", "both"):
                        table.update(self.organization_kinds)
                    if member in table:
                        return f"{prefix}.{table[member]}", None
                    label = {
                        "facility": "facility kind",
                        "organization": "organization kind",
                        "both": "facility or organization kind",
                    }[kinds]
                    ids = sorted(set(table.values()))
                    return None, f"column '{header}': unknown {label} '{member}'{_suggest(member, ids)}"
        hint = _suggest(key, self.headers)
        return None, f"unknown column '{header}'{hint}"


def _vocabulary(catalog: Catalog) -> _Vocabulary:
    targets: dict[str, set[str]] = {}

    def add(name: str, column: str) -> None:
        targets.setdefault(_key(name), set()).add(column)

    for column in FIXED_COLUMNS:
        add(column, column)
    for column, names in FIELD_HEADERS.items():
        for name in names:
            add(name, column)
    extra = set()
    for metric in catalog.metrics.values():
        if metric.column is None:
            continue
        column = metric.column
        prefix, dot, _member = column.partition(".")
        if column not in FIXED_COLUMNS and not (dot and prefix in (*TABLE_GROUPS, *_GROUP_ORDER)):
            extra.add(column)
        add(column, column)
        add(metric.id, column)
        for name in (metric.zh, *metric.aliases):
            add(name, column)
    explicit = set(targets)  # generated kind headers never shadow a catalog alias
    generated: dict[str, set[str]] = {}
    for family, sections in (
        ("area", ("facility_kinds",)),
        ("floor", ("facility_kinds",)),
        ("count", ("facility_kinds", "organization_kinds")),
        ("members", ("organization_kinds",)),
    ):
        for section in sections:
            for kind in getattr(catalog, section).values():
                add(f"{family}.{kind.id}", f"{family}.{kind.id}")
                for name in (kind.zh, *kind.aliases):
                    for suffix in _FAMILY_HEADER_SUFFIXES[family]:
                        if _key(f"{name}{suffix}") not in explicit:
                            generated.setdefault(_key(f"{name}{suffix}"), set()).add(f"{family}.{kind.id}")
    for key, columns in generated.items():
        targets.setdefault(key, set()).update(columns)
    headers = {key: next(iter(columns)) for key, columns in targets.items() if len(columns) == 1}
    ambiguous = {key: tuple(sorted(columns)) for key, columns in targets.items() if len(columns) > 1}
    return _Vocabulary(
        headers=headers,
        ambiguous=ambiguous,
        facility_kinds=_names(catalog.facility_kinds),
        organization_kinds=_names(catalog.organization_kinds),
        flags=_names(catalog.flags),
        designations=_names(catalog.designations),
        extra_columns=frozenset(extra),
        catalog=catalog,
    )


def _field_kind(column: str, vocabulary: _Vocabulary) -> str:
    """How a canonical column is parsed: id, text, kind, int, float, number, floor, list."""
    if column == "id":
        return "id"
    if column == "kind":
        return "kind"
    if column in TEXT_COLUMNS:
        return "text"
    if column in INT_COLUMNS:
        return "int"
    if column in LIST_COLUMNS:
        return "list"
    if column in vocabulary.extra_columns:
        return "number"
    prefix = column.partition(".")[0]
    if prefix == "floor":
        return "floor"
    if prefix in ("count", "members"):
        return "int"
    return "float"


# --------------------------------------------------------------------------
# Reading flat files into (raw frame with positional columns, headers)


class _Unreadable(Exception):
    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where


def _read_flat(path: Path) -> tuple[pl.DataFrame, list[str | None]]:
    """The data cells (String for CSV/XLSX, as stored for Parquet) and the header row."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # polars raises several types for a damaged file
            raise _Unreadable(f"cannot read as Parquet: {_first_line(exc)}") from None
        headers: list[str | None] = list(frame.columns)
        return frame.rename({name: f"c{i}" for i, name in enumerate(frame.columns)}), headers
    if suffix == ".csv":
        grid = _read_csv_grid(path)
    else:
        try:
            grid = pl.read_excel(
                path,
                sheet_id=1,
                has_header=False,
                infer_schema_length=0,
                drop_empty_rows=False,
                drop_empty_cols=False,
                raise_if_empty=False,
            )
        except Exception as exc:
            raise _Unreadable(f"cannot read as a spreadsheet: {_first_line(exc)}") from None
    if grid.height == 0:
        raise _Unreadable("the file is empty: expected a header row")
    grid = grid.rename({name: f"c{i}" for i, name in enumerate(grid.columns)})
    headers = [None if value is None else str(value) for value in grid.row(0)]
    return grid.slice(1), headers


def _read_csv_grid(path: Path) -> pl.DataFrame:
    options = {"has_header": False, "infer_schema": False, "quote_char": '"'}
    try:
        return pl.read_csv(path, **options)
    except pl.exceptions.NoDataError:
        return pl.DataFrame()
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower() and "utf8" not in str(exc).lower():
            raise _Unreadable(f"cannot read as CSV: {_first_line(exc)}") from None
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    # Not UTF-8: Excel on Chinese Windows saves CSV as GBK / GB18030.
    try:
        text = path.read_bytes().decode("gb18030")
    except UnicodeDecodeError:
        raise _Unreadable("cannot read: the file is neither UTF-8 nor GB18030 (GBK) text") from None
    try:
        return pl.read_csv(text.encode("utf-8"), **options)
    except Exception as exc:
        raise _Unreadable(f"cannot read as CSV: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --------------------------------------------------------------------------
# Parsing columns with expressions


def _case_variants(token: str) -> list[str]:
    variants = [""]
    for char in token:
        variants = [v + c for v in variants for c in dict.fromkeys((char.lower(), char.upper()))]
    return variants


_NULL_CELLS = sorted({"", *(v for token in NULL_TOKENS for v in _case_variants(token))})


def _null_tokens(text: pl.Expr) -> pl.Expr:
    """Blank and placeholder cells → null (any letter case)."""
    return pl.when(text.is_in(_NULL_CELLS)).then(None).otherwise(text)


def _clean_text(column: pl.Expr, nfkc: bool) -> pl.Expr:
    text = column.cast(pl.String)
    if nfkc:
        text = text.str.normalize("NFKC")
    return _null_tokens(text.str.strip_chars())


def _numeric_text(column: pl.Expr, nfkc: bool = True) -> pl.Expr:
    """Full-width digits, spaces and thousands separators cleaned; placeholders null."""
    text = (column.str.normalize("NFKC") if nfkc else column).str.replace_all(r"\s+", "")
    text = _null_tokens(text)
    thousands = text.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
    return pl.when(thousands).then(text.str.replace_all(",", "", literal=True)).otherwise(text)


@attrs.frozen
class _Check:
    """A vectorised check: rows where ``bad`` holds get ``message(raw)``."""

    field: str
    kind: str
    bad: pl.Expr
    shown: pl.Expr
    message: Callable[[Any], str]


def _display(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@attrs.frozen
class _Spec:
    """How one column is parsed, in stages that each materialise simple expressions.

    ``clean`` (stage A) reads the raw cell: cleaned text, or the stored number;
    ``value`` (stage B) works on A; ``final`` and ``checks`` on A and B. With
    ``by_value`` stages A and B (and the checks) run once per distinct cell text
    and are gathered back by index (kinds and lists repeat a few values a million
    times).
    """

    clean: Callable[[pl.Expr], pl.Expr]
    value: Callable[[pl.Expr], pl.Expr]
    final: Callable[[pl.Expr, pl.Expr], pl.Expr]
    checks: Callable[[pl.Expr, pl.Expr, pl.Expr], list[_Check]]
    by_value: bool = False


def _number_spec(column: str, kind: str, dtype: pl.DataType, nfkc: bool = True, has_nan: bool = True) -> _Spec:
    expected = _EXPECTED[kind]
    text = dtype == pl.String

    def message(raw: Any) -> str:
        return f"{column}: expected {expected}, got {_display(raw)!r}"

    def clean(source: pl.Expr) -> pl.Expr:
        # a NaN stored in a Parquet float column marks a missing value (as pandas writes it)
        return _numeric_text(source, nfkc) if text else source.cast(pl.Float64).fill_nan(None)

    def value(a: pl.Expr) -> pl.Expr:
        number = a.cast(pl.Float64, strict=False) if text else a
        return pl.when(number.is_finite()).then(number + 0.0)  # NaN/inf → null; -0.0 → 0.0

    def whole(b: pl.Expr) -> pl.Expr:
        return (b == b.floor()) & (b.abs() < 2.0**53)

    def final(_a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return pl.when(whole(b)).then(b).cast(pl.Int64) if kind in ("int", "floor") else b

    if kind in ("int", "floor") and dtype in (pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt16, pl.UInt8):
        # Already whole numbers (Parquet): no parsing, no copy; only the range is checked.
        def native_checks(_a: pl.Expr, _b: pl.Expr, source: pl.Expr) -> list[_Check]:
            shown = source.cast(pl.String)
            if kind == "int":
                return [_Check(column, "negative", source < 0, shown, message)]
            return [_Check(column, "floor 0", source == 0, shown, message)]

        return _Spec(lambda source: source, lambda a: a, lambda a, _b: a.cast(pl.Int64), native_checks)

    if kind == "float" and dtype in (pl.Float64, pl.Float32):
        # Already numbers (Parquet): a NaN marks a missing value (as pandas writes it); only the range is checked.
        def float_checks(a: pl.Expr, _b: pl.Expr, source: pl.Expr) -> list[_Check]:
            shown = source.cast(pl.String)
            return [
                _Check(column, "not a number", a.is_infinite(), shown, message),
                _Check(column, "negative", a < 0, shown, message),
            ]

        def float_value(source: pl.Expr) -> pl.Expr:
            source = source.cast(pl.Float64)
            return source.fill_nan(None) if has_nan else source  # no NaN: the column is taken as it is

        # an infinite value is reported above, so the file is refused: the final column need not clear it
        return _Spec(float_value, lambda a: a, lambda a, _b: a, float_checks)

    def checks(a: pl.Expr, b: pl.Expr, source: pl.Expr) -> list[_Check]:
        shown = source if text else source.cast(pl.String)
        found = [_Check(column, "not a number", a.is_not_null() & b.is_null(), shown, message)]
        if kind in ("int", "floor"):
            found.append(_Check(column, "not a whole number", b.is_not_null() & ~whole(b), shown, message))
        if kind == "int":
            found.append(_Check(column, "negative", whole(b) & (b < 0), shown, message))
        elif kind == "float":
            found.append(_Check(column, "negative", b < 0, shown, message))
        elif kind == "floor":
            found.append(_Check(column, "floor 0", b == 0, shown, message))
        return found

    return _Spec(clean, value, final, checks)


def _list_spec(column: str, names: Mapping[str, str], label: str, nfkc: bool = True) -> _Spec:
    """A ``;``-separated list (a List column is joined with ``;`` first).

    NFKC (full-width forms) runs only when the column holds non-ASCII text: on a
    million distinct lists of ids it would be most of the load time.
    """

    def clean(source: pl.Expr) -> pl.Expr:
        items = _clean_text(source, nfkc=nfkc).str.split(";")
        return items.list.eval(pl.element().str.strip_chars().str.to_lowercase()).list.eval(
            pl.element().filter(pl.element() != "")
        )

    lookup = pl.element().replace_strict(dict(names), default=None, return_dtype=pl.String)

    def message(values: Any) -> str:
        parts = [f"'{value}'{_suggest_id(value, names)}" for value in values or []]
        return f"{column}: unknown {label} {', '.join(parts)}"

    def checks(a: pl.Expr, b: pl.Expr, _source: pl.Expr) -> list[_Check]:
        unknown = a.list.eval(pl.element().filter(lookup.is_null()))
        return [_Check(column, f"unknown {label}", b.list.eval(pl.element().is_null()).list.any(), unknown, message)]

    return _Spec(clean, lambda a: a.list.eval(lookup), lambda _a, b: b, checks, by_value=True)


def _kind_spec(column: str, names: Mapping[str, str], label: str, choices: Sequence[str]) -> _Spec:
    def clean(source: pl.Expr) -> pl.Expr:
        return _clean_text(source, nfkc=True).str.replace_all(r"\s+", "").str.to_lowercase()

    def message(raw: Any) -> str:
        hint = _suggest_id(str(raw), names)
        return f"{column}: unknown {label} {str(raw).strip()!r}{hint}; expected one of {', '.join(choices)}"

    def checks(a: pl.Expr, b: pl.Expr, raw: pl.Expr) -> list[_Check]:
        return [_Check(column, f"unknown {label}", a.is_not_null() & b.is_null(), raw, message)]

    return _Spec(
        clean,
        lambda a: a.replace_strict(dict(names), default=None, return_dtype=pl.String),
        lambda _a, b: b,
        checks,
        by_value=True,
    )


def _text_spec(nfkc: bool) -> _Spec:
    return _Spec(lambda source: _clean_text(source, nfkc=nfkc), lambda a: a, lambda _a, b: b, lambda _a, _b, _s: [])


def _parse_columns(
    raw: pl.DataFrame,
    columns: Mapping[str, str],
    vocabulary: _Vocabulary,
    problems: _Problems,
    kinds: Mapping[str, str],
) -> pl.DataFrame | None:
    """Parse mapped columns (canonical name → raw column) of ``raw``; report what is wrong.

    ``kinds`` says how each canonical column is parsed. Returns the parsed frame
    with a ``__row`` column (1-based data row), blank rows dropped, or None if a
    column cannot be parsed at all.
    """
    schema = raw.schema
    # NFKC only where a column holds something besides ASCII (it is the costly step).
    texts = [
        source
        for column, source in columns.items()
        if (schema[source] == pl.String and kinds[column] not in ("text", "kind", "facility_kind", "list"))
        or kinds[column] == "list"
    ]  # other by-value columns: always

    def as_text(name: str) -> pl.Expr:
        return pl.col(name).list.join(";") if isinstance(schema[name], pl.List) else pl.col(name).cast(pl.String)

    wide = (
        dict(
            zip(
                texts,
                raw.select(as_text(t).str.contains(r"[^\x00-\x7F]").any().alias(t) for t in texts).row(0),
                strict=False,
            )
        )
        if texts and raw.height
        else {}
    )
    floats = [source for source in columns.values() if schema[source] in (pl.Float64, pl.Float32)]
    has_nan = (
        dict(zip(floats, raw.select(pl.col(f).is_nan().any() for f in floats).row(0), strict=False))
        if floats and raw.height
        else {}
    )
    specs: dict[str, _Spec] = {}
    for column, source_name in columns.items():
        dtype, kind = schema[source_name], kinds[column]
        nfkc = bool(wide.get(source_name, False))
        if kind in ("id", "text"):
            specs[column] = _text_spec(nfkc=kind == "id" and nfkc)
        elif kind == "kind":
            specs[column] = _kind_spec(column, KIND_NAMES, "community kind", COMMUNITY_KINDS)
        elif kind == "facility_kind":
            specs[column] = _kind_spec(
                column, vocabulary.facility_kinds, "facility kind", sorted(vocabulary.catalog.facility_kinds)
            )
        elif kind == "list":
            if not (dtype == pl.String or (isinstance(dtype, pl.List) and dtype.inner == pl.String)):
                problems.add(
                    (column, "column type"),
                    (0, 0),
                    "header",
                    f"{column}: expected ';'-separated text or a list of texts, the column has type {dtype}",
                )
                continue
            names = vocabulary.flags if column == "flags" else vocabulary.designations
            specs[column] = _list_spec(column, names, column[:-1], nfkc)
        else:
            if not (dtype == pl.String or dtype.is_numeric()):
                problems.add(
                    (column, "column type"),
                    (0, 0),
                    "header",
                    f"{column}: expected {_EXPECTED[kind]}, the column has type {dtype}",
                )
                continue
            specs[column] = _number_spec(column, kind, dtype, nfkc, has_nan.get(source_name, True))
    if len(specs) < len(columns):
        return None

    names = list(specs)
    # Each column's stages are expressions used inline (no intermediate copies of a million rows):
    # A cleans the text, B reads the value; checks judge A and B; the final column is built from them.
    row = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    a_expr: dict[str, pl.Expr] = {}
    b_expr: dict[str, pl.Expr] = {}
    by_value_bad: dict[str, list[pl.Expr]] = {}
    for column, spec in specs.items():
        source = pl.col(columns[column])
        if not spec.by_value:
            a_expr[column] = spec.clean(source)
            b_expr[column] = spec.value(a_expr[column])
            continue
        # Stages A and B once per distinct cell, then gathered back by index.
        if isinstance(schema[columns[column]], pl.List):  # an empty list stays empty (";"), null stays null
            source = pl.when(source.list.len() == 0).then(pl.lit(";")).otherwise(source.list.join(";"))
        else:
            source = source.cast(pl.String)
        distinct = raw.select(source.alias("key")).get_column("key").drop_nulls().unique(maintain_order=True)
        if len(distinct) * 4 > raw.height:  # mostly different cells: judging each row directly is cheaper
            a_expr[column] = spec.clean(source)
            b_expr[column] = spec.value(a_expr[column])
            by_value_bad[column] = [
                check.bad.fill_null(False) for check in spec.checks(a_expr[column], b_expr[column], source)
            ]
            continue
        table = pl.DataFrame({"key": distinct}).with_columns(spec.clean(pl.col("key")).alias("a"))
        table = table.with_columns(spec.value(pl.col("a")).alias("b"))
        table = table.with_columns(
            check.bad.fill_null(False).alias(f"bad{i}")
            for i, check in enumerate(spec.checks(pl.col("a"), pl.col("b"), pl.col("key")))
        )
        # each row's place in the distinct table, computed once (it is read by several expressions below)
        index = pl.lit(
            raw.select(
                source.replace_strict(
                    distinct, pl.Series(range(len(distinct)), dtype=pl.UInt32), default=None, return_dtype=pl.UInt32
                )
            ).to_series()
        )
        a_expr[column] = pl.lit(table.get_column("a")).gather(index)
        b_expr[column] = pl.lit(table.get_column("b")).gather(index)
        by_value_bad[column] = [
            pl.lit(table.get_column(name)).gather(index).fill_null(False)
            for name in table.columns
            if name.startswith("bad")
        ]
    checks: list[_Check] = []
    bad_exprs: list[pl.Expr] = []
    for column, spec in specs.items():
        found = spec.checks(a_expr[column], b_expr[column], pl.col(columns[column]))
        for i, check in enumerate(found):
            bad = by_value_bad[column][i] if spec.by_value else check.bad.fill_null(False)
            checks.append(attrs.evolve(check, bad=bad))
            bad_exprs.append(bad)
    _report(raw, row, checks, problems)
    finals = [spec.final(a_expr[c], b_expr[c]).alias(c) for c, spec in specs.items()]
    parsed = raw.lazy().select(row.alias("__row"), *finals)
    # Rows where every cell is blank carry nothing: dropped (row numbers are kept).
    # (A blank row fails no check above: every check needs a value.)
    if names:
        parsed = parsed.filter(~pl.all_horizontal([pl.col(c).is_null() for c in names]))
    return parsed.collect()


def _blank(column: str, dtype: pl.DataType) -> pl.Expr:
    source = pl.col(column)
    if dtype == pl.String:
        return _null_tokens(source.str.normalize("NFKC").str.strip_chars()).is_null()
    return source.is_null()


def _report(raw: pl.DataFrame, row: pl.Expr, checks: Sequence[_Check], problems: _Problems) -> None:
    """Count the rows each check flags in ``raw``; list the first ones with their values."""
    if not checks:
        return
    totals = raw.lazy().select(check.bad.sum().alias(f"c{i}") for i, check in enumerate(checks)).collect().row(0)
    for check, total in zip(checks, totals, strict=False):
        if not total:
            continue
        rows = (
            raw.lazy()
            .select(row.alias("__row"), check.shown.alias("__shown"), check.bad.alias("__bad"))
            .filter(pl.col("__bad"))
            .head(MAX_LISTED)
            .select("__row", "__shown")
            .collect()
            .rows()
        )
        problems.add_counted(
            (check.field, check.kind), total, (((1, r), f"row {r}", check.message(shown)) for r, shown in rows)
        )


# --------------------------------------------------------------------------
# Flat files → canonical frame


def _map_headers(
    headers: Sequence[str | None],
    raw: pl.DataFrame,
    resolve: Callable[[str], tuple[str | None, str | None]],
    problems: _Problems,
) -> dict[str, str]:
    """Canonical column → raw column; unknown, duplicate and nameless columns reported."""
    mapped: dict[str, str] = {}
    named: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        source = f"c{index}"
        if header is None or not _key(header):
            if raw.height and raw.select(_blank(source, raw.schema[source]).all()).item() is False:
                problems.add(
                    ("header", "column without a header"),
                    (0, index),
                    "header",
                    f"column {index + 1} has no header but holds values",
                )
            continue
        column, why = resolve(header)
        if column is None:
            problems.add(("header", "unknown column"), (0, index), "header", f"{why} (column {index + 1})")
            continue
        if column in named:
            first_index, first_header = named[column]
            problems.add(
                ("header", "duplicate column"),
                (0, index),
                "header",
                f"columns {first_index + 1} ('{first_header}') and {index + 1} ('{header}') both give '{column}'",
            )
            continue
        named[column] = (index, header)
        mapped[column] = source
    return mapped


def _from_flat(
    raw: pl.DataFrame,
    headers: Sequence[str | None],
    vocabulary: _Vocabulary,
    problems: _Problems,
    facilities_given: bool,
) -> pl.DataFrame | None:
    mapped = _map_headers(headers, raw, vocabulary.resolve, problems)
    if "id" not in mapped:
        problems.add(
            ("header", "no id column"),
            (0, -1),
            "header",
            "no 'id' column (编号 / 社区编号): every community needs an id",
        )
    if facilities_given:
        clashing = [
            c
            for c in mapped
            if c.partition(".")[0] in ("area", "floor")
            or (c.startswith("count.") and c[6:] in vocabulary.catalog.facility_kinds)
        ]
        if clashing:
            problems.add(
                ("header", "facilities twice"),
                (0, -1),
                "header",
                f"facilities are given by a separate table; remove the columns {', '.join(clashing)} "
                "(or do not give the facilities table)",
            )
    kinds = {column: _field_kind(column, vocabulary) for column in mapped}
    parsed = _parse_columns(raw, mapped, vocabulary, problems, kinds)
    if parsed is None:
        return None
    _check_rows(parsed, problems, vocabulary)
    return parsed


def _check_rows(frame: pl.DataFrame, problems: _Problems, vocabulary: _Vocabulary) -> None:
    """Checks across columns and rows: ids, impossible values."""
    columns = set(frame.columns)
    checks: list[_Check] = []
    if "id" in columns:
        checks.append(
            _Check(
                "id",
                "missing id",
                pl.col("id").is_null(),
                pl.lit(None),
                lambda _raw: "id: missing: every community needs an id",
            )
        )
    if {"staff_office_m2", "service_space_m2"} <= columns:
        checks.append(
            _Check(
                "staff_office_m2",
                "exceeds service_space_m2",
                pl.col("staff_office_m2") > pl.col("service_space_m2"),
                pl.concat_list(pl.col("staff_office_m2"), pl.col("service_space_m2")),
                lambda pair: (
                    f"staff_office_m2 ({_display(pair[0])}) exceeds service_space_m2 ({_display(pair[1])}): "
                    "the staff offices are part of the service space"
                ),
            )
        )
    for column in sorted(columns):
        family, _dot, kind = column.partition(".")
        count = f"count.{kind}"
        if family in ("area", "members") and count in columns:
            checks.append(
                _Check(
                    column,
                    f"{family} without any {kind}",
                    (pl.col(column) > 0) & (pl.col(count) == 0),
                    pl.col(column).cast(pl.Float64),
                    lambda value, column=column, count=count: f"{column} is {_display(value)} but {count} is 0",
                )
            )
        if family == "floor" and count in columns:
            checks.append(
                _Check(
                    column,
                    f"floor without any {kind}",
                    pl.col(column).is_not_null() & (pl.col(count) == 0),
                    pl.col(column),
                    lambda value, column=column, count=count: f"{column} is {value} but {count} is 0",
                )
            )
    _report(frame, pl.col("__row"), [attrs.evolve(c, bad=c.bad.fill_null(False)) for c in checks], problems)
    ids = frame.get_column("id") if "id" in columns else None
    if ids is not None and ids.drop_nulls().n_unique() < ids.len() - ids.null_count():
        duplicated = frame.filter(pl.col("id").is_not_null() & pl.col("id").is_duplicated())
        if duplicated.height:
            groups = duplicated.group_by("id", maintain_order=True).agg(pl.col("__row"))
            items = []
            for community_id, rows in groups.head(MAX_LISTED).rows():
                listing = ", ".join(str(r) for r in rows)
                items.append(((1, rows[1]), f"row {rows[1]}", f"id: duplicate id '{community_id}' (rows {listing})"))
            problems.add_counted(("id", "duplicate id"), groups.height, items)


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed nulls for absent fixed columns; canonical column order and types."""
    present = set(frame.columns) - {"__row"}
    order = _canonical_order(present)
    return frame.select(
        pl.col(name).cast(column_dtype(name)) if name in present else pl.lit(None, dtype=column_dtype(name)).alias(name)
        for name in order
    ).rechunk()


# --------------------------------------------------------------------------
# The separate facilities table


def _facilities_vocabulary(vocabulary: _Vocabulary) -> Callable[[str], tuple[str | None, str | None]]:
    headers = {}
    for column, names in FACILITY_TABLE_HEADERS.items():
        headers[_key(column)] = column
        for name in names:
            headers[_key(name)] = column

    def resolve(header: str) -> tuple[str | None, str | None]:
        key = _key(header)
        for candidate in dict.fromkeys((key, re.sub(r"\([^()]*\)$", "", key))):
            if candidate in headers:
                return headers[candidate], None
        return None, f"unknown column '{header}'{_suggest(key, headers)}"

    return resolve


def _facility_totals(
    path: Path, display: str, ids: pl.Series | None, vocabulary: _Vocabulary
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The facilities table summed per (community, kind), and its problems.

    ``ids`` are the communities of the main file (None when it could not be read:
    then unknown community ids cannot be told).
    """
    problems = _Problems(display)
    try:
        raw, headers = _read_flat(path)
    except _Unreadable as exc:
        return None, [Problem(file=display, where=exc.where, message=exc.message)]
    mapped = _map_headers(headers, raw, _facilities_vocabulary(vocabulary), problems)
    for required in ("community_id", "kind"):
        if required not in mapped:
            problems.add(("header", "missing column"), (0, -1), "header", f"no '{required}' column")
    kinds = {
        "community_id": "id",
        "kind": "facility_kind",
        "area_m2": "float",
        "floor": "floor",
        "provided_by": "text",
        "project_floor_area_m2": "float",
    }
    parsed = _parse_columns(raw, mapped, vocabulary, problems, kinds)
    if parsed is None or "community_id" not in mapped or "kind" not in mapped:
        return None, problems.problems()
    # An unknown kind is reported by the parser; here only a blank kind cell is "missing".
    kind_text = raw.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("__row")).select(
        "__row", _clean_text(pl.col(mapped["kind"]), nfkc=True).alias("__kind_text")
    )
    view = parsed.join(kind_text, on="__row", how="left", maintain_order="left")
    checks = [
        _Check(
            "community_id",
            "missing",
            pl.col("community_id").is_null(),
            pl.lit(None),
            lambda _raw: "community_id: missing: which community is this facility in?",
        ),
        _Check(
            "kind",
            "missing",
            pl.col("__kind_text").is_null(),
            pl.lit(None),
            lambda _raw: "kind: missing: which kind of facility is this?",
        ),
    ]
    if ids is not None:
        known = ids.drop_nulls().unique()
        candidates = known.to_list() if known.len() <= 5000 else []  # difflib over a million ids is too slow
        checks.append(
            _Check(
                "community_id",
                "unknown community",
                pl.col("community_id").is_not_null() & ~pl.col("community_id").is_in(known.implode()),
                pl.col("community_id"),
                lambda raw: f"community_id: no community '{raw}' in the communities file{_suggest(raw, candidates)}",
            )
        )
    _report(view, pl.col("__row"), [attrs.evolve(c, bad=c.bad.fill_null(False)) for c in checks], problems)
    if problems:
        return None, problems.problems()
    area = pl.col("area_m2") if "area_m2" in parsed.columns else pl.lit(None, dtype=pl.Float64)
    floor = pl.col("floor") if "floor" in parsed.columns else pl.lit(None, dtype=pl.Int64)
    totals = parsed.group_by("community_id", "kind", maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("count"),
        pl.when(area.null_count() == 0).then(area.sum()).cast(pl.Float64).alias("area"),
        floor.first().cast(pl.Int64).alias("floor"),
    )
    return totals, []


def _join_facilities(frame: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """area./count./floor. columns from the facilities totals.

    As in the nested form, the rows of one community are its complete list: it has
    none (count 0, area 0) of the kinds it has no row for. A community with no row
    at all has an unknown list (nulls).
    """
    mentioned = totals.get_column("community_id").unique().implode()
    out = frame.with_columns(pl.col("id").is_in(mentioned).fill_null(False).alias("__listed"))
    for kind in sorted(totals.get_column("kind").unique().to_list()):
        part = totals.filter(pl.col("kind") == kind).select(
            pl.col("community_id").alias("id"),
            pl.col("area").alias(f"area.{kind}"),
            pl.col("count").alias(f"count.{kind}"),
            pl.col("floor").alias(f"floor.{kind}"),
        )
        out = out.join(part, on="id", how="left", maintain_order="left").with_columns(
            pl.when(pl.col("__listed") & pl.col(f"count.{kind}").is_null())
            .then(0.0)
            .otherwise(pl.col(f"area.{kind}"))
            .alias(f"area.{kind}"),
            pl.when(pl.col("__listed")).then(pl.col(f"count.{kind}").fill_null(0)).alias(f"count.{kind}"),
        )
    return out.drop("__listed")


# --------------------------------------------------------------------------
# Nested records (JSON, TOML, model objects) → canonical frame


_COMMUNITY_KEYS = tuple(a.name for a in attrs.fields(Community))
_FACILITY_KEYS = tuple(a.name for a in attrs.fields(Facility))
_ORGANIZATION_KEYS = tuple(a.name for a in attrs.fields(Organization))
_TOP_LEVEL_KEYS = ("communities", "_note")


def _generic_where(where: str | None) -> str:
    """``communities[3].facilities[0].area_m2`` → ``facilities[].area_m2`` (the cap's field)."""
    if not where:
        return "record"
    relative = re.sub(r"^(communities)?\[\d+\]\.?", "", where)
    return re.sub(r"\[\d+\]", "[]", relative) or "record"


def _record_order(where: str | None) -> tuple:
    match = re.match(r"^(?:communities)?\[(\d+)\]", where or "")
    return (1, int(match.group(1))) if match else (0, 0)


_SCALARS = {
    Community: {
        "name": "text",
        "district": "text",
        **dict.fromkeys(INT_COLUMNS, "int"),
        **dict.fromkeys(FLOAT_COLUMNS, "float"),
    },
    Facility: {"area_m2": "float", "floor": "floor", "provided_by": "text", "project_floor_area_m2": "float"},
    Organization: {"members": "int"},
}


class _RecordChecker:
    """Checks one nested record (a dict) completely, before the converter sees it.

    The model's validators stop at the first broken field of an object; here every
    field is checked, bad values are reported and removed, and Chinese names of
    kinds and flags are replaced by catalog ids (``aliases=True``). What is left
    is structured by the shared converter.
    """

    def __init__(self, vocabulary: _Vocabulary, file: str, aliases: bool = True):
        self.vocabulary = vocabulary
        self.file = file
        self.aliases = aliases
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, where=where, message=message))

    def keys(self, record: dict, known: Sequence[str], path: str) -> None:
        for key in [k for k in record if k not in known]:
            self.add(f"{path}.{key}", f"unknown key '{key}'{_suggest(str(key), known)}")
            del record[key]

    def scalar(self, record: dict, key: str, kind: str, path: str) -> None:
        value = record.get(key)
        if value is None:
            return
        if kind == "text":
            ok = isinstance(value, str)
            expected = "a text"
        else:
            number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            whole = number and float(value).is_integer()
            ok = {
                "int": whole and value >= 0,
                "float": number and value >= 0,
                "floor": whole and value != 0,
                "number": number,
            }[kind]
            expected = _EXPECTED[kind]
        if not ok:
            self.add(f"{path}.{key}", f"expected {expected}, got {value!r}")
            del record[key]

    def table(self, record: dict, key: str, path: str) -> None:
        table = record.get(key)
        if table is None:
            return
        if not isinstance(table, dict):
            self.add(f"{path}.{key}", f"expected a table of numbers, got {table!r}")
            del record[key]
            return
        record[key] = table = dict(table)
        for name in list(table):
            self.scalar(table, name, "float", f"{path}.{key}")

    def kind(self, item: dict, names: Mapping[str, str], label: str, path: str) -> bool:
        value = item.get("kind")
        if value is None:
            self.add(f"{path}.kind", f"required field missing: which {label}?")
            return False
        if not isinstance(value, str):
            self.add(f"{path}.kind", f"expected a text, got {value!r}")
            return False
        known = set(names.values())
        if value in known:
            return True
        if self.aliases and _key(value) in names:
            item["kind"] = names[_key(value)]
            return True
        self.add(f"{path}.kind", f"unknown {label} '{value}'{_suggest_id(value, names)}")
        return False

    def items(self, record: dict, key: str, cls: type, names: Mapping[str, str], label: str, path: str) -> None:
        items = record.get(key)
        if items is None:
            return
        if not isinstance(items, (list, tuple)):
            self.add(f"{path}.{key}", f"expected a list, got {items!r}")
            del record[key]
            return
        good = []
        for index, item in enumerate(items):
            where = f"{path}.{key}[{index}]"
            if not isinstance(item, dict):
                self.add(where, f"expected a table, got {item!r}")
                continue
            item = dict(item)
            before = len(self.problems)
            self.keys(item, [a.name for a in attrs.fields(cls)], where)
            kind_ok = self.kind(item, names, label, where)
            for name, kind in _SCALARS[cls].items():
                self.scalar(item, name, kind, where)
            if kind_ok and len(self.problems) == before:
                good.append(item)
        record[key] = good

    def names(self, record: dict, key: str, known: Mapping[str, str], label: str, path: str) -> None:
        items = record.get(key)
        if items is None:
            return
        if not isinstance(items, (list, tuple)):
            self.add(f"{path}.{key}", f"expected a list of texts, got {items!r}")
            del record[key]
            return
        ids = set(known.values())
        good = []
        for index, item in enumerate(items):
            if not isinstance(item, str):
                self.add(f"{path}.{key}[{index}]", f"expected a text, got {item!r}")
            elif item in ids:
                good.append(item)
            elif self.aliases and _key(item) in known:
                good.append(known[_key(item)])
            else:
                self.add(f"{path}.{key}[{index}]", f"unknown {label} '{item}'{_suggest_id(item, known)}")
        record[key] = good

    def check(self, value: Any, path: str) -> tuple[dict | None, dict | None]:
        """The cleaned record (for the converter) and its indicators; problems are collected."""
        if not isinstance(value, dict):
            self.add(path, f"expected a table (object), got {value!r}")
            return None, None
        vocabulary = self.vocabulary
        record = dict(value)
        self.keys(record, _COMMUNITY_KEYS, path)
        community_id = record.get("id")
        if community_id is None:
            self.add(f"{path}.id", "required field missing: every community needs an id")
        elif not isinstance(community_id, str) or not community_id.strip():
            self.add(f"{path}.id", f"expected a non-empty text, got {community_id!r}")
        if not isinstance(community_id, str) or not community_id.strip():
            record["id"] = "?"
        kind = record.get("kind")
        if kind is not None:
            normal = KIND_NAMES.get(_key(kind)) if isinstance(kind, str) else None
            if normal is None or (not self.aliases and kind not in COMMUNITY_KINDS):
                hint = _suggest_id(kind, KIND_NAMES) if isinstance(kind, str) else ""
                self.add(
                    f"{path}.kind",
                    f"unknown community kind {kind!r}{hint}; expected one of {', '.join(COMMUNITY_KINDS)}",
                )
                del record["kind"]
            else:
                record["kind"] = normal
        for key, kind in _SCALARS[Community].items():
            self.scalar(record, key, kind, path)
        for group in TABLE_GROUPS:
            self.table(record, group, path)
        self.items(record, "facilities", Facility, vocabulary.facility_kinds, "facility kind", path)
        self.items(record, "organizations", Organization, vocabulary.organization_kinds, "organization kind", path)
        self.names(record, "flags", vocabulary.flags, "flag", path)
        self.names(record, "designations", vocabulary.designations, "designation", path)
        office, space = record.get("staff_office_m2"), record.get("service_space_m2")
        if office is not None and space is not None and office > space:
            self.add(
                f"{path}.staff_office_m2",
                f"staff_office_m2 ({_display(office)}) exceeds service_space_m2 ({_display(space)}): "
                "the staff offices are part of the service space",
            )
        indicators = record.pop("indicators", None)
        if indicators is not None:
            indicators = {name: float(number) for name, number in indicators.items()}
        return record, indicators

    def structure(self, record: dict, path: str) -> Community | None:
        """Structure a checked record; anything the checks above missed is reported too."""
        try:
            return structure(record, Community, self.file)
        except ProblemsError as exc:
            seen = {problem.where for problem in self.problems}
            for problem in exc.problems:
                where = f"{path}.{problem.where}" if problem.where else path
                if where not in seen:
                    self.add(where, problem.message)
            return None


def _build_frame(communities: Sequence[Community], indicators: Sequence[Mapping[str, float] | None]) -> pl.DataFrame:
    """The canonical frame of valid model objects (the nested path: one pass in Python)."""
    fixed: dict[str, list] = {name: [] for name in FIXED_COLUMNS}
    rows: list[dict[str, Any]] = []
    facility_kinds: set[str] = set()
    organization_kinds: set[str] = set()
    given: list[tuple[bool, bool]] = []
    for community, extra in zip(communities, indicators, strict=False):
        for name in FIXED_COLUMNS:
            value = getattr(community, name)
            if name in LIST_COLUMNS and value is not None:
                value = list(value)
            elif name in FLOAT_COLUMNS and value is not None:
                value = float(value)
            fixed[name].append(value)
        row: dict[str, Any] = {}
        for group in TABLE_GROUPS:
            table = extra if group == "indicators" else getattr(community, group)
            for key, number in (table or {}).items():
                row[f"{group}.{key}"] = float(number)
        if community.facilities is not None:
            areas: dict[str, list] = {}
            for facility in community.facilities:
                facility_kinds.add(facility.kind)
                areas.setdefault(facility.kind, []).append(facility.area_m2)
                row.setdefault(f"floor.{facility.kind}", facility.floor)
            for kind, values in areas.items():
                row[f"count.{kind}"] = len(values)
                row[f"area.{kind}"] = None if None in values else float(sum(values))
        if community.organizations is not None:
            members: dict[str, list] = {}
            for organization in community.organizations:
                organization_kinds.add(organization.kind)
                members.setdefault(organization.kind, []).append(organization.members)
            for kind, values in members.items():
                row[f"count.{kind}"] = len(values)
                row[f"members.{kind}"] = None if None in values else sum(values)
        rows.append(row)
        given.append((community.facilities is not None, community.organizations is not None))

    dynamic: set[str] = set()
    for row in rows:
        dynamic.update(row)
    for kind in facility_kinds:
        dynamic.update((f"area.{kind}", f"count.{kind}", f"floor.{kind}"))
    for kind in organization_kinds:
        dynamic.update((f"members.{kind}", f"count.{kind}"))

    def absent(name: str, has_facilities: bool, has_organizations: bool) -> Any:
        family, _, kind = name.partition(".")
        complete = (has_facilities and kind in facility_kinds and family in FACILITY_FAMILIES) or (
            has_organizations and kind in organization_kinds and family in ORGANIZATION_FAMILIES
        )
        if not complete or family == "floor":
            return None  # unknown; and a facility that is not there has no floor
        return 0.0 if family == "area" else 0

    data: dict[str, list] = dict(fixed)
    for name in dynamic:
        data[name] = [
            row[name] if name in row else absent(name, *flags) for row, flags in zip(rows, given, strict=False)
        ]
    order = _canonical_order(data)
    return pl.DataFrame({name: data[name] for name in order}, schema={name: column_dtype(name) for name in order})


def communities_frame(
    communities: Iterable[Community],
    *,
    indicators: Sequence[Mapping[str, float] | None] | None = None,
    catalog: Catalog | None = None,
    source: str = "<python>",
) -> CommunityTable:
    """The canonical table of :class:`Community` objects built in Python (notebooks, tests).

    ``indicators`` (one table or None per community) fills the ``indicators.*``
    columns; by default each community's own ``indicators``. The same checks as for files run
    (catalog kinds and flags — by id, not Chinese name —, duplicate ids,
    impossible values); problems are reported at ``communities[i]``.
    """
    communities = list(communities)
    extras = list(indicators) if indicators is not None else [getattr(c, "indicators", None) for c in communities]
    if len(extras) != len(communities):
        raise ValueError(f"{len(extras)} indicator tables for {len(communities)} communities")
    checker = _RecordChecker(_vocabulary(catalog or _default_catalog()), source, aliases=False)
    for index, (community, extra) in enumerate(zip(communities, extras, strict=False)):
        path = f"communities[{index}]"
        if not isinstance(community, Community):
            checker.add(path, f"expected a Community, got {type(community).__name__}")
            continue
        record = {key: value for key, value in unstructure(community).items() if value is not None}
        if extra is not None:
            record["indicators"] = dict(extra)
        checker.check(record, path)
    problems = _Problems(source, unit="records")
    problems.extend(checker.problems, _nested_key, lambda p: _record_order(p.where))
    _duplicate_ids([getattr(c, "id", None) for c in communities], "communities", problems)
    problems.raise_if_any()
    extras = [None if extra is None else {k: float(v) for k, v in extra.items()} for extra in extras]
    return CommunityTable(frame=_build_frame(communities, extras), source=source)


def _nested_key(problem: Problem) -> tuple[str, str]:
    message = re.sub(r"'[^']*'|-?\d+(\.\d+)?", "…", problem.message)
    return _generic_where(problem.where), message


def _duplicate_ids(ids: Sequence[Any], prefix: str, problems: _Problems) -> None:
    seen: dict[str, list[int]] = {}
    for index, community_id in enumerate(ids):
        if isinstance(community_id, str) and community_id.strip():
            seen.setdefault(community_id, []).append(index)
    for community_id, indexes in seen.items():
        if len(indexes) > 1:
            places = ", ".join(f"{prefix}[{i}]" for i in indexes)
            problems.add(
                ("id", "duplicate id"),
                (1, indexes[1]),
                f"{prefix}[{indexes[1]}].id",
                f"duplicate id '{community_id}' ({places})",
            )


def _from_nested(data: Any, file: str, vocabulary: _Vocabulary) -> pl.DataFrame:
    checker = _RecordChecker(vocabulary, file)
    if isinstance(data, dict):
        for key in [k for k in data if k not in _TOP_LEVEL_KEYS]:
            checker.add(
                str(key),
                f"unknown key '{key}'{_suggest(str(key), _TOP_LEVEL_KEYS)}: expected "
                "'communities' (and optionally a '_note' text)",
            )
        if "_note" in data and not isinstance(data["_note"], str):
            checker.add("_note", f"expected a text, got {data['_note']!r}")
        records, prefix = data.get("communities"), "communities"
        if records is None:
            checker.add(None, "no 'communities' list")  # type: ignore[arg-type]
            records = []
    else:
        records, prefix = data, ""
    if not isinstance(records, list):
        checker.add(
            prefix or None,  # type: ignore[arg-type]
            f"expected a list of communities, got {type(records).__name__}",
        )
        records = []
    communities: list[Community] = []
    extras: list[dict | None] = []
    for index, value in enumerate(records):
        path = f"{prefix}[{index}]"
        record, extra = checker.check(value, path)
        if record is None:
            continue
        community = checker.structure(record, path)
        if community is not None:
            communities.append(community)
            extras.append(extra)
    problems = _Problems(file, unit="records")
    problems.extend(checker.problems, _nested_key, lambda p: _record_order(p.where))
    _duplicate_ids([r.get("id") if isinstance(r, dict) else None for r in records], prefix, problems)
    problems.raise_if_any()
    return _build_frame(communities, extras)


# --------------------------------------------------------------------------
# The entry point


def _default_catalog() -> Catalog:
    from ..registry import get_registry

    return get_registry().catalog


FORMATS = (".json", ".toml", ".csv", ".xlsx", ".xlsm", ".parquet")


def load_communities(
    path: str | Path, *, facilities: str | Path | None = None, catalog: Catalog | None = None
) -> CommunityTable:
    """Read a community dataset (JSON, TOML, CSV, XLSX or Parquet) into the canonical table.

    :param path: the dataset; its extension says the format.
    :param facilities: a separate facilities table (CSV, XLSX or Parquet) with
        ``community_id, kind, area_m2, floor``, instead of ``area.*`` columns.
    :param catalog: the vocabulary to check kinds and flags against (default: the
        installed registry's merged catalog).
    :raises ProblemsError: with every problem of the file(s).
    """
    display = str(path)
    path = Path(path)
    vocabulary = _vocabulary(catalog or _default_catalog())
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ProblemsError(
            [
                Problem(
                    file=display,
                    where=None,
                    message=(
                        f"unsupported format '{path.suffix or path.name}': use .json, .toml, .csv, .xlsx or .parquet"
                    ),
                )
            ]
        )
    if not path.is_file():
        raise ProblemsError([Problem(file=display, where=None, message="no such file")])
    if suffix in (".json", ".toml"):
        if facilities is not None:
            raise ProblemsError(
                [
                    Problem(
                        file=str(facilities),
                        where=None,
                        message=(
                            "a separate facilities table goes with a flat file (CSV, XLSX, Parquet); "
                            "in JSON/TOML give each community a 'facilities' list"
                        ),
                    )
                ]
            )
        frame = _from_nested(_read_nested(path, display), display, vocabulary)
        return CommunityTable(frame=frame, source=path.name)

    problems = _Problems(display)
    parsed = None
    try:
        raw, headers = _read_flat(path)
    except _Unreadable as exc:
        problems.add(("file", "unreadable"), (0, -2), exc.where, exc.message)
    else:
        parsed = _from_flat(raw, headers, vocabulary, problems, facilities is not None)
    found = problems.problems()
    totals = None
    if facilities is not None:
        ids = parsed.get_column("id") if parsed is not None and "id" in parsed.columns else None
        totals, more = _facility_totals(Path(facilities), str(facilities), ids, vocabulary)
        found += more
    if found:
        raise ProblemsError(found)
    assert parsed is not None
    frame = parsed.drop("__row")
    if totals is not None:
        frame = _join_facilities(frame, totals)
    return CommunityTable(frame=_finish(frame), source=path.name)


def _read_nested(path: Path, display: str) -> Any:
    try:
        if path.suffix.lower() == ".toml":
            with path.open("rb") as handle:
                return tomllib.load(handle)
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ProblemsError([Problem(file=display, where=where, message=f"not valid JSON: {exc.msg}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsError([Problem(file=display, where=None, message=f"not valid TOML: {exc}")]) from None
    except UnicodeDecodeError:
        raise ProblemsError([Problem(file=display, where=None, message="cannot read: not UTF-8 text")]) from None
    except OSError as exc:
        message = f"cannot read: {exc.strerror or exc}"
        raise ProblemsError([Problem(file=display, where=None, message=message)]) from None
