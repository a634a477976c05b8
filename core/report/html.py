"""The self-contained HTML page: every script, style and datum inline, nothing fetched.

The Vega, Vega-Lite and vega-embed libraries come from the installed
``vl-convert-python`` (:func:`vl_convert.javascript_bundle`), never from a
CDN; each chart's spec (data inlined) sits in a ``<script
type="application/json">`` beside its container, and one inline script draws
them as SVG. The footer states the provenance of every number
(:mod:`shequ.provenance`). Also writes one chart as SVG, PNG or HTML.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .charts import spec
from .labels import FONT, text

#: The file suffixes ``shequ chart -o`` writes.
CHART_SUFFIXES = (".svg", ".png", ".html")


@functools.cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script that defines ``vegaEmbed`` on ``window`` (built once)."""
    import vl_convert

    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    return _script_safe(vl_convert.javascript_bundle(snippet, vl_version()))


@functools.cache
def vl_version() -> str | None:
    """The Vega-Lite version Altair writes specs for (``6.4``), when vl-convert has it; else vl-convert's latest."""
    import altair
    import vl_convert

    version = ".".join(altair.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vl_convert.get_vegalite_versions() else None


def _script_safe(source: str) -> str:
    """Text that cannot close the ``<script>`` element it is inlined in."""
    return source.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _json(value: Any) -> str:
    return _script_safe(json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":")))


_STYLE = """
body { font-family: %(font)s; margin: 0; color: #222; background: #fafafa; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header h1 { font-size: 24px; margin: 24px 0 4px; }
header p { margin: 2px 0; color: #555; font-size: 13px; }
section.chart-section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px;
  margin: 18px 0; padding: 16px; }
.chart { overflow-x: auto; }
footer { font-size: 12px; color: #444; padding-bottom: 32px; }
footer h2 { font-size: 16px; }
footer table { border-collapse: collapse; width: 100%%; }
footer td, footer th { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
footer th { white-space: nowrap; }
footer code { font-size: 11px; word-break: break-all; }
.vg-tooltip { font-family: %(font)s !important; max-width: 420px; white-space: normal; }
.vg-tooltip td.value { white-space: normal !important; }
"""

_DRAW = """
(function () {
  var pending = [];
  document.querySelectorAll('div.chart[data-kind]').forEach(function (el) {
    var kind = el.getAttribute('data-kind');
    var spec = JSON.parse(document.getElementById('spec-' + kind).textContent);
    pending.push(vegaEmbed(el, spec, {actions: false, renderer: 'svg'}).then(function () {
      el.setAttribute('data-rendered', 'true');
    }).catch(function (error) {
      el.setAttribute('data-error', String(error));
      console.error('chart ' + kind + ': ' + error);
    }));
  });
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts-done', 'true'); });
})();
"""


def _cell(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def provenance_footer(record: Mapping[str, Any], lang: str) -> str:
    """The provenance as an HTML footer: versions, plugins, documents with their hashes, date and command.

    Source addresses are shown as text, never as links: the page loads nothing.
    """
    plugins = ", ".join(f"{p['plugin']} {p['version'] or '?'} ({p['distribution'] or '?'})" for p in record["plugins"])
    lines = [
        f"<h2>{text('provenance', lang)}</h2>",
        "<table>",
        f"<tr><th>{text('shequ_version', lang)}</th><td>{_cell(record['shequ'] or '?')}</td></tr>",
        f"<tr><th>{text('plugins', lang)}</th><td>{_cell(plugins)}</td></tr>",
        f"<tr><th>{text('as_of', lang)}</th><td>{_cell(record['as_of'])}</td></tr>",
        f"<tr><th>{text('command', lang)}</th><td><code>{_cell(record['command'])} "
        f"{_cell(json.dumps(record['arguments'], ensure_ascii=False, default=str))}</code></td></tr>",
        "</table>",
        f"<h3>{text('documents', lang)}</h3>",
        "<table>",
        f"<tr><th>{text('jurisdiction', lang)}</th><th>{text('document', lang)}</th><th>{text('date', lang)}</th>"
        f"<th>{text('source', lang)}</th><th>{text('sha256', lang)}</th></tr>",
    ]
    for document in record["documents"]:
        source = document["source_url"] or ""
        if document.get("accessed"):
            source += f" ({text('accessed', lang)} {document['accessed']})"
        lines.append(
            f"<tr><td>{_cell(document['jurisdiction'])}</td>"
            f"<td>{_cell(document['number'] or '')} {_cell(document['title'])}</td>"
            f"<td>{_cell(document['date'])}</td><td>{_cell(source)}</td>"
            f"<td><code>{_cell(document['sha256'])}</code></td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def report_html(
    charts: Mapping[str, Any],
    lang: str,
    provenance: Mapping[str, Any],
    header: Sequence[str] = (),
) -> str:
    """One self-contained page: a header, each chart in its own section, the provenance footer."""
    sections = []
    specs = []
    for kind, chart in charts.items():
        sections.append(
            f'<section class="chart-section" id="section-{kind}">'
            f'<div class="chart" id="chart-{kind}" data-kind="{kind}"></div></section>'
        )
        specs.append(f'<script type="application/json" id="spec-{kind}">{_json(spec(chart))}</script>')
    head_lines = "\n".join(f"<p>{html.escape(line)}</p>" for line in header)
    title = text("report_title", lang)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE % {"font": FONT}}</style>
<script>{javascript_bundle()}</script>
</head>
<body>
<header><h1>{html.escape(title)}</h1>
{head_lines}
</header>
<main>
{chr(10).join(sections)}
</main>
<footer>
{provenance_footer(provenance, lang)}
</footer>
{chr(10).join(specs)}
<script>{_DRAW}</script>
</body>
</html>
"""


def write_chart(
    chart: Any, path: Path, lang: str, provenance: Mapping[str, Any] | None = None, kind: str = "chart"
) -> None:
    """Write one chart to ``path`` as SVG, PNG (rendered offline by vl-convert) or a self-contained HTML page."""
    import vl_convert

    suffix = path.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"a chart is written as {', '.join(CHART_SUFFIXES)}; got {path.name!r}")
    if suffix == ".html":
        record = provenance or {"shequ": None, "plugins": [], "documents": [], "as_of": None, "command": None}
        page = report_html({kind: chart}, lang, {"arguments": {}, **record})
        data: bytes = page.encode("utf-8")
    elif suffix == ".svg":
        data = vl_convert.vegalite_to_svg(spec(chart), vl_version()).encode("utf-8")
    else:
        data = vl_convert.vegalite_to_png(spec(chart), vl_version(), scale=2)
    path.write_bytes(data)
