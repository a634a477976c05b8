"""One writer for every listing command: table, JSON, CSV, Markdown, LaTeX or XLSX.

Commands hand over plain rows (dicts) and, when the machine interface needs
more structure than a table, a JSON payload. JSON is the stable, scriptable
interface (UTF-8, Chinese unescaped); tables are for eyes (rich, which measures
Chinese characters as two columns); CSV neutralises cells a spreadsheet would
run as a formula. LaTeX is a booktabs table for a paper (every special
character escaped, Chinese kept: compile with XeLaTeX and xeCJK); XLSX is a
workbook for a colleague (:func:`write_xlsx`: one sheet per table and an
"about" sheet with the provenance), written only to a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

# The command-line vocabulary lives in shequ.vocabulary (no dependencies, for `shequ --help`); re-exported here.
from .vocabulary import BINARY_FORMATS, OUTPUT_FORMATS, SUFFIX_FORMATS  # noqa: F401

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """JSON-ready data: dates as ISO text, NaN as null, floats rounded to 6 digits."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 6)
    return value


def to_json(payload: Any) -> str:
    return json.dumps(plain(payload), ensure_ascii=False, indent=2)


#: Rows of a frame rendered at a time by :func:`json_chunks`.
JSON_BATCH_ROWS = 50_000


def json_chunks(
    data: Mapping[str, Any], frames: Mapping[str, Any], batch_rows: int = JSON_BATCH_ROWS
) -> Iterator[bytes]:
    """``to_json(document) + "\n"`` as UTF-8 pieces, where ``document`` is ``data`` with each of ``frames`` as its rows.

    ``frames`` maps top-level keys of ``data`` (their place in the document) to Polars frames, or
    to iterables of frames (the parts of one table, in order, made as they are asked for).
    The bytes are exactly those of rendering ``{**data, key: frame.to_dicts()}`` whole, but a
    frame's rows are rendered a batch at a time, column by column: texts, whole numbers,
    booleans and dates by Polars, floats by Python's own ``repr`` once per distinct value (Polars
    spells some differently), any other type row by row as :func:`to_json` does. A million rows
    never become Python objects at once (``compare --format json`` on 1,000,000 communities
    held 24 GB before).
    """
    import uuid

    parts = {key: _batches(value, batch_rows) for key, value in frames.items()}
    firsts = {key: first for key, batches in parts.items() if (first := next(batches, None)) is not None}
    markers = {key: f"__shequ_rows_{uuid.uuid4().hex}__" for key in firsts}
    document = {key: ([markers[key]] if key in markers else value) for key, value in data.items()}
    for key in frames:
        if key not in markers:  # no row: rendered as an empty list, as to_json does
            document[key] = []
    text = to_json(document) + "\n"
    for key, marker in markers.items():
        before, _, text = text.partition(f'    "{marker}"')
        yield before.encode()
        yield _json_rows(firsts[key])
        for batch in parts[key]:
            yield b",\n"
            yield _json_rows(batch)
    yield text.encode()


def _batches(frames: Any, batch_rows: int) -> Iterator[Any]:
    """The non-empty slices of at most ``batch_rows`` rows of a frame, or of each frame of an iterable."""
    import polars as pl

    for frame in [frames] if isinstance(frames, pl.DataFrame) else frames:
        for start in range(0, frame.height, batch_rows):
            yield frame.slice(start, batch_rows)


def _json_rows(frame: Any) -> bytes:
    """A frame's rows as :func:`to_json` renders them in a list under a top-level key, joined by ``,\n``."""
    import polars as pl

    if not frame.width or any(_json_cell(pl.col(name), dtype) is None for name, dtype in frame.schema.items()):
        rows = (json.dumps(plain(row), ensure_ascii=False, indent=2) for row in frame.to_dicts())
        # indented line by line at "\n" alone: a text may hold U+2028 or U+0085, which str.splitlines() breaks at
        return ",\n".join("\n".join("    " + line for line in row.split("\n")) for row in rows).encode()
    pieces: list[Any] = []
    for index, (name, dtype) in enumerate(frame.schema.items()):
        key = json.dumps(str(name), ensure_ascii=False)
        pieces.append(pl.lit(("    {\n" if index == 0 else ",\n") + f"      {key}: "))
        column = frame.get_column(name)
        pieces.append(_json_floats(column) if dtype.is_float() else _json_cell(pl.col(name), dtype, column))
    pieces.append(pl.lit("\n    }"))
    # joined and handed over as bytes: never decoded into a Python text
    return bytes(frame.select(pl.concat_str(pieces).str.join(",\n").cast(pl.Binary)).item())


def _json_floats(column: Any) -> Any:
    """A float column's cells as :func:`to_json` writes them (``repr`` of the value rounded to 6 digits; NaN null)."""
    import polars as pl

    def text(value: float | None) -> str:
        return repr(round(value, 6)) if value is not None and math.isfinite(value) else "null"

    negative_zero = bool(((column == 0) & ((1 / column) < 0)).any())  # equal to 0.0 for unique(), not for repr
    if negative_zero:
        return pl.lit(pl.Series([text(value) for value in column.to_list()], dtype=pl.String))
    distinct = column.drop_nulls().unique()
    texts = pl.Series([text(value) for value in distinct.to_list()], dtype=pl.String)
    return pl.lit(column).replace_strict(distinct, texts, default="null").fill_null("null")


#: What Python's JSON encoder escapes in a text (``ensure_ascii=False``): the backslash, the quote and C0 controls.
_JSON_ESCAPES = {"\\": "\\\\", '"': '\\"', **{chr(i): json.dumps(chr(i))[1:-1] for i in range(32)}}


def _json_cell(column: Any, dtype: Any, values: Any = None) -> Any:
    """A column's cells as JSON text (``null`` for a missing one); None for a type rendered row by row.

    With ``values`` (the column), texts are escaped only if one of them needs it.
    """
    import polars as pl

    if dtype == pl.Null:
        return pl.lit("null")
    if dtype.is_integer():
        return column.cast(pl.String).fill_null("null")
    if dtype == pl.Boolean:
        return pl.when(column).then(pl.lit("true")).when(column.not_()).then(pl.lit("false")).otherwise(pl.lit("null"))
    if dtype == pl.Date:
        return (pl.lit('"') + column.cast(pl.String) + pl.lit('"')).fill_null("null")
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
        text = column.cast(pl.String)
        if values is not None:
            special = "[" + "".join(f"\\x{ord(c):02x}" for c in _JSON_ESCAPES) + "]"
            if values.cast(pl.String).str.contains(special).any():
                for char, escaped in _JSON_ESCAPES.items():  # the backslash first
                    text = text.str.replace_all(char, escaped, literal=True)
        return (pl.lit('"') + text + pl.lit('"')).fill_null("null")
    if dtype.is_float():
        return column  # rendered by _json_floats
    return None


def cell(value: Any) -> str:
    """A value as a table cell: numbers without noise, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _columns(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


class _Rows:
    """A text sink for :mod:`csv` whose rows end in LF although the writer's line terminator is CRLF.

    The writer quotes a field holding a character of its line terminator: with CRLF, a field
    holding a bare CR is quoted too (as Polars' writer and RFC 4180 do), which a reader would
    otherwise take for the end of a row; each row is still written with LF alone.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, line: str) -> None:
        self.parts.append(line[:-2] + "\n" if line.endswith("\r\n") else line)


def render_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    names = _columns(rows, columns)
    buffer = _Rows()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        values = []
        for name in names:
            value = row.get(name)
            if isinstance(value, (list, tuple)):
                value = ";".join(cell(v) for v in value)
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif isinstance(value, float):
                value = plain(value)
            values.append(csv_safe("" if value is None else value))
        writer.writerow(values)
    return "".join(buffer.parts)


def render_markdown(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    notes: Iterable[str] = (),
) -> str:
    names = _columns(rows, columns)
    lines = [f"### {title}", ""] if title else []
    lines += [f"> {note}" for note in notes]
    if lines and notes:
        lines.append("")

    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines.append("| " + " | ".join(escape(n) for n in names) + " |")
    lines.append("|" + "|".join("---" for _ in names) + "|")
    for row in rows:
        lines.append("| " + " | ".join(escape(cell(row.get(n))) for n in names) + " |")
    return "\n".join(lines) + "\n"


def render_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    notes: Iterable[str] = (),
    width: int | None = None,
) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    names = _columns(rows, columns)
    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell(row.get(name))) for name in names))  # as written: "[only where …]" is no markup
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 200, no_color=True, highlight=False, soft_wrap=False)
    for note in notes:
        console.print(note, markup=False)
    console.print(table)
    if not rows:
        console.print("(no rows)")
    return buffer.getvalue()


def render(
    fmt: str,
    rows: Sequence[dict[str, Any]],
    *,
    columns: Sequence[str] | None = None,
    payload: Any = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    width: int | None = None,
    provenance: Mapping[str, Any] | None = None,
    caption: str | None = None,
) -> str:
    """Render rows (or, for JSON, ``payload`` when given) in one of the text formats of :data:`OUTPUT_FORMATS`.

    ``caption``: LaTeX's caption (default: ``title``). With ``provenance``, JSON gains a
    ``provenance`` key: beside the payload's own keys, or beside ``rows`` when the output is a
    list of rows.
    """
    if fmt == "json":
        data = (
            payload
            if payload is not None
            else [{name: row.get(name) for name in _columns(rows, columns)} for row in rows]
        )
        if provenance is not None:
            data = (
                {**data, "provenance": provenance}
                if isinstance(data, dict)
                else {"rows": data, "provenance": provenance}
            )
        return to_json(data) + "\n"
    if fmt == "csv":
        return render_csv(rows, columns)
    if fmt == "markdown":
        return render_markdown(rows, columns, title, notes)
    if fmt == "latex":
        return render_latex(rows, columns, title, notes, caption)
    if fmt in BINARY_FORMATS:
        raise ValueError(f"{fmt} is not text: write it with write_{fmt}")
    return render_table(rows, columns, title, notes, width)


# --------------------------------------------------------------------------
# LaTeX

_LATEX_SPECIAL = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIAL))

#: The first lines of every LaTeX output: what the preamble needs (Chinese is kept as written).
LATEX_PREAMBLE_NOTE = (
    "% shequ table(s). Preamble: \\usepackage{booktabs} and, for the Chinese text, XeLaTeX with\n"
    "% \\usepackage{xeCJK} (\\setCJKmainfont{Noto Serif CJK SC} or another CJK font), or ctex.\n"
)


def latex_escape(text: str) -> str:
    """Text as LaTeX typesets it literally: & % $ # _ { } ~ ^ \\ escaped, line breaks as spaces."""
    escaped = _LATEX_PATTERN.sub(lambda match: _LATEX_SPECIAL[match.group(0)], text)
    return " ".join(escaped.splitlines()) if ("\n" in escaped or "\r" in escaped) else escaped


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def render_latex(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    notes: Iterable[str] = (),
    caption: str | None = None,
) -> str:
    """A booktabs ``table`` (``tabular``, ``\\toprule``/``\\midrule``/``\\bottomrule``) with a caption.

    Number columns are right-aligned, the others left-aligned. ``notes`` become
    ``%`` comment lines above the table (they are not typeset); the caption is
    ``caption`` or else ``title``.
    """
    names = _columns(rows, columns)
    numeric = [
        bool(rows)
        and all(_is_number(row.get(name)) or row.get(name) is None for row in rows)
        and any(_is_number(row.get(name)) for row in rows)
        for name in names
    ]
    lines = [f"% {' '.join(str(note).splitlines())}" for note in notes]
    lines += ["\\begin{table}[htbp]", "\\centering"]
    text = caption if caption is not None else title
    if text:
        lines.append(f"\\caption{{{latex_escape(text)}}}")
    lines.append("\\begin{tabular}{" + "".join("r" if n else "l" for n in numeric) + "}")
    lines.append("\\toprule")
    lines.append(" & ".join(latex_escape(name) for name in names) + " \\\\")
    lines.append("\\midrule")
    for row in rows:
        lines.append(" & ".join(latex_escape(cell(row.get(name))) for name in names) + " \\\\")
    lines.append("\\bottomrule")
    lines += ["\\end{tabular}", "\\end{table}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# XLSX


@attrs.frozen
class Sheet:
    """One table of a workbook: its rows, columns (None: every key of the rows), title and notes."""

    rows: Sequence[dict[str, Any]]
    columns: Sequence[str] | None = None
    title: str | None = None
    notes: Sequence[str] = ()


#: Characters a worksheet name may not hold, and its length limit.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_LENGTH = 31


def sheet_names(titles: Sequence[str | None]) -> list[str]:
    """Worksheet names for the tables' titles: Excel's forbidden characters out, at most 31, unique, not "about"."""
    names: list[str] = []
    taken = {"about"}
    for index, title in enumerate(titles, start=1):
        base = _SHEET_FORBIDDEN.sub(" ", title or "").strip().strip("'") or f"Table {index}"
        name = base[:_SHEET_LENGTH].rstrip()
        number = 2
        while name.lower() in taken:
            suffix = f" ({number})"
            name = base[: _SHEET_LENGTH - len(suffix)].rstrip() + suffix
            number += 1
        taken.add(name.lower())
        names.append(name)
    return names


def _display_width(text: str) -> int:
    """Columns a text takes on screen: East Asian wide and full-width characters count two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def xlsx_value(value: Any) -> Any:
    """A value as a worksheet cell holds it: numbers, booleans and dates as such, lists joined, NaN empty."""
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (bool, int, float, dt.date, dt.datetime)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


def _put(worksheet: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell; text is always text, never a formula.

    openpyxl would store a string starting with ``=`` as a formula. Every string
    is written with ``data_type`` ``"s"`` (so the value is kept exactly as given,
    no apostrophe added) and, when it starts like a formula (= + - @), with the
    cell's quote-prefix flag, Excel's own mark for "text typed with a leading
    apostrophe": editing the cell does not turn it into a formula either.
    Characters XML cannot hold (control characters) become U+FFFD.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = xlsx_value(value)
    target = worksheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        target.value = value
        target.data_type = "s"
        if value.startswith(_FORMULA_START):
            target.quotePrefix = True
    else:
        target.value = value
        if isinstance(value, dt.datetime):
            target.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, dt.date):
            target.number_format = "yyyy-mm-dd"
    return target


def _about_rows(provenance: Mapping[str, Any] | None, sheets: Sequence[Sheet], names: Sequence[str]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if provenance is not None:
        rows.append(["shequ", provenance.get("shequ")])
        if provenance.get("command"):
            rows.append(["command", provenance["command"]])
        if provenance.get("as_of") is not None:
            rows.append(["as_of", plain(provenance["as_of"])])
        for name, value in (provenance.get("arguments") or {}).items():
            if value not in (None, (), [], False):
                rows.append([f"argument {name}", cell(plain(value))])
        for plugin in provenance.get("plugins") or ():
            rows.append([f"plugin {plugin['plugin']}", f"{plugin['distribution']} {plugin['version'] or '?'}"])
        for document in provenance.get("documents") or ():
            rows.append(
                [
                    f"document {document['jurisdiction']}/{document['id']}",
                    "; ".join(
                        part
                        for part in (
                            document.get("number"),
                            document.get("title"),
                            plain(document.get("date")),
                            document.get("source_url"),
                            f"accessed {plain(document['accessed'])}" if document.get("accessed") else None,
                            f"sha256 {document['sha256']}" if document.get("sha256") else None,
                        )
                        if part
                    ),
                ]
            )
    for sheet, name in zip(sheets, names, strict=True):
        rows.append([f"sheet {name}", sheet.title or ""])
        rows += [["", note] for note in sheet.notes]
    return rows


def write_xlsx(path: str | Path, sheets: Sequence[Sheet], provenance: Mapping[str, Any] | None = None) -> None:
    """A workbook at ``path``: one worksheet per table (header frozen, columns sized) and an "about" sheet.

    The about sheet (last) holds the provenance (shequ and plugin versions, the
    documents with their SHA-256, as_of, the command and its arguments) and each
    table's full title and notes. Every value is written as a value, never a
    formula (see :func:`_put`). The file is written whole: to a temporary file
    beside it, then renamed.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    names = sheet_names([sheet.title for sheet in sheets])
    bold = Font(bold=True)
    for sheet, name in zip(sheets, names, strict=True):
        worksheet = workbook.create_sheet(name)
        columns = _columns(sheet.rows, sheet.columns)
        widths = [_display_width(column) for column in columns]
        for index, column in enumerate(columns, start=1):
            _put(worksheet, 1, index, column).font = bold
        for number, row in enumerate(sheet.rows, start=2):
            for index, column in enumerate(columns, start=1):
                target = _put(worksheet, number, index, row.get(column))
                if number <= 1000:  # the widths of the first thousand rows are enough to size a column
                    widths[index - 1] = max(widths[index - 1], _display_width(cell(target.value)))
        _size(worksheet, widths)
        worksheet.freeze_panes = "A2"
    about = workbook.create_sheet("about")
    for number, (key, value) in enumerate(_about_rows(provenance, sheets, names), start=1):
        _put(about, number, 1, key).font = bold
        _put(about, number, 2, value).alignment = Alignment(wrap_text=True, vertical="top")
    _size(about, [24, 100])
    write_atomic(path, workbook.save)


def _size(worksheet: Any, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def as_new_file(path: str | Path) -> None:
    """Give a temporary file the mode of an ordinary new file (the umask's), not ``mkstemp``'s owner-only one."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def write_atomic(path: str | Path, write: Callable[[Path], Any]) -> None:
    """Run ``write(temporary path)`` beside ``path``, then rename it to ``path``: never a half-written file."""
    import os
    import tempfile

    target = Path(path)
    # the temporary keeps the target's suffix last (".r.svg.x1.part.svg"): writers that go by it still can
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".part{target.suffix}", dir=target.parent or "."
    )
    os.close(handle)
    try:
        write(Path(temporary))
        as_new_file(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """UTF-8 text at ``path``, written whole (see :func:`write_atomic`)."""
    write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_pieces(path: str | Path, pieces: Iterable[str | bytes]) -> None:
    """Text at ``path`` from its pieces (texts, or UTF-8 bytes), written as they come, renamed into place whole."""

    def write(temporary: Path) -> None:
        with temporary.open("wb") as stream:
            for piece in pieces:
                stream.write(piece.encode() if isinstance(piece, str) else piece)

    write_atomic(path, write)


# --------------------------------------------------------------------------
# HTML, for notebooks (``_repr_html_``)

#: How many rows a notebook shows of a result before it says how many it leaves out.
HTML_ROWS = 20


def render_html(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    notes: Iterable[str] = (),
    *,
    total: int | None = None,
) -> str:
    """An HTML table for a notebook: every text escaped, Chinese as written, missing values empty.

    ``rows`` are those shown; ``total`` (when larger) is how many there are, and a
    last line says how many are left out.
    """
    from html import escape

    names = _columns(rows, columns)
    parts = ['<div class="shequ">']
    if title:
        parts.append(f"<strong>{escape(title)}</strong>")
    parts += [f"<p>{escape(str(note))}</p>" for note in notes]
    parts.append('<table border="1" class="dataframe">')
    parts.append("<thead><tr>" + "".join(f"<th>{escape(name)}</th>" for name in names) + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{escape(cell(row.get(name)))}</td>" for name in names) + "</tr>")
    parts.append("</tbody></table>")
    left_out = (total or 0) - len(rows)
    if left_out > 0:
        parts.append(f"<p>… {left_out:,} more row{'s' if left_out != 1 else ''} not shown (of {total:,})</p>")
    parts.append("</div>")
    return "\n".join(parts)


def html_frames(title: str, sections: Sequence[tuple[str, Any]], notes: Iterable[str] = ()) -> str:
    """Several Polars frames as one notebook display: a heading, then each frame's first :data:`HTML_ROWS` rows."""
    from html import escape

    parts = [f'<div class="shequ"><h4>{escape(title)}</h4>', *(f"<p>{escape(str(n))}</p>" for n in notes)]
    for name, frame in sections:
        head = frame.head(HTML_ROWS)
        parts.append(render_html(head.to_dicts(), head.columns, name, total=frame.height))
    parts.append("</div>")
    return "\n".join(parts)
