"""Fuzzing the CSV and JSON loaders: the only outcomes are a correct table or ProblemsError with problems.

Default runs are modest (50 examples per test, 250 in all); a long run:

    SHEQU_FUZZ_EXAMPLES=10000 pytest tests/io/test_fuzz_loaders.py -q
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.io import CommunityTable, load_communities

EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

CATALOG = Catalog.core()
HEADERS = [
    "id",
    "编号",
    "name",
    "社区名称",
    "district",
    "kind",
    "households",
    "户数",
    "population",
    "service_space_m2",
    "flags",
    "designations",
    "area.police_room",
    "count.police_room",
    "floor.police_room",
    "indicators.x",
    "staff.full_time",
    "unknown",
    "",
]
CELLS = st.one_of(
    st.sampled_from(
        ["", "NA", "Nan", "None", "null", "-", "—", "无", "1,200", "１２", "12.5", "-3", "0", "1e3", "inf", "nan"]
    ),
    st.sampled_from(["urban", "城市社区", "村", "info_network", ";", "a;b", "#DIV/0!", "=1/0", "000"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
)


def _outcome(path: Path) -> CommunityTable | None:
    """The load of ``path``: a table, or None for ProblemsError with at least one problem (any other raise fails)."""
    try:
        return load_communities(path, catalog=CATALOG)
    except ProblemsError as exc:
        problems = exc.problems
    assert problems, "a ProblemsError without a problem"
    assert all(str(problem).strip() for problem in problems)
    return None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _csv(rows: list[list[str]], separator: str) -> str:
    def quoted(cell: str) -> str:
        if any(char in cell for char in (separator, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(separator.join(quoted(cell) for cell in row) + "\n" for row in rows)


@FUZZ
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=6),
    separator=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_csv_gives_a_table_or_problems(folder, header, rows, separator, encoding, line_end):
    text = _csv([header, *rows], separator).replace("\n", line_end)
    path = folder / "any.csv"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    _outcome(path)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_table_or_problems(folder, data):
    path = folder / "bytes.csv"
    path.write_bytes(b"id,name,households\n" + data)
    _outcome(path)
    path = folder / "bytes.json"
    path.write_bytes(data)
    _outcome(path)


ANY_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=6)
# Without a byte-order mark an encoding is inferred: a GB18030 file is told by its common Chinese text
# (a file of rare characters only is ambiguous, and then refused, never misread).
CHINESE_NAMES = st.text(
    st.sampled_from("幸福和平社区东城西南北街道团结新村花园里路ABCxyz0129-（）·"), min_size=1, max_size=6
)


def _records(names: st.SearchStrategy[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    record = st.fixed_dictionaries(
        {"name": names, "households": st.integers(0, 10**6), "service_space_m2": st.floats(0, 1e5)},
        optional={"district": names},
    )
    return st.lists(record, min_size=1, max_size=5)


@FUZZ
@given(
    encoded=st.one_of(
        st.tuples(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]), _records(ANY_NAMES)),
        st.tuples(st.just("gb18030"), _records(CHINESE_NAMES)),
    ),
    separator=st.sampled_from([",", ";", "\t"]),
    title=st.booleans(),
)
def test_a_valid_csv_reads_back_exactly(folder, encoded, separator, title):
    encoding, records = encoded
    ids = [f"C{i:03d}" for i in range(len(records))]
    rows = [["id", "name", "district", "households", "service_space_m2"]]
    for community, record in zip(ids, records, strict=True):
        rows.append(
            [
                community,
                record["name"],
                record.get("district", ""),
                str(record["households"]),
                repr(record["service_space_m2"]),
            ]
        )
    text = ("2021年社区统计表\n" if title else "") + _csv(rows, separator)
    data = text.encode(encoding)
    # GB18030 bytes that are valid UTF-8 too (a few characters can be) are read as UTF-8: --encoding says otherwise
    assume(encoding != "gb18030" or not _utf8(data))
    path = folder / "valid.csv"
    path.write_bytes(data)
    table = load_communities(path, catalog=CATALOG)
    frame = table.frame
    assert frame.get_column("id").to_list() == ids
    assert frame.get_column("name").to_list() == [record["name"].strip() for record in records]
    assert frame.get_column("households").to_list() == [record["households"] for record in records]
    assert frame.get_column("service_space_m2").to_list() == [record["service_space_m2"] for record in records]


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    _containers,
    max_leaves=12,
)
RECORD_KEYS = st.sampled_from(
    ["id", "name", "district", "kind", "households", "flags", "facilities", "organizations", "indicators", "staff"]
)


@FUZZ
@given(
    document=st.one_of(
        JSON_VALUES,
        st.lists(st.dictionaries(RECORD_KEYS, JSON_VALUES, max_size=6), max_size=4).map(
            lambda records: {"communities": records}
        ),
    )
)
def test_any_json_gives_a_table_or_problems(folder, document: Any):
    path = folder / "any.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _outcome(path)


@FUZZ
@given(text=st.text(alphabet='{}[]":,0123456789abcnulltrue\\ ', max_size=80))
def test_any_json_text_gives_a_table_or_problems(folder, text):
    path = folder / "text.json"
    path.write_text('{"communities": [{"id": "A", ' + text, encoding="utf-8")
    _outcome(path)


@FUZZ
@given(
    chinese=st.text(
        st.sampled_from("幸福和平社区东城西南北街道团结新村花园里路居委会服务中心党群"), min_size=1, max_size=12
    ),
    stray=st.sampled_from([b"\xe9", b"\xfc", b"\xa0", b"\x96"]),
)
def test_a_stray_byte_in_a_utf8_file_is_an_error_never_a_re_decode(folder, chinese, stray):
    path = folder / "stray.csv"
    path.write_bytes(f"id,name\nA,{chinese}\nB,Caf".encode() + stray + b"a\n")
    with pytest.raises(ProblemsError) as caught:
        load_communities(path, catalog=CATALOG)
    assert "line 3: byte" in str(caught.value)
    assert "is not valid UTF-8" in str(caught.value)
