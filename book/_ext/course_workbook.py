"""The student workbook in the HTML book (a local Sphinx extension, HTML builder only).

``make workbook`` (``scripts/make_workbook.py``) writes every chapter without its
solutions. This extension does the same at the end of each HTML build, so the
site always serves the workbook of the chapters it shows:

* ``softmax-course-workbook.zip`` at the root of the site (every chapter, the
  data files they read and a README, in one folder);
* each chapter's workbook notebook under ``_workbook/book/``, offered in the
  page's download menu as "workbook .ipynb", next to the full notebook;
* the zip in the download menu of every page that has one, the landing page
  included.

A chapter that does not follow the workbook's structure is a build warning (an
error under ``-W``) that names the chapter and the exercise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the workbook notebooks go in the site.
FOLDER = "_workbook"


def _make_workbook(app):
    from course_teachers import load_make_workbook

    return load_make_workbook(Path(app.srcdir))


def _read_chapters(app):
    if app.builder.format != "html":
        return
    make_workbook = _make_workbook(app)
    names, problems = [], []
    for path in make_workbook.toc_notebooks(Path(app.srcdir)):
        chapter = make_workbook.read_chapter(path)
        problems += chapter.problems
        names.append(f"book/{chapter.name}")
    app.builder.course_workbook_pages = names  # the pages that get a workbook link
    for problem in problems:
        logger.warning(f"workbook: {problem}")


def _add_download_links(app, pagename, templatename, context, doctree):
    pages = getattr(app.builder, "course_workbook_pages", None)
    if pages is None:
        return
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    if not groups:
        return
    make_workbook = _make_workbook(app)
    pathto = context["pathto"]
    buttons = groups[0]["buttons"]
    # After the page's own notebook (the theme's notebook or source button).
    labels = [button.get("label") for button in buttons]
    position = 0
    for label in ("download-source-button", "download-notebook-button"):
        if label in labels:
            position = max(position, labels.index(label) + 1)
    if pagename in pages:
        buttons.insert(
            position,
            {
                "type": "link",
                "url": pathto(f"{FOLDER}/{pagename}.ipynb", 1),
                "text": "workbook .ipynb",
                "icon": "fas fa-pencil-alt",
                "tooltip": "Download this chapter without its solutions (student workbook)",
                "label": "download-workbook-button",
            },
        )
        position += 1
    buttons.insert(
        position,
        {
            "type": "link",
            "url": pathto(make_workbook.ZIP_NAME, 1),
            "text": "workbook .zip",
            "icon": "fas fa-file-archive",
            "tooltip": "Download every chapter without its solutions (student workbook)",
            "label": "download-workbook-zip-button",
        },
    )


def _write_workbook(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    make_workbook = _make_workbook(app)
    out = Path(app.outdir) / FOLDER
    shutil.rmtree(out, ignore_errors=True)
    try:
        removed = make_workbook.write_workbook(out, make_workbook.toc_notebooks(Path(app.srcdir)))
    except make_workbook.StructureError:
        return  # already a warning, naming the chapters (_read_chapters)
    (out / make_workbook.ZIP_NAME).replace(Path(app.outdir) / make_workbook.ZIP_NAME)
    count = sum(removed.values())
    logger.info(f"workbook: {len(removed)} chapters, {count} solutions removed")


def setup(app):
    app.setup_extension("course_teachers")
    app.connect("builder-inited", _read_chapters)
    # After the theme has built its download menu (priority 501).
    app.connect("html-page-context", _add_download_links, priority=600)
    app.connect("build-finished", _write_workbook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
