"""Writes the plugin, overlay and option inputs of the bad-input corpus (issue 11): `python generate.py`.

Most inputs are small text files kept as written here; the ones that must hold bytes that are not
UTF-8 (GBK) or thousands of nesting levels are why this is a script. Run it again after changing
it and commit what it writes; ``tests/test_plugin_corpus.py`` checks that the files are up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent

DOCUMENT = "一、社区规模\n每个社区以1000至2000户为宜。\n二、服务设施\n社区综合服务设施面积不低于300平方米。\n"

HEADER = """[jurisdiction]
id = "{id}"
name = "试验县"
name_en = "Test County"
level = "county"

[[documents]]
id = "doc"
title = "试验文件"
date = 2018-08-22
{text}
"""

SIZE_RULE = """
[[rules]]
id = "size"
title = "社区规模"
metric = "households"
requirement = {requirement}
strength = "guidance"
source = {{ clause = "一", quote = "每个社区以1000至2000户为宜" }}
"""

SPACE_RULE = """
[[rules]]
id = "{id}"
title = "服务设施面积"
metric = "service_space_m2"
requirement = {requirement}
strength = "mandatory"
source = {{ clause = "二", quote = "{quote}" }}
"""

RANGE = '{ form = "range", min = 1000, max = 2000 }'
SPACE_QUOTE = "社区综合服务设施面积不低于300平方米"


def plugin(
    name: str,
    *,
    size: str = RANGE,
    space: str = '{ form = "min", value = 300 }',
    extra: str = "",
    document: bytes | None = DOCUMENT.encode(),
    toml_encoding: str = "utf-8",
    space_quote: str = SPACE_QUOTE,
) -> dict[str, bytes]:
    """The files of one plugin folder: ``<name>.toml`` and (unless None) ``document.txt``."""
    text = HEADER.format(id=name, text='text = "document.txt"')
    text += SIZE_RULE.format(requirement=size)
    text += SPACE_RULE.format(id="space", requirement=space, quote=space_quote)
    text += extra
    files = {f"{name}/{name}.toml": text.encode(toml_encoding)}
    if document is not None:
        files[f"{name}/document.txt"] = document
    return files


def deep_any_of(levels: int) -> str:
    requirement = '{ form = "min", value = 300 }'
    for _ in range(levels):
        requirement = f'{{ form = "any_of", options = [{requirement}, {{ form = "min", value = 300 }}] }}'
    return requirement


def files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    out |= plugin("good")  # the control: validates cleanly
    out |= plugin("nan_floor", space='{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = nan }')
    out |= plugin("inf_value", space='{ form = "min", value = inf }')
    out |= plugin("deep_any_of", space=deep_any_of(3000))
    out |= plugin("deep_limit", space=deep_any_of(60))
    out |= plugin("gbk_toml", toml_encoding="gb18030")
    out |= plugin("gbk_document", document=DOCUMENT.encode("gb18030"))
    out |= plugin("missing_document", document=None)
    out |= plugin("key_typo", space='{ form = "min", valeu = 300 }')
    out |= plugin("form_expected", space='{ form = "conditional", when = { metric = "households", min = 1 } }')
    out |= plugin("misquoted", space_quote="社区综合服务设施面积不低于500平方米")
    # rule 2 ('size' again) breaks the schema too: its duplicate id must still be reported
    duplicate = SPACE_RULE.format(id="size", requirement='{ form = "min", value = "300" }', quote=SPACE_QUOTE)
    out |= plugin("schema_and_duplicate", extra=duplicate)
    out["overlay_gbk.toml"] = '[donghai.rules.service_space_per_100_households]\ntitle = "东海"\n'.encode("gb18030")
    out["overlay_nan.toml"] = b"[donghai.rules.service_space_per_100_households.requirement]\nfloor = nan\n"
    out["overlay_inf.toml"] = b"[donghai.rules.service_space_per_100_households.requirement]\nrate = inf\n"
    out["overlay_deep.toml"] = (
        f"[donghai.rules.service_space_per_100_households]\nrequirement = {deep_any_of(500)}\n".encode()
    )
    out["communities.csv"] = (
        "id,name,kind,district,households,service_space_m2\n"
        "C01,幸福社区,urban,牛山街道,1800,650\n"
        "C02,和平社区,urban,石榴街道,2400,500\n"
    ).encode()
    return out


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for name, data in files().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if stale:
        print("out of date: " + ", ".join(stale) + " (run generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
