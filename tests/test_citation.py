"""How to cite shequ and its documents: CITATION.cff and ``shequ cite`` say the same, in BibTeX and GB/T 7714-2015."""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from pathlib import Path

import attrs
import yaml
from click.testing import CliRunner

from shequ import citation, get_registry
from shequ.cli import main

ROOT = Path(__file__).parents[1]
VERSION = metadata.version("shequ")


def _cite(*args: str) -> str:
    result = CliRunner().invoke(main, ["cite", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_citation_cff_is_cff_1_2_0_and_agrees_with_the_code():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)  # the keys CFF 1.2.0 requires
    assert cff["type"] == "software"
    assert cff["title"] == citation.TITLE
    assert cff["version"] == VERSION  # bump CITATION.cff with pyproject's version
    assert cff["license"] == citation.LICENSE
    assert tuple(author["name"] for author in cff["authors"]) == citation.AUTHORS
    assert cff["abstract"] == citation.ABSTRACT
    assert "repository-code" not in cff  # no URL is known; none is invented


DONGHAI_BIBTEX = f"""% shequ
@software{{shequ,
  author = {{{{The shequ developers}}}},
  title = {{shequ}},
  version = {{{VERSION}}},
  license = {{MIT}},
}}

% donghai: 东海县
@misc{{donghai_dzbf2019_31,
  author = {{{{东海县人民政府办公室}}}},
  title = {{东海县城市社区调整优化实施方案}},
  number = {{东政办发〔2019〕31号}},
  date = {{2019-04-25}},
  year = {{2019}},
  language = {{zh}},
}}
"""

DONGHAI_GBT7714 = f"""GB/T 7714-2015:
[1] The shequ developers. shequ[CP]. Version {VERSION}.
[2] 东海县人民政府办公室. 东海县城市社区调整优化实施方案: 东政办发〔2019〕31号[Z]. 2019-04-25.
"""


def test_cite_donghai_in_bibtex():
    assert _cite("-j", "donghai", "--style", "bibtex") == DONGHAI_BIBTEX


def test_cite_donghai_in_gbt7714():
    assert _cite("-j", "donghai", "--style", "gbt7714") == DONGHAI_GBT7714


def test_cite_gives_both_styles_by_default():
    assert _cite("-j", "donghai") == DONGHAI_BIBTEX + "\n" + DONGHAI_GBT7714


def test_cite_without_jurisdictions_cites_every_document_once():
    text = _cite("--style", "gbt7714")
    registry = get_registry()
    documents = [document for loaded in registry.select() for document in loaded.standard.documents]
    assert len(text.splitlines()) == 1 + 1 + len(documents)  # heading, the tool, each document
    assert all(document.title in text for document in documents)


def test_cite_an_unknown_jurisdiction_is_bad_input():
    result = CliRunner().invoke(main, ["cite", "-j", "donghia"])
    assert result.exit_code == 2
    assert "unknown jurisdiction 'donghia'" in result.stderr


def test_a_document_read_online_is_cited_with_its_url_and_access_date():
    loaded = get_registry().get("donghai")
    document = attrs.evolve(
        loaded.standard.documents[0], source_url="http://example.org/doc", accessed=dt.date(2024, 5, 1)
    )
    assert citation.document_gbt7714(loaded, document) == (
        "东海县人民政府办公室. 东海县城市社区调整优化实施方案: 东政办发〔2019〕31号[EB/OL]. "
        "(2019-04-25)[2024-05-01]. http://example.org/doc."
    )
    entry = citation.document_bibtex(loaded, document)
    assert "  url = {http://example.org/doc},\n  urldate = {2024-05-01}," in entry


def test_bibtex_escapes_what_tex_reads_as_commands():
    loaded = get_registry().get("donghai")
    document = attrs.evolve(loaded.standard.documents[0], title="A & B_C 50%")
    assert "  title = {A \\& B\\_C 50\\%}," in citation.document_bibtex(loaded, document)
