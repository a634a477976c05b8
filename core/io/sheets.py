"""A workbook's sheets as grids of text cells, with the cells that do not hold what they show.

Every sheet is read (or those ``--sheet`` names); which of them hold
communities is decided by their header (:mod:`shequ.io.load`). The cells are
read by ``fastexcel`` (fast, as text). A workbook is also scanned, without
parsing it, for what ``fastexcel`` reads as blank or changes: merged cells,
error cells (``#DIV/0!``), formulas saved without a computed value, and
numbers shown with leading zeros (an id formatted ``000``). Only a workbook
that has any of these is read again cell by cell with ``openpyxl``: merged,
error and uncomputed cells become faults (reported as problems), and a
number formatted with zeros is read as it is shown (``007``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from .readers import Grid

_MARKERS = re.compile(rb'<(?:\w+:)?mergeCell\b|\bt="e"|<(?:\w+:)?f[\s>/]')
_ZERO_FORMAT = re.compile(rb'formatCode="0+"')


def read_sheets(path: Path, names: Sequence[str] = ()) -> list[Grid]:
    """The sheets of a workbook (those in ``names``, in that order, if given) as grids."""
    from .readers import Grid, Unreadable, first_line

    try:
        import fastexcel

        reader = fastexcel.read_excel(path)
        available = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own types for a file that is not a workbook
        raise Unreadable(f"cannot read as a spreadsheet: {first_line(exc)}") from None
    if names:
        missing = [name for name in names if name not in available]
        if missing:
            listed = ", ".join(f"'{name}'" for name in available)
            quoted = ", ".join(f"'{name}'" for name in missing)
            raise Unreadable(f"no sheet {quoted} in the workbook (--sheet); its sheets: {listed}")
        chosen = list(dict.fromkeys(names))
    else:
        chosen = available
    if _needs_cells(path):
        return _read_cells(path, chosen)
    grids = []
    for name in chosen:
        try:
            sheet = reader.load_sheet_by_name(name, header_row=None, dtypes="string")
            frame = sheet.to_polars()
        except Exception as exc:
            raise Unreadable(f"cannot read sheet '{name}': {first_line(exc)}") from None
        frame = frame.rename({column: f"c{i}" for i, column in enumerate(frame.columns)})
        grids.append(Grid(cells=frame.cast(pl.String), name=name))
    return grids


def _needs_cells(path: Path) -> bool:
    """Whether a workbook has merged, error or formula cells, or zero-padded number formats."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(info) as handle:
                        while chunk := handle.read(1 << 22):
                            if _MARKERS.search(chunk):
                                return True
                elif name == "xl/styles.xml" and _ZERO_FORMAT.search(archive.read(info)):
                    return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False  # fastexcel read it: an odd archive keeps its fast read
    return False


def _read_cells(path: Path, names: Sequence[str]) -> list[Grid]:
    """The sheets read cell by cell (openpyxl): values as shown by a zero format, faults for the rest."""
    from openpyxl import load_workbook

    from .readers import Grid, Unreadable, first_line

    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise Unreadable(f"cannot read as a spreadsheet: {first_line(exc)}") from None
    grids = []
    for name in names:
        sheet, formula_sheet = values[name], formulas[name]
        faults: list[tuple[int, int, str]] = []
        rows: list[list[str | None]] = []
        for r, (row, formula_row) in enumerate(zip(sheet.iter_rows(), formula_sheet.iter_rows(), strict=False)):
            cells: list[str | None] = []
            for c, (cell, formula_cell) in enumerate(zip(row, formula_row, strict=False)):
                value = cell.value
                if cell.data_type == "e":
                    faults.append(
                        (r, c, f"the cell holds the spreadsheet error {value}: give a value or leave it blank")
                    )
                    value = None
                elif value is None and formula_cell.data_type == "f":
                    faults.append(
                        (
                            r,
                            c,
                            f"the formula {formula_cell.value} has no computed value (the file was saved by a "
                            "program that does not compute formulas): open and save it in a spreadsheet program, "
                            "or paste values",
                        )
                    )
                cells.append(_shown(value, cell.number_format))
            rows.append(cells)
        for merged in sheet.merged_cells.ranges:
            if merged.min_row == merged.max_row and merged.min_col == merged.max_col:
                continue
            message = (
                f"cells {merged.coord} are merged: only the first holds the value and the others read as "
                "blank; unmerge them and fill every cell"
            )
            faults.append((merged.min_row - 1, merged.min_col - 1, message))
        width = max((len(row) for row in rows), default=0)
        columns = {f"c{i}": [row[i] if i < len(row) else None for row in rows] for i in range(width)}
        grids.append(
            Grid(cells=pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)), name=name, faults=faults)
        )
    return grids


def _shown(value: Any, number_format: str) -> str | None:
    """A cell's value as text: a whole number formatted with zeros (``000``) as it is shown (``007``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        if isinstance(value, int) and re.fullmatch(r"0+", number_format or "") and value >= 0:
            return str(value).zfill(len(number_format))
        return str(value)
    text = str(value)
    return text if text != "" else None
