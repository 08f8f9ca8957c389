"""Checks of the chapter notebooks as files: the promises strict nbval relies on.

nbval compares nothing in a cell that has no stored execution, so every code
cell must have been executed and stored; every chapter must import the shared
package; and no chapter may bypass it or reach the network.
"""

import re

import pytest
from book_sources import NOTEBOOKS, ROOT, cell_source, load_notebook, toc_documents


def _code_cells(notebook):
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and cell_source(c).strip()]


def _toc_files():
    return toc_documents()[1:]  # the root is not a file entry


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_imports_the_package(path):
    cells = _code_cells(load_notebook(path))
    assert any(re.search(r"\bsoftmax_course\b", cell_source(c)) for c in cells), (
        f"{path.name} does not import softmax_course"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_has_a_stored_execution(path):
    cells = _code_cells(load_notebook(path))
    missing = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not missing, f"{path.name}: code cells {missing} were never executed and stored"
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: cells were not executed once, top to bottom ({counts})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_forbidden_code(path):
    for cell in _code_cells(load_notebook(path)):
        source = cell_source(cell)
        assert "sys.path" not in source, f"{path.name} edits sys.path"
        assert not re.search(r"^\s*[!%]\s*pip", source, re.M), f"{path.name} installs packages"
        assert "NBVAL_IGNORE_OUTPUT" not in source, f"{path.name} skips an output comparison"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_reproducible_text(path):
    """No memory addresses, tracebacks, warnings or progress bars in stored outputs."""
    for cell in _code_cells(load_notebook(path)):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name} stores an error"
            text = "".join(output.get("text", "")) + "".join(
                "".join(v) for k, v in output.get("data", {}).items() if k.startswith("text/")
            )
            assert not re.search(r" at 0x[0-9a-f]{6,}", text), f"{path.name}: memory address"
            assert "Warning:" not in text, f"{path.name}: a warning is stored: {text[:200]}"
            assert not re.search(r"\d+/\d+ \[=*>?\.*\]|━━", text), f"{path.name}: progress bar"
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", f"{path.name}: stderr output {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_template(path):
    notebook = load_notebook(path)
    markdown = "\n".join(cell_source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert markdown.lstrip().startswith("# "), f"{path.name} does not open with a title"
    if path.name[:2].isdigit():
        assert "In this chapter you will" in markdown, f"{path.name}: no outcomes"
        assert "## Summary" in markdown, f"{path.name}: no Summary"
        assert "## Exercises" in markdown, f"{path.name}: no Exercises"
        # sphinx-exercise: plain or gated ({exercise-start}, {solution-start}) directives
        exercises = re.findall(r"```\{exercise(-start)?\}", markdown)
        solutions = re.findall(r"```\{solution(-start)?\}", markdown)
        assert len(exercises) >= 3, f"{path.name}: fewer than 3 exercises"
        assert len(solutions) >= 3, f"{path.name}: fewer than 3 solutions"
        assert re.search(r"\{eval\}`", markdown), f"{path.name}: no quoted numbers"
    code = "\n".join(cell_source(c) for c in _code_cells(notebook))
    assert "assert " in code, f"{path.name} asserts nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_alt_text(path):
    for cell in _code_cells(load_notebook(path)):
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if images:
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, f"{path.name}: a figure without alt text"


def test_every_file_of_the_table_of_contents_exists():
    for name in _toc_files():
        assert any((ROOT / f"{name}{ext}").exists() for ext in (".md", ".ipynb")), (
            f"_toc.yml lists {name}, which does not exist"
        )


def test_every_notebook_is_in_the_table_of_contents():
    listed = set(_toc_files())
    for path in NOTEBOOKS:
        assert f"book/{path.stem}" in listed, f"{path.name} is not in _toc.yml"


def test_strict_nbval_is_configured():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--nbval " in makefile or "--nbval\n" in makefile or "--nbval \\" in makefile
    for name in ("Makefile", "pyproject.toml", ".ci/run"):
        assert "nbval-lax" not in (ROOT / name).read_text(encoding="utf-8")


# --- The learner's notebook (issue 19): the install line, the setup cell, quoted numbers


def _pyproject_version():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def install_line():
    """The one command a chapter gives to run it outside the repository."""
    return f'pip install "softmax_course-{_pyproject_version()}-py3-none-any.whl[course]"'


def test_intro_says_what_to_install():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    assert re.findall(r'pip install "softmax_course-[^"]*"', intro) == [install_line()]
    wheel = install_line().split('"')[1].split("[")[0]
    assert f'href="../{wheel}"' in intro, "the intro does not link the wheel"
    assert "make lab" in intro and r".venv\Scripts\jupyter lab book" in intro


def _setup_cell(notebook):
    """The first code cell: it says what to install when the package is missing."""
    return _code_cells(notebook)[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_says_what_to_install(path):
    """The title cell and the setup cell give the install line of pyproject's version."""
    notebook = load_notebook(path)
    title = cell_source(notebook["cells"][0])
    found = re.findall(r'pip install "softmax_course-[^"]*"', title)
    assert found == [install_line()], f"{path.name}: the title cell says {found}"
    setup = _setup_cell(notebook)
    assert install_line() in cell_source(setup), f"{path.name}: no install line in the setup"
    assert "remove-cell" in setup["metadata"].get("tags", []), f"{path.name}: setup shown"
    assert 'importlib.import_module("softmax_course")' in cell_source(setup)


def _run_in_kernel(*sources):
    """Run code in a fresh IPython kernel; the iopub messages of the last source."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        for source in sources:
            msg_id = client.execute(source)
            messages = []
            while True:
                msg = client.get_iopub_msg(timeout=60)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                messages.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
        return messages
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_setup_cell_prints_the_install_line_not_a_traceback():
    """Without the package, the setup cell shows its message and nothing else."""
    source = cell_source(_setup_cell(load_notebook(NOTEBOOKS[0])))
    hide_package = 'import sys\nsys.modules["softmax_course"] = None  # as if not installed'
    messages = _run_in_kernel(hide_package, source)
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert len(errors) == 1, [m["msg_type"] for m in messages]
    shown = "\n".join(errors[0]["traceback"])
    assert install_line() in shown and shown.splitlines()[-1] == install_line()
    assert "Traceback" not in shown and "File " not in shown and "\x1b" not in shown
    assert len(shown.splitlines()) == 2, shown


def test_setup_cell_is_silent_with_the_package():
    source = cell_source(_setup_cell(load_notebook(NOTEBOOKS[0])))
    kinds = [m["msg_type"] for m in _run_in_kernel(source)]
    assert "error" not in kinds and "stream" not in kinds, kinds
