"""Re-execute notebooks in place and store their outputs (the nbval baseline).

Usage: python scripts/execute_notebooks.py book/*.ipynb

Each notebook runs in a fresh kernel from the current environment, with its
own folder as the working directory, exactly as nbval will run it.

Consecutive stream outputs of the same name (stdout, stderr) are merged into
one: the kernel sends printed text in chunks whose boundaries vary from run to
run, so without this an unchanged notebook would be rewritten by every run.
nbval merges every stream of a name within a cell before it compares, so the
merging changes nothing that nbval sees.

The numbers the prose quotes are MyST inline expressions (``{eval}`expr```):
each markdown cell's expressions are evaluated in the kernel right after the
code cells before it ran, as JupyterLab with jupyterlab-myst does when the
learner runs the cell, and the results are stored in the cell's metadata in
the format jupyterlab-myst writes (``book/_ext/course_eval.py``). An
expression that fails stops the run, as a failing cell does.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

_EXT = Path(__file__).resolve().parent.parent / "book" / "_ext" / "course_eval.py"
_spec = importlib.util.spec_from_file_location("course_eval", _EXT)
course_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_eval)


class ExpressionError(RuntimeError):
    """An inline expression of the prose failed in the kernel."""


def expression_request(markdown: str) -> dict[str, str]:
    """The ``user_expressions`` of a request, keyed by position as jupyterlab-myst does."""
    return {str(i): e for i, e in enumerate(course_eval.expressions(markdown))}


def stored_expressions(request: dict[str, str], reply: dict) -> list[dict]:
    """The cell metadata jupyterlab-myst stores for a kernel's reply to ``request``."""
    results = reply["user_expressions"]
    return [
        {"expression": expression, "result": results[key]} for key, expression in request.items()
    ]


class ExpressionClient(NotebookClient):
    """Runs a notebook and stores each markdown cell's inline expression results."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, **kwargs):
        if cell.cell_type != "markdown":
            return await super().async_execute_cell(cell, cell_index, execution_count, **kwargs)
        request = expression_request(cell.source)
        if not request:
            cell.metadata.pop(course_eval.METADATA_KEY, None)
            return cell
        msg_id = self.kc.execute(
            "", silent=True, store_history=False, user_expressions=request, allow_stdin=False
        )
        reply = await self.async_wait_for_reply(msg_id, cell)
        stored = stored_expressions(request, reply["content"])
        for entry in stored:
            if entry["result"]["status"] != "ok":
                raise ExpressionError(
                    f"cell {cell_index}: {{eval}}`{entry['expression']}` failed: "
                    f"{entry['result'].get('ename')}: {entry['result'].get('evalue')}"
                )
        cell.metadata[course_eval.METADATA_KEY] = stored
        return cell


def merge_streams(outputs: list) -> list:
    """Merge each run of consecutive stream outputs of the same name into one."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def stable_widget_ids(notebook, name: str):
    """The notebook with its widget model ids renamed in order of creation.

    ipywidgets names each model with a random id, stored in the widget state
    (notebook metadata, which JupyterLab uses to show the widgets before the
    kernel runs) and in the outputs that display them. Renaming them from the
    notebook's name and their order keeps a re-executed notebook byte for byte.
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not state:
        return notebook
    text = json.dumps(notebook)
    for index, model_id in enumerate(list(state)):
        stable = uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/widget/{index}").hex
        text = text.replace(model_id, stable)
    return nbformat.from_dict(json.loads(text))


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = ExpressionClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    notebook = stable_widget_ids(notebook, path.name)
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        seconds = execute(Path(name))
        print(f"executed {name} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
