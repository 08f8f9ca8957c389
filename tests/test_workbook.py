"""The student workbook (``make workbook``, ``scripts/make_workbook.py``).

Every chapter of ``_toc.yml`` keeps its exercises and solutions in the structure the
workbook needs (a solution in cells of its own, from ```` ```{solution-start} ````
to ```` ```{solution-end} ````); its workbook version contains no line of any
solution, keeps each checker cell with its stored "Not answered yet" verdict, and,
unpacked from the zip as a student gets it, runs top to bottom in a kernel whose
environment holds only ``PATH``, ``LANG``, a fresh ``HOME`` and what Windows needs
(none of the variables the Makefile exports). Filled with the book's reference
solution, each code exercise then says "Correct" (chapter 5's ``stable_softmax``
first of all). The teachers' page (``book/teachers.md``, completed at build time by
``book/_ext/course_teachers.py``) describes every chapter, exercise and checker.

Running every chapter takes a few minutes: one test per chapter, so that pytest-xdist
spreads them over its workers.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import zipfile
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_workbook.py"
spec = importlib.util.spec_from_file_location("make_workbook", SCRIPT)
make_workbook = importlib.util.module_from_spec(spec)
sys.modules["make_workbook"] = make_workbook  # dataclasses look their module up
spec.loader.exec_module(make_workbook)

TEACHERS_EXTENSION = ROOT / "book" / "_ext" / "course_teachers.py"
teachers_spec = importlib.util.spec_from_file_location("course_teachers", TEACHERS_EXTENSION)
course_teachers = importlib.util.module_from_spec(teachers_spec)
sys.modules["course_teachers"] = course_teachers
teachers_spec.loader.exec_module(course_teachers)

NOTEBOOKS = make_workbook.toc_notebooks()
NAMES = [path.stem for path in NOTEBOOKS]
#: The exercise the issue names: filled with the reference solution, it says "Correct".
STABILITY = "05_log_softmax_and_stability"
NOT_ANSWERED = "Not answered yet"
CORRECT = "Correct:"
#: Lines of a solution that say nothing of its answer: fences, options, blank lines.
STRUCTURAL = re.compile(r"^(`{3,}|:{3,}|:[\w-]+:)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@cache
def chapter(name: str):
    return make_workbook.read_chapter(ROOT / "book" / f"{name}.ipynb")


def structured(name: str):
    """The chapter, or a failure that names each exercise that departs from the structure."""
    read = chapter(name)
    if read.problems:
        pytest.fail(
            "chapter "
            + name
            + " does not follow the workbook's structure (solutions in cells of their "
            "own):\n  " + "\n  ".join(read.problems),
            pytrace=False,
        )
    return read


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback", [])))
        else:
            parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def text_lines(cells) -> set[str]:
    """Every stripped line of the cells' sources and printed outputs."""
    lines = set()
    for cell in cells:
        for text in (cell.source, output_text(cell)):
            lines.update(line.strip() for line in text.splitlines())
    return lines


def checker_cells(notebook) -> list[tuple[int, str]]:
    """The code cells that call a checker, with the checker's name."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            called = make_workbook.CHECK_CALL.findall(cell.source)
            if called:
                found.append((index, called[0]))
    return found


# -- the structure, the removed solutions, the stored verdicts ----------------------


def test_the_workbook_covers_every_chapter():
    assert len(NOTEBOOKS) >= 11, NAMES
    assert STABILITY in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_chapter_follows_the_workbook_structure(name):
    read = structured(name)
    assert read.exercises, f"{name}: no exercise found"
    for exercise in read.exercises:
        first = read.notebook.cells[exercise.solution_cells[0]]
        last = read.notebook.cells[exercise.solution_cells[-1]]
        assert first.source.lstrip().startswith("```{solution-start}"), exercise.label
        assert last.source.replace("`", "").split() == ["{solution-end}"], exercise.label


def solution_lines(read) -> set[str]:
    """The lines of a chapter's solutions (sources and outputs) found nowhere else in it."""
    removed = set(read.solution_cells)
    kept = [cell for i, cell in enumerate(read.notebook.cells) if i not in removed]
    solution = [read.notebook.cells[i] for i in sorted(removed)]
    shared = text_lines(kept)
    return {
        line
        for line in text_lines(solution)
        if line and not STRUCTURAL.match(line) and line not in shared
    }


def leaked_lines(read, student) -> list[str]:
    return sorted(solution_lines(read) & text_lines(student.cells))


def test_a_leaked_solution_line_is_found():
    read = chapter(STABILITY)
    student = make_workbook.student_notebook(read)
    assert leaked_lines(read, student) == []
    exercise = next(e for e in read.exercises if e.checker == "stable_softmax")
    code = next(
        read.notebook.cells[i]
        for i in exercise.solution_cells
        if read.notebook.cells[i].cell_type == "code"
    )
    line = next(line for line in code.source.splitlines() if "z.max(axis=-1" in line)
    student.cells[-1].source += "\n" + line  # one line of the answer, in the last cell
    assert leaked_lines(read, student) == [line.strip()]


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_text_or_code_in_the_workbook(name):
    read = structured(name)
    student = make_workbook.student_notebook(read)
    full = read.notebook.cells
    solution = [full[i] for i in read.solution_cells]
    assert len(student.cells) == len(full) - len(solution)
    # Whole solution cells: their source is nowhere in the workbook.
    workbook_text = "\n".join(cell.source for cell in student.cells)
    for cell in solution:
        body = "\n".join(
            line for line in cell.source.splitlines() if not STRUCTURAL.match(line.strip())
        ).strip()
        if body:
            assert body not in workbook_text, f"{name}: a solution cell is in the workbook"
    # Line by line: a line of a solution (source or output) that the rest of the chapter
    # does not also have (a checker call, an import) must not be in the workbook.
    assert solution_lines(read), f"{name}: its solutions have no line of their own"
    leaked = leaked_lines(read, student)
    assert leaked == [], f"{name}: lines of solutions in the workbook: {leaked}"
    assert not any(CORRECT in output_text(cell) for cell in student.cells)
    # The questions stay.
    for exercise in read.exercises:
        assert f":label: {exercise.label}" in workbook_text, exercise.label


@pytest.mark.parametrize("name", NAMES)
def test_every_checker_cell_keeps_its_not_answered_verdict(name):
    read = structured(name)
    student = make_workbook.student_notebook(read)
    cells = checker_cells(student)
    expected = [e.checker for e in read.exercises if e.checker]
    assert [checker for _, checker in cells] == expected, name
    for index, checker in cells:
        verdict = output_text(student.cells[index])
        assert verdict.startswith(f"{NOT_ANSWERED}: "), f"{name}, {checker}: {verdict!r}"


def test_checker_cells_match_the_package_catalogue():
    """Each checker of softmax_course.exercises is called by its exercise's cell."""
    called = {}
    for name in NAMES:
        for exercise in chapter(name).exercises:
            if exercise.checker:
                called[exercise.checker] = (name, exercise.label)
    catalogue = {c.name: key for key, c in course_teachers.checker_catalogue().items()}
    assert called == catalogue


def test_a_chapter_that_mixes_question_and_solution_is_refused(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            "```{exercise}\n:label: ex-mixed\n\nWhy?\n```\n\n"
            "```{solution-start} ex-mixed\n:class: dropdown\n```\n\nBecause."
        ),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ]
    path = tmp_path / "99_mixed.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(make_workbook.StructureError, match="99_mixed: exercise ex-mixed"):
        make_workbook.write_workbook(tmp_path / "out", [path])


def test_the_solution_cells_are_removed_and_nothing_else(tmp_path):
    new = nbformat.v4
    notebook = new.new_notebook()
    notebook.cells = [
        new.new_markdown_cell("# Title"),
        new.new_markdown_cell("```{exercise}\n:label: ex-a\n\nWrite f.\n```"),
        new.new_code_cell("def f(z):\n    ...\n\n\npassed = checker.check(f)"),
        new.new_markdown_cell("```{solution-start} ex-a\n:class: dropdown\n```\nTake z."),
        new.new_code_cell("def f(z):\n    return z"),
        new.new_markdown_cell("```{solution-end}\n```"),
        new.new_markdown_cell("After the exercises."),
    ]
    path = tmp_path / "99_small.ipynb"
    nbformat.write(notebook, path)
    removed = make_workbook.write_workbook(tmp_path / "out", [path])
    assert removed == {"99_small": 1}
    student = nbformat.read(tmp_path / "out" / "book" / "99_small.ipynb", as_version=4)
    assert [cell.source for cell in student.cells] == [
        notebook.cells[i].source for i in (0, 1, 2, 6)
    ]
    with zipfile.ZipFile(tmp_path / "out" / make_workbook.ZIP_NAME) as archive:
        names = archive.namelist()
    stem = make_workbook.ZIP_STEM
    assert f"{stem}/book/99_small.ipynb" in names and f"{stem}/README.md" in names


# -- the workbook as a student runs it ----------------------------------------------


@pytest.fixture(scope="session")
def unpacked(tmp_path_factory):
    """The workbook zip of the book's chapters, unpacked as a student unpacks it."""
    problems = [p for name in NAMES for p in chapter(name).problems]
    if problems:
        pytest.fail(
            "no workbook: chapters depart from its structure:\n  " + "\n  ".join(problems),
            pytrace=False,
        )
    out = tmp_path_factory.mktemp("workbook")
    make_workbook.write_workbook(out)
    student = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(out / make_workbook.ZIP_NAME) as archive:
        archive.extractall(student)
    return student / make_workbook.ZIP_STEM


#: What a learner's kernel keeps of this environment: the search path, the locale, and
#: what Windows needs to start a process. Nothing the Makefile exports.
KEPT_VARIABLES = ("PATH", "LANG", "SYSTEMROOT", "WINDIR", "TEMP", "TMP", "TMPDIR")


@pytest.fixture(scope="session")
def plain_environment(tmp_path_factory):
    """A learner's environment, with a fresh home folder (no Keras or Matplotlib config)."""
    home = str(tmp_path_factory.mktemp("home"))
    environment = {key: os.environ[key] for key in KEPT_VARIABLES if key in os.environ}
    environment.update(HOME=home, USERPROFILE=home)
    return environment


def filled_solutions(name: str) -> list[tuple[str, str]]:
    """The book's reference solutions of the chapter's code exercises: (checker, code)."""
    read = chapter(name)
    solutions = []
    for exercise in read.exercises:
        if exercise.checker is None:
            continue
        code = [
            read.notebook.cells[i].source
            for i in exercise.solution_cells
            if read.notebook.cells[i].cell_type == "code"
            and f"{exercise.checker}.check(" in read.notebook.cells[i].source
        ]
        assert len(code) == 1, f"{name}: {exercise.label}: one solution cell calls the checker"
        solutions.append((exercise.checker, code[0]))
    return solutions


@pytest.mark.parametrize("name", NAMES)
def test_the_workbook_runs_in_a_plain_kernel(name, unpacked, plain_environment):
    path = unpacked / "book" / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel(env=plain_environment):
        failure = None
        for index, cell in enumerate(notebook.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                failure = index, ANSI.sub("", str(error)).strip().splitlines()
                break
        if failure is not None:
            index, message = failure
            pytest.fail(
                f"workbook {name}, cell {index} fails in a plain kernel:\n"
                + "\n".join(message[-12:]),
                pytrace=False,
            )
        verdicts = {
            checker: output_text(notebook.cells[index])
            for index, checker in checker_cells(notebook)
        }
        # The learner fills an exercise with the book's solution and runs it again.
        filled = {}
        for checker, code in filled_solutions(name):
            cell = nbformat.v4.new_code_cell(code)
            notebook.cells.append(cell)
            client.execute_cell(cell, len(notebook.cells) - 1)
            filled[checker] = output_text(cell)
    errors = [
        (index, output_text(cell))
        for index, cell in enumerate(notebook.cells)
        if any(output.get("output_type") == "error" for output in cell.get("outputs", []))
    ]
    assert errors == [], f"workbook {name}: errors {errors}"
    for checker, verdict in verdicts.items():
        assert verdict.startswith(f"{NOT_ANSWERED}: "), f"{name}, {checker}: {verdict!r}"
    assert list(filled) == list(verdicts), name
    for checker, verdict in filled.items():
        assert verdict.startswith(CORRECT), f"{name}, {checker} filled: {verdict!r}"
    if name == STABILITY:
        assert filled["stable_softmax"].startswith(CORRECT)


# -- the teachers' page (book/teachers.md, completed by book/_ext/course_teachers.py) --


def test_the_checker_catalogue_is_read_through_its_interface():
    """The page reads CHECKERS: name, chapter, label, mistakes[].name."""
    catalogue = course_teachers.checker_catalogue()
    assert len(catalogue) >= 20
    for (name, label), checked in catalogue.items():
        assert name in NAMES, f"checker {checked.name}: no chapter {name}"
        assert label.startswith("ex-") and checked.name, checked
        assert checked.mistakes and all(m.strip() for m in checked.mistakes), checked


def test_a_changed_checker_interface_fails_with_a_message(monkeypatch):
    import softmax_course.exercises as exercises

    class Renamed:
        name, chapter, label = "x", "05_log_softmax_and_stability", "ex-x"

    monkeypatch.setattr(exercises, "CHECKERS", (Renamed(),))
    with pytest.raises(course_teachers.TeachersPageError, match="interface changed"):
        course_teachers.checker_catalogue()


@pytest.mark.parametrize("name", NAMES)
def test_the_opening_cell_states_outcomes_prerequisites_and_time(name):
    source = chapter(name).notebook.cells[0].source
    try:
        opening = course_teachers.read_opening(name, source)
    except course_teachers.TeachersPageError as error:
        pytest.fail(str(error), pytrace=False)
    assert 3 <= len(opening.outcomes) <= 7, f"{name}: {opening.outcomes}"
    assert opening.prerequisites and "Time:" not in opening.prerequisites
    assert 10 <= opening.minutes <= 120, f"{name}: {opening.minutes} minutes"
    for outcome in opening.outcomes:
        assert " ".join(outcome.split()) in " ".join(source.split()), outcome


def test_an_opening_cell_without_its_time_is_refused():
    source = "# Title\n\nIn this chapter you will:\n\n- learn\n\n**Prerequisites.** None."
    with pytest.raises(course_teachers.TeachersPageError, match="99_x: .*Time: about N"):
        course_teachers.read_opening("99_x", source)


def test_the_teachers_page_describes_every_chapter():
    try:
        chapters = course_teachers.read_chapters(ROOT)
    except course_teachers.TeachersPageError as error:
        pytest.fail(str(error), pytrace=False)
    assert [c.name for c in chapters] == NAMES
    page = course_teachers.chapters_markdown(chapters)
    flat = " ".join(page.split())
    total = sum(c.opening.minutes for c in chapters)
    assert f"**{course_teachers.duration(total)}**" in page
    catalogue = course_teachers.checker_catalogue()
    for info in chapters:
        heading = course_teachers.chapter_heading(info.name, info.opening.title)
        assert f"\n### {heading}\n" in page, heading
        assert f"about {info.opening.minutes} minutes" in page
        assert info.opening.prerequisites in flat
        for outcome in info.opening.outcomes:
            assert f"- {outcome}\n" in page, outcome
        for exercise in info.exercises:
            assert f"{{numref}}`{exercise.label}`" in page, exercise.label
        checked = [e for e in info.exercises if e.checker]
        assert f"{len(info.exercises)}, of which {len(checked)} check themselves" in page
    # Every checker, and every mistake it names, is on the page.
    for checked in catalogue.values():
        line = next(line for line in page.splitlines() if f"`{checked.name}.check`" in line)
        for mistake in checked.mistakes:
            assert mistake in line, (checked.name, mistake)


def test_the_teachers_page_is_in_the_reference_part_and_generated():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    reference = next(p for p in toc["parts"] if p["caption"] == "Reference")
    assert {"file": course_teachers.DOCNAME} in reference["chapters"]
    page = (ROOT / f"{course_teachers.DOCNAME}.md").read_text(encoding="utf-8")
    assert len(course_teachers.MARKER.findall(page)) == 1, "no ```{course-chapters}``` block"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "course_workbook" in config["sphinx"]["local_extensions"]
