"""Solutions whose text is inside their ``solution-start`` directive (a local Sphinx extension).

A chapter's solution is a run of notebook cells (issue 19): a markdown cell that
is one ``solution-start`` directive with ``:class: dropdown`` and the solution's
text inside it, so that jupyterlab-myst shows it as a closed dropdown; then the
solution's code cells; then a ``solution-end`` cell. sphinx-exercise gathers
what lies between the start and the end into the solution, but drops the text
inside the start directive. This transform moves that text out, just after the
directive, so that sphinx-exercise gathers it first, as if it followed the
directive in the source: the book shows the same solution as before, in HTML
and in the PDF (``course_pdf`` moves the finished solution to the chapter end).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform

try:
    from sphinx_exercise.nodes import solution_start_node
except ImportError:  # pragma: no cover
    solution_start_node = None


class SolutionStartText(SphinxTransform):
    """Move a ``solution-start`` directive's own text after it, as gated content."""

    # sphinx-exercise merges gated solutions at priority 10.
    default_priority = 9

    def apply(self, **kwargs) -> None:
        if solution_start_node is None:
            return
        for node in list(self.document.findall(solution_start_node)):
            body = [
                child
                for child in node.children
                if isinstance(child, nodes.section) and "solution-content" in child["ids"]
            ]
            moved = [grandchild for section in body for grandchild in section.children]
            for section in body:
                node.remove(section)
            parent, position = node.parent, node.parent.index(node)
            for offset, child in enumerate(moved, start=1):
                child.parent = None
                parent.insert(position + offset, child)


def setup(app):
    app.add_transform(SolutionStartText)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
