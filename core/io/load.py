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

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ..catalog import Catalog
from ..errors import Problem, ProblemsError
from .columns import CommunityTable, Vocabulary, field_kind, finish, vocabulary
from .facilities import FACILITY_KINDS, ORGANIZATION_KINDS, facility_totals, join_items, totals
from .nested import Flattened, flatten
from .problems import Problems, Rows
from .readers import FLAT_SUFFIXES, NESTED_SUFFIXES, Unreadable, read_csv_numbers, read_flat, read_nested
from .validate import check_rows, map_headers, parse, report, required

#: The file suffixes :func:`load_communities` reads.
SUFFIXES = NESTED_SUFFIXES + FLAT_SUFFIXES


def default_catalog() -> Catalog:
    """The installed registry's merged catalog (imported late: loading plugins is not free)."""
    from ..registry import get_registry

    return get_registry().catalog


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
    words = vocabulary(catalog or default_catalog())
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        message = f"unsupported format '{path.suffix or path.name}': use .json, .toml, .csv, .xlsx or .parquet"
        raise ProblemsError([Problem(file=display, where=None, message=message)])
    if not path.is_file():
        raise ProblemsError([Problem(file=display, where=None, message="no such file")])
    if suffix in NESTED_SUFFIXES:
        if facilities is not None:
            message = (
                "a separate facilities table goes with a flat file (CSV, XLSX, Parquet); "
                "in JSON/TOML give each community a 'facilities' list"
            )
            raise ProblemsError([Problem(file=str(facilities), where=None, message=message)])
        problems = Problems(display, unit="records")
        flat = flatten(read_nested(path, display), problems)
        return CommunityTable(frame=from_records(flat, words, problems), source=path.name)

    problems = Problems(display)
    parsed = _read_clean_csv(path, words, problems, facilities is not None) if suffix == ".csv" else None
    if parsed is None:
        try:
            raw, headers = read_flat(path)
        except Unreadable as exc:
            problems.add(("file", "unreadable"), (0, -2), exc.where, exc.message)
        else:
            parsed = from_flat(raw, headers, words, problems, facilities is not None, cells=suffix != ".parquet")
    found = problems.problems()
    item_totals = None
    if facilities is not None:
        ids = parsed.get_column("id") if parsed is not None and "id" in parsed.columns else None
        item_totals, more = facility_totals(Path(facilities), str(facilities), ids, words)
        found += more
    if found:
        raise ProblemsError(found)
    assert parsed is not None  # no problem: the file was read
    frame = parsed.drop("__row")
    if item_totals is not None:
        mentioned = item_totals.get_column("__community").unique().implode()
        frame = join_items(frame, item_totals, "id", pl.col("id").is_in(mentioned), "area")
    return CommunityTable(frame=finish(frame), source=path.name)


def _read_clean_csv(path: Path, words: Vocabulary, problems: Problems, facilities_given: bool) -> pl.DataFrame | None:
    """A CSV file without a problem, read by the fast path (numbers cast by the CSV reader); else None.

    A file with problems is read again as text: its problems are then phrased
    from the cells as written.
    """

    def numbers(headers: Sequence[str | None]) -> list[int]:
        columns = [words.resolve(header)[0] if header else None for header in headers]
        return [i for i, column in enumerate(columns) if column and field_kind(column, words) in _NUMBER_KINDS]

    fast = read_csv_numbers(path, numbers)
    if fast is None:
        return None
    trial = Problems(problems.file)
    parsed = from_flat(*fast, words, trial, facilities_given, cells=True)
    return None if trial else parsed


_NUMBER_KINDS = ("int", "float", "floor", "number")


def from_flat(
    raw: pl.DataFrame,
    headers: Sequence[str | None],
    words: Vocabulary,
    problems: Problems,
    facilities_given: bool,
    *,
    cells: bool = True,
) -> pl.DataFrame | None:
    """A flat file's cells parsed and checked (None if a column cannot be parsed at all).

    ``cells``: the columns are a text file's cells (numbers perhaps already cast
    by the reader), not values stored with their type (Parquet).
    """
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
    rows = Rows()
    parsed = parse(raw, mapped, kinds, words, rows, problems, cells=cells)
    if parsed is None:
        return None
    check_rows(parsed, rows, problems)
    return parsed


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
        items[name] = parsed_items
    problems.raise_if_any()
    assert parsed is not None  # no problem: every column was parsed
    frame = parsed
    for name, summed in (("facilities", "area"), ("organizations", "members")):
        if name in items:
            item_totals = totals(items[name], "__community", summed)
            frame = join_items(frame, item_totals, "__row", pl.col(f"__{name}"), summed)
    return finish(frame.drop(carried))
