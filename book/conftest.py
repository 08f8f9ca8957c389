"""Strict nbval also checks the numbers the prose quotes.

A chapter's prose quotes computed values with MyST inline expressions
(``{eval}`expr```), whose results ``make notebooks`` stores in each markdown
cell's metadata (``book/_ext/course_eval.py``). nbval compares only code cell
outputs, so this plugin adds the same check for the quoted numbers: after nbval
has run a code cell (and before it runs the first one), it evaluates the
expressions of the markdown cells that follow, in nbval's kernel, exactly as
``make notebooks`` and JupyterLab do, and fails that cell's test if a stored
result differs from the new one, if an expression fails, or if the stored
expressions are not those of the text.

An expression after a cell tagged ``nbval-ignore-output`` is checked to run
and to give a text result, not compared: it quotes what nbval does not compare.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_EXT = Path(__file__).resolve().parent / "_ext" / "course_eval.py"
_spec = importlib.util.spec_from_file_location("course_eval", _EXT)
course_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_eval)

REPLY_TIMEOUT = 600  # seconds


def _evaluate(kernel, expressions: list[str]) -> list[dict]:
    """Evaluate expressions in nbval's running kernel: the results, in order."""
    request = {str(i): e for i, e in enumerate(expressions)}
    msg_id = kernel.kc.execute(
        "", silent=True, store_history=False, user_expressions=request, allow_stdin=False
    )
    while True:  # nbval reads its own replies by message id; this one is ours
        msg = kernel.get_message(stream="shell", timeout=REPLY_TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id:
            break
    results = msg["content"].get("user_expressions", {})
    return [results.get(key, {"status": "error", "ename": "NoReply"}) for key in request]


def compare_cell(cell: dict, results: list[dict], strict: bool) -> list[str]:
    """Problems of a markdown cell's stored results against new ``results``."""
    problems = course_eval.check_cell(cell)
    for entry, result in zip(course_eval.stored_results(cell), results, strict=False):
        expression = entry.get("expression")
        new = course_eval.display_text(result)
        if new is None:
            problems.append(
                f"{{eval}}`{expression}` fails: {result.get('ename')}: {result.get('evalue')}"
            )
        elif strict and result.get("data") != entry.get("result", {}).get("data"):
            old = course_eval.display_text(entry.get("result", {}))
            problems.append(f"{{eval}}`{expression}`: stored {old!r}, now {new!r}")
    return problems


def _markdown_after(cells, index: int) -> list[tuple[int, dict]]:
    """The markdown cells after cell ``index`` (-1: from the top), up to the next code cell."""
    found = []
    for position in range(index + 1, len(cells)):
        if cells[position].cell_type == "code":
            break
        if cells[position].cell_type == "markdown":
            found.append((position, cells[position]))
    return found


def _check(item, index: int, strict: bool) -> None:
    kernel = item.parent.kernel
    problems = []
    for position, cell in _markdown_after(item.parent.nb.cells, index):
        expressions = course_eval.expressions(cell.source)
        if not expressions and not course_eval.stored_results(cell):
            continue
        results = _evaluate(kernel, expressions) if expressions else []
        problems += [f"markdown cell {position}: {p}" for p in compare_cell(cell, results, strict)]
    if problems:
        from nbval.plugin import NbCellError

        raise NbCellError(
            item.cell_num,
            "Quoted numbers differ (run `make notebooks`)",
            item.cell.source,
            "\n".join(problems),
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    notebook = getattr(getattr(item, "parent", None), "nb", None)
    if notebook is None or not hasattr(item, "cell_num") or item.config.option.nbval_lax:
        return (yield)
    index = next(i for i, cell in enumerate(notebook.cells) if cell is item.cell)
    if item.cell_num == 0:  # the markdown before the first code cell
        _check(item, -1, strict=True)
    result = yield
    # nbval-ignore-output sets "check" to False: what follows is run, not compared
    _check(item, index, strict=item.options["check"])
    return result
