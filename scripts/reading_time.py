"""How long a chapter's main path takes to read, estimated from the notebook itself.

Usage: python scripts/reading_time.py book/*.ipynb

The main path is what a learner reads to the end of the chapter without the
exercises: every cell but the solutions and the removed cells, and in the prose
everything but the "Exercises" section, the sections whose title starts with
"Optional", and the dropdowns (proofs, details a learner may open). It is timed
at a pace for technical text that the reader follows with the code:

- prose: :data:`WORDS_PER_MINUTE` words a minute (formulas count as words);
- code the book shows (not ``remove-input``, ``hide-input`` or ``remove-cell``):
  :data:`SECONDS_PER_CODE_LINE` seconds a non-blank line;
- figures: :data:`SECONDS_PER_FIGURE` seconds each.

Each chapter states its time in its title cell as "Time: about N minutes";
``tests/test_book.py`` checks that N is this estimate rounded up to the next
multiple of 5 and that no chapter's main path is over :data:`MAX_MINUTES`.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

WORDS_PER_MINUTE = 150
SECONDS_PER_CODE_LINE = 5
SECONDS_PER_FIGURE = 30
MAX_MINUTES = 45
HIDDEN_CODE = {"remove-input", "hide-input", "remove-cell"}
STATED = re.compile(r"Time: about\s+(\d+)\s+minutes")

_FENCE = re.compile(r"^(`{3,}|:{3,})\s*\{(\w[\w-]*)\}")


def _main_path_prose(text: str) -> str:
    """Markdown without dropdown blocks (their whole fence)."""
    kept, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence:
            marker, j = fence.group(1), i + 1
            block = [lines[i]]
            while j < len(lines) and lines[j].strip() != marker:
                block.append(lines[j])
                j += 1
            dropdown = fence.group(2) == "dropdown" or any(
                line.strip().startswith(":class:") and "dropdown" in line for line in block
            )
            if not dropdown:
                kept.extend(line for line in block[1:] if not line.startswith(":"))
            i = j + 1
            continue
        kept.append(lines[i])
        i += 1
    return "\n".join(kept)


_CODE_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})")


def _sections(source: str, skipping: bool):
    """Split a markdown cell at its headings: (kept text, skipping after the cell).

    A level-1 or level-2 heading whose title starts with "Optional" or "Exercises"
    starts a part off the main path, and any other such heading ends it, so a cell
    that holds a Summary and then the Exercises keeps its Summary. Lines inside a
    fence (code, directives) are never headings: ``# a comment`` in a code block
    does not end the Exercises.
    """
    kept, fence = [], None
    for line in source.splitlines():
        if fence is None:
            heading = re.match(r"^(#{1,2}) (.*)", line)
            if heading:
                skipping = heading.group(2).strip().startswith(("Optional", "Exercises"))
            opened = _CODE_FENCE.match(line)
            if opened:
                fence = opened.group(1)
        elif line.strip() == fence:
            fence = None
        if not skipping:
            kept.append(line)
    return "\n".join(kept), skipping


def main_path(cells):
    """The cells of the main path, as (cell, prose or None) pairs."""
    skipping = False
    for cell in cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "solution" in tags or "remove-cell" in tags:
            continue
        if cell["cell_type"] == "markdown":
            was_skipping = skipping
            kept, skipping = _sections("".join(cell["source"]), skipping)
            if kept.strip() or not was_skipping:
                yield cell, _main_path_prose(kept)
        elif not skipping:
            yield cell, None


def estimate(path: Path) -> dict:
    """Minutes of the main path, and what they are made of."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    words = code_lines = figures = 0
    for cell, prose in main_path(cells):
        if prose is not None:
            words += len(prose.split())
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not tags & HIDDEN_CODE:
            code_lines += sum(1 for line in "".join(cell["source"]).splitlines() if line.strip())
        figures += sum(
            1
            for out in cell.get("outputs", [])
            if any(kind.startswith("image/") for kind in out.get("data", {}))
        )
    minutes = (
        words / WORDS_PER_MINUTE
        + code_lines * SECONDS_PER_CODE_LINE / 60
        + figures * SECONDS_PER_FIGURE / 60
    )
    return {
        "words": words,
        "code_lines": code_lines,
        "figures": figures,
        "minutes": minutes,
        "stated_should_be": 5 * math.ceil(minutes / 5),
    }


def stated_minutes(path: Path) -> int | None:
    """The "Time: about N minutes" of the chapter's title cell (None if absent)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    match = STATED.search("".join(cells[0]["source"]))
    return int(match.group(1)) if match else None


if __name__ == "__main__":
    for name in sys.argv[1:]:
        e = estimate(Path(name))
        print(
            f"{Path(name).name:42} {e['minutes']:5.1f} min (states "
            f"{stated_minutes(Path(name))}, should state {e['stated_should_be']}): "
            f"{e['words']} words, {e['code_lines']} code lines, {e['figures']} figures"
        )
