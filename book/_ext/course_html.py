"""Small fixes to the HTML of the Softmax course (a local Sphinx extension).

* sphinx-thebe and sphinx-togglebutton register their inline configuration
  scripts twice (once with filename None, once with ""), so Sphinx does not see
  the copies as equal and every page logged the error "Identifier
  'THEBE_JS_URL' has already been declared". Each page keeps one copy of every
  script here.
"""

from __future__ import annotations


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


def setup(app):
    # Late (priority 900): after the theme and the other extensions have added theirs.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
