"""shequ.io.validate: the fast path (numbers cast first) and the spreadsheet clean-up give the same table."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.io import load_communities, readers
from shequ.io.readers import read_csv_numbers

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.core()


def numbers_after_id(headers):
    return range(1, len(headers))


@pytest.mark.parametrize("cell", ["１２", "1,200", "-", "NA", "12 ", "abc"])
def test_a_cell_the_csv_reader_cannot_cast_leaves_the_file_to_the_clean_up(cell, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(f'id,households\nA,12\nB,"{cell}"\n', encoding="utf-8")
    assert read_csv_numbers(path, numbers_after_id) is None


def numbers_named(*names):
    return lambda headers: [i for i, header in enumerate(headers) if header in names]


def test_plain_numbers_are_cast_by_the_csv_reader(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,households,service_space_m2,name\nA,12,350.5,x\nB,,1e3,\n", encoding="utf-8")
    cells, headers = read_csv_numbers(path, numbers_named("households", "service_space_m2"))
    assert headers == ["id", "households", "service_space_m2", "name"]
    assert cells.schema == pl.Schema({"c0": pl.String, "c1": pl.Float64, "c2": pl.Float64, "c3": pl.String})
    assert cells.rows() == [("A", 12.0, 350.5, "x"), ("B", None, 1000.0, None)]


def test_a_number_in_the_last_column_is_cast_too(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,name,households\nA,x,12\nB,,\nC,z,\n", encoding="utf-8")
    cells, _headers = read_csv_numbers(path, numbers_named("households"))
    assert cells.schema == pl.Schema({"c0": pl.String, "c1": pl.String, "c2": pl.Float64})
    assert cells.get_column("c2").to_list() == [12.0, None, None]


def test_a_row_without_its_last_field_leaves_the_file_to_the_clean_up(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,households,name\nA,12,x\nB,3\n", encoding="utf-8")
    assert read_csv_numbers(path, numbers_named("households")) is None


# Rows as the reader pads them: a row that lacks fields looks like one whose last cells are blank.
# Each file's rows hold 4 fields (id, name, households, grids) unless a comment says otherwise.
_SHORT_ROW_CASES = {
    "every row full, blank last cells": ("A,x,1,2\nB,,,\nC,y,,\nD,z,3,\n", True),
    "a row of blank cells": ("A,x,1,2\n,,,\nB,y,3,4\n", True),
    "CRLF line ends": ("A,x,1,2\r\nB,y,,\r\nC,,,\r\n", True),
    "no line break after the last row": ("A,x,1,2\nB,y,3,", True),
    "a row lacks its last field": ("A,x,1,2\nB,y,3\n", False),
    "a row lacks its last two fields, the one before blank": ("A,x,1,2\nB,,\n", False),
    "a row lacks a field, its other cells blank": ("A,x,1,2\n,,\n", False),
    "a lacking row among full rows ending in blanks": ("A,x,,\nB,y,,\nC,z,\nD,w,1,2\n", False),
    "a lacking row, CRLF": ("A,x,1,2\r\nB,y,3\r\n", False),
    "a lacking row, no final line break": ("A,x,1,2\nB,y,", False),
    "a blank line between rows": ("A,x,1,2\n\nB,y,3,4\n", True),
    "a blank line, and a row that lacks a field": ("A,x,1,2\n\nB,y,3\n", False),
    "quoted fields, every row full": ('A,"x, y",1,\nB,"a\nb",,\n', True),
    "quoted fields, a row lacks a field": ('A,"x, y",1,\nB,"a\nb",\n', False),
}


@pytest.mark.parametrize(("rows", "full"), list(_SHORT_ROW_CASES.values()), ids=list(_SHORT_ROW_CASES))
def test_the_fast_reader_finds_every_row_that_lacks_fields(rows, full, tmp_path, monkeypatch):
    path = tmp_path / "data.csv"
    path.write_bytes(("id,name,households,grids\n" + rows).encode())
    if '"' not in rows and "\n\n" not in rows:
        # told by how the lines end: the separators are not counted
        monkeypatch.setattr(readers, "_unquoted", None)
    read = read_csv_numbers(path, numbers_named("households", "grids"))
    assert (read is not None) is full


def test_a_clean_file_and_the_same_file_written_untidily_load_to_the_same_table(catalog, tmp_path):
    clean = load_communities(EXAMPLES / "communities.csv", catalog=catalog).frame
    text = (EXAMPLES / "communities.csv").read_text(encoding="utf-8")
    header, first, *rest = text.splitlines()
    columns = header.split(",")
    cells = first.split(",")
    at = columns.index("households")
    cells[at] = "".join(chr(ord(c) + 0xFEE0) for c in cells[at])  # full-width digits: the clean-up reads them
    untidy = tmp_path / "untidy.csv"
    untidy.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")
    assert_frame_equal(clean, load_communities(untidy, catalog=catalog).frame, check_exact=True)


@pytest.mark.parametrize("cell", ["-5.0", " -5", "-5"])
def test_a_problem_shows_the_cell_as_written(cell, catalog, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(f'id,households\nA,"{cell}"\n', encoding="utf-8")
    with pytest.raises(ProblemsError) as info:
        load_communities(path, catalog=catalog)
    assert [problem.message for problem in info.value.problems] == [
        f"households: expected a whole number >= 0, got {cell!r}"
    ]


def test_nan_is_a_blank_cell_and_inf_a_mistake_whichever_path_reads_them(catalog, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,households,service_space_m2\nA,nan,NaN\nB,12,3\n", encoding="utf-8")
    frame = load_communities(path, catalog=catalog).frame
    assert frame["households"].to_list() == [None, 12]
    assert frame["service_space_m2"].to_list() == [None, 3.0]
    path.write_text("id,households,service_space_m2\nA,1,Infinity\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as info:
        load_communities(path, catalog=catalog)
    assert [problem.message for problem in info.value.problems] == [
        "service_space_m2: expected a number >= 0, got 'Infinity'"
    ]


def test_a_file_name_with_glob_characters_is_read_as_itself(catalog, tmp_path):
    """The CSV reader is given a path: ``[1]`` or ``*`` in a name is not a pattern."""
    text = (EXAMPLES / "communities.csv").read_text(encoding="utf-8")
    odd = tmp_path / "社区[1]*.csv"
    odd.write_text(text, encoding="utf-8")
    (tmp_path / "社区1x.csv").write_text(text.splitlines()[0] + "\n", encoding="utf-8")  # what a glob would match
    table = load_communities(odd, catalog=catalog)
    assert table.frame.height == len(text.splitlines()) - 1


def test_a_whole_number_written_as_a_decimal_past_the_first_rows_reads_as_the_same_table(catalog, tmp_path):
    """Counts read as integers when the first rows write them so; "12.0" further down still reads as 12."""
    header = "id,households,staff.committee_members,service_space_m2"
    rows = [f"C{i},{100 + i},{i % 9},{300.5 + i}" for i in range(1500)]
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    decimal = tmp_path / "decimal.csv"
    rows[1400] = rows[1400].replace(",1500,", ",1500.0,")  # households of row 1401, after the sample
    decimal.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    expected = load_communities(plain, catalog=catalog).frame
    assert expected.get_column("households").dtype == pl.Int64
    assert expected.get_column("households")[1400] == 1500
    assert_frame_equal(load_communities(decimal, catalog=catalog).frame, expected)


@settings(max_examples=300, deadline=None)
@given(
    width=st.integers(2, 5),
    rows=st.lists(st.lists(st.sampled_from(["", "1"]), min_size=1, max_size=5), min_size=1, max_size=6),
    crlf=st.booleans(),
    final_break=st.booleans(),
)
def test_the_fast_reader_accepts_a_file_only_if_no_row_lacks_fields(width, rows, crlf, final_break):
    """Any layout of blank cells, lacking fields and line ends: the reader is never fooled."""
    rows = [row[:width] for row in rows]
    header = ",".join(f"h{i}" for i in range(width))
    end = "\r\n" if crlf else "\n"
    text = end.join([header, *(",".join(row) for row in rows)]) + (end if final_break else "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(text.encode())
        read = read_csv_numbers(path, lambda headers: range(1, len(headers)))
    # a line that is blank (one empty field) is no row; any other must hold every field
    lacking = any(len(row) < width and row != [""] for row in rows)
    if lacking:
        assert read is None
    elif [""] not in rows:  # (a blank line may send the file to the clean-up, which is never wrong)
        assert read is not None
