"""The PDF edition of the Softmax course (a local Sphinx extension, LaTeX builder only).

Jupyter Book's LaTeX builder inlines every chapter into one document; this
post-transform then turns the web page layout into a printed book's:

* Solutions move to a "Solutions" section at the end of their chapter. Each
  exercise ends with a link to its solution ("Solution on page N"), and each
  solution's title links back to its exercise. Solutions are printed without
  a frame, so that their code cells can break across pages.
* Every image of a stored output becomes a numbered figure ("Figure 3.2"),
  captioned with the first sentence of its alt text.
* The interactive softmax explorer (raw HTML, which LaTeX drops) is replaced by
  a short note with a link to its page of the HTML edition. The link is
  relative to the PDF, which ``make pdf`` puts at the root of the HTML site;
  set ``course_pdf_html_url`` (or ``html_baseurl``) to link to a published
  site instead.

The HTML builder is untouched.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

try:  # sphinx-exercise is a requirement of the book; guard for a clear error
    from sphinx_exercise.nodes import (
        exercise_enumerable_node,
        exercise_node,
        solution_node,
    )
except ImportError:  # pragma: no cover
    exercise_enumerable_node = exercise_node = solution_node = None

logger = logging.getLogger(__name__)

EXPLORER_CLASS = "softmax-explorer"
SOLUTIONS_TITLE = "Solutions"
#: The heading of the landing page, printed after the table of contents.
FRONT_MATTER_TITLE = "About this course"
#: Longest figure caption kept whole; longer first sentences are cut at a word.
MAX_CAPTION = 220


def _latex_label(docname: str, label: str) -> str:
    """The LaTeX label Sphinx writes for ``label`` in ``docname``."""
    return r"\detokenize{" + f"{docname}:{label}" + "}"


def _raw_latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > MAX_CAPTION:
        sentence = sentence[:MAX_CAPTION].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    if not sentence.endswith((".", "!", "?", "\u2026")):
        sentence += "."
    return sentence


class PrintedBookTransform(SphinxPostTransform):
    """Solutions at chapter end, numbered figures, a note for the explorer."""

    # After sphinx-exercise has numbered and titled exercises and solutions
    # (priorities 5-22) and sphinx-jupyterbook-latex has arranged the parts (700),
    # before it wraps cells for rendering (999).
    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        self.head_the_front_matter()
        self.number_parts_once()
        self.replace_explorers()
        self.number_output_figures()
        self.collect_solutions()
        self.size_table_columns()
        self.bibliography_in_its_chapter()

    # -- the landing page -------------------------------------------------------------

    def head_the_front_matter(self) -> None:
        """Give the landing page, printed after the contents, a heading of its own.

        Its title is the book's, which LaTeX prints on the title page only, so
        the page had no heading and its running head read "Contents".
        """
        root = self.config.root_doc
        top = next(
            (
                n
                for n in self.document.children
                if isinstance(n, nodes.section) and n.get("docname") == root
            ),
            None,
        )
        if top is None:
            return
        heading = (
            r"\chapter*{" + FRONT_MATTER_TITLE + "}"
            r"\addcontentsline{toc}{chapter}{" + FRONT_MATTER_TITLE + "}"
            r"\markboth{" + FRONT_MATTER_TITLE + "}{" + FRONT_MATTER_TITLE + "}"
        )
        index = 1 if top.children and isinstance(top[0], nodes.title) else 0
        top.insert(index, _raw_latex(heading))

    def number_parts_once(self) -> None:
        """Strip "Part 1: " from the parts' captions: LaTeX numbers parts itself.

        Otherwise a part page reads "Part I" over "Part 1: From scores to ...".
        """
        for place in _walk(self.document):
            node = place.node
            if not isinstance(node, addnodes.start_of_file):
                continue
            if node["docname"] in self.env.all_docs:  # a chapter, not a part
                continue
            for section in node.children:
                if isinstance(section, nodes.section) and section.children:
                    title = section[0]
                    text = title.astext()
                    short = re.sub(r"^Part\s+\w+\s*:\s*", "", text)
                    if isinstance(title, nodes.title) and short != text:
                        title.children = []
                        title += nodes.Text(short)

    # -- the explorer ---------------------------------------------------------------

    def html_url(self, docname: str, anchor: str) -> str:
        base = self.config.course_pdf_html_url or self.config.html_baseurl or ""
        if base and not base.endswith("/"):
            base += "/"
        return f"{base}{docname}.html" + (f"#{anchor}" if anchor else "")

    def replace_explorers(self) -> None:
        for place in _walk(self.document):
            raw = place.node
            if not isinstance(raw, nodes.raw):
                continue
            if "html" not in raw.get("format", "").split():
                continue
            if f'class="{EXPLORER_CLASS}' not in raw.astext():
                continue
            section = place.section
            anchor = section["ids"][0] if section is not None and section["ids"] else ""
            url = self.html_url(place.docname, anchor)
            note = nodes.admonition(classes=["note"])
            note += nodes.title("", "The softmax explorer is in the HTML edition")
            paragraph = nodes.paragraph()
            paragraph += nodes.Text(
                "On the web page of this chapter, an interactive softmax explorer stands "
                "here: type logits, move the temperature slider, and watch the bars and "
                "the table of probabilities, log-probabilities and log-sum-exp change. "
                "Open it at "
            )
            paragraph += nodes.reference("", url, refuri=url, internal=False)
            paragraph += nodes.Text(
                " (a link relative to this PDF on the course site; with a local build, "
                "open that page of _build/html)."
            )
            note += paragraph
            parent = place.parent
            index = parent.index(raw)
            parent.replace(raw, note)
            # The sentence before it introduces a widget the page does not have.
            if index > 0 and isinstance(parent[index - 1], nodes.paragraph):
                if "widget" in parent[index - 1].astext():
                    parent.remove(parent[index - 1])

    # -- figures --------------------------------------------------------------------

    def number_output_figures(self) -> None:
        for place in _walk(self.document):
            image = place.node
            if not isinstance(image, nodes.image) or isinstance(place.parent, nodes.figure):
                continue
            alt = image.get("alt", "").strip()
            if not alt:
                logger.warning(
                    "course_pdf: an image without alt text gets no caption (%s)",
                    place.docname,
                )
                continue
            figure = nodes.figure(align="center")
            place.parent.replace(image, figure)
            figure += image
            figure += nodes.caption("", _first_sentence(alt))

    # -- solutions ------------------------------------------------------------------

    def collect_solutions(self) -> None:
        if solution_node is None:
            return
        chapters: dict[str, list[_Place]] = {}
        exercises: dict[tuple[str, str], nodes.Element] = {}
        tops: dict[str, nodes.section] = {}
        for place in _walk(self.document):
            node = place.node
            if isinstance(node, addnodes.start_of_file):
                top = next((c for c in node.children if isinstance(c, nodes.section)), None)
                if top is not None and node["docname"] in self.env.all_docs:
                    tops[node["docname"]] = top
            elif isinstance(node, solution_node):
                chapters.setdefault(place.docname, []).append(place)
            elif isinstance(node, (exercise_node, exercise_enumerable_node)):
                exercises[place.docname, node.get("label", "")] = node

        for docname, places in chapters.items():
            top = tops.get(docname)
            if top is None:
                continue
            section = nodes.section(ids=[f"{docname.replace('/', '-')}-solutions"])
            section += nodes.title("", SOLUTIONS_TITLE)
            intro = nodes.paragraph()
            intro += nodes.Text(
                "The solutions to the exercises of this chapter. Each title links back "
                "to its exercise."
            )
            section += intro
            for place in places:
                solution = place.node
                place.parent.remove(solution)
                section += solution
                exercise = exercises.get((docname, solution.get("target_label", "")))
                if exercise is None:
                    continue
                target = _latex_label(docname, solution["label"])
                link = nodes.paragraph(classes=["solution-link"])
                link += _raw_latex(
                    r"\hyperref[" + target + r"]{\sphinxstyleemphasis{Solution on page~"
                    r"\pageref*{" + target + "}}}"
                )
                exercise += link
            top += section

    # -- tables -------------------------------------------------------------------

    def size_table_columns(self) -> None:
        """Column widths from the content, for tables that give none; long tables.

        LaTeX's tabulary, Sphinx's default, balances columns by their text and
        lets a column of formulas or code run into the next one. Each column
        gets at least its longest word (a formula or a name cannot break) and
        at most 40 characters, in proportion to its widest cell.
        """
        for place in _walk(self.document):
            table = place.node
            if not isinstance(table, nodes.table):
                continue
            # A table in the text may break across pages (LaTeX's longtable),
            # rather than leave its heading alone at the foot of a page.
            if isinstance(place.parent, nodes.section) and "longtable" not in table["classes"]:
                table["classes"].append("longtable")
            if "colwidths-given" in table["classes"]:
                continue
            for tgroup in table.findall(nodes.tgroup):
                colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
                widths = [[1, 1] for _ in colspecs]  # longest word, widest cell
                for row in tgroup.findall(nodes.row):
                    for column, entry in enumerate(row.children[: len(colspecs)]):
                        text = _printed_text(entry)
                        longest = max((len(word) for word in text.split()), default=1)
                        widths[column][0] = max(widths[column][0], longest)
                        widths[column][1] = max(widths[column][1], len(text))
                for colspec, (longest, widest) in zip(colspecs, widths, strict=True):
                    colspec["colwidth"] = max(longest, min(widest, 40)) + 2
            table["classes"] = [c for c in table["classes"] if c != "colwidths-auto"]
            table["classes"].append("colwidths-given")

    # -- bibliography ---------------------------------------------------------------

    def bibliography_in_its_chapter(self) -> None:
        """The references go in the chapter of the bibliography directive.

        Sphinx gathers the citations at the very end of the book, in a chapter
        of their own; the preamble makes that environment a plain list.
        """
        try:
            bibliographies = self.env.get_domain("cite").bibliographies
        except Exception:  # noqa: BLE001 (sphinxcontrib-bibtex absent)
            return
        docnames = {key.docname for key in bibliographies}
        if len(docnames) != 1:
            return
        (docname,) = docnames
        places = _walk(self.document)
        top = next(
            (
                next((c for c in p.node.children if isinstance(c, nodes.section)), None)
                for p in places
                if isinstance(p.node, addnodes.start_of_file) and p.node["docname"] == docname
            ),
            None,
        )
        if top is None:
            return
        for place in places:
            if isinstance(place.node, thebibliography):
                place.parent.remove(place.node)
                top += place.node


def _printed_text(node: nodes.Node) -> str:
    """The text of ``node`` roughly as printed: formulas without their markup."""
    parts = []
    for child in node.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(child, nodes.math):
            tex = child.astext()
            tex = re.sub(r"\\(?:operatorname|mathrm|text\w*|mathbf)\{([^}]*)\}", r"\1", tex)
            tex = re.sub(r"\\[a-zA-Z]+", "x", tex)
            parts.append(re.sub(r"[{}^_ ]", "", tex))
        elif not isinstance(child.parent, nodes.math):
            parts.append(child.astext())
    return " ".join(" ".join(parts).split())


class _Place:
    """A node with its real parent, chapter and section.

    Parent pointers cannot be trusted in the assembled LaTeX tree: Sphinx
    inlines each chapter by assigning the chapter's children to a
    ``start_of_file`` node without updating their ``parent``.
    """

    __slots__ = ("node", "parent", "docname", "section")

    def __init__(self, node, parent, docname, section):
        self.node, self.parent, self.docname, self.section = node, parent, docname, section


def _walk(document: nodes.document) -> list[_Place]:
    """Every element of ``document``, top-down, as a list (safe to modify after)."""
    places: list[_Place] = []
    stack = [(document, None, document.get("docname", ""), None)]
    while stack:
        node, parent, docname, section = stack.pop()
        places.append(_Place(node, parent, docname, section))
        if isinstance(node, addnodes.start_of_file):
            docname = node["docname"]
        elif isinstance(node, nodes.section):
            section = node
        children = [c for c in node.children if isinstance(c, nodes.Element)]
        stack.extend((child, node, docname, section) for child in reversed(children))
    return places


def visit_solution_latex(self, node) -> None:
    """A solution in print: a heading that links back to its exercise, no box.

    sphinx-exercise draws a solution as a framed admonition, and a code cell
    framed inside a frame cannot break across pages (it ran into the footer).
    The environment ``coursesolution`` is defined in the LaTeX preamble; the
    solution's title is its second argument.
    """
    exercise = self.builder.env.sphinx_exercise_registry.get(node["target_label"], {})
    label = f"{exercise.get('docname')}:{node['label']}"
    # The label and the title on one page: a label left at the foot of a page, with
    # the title on the next, gives the exercise's "Solution on page N" the wrong N.
    self.body.append("\n\\par\\needspace{5\\baselineskip}")
    self.body.append("\\phantomsection\\label{" + label + "}\n")
    self.body.append("\\begin{coursesolution}{exercise:" + node["target_label"] + "}")


def depart_solution_latex(self, node) -> None:
    self.body.append("\\end{coursesolution}\n")


def setup(app):
    app.add_config_value("course_pdf_html_url", "", "env", [str])
    if solution_node is not None:
        app.setup_extension("sphinx_exercise")
        app.add_node(
            solution_node, override=True, latex=(visit_solution_latex, depart_solution_latex)
        )
    app.add_post_transform(PrintedBookTransform)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
