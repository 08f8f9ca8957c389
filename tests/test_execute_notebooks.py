"""scripts/execute_notebooks.py stores the same bytes however the kernel split its output."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
from nbval.plugin import coalesce_streams

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "execute_notebooks.py"
spec = importlib.util.spec_from_file_location("execute_notebooks", SCRIPT)
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def stream(name: str, text: str):
    return nbformat.v4.new_output("stream", name=name, text=text)


def figure():
    return nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})


def test_chunks_of_one_print_become_one_output_whatever_the_split():
    one = [stream("stdout", "sigmoid per tag: [0.9 0.8]\n")]
    two = [stream("stdout", "sigmoid per tag:"), stream("stdout", " [0.9 0.8]\n")]
    assert execute_notebooks.merge_streams(two) == execute_notebooks.merge_streams(one) == one


def test_only_consecutive_streams_of_the_same_name_merge():
    outputs = [
        stream("stdout", "a"),
        stream("stdout", "b\n"),
        stream("stderr", "warning\n"),
        stream("stdout", "c\n"),
        figure(),
        stream("stdout", "d\n"),
    ]
    merged = execute_notebooks.merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "ab\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "c\n"),
        ("display_data", None, None),
        ("stream", "stdout", "d\n"),
    ]


def test_nbval_sees_the_same_outputs_before_and_after_merging():
    def outputs():
        return [
            stream("stdout", "x ="),
            stream("stdout", " 1\n"),
            figure(),
            stream("stdout", "y\n"),
        ]

    merged = execute_notebooks.merge_streams(outputs())
    assert coalesce_streams(merged) == coalesce_streams(outputs())


# --- Quoted numbers: {eval} results stored as jupyterlab-myst stores them, checked by nbval

ROOT = SCRIPT.parent.parent
PLUGIN = ROOT / "book" / "conftest.py"


def _chapter(path):
    cells = [
        nbformat.v4.new_markdown_cell("# A chapter\n\nBefore any code: {eval}`2 + 2`."),
        nbformat.v4.new_code_cell("quoted = {'ratio': 10 / 4}\nname = 'softmax'"),
        nbformat.v4.new_markdown_cell(
            "The ratio is {eval}`f\"{quoted['ratio']:.1f}\"` for {eval}`name`, and "
            "again {eval}`f\"{quoted['ratio']:.1f}\"`."
        ),
        nbformat.v4.new_markdown_cell("No expression here."),
        nbformat.v4.new_code_cell("quoted['ratio'] = 1 / 3"),
        nbformat.v4.new_markdown_cell("Now {eval}`round(quoted['ratio'], 3)`."),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_expressions_are_stored_as_jupyterlab_myst_stores_them(tmp_path):
    path = _chapter(tmp_path / "chapter.ipynb")
    execute_notebooks.execute(path)
    cells = nbformat.read(path, as_version=4).cells
    assert [e["expression"] for e in cells[0].metadata["user_expressions"]] == ["2 + 2"]
    stored = cells[2].metadata["user_expressions"]
    assert [e["expression"] for e in stored] == [
        "f\"{quoted['ratio']:.1f}\"",
        "name",
        "f\"{quoted['ratio']:.1f}\"",
    ]
    assert stored[0]["result"] == {"data": {"text/plain": "'2.5'"}, "metadata": {}, "status": "ok"}
    shown = [execute_notebooks.course_eval.display_text(e["result"]) for e in stored]
    assert shown == ["2.5", "softmax", "2.5"]  # as JupyterLab shows them: no quotes
    assert "user_expressions" not in cells[3].metadata
    # evaluated after the code cells before it, not at the end of the notebook
    assert cells[5].metadata["user_expressions"][0]["result"]["data"]["text/plain"] == "0.333"


def test_an_expression_that_fails_stops_the_run(tmp_path):
    path = tmp_path / "chapter.ipynb"
    cells = [nbformat.v4.new_markdown_cell("{eval}`undefined_name`")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    try:
        execute_notebooks.execute(path)
    except execute_notebooks.ExpressionError as error:
        assert "undefined_name" in str(error) and "NameError" in str(error)
    else:
        raise AssertionError("a failing expression was stored")


def _nbval(folder):
    """Strict nbval with the book's plugin (book/conftest.py) on a folder's notebooks."""
    conftest = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('book_conftest', {str(PLUGIN)!r})\n"
        "plugin = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(plugin)\n"
        "pytest_runtest_call = plugin.pytest_runtest_call\n"
    )
    (folder / "conftest.py").write_text(conftest, encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider"]
    command += ["--nbval", "--nbval-current-env", "-q", str(folder)]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)


def _tamper(path, cell, index, text):
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[cell].metadata["user_expressions"][index]["result"]["data"]["text/plain"] = text
    nbformat.write(notebook, path)


def test_strict_nbval_checks_the_stored_expressions(tmp_path):
    path = _chapter(tmp_path / "chapter.ipynb")
    execute_notebooks.execute(path)
    passed = _nbval(tmp_path)
    assert passed.returncode == 0, passed.stdout[-2000:]
    _tamper(path, 2, 1, "'sigmoid'")
    failed = _nbval(tmp_path)
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "stored 'sigmoid', now 'softmax'" in failed.stdout
    assert "1 failed" in failed.stdout  # the cell before the tampered prose, only


def test_strict_nbval_catches_a_tampered_value_before_the_first_cell(tmp_path):
    path = _chapter(tmp_path / "chapter.ipynb")
    execute_notebooks.execute(path)
    _tamper(path, 0, 0, "5")
    failed = _nbval(tmp_path)
    assert failed.returncode == 1 and "stored '5', now '4'" in failed.stdout


def test_strict_nbval_catches_an_expression_without_a_stored_result(tmp_path):
    path = _chapter(tmp_path / "chapter.ipynb")
    execute_notebooks.execute(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[5].source += " And {eval}`1 + 1`."
    nbformat.write(notebook, path)
    failed = _nbval(tmp_path)
    assert failed.returncode == 1 and "are not those of the text" in failed.stdout


def test_after_an_ignored_output_the_quoted_numbers_run_but_are_not_compared(tmp_path):
    path = _chapter(tmp_path / "chapter.ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].metadata["tags"] = ["nbval-ignore-output"]  # nbval compares nothing
    nbformat.write(notebook, path)
    execute_notebooks.execute(path)
    _tamper(path, 2, 1, "'sigmoid'")
    assert _nbval(tmp_path).returncode == 0
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].source = notebook.cells[2].source.replace("`name`", "`nameless`")
    notebook.cells[2].metadata["user_expressions"][1]["expression"] = "nameless"
    nbformat.write(notebook, path)
    failed = _nbval(tmp_path)
    assert failed.returncode == 1 and "NameError" in failed.stdout
