"""A wide file (thousands of number columns) is read as one long column: same table, same problems."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.io import load_communities
from shequ.io import validate as validate_module


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.core()


def wide_csv(path, columns: int, cells: dict[tuple[int, int], str] | None = None) -> None:
    header = ["id", "name", "households", *(f"indicators.x{i}" for i in range(columns)), "count.police_room"]
    rows = []
    for row in range(6):
        values = [f"C{row}", f"社区{row}", str(100 + row)]
        values += ["" if (row + i) % 7 == 0 else str((row * 13 + i) % 50 / 2) for i in range(columns)]
        values.append(str(row % 3))
        rows.append(values)
    for (row, column), text in (cells or {}).items():
        rows[row][column] = text
    rows.append([""] * len(header))  # a blank row: dropped, as in a narrow file
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def both_ways(path, catalog, monkeypatch):
    """The load in bulk and column by column (the threshold raised above the file's width)."""
    results = []
    for threshold in (validate_module.BULK_COLUMNS, 10**9):
        monkeypatch.setattr(validate_module, "BULK_COLUMNS", threshold)
        try:
            results.append(load_communities(path, catalog=catalog).frame)
        except ProblemsError as exc:
            results.append([str(problem) for problem in exc.problems])
    return results


def test_a_wide_file_loads_to_the_same_table_in_bulk(catalog, tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    wide_csv(path, 400)
    bulk, narrow = both_ways(path, catalog, monkeypatch)
    assert isinstance(bulk, pl.DataFrame)
    assert bulk.height == 6
    assert bulk.get_column("indicators.x1").to_list()[:2] == [0.5, 7.0]
    assert_frame_equal(bulk, narrow)


def test_a_wide_file_has_the_same_problems_in_bulk(catalog, tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    # a text in a number column (the slow clean-up), a negative, a full-width number that is fine
    wide_csv(path, 400, {(1, 10): "abc", (2, 300): "-4", (3, 5): "１２"})
    bulk, narrow = both_ways(path, catalog, monkeypatch)
    assert bulk == narrow
    assert bulk == [
        f"{path}: row 2: indicators.x7: expected a number >= 0, got 'abc'",
        f"{path}: row 3: indicators.x297: expected a number >= 0, got '-4'",
    ]
