"""What is wrong with a dataset, and where: vectorised checks, and the problems they become.

A :class:`Check` is one rule over a column (or a few): a boolean Polars
expression marking the bad rows, and how a problem is phrased. Where a bad row
is, and the exact words, depend on what the row came from, so checks report
through a :class:`Place`: :class:`Rows` for a flat file (``row 7``:
``households: expected …, got '-5'``), :class:`shequ.io.nested.Records` for
nested JSON/TOML records (``communities[3].households``: ``expected …, got -5``).
:class:`Problems` collects every problem of one file and lists at most
:data:`MAX_LISTED` per field and kind, followed by one line counting the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import attrs
import polars as pl

from ..errors import Problem, ProblemsError

#: How many problems of one field and kind are listed before the rest are counted.
MAX_LISTED = 20

#: Where a problem sorts: (0, …) the file and its header, (1, row or record, …) the data.
Order = tuple[int, ...]


@attrs.frozen(kw_only=True)
class Check:
    """A vectorised check: rows where ``bad`` holds are wrong, and ``says(shown)`` what is wrong.

    ``field`` and ``kind`` name the rule (problems are capped per pair).
    ``says`` phrases a flat file's problem from the row's ``shown`` value;
    ``said`` phrases a nested record's problems from ``shown`` and the value as
    the record holds it, each with what to append to the record's path
    (``""`` or ``"[2]"`` for an item of a list). Without ``said``, a record's
    problem is phrased as a row's.
    """

    field: str
    kind: str
    bad: pl.Expr
    shown: pl.Expr
    says: Callable[[Any], str]
    said: Callable[[Any, Any], list[tuple[str, str]]] | None = None


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` for a message: cut to ``limit`` characters (a value may be a whole nested document)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<a {type(value).__name__} nested too deeply to show>"
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


class Problems:
    """Every problem of one file; at most :data:`MAX_LISTED` listed per (field, kind).

    With ``unit="records"`` problems are listed (and capped) in the order a
    reader meets them in the file, however they were found; with ``"rows"``
    the caps follow the order the checks report in.
    """

    def __init__(self, file: str, unit: str = "rows"):
        self.file = file
        self.unit = unit
        self._pending: list[tuple[Order, int, tuple[str, str], Problem]] = []
        self._listed: list[tuple[Order, int, Problem]] = []
        self._totals: dict[tuple[str, str], int] = {}
        self._shown: dict[tuple[str, str], int] = {}
        self._seq = 0

    def add(
        self,
        key: tuple[str, str],
        order: Order,
        where: str | None,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        path: str | None = None,
    ) -> None:
        """One problem; ``key`` is the (field, kind) it is capped by, ``order`` where it sorts."""
        self._seq += 1
        problem = Problem(file=self.file, where=where, message=message, row=row, field=field, path=path)
        if self.unit == "records":
            self._pending.append((order, self._seq, key, problem))
        else:
            self._list(key, order, self._seq, problem)

    def _list(self, key: tuple[str, str], order: Order, seq: int, problem: Problem) -> None:
        self._totals[key] = self._totals.get(key, 0) + 1
        if self._shown.get(key, 0) < MAX_LISTED:
            self._shown[key] = self._shown.get(key, 0) + 1
            self._listed.append((order, seq, problem))

    def add_counted(self, key: tuple[str, str], total: int, items: Iterable[tuple[Order, Problem]]) -> None:
        """Problems found by a vectorised check: ``items`` are the first rows (and where they sort), ``total`` all."""
        before = self._totals.get(key, 0)
        for order, problem in items:
            self._seq += 1
            self._list(key, order, self._seq, problem)
        self._totals[key] = before + total

    def _flush(self) -> None:
        for order, seq, key, problem in sorted(self._pending, key=lambda item: item[:2]):
            self._list(key, order, seq, problem)
        self._pending.clear()

    def __bool__(self) -> bool:
        return bool(self._totals or self._pending)

    def problems(self) -> list[Problem]:
        self._flush()
        listed = [problem for _order, _seq, problem in sorted(self._listed, key=lambda item: item[:2])]
        for (field, kind), total in self._totals.items():
            more = total - self._shown.get((field, kind), 0)
            if more > 0:
                message = f"{field}: {kind} in {more:,} more {self.unit} (only the first {MAX_LISTED} are listed)"
                listed.append(Problem(file=self.file, where=None, message=message, field=field))
        return listed

    def raise_if_any(self) -> None:
        if self:
            raise ProblemsError(self.problems())


class Place(Protocol):
    """Where the rows of a checked frame came from, and how their problems are phrased."""

    #: The rows are records of a nested file: values are exact (no spreadsheet clean-up).
    nested: bool
    #: How many bad rows of one check to phrase (None: all of them).
    listed: int | None
    #: Names (kinds, flags) may be Chinese names and aliases, not only catalog ids.
    aliases: bool

    def report(self, problems: Problems, check: Check, total: int, rows: Sequence[tuple[int, Any]]) -> None:
        """Add the problems of ``check``: ``total`` bad rows, the first of them as (row, shown)."""
        ...

    def report_duplicates(self, problems: Problems, total: int, groups: Sequence[tuple[str, list[int]]]) -> None:
        """Add a problem per id given to several rows: ``groups`` (id, its rows) of ``total``."""
        ...


class Rows:
    """The data rows of a flat file: ``row 7`` is the 7th row under the header.

    ``sheets``: the rows are those of several sheets one after the other, each
    (its first row's index from 0, its name): ``sheet 'B', row 3``.
    """

    nested = False
    listed: int | None = MAX_LISTED
    aliases = True

    def __init__(self, sheets: Sequence[tuple[int, str]] = ()):
        self.sheets = list(sheets)

    def label(self, row: int) -> str:
        """Where row ``row`` (from 1, across every sheet) is."""
        for start, name in reversed(self.sheets):
            if row > start:
                return f"sheet '{name}', row {row - start}"
        return f"row {row}"

    def report(self, problems: Problems, check: Check, total: int, rows: Sequence[tuple[int, Any]]) -> None:
        problems.add_counted(
            (check.field, check.kind),
            total,
            (((1, row), self._problem(problems, row, check.field, check.says(shown))) for row, shown in rows),
        )

    def report_duplicates(self, problems: Problems, total: int, groups: Sequence[tuple[str, list[int]]]) -> None:
        items = []
        for community_id, rows in groups:
            if self.sheets:
                listing = "; ".join(self.label(row) for row in rows)
            else:
                listing = "rows " + ", ".join(str(row) for row in rows)
            message = f"id: duplicate id '{community_id}' ({listing})"
            items.append(((1, rows[1]), self._problem(problems, rows[1], "id", message)))
        problems.add_counted(("id", "duplicate id"), total, items)

    def _problem(self, problems: Problems, row: int, field: str, message: str) -> Problem:
        where = self.label(row) if self.sheets else f"row {row}"
        return Problem(file=problems.file, where=where, message=message, row=row, field=field)


def ragged_rows(widths: Sequence[int], at: int, header_width: int, label: str, problems: Problems) -> None:
    """A CSV row with fewer or more fields than the header (row ``at``): a problem with its row number.

    Such a row is never padded or cut: a missing field would shift no value, but
    the reader cannot know which one is missing. ``label`` prefixes the place
    (``sheet 'B', ``); a row of no field at all is a blank line.
    """
    for index in range(at + 1, len(widths)):
        width = widths[index]
        if width == 0 or width == header_width:
            continue
        row = index - at
        if width < header_width:
            message = (
                f"the row has {width} fields, the header {header_width}: a field is missing "
                "(a blank cell still needs its separator)"
            )
            kind = "missing fields"
        else:
            message = (
                f"the row has {width} fields, the header {header_width}: a value is outside every column "
                "(a value holding the separator needs quotes)"
            )
            kind = "extra fields"
        problems.add(("row", kind), (1, row), f"{label}row {row}", message, row=row)
