"""A downloaded chapter runs (issue 19): the reader's path from the HTML book.

A reader of the HTML book downloads one chapter (``.ipynb``) and the wheel the book
serves at its root (``make book`` puts it there; ``make wheel`` builds it), and types
the install line printed at the top of the chapter. This test does exactly that, in a
fresh virtual environment (the Python running pytest, so 3.11 under ``make``), with an
empty folder holding only the chapter and the wheel:

* the chapter's own install line, ``pip install "softmax_course-<version>-py3-none-any.whl[course]"``,
  is run as printed: its dependencies come from the package index as pip resolves
  them, *without* ``-c constraints.txt``, because a reader has no lock. The test is
  about the reader's path: the chapter must run to the end with whatever a fresh
  install gives today (the stored outputs are compared by strict nbval, at the pinned
  versions, elsewhere). The versions that differ from the lock are printed;
* then ``ipykernel`` and ``nbclient`` (the tools a Jupyter front end brings), and the
  chapter is executed with nbclient in a kernel whose environment is cleared (a
  fresh home, the venv first on ``PATH``, nothing else): it runs to the end with no
  error and no stderr output, in the fresh venv, importing the wheel's package.

The install time is printed. The test needs the package index: with no network it is
skipped, saying so, except when ``CI`` is set, where it fails. ``COURSE_WHEEL`` names
the wheel (``make download-test`` sets it), ``DOWNLOAD_CHAPTER`` the chapter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = os.environ.get("DOWNLOAD_CHAPTER", "05_log_softmax_and_stability")
INSTALL_LINE = re.compile(r'pip install "(softmax_course-[^"]+\.whl)\[course\]"')
# The last cell appended to the executed copy: which Python and which package ran.
WHERE = "import sys, softmax_course\nprint(sys.executable)\nprint(softmax_course.__file__)"
RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(notebook, timeout=1800, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}})
try:
    client.execute()
finally:
    nbformat.write(notebook, sys.argv[3])
"""


def _wheel() -> Path:
    version = re.search(
        r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE
    ).group(1)
    default = ROOT / "_build" / "wheel" / f"softmax_course-{version}-py3-none-any.whl"
    return Path(os.environ.get("COURSE_WHEEL", default)).resolve()


def _index_url() -> str:
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
            capture_output=True,
            text=True,
        )
        url = result.stdout.strip() if result.returncode == 0 else ""
    return (url or "https://pypi.org/simple").rstrip("/") + "/"


def _index_reachable(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}pip/", timeout=15).close()  # noqa: S310 (the index)
    except urllib.error.HTTPError:
        return True  # the index answered
    except (urllib.error.URLError, OSError):
        return False
    return True


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_a_downloaded_chapter_runs_after_its_install_line(tmp_path, report):
    wheel = _wheel()
    assert wheel.is_file(), f"{wheel} is missing: build it with `make wheel`"
    index = _index_url()
    if not _index_reachable(index):
        message = f"no network: the package index {index} is unreachable"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the download test must run: {message}")
        pytest.skip(f"{message}, so the downloaded chapter is not installed and run")

    # What the reader has: the chapter and the wheel in an empty folder.
    folder = tmp_path / "downloads"
    folder.mkdir()
    chapter = folder / f"{CHAPTER}.ipynb"
    chapter.write_bytes((ROOT / "book" / f"{CHAPTER}.ipynb").read_bytes())
    (folder / wheel.name).write_bytes(wheel.read_bytes())

    # The install line at the top of the chapter names the wheel the book serves.
    notebook = nbformat.read(chapter, as_version=4)
    lines = [
        match.group(1)
        for cell in notebook.cells
        for match in INSTALL_LINE.finditer(cell.source)
        if cell.cell_type == "markdown"
    ]
    assert lines, f'{CHAPTER} shows no install line `pip install "<wheel>[course]"`'
    assert set(lines) == {wheel.name}, (lines, wheel.name)
    line = f'pip install "{wheel.name}[course]"'

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    start = time.monotonic()
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"{wheel.name}[course]"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    assert install.returncode == 0, f"`{line}` failed:\n{install.stderr[-3000:]}"
    version = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    report.install.update(line=line, seconds=round(seconds, 1), python=version)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "ipykernel", "nbclient"],
        check=True,
    )
    frozen = subprocess.run(
        [str(python), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    pins = _pins()
    differences = []
    for entry in frozen.splitlines():
        name, _, got = entry.partition("==")
        pinned = pins.get(name.lower().replace("_", "-"))
        if got and pinned and pinned != got:
            differences.append(f"{name} {got} (lock {pinned})")
    report.install["differs_from_lock"] = differences
    print(f"\ndownload: `{line}` took {seconds:.0f} s (Python {version})")
    print(f"download: versions that differ from the lock: {', '.join(differences) or 'none'}")

    # The chapter, executed in a kernel with a cleared environment, then one more cell.
    notebook.cells.append(nbformat.v4.new_code_cell(WHERE))
    runnable = tmp_path / "runnable.ipynb"
    nbformat.write(notebook, runnable)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.defpath}", "HOME": str(home), "LANG": "C.UTF-8"}
    if os.name == "nt":
        env.update(USERPROFILE=str(home), SYSTEMROOT=os.environ.get("SYSTEMROOT", ""))
    executed = tmp_path / "executed.ipynb"
    start = time.monotonic()
    run = subprocess.run(
        [str(python), "-c", RUNNER, str(runnable), str(folder), str(executed)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"download: {CHAPTER} ran in {time.monotonic() - start:.0f} s")
    assert run.returncode == 0, f"{CHAPTER} did not run to the end:\n{run.stderr[-4000:]}"

    result = nbformat.read(executed, as_version=4)
    code = [cell for cell in result.cells if cell.cell_type == "code" and cell.source.strip()]
    assert all(cell.execution_count is not None for cell in code), "cells that did not run"
    stderr = [
        (index, output.get("text", "")[:300])
        for index, cell in enumerate(result.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stderr"
    ]
    assert stderr == [], "stderr output in a learner's kernel"
    where = "".join(
        output.get("text", "") for output in code[-1].outputs if output.output_type == "stream"
    ).split()
    assert len(where) == 2, json.dumps(code[-1].outputs)
    interpreter, package = (Path(path) for path in where)
    assert os.path.samefile(interpreter.parent, bin_dir), (
        f"the kernel ran {interpreter}, not the fresh venv's Python"
    )
    assert venv.resolve() in package.resolve().parents, (
        f"the kernel imported softmax_course from {package}, not from the installed wheel"
    )
