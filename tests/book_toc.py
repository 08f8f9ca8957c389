"""The book's table of contents (``_toc.yml``), for the tests that walk the book.

Imported by name (``from book_toc import toc_documents``), as ``strategies`` is:
pytest puts ``tests/`` on ``sys.path`` for the tests under it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_documents() -> list[str]:
    """Every document of ``_toc.yml``, root first, in reading order.

    Each is a path without its extension, as ``_toc.yml`` writes it
    (``book/intro``), whether or not the file exists.
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    documents = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                documents.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return documents
