"""Accessibility: axe-core on every page of the book, in the light and the dark theme.

axe-core (the engine of the browsers' accessibility audits, shipped inside the
pinned ``axe-playwright-python``) runs in Chromium on each page of the table of
contents, once per colour theme, with all of its rules. A serious or critical
violation fails the test, naming the rule, the elements and axe's help page; the
minor and moderate ones are counted. Every result, by page, theme and impact, is
written to ``_build/accessibility/axe.json`` and summed up at the end of the run.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from test_browser import PAGES, PageProblems, open_book_page

THEMES = ("light", "dark")
IMPACTS = ("minor", "moderate", "serious", "critical")
FAILING = {"serious", "critical"}

# The theme's switch keeps the reader's choice in localStorage ("mode"): set it
# before the page's own scripts run, as a returning reader's browser would.
CHOOSE_THEME = (
    "mode => { localStorage.setItem('mode', mode); localStorage.setItem('theme', mode); }"
)


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module")
def results(site_dir, report):
    """Every page's violations, written to _build/accessibility/axe.json at the end."""
    found: dict[str, dict[str, dict]] = {}
    yield found
    if found:
        folder = site_dir.parent / "accessibility"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "axe.json"
        path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        report.axe_results = path


def violations_by_impact(violations: list[dict]) -> dict[str, int]:
    """Elements in violation, by impact (one rule on three elements counts three)."""
    counts = Counter({impact: 0 for impact in IMPACTS})
    for violation in violations:
        counts[violation["impact"] or "minor"] += len(violation["nodes"])
    return dict(counts)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("doc", PAGES)
def test_page_has_no_serious_accessibility_violation(
    doc, theme, browser, base_url, axe, results, report
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=theme, reduced_motion="reduce"
    )
    try:
        page = context.new_page()
        problems = PageProblems(page, base_url)
        page.add_init_script(f"({CHOOSE_THEME})({json.dumps(theme)})")
        open_book_page(page, f"{base_url}{doc}.html")
        assert page.evaluate("() => document.documentElement.dataset.theme") == theme
        problems.assert_none()
        # (axe fetches the stylesheets itself, and resolves an @import of the theme's
        # CSS against the site's root: a 404 then that is axe's, not the book's.)
        outcome = axe.run(page).response
    finally:
        context.close()

    violations = outcome["violations"]
    report.axe_version = outcome["testEngine"]["version"]
    results.setdefault(doc, {})[theme] = {
        "by_impact": violations_by_impact(violations),
        "rules": sorted(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations),
    }
    report.axe_pages += 1
    report.axe_impacts.update(violations_by_impact(violations))

    failing = [
        f"{v['id']} ({v['impact']}): {v['help']} ({v['helpUrl']}) on "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        + (f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
        for v in violations
        if v["impact"] in FAILING
    ]
    assert failing == [], f"{doc} ({theme} theme): serious or critical violations"
