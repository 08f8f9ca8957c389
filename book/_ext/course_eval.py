"""Numbers quoted in the prose: MyST inline expressions, rendered from stored results.

A chapter's prose quotes a computed value with a MyST inline expression,
``{eval}`quoted["ece"]``` (or a formatted one, ``{eval}`f"{ece:.3f}"```). Three
readers see it, and this module is what they share:

* JupyterLab with jupyterlab-myst evaluates each expression in the kernel when
  the learner runs the markdown cell, and stores the results in the cell's
  metadata under ``user_expressions``: a list of ``{"expression": ...,
  "result": ...}``, one per expression in the order of the text, where
  ``result`` is the kernel's reply (``{"status": "ok", "data": {...},
  "metadata": {...}}``, or an error). It shows a ``text/plain`` result without
  its surrounding quotes, so a string shows as its text.
* ``make notebooks`` (``scripts/execute_notebooks.py``) evaluates the
  expressions of each markdown cell in the kernel right after the code cells
  before it ran, and stores them in exactly that format, so JupyterLab shows
  the numbers before the learner runs anything.
* The book (HTML and PDF; execution is off) renders each ``{eval}`` role from
  the stored result, as JupyterLab shows it. A role with no stored result, or
  a stored result that is an error, is a build warning (an error with ``-W``).
  myst-nb's own ``eval`` role needs a live kernel at build time; this one
  replaces it.

Strict nbval re-evaluates every stored expression and compares (``book/conftest.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

#: A MyST inline expression: the ``eval`` role with its single-backtick content.
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
#: The markdown cell metadata key where jupyterlab-myst stores the results.
METADATA_KEY = "user_expressions"
#: jupyterlab-myst strips one pair of matching quotes from a text/plain result.
_QUOTED = re.compile(r"^([\"'])(.*)\1$")


def expressions(markdown: str) -> list[str]:
    """The inline expressions of a markdown text, in order (repeats kept)."""
    return EVAL_ROLE.findall(markdown)


def display_text(result: dict) -> str | None:
    """The text jupyterlab-myst shows for a stored result (None for an error)."""
    if result.get("status") != "ok":
        return None
    text = result.get("data", {}).get("text/plain")
    if text is None:
        return None
    match = _QUOTED.match(text)
    return match.group(2) if match else text


def stored_results(cell: dict) -> list[dict]:
    """A markdown cell's stored ``user_expressions`` (empty if it has none)."""
    return list(cell.get("metadata", {}).get(METADATA_KEY, []))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def check_cell(cell: dict) -> list[str]:
    """Problems with a markdown cell's stored results (an empty list: none)."""
    wanted = expressions(_source(cell))
    stored = stored_results(cell)
    problems = []
    if [s.get("expression") for s in stored] != wanted:
        problems.append(
            f"stored expressions {[s.get('expression') for s in stored]} are not "
            f"those of the text {wanted}: run `make notebooks`"
        )
    for entry in stored:
        if display_text(entry.get("result", {})) is None:
            problems.append(f"{{eval}}`{entry.get('expression')}` has no text result")
    return problems


# --- The Sphinx extension ---------------------------------------------------------

try:  # the helpers above are also imported without Sphinx (scripts, nbval plugin)
    from docutils import nodes
    from sphinx.transforms import SphinxTransform
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxRole
except ImportError:  # pragma: no cover
    SphinxRole = SphinxTransform = object
    nodes = None


if nodes is not None:
    logger = logging.getLogger(__name__)

    class inline_expression(nodes.Inline, nodes.TextElement):  # noqa: N801 (docutils style)
        """An ``{eval}`` role, until its stored result replaces it."""

    class EvalRole(SphinxRole):
        """``{eval}`expression```: the stored result, filled in by the transform."""

        def run(self):
            node = inline_expression(self.rawtext, self.text, expression=self.text)
            self.set_source_info(node)
            return [node], []

    class StoredExpressions(SphinxTransform):
        """Replace each ``{eval}`` by the result stored in its notebook cell.

        The roles of a page are matched, in document order, with the stored
        results of its markdown cells in notebook order (the cells the book
        shows: not empty, not tagged ``remove-cell``). Runs before any
        transform that moves nodes (sphinx-exercise, the PDF's solutions).
        """

        default_priority = 5

        def apply(self, **kwargs) -> None:
            found = list(self.document.findall(inline_expression))
            if not found:
                return
            queue = self._stored(self.env.docname)
            for node in found:
                expression = node["expression"]
                entry = queue.pop(0) if queue else None
                text = None
                if entry is not None and entry.get("expression") == expression:
                    text = display_text(entry.get("result", {}))
                if text is None:
                    logger.warning(
                        "no stored result for {eval}`%s` (run `make notebooks`)",
                        expression,
                        location=node,
                        type="course",
                        subtype="eval",
                    )
                    text = expression
                node.replace_self(nodes.inline(text, text, classes=["course-eval"]))

        def _stored(self, docname: str) -> list[dict]:
            path = Path(self.env.doc2path(docname))
            if path.suffix != ".ipynb":
                return []
            import nbformat

            notebook = nbformat.read(path, as_version=4)
            queue = []
            for cell in notebook.cells:
                tags = cell.get("metadata", {}).get("tags", [])
                if cell.cell_type != "markdown" or not cell.source.strip():
                    continue
                if "remove-cell" in tags or "remove_cell" in tags:
                    continue
                queue.extend(stored_results(cell))
            return queue


def setup(app):
    # myst-nb registers an ``eval`` role that needs a kernel at build time: this
    # extension is loaded after it (a local extension) and takes the name over.
    app.add_role("eval", EvalRole(), override=True)
    app.add_node(inline_expression)
    app.add_transform(StoredExpressions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
