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

import csv
import io
import json
import re
import threading
import tomllib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from ..errors import Problem, ProblemsError
from .encoding import EncodingProblem, decode
from .sheets import read_sheets

#: The suffixes :func:`shequ.io.load_communities` reads: nested first, then flat.
NESTED_SUFFIXES = (".json", ".toml")
FLAT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


class Unreadable(Exception):
    """A flat file that cannot be read: ``message`` says why (``where`` is rarely known)."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where


@attrs.frozen(kw_only=True)
class Grid:
    """A CSV file or one worksheet as text cells ``c0`` … ``cN``: every row, header (and title rows) included.

    ``widths``: the number of fields of each row when a CSV file's rows differ
    (None: every row has ``cells.width`` fields). ``faults``: cells that do not
    hold what they show (merged, error, formula without a computed value), as
    (row, column, what is wrong), 0-based in ``cells``. ``notes``: how the
    file was read, when it was not as expected (encoding, delimiter).
    """

    cells: pl.DataFrame
    name: str | None = None
    widths: list[int] | None = None
    faults: list[tuple[int, int, str]] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)


def read_parquet(path: Path) -> tuple[pl.DataFrame, list[str | None]]:
    """A Parquet file's columns as stored (named ``c0`` … by position) and their names."""
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise Unreadable(f"cannot read as Parquet: {first_line(exc)}") from None
    headers: list[str | None] = list(frame.columns)
    return frame.rename({name: f"c{i}" for i, name in enumerate(frame.columns)}), headers


def read_grids(path: Path, *, encoding: str | None = None, sheets: Sequence[str] = ()) -> list[Grid]:
    """A CSV file (one grid) or a workbook's sheets (every sheet, or those named) as text cells."""
    if path.suffix.lower() == ".csv":
        return [read_csv_grid(path, encoding)]
    return read_sheets(path, sheets)


def read_csv_numbers(
    path: Path, numbers: Callable[[Sequence[str | None]], Collection[int]]
) -> tuple[pl.DataFrame, list[str | None]] | None:
    """A clean CSV file read fast: the columns ``numbers`` picks by their header parsed by the CSV reader.

    None when the file is not that simple (not UTF-8, a header over several
    lines, a cell that is not a plain number, a row with fewer or more fields
    than the header): the caller then reads it as text with
    :func:`read_csv_grid`, whose clean-up and problems are the reference. The
    numbers read here are those that clean-up gives, except NaN and
    infinities, which the clean-up reads as the texts ``nan`` (blank) and
    ``inf``.
    """
    read = read_csv_numbers_deferred(path, numbers)
    if read is None:
        return None
    cells, headers, every_row_full = read
    return (cells, headers) if every_row_full() else None


def read_csv_numbers_deferred(
    path: Path,
    numbers: Callable[[Sequence[str | None]], Collection[int]],
    whole: Callable[[Sequence[str | None]], Collection[int]] | None = None,
    names: Callable[[Sequence[str | None]], Collection[int]] | None = None,
) -> tuple[pl.DataFrame, list[str | None], Callable[[], bool]] | None:
    """:func:`read_csv_numbers`, with the check that no row lacks fields left running beside the caller.

    The third item answers (waiting if need be) whether every row has the
    header's number of fields; if not, the cells are not to be used. It is told
    by how the lines end (:func:`_full_by_line_ends`: a scan of the lines in a
    thread started beside the reader, which measured faster than after it) or,
    in a file with quotes or blank lines, by counting the separators, in
    slices, while the caller parses the cells.

    ``whole``: of the columns ``numbers`` picks, those that hold whole numbers (counts,
    floors): read as integers when the first rows write them so (no ``.``, ``e``), which spares
    the checks and casts of a float; if a later cell does not parse as one, the file is read
    again with every number column as a float.

    ``names``: columns of names (kinds, flags) whose cells repeat a few texts: read as
    ``Categorical``, so that each distinct text is stored once and looking the cells up costs a
    comparison of numbers (:class:`shequ.io.parsers._Names`).
    """
    try:
        # Polars reads the file itself (mapped, not copied); the field count below reads it again, beside
        # the header and the first rows, which say how whole numbers are written (see _written_whole)
        head = pl.read_csv(
            path, has_header=False, infer_schema=False, n_rows=_SURVEYED_ROWS + 1, quote_char='"', glob=False
        )
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
    categorical = set(names(headers)) - positions if names is not None else set()
    schema = {
        f"c{i}": pl.Float64() if i in positions else pl.Categorical() if i in categorical else pl.String()
        for i in range(len(headers))
    }
    integers = _written_whole(head.slice(1), set(whole(headers)) & positions) if whole is not None else set()
    # (wasted when no row turns out to have a blank last cell: 0.1 CPU-s for 400 MB, beside the reader)
    early: list[tuple[int, int, int, bytes] | None] = []
    scanner = threading.Thread(target=lambda: early.append(_line_ends(path)), name="shequ-line-ends", daemon=True)
    scanner.start()
    cells = None
    if integers:
        try:
            cells = pl.read_csv(
                path,
                has_header=False,
                skip_rows=1,
                schema={name: pl.Int64() if int(name[1:]) in integers else dtype for name, dtype in schema.items()},
                quote_char='"',
                glob=False,
            )
        except Exception:  # a whole-number column holds "12.0" further down, or anything else: as floats
            cells = None
    if cells is None:
        try:
            cells = pl.read_csv(path, has_header=False, skip_rows=1, schema=schema, quote_char='"', glob=False)
        except Exception:  # a cell that is not a plain number, a row with more fields, not UTF-8 …
            return None
    # Text columns in one chunk each (cheap: their views are copied, not their bytes); the parsing
    # that follows reads them several times. Number columns are left as read: copying them costs
    # more than it saves.
    texts = [name for name, dtype in schema.items() if dtype == pl.String()]
    cells = cells.with_columns(cells.select(texts).rechunk())
    last = cells.get_column(f"c{len(headers) - 1}")
    if not last.null_count():
        # No row has more fields (the reader would have failed) and none lacks its last one.
        return cells, headers, lambda: True
    blank_last = last.is_null()
    height = cells.height + 1
    answer: list[bool] = []

    def count() -> None:
        scanner.join()
        told = _full_by_line_ends(path, cells, early[0] if early else None)
        if told is not None:
            answer.append(told)
            return
        # If the separators add up to a full count on every row, no row has fewer fields either;
        # otherwise the rows are counted one by one.
        try:
            data = path.read_bytes()
        except OSError:
            return  # no answer: the file is read again by the slow path, which reports why
        bare = _unquoted(data)
        total = sum(bare.count(b",", at, at + _COUNT_SLICE) for at in range(0, len(bare), _COUNT_SLICE))
        full = total == (len(headers) - 1) * height
        answer.append(full or _short_rows(bare, height, blank_last, ",") is None)

    worker = threading.Thread(target=count, name="shequ-field-count", daemon=True)
    worker.start()

    def every_row_full() -> bool:
        worker.join()
        return bool(answer and answer[0])

    return cells, headers, every_row_full


def _line_ends(path: Path) -> tuple[int, int, int, bytes] | None:
    """A CSV file's lines, the separators ending them and its header line (see :func:`_full_by_line_ends`)."""
    try:
        with path.open("rb") as file:
            header = file.readline().rstrip(b"\r\n")
        line = pl.col("line")  # without its line break (\n or \r\n)
        ends = (line.str.len_bytes() - line.str.strip_chars_end(",").str.len_bytes()).alias("ends")
        # (quotes are looked for as the lines are cut, in parallel, not by a pass of their own)
        quoted = line.str.contains('"', literal=True).alias("quoted")
        query = pl.scan_lines(path).select(ends, (line.str.len_bytes() == 0).alias("blank"), quoted)
        sums = (pl.col("ends").sum().alias("total"), pl.col("ends").max().alias("deepest"), pl.col("blank").sum())
        query = query.select(pl.len(), *sums, pl.col("quoted").any())
        lines, total, deepest, blank_lines, quotes = query.collect(engine="streaming").row(0)
    except Exception:  # unreadable, not UTF-8 …: the count will say
        return None
    if blank_lines or quotes:
        return None
    return lines, total - (len(header) - len(header.rstrip(b","))), deepest, header


def _full_by_line_ends(path: Path, cells: pl.DataFrame, ends: tuple[int, int, int, bytes] | None = None) -> bool | None:
    """Whether every row of a CSV file without quotes has all its fields, told from how its lines end.

    A row whose last ``j`` cells the reader gave blank ends with ``j`` separators
    if it has every field (``j - 1`` if every cell is blank); a row that lacks
    fields was padded by the reader with more blank cells than its line has
    separators at its end. So the separators ending the lines add up to the
    trailing blank cells (so counted) only if no row lacks a field. Lines are
    cut and measured by Polars, in parallel, which costs a fraction of counting
    every separator. None: the check does not apply (a quote, whose field may
    hold separators and line breaks; a blank line, which the reader reads as a
    row of blank cells) and the separators are counted instead.
    """
    if ends is None:
        ends = _line_ends(path)
    if ends is None:
        return None
    lines, total, deepest, _header = ends
    if lines != cells.height + 1:
        return None
    # a row's trailing blank cells, counted up to one more than any line's ending (enough to tell)
    depth = min(deepest + 1, cells.width - 1)
    trailing: list[pl.Expr] = []  # the k-th: this cell and every one after it blank
    for name in reversed(cells.columns[-depth:] if depth else []):
        cell = pl.col(name).is_null()
        trailing.append(cell & trailing[-1] if trailing else cell)
    # (each count on its own, added up here: a horizontal sum of the fourteen took twice as long)
    expected = sum(cells.select(t.sum().alias(f"t{i}") for i, t in enumerate(trailing)).row(0)) if trailing else 0
    return bool(expected == total)


def _written_whole(head: pl.DataFrame, candidates: set[int]) -> set[int]:
    """Of the ``candidates`` (column positions), those whose cells in ``head`` (first rows, as text) are integers."""
    positions = [i for i in sorted(candidates) if i < head.width]
    if not positions or not head.height:
        return set()
    cells = [pl.col(head.columns[i]).fill_null("0").str.contains(r"^-?[0-9]{1,18}$").all() for i in positions]
    plain = head.select(cell.alias(f"p{i}") for i, cell in zip(positions, cells, strict=True)).row(0)
    return {i for i, ok in zip(positions, plain, strict=True) if ok}


#: Rows read first to tell how whole numbers are written: integers are read as such if these write them so.
_SURVEYED_ROWS = 1000


#: Bytes counted per call by the field count: small enough that the thread yields to the caller often.
_COUNT_SLICE = 1 << 24


_QUOTED = re.compile(rb'"[^"]*"')


def _unquoted(data: bytes) -> bytes:
    """CSV bytes without their quoted fields' contents (separators and line breaks in them), for counting fields."""
    return _QUOTED.sub(b"", data) if b'"' in data else data


def _short_rows(data: bytes, height: int, blank_last: pl.Series | None, separator: str) -> list[int] | None:
    """Every row's number of fields, if a row (whose last cell is blank) has fewer than the header; else None.

    ``data``: the file without its quoted fields (:func:`_unquoted`), so that a line is a row;
    ``height``: rows including the header; ``blank_last``: which data rows the reader gave a blank last cell.
    """
    lines = data.split(b"\n")
    sep = separator.encode()
    if blank_last is not None:
        header_width = lines[0].count(sep) + 1
        candidates = [i + 1 for i in blank_last.arg_true().to_list()]
        if all(not lines[i].strip() or lines[i].count(sep) + 1 >= header_width for i in candidates if i < len(lines)):
            return None
    widths = [line.count(sep) + 1 if line.strip() else 0 for line in lines[:height]]
    header_width = widths[0] if widths else 0
    if all(width in (0, header_width) for width in widths):
        return None
    return widths


def _csv_widths(text: str, separator: str) -> list[int]:
    return [len(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]


_SEPARATORS = (",", ";", "\t", "|")


def _sniff(text: str) -> str:
    """The field separator of a CSV text: the one that gives its first lines the most, and equal, fields."""
    lines = [line for line in text[:65536].split("\n")[:30] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1] if not text.endswith("\n") and len(text) > 65536 else lines
    best, score = ",", (0, 0)
    for separator in _SEPARATORS:
        widths = _csv_widths("\n".join(lines), separator)
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        candidate = (widths.count(common) * 2 >= len(widths), common)
        if common > 1 and candidate > score:
            best, score = separator, candidate
    return best


def read_csv_grid(path: Path, encoding: str | None = None) -> Grid:
    """A CSV file as text cells: its encoding, line endings and separator found, ragged rows counted."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    try:
        text, name = decode(data, encoding)
    except EncodingProblem as exc:
        raise Unreadable(exc.message, exc.where) from None
    notes = [] if name in ("UTF-8", "utf-8", "utf8") else [f"read as {name} text"]
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
        notes.append("lines end with CR only (an old Mac export): read as lines")
    separator = _sniff(text)
    if separator != ",":
        notes.append(f"fields separated by {_SEPARATOR_NAMES[separator]}")
    source = data if (name == "UTF-8" and not notes) else text.encode("utf-8")
    if not text.strip():
        return Grid(cells=pl.DataFrame(), notes=notes)
    try:
        cells = pl.read_csv(source, has_header=False, infer_schema=False, quote_char='"', separator=separator)
    except pl.exceptions.NoDataError:
        return Grid(cells=pl.DataFrame(), notes=notes)
    except pl.exceptions.ComputeError:  # a row with more fields than the first: every row counted
        return _grid_by_rows(text, separator, notes)
    cells = cells.rename({name: f"c{i}" for i, name in enumerate(cells.columns)})
    last = cells.get_column(cells.columns[-1])
    widths = None
    if last.null_count():
        widths = _short_rows(_unquoted(source), cells.height, None, separator)
    return Grid(cells=cells, widths=widths, notes=notes)


_SEPARATOR_NAMES = {";": "';'", "\t": "tabs", "|": "'|'", ",": "','"}


def _grid_by_rows(text: str, separator: str, notes: list[str]) -> Grid:
    """Rows of different lengths (a title row, a row with extra fields): read by the csv module, padded."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    widths = [len(row) for row in rows]
    width = max(widths, default=0)
    columns = {f"c{i}": [row[i] if i < len(row) and row[i] != "" else None for row in rows] for i in range(width)}
    return Grid(cells=pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)), widths=widths, notes=notes)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (polars appends hints on further lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def read_nested(path: Path, display: str, encoding: str | None = None) -> tuple[Any, list[str]]:
    """The JSON or TOML document at ``path`` as Python data, and notes on how it was read.

    ``display`` names the file in problems. A key given twice in one JSON
    object is a problem (never "the last one wins"); so is a document nested
    too deeply to read.
    """

    def problem(where: str | None, message: str) -> ProblemsError:
        return ProblemsError([Problem(file=display, where=where, message=message, path=where)])

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise problem(None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text, name = decode(data, encoding)
    except EncodingProblem as exc:
        raise problem(exc.where, exc.message) from None
    notes = [] if name in ("UTF-8", "utf-8", "utf8") else [f"read as {name} text"]
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text), notes
        repeated: list[_Object] = []
        document = json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, repeated))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ProblemsError([Problem(file=display, where=where, message=f"not valid JSON: {exc.msg}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise problem(None, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise problem(
            None, "nested too deeply to read (lists or tables within each other hundreds of levels deep)"
        ) from None
    if repeated:
        raise ProblemsError(
            [
                Problem(file=display, where=where, message=f"key '{name}' is given more than once", path=where)
                for where, name in _repeated_keys(document)
            ]
        )
    return document, notes


class _Object(dict[str, Any]):
    """A JSON object, with the keys it gave more than once."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]], repeated: list[_Object]) -> dict[str, Any]:
    table = dict(pairs)
    if len(table) == len(pairs):
        return table
    found = _Object(table)
    seen: set[str] = set()
    twice = []
    for name, _value in pairs:
        if name in seen:
            twice.append(name)
        seen.add(name)
    found.repeated = tuple(dict.fromkeys(twice))
    repeated.append(found)
    return found


def _repeated_keys(document: Any) -> list[tuple[str, str]]:
    """(path of the key, key) for every key given twice, in document order (walked without recursion)."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        items: list[tuple[str, Any]] = []
        if isinstance(value, dict):
            for name in getattr(value, "repeated", ()):
                found.append((f"{path}.{name}" if path else name, name))
            items = [(f"{path}.{name}" if path else str(name), item) for name, item in value.items()]
        elif isinstance(value, list):
            items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        stack.extend(reversed([(p, v) for p, v in items if isinstance(v, dict | list)]))
    return found
