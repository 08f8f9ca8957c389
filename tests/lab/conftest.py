"""Fixtures for the learner's side of the course (issue 19): the chapters in JupyterLab.

The tests here run only when asked for (``make lab-test``, ``make download-test``, or
``pytest tests/lab/...``), so a plain ``pytest tests`` (``make unit``) leaves them out,
as it leaves out the browser and PDF tests.

* JupyterLab is started from the venv (the one running pytest) on 127.0.0.1, on a free
  port, with a random token, on a copy of the book's folder (so that running and editing
  the chapters never touches the committed notebooks), with a temporary home, Jupyter
  configuration, data, runtime, settings and workspace folders and the environment of a
  learner's shell: none of the user's settings, kernels or IPython start-up files, and
  none of the variables the Makefile exports, reach it or its kernels.
* Chromium is ``/usr/bin/chromium`` (``CHROMIUM`` overrides it), driven by Playwright;
  Playwright's own browser downloads are never used. Without it the JupyterLab tests
  are skipped, naming the package to install; when ``CI`` is set they fail instead.
* Screenshots go to ``_build/screenshots/lab/``; what was measured (Run All time and
  raw MyST markup per chapter, the download's install time) is printed at the end of
  the run and written to ``_build/lab/measurements.json``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import ignored_unless_asked_for, launch_chromium, skip_without_chromium

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BOOK = ROOT / "book"
VENV_BIN = Path(sys.executable).parent
#: What a missing Chromium skips (or, under CI, fails).
TESTS = "the JupyterLab tests"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "lab"
MEASUREMENTS = ROOT / "_build" / "lab" / "measurements.json"
#: Variables of a learner's shell that JupyterLab and its kernels may see.
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT", "PATHEXT", "COMSPEC")


def pytest_ignore_collect(collection_path, config):
    return ignored_unless_asked_for(HERE, collection_path, config)


@dataclass
class LabReport:
    """What the JupyterLab tests measured, printed at the end of the run."""

    run_all_seconds: dict[str, float] = field(default_factory=dict)
    raw_markup: dict[str, dict[str, int]] = field(default_factory=dict)
    install: dict[str, object] = field(default_factory=dict)
    solution_outputs_after_run: dict[str, int] = field(default_factory=dict)
    browser_version: str = ""


_REPORT = LabReport()


def pytest_collection_modifyitems(config, items):
    needs_browser = [item for item in items if "lab_page" in getattr(item, "fixturenames", ())]
    skip_without_chromium(needs_browser, TESTS)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    write = terminalreporter.write_line
    if _REPORT.run_all_seconds:
        write(f"lab: JupyterLab {_lab_version()} in {_REPORT.browser_version}")
        for chapter, seconds in _REPORT.run_all_seconds.items():
            write(f"lab: {chapter}: Run All took {seconds:.1f} s")
    for chapter, shown in _REPORT.solution_outputs_after_run.items():
        write(f"lab: {chapter}: {shown} solution cells show their output after Run All")
    for chapter, counts in _REPORT.raw_markup.items():
        details = ", ".join(f"{kind} {n}" for kind, n in counts.items() if kind != "total")
        write(f"lab: {chapter}: {counts['total']} raw MyST markup items shown ({details})")
    if _REPORT.install:
        write(
            f"download: `{_REPORT.install['line']}` took {_REPORT.install['seconds']:.0f} s "
            f"in a fresh Python {_REPORT.install['python']} venv"
        )
    if _REPORT.run_all_seconds or _REPORT.raw_markup or _REPORT.install:
        MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.is_file() else {}
        current = {
            "run_all_seconds": _REPORT.run_all_seconds,
            "raw_markup": _REPORT.raw_markup,
            "install": _REPORT.install,
        }
        merged = {key: value or previous.get(key, {}) for key, value in current.items()}
        MEASUREMENTS.write_text(json.dumps(merged, indent=2) + "\n")
        write(f"lab: measurements in {MEASUREMENTS}, screenshots in {SCREENSHOTS}")


def _lab_version() -> str:
    from jupyterlab import __version__

    return __version__


@pytest.fixture(scope="session")
def report() -> LabReport:
    return _REPORT


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def learner_environment(home: Path) -> dict[str, str]:
    """A learner's shell: their PATH and locale, a fresh home, nothing else."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env["HOME"] = env["USERPROFILE"] = str(home)
    return env


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """JupyterLab from the venv on 127.0.0.1, serving a copy of book/, for the session."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "book"
    shutil.copytree(BOOK, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build"))
    env = learner_environment(base / "home")
    for name, folder in {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
    }.items():
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(base / folder)
    (base / "home").mkdir(exist_ok=True)
    # JupyterLab's defaults, but: no question about fetching Jupyter's news; and every
    # cell of a notebook rendered at once (windowing off), not only those near the
    # viewport, so that the whole chapter can be inspected without scrolling it.
    settings = {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"windowingMode": "none"},
    }
    for name, values in settings.items():
        path = base / "settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(24)
    log = base / "jupyterlab.log"
    command = [
        str(VENV_BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # window.jupyterapp: the tests read the notebook's model (outputs, kernel status).
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # a container's root user, as in CI
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(f"{url}api/status?token={token}", server, log)
        yield Lab(url=url, token=token, root=root, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(status_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(status_url, timeout=5) as response:  # noqa: S310 (local)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in 120 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched through Playwright."""
    yield from launch_chromium(_REPORT, TESTS)


@pytest.fixture
def lab_page(browser, jupyter_lab):
    """A fresh browser profile on the JupyterLab server; requests off 127.0.0.1 are refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    external: list[str] = []

    def route(route):
        if route.request.url.startswith(jupyter_lab.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.external_requests = external
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(f"page error: {error}"))
    yield page
    context.close()
