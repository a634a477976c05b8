"""Loading community data into the canonical columnar table the engine evaluates.

:func:`load_communities` reads a researcher's dataset in any of five formats and
returns a :class:`CommunityTable`: one Polars row per community, with the same
column names and types whatever the input format was.

Nested forms (one record per community, facilities and organizations as lists):

- ``.json``: an object ``{"communities": [...]}`` (plus, optionally, a ``"_note"``
  text, the only other key accepted) or a bare list of records;
- ``.toml``: ``[[communities]]`` tables (and an optional ``_note``).

Records hold the fields of :class:`shequ.model.Community` (and an ``indicators``
table, name → number, which becomes ``indicators.*`` columns); problems come
with paths such as ``communities[3].households``.

Flat forms (one row per community): ``.csv`` (UTF-8, or GB18030 as Excel saves it
on Chinese Windows), ``.xlsx`` (the first sheet) and ``.parquet``. Scalar fields are
columns; ``area.<kind>``, ``count.<kind>``, ``floor.<kind>``, ``members.<kind>``,
``staff.<x>``, ``volunteers.<x>``, ``finance.<x>`` and ``indicators.<x>`` are columns
directly; ``flags`` and ``designations`` are ``;``-separated (``；`` too). Headers
may be Chinese: the catalog metrics' ``aliases`` and Chinese names, the Chinese
names of the fixed fields (编号, 社区名称, 街道, 类型, 标识, 荣誉 …) and
``<kind name>面积`` / ``数量`` / ``所在楼层`` / ``成员数``. An unknown header is an
error (with "did you mean"), never silently dropped.

Spreadsheet cleanliness: full-width digits and punctuation (１２．５, －, ；) are
normalised (NFKC), stray and full-width spaces removed, thousands separators
accepted (``1,200``); cells holding only ``-``, ``—``, ``无``, ``NA``, ``N/A``,
``#N/A``, ``null``, ``none`` or ``nan`` are blank. Blank stays null — unknown,
never 0. A flags/designations cell that is blank is unknown; a cell holding only
``;`` says "none". A separate facilities table may be given instead of
``area.*`` / ``count.*`` / ``floor.*`` columns (:mod:`shequ.io.facilities`).

Every format goes through one pipeline: nested records are flattened into the
columns a flat file has (:mod:`shequ.io.nested`), then every dataset is checked
column by column with Polars expressions (:mod:`shequ.io.validate`), never row
by row. Every problem of a file is collected before one :class:`ProblemsError`
is raised (``row 7`` is the 7th data row, the header not counted;
``communities[3]`` is the JSON/TOML path, counting from 0). A problem repeated
in many rows is listed 20 times per field and kind of problem, followed by one
line saying how many more rows have it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from ..catalog import Catalog
from ..errors import Problem, ProblemsError
from .columns import CommunityTable, Vocabulary, field_kind, finish, key, vocabulary
from .facilities import FACILITY_KINDS, ORGANIZATION_KINDS, facility_totals, join_items, repeated_items, totals
from .nested import Flattened, flatten, record_key
from .problems import Problems, Rows, ragged_rows
from .readers import (
    FLAT_SUFFIXES,
    NESTED_SUFFIXES,
    Grid,
    Unreadable,
    read_csv_numbers_deferred,
    read_grids,
    read_nested,
    read_parquet,
)
from .validate import check_rows, map_headers, parse, report, required

#: The file suffixes :func:`load_communities` reads.
SUFFIXES = NESTED_SUFFIXES + FLAT_SUFFIXES


def default_catalog() -> Catalog:
    """The installed registry's merged catalog (imported late: loading plugins is not free)."""
    from ..registry import get_registry

    return get_registry().catalog


def load_communities(
    path: str | Path,
    *,
    facilities: str | Path | None = None,
    catalog: Catalog | None = None,
    encoding: str | None = None,
    sheets: Sequence[str] = (),
) -> CommunityTable:
    """Read a community dataset (JSON, TOML, CSV, XLSX or Parquet) into the canonical table.

    :param path: the dataset; its extension says the format.
    :param facilities: a separate facilities table (CSV, XLSX or Parquet) with
        ``community_id, kind, area_m2, floor``, instead of ``area.*`` columns.
    :param catalog: the vocabulary to check kinds and flags against (default: the
        installed registry's merged catalog).
    :param encoding: read text files (CSV, JSON, TOML) in this encoding instead of
        detecting it (UTF-8, UTF-16 or GB18030).
    :param sheets: read these sheets of a workbook (default: every sheet with a
        community header).
    :raises ProblemsError: with every problem of the file(s).
    """
    display = str(path)
    path = Path(path)
    words = vocabulary(catalog or default_catalog())
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        message = f"unsupported format '{path.suffix or path.name}': use .json, .toml, .csv, .xlsx or .parquet"
        raise ProblemsError([Problem(file=display, where=None, message=message)])
    if not path.is_file():
        raise ProblemsError([Problem(file=display, where=None, message="no such file")])
    if sheets and suffix not in (".xlsx", ".xlsm"):
        raise ProblemsError([Problem(file=display, where=None, message="--sheet applies to a workbook (.xlsx)")])
    if suffix in NESTED_SUFFIXES:
        if facilities is not None:
            message = (
                "a separate facilities table goes with a flat file (CSV, XLSX, Parquet); "
                "in JSON/TOML give each community a 'facilities' list"
            )
            raise ProblemsError([Problem(file=str(facilities), where=None, message=message)])
        problems = Problems(display, unit="records")
        document, nested_notes = read_nested(path, display, encoding)
        flat = flatten(document, problems)
        frame = from_records(flat, words, problems)
        return CommunityTable(frame=frame, source=path.name, notes=tuple(nested_notes))

    problems = Problems(display)
    notes: list[str] = []
    parsed = None
    if suffix == ".csv" and encoding is None:
        parsed = _read_clean_csv(path, words, problems, facilities is not None)
    if parsed is None:
        try:
            if suffix == ".parquet":
                raw, headers = read_parquet(path)
                parsed = from_flat(raw, headers, words, problems, facilities is not None, cells=False)
            else:
                grids = read_grids(path, encoding=encoding, sheets=sheets)
                table = tables(grids, words, problems, notes, named=bool(sheets))
                if table is not None:
                    raw, headers, place = table
                    parsed = from_flat(raw, headers, words, problems, facilities is not None, place=place)
        except Unreadable as exc:
            problems.add(("file", "unreadable"), (0, -2), exc.where, exc.message)
    found = problems.problems()
    item_totals = None
    if facilities is not None:
        ids = parsed.get_column("id") if parsed is not None and "id" in parsed.columns else None
        item_totals, more = facility_totals(Path(facilities), str(facilities), ids, words, encoding=encoding)
        found += more
    if found:
        raise ProblemsError(found)
    assert parsed is not None  # no problem: the file was read
    frame = parsed.drop("__row")
    if item_totals is not None:
        mentioned = item_totals.get_column("__community").unique().implode()
        frame = join_items(frame, item_totals, "id", pl.col("id").is_in(mentioned), "area")
    return CommunityTable(frame=finish(frame), source=path.name, notes=tuple(notes))


#: How many rows at the top of a sheet are searched for the header row.
HEADER_SEARCH = 10


def header_row(cells: pl.DataFrame, words: Vocabulary) -> int | None:
    """The row (0-based) of a grid's header: the first of its top rows with an id column (id, 编号 …)
    and another named column; None if none has."""
    for index, row in enumerate(cells.head(HEADER_SEARCH).iter_rows()):
        names = [str(cell) for cell in row if cell is not None and key(str(cell))]
        if len(names) > 1 and any(words.resolve(name)[0] == "id" for name in names):
            return index
    return None


def tables(
    grids: Sequence[Grid], words: Vocabulary, problems: Problems, notes: list[str], *, named: bool
) -> tuple[pl.DataFrame, list[str | None], Rows] | None:
    """The data rows under the header of every sheet with a community header, as one table of text cells.

    A sheet without one is named in a note (a problem when ``named`` by ``--sheet``);
    if no sheet has one, the first is read as if its first row were the header
    (whose problems then say what is wrong). Rows above the header that hold
    more than one value, ragged CSV rows and faulty cells are problems.
    """
    found: list[tuple[Grid, int]] = []
    for grid in grids:
        notes.extend(grid.notes if grid.name is None else (f"sheet '{grid.name}': {note}" for note in grid.notes))
        at = header_row(grid.cells, words) if grid.cells.height else None
        if at is not None:
            found.append((grid, at))
        elif named:
            message = f"sheet '{grid.name}' has no community header (an id / 编号 column) in its first rows"
            problems.add(("header", "no header"), (0, -1), None, message)
        elif grid.name is not None and len(grids) > 1:
            notes.append(f"sheet '{grid.name}' is not read: it has no community header (an id / 编号 column)")
    if not found:
        if named:
            return None
        first = grids[0] if grids else None
        if first is None or first.cells.height == 0:
            raise Unreadable("the file is empty: expected a header row")
        found = [(first, 0)]
    several = len(found) > 1
    parts: list[tuple[str | None, pl.DataFrame, list[str | None]]] = []
    for grid, at in found:
        label = f"sheet '{grid.name}', " if several else ""
        cells = grid.cells
        header = [None if cell is None else str(cell) for cell in cells.row(at)]
        for index, above in enumerate(cells.head(at).iter_rows()):
            values = [str(cell) for cell in above if cell is not None and str(cell).strip()]
            if len(values) > 1:
                shown = ", ".join(repr(v) for v in values[:4])
                message = f"a row above the header holds values ({shown}): is the header row the right one?"
                problems.add(("header", "above header"), (0, -3, index), f"{label}line {index + 1}", message)
            elif values:
                notes.append(f"{label}skipped the title row {values[0]!r} above the header")
        if grid.widths is not None:
            width = grid.widths[at]
            ragged_rows(grid.widths, at, width, label, problems)
            header = header[:width]
            cells = cells.select(cells.columns[:width])
        for row, column, message in grid.faults:
            if row < at:
                continue
            name = header[column] if column < len(header) and header[column] else f"column {column + 1}"
            where = f"{label}header" if row == at else f"{label}row {row - at}"
            kind = message.split(":")[0][:30]
            problems.add(("cell", kind), (1, row - at), where, f"{name}: {message}", field=name)
        parts.append((grid.name, cells.slice(at + 1), header))
    if not several:
        name, data, header = parts[0]
        return data, header, Rows()
    return _stack(parts, words)


def _stack(
    parts: Sequence[tuple[str | None, pl.DataFrame, list[str | None]]], words: Vocabulary
) -> tuple[pl.DataFrame, list[str | None], Rows]:
    """The data of several sheets as one table: columns matched by the column their header names."""
    slots: dict[str, int] = {}
    headers: list[str | None] = []
    frames = []
    offsets: list[tuple[int, str]] = []
    start = 0
    for name, data, header in parts:
        renames = {}
        for index, text in enumerate(header):
            if text is None or not key(text):
                continue
            column = words.resolve(text)[0] or f"?{key(text)}"
            if column not in slots:
                slots[column] = len(headers)
                headers.append(text)
            renames[f"c{index}"] = f"c{slots[column]}"
        frames.append(data.select([pl.col(old).alias(new) for old, new in renames.items()]))
        offsets.append((start, name or ""))
        start += data.height
    width = len(headers)
    stacked = pl.concat(frames, how="diagonal") if frames else pl.DataFrame()
    stacked = stacked.select(
        pl.col(f"c{i}") if f"c{i}" in stacked.columns else pl.lit(None, dtype=pl.String).alias(f"c{i}")
        for i in range(width)
    )
    return stacked, headers, Rows(sheets=offsets)


def _read_clean_csv(path: Path, words: Vocabulary, problems: Problems, facilities_given: bool) -> pl.DataFrame | None:
    """A CSV file without a problem, read by the fast path (numbers cast by the CSV reader); else None.

    A file with problems is read again as text: its problems are then phrased
    from the cells as written.
    """

    def of_kind(*kinds: str) -> Callable[[Sequence[str | None]], list[int]]:
        """The positions of the columns whose header names a field of one of ``kinds``."""

        def pick(headers: Sequence[str | None]) -> list[int]:
            columns = [words.resolve(header)[0] if header else None for header in headers]
            return [i for i, column in enumerate(columns) if column and field_kind(column, words) in kinds]

        return pick

    numbers, whole, names = of_kind(*_NUMBER_KINDS), of_kind("int", "floor"), of_kind("kind", "list")
    fast = read_csv_numbers_deferred(path, numbers, whole, names)
    if fast is None:
        return None
    cells, headers, every_row_full = fast
    trial = Problems(problems.file)
    parsed = from_flat(cells, headers, words, trial, facilities_given, cells=True)  # while the rows are counted
    return None if trial or not every_row_full() else parsed


_NUMBER_KINDS = ("int", "float", "floor", "number")


def from_flat(
    raw: pl.DataFrame,
    headers: Sequence[str | None],
    words: Vocabulary,
    problems: Problems,
    facilities_given: bool,
    *,
    cells: bool = True,
    place: Rows | None = None,
) -> pl.DataFrame | None:
    """A flat file's cells parsed and checked (None if a column cannot be parsed at all).

    ``cells``: the columns are a text file's cells (numbers perhaps already cast
    by the reader), not values stored with their type (Parquet).
    """
    if _garbled(headers, words, problems):
        return None
    mapped = map_headers(headers, raw, words.resolve, problems)
    if "id" not in mapped:
        message = "no 'id' column (编号 / 社区编号): every community needs an id"
        problems.add(("header", "no id column"), (0, -1), "header", message, field="id")
    if facilities_given:
        clashing = [
            c
            for c in mapped
            if c.partition(".")[0] in ("area", "floor")
            or (c.startswith("count.") and c[6:] in words.catalog.facility_kinds)
        ]
        if clashing:
            message = (
                f"facilities are given by a separate table; remove the columns {', '.join(clashing)} "
                "(or do not give the facilities table)"
            )
            problems.add(("header", "facilities twice"), (0, -1), "header", message)
    kinds = {column: field_kind(column, words) for column in mapped}
    rows = place or Rows()
    parsed = parse(raw, mapped, kinds, words, rows, problems, cells=cells)
    if parsed is None:
        return None
    check_rows(parsed, rows, problems)
    return parsed


def _garbled(headers: Sequence[str | None], words: Vocabulary, problems: Problems) -> bool:
    """A header row of mostly unknown names and no id: one problem that says what may be wrong."""
    named = [header for header in headers if header is not None and key(header)]
    if not named:
        return False
    resolved = [words.resolve(header)[0] for header in named]
    if "id" in resolved or sum(column is not None for column in resolved) * 2 >= len(named):
        return False
    unknown = [header for header, column in zip(named, resolved, strict=True) if column is None]
    shown = ", ".join(repr(header[:40]) for header in unknown[:5]) + (" …" if len(unknown) > 5 else "")
    message = (
        f"the header row is not recognised: {len(unknown)} of {len(named)} column names are unknown ({shown}) "
        "and there is no id (编号) column. Is this the community table? Common causes: a separator other "
        "than ',', ';' or tabs, a file in another encoding (see --encoding), or the header not within the "
        f"first {HEADER_SEARCH} rows"
    )
    problems.add(("header", "not recognised"), (0, -1), "header", message)
    return True


def from_records(flat: Flattened, words: Vocabulary, problems: Problems) -> pl.DataFrame:
    """Flattened records checked by the same rules as a flat file, facilities and organizations summed.

    :raises ProblemsError: with every problem of the records (and those flattening found).
    """
    place = flat.places["communities"]
    data = [name for name in flat.communities.columns if not name.startswith("__")]
    kinds = {column: field_kind(column, words) for column in data}
    carried = ["__facilities", "__organizations"]
    parsed = parse(flat.communities, {c: c for c in data}, kinds, words, place, problems, carry=carried)
    if parsed is not None:
        check_rows(parsed, place, problems)
    items: dict[str, pl.DataFrame] = {}
    for name, item_kinds, label in (
        ("facilities", FACILITY_KINDS, "facility kind"),
        ("organizations", ORGANIZATION_KINDS, "organization kind"),
    ):
        table, records = getattr(flat, name), flat.places[name]
        present = {column: column for column in item_kinds if column in table.columns}
        kinds_present = {column: item_kinds[column] for column in present}
        parsed_items = parse(
            table, present, kinds_present, words, records, problems, required=("kind",), carry=["__community"]
        )
        if parsed_items is None or "kind" not in present:
            continue
        missing = required("kind", f"kind: missing: which {label}?", f"required field missing: which {label}?")
        report(parsed_items, [missing], records, problems)
        for row, first in repeated_items(parsed_items, "__community") if name == "facilities" else ():
            where = records.paths[row]
            message = (
                f"repeats {records.paths[first]} (every field equal): a facility listed twice is counted "
                "twice; remove the copy (two equal facilities: one item with their total area)"
            )
            problems.add(record_key(where, message), records.orders[row], where, message, field="kind", path=where)
        items[name] = parsed_items
    problems.raise_if_any()
    assert parsed is not None  # no problem: every column was parsed
    frame = parsed
    for name, summed in (("facilities", "area"), ("organizations", "members")):
        if name in items:
            item_totals = totals(items[name], "__community", summed)
            frame = join_items(frame, item_totals, "__row", pl.col(f"__{name}"), summed)
    return finish(frame.drop(carried))
