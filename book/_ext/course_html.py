"""Small fixes to the HTML of the Softmax course (a local Sphinx extension).

* sphinx-thebe and sphinx-togglebutton register their inline configuration
  scripts twice (once with filename None, once with ""), so Sphinx does not see
  the copies as equal and every page logged the error "Identifier
  'THEBE_JS_URL' has already been declared". Each page keeps one copy of every
  script here.
* The PDF edition: when ``make pdf`` has built ``_build/pdf/softmax-course.pdf``,
  the HTML build copies it to the root of the site, where the landing page
  links to it (``make pdf`` also copies it into an existing site).
"""

from __future__ import annotations

import shutil
from pathlib import Path

PDF_NAME = "softmax-course.pdf"


def _script_key(script):
    # An inline script's filename is None or "" depending on who added it.
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return str(filename), tuple(sorted((str(k), str(v)) for k, v in attributes.items()))


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _serve_the_pdf(app, exception):
    """Copy the PDF edition (``_build/pdf``, beside ``_build/html``) into the site."""
    if exception is not None or app.builder.format != "html":
        return
    pdf = Path(app.outdir).parent / "pdf" / PDF_NAME
    if pdf.is_file():
        shutil.copyfile(pdf, Path(app.outdir) / PDF_NAME)


def _citations_as_list_items(app, pagename, templatename, context, doctree):
    """Each bibliography entry becomes a list item for assistive technology.

    docutils marks a citation role="doc-biblioentry", a role that ARIA 1.2 deprecates
    and that is no list item, so the list (role="list") has no items (axe-core:
    aria-required-children, critical; tests/browser/test_accessibility.py).
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    # Late (priority 900): after the theme and the other extensions have added theirs.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _citations_as_list_items)
    app.connect("build-finished", _serve_the_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
