"""The teachers' page of the Softmax course, generated from the chapters (a local Sphinx extension).

``book/teachers.md`` is written by hand (how to run the course for a class, how
to add an exercise) except for one line, a ```` ```{course-chapters} ```` block.
When Sphinx reads the page, this extension replaces that block with MyST
generated from the chapters themselves, so the page cannot drift from them:

* a table of every chapter of ``_toc.yml``: the reading time of its main path,
  its exercises, and how many of them check themselves;
* for each chapter, its learning outcomes and prerequisites (copied from its
  opening cell, with their links), the reading time it states ("Time: about N
  minutes"), and its exercises: the first sentence of each, whether it checks
  itself (the checker its cell calls) and which mistakes that checker names.

It reads the chapters through ``scripts/make_workbook.py`` (the exercises and
their solution cells, as the student workbook does) and the checkers through
the small interface :func:`checker_catalogue`. A chapter whose opening cell
lacks its outcomes, prerequisites or time, or an exercise structure the
workbook refuses, is a build warning (an error under ``-W``) naming the chapter.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from docutils.parsers.rst import Directive
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The document this extension completes, and the block it replaces.
DOCNAME = "book/teachers"
MARKER = re.compile(r"^```\{course-chapters\}[ \t]*\n```[ \t]*$", re.MULTILINE)

OUTCOMES = re.compile(
    r"In this (?:chapter|appendix) you will:\s*\n((?:[ \t]*- .*\n?|[ \t]+\S.*\n?)+)"
)
PREREQUISITES = re.compile(r"\*\*Prerequisites\.\*\*\s*(.*?)\s*Time:", re.DOTALL)
TIME = re.compile(
    r"Time:\s+about\s+(\d+)\s+minutes(?:,?\s+and\s+(\d+)\s+more\s+for\s+the\s+optional\s+section)?"
)
#: Roles that only resolve in their own notebook (glued values, inline expressions).
LOCAL_ROLES = re.compile(r"\{(glue(?::\w+)?|eval)\}`")
LOCAL_ROLE_TEXT = re.compile(r"\{(?:glue(?::\w+)?|eval)\}`[^`]*`")


class TeachersPageError(ValueError):
    """A chapter or the checker package that the teachers' page cannot read."""


@dataclass(frozen=True)
class Checked:
    """What the teachers' page says of a checker."""

    name: str
    mistakes: tuple[str, ...]


def checker_catalogue() -> dict[tuple[str, str], Checked]:
    """The checkers of ``softmax_course.exercises``, by (chapter, exercise label).

    The page reads only this interface: ``CHECKERS``, a sequence of checkers,
    each with ``name``, ``chapter`` (the notebook's stem), ``label`` (the
    exercise's) and ``mistakes``, a sequence of mistakes each with a
    ``name``. A change to it is a :class:`TeachersPageError` that says so.
    """
    try:
        from softmax_course.exercises import CHECKERS

        catalogue = {}
        for checker in CHECKERS:
            mistakes = tuple(str(mistake.name) for mistake in checker.mistakes)
            key = (str(checker.chapter), str(checker.label))
            catalogue[key] = Checked(str(checker.name), mistakes)
    except (ImportError, AttributeError, TypeError) as error:
        raise TeachersPageError(
            "the teachers' page reads softmax_course.exercises.CHECKERS and, of each "
            "checker, name, chapter, label and mistakes (each with a name); "
            f"that interface changed: {error!r}"
        ) from error
    if not catalogue or not all(c.name and c.mistakes for c in catalogue.values()):
        raise TeachersPageError(
            "softmax_course.exercises.CHECKERS is empty, or a checker has no name or "
            "no catalogued mistake"
        )
    return catalogue


def load_make_workbook(root: Path):
    """``scripts/make_workbook.py`` as a module (it is a script, not a package)."""
    module = sys.modules.get("make_workbook")
    if module is None:
        path = root / "scripts" / "make_workbook.py"
        spec = importlib.util.spec_from_file_location("make_workbook", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_workbook"] = module
        spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Opening:
    """What a chapter's opening cell states."""

    title: str
    outcomes: tuple[str, ...]
    prerequisites: str
    minutes: int
    optional_minutes: int | None


def read_opening(name: str, source: str) -> Opening:
    """Read the title, outcomes, prerequisites and reading time of an opening cell."""
    title = re.match(r"#\s+(.+)", source)
    outcomes = OUTCOMES.search(source)
    prerequisites = PREREQUISITES.search(source)
    time = TIME.search(source)
    missing = [
        what
        for what, found in (
            ("a '# ' title", title),
            ("'In this chapter you will:' and its list", outcomes),
            ("'**Prerequisites.**'", prerequisites),
            ("'Time: about N minutes'", time),
        )
        if found is None
    ]
    if missing:
        raise TeachersPageError(f"{name}: its opening cell has no {', no '.join(missing)}")
    items = re.split(r"^[ \t]*- ", outcomes.group(1), flags=re.MULTILINE)
    outcomes_list = tuple(" ".join(item.split()) for item in items if item.strip())
    return Opening(
        title=title.group(1).strip(),
        outcomes=outcomes_list,
        prerequisites=" ".join(prerequisites.group(1).split()),
        minutes=int(time.group(1)),
        optional_minutes=int(time.group(2)) if time.group(2) else None,
    )


def first_sentence(text: str) -> str:
    """The first sentence of an exercise's text, with its markup."""
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.?!])(?=\s|$)", flat)
    return match.group(1) if match else flat


def chapter_heading(name: str, title: str) -> str:
    number = re.match(r"(\d+)_", name)
    if number:
        return f"Chapter {int(number.group(1))}: {title}"
    return title


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h {rest:02d} min"


@dataclass
class ChapterInfo:
    name: str
    opening: Opening
    exercises: list  # make_workbook.Exercise
    checked: dict  # label -> Checked


def read_chapters(root: Path) -> list[ChapterInfo]:
    """Every notebook of ``_toc.yml`` with its opening, exercises and checkers."""
    make_workbook = load_make_workbook(root)
    catalogue = checker_catalogue()
    chapters, problems = [], []
    for path in make_workbook.toc_notebooks(root):
        chapter = make_workbook.read_chapter(path)
        problems += chapter.problems
        try:
            opening = read_opening(chapter.name, chapter.notebook.cells[0].source)
        except TeachersPageError as error:
            problems.append(str(error))
            continue
        checked = {}
        for exercise in chapter.exercises:
            entry = catalogue.get((chapter.name, exercise.label))
            if (entry.name if entry else None) != exercise.checker:
                problems.append(
                    f"{chapter.name}: exercise {exercise.label}: its cell calls "
                    f"{exercise.checker or 'no checker'}, the package lists "
                    f"{entry.name if entry else 'none'} for it"
                )
            if entry is not None:
                checked[exercise.label] = entry
        chapters.append(ChapterInfo(chapter.name, opening, chapter.exercises, checked))
    known = {(c.name, e.label) for c in chapters for e in c.exercises}
    for (name, label), entry in catalogue.items():
        if (name, label) not in known:
            problems.append(f"checker {entry.name}: no exercise {label} in chapter {name}")
    for chapter in chapters:
        for text in (*chapter.opening.outcomes, chapter.opening.prerequisites):
            if LOCAL_ROLES.search(text):
                problems.append(
                    f"{chapter.name}: its opening cell quotes a value that only its own "
                    f"notebook can show ({LOCAL_ROLES.search(text).group(0)}...)"
                )
    if problems:
        raise TeachersPageError("\n  ".join(["the chapters cannot be described:", *problems]))
    return chapters


def exercise_line(exercise, checked: Checked | None, *, link: bool = True) -> str:
    """One exercise: a link to it (``link``), its first sentence, and its checker."""
    sentence = first_sentence(exercise.text)
    # A quoted value ({eval}) is shown only by its own notebook: here it is an ellipsis.
    sentence = LOCAL_ROLE_TEXT.sub("…", sentence)
    # The PDF edition numbers and labels its exercises itself (course_pdf): no link there.
    line = f"- {{numref}}`{exercise.label}`: {sentence}" if link else f"- {sentence}"
    if checked is None:
        return line + " *Answered in its solution.*"
    mistakes = "; ".join(checked.mistakes)
    return (
        line + f" **Checks itself** (`{checked.name}.check`), and names these mistakes: {mistakes}."
    )


def chapters_markdown(chapters: list[ChapterInfo], *, link: bool = True) -> str:
    """The generated part of the teachers' page (MyST); ``link``: link each exercise."""
    total = sum(c.opening.minutes for c in chapters)
    optional = sum(c.opening.optional_minutes or 0 for c in chapters)
    exercises = sum(len(c.exercises) for c in chapters)
    checking = sum(len(c.checked) for c in chapters)
    lines = [
        "(teachers-chapters)=",
        "## The chapters",
        "",
        f"The {len(chapters)} chapters take about {duration(total)} of reading on their "
        f"main path (as each chapter states in its opening; optional sections add "
        f"{duration(optional)}), and have {exercises} exercises, of which {checking} "
        'check themselves: a cell calls a checker that says "Correct" or names the '
        "mistake. Every chapter's exercises have a solution in the book; the workbook "
        "leaves them out.",
        "",
        "| Chapter | Main path | Exercises | Self-checking |",
        "| --- | --- | --- | --- |",
    ]
    for chapter in chapters:
        minutes = f"{chapter.opening.minutes} min"
        if chapter.opening.optional_minutes:
            minutes += f" (+{chapter.opening.optional_minutes} optional)"
        lines.append(
            f"| {{doc}}`{chapter.name}` | {minutes} | {len(chapter.exercises)} | "
            f"{len(chapter.checked)} |"
        )
    lines.append(f"| **All** | **{duration(total)}** | **{exercises}** | **{checking}** |")
    for chapter in chapters:
        opening = chapter.opening
        time = f"about {opening.minutes} minutes"
        if opening.optional_minutes:
            time += f", and {opening.optional_minutes} more for its optional section"
        lines += [
            "",
            f"### {chapter_heading(chapter.name, opening.title)}",
            "",
            f"{{doc}}`Read the chapter <{chapter.name}>`. Reading time of the main path: {time}.",
            "",
            "**Learning outcomes.** The learner will:",
            "",
            *[f"- {outcome}" for outcome in opening.outcomes],
            "",
            f"**Prerequisites.** {opening.prerequisites}",
            "",
            f"**Exercises** ({len(chapter.exercises)}, of which {len(chapter.checked)} "
            "check themselves):",
            "",
        ]
        for exercise in chapter.exercises:
            checked = chapter.checked.get(exercise.label)
            lines.append(exercise_line(exercise, checked, link=link))
    return "\n".join(lines) + "\n"


def _complete_the_page(app, docname, source):
    if docname != DOCNAME:
        return
    root = Path(app.srcdir)
    if not MARKER.search(source[0]):
        logger.warning(
            f"{DOCNAME}: no ```{{course-chapters}}``` block for the chapters",
            location=docname,
        )
        return
    try:
        chapters = read_chapters(root)
    except TeachersPageError as error:
        logger.warning(f"{DOCNAME}: {error}", location=docname)
        return
    # Rebuilt when a chapter or a checker changes.
    import softmax_course.exercises

    for chapter in chapters:
        app.env.note_dependency(str(root / "book" / f"{chapter.name}.ipynb"))
    for module in sorted(Path(softmax_course.exercises.__file__).parent.glob("*.py")):
        app.env.note_dependency(str(module))
    text = chapters_markdown(chapters, link=app.builder.format == "html")
    source[0] = MARKER.sub(lambda _: text, source[0], count=1)


class _Unreplaced(Directive):
    """The block, if it was not replaced (a page other than the teachers' page)."""

    def run(self):
        logger.warning(
            f"```{{course-chapters}}``` belongs on {DOCNAME} only",
            location=self.state.document.settings.env.docname,
        )
        return []


def setup(app):
    app.connect("source-read", _complete_the_page)
    app.add_directive("course-chapters", _Unreplaced)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
