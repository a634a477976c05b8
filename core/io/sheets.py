"""A workbook's sheets as grids of text cells, with the cells that do not hold what they show.

Every sheet is read (or those ``--sheet`` names); which of them hold
communities is decided by their header (:mod:`shequ.io.load`). The cells are
read by ``fastexcel`` (fast, as text, rows from the sheet's first). What
``fastexcel`` reads as blank or changes is found in the sheet's XML itself,
without parsing every cell: merged cells, error cells (``#DIV/0!``),
formulas saved without a computed value (faults, reported as problems), and
whole numbers shown with leading zeros by a number format such as ``000``
(read as shown: ``007``). Cell-level facts are looked for only in a sheet
that has such markers, so a plain workbook costs a few byte searches.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from .readers import Grid

_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ERROR = re.compile(rb' t="e"')
_FORMULA = re.compile(rb"<f[ >/]")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<v>([^<]+)</v>")
_FORMULA_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_ZERO_FORMAT = re.compile(rb'<numFmt numFmtId="(\d+)" formatCode="(0+)"')
_CELL_XFS = re.compile(rb"<cellXfs[^>]*>(.*?)</cellXfs>", re.DOTALL)
_XF = re.compile(rb"<xf\b[^>]*>")
_NUMFMT_ID = re.compile(rb'numFmtId="(\d+)"')
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATION = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_RELATION_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


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
    facts = _Workbook(path)
    grids = []
    for name in chosen:
        try:
            sheet = reader.load_sheet_by_name(name, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_polars()
        except Exception as exc:
            raise Unreadable(f"cannot read sheet '{name}': {first_line(exc)}") from None
        frame = frame.rename({column: f"c{i}" for i, column in enumerate(frame.columns)}).cast(pl.String)
        frame, faults = facts.apply(name, frame)
        grids.append(Grid(cells=frame, name=name, faults=faults))
    return grids


def _column(letters: bytes) -> int:
    """A column's letters as its index from 0 (A → 0, AA → 26)."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


class _Workbook:
    """The parts of a workbook's XML that say which cells do not hold what they show."""

    def __init__(self, path: Path):
        self.path = path
        self.sheets: dict[str, str] = {}  # sheet name → its XML's member in the archive
        self.zero_styles: dict[bytes, int] = {}  # cell style index → digits of its zero format
        try:
            with zipfile.ZipFile(path) as archive:
                workbook = archive.read("xl/workbook.xml")
                relations = archive.read("xl/_rels/workbook.xml.rels")
                targets = dict(_RELATION.findall(relations))
                targets.update({key: target for target, key in _RELATION_REVERSED.findall(relations)})
                for name, relation in _SHEET.findall(workbook):
                    target = targets.get(relation, b"").decode()
                    member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    self.sheets[_unescape(name.decode())] = member
                if "xl/styles.xml" in archive.namelist():
                    self._styles(archive.read("xl/styles.xml"))
        except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
            self.sheets = {}  # fastexcel read it: an archive laid out otherwise keeps its plain read

    def _styles(self, styles: bytes) -> None:
        zero_formats = {number: len(code) for number, code in _ZERO_FORMAT.findall(styles)}
        if not zero_formats:
            return
        found = _CELL_XFS.search(styles)
        if found is None:
            return
        for index, xf in enumerate(_XF.findall(found.group(1))):
            number = _NUMFMT_ID.search(xf)
            if number is not None and number.group(1) in zero_formats:
                self.zero_styles[str(index).encode()] = zero_formats[number.group(1)]

    def apply(self, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, int, str]]]:
        """The sheet's cells, zero-formatted numbers as shown, and its faults (row, column in the grid)."""
        member = self.sheets.get(name)
        if member is None:
            return frame, []
        try:
            with zipfile.ZipFile(self.path) as archive:
                xml = archive.read(member)  # one sheet at a time
        except (zipfile.BadZipFile, KeyError, OSError):
            return frame, []
        markers = (b"<mergeCell ", b' t="e"', b"<f>", b"<f ", b"<f/")  # byte searches: fast on any size
        if not (any(marker in xml for marker in markers) or self._zero_cells(xml, probe=True)):
            return frame, []
        origin = self._first_column(xml)
        faults: list[tuple[int, int, str]] = []
        for first, first_row, last, last_row in _MERGED.findall(xml):
            if (first, first_row) == (last, last_row):
                continue
            ref = f"{first.decode()}{first_row.decode()}:{last.decode()}{last_row.decode()}"
            message = (
                f"cells {ref} are merged: only the first holds the value and the others read as blank; "
                "unmerge them and fill every cell"
            )
            faults.append((int(first_row) - 1, _column(first) - origin, message))
        for found in _ERROR.finditer(xml):
            cell = self._cell(xml, found.start())
            if cell is None:
                continue
            (letters, row), body = cell
            value = _VALUE.search(body)
            shown = value.group(1).decode(errors="replace") if value else "error"
            message = f"the cell holds the spreadsheet error {shown}: give a value or leave it blank"
            faults.append((row - 1, _column(letters) - origin, message))
        for found in _FORMULA.finditer(xml):
            cell = self._cell(xml, found.start())
            if cell is None:
                continue
            (letters, row), body = cell
            if _VALUE.search(body):
                continue
            text = _FORMULA_TEXT.search(body)
            formula = f"={_unescape(text.group(1).decode(errors='replace'))}" if text and text.group(1) else "(shared)"
            message = (
                f"the formula {formula} has no computed value (the file was saved by a program that does not "
                "compute formulas): open and save it in a spreadsheet program, or paste values"
            )
            faults.append((row - 1, _column(letters) - origin, message))
        for (letters, row), digits, number in self._zero_cells(xml):
            column, at = f"c{_column(letters) - origin}", row - 1
            if column in frame.columns and at < frame.height and number.isdigit():
                cells = frame.get_column(column).scatter([at], [number.zfill(digits)])
                frame = frame.with_columns(cells.alias(column))
        return frame, faults

    def _zero_cells(self, xml: bytes, probe: bool = False) -> list[tuple[tuple[bytes, int], int, str]]:
        """Number cells whose style shows them with leading zeros: (ref, digits, value)."""
        found: list[tuple[tuple[bytes, int], int, str]] = []
        for style, digits in self.zero_styles.items():
            pattern = re.compile(rb'<c r="([A-Z]+)(\d+)"(?:(?!>)[^t])*?\bs="' + style + rb'"[^>]*>\s*<v>([0-9.]+)</v>')
            for match in pattern.finditer(xml):
                if b' t="' in match.group(0).split(b">", 1)[0]:
                    continue  # a text cell: kept as written already
                if probe:
                    return [((b"A", 1), digits, "")]
                found.append(((match.group(1), int(match.group(2))), digits, match.group(3).decode()))
        return found

    @staticmethod
    def _cell(xml: bytes, at: int) -> tuple[tuple[bytes, int], bytes] | None:
        """The cell element around position ``at``: its reference and its content."""
        start = xml.rfind(b"<c ", 0, at + 1)
        end = xml.find(b"</c>", at)
        if start < 0 or end < 0:
            return None
        head_end = xml.find(b">", start)
        ref = _REF.search(xml, start, head_end + 1)
        if ref is None:
            return None
        return (ref.group(1), int(ref.group(2))), xml[head_end + 1 : end]

    @staticmethod
    def _first_column(xml: bytes) -> int:
        """The first column holding a value (fastexcel's grid starts there)."""
        for index in range(16384):
            letters = b""
            number = index + 1
            while number:
                number, rest = divmod(number - 1, 26)
                letters = bytes([65 + rest]) + letters
            if re.search(rb'<c r="' + letters + rb'\d+"[^>]*?(?<!/)>\s*<(?:v|is|f)\b', xml):
                return index
        return 0


def _unescape(text: str) -> str:
    """XML's five escapes undone (sheet names and formulas)."""
    return html.unescape(text)
