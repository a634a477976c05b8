"""One writer for every listing command: table, JSON, CSV or Markdown.

Commands hand over plain rows (dicts) and, when the machine interface needs
more structure than a table, a JSON payload. JSON is the stable, scriptable
interface (UTF-8, Chinese unescaped); tables are for eyes (rich, which measures
Chinese characters as two columns); CSV neutralises cells a spreadsheet would
run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: What every listing command can print (`--format`); not to be confused with the data formats shequ reads.
OUTPUT_FORMATS = ("table", "json", "csv", "markdown")
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


def render_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    names = _columns(rows, columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
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
    return buffer.getvalue()


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
) -> str:
    """Render rows (or, for JSON, ``payload`` when given) in one of :data:`OUTPUT_FORMATS`.

    With ``provenance``, JSON gains a ``provenance`` key: beside the payload's own keys, or
    beside ``rows`` when the output is a list of rows.
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
    return render_table(rows, columns, title, notes, width)
