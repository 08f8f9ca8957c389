"""Each chapter states an honest reading time for its main path (issue 22), at most 45 minutes.

The estimate is ``scripts/reading_time.py``: prose words, shown code lines and figures of
the main path (no solutions, exercises, optional sections or dropdowns).
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from book_sources import NOTEBOOKS, ROOT

_spec = importlib.util.spec_from_file_location("reading_time", ROOT / "scripts" / "reading_time.py")
reading_time = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reading_time)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stated_reading_time_is_the_estimate(path):
    estimate = reading_time.estimate(path)
    assert reading_time.stated_minutes(path) == estimate["stated_should_be"], estimate


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_main_path_fits_a_sitting(path):
    assert reading_time.estimate(path)["minutes"] <= reading_time.MAX_MINUTES


def _cell(kind, text, tags=(), outputs=()):
    cell = {"cell_type": kind, "source": [text], "metadata": {"tags": list(tags)}}
    if kind == "code":
        cell["outputs"] = list(outputs)
    return cell


def test_the_estimate_leaves_out_what_is_off_the_main_path(tmp_path):
    words = " ".join(["word"] * 150)
    figure = {"output_type": "display_data", "data": {"image/png": "", "text/plain": ""}}
    cells = [
        _cell("markdown", "# Title\n\nTime: about 5 minutes.\n\n" + words),
        _cell("code", "a = 1\n\nb = 2\n", outputs=[figure]),
        _cell("code", "hidden = 1\n", tags=["remove-input"]),
        _cell("markdown", ":::{admonition} Proof\n:class: dropdown\n" + words + "\n:::\n"),
        _cell("markdown", "```{solution-start} ex\n```\n" + words, tags=["solution"]),
        _cell("markdown", "## Optional: more\n" + words),
        _cell("code", "skipped = 1\n"),
        _cell("markdown", "## Summary\n" + words + "\n\n## Exercises\n" + words),
        _cell("markdown", "```python\n# a comment, not a heading\n```\n" + words),
    ]
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    estimate = reading_time.estimate(path)
    # 156 words (the title line and the time sentence count) and the Summary's 152
    # (its heading counts, the Exercises after it in the same cell do not), 2 code
    # lines, 1 figure
    assert (estimate["words"], estimate["code_lines"], estimate["figures"]) == (308, 2, 1)
    assert estimate["minutes"] == pytest.approx(308 / 150 + 10 / 60 + 0.5, abs=0)
    assert reading_time.stated_minutes(path) == 5 == estimate["stated_should_be"]


def test_a_section_after_the_exercises_in_the_same_cell_counts_again(tmp_path):
    words = " ".join(["word"] * 30)
    cells = [
        _cell("markdown", "# Title\n\n## Optional: proof\n" + words + "\n## Back\n" + words),
    ]
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    # "# Title", then "## Back" and its words: 2 + 2 + 30
    assert reading_time.estimate(path)["words"] == 34
