"""The report in a real browser: headless Chromium opens it from disk with the network off.

Every chart container must hold a drawn SVG with marks, the console must stay free
of errors, the Chinese labels must be in the DOM, and the page may request nothing
but itself. A screenshot is kept in ``test-artifacts/`` (gitignored) for a person to look at.

Needs Debian's ``chromium`` (and ``fonts-noto-cjk`` for readable Chinese) and the
``playwright`` package; playwright's own browser download is never used. Without
chromium the test is skipped on a developer's machine, and fails in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


def _chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk); CI runs this test")
    return CHROMIUM


def _open(path: Path, screenshot: str) -> dict:
    """Open ``path`` offline; return what the page drew, logged and tried to fetch."""
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
            page = context.new_page()

            def route(route):
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    attempted.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_selector("body[data-charts-done='true']", timeout=60_000)
            charts = page.eval_on_selector_all(
                "div.chart[data-kind]",
                """els => els.map(el => ({
                    kind: el.dataset.kind,
                    rendered: el.dataset.rendered || null,
                    error: el.dataset.error || null,
                    svg: el.querySelectorAll('svg').length + el.querySelectorAll('canvas').length,
                    marks: el.querySelectorAll('g.mark-rect path, g.mark-symbol path, g.mark-line path, '
                        + 'g.mark-rule line, g.mark-text text').length,
                    text: el.textContent,
                }))""",
            )
            body = page.inner_text("body")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        finally:
            browser.close()
    return {
        "charts": charts,
        "body": body,
        "attempted": attempted,
        "console_errors": console_errors,
        "page_errors": page_errors,
    }


def _check_drawn(seen: dict, kinds: set[str]) -> None:
    assert seen["attempted"] == []  # nothing but the file itself was requested
    assert seen["console_errors"] == [] and seen["page_errors"] == []
    assert {chart["kind"] for chart in seen["charts"]} == kinds
    for chart in seen["charts"]:
        assert chart["error"] is None and chart["rendered"] == "true", chart["kind"]
        assert chart["svg"] >= 1 and chart["marks"] > 0, chart["kind"]


def test_report_renders_offline_in_chromium_with_chinese_labels(report_zh):
    seen = _open(report_zh, "report-zh.png")
    _check_drawn(seen, {"scaling", "strictness", "compliance", "failing", "timeline", "responsibilities", "cost"})
    drawn = {chart["kind"]: chart["text"] for chart in seen["charts"]}
    # chart titles, axis and legend labels in Chinese, as SVG text in the DOM
    assert "要求随社区规模的变化" in drawn["scaling"] and "户数" in drawn["scaling"]
    assert "严格程度" in drawn["strictness"] and "未规定" in drawn["strictness"]
    assert "达标" in drawn["compliance"] and "不达标" in drawn["compliance"]
    assert "牵头" in drawn["responsibilities"] or "责任" in drawn["responsibilities"]
    assert "来源与版本" in seen["body"]  # the provenance footer


def test_standards_only_report_renders_in_english(report_en_standards):
    seen = _open(report_en_standards, "report-en-standards.png")
    _check_drawn(seen, {"scaling", "strictness", "timeline", "responsibilities", "sweep"})
    drawn = {chart["kind"]: chart["text"] for chart in seen["charts"]}
    assert "Households" in drawn["scaling"] and "not regulated" in drawn["strictness"]
    assert "Share of communities failing" in drawn["sweep"]
