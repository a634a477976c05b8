"""Tables for papers and colleagues: ``-o FILE`` on every listing command, XLSX workbooks and LaTeX tables.

What a user relies on: the workbook holds the same tables the command shows
(read back with openpyxl), each on its own sheet with a frozen header, the
provenance on an "about" sheet, Chinese as written, and no cell that a
spreadsheet runs as a formula; the LaTeX is a booktabs table whose every cell
is escaped and has as many cells as columns, with a caption naming the
documents; a file is written whole or not at all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from shequ.cli import main
from shequ.output import Sheet, cell, write_xlsx

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = ROOT / "examples" / "communities.csv"
AS_OF = "2024-01-01"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """Each Markdown table of a command's output by its title: header and rows as the cells' texts."""
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
            tables[title] = []
        elif line.startswith("| ") and title is not None:
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            tables[title].append([part.strip().replace("\\|", "|") for part in cells])
    return tables


def sheet_cells(worksheet) -> list[list[str]]:
    """A worksheet's cells as the Markdown output writes them (numbers without noise, empty for None)."""
    return [[cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    "command",
    [
        ["compare", SAMPLE_CSV, "--as-of", AS_OF],
        ["standards", "--households", "800", "--households", "1500", "--as-of", AS_OF],
    ],
    ids=["compare", "standards"],
)
def test_xlsx_holds_the_tables_the_command_shows(tmp_path, command):
    target = tmp_path / "out.xlsx"
    written = run(*command, "-o", target)
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert f"wrote {target}" in written.stderr
    shown = markdown_tables(run(*command, "--format", "markdown").stdout)

    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames[-1] == "about"
    about = dict(workbook["about"].iter_rows(min_col=1, max_col=2, values_only=True))
    titles = [about[f"sheet {name}"] for name in workbook.sheetnames[:-1]]
    assert titles == list(shown)  # one sheet per table, in order, the full title on the about sheet
    for name, title in zip(workbook.sheetnames[:-1], titles, strict=True):
        worksheet = workbook[name]
        assert len(name) <= 31
        assert worksheet.freeze_panes == "A2"
        assert sheet_cells(worksheet) == shown[title]
        widths = [worksheet.column_dimensions[letter].width for letter in "ABC"]
        assert all(8 <= width <= 60 for width in widths)
    assert about["command"] == f"shequ {command[0]}"
    assert about["as_of"] == AS_OF
    assert about["shequ"]
    documents = [value for key, value in about.items() if key and key.startswith("document ")]
    assert any(value.startswith("长政办〔2018〕61号") and "sha256 212413b9" in value for value in documents)


def test_xlsx_is_numbers_and_chinese_as_written(tmp_path):
    target = tmp_path / "rules.xlsx"
    assert run("standards", "--households", "1500", "--as-of", AS_OF, "-o", target).exit_code == 0
    worksheet = openpyxl.load_workbook(target).worksheets[0]
    header = [c.value for c in worksheet[1]]
    row = {header[i]: c.value for i, c in enumerate(worksheet[2])}
    assert row["households"] == 1500  # a number stays a number
    assert header[2] == "label"
    assert "社区（村）干部年述职述廉次数" in [c.value for c in worksheet["C"]]  # Chinese as written


def test_xlsx_runs_no_formula(tmp_path):
    dangerous = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "=1+1", "普通文字"]
    target = tmp_path / "f.xlsx"
    write_xlsx(target, [Sheet(rows=[{"text": text, "n": -5} for text in dangerous], title="公式")], None)
    worksheet = openpyxl.load_workbook(target)["公式"]
    values = [c.value for c in worksheet["A"][1:]]
    assert values == dangerous  # kept exactly, no apostrophe added
    for c in worksheet["A"][1:]:
        assert c.data_type == "s"  # text, not formula ("f")
        assert c.quotePrefix == c.value.startswith(("=", "+", "-", "@"))
    assert [c.value for c in worksheet["B"][1:]] == [-5] * len(dangerous)  # a negative number is a number


def test_xlsx_needs_a_file_and_a_failed_command_writes_nothing(tmp_path):
    refused = run("rules", "--format", "xlsx")
    assert refused.exit_code == 2
    assert "add -o FILE.xlsx" in refused.stderr
    target = tmp_path / "bad.xlsx"
    failed = run("compare", ROOT / "tests" / "data" / "many_mistakes.csv", "-o", target)
    assert failed.exit_code == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_output_suffix_says_the_format_unless_format_is_given(tmp_path):
    for suffix, start in ((".json", "{"), (".csv", "jurisdiction,rule,"), (".md", "### Rules"), (".tex", "% shequ")):
        target = tmp_path / f"rules{suffix}"
        result = run("rules", "-j", "donghai", "-o", target)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert target.read_text(encoding="utf-8").startswith(start)
    explicit = tmp_path / "rules.txt"
    assert run("rules", "-j", "donghai", "--format", "csv", "-o", explicit).exit_code == 0
    assert explicit.read_text(encoding="utf-8") == run("rules", "-j", "donghai", "--format", "csv").stdout
    unknown = run("rules", "-o", tmp_path / "rules.docx")
    assert unknown.exit_code == 2
    assert "cannot tell the format from '.docx'" in unknown.stderr
    nowhere = run("rules", "-o", tmp_path / "missing" / "rules.csv")
    assert nowhere.exit_code == 2
    assert "does not exist" in nowhere.stderr


def test_output_is_written_under_fail_on_violation(tmp_path):
    for name in ("verdicts.csv", "verdicts.md"):  # streamed in batches / collected like every listing
        target = tmp_path / name
        result = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--fail-on-violation", "-o", target)
        assert result.exit_code == 1, result.output
        fmt = "csv" if name.endswith(".csv") else "markdown"
        expected = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--format", fmt).stdout
        written = target.read_text(encoding="utf-8")
        if fmt == "csv":  # the same rows; the file is ordered by rule, then community (written rule by rule)
            header, *rows = written.splitlines()
            assert [header, *sorted(rows)] == [expected.splitlines()[0], *sorted(expected.splitlines()[1:])]
        else:
            assert written == expected


# --------------------------------------------------------------------------
# LaTeX

_ESCAPES = re.compile(r"\\textasciitilde\{\}|\\textasciicircum\{\}|\\textbackslash\{\}|\\[&%$#_{}]")
_UNESCAPE = {
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\textbackslash{}": "\\",
    **{f"\\{c}": c for c in "&%$#_{}"},
}


def latex_tables(text: str) -> list[dict]:
    """Each table of a LaTeX output: caption, column spec, and rows split at the unescaped ``&``."""
    tables = []
    for block in re.findall(r"\\begin\{table\}.*?\\end\{table\}", text, flags=re.S):
        lines = block.splitlines()
        assert lines[-2:] == [r"\end{tabular}", r"\end{table}"]
        spec = re.search(r"\\begin\{tabular\}\{([lr]+)\}", block)
        assert spec is not None
        top, mid, bottom = lines.index(r"\toprule"), lines.index(r"\midrule"), lines.index(r"\bottomrule")
        assert top < mid < bottom
        rows = []
        for line in [lines[top + 1], *lines[mid + 1 : bottom]]:
            assert line.endswith(r" \\")
            body = line[: -len(r" \\")]
            cells = re.split(r"(?<!\\)&", body)
            for one in cells:
                bare = _ESCAPES.sub("", one)
                assert not re.search(r"[&%$#_{}~^\\]", bare), f"unescaped special character in {one!r}"
            rows.append([_ESCAPES.sub(lambda m: _UNESCAPE[m.group(0)], one).strip() for one in cells])
        assert all(len(row) == len(spec.group(1)) for row in rows)
        caption = re.search(r"\\caption\{(.*)\}", block)
        tables.append({"caption": caption.group(1) if caption else None, "rows": rows})
    return tables


@pytest.mark.parametrize(
    "command",
    [
        ["compare", SAMPLE_CSV, "--as-of", AS_OF],
        ["standards", "--households", "1500", "--as-of", AS_OF],
    ],
    ids=["compare", "standards"],
)
def test_latex_is_booktabs_escaped_and_holds_the_tables_shown(command):
    result = run(*command, "--format", "latex")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "xeCJK" in text.splitlines()[1]  # the preamble note, as a comment
    assert re.search(r"^% Provenance: shequ .*sha256", text, flags=re.M)
    shown = markdown_tables(run(*command, "--format", "markdown").stdout)
    tables = latex_tables(text)
    assert len(tables) == len(shown)
    for table, (title, rows) in zip(tables, shown.items(), strict=True):
        assert table["caption"].startswith(title.replace("_", r"\_"))
        assert "长政办〔2018〕61号" in table["caption"]  # the caption names the documents
        assert table["rows"] == [[c.replace("\\|", "|") for c in row] for row in rows]


def test_latex_escapes_every_special_character():
    from shequ.output import render_latex

    nasty = r"a&b 100% $5 #1 x_y {z} ~ ^ \end 社区"
    text = render_latex([{"name_x": nasty, "n": 3}], title="50% & more")
    (table,) = latex_tables(text)
    assert table["rows"] == [["name_x", "n"], [nasty, "3"]]
    assert table["caption"] == r"50\% \& more"
    assert r"\begin{tabular}{lr}" in text


@pytest.mark.skipif(
    not (shutil.which("xelatex") or shutil.which("tectonic")), reason="no xelatex or tectonic on this machine"
)
def test_latex_compiles(tmp_path):
    body = run("compare", SAMPLE_CSV, "--as-of", AS_OF, "--format", "latex").stdout
    document = (
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{xeCJK}\n"
        "\\usepackage[landscape,margin=1cm]{geometry}\n\\begin{document}\n\\tiny\n" + body + "\\end{document}\n"
    )
    source = tmp_path / "t.tex"
    source.write_text(document, encoding="utf-8")
    tool = shutil.which("tectonic")
    command = [tool, str(source)] if tool else ["xelatex", "-interaction=nonstopmode", str(source)]
    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert (tmp_path / "t.pdf").exists()


def test_xlsx_reads_back_as_the_json_rows(tmp_path):
    """Where the table and JSON list the same rows (``rules``), the sheet's typed cells equal the JSON values.

    The sheet holds the columns the table shows (a subset of the JSON's)."""
    import datetime as dt
    import json

    target = tmp_path / "rules.xlsx"
    assert run("rules", "-j", "donghai", "-o", target).exit_code == 0
    expected = json.loads(run("rules", "-j", "donghai", "--format", "json").stdout)["rows"]
    worksheet = openpyxl.load_workbook(target).worksheets[0]
    header, *rows = list(worksheet.iter_rows(values_only=True))

    def as_json(value):
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return value

    read = [{name: as_json(value) for name, value in zip(header, row, strict=True)} for row in rows]
    assert len(read) == len(expected) > 10
    for got, want in zip(read, expected, strict=True):
        assert set(got) <= set(want)
        for name in got:
            value = want[name]
            if isinstance(value, list):
                value = "; ".join(value)
            assert got[name] == (value if value != "" else None), name
