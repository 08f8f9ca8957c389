"""The student workbook: every chapter without its solutions (``make workbook``).

Usage: python scripts/make_workbook.py [OUTPUT_FOLDER]   (default: _build/workbook)

A chapter states each exercise in a markdown cell (```` ```{exercise} ````, with
a ``:label:``); a code exercise follows it with a cell that holds the
placeholder answer and calls its checker (``passed = stable_softmax.check(...)``,
stored with its "Not answered yet" verdict). The solution sits in cells of its
own, from a markdown cell that starts with ```` ```{solution-start} <label> ````
to a markdown cell that is only ```` ```{solution-end} ````. The workbook
version of a chapter is the chapter with every such run of cells removed, the
cells that open and close it included; every other cell, with its stored
outputs, is as in the book.

The output folder gets ``book/<chapter>.ipynb`` for every notebook of
``_toc.yml``, the data files the chapters read (at the same place relative to
the notebooks as in the repository, so that every chapter runs from the
folder), a README, and ``softmax-course-workbook.zip`` holding all of it under
one folder. The zip is the same bytes for the same chapters (fixed dates).

A chapter that does not follow this structure (a question and its solution in
one cell, a solution that is never closed, an exercise without a solution) is
refused with a message that names the chapter and the exercise.

The Sphinx extensions ``book/_ext/course_workbook.py`` (the zip and each
chapter's workbook in the HTML book) and ``book/_ext/course_teachers.py`` (the
teachers' page) read the chapters through this module too.
"""

from __future__ import annotations

import copy
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
#: The name of the zip, and of the folder it unpacks to.
ZIP_STEM = "softmax-course-workbook"
ZIP_NAME = f"{ZIP_STEM}.zip"
#: Files that chapters read, relative to the repository (appendix A1 reads the
#: benchmark's stored results as ``../benchmarks/results/bench_softmax.json``).
DATA_FILES = ("benchmarks/results/bench_softmax.json",)
#: Every file of the zip gets this date, so that the same chapters give the same zip.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)

SOLUTION_START = re.compile(r"\A\s*(`{3,}|:{3,})\{solution-start\}[ \t]*(\S*)")
SOLUTION_END_ONLY = re.compile(r"\A\s*(`{3,}|:{3,})\{solution-end\}\s*\1\s*\Z")
EXERCISE = re.compile(r"(`{3,}|:{3,})\{exercise\}[^\n]*\n(.*?)^\1", re.DOTALL | re.MULTILINE)
LABEL = re.compile(r"^:label:\s*(\S+)", re.MULTILINE)
CHECK_CALL = re.compile(r"\b([A-Za-z_]\w*)\.check\(")

README = """\
# The Softmax Course: the student workbook

Every chapter of the course as a notebook, without the solutions of its
exercises. Each code exercise has a cell with a placeholder answer that calls a
checker: write your answer in place of the `...`, run the cell, and the checker
says "Correct" or what is wrong (`<checker>.hint()` gives a hint).

The notebooks import the course's package, `softmax_course`: install it as the
book's introduction says, then start JupyterLab in this folder and open the
chapters in `book/`. Keep the folders as they are: appendix A1 reads
`benchmarks/results/bench_softmax.json`.

The full chapters, with their solutions, are in the book.
"""


class StructureError(ValueError):
    """A chapter whose exercises and solutions do not follow the workbook's structure."""


@dataclass
class Exercise:
    """One exercise of a chapter, as the notebook states it."""

    label: str
    text: str  # the body of the exercise directive, options removed (MyST)
    cell: int  # index of the cell that states it
    checker: str | None = None  # the checker its placeholder cell calls, if any
    solution_cells: list[int] = field(default_factory=list)  # from start to end, included


@dataclass
class Chapter:
    """What the workbook and the teachers' page read from one notebook."""

    name: str  # the notebook's stem, such as "05_log_softmax_and_stability"
    notebook: dict
    exercises: list[Exercise]
    problems: list[str]  # the departures from the structure, each naming the exercise

    @property
    def solution_cells(self) -> list[int]:
        return sorted(i for exercise in self.exercises for i in exercise.solution_cells)


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [root / f"{name}.ipynb" for name in files if (root / f"{name}.ipynb").is_file()]


def _directive_body(body: str) -> str:
    lines = body.splitlines()
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        lines.pop(0)
    return "\n".join(lines).strip()


def read_chapter(path: Path) -> Chapter:
    """Read a chapter's exercises and solution cells, and list where it departs from them."""
    notebook = nbformat.read(path, as_version=4)
    name = path.stem
    exercises: list[Exercise] = []
    by_label: dict[str, Exercise] = {}
    problems: list[str] = []
    open_block: Exercise | None = None
    open_label = ""
    last_exercise: Exercise | None = None

    for index, cell in enumerate(notebook.cells):
        source = cell.source
        if open_block is not None or open_label:
            if open_block is not None:
                open_block.solution_cells.append(index)
            if cell.cell_type == "markdown" and "{solution-end}" in source:
                if not SOLUTION_END_ONLY.match(source):
                    problems.append(
                        f"{name}: exercise {open_label}: the cell that ends its solution "
                        f"(cell {index}) holds more than ```{{solution-end}}```: the next "
                        "question or text would be removed with the solution"
                    )
                open_block, open_label = None, ""
                continue
            if cell.cell_type == "markdown" and "{solution-start}" in source:
                problems.append(
                    f"{name}: exercise {open_label}: its solution is not closed before "
                    f"the next solution starts (cell {index})"
                )
            elif cell.cell_type == "markdown" and "{exercise}" in source:
                problems.append(
                    f"{name}: exercise {open_label}: its solution is not closed before "
                    f"the next exercise (cell {index})"
                )
                open_block, open_label = None, ""
            else:
                continue
        if cell.cell_type == "code":
            if last_exercise is not None:
                called = CHECK_CALL.findall(source)
                if called and last_exercise.checker is None:
                    last_exercise.checker = called[0]
            continue
        for match in EXERCISE.finditer(source):
            label = LABEL.search(match.group(2))
            if label is None:
                problems.append(f"{name}: an exercise without a :label: (cell {index})")
                continue
            exercise = Exercise(label.group(1), _directive_body(match.group(2)), index)
            exercises.append(exercise)
            by_label[exercise.label] = exercise
            last_exercise = exercise
        if "{solution-start}" in source:
            start = SOLUTION_START.match(source)
            label = start.group(2) if start else ""
            if start is None:
                labels = re.findall(r"\{solution-start\}[ \t]*(\S*)", source)
                label = labels[0] if labels else "?"
                problems.append(
                    f"{name}: exercise {label}: the question and its solution share a "
                    f"cell (cell {index}): the solution must start a markdown cell of "
                    "its own"
                )
            elif "{solution-end}" in source:
                problems.append(
                    f"{name}: exercise {label}: its solution starts and ends in one cell "
                    f"(cell {index}): ```{{solution-end}}``` must be a cell of its own"
                )
            if label not in by_label:
                problems.append(
                    f"{name}: exercise {label}: a solution (cell {index}) for no exercise "
                    "stated before it"
                )
            exercise = by_label.get(label)
            if exercise is not None and exercise.solution_cells:
                problems.append(f"{name}: exercise {label}: two solutions")
            if start is not None and exercise is not None:
                open_block = exercise
                open_block.solution_cells.append(index)
            open_label = label
            last_exercise = None
            if "{solution-end}" in source or start is None:
                open_block, open_label = None, ""
        elif "{solution}" in source:
            problems.append(
                f"{name}: a ```{{solution}}``` directive (cell {index}): a solution must "
                "run from a ```{solution-start}``` cell to a ```{solution-end}``` cell"
            )
    if open_label:
        problems.append(f"{name}: exercise {open_label}: its solution is never closed")
    for exercise in exercises:
        if not exercise.solution_cells and not any(
            f"exercise {exercise.label}:" in problem for problem in problems
        ):
            problems.append(f"{name}: exercise {exercise.label}: no solution in cells of its own")
    return Chapter(name, notebook, exercises, problems)


def student_notebook(chapter: Chapter) -> dict:
    """The chapter without its solution cells (refused if it departs from the structure)."""
    if chapter.problems:
        raise StructureError(
            "the chapter does not follow the workbook's structure:\n  "
            + "\n  ".join(chapter.problems)
        )
    removed = set(chapter.solution_cells)
    student = copy.deepcopy(chapter.notebook)
    student.cells = [cell for i, cell in enumerate(student.cells) if i not in removed]
    return student


def write_workbook(out: Path, notebooks: list[Path] | None = None) -> dict[str, int]:
    """Write the workbook folder and its zip; return the solutions removed per chapter."""
    notebooks = toc_notebooks() if notebooks is None else notebooks
    chapters = [read_chapter(path) for path in notebooks]
    problems = [problem for chapter in chapters for problem in chapter.problems]
    if problems:
        raise StructureError(
            "chapters that do not follow the workbook's structure (solutions in cells of "
            "their own, from ```{solution-start} <label>``` to ```{solution-end}```):\n  "
            + "\n  ".join(problems)
        )
    files: dict[str, bytes] = {"README.md": README.encode()}
    removed = {}
    for chapter in chapters:
        text = nbformat.writes(student_notebook(chapter)) + "\n"
        files[f"book/{chapter.name}.ipynb"] = text.encode()
        removed[chapter.name] = len(chapter.exercises)
    for data in DATA_FILES:
        files[data] = (ROOT / data).read_bytes()
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    with zipfile.ZipFile(out / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{ZIP_STEM}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return removed


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "_build" / "workbook"
    shutil.rmtree(out, ignore_errors=True)  # no chapter left from an earlier run
    try:
        removed = write_workbook(out)
    except StructureError as error:
        print(f"make workbook: {error}", file=sys.stderr)
        return 1
    for name, count in removed.items():
        print(f"  {name}: {count} solution{'s' if count != 1 else ''} removed")
    size = (out / ZIP_NAME).stat().st_size
    print(f"The workbook is in {out} ({ZIP_NAME}: {size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
