"""``shequ report`` and ``shequ chart``: a self-contained page, every chart kind one by one, bad input refused whole."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main

from .conftest import AS_OF, SAMPLE_CSV

DATA_KINDS = {"compliance", "failing", "cost"}
STANDARDS_KINDS = {"scaling", "strictness", "timeline", "responsibilities"}


class _Page(HTMLParser):
    """The tags, attributes, scripts and styles of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._text = (tag, dict(attrs)), []

    def handle_data(self, data):
        if self._in is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._in is not None and tag == self._in[0]:
            body = "".join(self._text)
            if tag == "script":
                self.scripts.append((self._in[1], body))
            else:
                self.styles.append(body)
            self._in = None


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _specs(page: _Page) -> dict[str, dict]:
    return {
        str(attrs["id"]).removeprefix("spec-"): json.loads(body)
        for attrs, body in page.scripts
        if attrs.get("type") == "application/json"
    }


def test_report_is_one_self_contained_file_that_references_nothing_outside(report_zh):
    page = _page(report_zh)
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        for name, value in attrs.items():
            assert name not in ("src", "href") and not re.search(r"https?:|//", value or ""), (tag, name, value)
    assert all("url(" not in style and "@import" not in style for style in page.styles)
    library, *rest = page.scripts
    assert "vegaEmbed" in library[1] and not library[0]  # the chart libraries, inlined (no src)
    for _attrs, body in rest:  # the specs (data inlined) and the drawing script name no address at all
        assert "http" not in body
    # the only addresses are text in the footer (the documents' sources) and string constants in the libraries
    # (XML namespaces, documentation links in error messages), none of which the page loads: the browser test
    # checks that nothing is requested
    html = report_zh.read_text(encoding="utf-8")
    outside_library = html.replace(library[1], "")
    footer = outside_library[outside_library.index("<footer>") : outside_library.index("</footer>")]
    assert len(re.findall(r"https?://", outside_library)) == len(re.findall(r"https?://", footer))


def test_report_with_data_has_every_chart_in_chinese_and_the_provenance(report_zh):
    from shequ.provenance import document_records
    from shequ.registry import get_registry

    page = _page(report_zh)
    specs = _specs(page)
    assert set(specs) == STANDARDS_KINDS | DATA_KINDS
    drawn = [attrs["data-kind"] for tag, attrs in page.tags if tag == "div" and "data-kind" in attrs]
    assert drawn == ["scaling", "strictness", "compliance", "failing", "timeline", "responsibilities", "cost"]
    text = json.dumps(specs, ensure_ascii=False)
    assert "严格程度：概念 × 地区" in text and "东海县" in text and "不达标" in text
    html = report_zh.read_text(encoding="utf-8")
    assert "\\u" not in html.replace(page.scripts[0][1], "")  # Chinese stays readable
    assert "来源与版本" in html and f"评估日期: {AS_OF}" in html and "30 个社区" in html
    for loaded in get_registry().standards.values():
        for record in document_records(loaded):
            assert record["sha256"] and record["sha256"] in html  # each document's text hash in the footer


def test_standards_only_report_leaves_out_what_needs_data(report_en_standards):
    specs = _specs(_page(report_en_standards))
    assert set(specs) == STANDARDS_KINDS | {"sweep"}  # the sweep from --sweep-frame; nothing that needs data
    text = report_en_standards.read_text(encoding="utf-8")
    assert "No community data given" in text and "Provenance" in text
    assert "Strictness: concepts × jurisdictions" in json.dumps(specs, ensure_ascii=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-j", "nowhere"], "nowhere"),
        (["--lang", "fr"], "fr"),
        (["--strength", "strong"], "strong"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "-o", str(out), *args])
    assert result.exit_code == 2 and message in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_data_exits_2_with_every_problem_and_writes_nothing(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("id,households,kind\nA,-5,urban\nB,abc,urban\n", encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    result = CliRunner().invoke(main, ["report", str(data), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "row" in result.output and "households" in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("kind", sorted(STANDARDS_KINDS))
def test_each_standards_chart_alone_as_svg(tmp_path, kind):
    out = tmp_path / f"{kind}.svg"
    result = CliRunner().invoke(main, ["chart", kind, "-o", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<path" in svg
    assert re.search(r"[\u4e00-\u9fff]", svg)  # Chinese labels, as text


@pytest.mark.parametrize("kind", sorted(DATA_KINDS))
def test_each_data_chart_alone_as_png_and_html(tmp_path, kind):
    png = tmp_path / f"{kind}.png"
    result = CliRunner().invoke(main, ["chart", kind, str(SAMPLE_CSV), "-o", str(png), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    page = tmp_path / f"{kind}.html"
    result = CliRunner().invoke(main, ["chart", kind, str(SAMPLE_CSV), "-o", str(page), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert set(_specs(_page(page))) == {kind}


def test_data_chart_without_data_and_a_bad_suffix_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["chart", "compliance", "-o", str(tmp_path / "c.svg")])
    assert result.exit_code == 2 and "needs community data" in result.output
    result = CliRunner().invoke(main, ["chart", "strictness", "-o", str(tmp_path / "c.pdf")])
    assert result.exit_code == 2 and ".svg, .png, .html" in result.output
    assert list(tmp_path.iterdir()) == []


def test_sweep_chart_draws_a_sweep_csv_and_names_its_missing_columns(tmp_path):
    frame = tmp_path / "sweep.csv"
    frame.write_text(
        "value,communities_failing,share_failing,cost_yearly_yuan,cost_one_off_yuan\n"
        "300,2,0.0667,1000,0\n600,13,0.4333,,0\n900,25,0.8333,3000,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep.svg"
    args = ["chart", "sweep", "--frame", str(frame), "--sweep-label", "donghai.service_space_floor_600.value"]
    result = CliRunner().invoke(main, [*args, "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert "Share of communities failing" in svg and "donghai.service_space_floor_600.value" in svg
    bad = tmp_path / "bad.csv"
    bad.write_text("value,share_failing\n1,0.5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["chart", "sweep", "--frame", str(bad), "-o", str(tmp_path / "b.svg")])
    assert result.exit_code == 2
    for column in ("communities_failing", "cost_yearly_yuan", "cost_one_off_yuan"):
        assert column in result.output
    assert not (tmp_path / "b.svg").exists()
    page = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "-o", str(page), "--sweep-frame", str(frame), "-j", "donghai"])
    assert result.exit_code == 0, result.output
    assert set(_specs(_page(page))) == STANDARDS_KINDS | {"sweep"}


def test_the_cli_offers_every_chart_kind_without_loading_altair():
    import subprocess
    import sys

    from shequ.cli.report import CHART_KINDS as OFFERED
    from shequ.report.charts import CHART_KINDS

    assert OFFERED == CHART_KINDS
    code = "import sys; from shequ.cli import main; print('altair' in sys.modules, 'polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]  # `shequ --help` stays instant


def test_report_sweep_computes_the_whatif_on_the_data_and_draws_it(tmp_path):
    page = tmp_path / "r.html"
    spec = "donghai.service_space_floor_600.requirement.value=300:800:250"
    args = ["report", str(SAMPLE_CSV), "-o", str(page), "-j", "donghai", "--as-of", str(AS_OF), "--lang", "en"]
    result = CliRunner().invoke(main, [*args, "--sweep", spec])
    assert result.exit_code == 0, result.output
    specs = _specs(_page(page))
    assert set(specs) == STANDARDS_KINDS | DATA_KINDS | {"sweep"}
    drawn = json.dumps(specs["sweep"], ensure_ascii=False)
    # the swept path names the x axis; one point per value: 300, 550, 800
    assert "donghai.service_space_floor_600.requirement.value" in drawn
    for value in (300, 550, 800):
        assert f'"value": {value}' in drawn or f'"value": {value}.0' in drawn
    # without DATA, or with a saved frame as well, --sweep is refused and nothing is written
    for bad in (
        ["report", "-o", str(tmp_path / "a.html"), "--sweep", spec],
        [*args, "--sweep", spec, "--sweep-frame", str(SAMPLE_CSV)],
    ):
        result = CliRunner().invoke(main, bad)
        assert result.exit_code == 2, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
