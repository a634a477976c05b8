"""Nested records (JSON, TOML, model objects) flattened into the columns a flat file has.

A nested dataset holds one record per community, with its facilities and
organizations as lists::

    {
        "communities": [
            {
                "id": "C1",
                "households": 1200,
                "staff": {"full_time": 7},
                "facilities": [{"kind": "police_room", "area_m2": 20}],
                "flags": ["村改居"],
            }
        ]
    }

:func:`flatten` turns it into three tables: the communities (one row per
record, with the canonical columns: ``staff.full_time``, ``flags`` as a list
…), their facilities and their organizations (one row per item, linked to
the community's row), exactly as a CSV file and a separate facilities table
give them. The values are kept as the record holds them; only what cannot
be a column at all is reported here: a record that is not a table, an
unknown key, a value of the wrong type (``"300"`` for a number, ``5`` for a
name). Everything else is judged by :mod:`shequ.io.validate`, the same rules
as for flat files, through a :class:`Records` place that names each row by
its path (``communities[3].facilities[0].area_m2``) and sorts problems in
the order a reader meets them in the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import polars as pl

from ..model import Community, Facility, Organization
from ..suggest import did_you_mean
from .columns import EXPECTED, FIXED_COLUMNS, FLOAT_COLUMNS, INT_COLUMNS, LIST_COLUMNS, TABLE_GROUPS, column_dtype
from .parsers import UNMATCHABLE
from .problems import Check, Order, Problems, shown

TOP_LEVEL_KEYS = ("communities", "_note")
_COMMUNITY_KEYS = frozenset(a.name for a in attrs.fields(Community))
_ITEMS = {
    "facilities": (
        tuple(a.name for a in attrs.fields(Facility)),
        {"area_m2": "float", "floor": "floor", "provided_by": "text", "project_floor_area_m2": "float"},
    ),
    "organizations": (tuple(a.name for a in attrs.fields(Organization)), {"members": "int"}),
}
_ITEM_KEYS = {name: frozenset(fields) for name, (fields, _scalars) in _ITEMS.items()}
#: A community's scalar fields in the order their problems are listed.
_SCALARS = {
    "name": "text",
    "district": "text",
    **dict.fromkeys(INT_COLUMNS, "int"),
    **dict.fromkeys(FLOAT_COLUMNS, "float"),
}

# Where a problem of a record sorts among the record's problems (after its index): the order in which
# a reader meets the fields. Record-wide rules come after every field.
_UNKNOWN_KEY, _ID, _KIND, _SCALAR, _TABLE, _ITEM_LIST, _NAME_LIST, _ACROSS, _BLANK_NUMBER, _DUPLICATE = range(10)
_RECORD_WIDE = {"exceeds service_space_m2": (_ACROSS,), "duplicate id": (_DUPLICATE,)}


def record_key(where: str | None, message: str) -> tuple[str, str]:
    """The (field, kind) a record's problem is capped by: ``facilities[].area_m2`` and the message's shape."""
    if not where:
        field = "record"
    else:
        relative = re.sub(r"^(communities)?\[\d+\]\.?", "", where)
        field = re.sub(r"\[\d+\]", "[]", relative) or "record"
    return field, re.sub(r"'[^']*'|-?\d+(\.\d+)?", "…", message)


class Records:
    """The rows of a flattened table: each a record (or an item of one), named by its path."""

    nested = True
    listed: int | None = None  # every problem is phrased: records are capped by the message's shape

    def __init__(self, aliases: bool, items: str | None = None):
        self.aliases = aliases
        self.items = items
        self.paths: list[str] = []
        self.orders: list[Order] = []
        self.originals: list[dict[str, Any]] = []

    def add_row(self, path: str, order: Order, original: dict[str, Any]) -> int:
        self.paths.append(path)
        self.orders.append(order)
        self.originals.append(original)
        return len(self.paths) - 1

    def original(self, row: int, field: str) -> Any:
        """The value the record holds for a column (``staff.full_time`` is ``staff`` → ``full_time``)."""
        record = self.originals[row]
        group, dot, name = field.partition(".")
        if dot and group in TABLE_GROUPS and self.items is None:
            table = record.get(group)
            return table.get(name) if isinstance(table, dict) else None
        return record.get(field)

    def rank(self, row: int, check: str, field: str, item: int) -> Order:
        """Where a problem of ``field`` sorts among its record's problems."""
        if self.items is not None:  # a facility or organization: its kind, then its values
            scalars = list(_ITEMS[self.items][1])
            return (_KIND,) if field == "kind" else (_SCALAR, scalars.index(field) if field in scalars else 0)
        if check in _RECORD_WIDE:
            return _RECORD_WIDE[check]
        group, dot, name = field.partition(".")
        if field == "id":
            return (_ID,)
        if field == "kind":
            return (_KIND,)
        if field in _SCALARS:
            return (_SCALAR, list(_SCALARS).index(field))
        if dot and group in TABLE_GROUPS:
            table = self.originals[row].get(group)
            position = list(table).index(name) if isinstance(table, dict) and name in table else 0
            return (_TABLE, TABLE_GROUPS.index(group), position)
        if field in LIST_COLUMNS:
            return (_NAME_LIST, LIST_COLUMNS.index(field), item)
        return (_ACROSS,)

    def report(self, problems: Problems, check: Check, total: int, rows: Sequence[tuple[int, Any]]) -> None:
        for row, value in rows:
            original = self.original(row, check.field)
            said = check.said(value, original) if check.said else [("", check.says(value))]
            for suffix, message in said:
                where = f"{self.paths[row]}.{check.field}{suffix}"
                item = int(suffix[1:-1]) if suffix else -1
                order = (*self.orders[row], *self.rank(row, check.kind, check.field, item))
                problems.add(record_key(where, message), order, where, message, field=check.field, path=where)

    def report_duplicates(self, problems: Problems, total: int, groups: Sequence[tuple[str, list[int]]]) -> None:
        for community_id, rows in groups:
            places = ", ".join(self.paths[row] for row in rows)
            where = f"{self.paths[rows[1]]}.id"
            order = (*self.orders[rows[1]], *_RECORD_WIDE["duplicate id"])
            message = f"duplicate id '{community_id}' ({places})"
            problems.add(("id", "duplicate id"), order, where, message, field="id", path=where)


@attrs.frozen(kw_only=True)
class Flattened:
    """A nested dataset as tables: communities, and their facilities and organizations by row."""

    #: One row per record; ``__facilities`` / ``__organizations``: the record gives that list.
    communities: pl.DataFrame
    #: One row per item; ``__community``: the community's row.
    facilities: pl.DataFrame
    organizations: pl.DataFrame
    places: dict[str, Records]


def _is_number(value: Any) -> bool:
    kind = type(value)
    if kind is int:  # the common cases first: this runs for every number of every record
        return True
    if kind is float:
        return math.isfinite(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


class _Columns:
    """One table's columns as lists, filled row by row (a column a row does not give holds None)."""

    def __init__(self, place: Records):
        self.place = place
        self.values: dict[str, list[Any]] = {}
        self.kinds: dict[str, str] = {}

    def put(self, row: int, column: str, value: Any, kind: str) -> None:
        values = self.values.get(column)
        if values is None:
            values = self.values[column] = []
            self.kinds[column] = kind
        if len(values) < row:
            values.extend([None] * (row - len(values)))
        values.append(value)

    def frame(self, always: Sequence[str]) -> pl.DataFrame:
        """The columns (and ``always`` these, empty): numbers as Int64 when every one is whole, else Float64."""
        height = len(self.place.paths)
        for name in always:
            self.values.setdefault(name, [])
        series = [pl.Series("__row", range(height), dtype=pl.Int64)]
        for name, values in self.values.items():
            values.extend([None] * (height - len(values)))
            series.append(pl.Series(name, values, dtype=self._dtype(name, values), strict=False))
        return pl.DataFrame(series)

    def _dtype(self, name: str, values: list[Any]) -> pl.DataType:
        kind = self.kinds.get(name) or _HIDDEN.get(name)
        if kind is None:
            return column_dtype(name)
        if kind in _DTYPES:
            return _DTYPES[kind]
        if all(type(value) is int and abs(value) < 2**63 for value in values if value is not None):
            return pl.Int64()
        return pl.Float64()


class _Flattener:
    """Builds the tables record by record; reports what cannot be a column."""

    def __init__(self, problems: Problems, aliases: bool):
        self.problems = problems
        self.places = {name: Records(aliases, None if name == "communities" else name) for name in _TABLES}
        self.tables = {name: _Columns(place) for name, place in self.places.items()}
        self.communities = self.tables["communities"]

    def problem(self, order: Order, where: str | None, message: str, field: str | None = None) -> None:
        self.problems.add(record_key(where, message), order, where, message, field=field, path=where)

    def unknown_keys(self, record: dict[str, Any], known: frozenset[str], path: str, order: Order) -> None:
        for position, name in enumerate(record):
            if name not in known:
                message = f"unknown key '{name}'{did_you_mean(str(name), known)}"
                self.problem((*order, _UNKNOWN_KEY, position), f"{path}.{name}", message, str(name))

    def scalar(self, table: _Columns, row: int, column: str, value: Any, kind: str, path: str, order: Order) -> None:
        """A text or number as the record holds it (at ``path.column``); of the wrong type, a problem."""
        if value is None:
            return
        if kind == "text" and not isinstance(value, str):
            self.problem(order, f"{path}.{column}", f"expected a text, got {shown(value)}", column)
        elif kind != "text" and not _is_number(value):
            self.problem(order, f"{path}.{column}", f"expected {EXPECTED[kind]}, got {shown(value)}", column)
        else:
            table.put(row, column, value, kind)

    def record(self, index: int, path: str, value: Any) -> None:
        order: Order = (1, index)
        if not isinstance(value, dict):
            self.problem((*order, _UNKNOWN_KEY, -1), path, f"expected a table (object), got {shown(value)}")
            return
        communities = self.communities
        row = self.places["communities"].add_row(path, order, value)
        if not value.keys() <= _COMMUNITY_KEYS:
            self.unknown_keys(value, _COMMUNITY_KEYS, path, order)
        community_id = value.get("id")
        valid_id = isinstance(community_id, str) and community_id.strip()
        communities.put(row, "id", community_id if valid_id else None, "text")  # else: the missing-id rule
        kind = value.get("kind")
        if kind is not None:
            communities.put(row, "kind", kind if isinstance(kind, str) else UNMATCHABLE, "text")
        for position, (name, kind_of) in enumerate(_SCALARS.items()):
            if name in value:
                self.scalar(communities, row, name, value[name], kind_of, path, (*order, _SCALAR, position))
        for group_index, group in enumerate(TABLE_GROUPS):
            if group in value:
                self.table(row, value[group], group, path, (*order, _TABLE, group_index))
        for family, name in enumerate(_ITEMS):
            if name in value:
                self.items(row, value[name], name, path, (*order, _ITEM_LIST, family))
        for position, name in enumerate(LIST_COLUMNS):
            if name in value:
                self.names(row, value[name], name, path, (*order, _NAME_LIST, position))

    def table(self, row: int, table: Any, group: str, path: str, order: Order) -> None:
        if table is None:
            return
        if not isinstance(table, dict):
            self.problem((*order, -1), f"{path}.{group}", f"expected a table of numbers, got {shown(table)}", group)
            return
        for position, (name, number) in enumerate(table.items()):
            column = f"{group}.{name}"
            if number is None:  # a table lists numbers: a null is listed after the record's other problems
                where = f"{path}.{group}[{name!r}]"
                self.problem((*order[:2], _BLANK_NUMBER), where, "expected a number, got None", column)
                continue
            if _is_number(number):
                self.communities.put(row, column, number, "float")
            else:
                where = f"{path}.{group}.{name}"
                self.problem((*order, position), where, f"expected {EXPECTED['float']}, got {shown(number)}", column)

    def items(self, community: int, items: Any, name: str, path: str, order: Order) -> None:
        if items is None:
            return
        if not isinstance(items, list | tuple):
            self.problem((*order, -1), f"{path}.{name}", f"expected a list, got {shown(items)}", name)
            return
        self.communities.put(community, f"__{name}", True, "given")
        known, scalars = _ITEM_KEYS[name], _ITEMS[name][1]
        table, place = self.tables[name], self.places[name]
        for index, item in enumerate(items):
            where, item_order = f"{path}.{name}[{index}]", (*order, index)
            if not isinstance(item, dict):
                self.problem((*item_order, 0), where, f"expected a table, got {shown(item)}")
                continue
            row = place.add_row(where, item_order, item)
            table.put(row, "__community", community, "row")
            if not item.keys() <= known:
                self.unknown_keys(item, known, where, (*item_order, 1))
            kind = item.get("kind")
            if kind is not None:
                table.put(row, "kind", kind if isinstance(kind, str) else UNMATCHABLE, "text")
            for position, (field, kind_of) in enumerate(scalars.items()):
                if field in item:
                    self.scalar(table, row, field, item[field], kind_of, where, (*item_order, _SCALAR, position))

    def names(self, row: int, items: Any, name: str, path: str, order: Order) -> None:
        if items is None:
            return
        if not isinstance(items, list | tuple):
            self.problem((*order, -1), f"{path}.{name}", f"expected a list of texts, got {shown(items)}", name)
            return
        texts = [item if isinstance(item, str) else UNMATCHABLE for item in items]
        self.communities.put(row, name, texts, "list")

    def frame(self, table: str) -> pl.DataFrame:
        # every fixed column, even if no record gives it; an item's kind, even if none has one
        if table == "communities":
            return self.tables[table].frame((*FIXED_COLUMNS, "__facilities", "__organizations"))
        return self.tables[table].frame(("kind", "__community"))


_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "list": pl.List(pl.String()),
    "given": pl.Boolean(),
    "row": pl.Int64(),
}
_TABLES = ("communities", "facilities", "organizations")
#: The hidden columns' kinds, for tables where no row gives them.
_HIDDEN = {"__facilities": "given", "__organizations": "given", "__community": "row"}


def flatten_records(records: Iterable[tuple[int, Any]], prefix: str, problems: Problems, aliases: bool) -> Flattened:
    """Records (with their index in the file) as tables; ``prefix`` names them (``communities``)."""
    flattener = _Flattener(problems, aliases)
    for index, value in records:
        flattener.record(index, f"{prefix}[{index}]", value)
    return Flattened(
        communities=flattener.frame("communities"),
        facilities=flattener.frame("facilities"),
        organizations=flattener.frame("organizations"),
        places=flattener.places,
    )


def flatten(data: Any, problems: Problems) -> Flattened:
    """A JSON/TOML document as tables: ``{"communities": [...]}`` (and a ``_note``) or a bare list."""
    if isinstance(data, dict):
        for name in [name for name in data if name not in TOP_LEVEL_KEYS]:
            message = (
                f"unknown key '{name}'{did_you_mean(str(name), TOP_LEVEL_KEYS)}: expected "
                "'communities' (and optionally a '_note' text)"
            )
            problems.add(record_key(str(name), message), (0, 0), str(name), message, path=str(name))
        if "_note" in data and not isinstance(data["_note"], str):
            message = f"expected a text, got {shown(data['_note'])}"
            problems.add(record_key("_note", message), (0, 0), "_note", message, path="_note")
        records, prefix = data.get("communities"), "communities"
        if records is None:
            problems.add(record_key(None, "no 'communities' list"), (0, 0), None, "no 'communities' list")
            records = []
    else:
        records, prefix = data, ""
    if not isinstance(records, list):
        message = f"expected a list of communities, got {type(records).__name__}"
        problems.add(record_key(prefix or None, message), (0, 0), prefix or None, message, path=prefix or None)
        records = []
    return flatten_records(enumerate(records), prefix, problems, aliases=True)
