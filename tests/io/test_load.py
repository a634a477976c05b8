"""shequ.io: every format loads to the same canonical table; every problem of a file is reported at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
import tomli_w
from polars.testing import assert_frame_equal

from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.io import (
    FIXED_COLUMNS,
    MAX_LISTED,
    CommunityTable,
    column_dtype,
    communities_frame,
    load_communities,
)
from shequ.model import Community, Facility, Organization

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.core()


@pytest.fixture(scope="module")
def sample(catalog) -> pl.DataFrame:
    return load_communities(EXAMPLES / "communities.json", catalog=catalog).frame


def load(path, catalog, **options) -> pl.DataFrame:
    return load_communities(path, catalog=catalog, **options).frame


def problems_of(path, catalog, **options) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_communities(path, catalog=catalog, **options)
    return [str(problem) for problem in info.value.problems]


def write_csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# The canonical table and the sample data


def test_sample_json_and_csv_load_to_identical_frames(sample, catalog):
    table = load_communities(EXAMPLES / "communities.csv", catalog=catalog)
    assert isinstance(table, CommunityTable)
    assert table.source == "communities.csv"
    assert_frame_equal(sample, table.frame, check_exact=True)
    assert len(table) == 30
    assert table.ids[:2] == ["SYN-001", "SYN-002"]


def test_sample_is_labelled_synthetic_and_varied(sample):
    note = json.loads((EXAMPLES / "communities.json").read_text(encoding="utf-8"))["_note"]
    assert "SYNTHETIC" in note
    assert set(sample["kind"]) == {"urban", "town", "rural", "village"}
    assert sample["households"].min() >= 300 and sample["households"].max() <= 4000
    persons = (sample["population"] / sample["households"]).drop_nulls()
    assert persons.min() >= 2.55 and persons.max() <= 3.05
    assert sample["district"].n_unique() in (3, 4)
    assert sample.filter(pl.col("flags").list.contains("village_to_residence")).height >= 1
    assert set(sample["floor.residents_committee_office"].drop_nulls()) >= {1, 2, -1}
    # some data is missing on purpose: those communities get `unknown` verdicts
    assert sample["service_space_m2"].null_count() > 0
    assert sample["count.police_room"].null_count() > 0


def test_canonical_columns_and_types(sample):
    assert sample.columns[: len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    for name, dtype in sample.schema.items():
        assert dtype == column_dtype(name), name
    assert sample.schema["households"] == pl.Int64
    assert sample.schema["service_space_m2"] == pl.Float64
    assert sample.schema["flags"] == pl.List(pl.String)
    assert sample.schema["staff.full_time"] == pl.Float64
    assert sample.schema["indicators.resident_units"] == pl.Float64
    assert sample.schema["area.police_room"] == pl.Float64
    assert sample.schema["count.police_room"] == pl.Int64
    assert sample.schema["floor.residents_committee_office"] == pl.Int64
    assert sample.schema["members.social_organization"] == pl.Int64
    assert sample.schema["count.social_organization"] == pl.Int64
    assert sample["id"].is_unique().all()


@pytest.mark.parametrize("form", ["toml", "xlsx", "parquet_flat", "parquet_canonical", "csv_gb18030"])
def test_every_format_loads_to_the_same_frame(form, sample, catalog, tmp_path):
    flat = pl.read_csv(EXAMPLES / "communities.csv")  # typed columns, lists as ';' text
    if form == "toml":
        data = json.loads((EXAMPLES / "communities.json").read_text(encoding="utf-8"))
        path = tmp_path / "communities.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    elif form == "xlsx":
        path = tmp_path / "communities.xlsx"
        flat.write_excel(path)
    elif form == "parquet_flat":
        path = tmp_path / "communities.parquet"
        flat.write_parquet(path)
    elif form == "parquet_canonical":  # List columns, a given empty list stays empty
        path = tmp_path / "canonical.parquet"
        sample.write_parquet(path)
    else:  # Excel on Chinese Windows saves CSV as GBK
        path = tmp_path / "gbk.csv"
        path.write_bytes((EXAMPLES / "communities.csv").read_text(encoding="utf-8").encode("gb18030"))
    assert_frame_equal(sample, load(path, catalog))


def test_communities_frame_from_model_objects(catalog):
    communities = [
        Community(
            id="A",
            kind="urban",
            households=1200,
            population=3300,
            facilities=(
                Facility(kind="police_room", area_m2=20.0, floor=1),
                Facility(kind="outdoor_activity", area_m2=300.0),
                Facility(kind="outdoor_activity", area_m2=200.0),
            ),
            organizations=(
                Organization(kind="social_organization", members=30),
                Organization(kind="social_organization", members=12),
            ),
            staff={"full_time": 7},
            flags=(),
        ),
        Community(id="B", kind="village", facilities=(Facility(kind="police_room"),)),
        Community(id="C"),
    ]
    table = communities_frame(communities, indicators=[{"resident_units": 4}, None, None], catalog=catalog)
    frame = table.frame
    assert table.ids == ["A", "B", "C"]
    assert frame["area.outdoor_activity"].to_list() == [500.0, 0.0, None]  # B's list is complete, C unknown
    assert frame["count.outdoor_activity"].to_list() == [2, 0, None]
    assert frame["area.police_room"].to_list() == [20.0, None, None]  # B's area is unknown: unknown sum
    assert frame["count.police_room"].to_list() == [1, 1, None]
    assert frame["floor.police_room"].to_list() == [1, None, None]
    assert frame["members.social_organization"].to_list() == [42, None, None]
    assert frame["count.social_organization"].to_list() == [2, None, None]
    assert frame["staff.full_time"].to_list() == [7.0, None, None]
    assert frame["indicators.resident_units"].to_list() == [4.0, None, None]
    assert frame["flags"].to_list() == [[], None, None]  # given empty vs unknown


def test_communities_frame_checks_the_catalog_and_duplicates(catalog):
    communities = [
        Community(id="A", facilities=(Facility(kind="police_rom"),), flags=("grid_managment",)),
        Community(id="A", staff_office_m2=50.0, service_space_m2=40.0),
    ]
    with pytest.raises(ProblemsError) as info:
        communities_frame(communities, catalog=catalog)
    text = info.value.report()
    assert "communities[0].facilities[0].kind: unknown facility kind 'police_rom' (did you mean 'police_room'?)" in text
    assert "communities[0].flags[0]: unknown flag 'grid_managment' (did you mean 'grid_management'?)" in text
    assert "communities[1].staff_office_m2: staff_office_m2 (50) exceeds service_space_m2 (40)" in text
    assert "communities[1].id: duplicate id 'A' (communities[0], communities[1])" in text


# --------------------------------------------------------------------------
# Spreadsheet cleanliness


def test_chinese_headers_and_values(catalog, tmp_path):
    path = write_csv(
        tmp_path,
        """
社区编号,社区名称,所属街道,社区类型,户数,常住人口,党员数,网格数,综合服务设施面积,办公面积,服务半径(公里),专职工作人员,注册志愿者,工作经费,驻社区单位,警务室面积,警务室数量,居委会工作用房所在楼层,社会组织数量,标识,荣誉
C1,幸福社区,东城街道,城市社区,1500,4200,60,4,500,80,0.8,9,300,150000,12,20,1,2,3,村改居；网格化管理,特色社区
C2,和平村,青山镇,行政村,300,850,12,1,200,30,3.5,3,20,60000,0,0,0,,0,;,
""",
    )
    frame = load(path, catalog)
    first = frame.row(0, named=True)
    assert first["id"] == "C1" and first["name"] == "幸福社区" and first["district"] == "东城街道"
    assert [first["kind"], frame["kind"][1]] == ["urban", "village"]
    assert (first["households"], first["population"], first["party_members"], first["grids"]) == (1500, 4200, 60, 4)
    assert (first["service_space_m2"], first["staff_office_m2"], first["service_radius_km"]) == (500.0, 80.0, 0.8)
    assert first["staff.full_time"] == 9.0
    assert first["volunteers.registered"] == 300.0
    assert first["finance.work_funds_yuan"] == 150000.0
    assert first["indicators.resident_units"] == 12.0
    assert (first["area.police_room"], first["count.police_room"]) == (20.0, 1)
    assert first["floor.residents_committee_office"] == 2
    assert first["count.social_organization"] == 3
    assert first["flags"] == ["village_to_residence", "grid_management"]
    assert first["designations"] == ["featured"]
    assert frame["flags"][1].to_list() == [] and frame["designations"][1] is None


def test_full_width_digits_spaces_and_thousands_separators(catalog, tmp_path):
    path = write_csv(
        tmp_path,
        """
id,households,population,service_space_m2,staff_office_m2,floor.residents_committee_office
　Ａ1 ,"１,２００",３ ４００,"1,234.5",１２．５,－１
B,"1,200",3400, 500 ,　,2
""",
    )
    frame = load(path, catalog)
    assert frame["id"].to_list() == ["A1", "B"]
    assert frame["households"].to_list() == [1200, 1200]
    assert frame["population"].to_list() == [3400, 3400]
    assert frame["service_space_m2"].to_list() == [1234.5, 500.0]
    assert frame["staff_office_m2"].to_list() == [12.5, None]
    assert frame["floor.residents_committee_office"].to_list() == [-1, 2]


def test_missing_values_stay_null_never_zero(catalog, tmp_path):
    path = write_csv(
        tmp_path,
        """
id,households,population,service_space_m2,staff.full_time,count.police_room,flags
A,,-,—,无,NA,
B,N/A,n/a,#N/A,null,0,grid_management
""",
    )
    frame = load(path, catalog)
    assert frame["households"].to_list() == [None, None]
    assert frame["population"].to_list() == [None, None]
    assert frame["service_space_m2"].to_list() == [None, None]
    assert frame["staff.full_time"].to_list() == [None, None]
    assert frame["count.police_room"].to_list() == [None, 0]
    assert frame["flags"].to_list() == [None, ["grid_management"]]
    # columns the file does not have are there, and unknown
    assert frame["party_members"].to_list() == [None, None]
    assert frame["designations"].to_list() == [None, None]


def test_blank_rows_are_skipped_and_row_numbers_kept(catalog, tmp_path):
    path = write_csv(tmp_path, "id,households\nA,100\n,\n\nB,-3\n")
    assert problems_of(path, catalog) == [f"{path}: row 4: households: expected a whole number >= 0, got '-3'"]
    path = write_csv(tmp_path, "id,households\nA,100\n,\nB,3\n")
    assert load(path, catalog)["id"].to_list() == ["A", "B"]


# --------------------------------------------------------------------------
# Every problem at once


def test_a_file_with_many_mistakes_gives_one_error_listing_all(catalog):
    problems = problems_of(DATA / "many_mistakes.csv", catalog)
    expected = [
        "many_mistakes.csv: header: unknown column 'housholds' (did you mean 'households'?) (column 12)",
        "many_mistakes.csv: row 2: kind: unknown community kind 'urbn' (did you mean 'urban'?); "
        "expected one of urban, town, rural, village",
        "many_mistakes.csv: row 2: households: expected a whole number >= 0, got '-5'",
        "many_mistakes.csv: row 2: population: expected a whole number >= 0, got 'abc'",
        "many_mistakes.csv: row 2: party_members: expected a whole number >= 0, got '12.5'",
        "many_mistakes.csv: row 2: flags: unknown flag 'grid_managment' (did you mean 'grid_management'?)",
        "many_mistakes.csv: row 2: staff_office_m2 (450) exceeds service_space_m2 (400): "
        "the staff offices are part of the service space",
        "many_mistakes.csv: row 3: floor.residents_committee_office: expected a whole floor number other than 0 "
        "(1 = ground floor, -1 = first basement), got '0'",
        "many_mistakes.csv: row 3: id: duplicate id 'C01' (rows 1, 3)",
        "many_mistakes.csv: row 4: id: missing: every community needs an id",
        "many_mistakes.csv: row 4: area.police_room is 10 but count.police_room is 0",
    ]
    assert problems == [p.replace("many_mistakes.csv", str(DATA / "many_mistakes.csv"), 1) for p in expected]


def test_nested_file_with_many_mistakes_reports_each_with_its_path(catalog):
    problems = problems_of(DATA / "many_mistakes.json", catalog)
    file = str(DATA / "many_mistakes.json")
    assert [p.removeprefix(file + ": ") for p in problems] == [
        "comunities: unknown key 'comunities' (did you mean 'communities'?): "
        "expected 'communities' (and optionally a '_note' text)",
        "communities[0].housholds: unknown key 'housholds' (did you mean 'households'?)",
        "communities[0].households: expected a whole number >= 0, got -5",
        "communities[0].population: expected a whole number >= 0, got '300'",
        "communities[0].staff.full_time: expected a number >= 0, got -1",
        "communities[0].indicators.resident_units: expected a number >= 0, got 'x'",
        "communities[0].facilities[0].kind: unknown facility kind 'police_rom' (did you mean 'police_room'?)",
        "communities[0].facilities[1].floor: expected a whole floor number other than 0 "
        "(1 = ground floor, -1 = first basement), got 0",
        "communities[0].flags[1]: unknown flag 'grid_managment' (did you mean 'grid_management'?)",
        "communities[1].kind: unknown community kind 'urbn' (did you mean 'urban'?); "
        "expected one of urban, town, rural, village",
        "communities[1].organizations[0].kind: unknown organization kind 'party_brnch' (did you mean 'party_branch'?)",
        "communities[1].staff_office_m2: staff_office_m2 (200) exceeds service_space_m2 (100): "
        "the staff offices are part of the service space",
        "communities[1].id: duplicate id 'C01' (communities[0], communities[1])",
        "communities[2].id: expected a non-empty text, got ''",
        "communities[2].households: expected a whole number >= 0, got 1.5",
        "communities[3]: expected a table (object), got 5",
    ]


def test_nested_records_accept_chinese_kind_names_and_indicators(catalog, tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "A",
                    "kind": "城市社区",
                    "facilities": [{"kind": "警务室", "area_m2": 20}],
                    "organizations": [{"kind": "党支部", "members": 30}],
                    "flags": ["村改居"],
                    "indicators": {"resident_units": 3},
                }
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    row = load(path, catalog).row(0, named=True)
    assert (row["kind"], row["count.police_room"], row["area.police_room"]) == ("urban", 1, 20.0)
    assert row["members.party_branch"] == 30
    assert (row["flags"], row["indicators.resident_units"]) == (["village_to_residence"], 3.0)


def test_unknown_column_did_you_mean(catalog, tmp_path):
    path = write_csv(tmp_path, "id,populaton,area.police_rom,staff.full_time,户 数,服务用房面职\nA,1,2,3,4,5\n")
    problems = problems_of(path, catalog)
    assert problems == [
        f"{path}: header: unknown column 'populaton' (did you mean 'population'?) (column 2)",
        f"{path}: header: column 'area.police_rom': unknown facility kind 'police_rom' "
        "(did you mean 'police_room'?) (column 3)",
        f"{path}: header: unknown column '服务用房面职' (did you mean '服务用房面积'?) (column 6)",
    ]  # '户 数' is 户数 with a stray space: accepted


def test_duplicate_and_nameless_columns(catalog, tmp_path):
    path = write_csv(tmp_path, "id,households,户数,\nA,1,1,x\n")
    assert problems_of(path, catalog) == [
        f"{path}: header: columns 2 ('households') and 3 ('户数') both give 'households'",
        f"{path}: header: column 4 has no header but holds values",
    ]


def test_duplicate_ids_name_both_rows(catalog, tmp_path):
    path = write_csv(tmp_path, "id,households\nA,1\nB,2\nA,3\nB,4\nA,5\n")
    assert problems_of(path, catalog) == [
        f"{path}: row 3: id: duplicate id 'A' (rows 1, 3, 5)",
        f"{path}: row 4: id: duplicate id 'B' (rows 2, 4)",
    ]


def test_repeated_problems_are_capped_and_counted(catalog, tmp_path):
    rows = [f"C{i},-1,x" for i in range(1, 1001)]
    path = write_csv(tmp_path, "id,households,population\n" + "\n".join(rows) + "\n")
    problems = problems_of(path, catalog)
    households = [p for p in problems if "households" in p]
    population = [p for p in problems if "population" in p]
    assert len(households) == len(population) == MAX_LISTED + 1
    assert households[0] == f"{path}: row 1: households: expected a whole number >= 0, got '-1'"
    assert households[-1] == f"{path}: households: negative in 980 more rows (only the first 20 are listed)"
    assert population[-1] == f"{path}: population: not a number in 980 more rows (only the first 20 are listed)"
    assert len(problems) == 2 * (MAX_LISTED + 1)


def test_unreadable_and_unsupported_files(catalog, tmp_path):
    assert problems_of(tmp_path / "nothing.csv", catalog) == [f"{tmp_path / 'nothing.csv'}: no such file"]
    odd = tmp_path / "data.xls"
    odd.write_bytes(b"x")
    assert "unsupported format '.xls'" in problems_of(odd, catalog)[0]
    broken = tmp_path / "broken.json"
    broken.write_text('{"communities": [', encoding="utf-8")
    assert problems_of(broken, catalog)[0].startswith(f"{broken}: line 1, column 18: not valid JSON")
    ragged = write_csv(tmp_path, "id,households\nA,1,2,3\n", "ragged.csv")
    assert problems_of(ragged, catalog)[0].startswith(f"{ragged}: row 1: the row has 4 fields, the header 2")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id\n\xff\xfe\x00\x81\x30\n")
    assert "cannot read" in problems_of(binary, catalog)[0]
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    assert problems_of(fake, catalog)[0].startswith(f"{fake}: cannot read as a spreadsheet")


def test_parquet_with_wrong_column_types(catalog, tmp_path):
    path = tmp_path / "typed.parquet"
    pl.DataFrame({"id": ["A", "B"], "households": [True, False], "flags": [1, 2]}).write_parquet(path)
    problems = problems_of(path, catalog)
    assert problems == [
        f"{path}: header: households: expected a whole number >= 0, the column has type Boolean",
        f"{path}: header: flags: expected ';'-separated text or a list of texts, the column has type Int64",
    ]


# --------------------------------------------------------------------------
# The separate facilities table


def test_facilities_table_gives_the_same_frame_as_nested_lists(sample, catalog, tmp_path):
    flat = pl.read_csv(EXAMPLES / "communities.csv", infer_schema=False)
    facility_columns = [
        c
        for c in flat.columns
        if c.startswith(("area.", "floor.")) or (c.startswith("count.") and c[6:] in catalog.facility_kinds)
    ]
    path = tmp_path / "no_facilities.csv"
    flat.drop(facility_columns).write_csv(path)
    frame = load(path, catalog, facilities=EXAMPLES / "facilities.csv")
    assert_frame_equal(sample, frame)


def test_facilities_table_aggregates_and_checks(catalog, tmp_path):
    main = write_csv(tmp_path, "id,households\nA,100\nB,200\nC,300\n", "main.csv")
    table = write_csv(
        tmp_path,
        """
社区编号,设施类型,面积,楼层
A,police_room,20,1
A,outdoor_activity,100,
A,室外活动场地,50,
B,outdoor_activity,,
""",
        "facilities.csv",
    )
    frame = load(main, catalog, facilities=table)
    assert frame["count.outdoor_activity"].to_list() == [2, 1, None]
    assert frame["area.outdoor_activity"].to_list() == [150.0, None, None]  # B's area unknown, C not listed
    assert frame["count.police_room"].to_list() == [1, 0, None]
    assert frame["area.police_room"].to_list() == [20.0, 0.0, None]
    assert frame["floor.police_room"].to_list() == [1, None, None]

    bad = write_csv(
        tmp_path,
        "community_id,kind,area_m2,floor,note\nA,police_rom,20,1,x\nZ,police_room,-1,0,y\n,,,,\n",
        "bad_facilities.csv",
    )
    problems = problems_of(main, catalog, facilities=bad)
    assert problems == [
        f"{bad}: header: unknown column 'note' (column 5)",
        f"{bad}: row 1: kind: unknown facility kind 'police_rom' (did you mean 'police_room'?); expected one of "
        + ", ".join(sorted(catalog.facility_kinds)),
        f"{bad}: row 2: area_m2: expected a number >= 0, got '-1'",
        f"{bad}: row 2: floor: expected a whole floor number other than 0 (1 = ground floor, -1 = first basement), "
        "got '0'",
        f"{bad}: row 2: community_id: no community 'Z' in the communities file",
    ]


def test_facilities_table_and_area_columns_together_is_an_error(catalog, tmp_path):
    main = write_csv(tmp_path, "id,area.police_room\nA,20\n", "main.csv")
    table = write_csv(tmp_path, "community_id,kind\nA,police_room\n", "facilities.csv")
    problems = problems_of(main, catalog, facilities=table)
    assert len(problems) == 1 and re.search(r"remove the columns area\.police_room", problems[0])


# --------------------------------------------------------------------------
# Scale: columnar, no loop over rows


def test_a_hundred_thousand_rows_load_quickly(catalog, tmp_path):
    import time

    n = 100_000
    frame = pl.DataFrame(
        {
            "id": pl.int_range(n, eager=True).cast(pl.String),
            "kind": pl.Series(["urban", "城市社区", "village", "town"] * (n // 4)),
            "households": pl.int_range(300, 300 + n, eager=True),
            "service_space_m2": pl.Series([350.5] * n),
            "count.police_room": pl.Series([1, 0] * (n // 2)),
            "flags": pl.Series(["grid_management;村改居", None] * (n // 2)),
        }
    )
    path = tmp_path / "big.parquet"
    frame.write_parquet(path)
    start = time.perf_counter()
    loaded = load(path, catalog)
    elapsed = time.perf_counter() - start
    assert loaded.height == n
    assert loaded["kind"].value_counts().height == 3
    assert loaded["flags"][0].to_list() == ["grid_management", "village_to_residence"]
    assert elapsed < 5, f"100,000 rows took {elapsed:.2f}s"


def test_python_communities_carry_their_indicators():
    from shequ.io import communities_frame
    from shequ.model import Community

    table = communities_frame(
        [
            Community(id="a", kind="urban", households=1200, indicators={"director_trainings_per_year": 2.0}),
            Community(id="b", kind="urban", households=800),
        ]
    )
    assert table.frame.get_column("indicators.director_trainings_per_year").to_list() == [2.0, None]


def test_a_stored_list_of_ids_is_taken_as_it_is_and_any_other_is_cleaned_up(catalog, tmp_path):
    """Parquet lists: ids pass untouched; aliases, letter case and spaces are read as in a CSV cell."""
    lists = pl.List(pl.String)
    path = tmp_path / "lists.parquet"
    pl.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "flags": pl.Series([["grid_management"], [], None, ["newly_established", "grid_management"]], dtype=lists),
            "designations": pl.Series([[" Featured "], ["特色社区"], None, []], dtype=lists),
        }
    ).write_parquet(path)
    loaded = load(path, catalog)
    assert loaded.get_column("flags").to_list() == [
        ["grid_management"],
        [],
        None,
        ["newly_established", "grid_management"],
    ]
    assert loaded.get_column("designations").to_list() == [["featured"], ["featured"], None, []]
    blank_item = pl.DataFrame({"id": ["A", "B"], "flags": pl.Series([["grid_management", None], [""]], dtype=lists)})
    blank_item.write_parquet(path)
    assert load(path, catalog).get_column("flags").to_list() == [["grid_management"], None]  # as a blank cell
    pl.DataFrame({"id": ["A"], "flags": pl.Series([["grid_management", "no_such_flag"]], dtype=lists)}).write_parquet(
        path
    )
    assert any("unknown flag 'no_such_flag'" in problem for problem in problems_of(path, catalog))


def test_kinds_and_flags_stored_as_categoricals_load_as_texts_do(catalog, tmp_path):
    """A Parquet file from pandas' `category` columns (or the CSV reader's own categoricals) reads the same."""
    texts = pl.DataFrame(
        {
            "id": ["A", "B", "C"],
            "kind": ["urban", "城市社区", None],
            "flags": ["grid_management;村改居", None, "grid_management"],
        }
    )
    as_text, as_categorical = tmp_path / "text.parquet", tmp_path / "categorical.parquet"
    texts.write_parquet(as_text)
    texts.with_columns(pl.col("kind", "flags").cast(pl.Categorical)).write_parquet(as_categorical)
    assert pl.read_parquet_schema(as_categorical)["flags"] == pl.Categorical
    loaded = load(as_categorical, catalog)
    assert_frame_equal(loaded, load(as_text, catalog))
    assert loaded.get_column("kind").to_list() == ["urban", "urban", None]
    expected = [["grid_management", "village_to_residence"], None, ["grid_management"]]
    assert loaded.get_column("flags").to_list() == expected


def test_stored_numbers_break_their_rules_row_by_row(catalog, tmp_path):
    """Parquet numbers: each rule is reported at its rows, whatever the column's range (a survey rules most out)."""
    path = tmp_path / "stored.parquet"
    pl.DataFrame(
        {
            "id": ["A", "B", "C", "A"],
            "households": pl.Series([300, -5, 200, 100], dtype=pl.Int64),
            "population": [1000.0, 2.5, None, float("nan")],  # a whole number stored as a float; NaN is blank
            "service_space_m2": [350.0, -1.0, float("inf"), None],
            "service_radius_km": pl.Series([1, -2, 3, None], dtype=pl.Int32),
            "count.police_room": [1, 1, 1, 1],
            "floor.police_room": [1, 0, -1, 2],
            "finance.work_funds_yuan": [float("-inf"), 1.0, 2.0, 3.0],
        }
    ).write_parquet(path)
    assert problems_of(path, catalog) == [
        f"{path}: row 1: finance.work_funds_yuan: expected a number >= 0, got '-inf'",  # once: not also "negative"
        f"{path}: row 2: households: expected a whole number >= 0, got '-5'",
        f"{path}: row 2: population: expected a whole number >= 0, got '2.5'",
        f"{path}: row 2: service_space_m2: expected a number >= 0, got '-1.0'",
        f"{path}: row 2: service_radius_km: expected a number >= 0, got '-2'",
        f"{path}: row 2: floor.police_room: expected a whole floor number other than 0 "
        "(1 = ground floor, -1 = first basement), got '0'",
        f"{path}: row 3: service_space_m2: expected a number >= 0, got 'inf'",
        f"{path}: row 4: id: duplicate id 'A' (rows 1, 4)",
    ]


def test_stored_numbers_whose_range_spans_a_rule_but_breaks_none_load(catalog, tmp_path):
    """Floors below and above 0 (but not 0), zeros, blanks and NaN: nothing to report, values kept."""
    path = tmp_path / "clean.parquet"
    pl.DataFrame(
        {
            "id": ["A", "B", "C"],
            "households": pl.Series([300, 0, None], dtype=pl.Int64),
            "population": [1000.0, None, float("nan")],
            "count.police_room": [1, 1, 1],
            "floor.police_room": [-2, -1, 3],
            "count.residents_committee_office": [1, 1, 0],
            "floor.residents_committee_office": [-1.0, 2.0, None],
            "service_space_m2": pl.Series([None, None, None], dtype=pl.Float64),
            "finance.work_funds_yuan": [1e308, 1e308, 0.0],  # finite, though their sum is not
        }
    ).write_parquet(path)
    frame = load(path, catalog)
    assert frame.get_column("finance.work_funds_yuan").to_list() == [1e308, 1e308, 0.0]
    assert frame.get_column("floor.police_room").to_list() == [-2, -1, 3]
    assert frame.get_column("floor.residents_committee_office").to_list() == [-1, 2, None]
    assert frame.get_column("households").to_list() == [300, 0, None]
    assert frame.get_column("population").to_list() == [1000, None, None]


def test_a_stored_kind_column_of_ids_aliases_or_unknown_names(catalog, tmp_path):
    """Ids are taken as written; an alias is read as its id; an unknown name is reported at its row."""
    ids, mixed, unknown = (tmp_path / f"{name}.parquet" for name in ("ids", "mixed", "unknown"))
    pl.DataFrame({"id": ["A", "B"], "kind": ["urban", "village"]}).write_parquet(ids)
    pl.DataFrame({"id": ["A", "B"], "kind": ["urban", "城市社区"]}).write_parquet(mixed)
    pl.DataFrame({"id": ["A", "B"], "kind": ["urban", "urbn"]}).write_parquet(unknown)
    assert load(ids, catalog).get_column("kind").to_list() == ["urban", "village"]
    assert load(mixed, catalog).get_column("kind").to_list() == ["urban", "urban"]
    (problem,) = problems_of(unknown, catalog)
    assert problem.startswith(f"{unknown}: row 2: kind: unknown community kind 'urbn'")
