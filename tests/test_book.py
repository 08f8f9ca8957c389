"""Checks of what a reader of the book sees (issue 13): the promises a build cannot keep.

The `-W` build catches broken references, but it renders a detached table row as a
paragraph of `|` characters, shows a leaked exercise check, and lets a code line
scroll sideways without a warning. These tests read the sources instead:

- every Markdown table (in the `.md` pages and in notebook markdown cells) parses as
  one table, with a delimiter row and the same number of columns in every row;
- code that checks an exercise is inside its gated solution (or hidden by a tag),
  a visible exercise workbook cell shows an invitation, not a verdict, and checker
  calls assign their result (a trailing ';' is ignored under nbval);
- notebook code lines and the lines of code blocks in Markdown fit the page;
- boilerplate (cells that only call `glue`, environment variables, lint pragmas)
  is hidden with `remove-input`, and a hidden cell shows no stray value;
- every glued name used in a notebook's prose is glued in that notebook, and every
  glued name is used;
- every `{ref}`, `{term}` and `{doc}` target exists, and no machine path is committed.
"""

from __future__ import annotations

import ast
import re

import pytest
from book_sources import BOOK, NOTEBOOKS, cell_source, load_notebook

PAGES = sorted(BOOK.glob("*.md"))
MAX_CODE_LINE = 87  # characters: ruff's line length for notebooks is 88, exclusive
HIDDEN = {"remove-input", "remove-cell", "hide-input", "hide-cell"}
REMOVED = {"remove-input", "remove-cell"}


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _markdown_texts():
    """(where, text) for every Markdown page and every notebook markdown cell."""
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in PAGES]
    for path in NOTEBOOKS:
        for index, cell in enumerate(load_notebook(path)["cells"]):
            if cell["cell_type"] == "markdown":
                texts.append((f"{path.name} cell {index}", cell_source(cell)))
    return texts


MARKDOWN = _markdown_texts()
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*(\{[^}]*\}|[\w+-]*)")


def _prose_lines(text):
    """Yield (number, line, in_code) for the lines of a Markdown text.

    Lines inside a fenced code block (```python, ```bash, or a bare ```) are marked
    in_code; the content of MyST directives (```{exercise}, ```{glossary}, ...) is
    prose, since it is parsed as Markdown; directive option lines are skipped.
    """
    stack = []  # open fences: (marker, is_code)
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if match:
            marker, info = match.groups()
            closing = line.strip()
            if stack and set(closing) == {stack[-1][0][0]} and len(closing) >= len(stack[-1][0]):
                stack.pop()
                continue
            if not (stack and stack[-1][1]):
                stack.append((marker, not info.startswith("{")))
                continue
        in_code = bool(stack) and stack[-1][1]
        if stack and not in_code and re.match(r"^:\w[\w-]*:", line):
            continue
        yield number, line, in_code


def _cells_of_row(line):
    """Number of cells of a pipe-table row (GFM: unescaped pipes split cells)."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return len(re.split(r"(?<!\\)\|", body))


def _tables(text):
    """Groups of consecutive lines that start with a pipe, outside code blocks."""
    groups, current = [], []
    for number, line, in_code in _prose_lines(text):
        if not in_code and line.lstrip().startswith("|"):
            current.append((number, line))
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@pytest.mark.parametrize("where,text", MARKDOWN, ids=[w for w, _ in MARKDOWN])
def test_markdown_tables_parse(where, text):
    for group in _tables(text):
        first_number, header = group[0]
        assert len(group) >= 2 and DELIMITER.match(group[1][1]), (
            f"{where}, line {first_number}: lines starting with '|' that are not a table "
            f"(a row detached by a blank line, or no delimiter row): {header.strip()[:80]}"
        )
        columns = _cells_of_row(header)
        for number, row in group:
            assert _cells_of_row(row) == columns, (
                f"{where}, line {number}: {_cells_of_row(row)} cells, the header has "
                f"{columns} (an unescaped '|' in a cell?): {row.strip()[:80]}"
            )


@pytest.mark.parametrize("where,text", MARKDOWN, ids=[w for w, _ in MARKDOWN])
def test_markdown_code_blocks_fit_the_page(where, text):
    for number, line, in_code in _prose_lines(text):
        if in_code:
            assert len(line) <= MAX_CODE_LINE, (
                f"{where}, line {number}: a code line of {len(line)} characters "
                f"scrolls sideways: {line[:60]}..."
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    for index, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] != "code" or _tags(cell) & {"remove-input", "remove-cell"}:
            continue
        for line in cell_source(cell).splitlines():
            assert len(line) <= MAX_CODE_LINE, (
                f"{path.name} cell {index}: a line of {len(line)} characters: {line}"
            )


def _exercise_regions(cells):
    """For each cell: 'before' the first exercise, 'exercise', or 'solution'.

    'solution' marks the cells between a ```{solution-start} cell and its
    ```{solution-end} cell (sphinx-exercise's gated directives).
    """
    marker = re.compile(r"```\{(exercise|exercise-start|solution-start|solution-end)\}")
    in_solution, seen_exercise, regions = False, False, []
    for cell in cells:
        if in_solution:
            regions.append("solution")
        else:
            regions.append("exercise" if seen_exercise else "before")
        if cell["cell_type"] != "markdown":
            continue
        for kind in marker.findall(cell_source(cell)):
            if kind.startswith("exercise"):
                seen_exercise = True
            elif kind == "solution-start":
                assert not in_solution, "a solution-start inside an open solution"
                in_solution = True
            else:
                assert in_solution, "a solution-end without its solution-start"
                in_solution = False
    assert not in_solution, "a solution-start without its solution-end"
    return regions


def _stdout(cell):
    return "".join(
        cell_source({"source": o.get("text", "")})
        for o in cell.get("outputs", [])
        if o["output_type"] == "stream"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_checks_do_not_leak(path):
    cells = load_notebook(path)["cells"]
    for index, (cell, region) in enumerate(zip(cells, _exercise_regions(cells), strict=True)):
        if cell["cell_type"] != "code" or region != "exercise" or _tags(cell) & HIDDEN:
            continue
        source = cell_source(cell)
        calls_checker = ".check(" in source
        assert calls_checker, (
            f"{path.name} cell {index}: a visible code cell among the exercises, outside "
            "a gated solution: put it between solution-start and solution-end, or tag it"
        )
        assert "assert" not in source, f"{path.name} cell {index}: a visible assert"
        assert "Not answered yet" in _stdout(cell), (
            f"{path.name} cell {index}: the workbook cell should show the invitation "
            "'Not answered yet: ...' on its placeholder answer"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_show_a_correct_verdict(path):
    cells = load_notebook(path)["cells"]
    for index, (cell, region) in enumerate(zip(cells, _exercise_regions(cells), strict=True)):
        if cell["cell_type"] == "code" and ".check(" in cell_source(cell):
            if region == "solution":
                assert "Correct" in _stdout(cell), (
                    f"{path.name} cell {index}: a reference solution whose check does not "
                    "print 'Correct'"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_solution(path):
    markdown = "\n".join(
        cell_source(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"
    )
    exercises = re.findall(
        r"```\{exercise(?:-start)?\}[^\n]*\n(?::[^\n]*\n)*?:label: ([\w-]+)", markdown
    )
    solutions = re.findall(r"```\{solution(?:-start)?\} ([\w-]+)", markdown)
    assert len(exercises) == len(set(exercises)), f"{path.name}: duplicate exercise labels"
    assert sorted(exercises) == sorted(solutions), (
        f"{path.name}: exercises {sorted(set(exercises) - set(solutions))} have no solution,"
        f" solutions {sorted(set(solutions) - set(exercises))} have no exercise"
    )


def _only_calls(source, names):
    """True if every statement of the cell is a call of one of `names`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id in names
        for node in tree.body
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_boilerplate_is_hidden(path):
    for index, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] != "code" or _tags(cell) & REMOVED:
            continue
        source = cell_source(cell)
        where = f"{path.name} cell {index}"
        assert not _only_calls(source, {"glue"}), f"{where}: a glue-only cell without remove-input"
        assert "os.environ" not in source, f"{where}: environment variables shown to the reader"
        assert not re.search(r"#\s*(noqa|type:\s*ignore|fmt:|pragma)", source), (
            f"{where}: a lint pragma shown to the reader"
        )


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
GLUE_DIRECTIVE = re.compile(r"```\{glue(?::\w+)?\}\s+(\S+)")


def _glued_names(notebook):
    names = set()
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                names.add(name)
    return names


def _used_glue_names(notebook):
    used = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = cell_source(cell)
            for match in GLUE_ROLE.findall(text) + GLUE_DIRECTIVE.findall(text):
                used.add(match.split(":")[0].strip())
    return used


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glued_names_are_glued_and_used(path):
    notebook = load_notebook(path)
    glued, used = _glued_names(notebook), _used_glue_names(notebook)
    assert not used - glued, f"{path.name}: used in the prose but never glued: {used - glued}"
    assert not glued - used, f"{path.name}: glued but never used: {glued - used}"


def _all_text():
    return "\n".join(text for _, text in MARKDOWN)


def _labels():
    text = _all_text()
    labels = set(re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M))
    labels |= set(re.findall(r"^:label:\s*([\w-]+)", text, re.M))
    return labels


def _glossary_terms():
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    return {
        line.strip()
        for line in block.splitlines()
        if line and not line[0].isspace() and not line.startswith(":")
    }


def _role_targets(role):
    targets = []
    for where, text in MARKDOWN:
        for content in re.findall(r"\{" + role + r"\}`([^`]+)`", text):
            match = re.search(r"<([^>]+)>\s*$", content)
            targets.append((where, (match.group(1) if match else content).strip()))
    return targets


def test_references_resolve():
    labels = _labels()
    missing = [(w, t) for w, t in _role_targets("ref") if t not in labels]
    assert not missing, f"{{ref}} targets with no label: {missing}"


def test_glossary_terms_exist():
    terms = {t.lower() for t in _glossary_terms()}
    missing = [(w, t) for w, t in _role_targets("term") if t.lower() not in terms]
    assert not missing, f"{{term}} targets missing from the glossary: {missing}"


def test_doc_links_resolve():
    missing = [
        (w, t)
        for w, t in _role_targets("doc")
        if not any((BOOK / f"{t}{ext}").exists() for ext in (".md", ".ipynb"))
    ]
    assert not missing, f"{{doc}} targets with no page: {missing}"


def test_no_machine_paths():
    for path in [*PAGES, *NOTEBOOKS]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])/(work|tmp|home|root)/", text), (
            f"{path.name} contains a path of this machine"
        )


def test_the_table_check_catches_a_detached_row():
    """The check itself: a row after a blank line is not part of the table."""
    text = "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| 3 | 4 |\n"
    groups = _tables(text)
    assert len(groups) == 2 and len(groups[1]) == 1
    assert _cells_of_row("| `x` | $y$ | z \\| w |") == 3
    fenced = "```python\n| not a table\n```\n```{note}\n| a | b |\n| --- | --- |\n```\n"
    assert [len(g) for g in _tables(fenced)] == [2]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checker_calls_do_not_rely_on_a_semicolon(path):
    """`checker.check(fn);` shows the returned bool under nbval.

    nbval runs cells with store_history=False, and IPython then ignores a trailing
    ';', so the stored output (none) and nbval's (`False`) differ. Assign the result.
    """
    for index, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] == "code":
            for line in cell_source(cell).splitlines():
                assert not re.match(r"^\s*[\w.]+\.check\(.*\)\s*;\s*$", line), (
                    f"{path.name} cell {index}: write `passed = ...check(...)`, not `;`"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hidden_cells_show_no_stray_value(path):
    """A remove-input cell's last expression would be printed without its code."""
    for index, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] == "code" and "remove-input" in _tags(cell):
            kinds = [o["output_type"] for o in cell.get("outputs", [])]
            assert "execute_result" not in kinds, (
                f"{path.name} cell {index}: a hidden cell shows a value on the page "
                "(end it with a statement, not an expression)"
            )
