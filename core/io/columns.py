"""The canonical community table: its columns, their types and order, and the words its headers may use.

Every format loads to this one layout (see :data:`FIXED_COLUMNS` and
:func:`column_dtype`): the fixed fields first, then the free-named and per-kind
columns sorted by group and name, so equal data in different formats gives
equal frames. :func:`vocabulary` gathers, from the catalog, every header,
kind, flag and designation name a dataset may use, Chinese names and aliases
included, compared by :func:`key` (NFKC, no whitespace, lower case).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs
import polars as pl

from ..catalog import Catalog
from ..suggest import did_you_mean

TEXT_COLUMNS = ("id", "name", "district", "kind")
INT_COLUMNS = ("households", "population", "party_members", "grids")
FLOAT_COLUMNS = ("service_space_m2", "staff_office_m2", "service_radius_km")
LIST_COLUMNS = ("flags", "designations")
#: The columns every canonical table has, in this order.
FIXED_COLUMNS = TEXT_COLUMNS + INT_COLUMNS + FLOAT_COLUMNS + LIST_COLUMNS

#: Tables of free-named numbers: ``staff.full_time``, ``finance.work_funds_yuan`` …
TABLE_GROUPS = ("staff", "volunteers", "finance", "indicators")
#: Event dates a deadline counts from: ``dates.<event>``, one column per ``[[catalog.events]]`` entry.
DATE_GROUP = "dates"
FACILITY_FAMILIES = ("area", "count", "floor")
ORGANIZATION_FAMILIES = ("members", "count")
_GROUP_ORDER = {
    name: rank for rank, name in enumerate((*TABLE_GROUPS, "area", "count", "floor", "members", DATE_GROUP))
}

#: Cell texts read as a blank cell (compared after NFKC, stripping and lower-casing).
NULL_TOKENS = ("-", "--", "—", "——", "–", "无", "na", "n/a", "#n/a", "null", "none", "nan")

#: Community kinds by id and Chinese name (compared by :func:`key`).
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

_FAMILY_HEADER_SUFFIXES = {
    "area": ("面积",),
    "floor": ("所在楼层", "楼层"),
    "count": ("数量", "数"),
    "members": ("成员数", "人数"),
}

#: What a number column holds, as problems phrase it ("expected a whole number >= 0, got …").
EXPECTED = {
    "int": "a whole number >= 0",
    "float": "a number >= 0",
    "number": "a number",
    "floor": "a whole floor number other than 0 (1 = ground floor, -1 = first basement)",
    "date": "a date (YYYY-MM-DD)",
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
    if prefix == DATE_GROUP:
        return pl.Date()
    return pl.Float64()


def _column_order(name: str) -> tuple[int, int, str]:
    if name in FIXED_COLUMNS:
        return (0, FIXED_COLUMNS.index(name), "")
    prefix, dot, member = name.partition(".")
    if dot and prefix in _GROUP_ORDER:
        return (1, _GROUP_ORDER[prefix], member)
    return (2, 0, name)


def canonical_order(columns: Iterable[str]) -> list[str]:
    """The fixed columns, then ``columns`` sorted by group and name."""
    return sorted(set(columns) | set(FIXED_COLUMNS), key=_column_order)


def finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed nulls for absent fixed columns; canonical column order and types (``__row`` dropped)."""
    present = set(frame.columns) - {"__row"}
    series = []
    for name in canonical_order(present):  # column by column (a Polars expression per column costs more)
        dtype = column_dtype(name)
        if name in present:
            column = frame.get_column(name)
            series.append(column if column.dtype == dtype else column.cast(dtype))
        else:
            series.append(pl.repeat(None, frame.height, dtype=dtype, eager=True).alias(name))
    # not rechunked: the CSV reader's many chunks cost the engine nothing measurable (a single-thread
    # A/B of evaluate + summary on 1,000,000 communities), while copying every column costs ~0.4 s
    return pl.DataFrame(series, height=frame.height) if series else frame.clear()


@attrs.frozen(eq=False)
class CommunityTable:
    """The canonical community table, and the file it was read from."""

    frame: pl.DataFrame
    source: str = "<python>"
    #: How the file was read where that was not the plain case (encoding, separator, sheets left out).
    notes: tuple[str, ...] = ()

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
# The vocabulary: headers, kinds, flags and designations the catalog knows


def key(text: str) -> str:
    """How headers and names are compared: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower().lstrip("\ufeff")


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def zh(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def _names(entries: Mapping[str, _Named]) -> dict[str, str]:
    """id, Chinese name and aliases (compared by :func:`key`) → id."""
    names: dict[str, str] = {}
    for entry in entries.values():
        for name in (entry.id, entry.zh, *entry.aliases):
            names.setdefault(key(name), entry.id)
    return names


@attrs.frozen
class Vocabulary:
    """Every name a dataset may use for a column, kind, flag or designation, mapped to its id."""

    headers: dict[str, str]
    ambiguous: dict[str, tuple[str, ...]]
    facility_kinds: dict[str, str]
    organization_kinds: dict[str, str]
    flags: dict[str, str]
    designations: dict[str, str]
    #: Catalog metric columns outside the canonical forms: read as Float64.
    extra_columns: frozenset[str]
    catalog: Catalog
    #: Headers already resolved (a file's header row is resolved by several steps).
    _resolved: dict[str, tuple[str | None, str | None]] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )

    def resolve(self, header: str) -> tuple[str | None, str | None]:
        """The canonical column a header names, or (None, why not)."""
        found = self._resolved.get(header)
        if found is None:
            found = self._resolved[header] = self._resolve(header)
        return found

    def _resolve(self, header: str) -> tuple[str | None, str | None]:
        name = key(header)
        for candidate in dict.fromkeys((name, re.sub(r"\([^()]*\)$", "", name))):
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
                found = self._kind_column(header, prefix, member)
                if found is not None:
                    return found
        return None, f"unknown column '{header}'{did_you_mean(name, list(self.headers))}"

    def _kind_column(self, header: str, family: str, member: str) -> tuple[str | None, str | None] | None:
        """``area.<kind>`` and the like: the column, or why the kind is unknown; None for another family."""
        sections = {"area": "facility", "floor": "facility", "members": "organization", "count": "both"}.get(family)
        if sections is None:
            return None
        table: dict[str, str] = {}
        if sections in ("facility", "both"):
            table.update(self.facility_kinds)
        if sections in ("organization", "both"):
            table.update(self.organization_kinds)
        if member in table:
            return f"{family}.{table[member]}", None
        label = {
            "facility": "facility kind",
            "organization": "organization kind",
            "both": "facility or organization kind",
        }[sections]
        hint = did_you_mean(member, sorted(set(table.values())))
        return None, f"column '{header}': unknown {label} '{member}'{hint}"


def vocabulary(catalog: Catalog) -> Vocabulary:
    """The vocabulary of ``catalog``: fixed fields, metrics' columns and names, kinds' headers."""
    targets: dict[str, set[str]] = {}

    def add(name: str, column: str) -> None:
        targets.setdefault(key(name), set()).add(column)

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
    for event in catalog.events.values():  # the event dates of deadlines "N days after" an event
        column = f"{DATE_GROUP}.{event.id}"
        for name in (column, event.id, event.zh, *event.aliases):
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
                        if key(f"{name}{suffix}") not in explicit:
                            generated.setdefault(key(f"{name}{suffix}"), set()).add(f"{family}.{kind.id}")
    for name, columns in generated.items():
        targets.setdefault(name, set()).update(columns)
    return Vocabulary(
        headers={name: next(iter(columns)) for name, columns in targets.items() if len(columns) == 1},
        ambiguous={name: tuple(sorted(columns)) for name, columns in targets.items() if len(columns) > 1},
        facility_kinds=_names(catalog.facility_kinds),
        organization_kinds=_names(catalog.organization_kinds),
        flags=_names(catalog.flags),
        designations=_names(catalog.designations),
        extra_columns=frozenset(extra),
        catalog=catalog,
    )


def field_kind(column: str, vocabulary: Vocabulary) -> str:
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
    if prefix == DATE_GROUP:
        return "date"
    if prefix == "floor":
        return "floor"
    if prefix in ("count", "members"):
        return "int"
    return "float"
