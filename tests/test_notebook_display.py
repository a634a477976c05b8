"""Notebook display: results render as HTML tables (``_repr_html_``), escaped, Chinese as written, truncated.

What a notebook user relies on: a community named ``<b>`` or ``a & b`` shows
as that text (no markup injected), Chinese is not turned into entities, and a
big result shows its first rows and says how many it leaves out.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from shequ import evaluate, views
from shequ.io import load_communities
from shequ.output import HTML_ROWS, render_html
from shequ.reform import apply_reforms
from shequ.registry import get_registry

AS_OF = dt.date(2024, 1, 1)


def cells(markup: str) -> list[list[str]]:
    """The rows of an HTML table as their cells' texts (unescaped)."""
    return [
        [html.unescape(c) for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", markup)
    ]


def write(tmp_path, names: list[str]):
    path = tmp_path / "c.csv"
    lines = ["id,name,kind,households,service_space_m2"]
    lines += [f"C{i:03d},{name},urban,1000,{500 + i}" for i, name in enumerate(names)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_communities(path)


def test_results_show_escaped_text_and_chinese(tmp_path):
    communities = write(tmp_path, ["<b>bold</b>", "a & b", "幸福社区"])
    markup = evaluate(communities, ["donghai"], AS_OF)._repr_html_()
    assert "<b>bold</b>" not in markup and "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert "幸福社区" in markup  # Chinese as written, not &#...; entities
    rows = cells(markup)
    assert rows[0][:5] == ["id", "name", "district", "kind", "jurisdiction"]
    assert [row[1] for row in rows[1:]] == ["<b>bold</b>", "a & b", "幸福社区"]
    assert "more row" not in markup  # nothing left out
    assert "Results: 3 communities × 1 jurisdictions, as of 2024-01-01" in markup


def test_big_results_are_truncated_with_a_count(tmp_path):
    communities = write(tmp_path, [f"社区{i}" for i in range(50)])
    markup = evaluate(communities, ["donghai", "changchun"], AS_OF)._repr_html_()
    assert len(cells(markup)) == 1 + HTML_ROWS
    assert f"… {100 - HTML_ROWS} more rows not shown (of 100)" in markup


def test_reports_of_the_views_render_too():
    registry = get_registry()
    communities = load_communities("examples/communities.csv")
    cost = views.cost(registry, communities, ["panzhihua"], AS_OF)._repr_html_()
    assert "By jurisdiction" in cost and "攀委发〔2015〕10号" in cost
    reformed = apply_reforms(registry, ["donghai.service_space_floor_600.requirement.value=400"])
    whatif = views.whatif(registry, reformed, communities, as_of=AS_OF)._repr_html_()
    table = cells(whatif)
    assert table[1][:5] == ["donghai", "service_space_floor_600", "changed", "≥ 600 m²", "≥ 400 m²"]


def test_render_html_leaves_out_none_and_escapes_headers():
    markup = render_html([{"a<": None, "b": 1.5}], title="x & y", total=3)
    assert cells(markup) == [["a<", "b"], ["", "1.5"]]
    assert "<strong>x &amp; y</strong>" in markup
    assert "… 2 more rows not shown (of 3)" in markup
