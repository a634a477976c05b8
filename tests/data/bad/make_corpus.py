"""The corpus inputs that are binary or byte-exact: workbooks, UTF-16, GBK, stray bytes, CR line endings.

Text inputs are committed in ``data/``; these are written at test time (so git
keeps no binary files and no file whose line endings or encoding an editor
could change). Each generator writes one file named like the generator into
a folder; the manifest names a generator in ``input`` like a file.

    python tests/data/bad/make_corpus.py OUT_DIR     # write every generated input (to look at them)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path], None]

GENERATORS: dict[str, Writer] = {}


def generated(name: str) -> Callable[[Writer], Writer]:
    def register(write: Writer) -> Writer:
        GENERATORS[name] = write
        return write

    return register


CHINESE_CSV = "编号,社区名称,街道,户数\nG1,幸福社区,东城街道,1200\nG2,和平社区,西城街道,950\n"
PLAIN_CSV = "id,name,households\nE1,幸福社区,1200\nE2,和平社区,950\n"


@generated("utf8_bom.csv")
def _utf8_bom(path: Path) -> None:
    path.write_bytes(PLAIN_CSV.encode("utf-8-sig"))


@generated("utf16_le_bom.csv")
def _utf16_le(path: Path) -> None:
    path.write_bytes(PLAIN_CSV.encode("utf-16"))  # Python writes a little-endian BOM


@generated("utf16_be_bom.csv")
def _utf16_be(path: Path) -> None:
    path.write_bytes(b"\xfe\xff" + PLAIN_CSV.encode("utf-16-be"))


@generated("utf16_le_no_bom.csv")
def _utf16_no_bom(path: Path) -> None:
    path.write_bytes(PLAIN_CSV.encode("utf-16-le"))


@generated("gbk.csv")
def _gbk(path: Path) -> None:
    path.write_bytes(CHINESE_CSV.encode("gbk"))


@generated("gb18030_four_byte.csv")
def _gb18030(path: Path) -> None:
    # 𠀀 (U+20000) is outside GBK: four bytes in GB18030
    path.write_bytes("编号,社区名称,户数\nG3,𠀀福社区,1200\nG4,和平社区,950\n".encode("gb18030"))


@generated("utf8_with_cp1252_byte.csv")
def _stray_byte(path: Path) -> None:
    # the case: one Western byte (é) pasted into a UTF-8 file of Chinese names
    path.write_bytes("id,name,households\nM1,幸福社区,1200\nM2,Caf".encode() + b"\xe9a,950\n")


@generated("cp1252.csv")
def _cp1252(path: Path) -> None:
    path.write_bytes("id,name,households\nW1,Café au lait,1200\nW2,Müllerstraße,950\n".encode("cp1252"))


@generated("big5.csv")
def _big5(path: Path) -> None:
    path.write_bytes(
        "id,name,district,households\nB1,幸福社區,東區街道,1200\nB2,和平社區,西區街道,900\n".encode("big5")
    )


@generated("random_bytes.csv")
def _random_bytes(path: Path) -> None:
    path.write_bytes(b"id,name\n" + bytes(range(128, 256)) * 3)


@generated("cr_only.csv")
def _cr_only(path: Path) -> None:
    path.write_bytes(b"id,name,households\rC1,x,1200\rC2,y,950\r")


@generated("crlf.csv")
def _crlf(path: Path) -> None:
    path.write_bytes(PLAIN_CSV.replace("\n", "\r\n").encode())


@generated("gbk.json")
def _gbk_json(path: Path) -> None:
    path.write_bytes('{"communities": [{"id": "GJ1", "name": "幸福社区", "district": "东城街道"}]}'.encode("gbk"))


@generated("utf8_with_bad_byte.json")
def _bad_byte_json(path: Path) -> None:
    path.write_bytes('{"communities": [{"id": "BJ1", "name": "幸福社区", "district": "东'.encode() + b'\xff"}]}')


@generated("deep.json")
def _deep(path: Path) -> None:
    path.write_text('{"communities": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")


@generated("deep_record.json")
def _deep_record(path: Path) -> None:
    # parseable, but a record 500 lists deep: the message shows the start of the value, not all of it
    path.write_text('{"communities": [' + "[" * 500 + "]" * 500 + "]}", encoding="utf-8")


def _workbook(path: Path, sheets: dict[str, list[list[object]]], build: Callable[..., None] | None = None) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if build is not None:
            build(book, name, sheet)
    book.close()


HEADER = ["编号", "社区名称", "街道", "类型", "户数"]


@generated("two_sheets.xlsx")
def _two_sheets(path: Path) -> None:
    _workbook(
        path,
        {
            "东城街道": [HEADER, ["X1", "幸福社区", "东城街道", "城市社区", 1200]],
            "填表说明": [["本表由街道填报"], ["户数为常住户数"]],
            "西城街道": [["社区名称", "编号", "户数"], ["和平社区", "X2", 950], ["团结社区", "X3", 700]],
        },
    )


@generated("merged_kind.xlsx")
def _merged(path: Path) -> None:
    rows = [HEADER, ["Y1", "幸福社区", "东城街道", "城市社区", 1200], ["Y2", "和平社区", "东城街道", None, 950]]

    def merge(book: object, name: str, sheet: object) -> None:
        sheet.merge_range("C2:C3", "东城街道")  # type: ignore[attr-defined]
        sheet.merge_range("D2:D3", "城市社区")  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, merge)


@generated("merged_title.xlsx")
def _merged_title(path: Path) -> None:
    rows = [[None], HEADER, ["Y3", "幸福社区", "东城街道", "城市社区", 1200]]

    def title(book: object, name: str, sheet: object) -> None:
        sheet.merge_range("A1:E1", "某区社区基本情况统计表")  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, title)


@generated("error_cell.xlsx")
def _error_cell(path: Path) -> None:
    rows = [["id", "name", "households", "service_space_m2"], ["Z1", "幸福社区", 1200, None]]

    def error(book: object, name: str, sheet: object) -> None:
        sheet.write_formula("D2", "=1/0", None, "#DIV/0!")  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, error)


@generated("formula_without_value.xlsx")
def _formula(path: Path) -> None:
    rows = [["id", "name", "households", "population"], ["Z2", "幸福社区", 1200, None]]

    def formula(book: object, name: str, sheet: object) -> None:
        sheet.write_formula("D2", "=C2*3", None, "")  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, formula)


@generated("formula_with_value.xlsx")
def _formula_value(path: Path) -> None:
    rows = [["id", "name", "households", "population"], ["Z3", "幸福社区", 1200, None]]

    def formula(book: object, name: str, sheet: object) -> None:
        sheet.write_formula("D2", "=C2*3", None, 3600)  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, formula)


@generated("zero_formatted_id.xlsx")
def _zero_format(path: Path) -> None:
    rows = [["id", "name", "households"], [None, "幸福社区", 1200]]

    def zeros(book: object, name: str, sheet: object) -> None:
        fmt = book.add_format({"num_format": "000"})  # type: ignore[attr-defined]
        sheet.write_number("A2", 7, fmt)  # type: ignore[attr-defined]

    _workbook(path, {"社区": rows}, zeros)


@generated("text_id.xlsx")
def _text_id(path: Path) -> None:
    _workbook(path, {"社区": [["id", "name", "households"], ["000", "幸福社区", 1200], ["0042", "和平社区", 950]]})


@generated("title_row.xlsx")
def _title_xlsx(path: Path) -> None:
    _workbook(path, {"Sheet1": [["2021年社区统计"], HEADER, ["Q1", "幸福社区", "东城街道", "城市社区", 1200]]})


@generated("no_data_sheet.xlsx")
def _no_data(path: Path) -> None:
    _workbook(path, {"说明": [["本表由街道填报"]]})


@generated("offset_sheet.xlsx")
def _offset(path: Path) -> None:
    # a table that starts at C3 under a merged title: the faults' and zero formats' cells must line up
    def build(book: object, name: str, sheet: object) -> None:
        sheet.merge_range("C1:E1", "某区社区基本情况统计表")  # type: ignore[attr-defined]
        sheet.write_row("C3", ["id", "name", "kind"])  # type: ignore[attr-defined]
        sheet.write_row("C4", ["O1", "幸福社区", "urban"])  # type: ignore[attr-defined]
        zeros = book.add_format({"num_format": "0000"})  # type: ignore[attr-defined]
        sheet.write_number("C5", 12, zeros)  # type: ignore[attr-defined]
        sheet.write_row("D5", ["和平社区", "rural"])  # type: ignore[attr-defined]

    _workbook(path, {"社区": []}, build)


@generated("offset_merged.xlsx")
def _offset_merged(path: Path) -> None:
    def build(book: object, name: str, sheet: object) -> None:
        sheet.write_row("C3", ["id", "name", "kind"])  # type: ignore[attr-defined]
        sheet.write_row("C4", ["O2", "幸福社区"])  # type: ignore[attr-defined]
        sheet.write_row("C5", ["O3", "和平社区"])  # type: ignore[attr-defined]
        sheet.merge_range("E4:E5", "urban")  # type: ignore[attr-defined]

    _workbook(path, {"社区": []}, build)


@generated("names_na.xlsx")
def _names_na(path: Path) -> None:
    _workbook(path, {"社区": [["id", "name", "district", "households"], ["NA1", "Nan", "NA", "NA"]]})


def write(name: str, folder: Path) -> Path:
    """Write the generated input ``name`` into ``folder``; its path."""
    path = folder / name
    GENERATORS[name](path)
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name in GENERATORS:
        print(write(name, folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
