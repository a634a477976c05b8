"""Reading a file as it is stored: flat files to a grid of cells, nested files to Python data.

Flat forms (one row per community): ``.csv`` (UTF-8, or GB18030 as Excel saves
it on Chinese Windows) and ``.xlsx`` are read as text cells; ``.parquet`` as
stored. Columns are named ``c0``, ``c1`` … by position and the header row is
returned beside them, so that a header may be unknown, repeated or blank.
Nested forms (``.json``, ``.toml``) are read into dicts and lists. Nothing
here judges the content: a file that cannot be read at all raises
:class:`Unreadable` (flat) or :class:`ProblemsError` (nested) with one problem.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import Problem, ProblemsError

#: The suffixes :func:`shequ.io.load_communities` reads: nested first, then flat.
NESTED_SUFFIXES = (".json", ".toml")
FLAT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


class Unreadable(Exception):
    """A flat file that cannot be read: ``message`` says why (``where`` is rarely known)."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where


def read_flat(path: Path) -> tuple[pl.DataFrame, list[str | None]]:
    """The data cells (String for CSV/XLSX, as stored for Parquet) and the header row."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # polars raises several types for a damaged file
            raise Unreadable(f"cannot read as Parquet: {first_line(exc)}") from None
        headers: list[str | None] = list(frame.columns)
        return frame.rename({name: f"c{i}" for i, name in enumerate(frame.columns)}), headers
    grid = _read_csv_grid(path) if suffix == ".csv" else _read_sheet(path)
    if grid.height == 0:
        raise Unreadable("the file is empty: expected a header row")
    grid = grid.rename({name: f"c{i}" for i, name in enumerate(grid.columns)})
    headers = [None if value is None else str(value) for value in grid.row(0)]
    return grid.slice(1), headers


def read_csv_numbers(
    path: Path, numbers: Callable[[Sequence[str | None]], Collection[int]]
) -> tuple[pl.DataFrame, list[str | None]] | None:
    """A clean CSV file read fast: the columns ``numbers`` picks by their header parsed by the CSV reader.

    None when the file is not that simple (not UTF-8, a header over several
    lines, a cell that is not a plain number): the caller then reads it as text
    with :func:`read_flat`, whose clean-up and problems are the reference. The
    numbers read here are those that clean-up gives, except NaN and infinities,
    which the clean-up reads as the texts ``nan`` (blank) and ``inf``.
    """
    try:
        head = pl.read_csv(path, has_header=False, infer_schema=False, n_rows=1, quote_char='"')
    except Exception:  # any reason not to take the fast path is a reason to take the slow one
        return None
    if head.height == 0:
        return None
    headers = [None if value is None else str(value) for value in head.row(0)]
    if any(header and ("\n" in header or "\r" in header) for header in headers):
        return None  # the reader skips the header as one line
    positions = set(numbers(headers))
    if not positions:
        return None
    schema = {f"c{i}": pl.Float64() if i in positions else pl.String() for i in range(len(headers))}
    try:
        cells = pl.read_csv(path, has_header=False, skip_rows=1, schema=schema, quote_char='"')
    except Exception:  # a cell that is not a plain number, a ragged row, not UTF-8 …
        return None
    return cells.rechunk(), headers  # contiguous once, so that every later step works on one chunk


def _read_sheet(path: Path) -> pl.DataFrame:
    try:
        return pl.read_excel(
            path,
            sheet_id=1,
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # fastexcel raises its own types for a file that is not a workbook
        raise Unreadable(f"cannot read as a spreadsheet: {first_line(exc)}") from None


def _csv_cells(source: Path | bytes) -> pl.DataFrame:
    return pl.read_csv(source, has_header=False, infer_schema=False, quote_char='"')


def _read_csv_grid(path: Path) -> pl.DataFrame:
    try:
        return _csv_cells(path)
    except pl.exceptions.NoDataError:
        return pl.DataFrame()
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower() and "utf8" not in str(exc).lower():
            raise Unreadable(f"cannot read as CSV: {first_line(exc)}") from None
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    # Not UTF-8: Excel on Chinese Windows saves CSV as GBK / GB18030.
    try:
        text = path.read_bytes().decode("gb18030")
    except UnicodeDecodeError:
        raise Unreadable("cannot read: the file is neither UTF-8 nor GB18030 (GBK) text") from None
    try:
        return _csv_cells(text.encode("utf-8"))
    except Exception as exc:  # the same parser errors as above, now on the re-encoded text
        raise Unreadable(f"cannot read as CSV: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (polars appends hints on further lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def read_nested(path: Path, display: str) -> Any:
    """The JSON or TOML document at ``path`` as Python data; ``display`` names the file in problems."""
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
