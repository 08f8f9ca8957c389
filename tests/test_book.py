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
- boilerplate (cells that only fill `quoted`, lint pragmas) is hidden with
  `remove-input`, and a hidden cell shows no stray value; a cell that sets an
  environment variable is shown, after a sentence that says why (issue 19);
- every quoted number of the prose ({eval}) has its result stored as jupyterlab-myst
  stores it, every `quoted` name the prose uses is filled and every one filled is used;
- exercises are a workbook: each solution is its own run of cells, from a
  ```{solution-start} cell to a ```{solution-end} cell, every one tagged `solution`,
  closed or collapsed in JupyterLab, and no question shares a cell with a solution;
- every MyST role and directive of the notebooks is one jupyterlab-myst renders;
- every `{ref}`, `{term}` and `{doc}` target exists, and no machine path is committed.
"""

from __future__ import annotations

import ast
import importlib.util
import re

import pytest
from book_sources import BOOK, NOTEBOOKS, ROOT, cell_source, load_notebook

_spec = importlib.util.spec_from_file_location(
    "course_eval", ROOT / "book" / "_ext" / "course_eval.py"
)
course_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_eval)

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
        assert not _only_fills_quoted(source), f"{where}: a cell that only fills `quoted`"
        assert not re.search(r"#\s*(noqa|type:\s*ignore|fmt:|pragma)", source), (
            f"{where}: a lint pragma shown to the reader"
        )


def _only_fills_quoted(source):
    """True if every statement of the cell assigns to `quoted[...]` (loops included)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False

    def fills(node):
        if isinstance(node, ast.For):
            return all(fills(child) for child in node.body)
        return (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "quoted"
        )

    return bool(tree.body) and all(fills(node) for node in tree.body)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_environment_settings_are_shown_with_a_reason(path):
    """A chapter that needs a setting makes it itself, visibly, after a sentence of why."""
    cells = load_notebook(path)["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "os.environ" in cell_source(cell):
            where = f"{path.name} cell {index}"
            assert not _tags(cell) & HIDDEN, f"{where}: an environment setting is hidden"
            before = cells[index - 1]
            assert before["cell_type"] == "markdown" and "TensorFlow" in cell_source(before), (
                f"{where}: no sentence before the setting says why it is needed"
            )


QUOTED_KEY = re.compile(r"""quoted\[(f?)(["'])(.+?)\2\]""")


def _quoted_names(notebook):
    """(assigned, used): `quoted` keys filled by code (f-string keys as patterns), and
    the keys the prose's {eval} expressions read."""
    assigned, used = [], set()
    for cell in notebook["cells"]:
        source = cell_source(cell)
        if cell["cell_type"] == "code":
            for is_f, _, key in QUOTED_KEY.findall(source):
                if is_f:
                    key = "^" + re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)) + "$"
                    assigned.append(re.compile(key))
                else:
                    assigned.append(re.compile("^" + re.escape(key) + "$"))
        elif cell["cell_type"] == "markdown":
            for expression in course_eval.expressions(source):
                used |= {key for _, _, key in QUOTED_KEY.findall(expression)}
    return assigned, used


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_quoted_names_are_filled_and_used(path):
    assigned, used = _quoted_names(load_notebook(path))
    unfilled = {key for key in used if not any(p.match(key) for p in assigned)}
    unused = [p.pattern for p in assigned if not any(p.match(key) for key in used)]
    assert not unfilled, f"{path.name}: quoted in the prose but never filled: {unfilled}"
    assert not unused, f"{path.name}: filled but never quoted: {unused}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_quoted_numbers_are_stored_as_jupyterlab_myst_stores_them(path):
    """Each markdown cell's {eval} results are stored, in the text's order, as text.

    JupyterLab shows them before the learner runs anything; the book renders them
    (book/_ext/course_eval.py); strict nbval re-evaluates and compares them
    (book/conftest.py).
    """
    for index, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] == "markdown":
            problems = course_eval.check_cell(cell)
            assert not problems, f"{path.name} cell {index}: {problems}"


SOLUTION_END = "```{solution-end}\n```"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_separate_collapsed_cells(path):
    """The workbook structure (issue 19): what tools that strip solutions rely on.

    A solution is a run of cells tagged `solution`: a markdown cell that is one
    ```{solution-start} directive with `:class: dropdown` (its text inside, so that
    jupyterlab-myst shows it as a closed dropdown), the solution's code cells, which
    open with `# Solution` and are collapsed in JupyterLab with their outputs
    (markdown between them collapsed too), and a markdown cell that is only
    ```{solution-end}. No question shares a cell with a solution.
    """
    cells = load_notebook(path)["cells"]
    regions = _exercise_regions(cells)
    for index, cell in enumerate(cells):
        source, where = cell_source(cell), f"{path.name} cell {index}"
        markdown = cell["cell_type"] == "markdown"
        starts = markdown and source.startswith("```{solution-start}")
        inside = regions[index] == "solution" or starts
        assert ("solution" in _tags(cell)) == inside, f"{where}: the `solution` tag is wrong"
        if not inside:
            assert "```{solution" not in source, f"{where}: a solution outside its own cells"
            continue
        assert "```{exercise" not in source, f"{where}: a question in a solution's cell"
        jupyter = cell["metadata"].get("jupyter", {})
        if starts:
            head = source.split("\n\n", 1)[0]
            assert ":class: dropdown" in head, f"{where}: the solution is not a dropdown"
            assert source.endswith("\n```") and source.count("```") == 2, (
                f"{where}: the solution-start cell is not one closed directive"
            )
        elif markdown and "```{solution-end}" in source:
            assert source.strip() == SOLUTION_END, f"{where}: an end cell with other text"
        else:
            assert "```{solution" not in source, f"{where}: two solution directives"
            assert jupyter.get("source_hidden") is True, f"{where}: not collapsed in JupyterLab"
        if cell["cell_type"] == "code":
            assert jupyter.get("outputs_hidden") is True, f"{where}: its outputs show"
            assert source.startswith("# Solution\n"), f"{where}: collapsed, it shows code"


def _jupyterlab_myst_bundle():
    """The JavaScript of the installed jupyterlab-myst extension (its parser)."""
    import sys
    from pathlib import Path

    static = Path(sys.prefix) / "share/jupyter/labextensions/jupyterlab-myst/static"
    files = sorted(static.glob("*.js"))
    assert files, f"jupyterlab-myst is not installed in {sys.prefix} (requirements.txt)"
    return "".join(path.read_text(encoding="utf-8") for path in files)


ROLE_OR_DIRECTIVE = re.compile(r"(?:^\s*(?:`{3,}|:{3,})\{([\w:-]+)\}|\{([\w:-]+)\}`)", re.M)


def markup_names(text):
    """The MyST directive and role names a markdown text uses, in order."""
    return [directive or role for directive, role in ROLE_OR_DIRECTIVE.findall(text)]


def test_every_role_and_directive_renders_in_jupyterlab():
    """jupyterlab-myst knows every name the chapters use, so none shows raw there.

    Its bundle lists each role's and directive's names (and aliases) as strings;
    myst-nb's {glue} roles, for one, are not among them.
    """
    bundle = _jupyterlab_myst_bundle()
    raw = {}
    for path in NOTEBOOKS:
        for cell in load_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                for name in markup_names(cell_source(cell)):
                    if f'"{name}"' not in bundle:
                        raw.setdefault(path.name, []).append(name)
    assert not raw, f"markup that jupyterlab-myst shows raw: {raw}"


def test_the_markup_check_knows_what_jupyterlab_myst_does_not():
    bundle = _jupyterlab_myst_bundle()
    assert '"glue:text"' not in bundle and '"eval"' in bundle and '"solution-start"' in bundle
    text = "A {glue:text}`x:.2f` and {term}`logit`.\n\n```{exercise}\n:label: e\n```\n"
    assert markup_names(text) == ["glue:text", "term", "exercise"]


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


@pytest.mark.parametrize("where,text", MARKDOWN, ids=[w for w, _ in MARKDOWN])
def test_markdown_has_no_control_characters(where, text):
    """A stray control character (a "\\a" of "\\approx" in a Python string) breaks LaTeX."""
    found = re.findall(r"[\x00-\x08\x0b-\x1f]", text)
    assert not found, f"{where}: control characters {[hex(ord(c)) for c in found]}"
