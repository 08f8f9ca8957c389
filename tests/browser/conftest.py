"""Fixtures for the browser tests: the built book, a local web server, and Chromium.

The tests read the book as a learner does: Debian's headless Chromium, driven by
Playwright for Python, loads every page of the table of contents from a web
server on 127.0.0.1. Every request to any other host is aborted and recorded,
so a page that passes needs no network.

* The book is read from ``_build/html`` (``make test`` builds it just before,
  in ``build-check``). If it is missing, or older than a source file, it is
  built here. ``BOOK_HTML=/path/to/_build/html`` tests another build as it is.
* Chromium is ``/usr/bin/chromium`` (``CHROMIUM`` overrides it). Without it
  every browser test is skipped, with the package to install; under CI (the
  ``CI`` environment variable is set, as ``.ci/run`` does) a missing Chromium
  fails the run instead, so CI cannot pass without reading the book.
  Playwright's own browser downloads are never used.
* A full-page screenshot of every page is saved in ``_build/screenshots/``
  (beside the ``html`` folder).
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import (
    CHROMIUM,
    CHROMIUM_REQUIRED,
    launch_chromium,
    missing_chromium,
    skip_without_chromium,
)

ROOT = Path(__file__).resolve().parents[2]
#: What a missing Chromium skips (or, under CI, fails).
TESTS = "the browser tests"
SKIP_REASON = missing_chromium(TESTS)
#: Sources whose change makes a build stale.
SOURCE_GLOBS = ["book/**/*", "_config.yml", "_toc.yml"]


@dataclass
class BrowserReport:
    """What the browser tests checked, for the summary line at the end of the run."""

    pages: list[str] = field(default_factory=list)
    links: int = 0
    images: int = 0
    math: int = 0
    downloads: int = 0
    explorers: int = 0
    browser_version: str = ""
    screenshots: Path | None = None
    unchecked_pdf_links: set[str] = field(default_factory=set)
    axe_version: str = ""
    axe_pages: int = 0
    axe_impacts: Counter = field(default_factory=Counter)
    axe_results: Path | None = None


_REPORT = BrowserReport()


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip_without_chromium([item for item in items if here in Path(item.path).parents], TESTS)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not CHROMIUM.exists():
        if not CHROMIUM_REQUIRED:
            terminalreporter.write_line(f"browser tests skipped: {SKIP_REASON}")
        return
    if _REPORT.pages or _REPORT.explorers:
        terminalreporter.write_line(
            f"browser: {len(_REPORT.pages)} pages checked in {_REPORT.browser_version} "
            f"({_REPORT.math} math elements typeset, {_REPORT.images} images, "
            f"{_REPORT.links} internal links, {_REPORT.downloads} notebook downloads, "
            f"{_REPORT.explorers} explorer checks; no request left 127.0.0.1)"
        )
    if _REPORT.unchecked_pdf_links:
        terminalreporter.write_line(
            f"browser: links to the PDF edition not checked, no PDF in the site (make pdf): "
            f"{', '.join(sorted(_REPORT.unchecked_pdf_links))}"
        )
    if _REPORT.screenshots is not None:
        terminalreporter.write_line(f"browser: screenshots in {_REPORT.screenshots}")
    if _REPORT.axe_pages:
        impacts = ", ".join(
            f"{impact} {_REPORT.axe_impacts[impact]}"
            for impact in ("critical", "serious", "moderate", "minor")
        )
        terminalreporter.write_line(
            f"browser: axe-core {_REPORT.axe_version} on {_REPORT.axe_pages} page views "
            f"(every page, light and dark theme): elements in violation by impact: {impacts}; "
            f"details in {_REPORT.axe_results}"
        )


@pytest.fixture(scope="session")
def report() -> BrowserReport:
    return _REPORT


def _newest_mtime(paths) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def _build_is_stale(html: Path) -> bool:
    index = html / "index.html"
    if not index.is_file():
        return True
    sources = [p for pattern in SOURCE_GLOBS for p in ROOT.glob(pattern)]
    return _newest_mtime(sources) > _newest_mtime(html.rglob("*.html"))


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built HTML book, built here if it is missing or stale."""
    if "BOOK_HTML" in os.environ:
        html = Path(os.environ["BOOK_HTML"]).resolve()
        assert (html / "index.html").is_file(), f"BOOK_HTML={html} holds no built book"
        return html
    html = ROOT / "_build" / "html"
    if _build_is_stale(html):
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [str(jupyter_book), "build", ".", "-W", "-n", "--keep-going"], cwd=ROOT, check=True
        )
    return html


@pytest.fixture(scope="session")
def screenshot_dir(site_dir) -> Path:
    folder = site_dir.parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    _REPORT.screenshots = folder
    return folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="session")
def base_url(site_dir):
    """Serve the built book on 127.0.0.1 (a free port) for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched through Playwright."""
    yield from launch_chromium(_REPORT, TESTS)
