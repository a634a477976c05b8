"""Large results written to files in batches (shequ.engine.export): what a file holds, and nothing half-written.

The rows a file holds are checked against :meth:`Results.details` (the engine's own
expansion, itself checked against the reference evaluator): same rows, same values,
in the documented order (jurisdiction, rule, then community in input order).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from shequ.engine import DETAIL_COLUMNS, evaluate
from shequ.engine import export as export_module
from shequ.engine.export import (
    COMPACT_COLUMNS,
    RULE_COLUMNS,
    output_format,
    sidecar,
    write_csv_text,
    write_frame,
    write_results,
)
from shequ.engine.verdicts import VERDICTS
from shequ.errors import ShequError
from shequ.output import render_csv

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "communities.csv"
AS_OF = dt.date(2021, 1, 1)


@pytest.fixture(scope="module")
def results():
    return evaluate(SAMPLE, as_of=AS_OF)


def plain_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical and enum columns as text, to compare with :meth:`Results.details`."""
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, (pl.Categorical, pl.Enum))
    )


def rule_major(results, details: pl.DataFrame) -> pl.DataFrame:
    """``details`` in the file's order: rules in the results' order, then communities in input order."""
    rules = pl.DataFrame(
        {
            "jurisdiction": [r.jurisdiction for r in results.rules],
            "rule": [r.rule.id for r in results.rules],
            "_rule": list(range(len(results.rules))),
        }
    )
    ids = pl.DataFrame({"id": results.community_ids, "_row": list(range(len(results)))})
    return (
        details.join(rules, on=["jurisdiction", "rule"], how="left")
        .join(ids, on="id", how="left")
        .sort("_rule", "_row")
        .drop("_rule", "_row")
    )


def test_parquet_holds_every_verdict_row_in_rule_order(results, tmp_path):
    path = tmp_path / "r.parquet"
    # a small batch size, so the file is written in many batches (rules × slices of communities)
    written = write_results(results, path, batch_rows=7)
    assert written[0] == path
    got = pl.read_parquet(path)
    assert got.columns == DETAIL_COLUMNS
    assert got.height == len(results) * len(results.rules)
    # rule-level text is dictionary-encoded: enums of the rules' own texts, in rule order; verdicts an enum too
    assert got.schema["quote"] == pl.Enum(list(dict.fromkeys(r.rule.source.text for r in results.rules)))
    assert got.schema["rule"] == pl.Enum(list(dict.fromkeys(r.rule.id for r in results.rules)))
    assert got.schema["verdict"] == pl.Enum(VERDICTS)
    assert got.schema["shortfall_basis"] == pl.Enum(["exact", "lower_bound"])
    # the requirement's words, a few values repeated per rule, are categories too
    assert got.schema["required"] == pl.Categorical
    assert_frame_equal(plain_text(got), rule_major(results, results.details()))


def test_requirement_words_are_computed_once_unless_they_read_a_column():
    frame = pl.DataFrame({"households": [100.0, 2500.0, None]})
    per_row = pl.concat_str([pl.lit("≥ "), (pl.col("households") * 0.3).cast(pl.Int64).cast(pl.String), pl.lit(" m²")])
    constant = pl.concat_str([pl.lit("≥ "), pl.lit(30).cast(pl.String), pl.lit(" m²")])
    once = export_module._requirement_text(constant)
    assert once.meta.is_literal()  # computed here, not per row
    got = frame.select(once.alias("constant"), export_module._requirement_text(per_row).alias("per_row")).with_columns(
        pl.all().cast(pl.String)
    )
    assert got.to_dict(as_series=False) == {"constant": ["≥ 30 m²"] * 3, "per_row": ["≥ 30 m²", "≥ 750 m²", None]}


def test_csv_and_ndjson_hold_the_same_rows(results, tmp_path):
    write_results(results, tmp_path / "r.parquet")
    write_results(results, tmp_path / "r.csv", batch_rows=50)
    write_results(results, tmp_path / "r.jsonl")
    expected = plain_text(pl.read_parquet(tmp_path / "r.parquet"))
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert "\\u" not in text and "社区" in text  # Chinese stays readable
    assert text.splitlines()[0] == ",".join(DETAIL_COLUMNS)
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == expected.height
    first = json.loads(lines[0])
    assert list(first) == DETAIL_COLUMNS
    row = expected.row(0, named=True)
    assert first["id"] == row["id"] and first["rule"] == row["rule"] and first["quote"] == row["quote"]
    assert first["due"] == (row["due"].isoformat() if row["due"] else None)


def test_writing_twice_gives_the_same_bytes(results, tmp_path):
    for name in ("a", "b"):
        write_results(results, tmp_path / f"{name}.csv", batch_rows=13)
        write_results(results, tmp_path / f"{name}.jsonl", batch_rows=13)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_compact_moves_rule_text_to_a_rules_table(results, tmp_path):
    path = tmp_path / "r.parquet"
    written = write_results(results, path, compact=True, verdicts=["fail"])
    assert written[1] == tmp_path / "r.rules.parquet"
    rows = pl.read_parquet(path)
    assert rows.columns == COMPACT_COLUMNS
    assert set(rows.get_column("verdict").cast(pl.String)) == {"fail"}
    rules = pl.read_parquet(written[1])
    assert rules.columns == RULE_COLUMNS
    assert rules.height == len(results.rules)
    # the keys have the same enum types in both tables: they join as read, no cast needed
    assert rows.select("jurisdiction", "rule").schema == rules.select("jurisdiction", "rule").schema
    assert rows.join(rules, on=["jurisdiction", "rule"], how="left").height == rows.height
    # joined back on (jurisdiction, rule), the compact rows are the full ones
    joined = plain_text(rows).join(plain_text(rules), on=["jurisdiction", "rule"], how="left").select(DETAIL_COLUMNS)
    full = rule_major(results, results.details(verdicts=["fail"]))
    assert_frame_equal(joined, full)


def test_rules_over_sets_of_communities_go_beside(results, tmp_path):
    written = write_results(results, tmp_path / "r.csv")
    aggregates = results.aggregate_details()
    assert not aggregates.is_empty()  # the sample has district-level rules
    assert written[-1] == tmp_path / "r.aggregates.csv"
    assert pl.read_csv(written[-1]).height == aggregates.height


def test_format_comes_from_the_extension():
    assert output_format("x/R.PARQUET") == "parquet"
    assert output_format("r.ndjson") == output_format("r.jsonl") == "ndjson"
    with pytest.raises(ShequError, match=r"r\.xlsx: cannot tell the output format from '\.xlsx'; use one of"):
        output_format("r.xlsx")
    with pytest.raises(ShequError, match="no extension"):
        output_format("verdicts")
    assert sidecar("out/r.parquet", "rules") == Path("out/r.rules.parquet")


def test_nothing_half_written_on_error(results, tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text("the previous, complete file\n", encoding="utf-8")

    def failing(lazy, target, fmt, *options):
        target.write(b"id,jurisdiction\nC1,")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "_sink", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        write_results(results, path)
    assert path.read_text(encoding="utf-8") == "the previous, complete file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no temporary file left


def test_a_folder_that_does_not_exist_is_an_input_error(results, tmp_path):
    with pytest.raises(ShequError, match="cannot write there"):
        write_frame(pl.DataFrame({"a": [1]}), tmp_path / "missing" / "r.parquet")


def test_written_files_have_ordinary_permissions(tmp_path):
    path = write_frame(pl.DataFrame({"a": [1]}), tmp_path / "r.csv")
    assert path.stat().st_mode & 0o044  # readable by others, as any new file (not mkstemp's 0600)


def test_csv_text_is_what_render_csv_writes():
    frame = pl.DataFrame(
        {
            "id": ["C1", "=SUM(A1)", "-3", "", None],
            "share": [1 / 3, float("nan"), math.inf, 2.0, None],
            "covered": [True, False, None, True, False],
            "count": [1, 2, None, 4, 5],
            "due": [dt.date(2020, 12, 31), None, None, None, None],
            "flags": [["a", "b"], [], None, ["-c"], ["d"]],
            "kind": pl.Series(["urban", "rural", "+x", "urban", None], dtype=pl.Categorical),
        }
    )
    import io

    buffer = io.BytesIO()
    write_csv_text(frame, buffer, batch_rows=2)
    assert buffer.getvalue().decode("utf-8") == render_csv(frame.to_dicts())


def test_a_failing_table_beside_leaves_no_file(results, tmp_path, monkeypatch):
    calls = []
    real_sink = export_module._sink

    def second_fails(lazy, target, fmt, *options):
        calls.append(fmt)
        if len(calls) == 2:  # the rules table, after the verdict rows are complete
            raise RuntimeError("disk full")
        real_sink(lazy, target, fmt, *options)

    monkeypatch.setattr(export_module, "_sink", second_fails)
    with pytest.raises(RuntimeError, match="disk full"):
        write_results(results, tmp_path / "r.parquet", compact=True)
    assert list(tmp_path.iterdir()) == []  # neither the verdicts nor a temporary file


@settings(max_examples=int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "60")), deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=1, max_size=12))
def test_csv_text_matches_the_reference_writer_for_any_text(texts):
    """The survey that spares clean text columns never misses a cell the reference writer marks or blanks."""
    import io

    frame = pl.DataFrame(
        {"id": texts, "name": [f"x{t}" if t else t for t in texts]}, schema={"id": pl.String, "name": pl.String}
    )
    buffer = io.BytesIO()
    write_csv_text(frame, buffer, batch_rows=5)
    assert buffer.getvalue().decode("utf-8") == render_csv(frame.to_dicts())


@pytest.mark.parametrize(
    "column",
    [
        pl.Series("name", ["a", "b\rc", None]),
        pl.Series("flags", [["a"], ["b\rc"], None]),
        pl.Series("kind", ["a", "b\rc", "a"], dtype=pl.Categorical),
    ],
    ids=["text", "list", "category"],
)
def test_a_carriage_return_in_any_text_column_is_quoted(column):
    import io

    frame = pl.DataFrame([pl.Series("id", ["1", "2", "3"]), column])
    buffer = io.BytesIO()
    write_csv_text(frame, buffer, batch_rows=2)
    assert buffer.getvalue().decode("utf-8") == render_csv(frame.to_dicts())
    assert '"b\rc"' in buffer.getvalue().decode("utf-8")


def test_only_a_single_null_literal_is_an_absent_bound():
    """A bound known null for every community drops out of the shortfall; anything else is kept."""
    absent = export_module._absent
    assert absent(pl.lit(None, dtype=pl.Float64))
    assert not absent(pl.lit(600.0))
    assert not absent(pl.col("households") * 0.3)
    assert not absent(pl.lit(pl.Series([None, None], dtype=pl.Float64)))  # a literal of several values
