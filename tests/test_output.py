"""The one writer behind every listing command: table, JSON, CSV and Markdown.

What users rely on: a CSV opened in a spreadsheet runs no formula, JSON keeps
Chinese readable and holds no NaN, Markdown tables survive a pipe in a cell,
and a table shows a missing value as an empty cell, never as 0 or "None".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.output import cell, csv_safe, plain, render, render_csv, render_markdown, render_table, to_json

ROWS = [
    {"id": "SYN-001", "name": "幸福社区", "households": 2693, "service_space_m2": 590.8, "due": dt.date(2019, 6, 20)},
    {"id": "SYN-002", "name": "和平社区", "households": None, "service_space_m2": None, "due": None},
]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def table_cells(text: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``."""
    for line in text.splitlines():
        cells = [part.strip() for part in line.split("│")[1:-1]]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{text}")


# --------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("http://x","点我")', "+86 10 1234", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"],
    ids=["equals", "hyperlink", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_csv_safe_defuses_text_a_spreadsheet_would_run(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["幸福社区", "a=b", "SYN-001", "", -5, 3.5, None])
def test_csv_safe_leaves_other_values_alone(value):
    # numbers stay numbers: a negative number is not a formula
    assert csv_safe(value) == value


def test_render_csv_neutralises_every_formula_cell_and_keeps_numbers():
    text = render_csv([{"name": "=cmd|' /C calc'!A0", "note": "@foo", "shortfall": -9.2, "count": -1}])
    (row,) = csv_rows(text)
    assert row == {"name": "'=cmd|' /C calc'!A0", "note": "'@foo", "shortfall": "-9.2", "count": "-1"}


def test_render_csv_writes_missing_as_empty_dates_as_iso_and_lists_joined():
    text = render_csv([{**ROWS[0], "flags": ["grid_management", "info_network"]}, ROWS[1]])
    first, second = csv_rows(text)
    assert first["due"] == "2019-06-20" and first["service_space_m2"] == "590.8"
    assert first["flags"] == "grid_management;info_network"
    assert second["households"] == "" and second["due"] == "" and second["flags"] == ""
    assert text.splitlines()[0] == "id,name,households,service_space_m2,due,flags"


def test_render_csv_rounds_float_noise_to_six_digits():
    (row,) = csv_rows(render_csv([{"share": 0.1 + 0.2, "ratio": 2 / 3}]))
    assert row == {"share": "0.3", "ratio": "0.666667"}


def test_render_csv_takes_the_columns_asked_for_in_that_order():
    text = render_csv(ROWS, columns=["name", "id"])
    assert text.splitlines() == ["name,id", "幸福社区,SYN-001", "和平社区,SYN-002"]


# --------------------------------------------------------------------------
# JSON


def test_json_keeps_chinese_readable():
    text = to_json({"name": "幸福社区", "quote": "每百户不少于30平方米"})
    assert "幸福社区" in text and "每百户不少于30平方米" in text
    assert "\\u" not in text
    assert json.loads(text) == {"name": "幸福社区", "quote": "每百户不少于30平方米"}


def test_json_has_no_nan_and_dates_are_iso_text():
    data = json.loads(to_json({"due": dt.date(2019, 6, 20), "missing": math.nan, "huge": math.inf, "ratio": 2 / 3}))
    assert data == {"due": "2019-06-20", "missing": None, "huge": None, "ratio": 0.666667}


def test_plain_makes_nested_data_json_ready():
    value = {1: (dt.date(2020, 12, 31), [math.nan, 0.1 + 0.2]), "at": dt.datetime(2019, 4, 25, 9, 30)}
    assert plain(value) == {"1": ["2020-12-31", [None, 0.3]], "at": "2019-04-25T09:30:00"}


def test_plain_leaves_whole_numbers_text_and_none_alone():
    assert plain([2693, "幸福社区", None, True]) == [2693, "幸福社区", None, True]


# --------------------------------------------------------------------------
# cells, Markdown and tables


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (math.nan, ""),
        (True, "yes"),
        (False, "no"),
        (450.0, "450"),
        (590.8, "590.8"),
        (1234.5, "1,234.5"),
        (0.129485, "0.1295"),
        (0, "0"),
        (dt.date(2019, 5, 1), "2019-05-01"),
        (["grid_management", 2.0], "grid_management; 2"),
        ("≥ 450 m²", "≥ 450 m²"),
    ],
)
def test_cell_shows_values_without_noise(value, text):
    assert cell(value) == text


def test_markdown_escapes_pipes_and_keeps_a_row_on_one_line():
    text = render_markdown([{"requirement": "a | b", "quote": "第一行\n第二行"}])
    assert text.splitlines() == [
        "| requirement | quote |",
        "|---|---|",
        "| a \\| b | 第一行 第二行 |",
    ]


def test_markdown_title_and_notes_come_before_the_table():
    text = render_markdown(ROWS[:1], columns=["id", "households"], title="Verdicts", notes=["as of 2024-01-01"])
    assert text == "### Verdicts\n\n> as of 2024-01-01\n\n| id | households |\n|---|---|\n| SYN-001 | 2693 |\n"


def test_table_shows_none_empty_floats_plainly_and_dates_as_iso():
    text = render_table(ROWS)
    assert table_cells(text, "SYN-001") == ["SYN-001", "幸福社区", "2693", "590.8", "2019-06-20"]
    assert table_cells(text, "SYN-002") == ["SYN-002", "和平社区", "", "", ""]
    assert "None" not in text and "nan" not in text


def test_table_prints_notes_and_title_and_says_when_there_are_no_rows():
    text = render_table([], columns=["id", "verdict"], title="Verdicts", notes=["as of 2024-01-01"])
    lines = text.splitlines()
    assert lines[0] == "as of 2024-01-01"
    assert lines[1].strip() == "Verdicts"
    assert "id" in text and "verdict" in text
    assert lines[-1] == "(no rows)"


# --------------------------------------------------------------------------
# render: one entry point for every format


def test_render_json_gives_the_rows_or_the_payload():
    assert json.loads(render("json", ROWS[:1], columns=["id", "households"])) == [{"id": "SYN-001", "households": 2693}]
    payload = {"as_of": dt.date(2024, 1, 1), "results": []}
    text = render("json", ROWS, payload=payload)
    assert json.loads(text) == {"as_of": "2024-01-01", "results": []}
    assert text.endswith("}\n")


def test_render_csv_markdown_and_table():
    assert render("csv", ROWS, columns=["id", "name"]) == "id,name\nSYN-001,幸福社区\nSYN-002,和平社区\n"
    markdown = render("markdown", ROWS, columns=["id"], title="Communities")
    assert markdown.startswith("### Communities\n") and "| SYN-002 |" in markdown
    table = render("table", ROWS, columns=["id", "name"], title="Communities")
    assert table_cells(table, "SYN-002") == ["SYN-002", "和平社区"] and "Communities" in table


def test_every_format_renders_the_same_rows():
    for fmt in ("table", "json", "csv", "markdown"):
        text = render(fmt, ROWS, columns=["id", "name"])
        assert "SYN-001" in text and "和平社区" in text, fmt


# --------------------------------------------------------------------------
# JSON of large tables, a batch of rows at a time (json_chunks)

_TEXTS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([0.0, -0.0, 1e-05, 5e-06, 0.1, 1e16, 123456789012.345678, 2.5e-7]),
)


@st.composite
def _frames(draw):
    import polars as pl

    height = draw(st.integers(0, 7))
    column = {
        "text": (pl.String, _TEXTS),
        "int": (pl.Int64, st.integers(-(2**62), 2**62)),
        "small": (pl.Int16, st.integers(-(2**15), 2**15 - 1)),
        "float": (pl.Float64, _FLOATS),
        "bool": (pl.Boolean, st.booleans()),
        "date": (pl.Date, st.dates()),
        "category": (pl.Categorical, st.sampled_from(["東城", "a\\b", 'say "x"', "\x00\n\t"])),
        "list": (pl.List(pl.String), st.lists(_TEXTS, max_size=3)),
    }
    names = draw(st.lists(st.sampled_from(sorted(column)), min_size=1, max_size=5, unique=True))
    data = {}
    for name in names:
        dtype, values = column[name]
        cells = draw(st.lists(st.none() | values, min_size=height, max_size=height))
        data[f"{name} 列"] = pl.Series(cells, dtype=dtype)
    return pl.DataFrame(data)


@settings(max_examples=300, deadline=None)
@given(frame=_frames(), batch=st.integers(1, 4))
def test_json_of_a_table_in_batches_is_the_json_of_its_rows_byte_for_byte(frame, batch):
    from shequ.output import json_chunks

    data = {"as_of": dt.date(2021, 1, 1), "summary": [], "totals": [{"n": 1.5}]}
    streamed = b"".join(json_chunks(data, {"summary": frame}, batch_rows=batch)).decode()
    assert streamed == to_json({**data, "summary": frame.to_dicts()}) + "\n"


def test_compare_json_streams_the_summary_as_the_payload_writes_it(tmp_path):
    from click.testing import CliRunner

    from shequ.cli import main
    from shequ.engine import evaluate
    from shequ.io import load_communities
    from shequ.payloads import compare_payload

    sample = Path(__file__).resolve().parents[1] / "examples" / "communities.csv"
    printed = CliRunner().invoke(main, ["compare", str(sample), "--as-of", "2021-01-01", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    written = tmp_path / "compare.json"
    result = CliRunner().invoke(main, ["compare", str(sample), "--as-of", "2021-01-01", "-o", str(written)])
    assert result.exit_code == 0, result.output
    document, from_file = json.loads(printed.output), json.loads(written.read_text(encoding="utf-8"))
    assert {**from_file, "provenance": None} == {**document, "provenance": None}  # (which records -o FILE)
    text = printed.output
    assert text[: text.index('"provenance"')] == written.read_text(encoding="utf-8")[: text.index('"provenance"')]
    expected = compare_payload(evaluate(load_communities(sample), as_of=dt.date(2021, 1, 1)))
    assert document["summary"] == json.loads(to_json(expected["summary"]))
    assert len(document["summary"]) == 30 * 6 and "provenance" in document


def test_a_file_written_whole_has_an_ordinary_new_files_mode(tmp_path):
    """-o FILE.json (.md, .tex, .xlsx) is readable as any new file is, not owner-only as mkstemp makes it."""
    import os

    from shequ.output import write_text

    path = tmp_path / "out.json"
    write_text(path, "{}\n")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
