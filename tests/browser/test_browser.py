"""The book as a reader sees it: every page of the table of contents in Chromium.

For each page: it loads with no console error, no failed request and no request
to any host but 127.0.0.1 (so it reads offline); its math is typeset by the
MathJax the site serves itself; every image has loaded and every image of the
content has alt text; headings go down one level at a time; every internal
link (and its #fragment) resolves; a notebook page offers its ``.ipynb`` for
download, and the download is the committed notebook; every softmax explorer
shows the package's numbers. A screenshot of each page is saved.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag

import numpy as np
import pytest
from book_sources import toc_documents
from explorer_numbers import assert_matches_package

ROOT = Path(__file__).resolve().parents[2]
CI = bool(os.environ.get("CI"))
EXPLORER_CHAPTER = "book/03_softmax"


PAGES = toc_documents()  # in reading order, root first

# Runs in the page after it has loaded and MathJax has finished: everything the
# checks need, in one round trip.
INSPECT_PAGE = r"""
async () => {
  const main = document.querySelector("article.bd-article") || document.querySelector("main");
  if (!main) return { hasMain: false };
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  const rawTex = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, code, script, style, textarea, mjx-container")) continue;
    if (/\$\$|\\\(|\\\)|\\\[|\\\]/.test(node.textContent)) rawTex.push(node.textContent.trim().slice(0, 80));
  }
  const links = Array.from(document.querySelectorAll(
    "a[href], link[href][rel=next], link[href][rel=prev], link[href][rel=index], link[href][rel=search]"
  )).map((a) => a.href);
  return {
    hasMain: Boolean(main),
    images: images.map((img) => ({
      src: img.currentSrc || img.src, naturalWidth: img.naturalWidth,
      alt: img.getAttribute("alt"), inMain: main.contains(img),
    })),
    headings: Array.from(main.querySelectorAll("h1, h2, h3, h4, h5, h6")).map((h) => ({
      level: Number(h.tagName[1]), text: h.textContent.replace(/#$/, "").trim(),
    })),
    math: Array.from(main.querySelectorAll(".math")).map((m) => ({
      typeset: Boolean(m.querySelector("mjx-container")), tex: m.textContent.slice(0, 80),
    })),
    mathErrors: main.querySelectorAll("mjx-merror").length,
    // An undefined macro is no error for MathJax: it prints its name in red.
    undefinedMacros: main.querySelectorAll("mjx-mtext[style*='color: red']").length,
    rawTex: rawTex,
    links: links,
    explorers: Array.from(document.querySelectorAll("div.softmax-explorer")).map(readExplorer),
  };
  function readExplorer(root) {
    const values = (selector) => Array.from(root.querySelectorAll(selector)).map((td) => Number(td.dataset.value));
    const chart = root.querySelector("svg.sme-chart");
    return {
      ready: root.classList.contains("softmax-explorer--ready"),
      logits: (root.dataset.currentLogits || "").split(",").map(Number),
      temperature: Number(root.dataset.currentTemperature),
      probabilities: values("tbody td.sme-prob"),
      logProbabilities: values("tbody td.sme-logprob"),
      logSumExp: Number((root.querySelector("td.sme-lse") || {dataset: {}}).dataset.value),
      bars: chart ? chart.querySelectorAll("rect.sme-bar").length : 0,
      chartLabel: chart && chart.getAttribute("role") === "img" ? chart.textContent.trim() : "",
    };
  }
}
"""


class PageProblems:
    """Console errors, page errors, failed and external requests of one page."""

    def __init__(self, page, base_url: str):
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.external_requests: list[str] = []
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base_url):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def _request_failed(self, request):
        if request.url.startswith(self.base_url):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def assert_none(self):
        assert self.external_requests == [], "requests to hosts other than 127.0.0.1"
        assert self.console_errors == [], "console errors"
        assert self.failed_requests == [], "failed requests"


@pytest.fixture(scope="session")
def fetch(base_url):
    """GET a URL of the local site (cached): (status, bytes)."""
    cache: dict[str, tuple[int, bytes]] = {}

    def get(url: str) -> tuple[int, bytes]:
        assert url.startswith(base_url), url
        if url not in cache:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local)
                    cache[url] = (response.status, response.read())
            except urllib.error.HTTPError as error:
                cache[url] = (error.code, b"")
        return cache[url]

    return get


def anchors_of(html: bytes) -> set[str]:
    return set(re.findall(r'\s(?:id|name)="([^"]+)"', html.decode("utf-8", "replace")))


@pytest.fixture
def reader_page(browser, base_url):
    """A fresh page (new profile) whose problems are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = PageProblems(page, base_url)
    yield page, problems
    context.close()


def open_book_page(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, f"{url}: not served"
    if page.locator("script[src*='mathjax']").count():
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000
        )
        page.evaluate("() => MathJax.startup.promise.then(() => true)")


def check_explorer_numbers(explorer: dict) -> None:
    """An explorer's table equals the package's softmax, log-softmax and log-sum-exp."""
    assert_matches_package(explorer, explorer["logits"], explorer["temperature"])


def test_table_of_contents_lists_the_reference_pages():
    for page in ("book/glossary", "book/notation", "book/bibliography"):
        assert page in PAGES
    assert PAGES.index("book/glossary") < PAGES.index("book/bibliography")
    for page in PAGES:
        assert any((ROOT / f"{page}{suffix}").is_file() for suffix in (".md", ".ipynb")), page


@pytest.mark.parametrize("doc", PAGES)
def test_page_reads_well_offline(
    doc, reader_page, base_url, site_dir, fetch, screenshot_dir, report
):
    page, problems = reader_page
    url = f"{base_url}{doc}.html"
    open_book_page(page, url)
    facts = page.evaluate(INSPECT_PAGE)
    page.screenshot(path=str(screenshot_dir / f"{Path(doc).name}.png"), full_page=True)

    problems.assert_none()
    assert facts["hasMain"], "no article element"

    # Math: every math element holds MathJax output, no error, no raw delimiters.
    untypeset = [m["tex"] for m in facts["math"] if not m["typeset"]]
    assert untypeset == [], "math not typeset"
    assert facts["mathErrors"] == 0, "MathJax reported TeX errors"
    assert facts["undefinedMacros"] == 0, "TeX macros that MathJax does not know (in red)"
    assert facts["rawTex"] == [], "raw TeX delimiters left in the text"

    # Images: all loaded; those of the content have alt text.
    broken = [img["src"] for img in facts["images"] if img["naturalWidth"] == 0]
    assert broken == [], "images that did not load"
    no_alt = [
        img["src"] for img in facts["images"] if img["inMain"] and not (img["alt"] or "").strip()
    ]
    assert no_alt == [], "images without alt text"

    # Headings: one h1 first, then never more than one level deeper at a time.
    levels = [h["level"] for h in facts["headings"]]
    assert levels and levels[0] == 1 and levels.count(1) == 1, facts["headings"]
    jumps = [
        (before["text"], after["text"])
        for before, after in zip(facts["headings"], facts["headings"][1:], strict=False)
        if after["level"] > before["level"] + 1
    ]
    assert jumps == [], "headings that skip a level"
    assert all(h["text"] for h in facts["headings"]), "empty heading"

    # Internal links: the file exists, and so does the #fragment.
    internal = sorted({href for href in facts["links"] if href.startswith(base_url)})
    unresolved = []
    for href in internal:
        target, fragment = urldefrag(href)
        status, body = fetch(target)
        if status != 200 and target.endswith(".pdf") and not CI:
            # No PDF in the site: `make pdf` puts it there, and `make test` skips it
            # without TeX Live (not under CI). Said at the end of the run.
            report.unchecked_pdf_links.add(href.removeprefix(base_url))
        elif status != 200 and target.endswith(".pdf"):
            unresolved.append(f"{href} (HTTP {status}: `make pdf` puts the PDF in the site)")
        elif status != 200:
            unresolved.append(f"{href} (HTTP {status})")
        elif fragment and target.endswith(".html") and unquote(fragment) not in anchors_of(body):
            unresolved.append(f"{href} (no #{fragment})")
    assert unresolved == [], "internal links that do not resolve"

    # A notebook page offers its .ipynb, and the download is the committed notebook.
    notebook = ROOT / f"{doc}.ipynb"
    if notebook.is_file():
        page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
        download = page.locator(".dropdown-download-buttons a.btn-download-source-button")
        download.wait_for(state="visible")
        href = download.evaluate("a => a.href")
        assert href.endswith(f"{doc}.ipynb"), href
        status, body = fetch(href)
        assert status == 200
        assert json.loads(body)["nbformat"] == 4
        assert body == notebook.read_bytes()
        report.downloads += 1

    # Every softmax explorer on the page shows the package's numbers.
    for explorer in facts["explorers"]:
        assert explorer["ready"], "explorer not rendered"
        assert explorer["bars"] == len(explorer["logits"])
        assert explorer["chartLabel"].startswith("Bar chart of the probabilities")
        check_explorer_numbers(explorer)
        report.explorers += 1

    report.pages.append(doc)
    report.links += len(internal)
    report.images += len(facts["images"])
    report.math += len(facts["math"])


def test_search_works_offline(reader_page, base_url):
    page, problems = reader_page
    page.goto(f"{base_url}search.html?q=softmax", wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(state="attached", timeout=30_000)
    assert results.count() >= 3
    problems.assert_none()


def test_glossary_terms_are_linked_from_chapter_1(reader_page, base_url):
    page, problems = reader_page
    open_book_page(page, f"{base_url}book/01_logits.html")
    terms = page.locator("article a.reference.internal[href*='glossary.html#term-']")
    targets = {href.split("#")[1] for href in terms.evaluate_all("links => links.map(a => a.href)")}
    assert {"term-logit", "term-softmax", "term-sigmoid"} <= targets
    problems.assert_none()


def test_explorer_in_chapter_3(reader_page, base_url, screenshot_dir, report):
    """Moving the explorer's controls changes its numbers, which stay the package's."""
    if EXPLORER_CHAPTER not in PAGES:
        pytest.skip(f"{EXPLORER_CHAPTER} is not in _toc.yml yet: the explorer is tested there")
    page, problems = reader_page
    open_book_page(page, f"{base_url}{EXPLORER_CHAPTER}.html")
    explorer = page.locator("div.softmax-explorer").first
    explorer.wait_for(state="visible")
    section_title = explorer.evaluate(
        "e => e.closest('section').querySelector('h1, h2, h3, h4').textContent"
    )
    assert "temperature" in section_title.lower(), section_title

    def state():
        return explorer.evaluate(
            """root => ({
              logits: root.dataset.currentLogits.split(",").map(Number),
              temperature: Number(root.dataset.currentTemperature),
              shown: root.querySelector(".sme-temperature-value").textContent,
              probabilities: Array.from(root.querySelectorAll("tbody td.sme-prob")).map(td => Number(td.dataset.value)),
              logProbabilities: Array.from(root.querySelectorAll("tbody td.sme-logprob")).map(td => Number(td.dataset.value)),
              logSumExp: Number(root.querySelector("td.sme-lse").dataset.value),
              bars: Array.from(root.querySelectorAll("rect.sme-bar")).map(r => Number(r.getAttribute("height"))),
            })"""
        )

    initial = state()
    check_explorer_numbers(initial)
    explorer.scroll_into_view_if_needed()

    # Keyboard: the temperature slider, 30 steps of 0.01 in log10(T) to the left.
    slider = explorer.locator("input.sme-temperature-slider")
    slider.focus()
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    colder = state()
    assert colder["temperature"] < initial["temperature"]
    assert colder["shown"] == f"T = {colder['temperature']:g}"
    assert max(colder["probabilities"]) > max(initial["probabilities"])  # sharper
    check_explorer_numbers(colder)

    # Mouse: click near the right end of the slider, a high temperature.
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 0.95 * box["width"], box["y"] + box["height"] / 2)
    hotter = state()
    assert hotter["temperature"] > 5
    assert max(hotter["probabilities"]) < max(initial["probabilities"])  # flatter
    check_explorer_numbers(hotter)

    # Typing a logit: class 2 becomes the largest.
    explorer.locator("input.sme-logit-input").nth(1).fill("12.5")
    typed = state()
    assert typed["logits"][1] == 12.5
    assert int(np.argmax(typed["probabilities"])) == 1
    check_explorer_numbers(typed)
    # The bars are drawn to scale.
    bars = np.array(typed["bars"])
    np.testing.assert_allclose(
        bars / bars.max(), np.array(typed["probabilities"]) / max(typed["probabilities"]), rtol=1e-9
    )
    explorer.screenshot(path=str(screenshot_dir / "explorer.png"))

    explorer.locator("button.sme-reset").click()
    assert state()["probabilities"] == initial["probabilities"]
    problems.assert_none()
    report.explorers += 1


# MathJax typesets a formula as the book's pages do; then, for each double-struck
# character it drew from a system font (MathJax's own fonts have no double-struck
# digits), whether a font of this browser has that glyph: its pixels differ from
# those of a code point no font has.
TYPESET = r"""
async (tex) => {
  const node = await MathJax.tex2chtmlPromise(tex, { display: false });
  document.querySelector("article.bd-article").appendChild(node);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const context = canvas.getContext("2d");
  const pixels = (text, font) => {
    context.clearRect(0, 0, 64, 64);
    context.font = font;
    context.fillText(text, 8, 48);
    return Array.from(context.getImageData(0, 0, 64, 64).data).join();
  };
  return {
    errors: node.querySelectorAll("mjx-merror").length,
    undefinedMacros: node.querySelectorAll("mjx-mtext[style*='color: red']").length,
    mathml: MathJax.tex2mml(tex),
    drawn: Array.from(node.querySelectorAll("mjx-utext")).map((u) => {
      const font = "32px " + getComputedStyle(u).fontFamily;
      return { text: u.textContent, hasGlyph: pixels(u.textContent, font) !== pixels("\u{10FFFD}", font) };
    }),
  };
}
"""


def test_the_indicator_symbol_is_typeset(reader_page, base_url):
    r"""\mathbbm{1} (bbm's indicator, a macro of the book's MathJax configuration) is
    the double-struck one, U+1D7D9, drawn with a glyph, with no MathJax error."""
    page, problems = reader_page
    open_book_page(page, f"{base_url}{PAGES[0]}.html")
    result = page.evaluate(TYPESET, r"\mathbbm{1}[y = k] + \mathbbm{R}")
    assert result["errors"] == 0 and result["undefinedMacros"] == 0, result["mathml"]
    assert '<mn mathvariant="double-struck">1</mn>' in result["mathml"]
    assert '<mi mathvariant="double-struck">R</mi>' in result["mathml"]
    assert result["drawn"] == [{"text": "\U0001d7d9", "hasGlyph": True}], (
        f"{result['drawn']}: no font here has U+1D7D9 (Debian's fonts-dejavu-core has, and "
        "Chromium brings it through fontconfig)"
    )
    problems.assert_none()
