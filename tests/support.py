"""Helpers of the test folders that run only when asked for, or in Chromium.

``tests/lab`` and ``tests/pdf`` run only when asked for (:func:`ignored_unless_asked_for`);
``tests/lab`` and ``tests/browser`` read pages in Debian's headless Chromium, driven by
Playwright (:func:`skip_without_chromium`, :func:`launch_chromium`). Imported by name
(``from support import CHROMIUM``), as ``strategies`` is: pytest puts ``tests/`` on
``sys.path`` for the tests under it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Under CI a missing browser is a failure, not a skip.
CHROMIUM_REQUIRED = bool(os.environ.get("CI"))
# Headless, and quiet: no first-run pages, no background calls to any service.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    # No name resolves but 127.0.0.1: the browser is as good as offline even for
    # a request that page routing would not see.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def ignored_unless_asked_for(folder: Path, collection_path, config) -> bool | None:
    """``pytest_ignore_collect`` of ``folder``: ignored unless an argument names it or a path in it."""
    path = Path(collection_path).resolve()
    if (path == folder or folder in path.parents) and not _asked_for(folder, config):
        return True
    return None


def _asked_for(folder: Path, config) -> bool:
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == folder or folder in path.parents:
            return True
    return False


def missing_chromium(tests: str) -> str:
    """Why ``tests`` (such as "the browser tests") are skipped: the package to install."""
    return (
        f"Chromium not found at {CHROMIUM}: {tests} need Debian's headless browser; "
        "install Debian's chromium: apt-get install chromium"
    )


def skip_without_chromium(items, tests: str) -> None:
    """Without Chromium, skip ``items`` naming the package to install; under CI, end the run."""
    if CHROMIUM.exists() or not items:
        return
    reason = missing_chromium(tests)
    if CHROMIUM_REQUIRED:
        pytest.exit(f"CI is set, so {tests} must run: {reason}", returncode=1)
    for item in items:
        item.add_marker(pytest.mark.skip(reason=reason))


def launch_chromium(report, tests: str):
    """Yield Debian's Chromium, headless, launched through Playwright (for a session fixture).

    Skips without Chromium; records the browser's version in ``report.browser_version``.
    """
    if not CHROMIUM.exists():
        pytest.skip(missing_chromium(tests))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        report.browser_version = f"Chromium {chromium.version}"
        yield chromium
        chromium.close()
