"""The book's sources as the tests that read them walk them.

The table of contents (``_toc.yml``) and the chapter notebooks. Imported by name
(``from book_sources import toc_documents``), as ``strategies`` is: pytest puts
``tests/`` on ``sys.path`` for the tests under it.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
#: The notebooks of the book, by name.
NOTEBOOKS = sorted(p for p in BOOK.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def load_notebook(path: Path) -> dict:
    """A notebook's JSON, as stored."""
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


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
