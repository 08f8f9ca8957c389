"""The PDF edition as a reader gets it: ``_build/pdf/softmax-course.pdf`` (``make pdf``).

Read with poppler's tools (``pdfinfo``, ``pdftotext``, ``pdffonts``,
``pdfimages``, ``pdftohtml``, from Debian's poppler-utils) and checked against
the sources: a title page, a sane number of pages, every chapter's title in
the table of contents and at its chapter, no ``??`` of an unresolved reference
and no LaTeX error, every font embedded, one numbered figure per image of the
HTML book, every exercise linked to its solution at the end of its chapter,
the explorer replaced by a note whose link finds its section of the site, the
bibliography and the glossary complete, no word outside the text block, and
the PDF served by the HTML site and linked from its landing page.
``COURSE_PDF=/path/to/file.pdf`` checks another build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from book_sources import toc_documents as all_toc_documents

ROOT = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get("COURSE_PDF", ROOT / "_build" / "pdf" / "softmax-course.pdf"))
#: The LaTeX log: beside the PDF (a COURSE_PDF straight from latexmk), or where make pdf ran.
LATEX_LOG = (
    PDF.with_suffix(".log")
    if PDF.with_suffix(".log").is_file()
    else ROOT / "_build" / "pdf" / "_build" / "latex" / "softmax-course.log"
)
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
#: Pages per document of the table of contents: fewer means content is lost,
#: more means something (a table, an output) exploded.
PAGES_PER_DOCUMENT = (3, 40)
FIGURE_CAPTION = re.compile(r"^Fig(?:ure|\.) (\d+)\.(\d+): ", re.MULTILINE)
POPPLER = ("pdfinfo", "pdftotext", "pdffonts", "pdfimages", "pdftohtml")


# -- the sources --------------------------------------------------------------------


def toc_documents() -> list[str]:
    """Every document of ``_toc.yml`` that has a file, root first, in reading order."""
    # A listed document without a file fails the book build itself.
    return [d for d in all_toc_documents() if any(ROOT.glob(f"{d}.*"))]


CHAPTERS = toc_documents()[1:]  # the root is the preface


def markdown_of(document: str) -> str:
    """The markdown of a document (the markdown cells of a notebook)."""
    notebook = ROOT / f"{document}.ipynb"
    if notebook.is_file():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return (ROOT / f"{document}.md").read_text(encoding="utf-8")


def title_of(document: str) -> str:
    for line in markdown_of(document).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{document} has no '# ' title")


def exercise_labels(document: str) -> list[str]:
    return re.findall(r"```\{exercise\}[^\n]*\n:label: *(\S+)", markdown_of(document))


def output_images(document: str) -> int:
    """Images a notebook's stored outputs show (what the HTML book renders)."""
    notebook = ROOT / f"{document}.ipynb"
    if not notebook.is_file():
        return len(re.findall(r"!\[[^\]]*\]\(|```\{(?:figure|image)\}", markdown_of(document)))
    count = 0
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"remove-output", "remove-cell"} & set(tags):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(mime.startswith("image/") for mime in data):
                count += 1
    return count


def normalized(text: str) -> str:
    """Letters and digits only, lower case: immune to line breaks, quotes and dashes.

    Accented letters become their base letter on both sides ("Über" in the PDF and
    ``{\\"U}ber`` in references.bib both give "uber").
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^0-9a-z]", "", decomposed)


# -- the PDF ------------------------------------------------------------------------


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install Debian's poppler-utils")
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: build it with `make pdf`")
    return PDF


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The text of every page (pdftotext separates pages with a form feed)."""
    return run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\n".join(pages)


@pytest.fixture(scope="module")
def words(pdf) -> list[tuple[float, float, list[tuple[float, float, float, str]]]]:
    """Each page's width, height and words (x_min, x_max, y_min, text), from pdftotext -bbox."""
    pages = []
    for page in run("pdftotext", "-bbox", str(pdf), "-").split("<page ")[1:]:
        width, height = (
            float(x) for x in re.search(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        )
        found = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page
        )
        pages.append((width, height, [(float(a), float(c), float(b), w) for a, b, c, w in found]))
    return pages


@cache
def pdfinfo(path: Path) -> dict[str, str]:
    lines = run("pdfinfo", str(path)).splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def test_the_pdf_is_built_from_the_current_sources(pdf):
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml"]
    sources += [ROOT / f"{doc}{ext}" for doc in toc_documents() for ext in (".md", ".ipynb")]
    newest = max((p for p in sources if p.is_file()), key=lambda p: p.stat().st_mtime)
    assert pdf.stat().st_mtime >= newest.stat().st_mtime, (
        f"the PDF is older than {newest.relative_to(ROOT)}: run `make pdf`"
    )


def test_title_page(pdf, pages):
    info = pdfinfo(pdf)
    assert info["Title"].strip() == CONFIG["title"]
    assert info["Author"].strip() == CONFIG["author"]
    first = " ".join(pages[0].split())
    assert CONFIG["title"] in first and CONFIG["author"] in first
    assert re.search(r"[A-Z][a-z]{2} \d{2}, 20\d\d", first), f"no date on the title page: {first}"
    width, height = (float(x) for x in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width), round(height)) == (595, 842), "not A4"


def test_page_count_is_sane(pdf):
    count = int(pdfinfo(pdf)["Pages"])
    low, high = (n * len(toc_documents()) for n in PAGES_PER_DOCUMENT)
    assert low <= count <= high, f"{count} pages for {len(toc_documents())} documents"


def test_table_of_contents_and_every_chapter_title(pages, text):
    # The contents: from its first page, the pages numbered in roman numerals.
    contents = next(i for i, page in enumerate(pages) if "CONTENTS" in page.upper())
    toc_pages = [pages[contents]]
    for page in pages[contents + 1 :]:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if not lines or not re.fullmatch(r"[ivxl]+", lines[-1]):
            break
        toc_pages.append(page)
    toc_text = normalized(" ".join(toc_pages))
    body = normalized(text)
    for document in CHAPTERS:
        title = normalized(title_of(document))
        assert title in toc_text, f"{document}: title not in the table of contents"
        assert body.count(title) >= 2, f"{document}: title not at its chapter"


def test_chapters_are_numbered_in_order(text):
    numbers = [int(n) for n in re.findall(r"^CHAPTER\s*\n*\s*([0-9]+)\s*$", text, re.MULTILINE)]
    words = re.findall(r"^Chapter (\d+)\. ", text, re.MULTILINE)  # running heads
    assert numbers or words, "no chapter numbers"
    assert sorted({int(w) for w in words}) == list(range(1, len(set(words)) + 1))


def test_no_unresolved_reference(text):
    assert "??" not in text, "an unresolved reference prints as ??"


def test_latex_log_is_clean():
    if not LATEX_LOG.is_file():
        pytest.skip(f"no LaTeX log at {LATEX_LOG} (COURSE_PDF from elsewhere)")
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    problems = [
        line
        for line in log.splitlines()
        if line.startswith("!")
        or re.search(r"undefined|multiply defined|Rerun to get|Missing character", line)
    ]
    assert problems == [], "LaTeX errors, unresolved references or glyphs missing from a font"
    wide = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert all(width < 3 for width in wide), f"lines wider than the text: {wide} pt"
    high = [float(x) for x in re.findall(r"Overfull \\vbox \(([\d.]+)pt too high\)", log)]
    assert all(height < 5 for height in high), f"pages taller than the text: {high} pt"


def test_every_font_is_embedded(pdf):
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "no fonts"
    not_embedded = []
    for row in rows:
        # name, type (one or more words), encoding, emb, sub, uni, object, generation
        fields = row.split()
        emb = fields[-5]
        if emb != "yes":
            not_embedded.append(row)
        assert "Type 3" not in row, f"a bitmap font: {row}"
    assert not_embedded == []


def html_images() -> int | None:
    """Images in the content of the HTML book's pages, or None without a build."""
    if not (HTML / "index.html").is_file():
        return None
    count = 0
    for document in toc_documents():
        page = (HTML / f"{document}.html").read_text(encoding="utf-8")
        article = re.search(r"<article[^>]*bd-article.*?</article>", page, re.DOTALL)
        assert article, f"{document}.html: no article"
        count += len(re.findall(r"<img\b", article.group(0)))
    return count


def test_one_numbered_figure_per_image_of_the_html_book(pdf, text):
    captions = [(int(c), int(n)) for c, n in FIGURE_CAPTION.findall(text)]
    stored = sum(output_images(doc) for doc in toc_documents())
    assert len(captions) == stored, f"{len(captions)} figures, {stored} images in the notebooks"
    html = html_images()
    if html is not None:
        assert len(captions) == html, f"{len(captions)} figures, {html} images in the HTML book"
    # Numbered within each chapter: 1.1, 1.2, 2.1, ...
    for previous, current in zip(captions, captions[1:], strict=False):
        assert current in {(previous[0], previous[1] + 1)} or (
            current[0] > previous[0] and current[1] == 1
        ), f"figure {current} after {previous}"
    listed = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [row for row in listed if row.split()[2] == "image"]
    assert len(images) == len(captions), "an image without its caption, or the reverse"


def test_images_fit_the_text_width(words):
    """No word (and no image edge, through its caption) outside the text block."""
    settings = CONFIG["sphinx"]["config"]["latex_elements"]["sphinxsetup"]
    inches = re.search(r"hmargin=\{([\d.]+)in,([\d.]+)in\}", settings)
    left, right = (float(x) * 72 for x in inches.groups())
    outside = [
        (number, word)
        for number, (width, _, page) in enumerate(words, start=1)
        for x_min, x_max, _, word in page
        if x_min < left - 1 or x_max > width - right + 1
    ]
    assert outside == [], "words outside the text block (runs off the page)"


def test_exercises_link_to_solutions_at_the_end_of_their_chapter(pages, text, words):
    exercises = [label for doc in CHAPTERS for label in exercise_labels(doc)]
    links = re.findall(r"Solution on page (\d+)", text)
    assert len(links) == len(exercises), f"{len(links)} links for {len(exercises)} exercises"
    assert len(re.findall(r"Solution to Exercise \d+", text)) == len(exercises)
    by_folio = page_of_folio(pages, words)
    for page in links:
        assert "Solution to Exercise" in by_folio[int(page)], f"no solution on page {page}"
    # Solutions come after the chapter's exercises, under "N.k Solutions".
    chapters_with_exercises = [doc for doc in CHAPTERS if exercise_labels(doc)]
    headings = re.findall(r"^(\d+)\.\d+ Solutions$", text, re.MULTILINE)
    assert len(set(headings)) == len(chapters_with_exercises)
    for chapter in set(headings):
        heading = re.search(rf"^{chapter}\.\d+ Solutions$", text, re.MULTILINE)
        exercises_heading = re.search(rf"^{chapter}\.\d+ Exercises$", text, re.MULTILINE)
        assert exercises_heading and exercises_heading.start() < heading.start()


def page_of_folio(pages: list[str], words) -> dict[int, str]:
    """Each page's text by its printed (arabic) page number.

    The number is on the footer line, beside a running head that may end in a
    digit too ("Chapter 8. ... Keras 3"): of the numbers there, a page's number
    is the one that keeps the pages in sequence.
    """
    numbers_on_footer = []
    for _, _, page_words in words:
        lowest = max((y_min for _, _, y_min, _ in page_words), default=0)
        footer = {int(w) for _, _, y_min, w in page_words if y_min > lowest - 2 and w.isdigit()}
        numbers_on_footer.append(footer)
    offsets = Counter(n - i for i, footer in enumerate(numbers_on_footer) for n in footer)
    offset = offsets.most_common(1)[0][0]
    return {
        i + offset: page
        for i, (page, footer) in enumerate(zip(pages, numbers_on_footer, strict=True))
        if i + offset in footer
    }


def test_the_explorer_is_replaced_by_a_note(text):
    assert "The softmax explorer is in the HTML edition" in text
    assert "book/03_softmax.html" in text.replace("\n", "")
    assert "softmax-explorer" not in text


def test_links_to_the_html_edition_resolve(pdf):
    """Relative links (the explorer note's) find their page and section in the site.

    The PDF sits at the root of the HTML site, so ``book/03_softmax.html#...``
    is resolved from there.
    """
    if not (HTML / "index.html").is_file():
        pytest.skip("no HTML build (make book)")
    html = run("pdftohtml", "-i", "-stdout", "-noframes", str(pdf))
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    internal = f"{pdf.stem}.html#"  # pdftohtml's own links between pages
    relative = [h for h in hrefs if not h.startswith(internal) and ":" not in h]
    assert relative, "no link to the HTML edition"
    for href in relative:
        page, _, anchor = href.partition("#")
        target = HTML / page
        assert target.is_file(), f"{href}: no such page in the site"
        assert not anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8"), href


def test_glossary_lists_every_term(pages):
    glossary = markdown_of("book/glossary")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", glossary, re.DOTALL).group(1)
    terms = [line.strip() for line in block.splitlines() if line and not line[0].isspace()]
    terms = [t for t in terms if not t.startswith(":")]
    assert terms
    start = next(i for i, p in enumerate(pages) if re.search(r"^GLOSSARY$", p, re.MULTILINE | re.I))
    glossary_text = normalized(" ".join(pages[start : start + 10]))
    missing = [term for term in terms if normalized(term) not in glossary_text]
    assert missing == [], "glossary terms missing from the PDF"


def test_bibliography_lists_every_cited_work(text):
    sources = " ".join(markdown_of(doc) for doc in toc_documents())
    cited = set()
    for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", sources):
        cited.update(key.strip() for key in keys.split(","))
    assert cited, "nothing cited"
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    body = normalized(text[text.rfind("BIBLIOGRAPHY") :])
    for key in sorted(cited):
        entry = re.search(rf"@\w+\{{{re.escape(key)},(.*?)\n\}}", bib, re.DOTALL)
        assert entry, f"{key} cited but not in references.bib"
        title = re.search(r"title\s*=\s*[{\"](.+?)[}\"],?\n", entry.group(1), re.DOTALL)
        words = normalized(re.sub(r"[{}\\]", "", title.group(1)))[:40]
        assert words in body, f"{key}: not in the PDF's bibliography"


def test_the_html_site_serves_the_pdf(pdf):
    if not (HTML / "index.html").is_file():
        pytest.skip("no HTML build (make book)")
    served = HTML / pdf.name
    assert served.is_file(), "the HTML site does not serve the PDF: run `make pdf` after the book"
    assert served.read_bytes() == pdf.read_bytes()
    # The landing page offers it.
    landing = HTML / f"{toc_documents()[0]}.html"
    links = re.findall(r'href="([^"#?]*\.pdf)"', landing.read_text(encoding="utf-8"))
    assert links, "the landing page has no link to the PDF edition"
    assert all((landing.parent / link).resolve() == served.resolve() for link in links), links


# -- the indicator symbol, \mathbbm{1} -----------------------------------------------

#: \mathbbm{x} of bbm, as unicode-math's \mathbb sets it (Latin Modern Math): the
#: double-struck letters and digits (U+1D538 ..., with the letters Unicode had before).
DOUBLE_STRUCK = {
    **{str(d): chr(0x1D7D8 + d) for d in range(10)},
    **{chr(ord("a") + i): chr(0x1D552 + i) for i in range(26)},
    **{chr(ord("A") + i): chr(0x1D538 + i) for i in range(26)},
    **dict(zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True)),
}
INDICATOR = DOUBLE_STRUCK["1"]  # U+1D7D9 MATHEMATICAL DOUBLE-STRUCK DIGIT ONE
STAND_IN = ROOT / "book" / "_latex" / "bbm.sty"


def test_bbm_is_the_course_stand_in():
    """Jupyter Book's class loads bbm; the PDF takes the course's stand-in, not
    texlive-fonts-extra's (so the small TeX set of the Makefile builds it)."""
    assert "book/_latex/bbm.sty" in CONFIG["sphinx"]["config"]["latex_additional_files"]
    if not LATEX_LOG.is_file():
        pytest.skip(f"no LaTeX log at {LATEX_LOG} (COURSE_PDF from elsewhere)")
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    assert re.search(r"\(\./bbm\.sty\s*\nPackage: bbm \S+ stand-in", log), (
        "bbm.sty was not the course's stand-in (book/_latex/bbm.sty)"
    )


def test_the_indicator_symbol_renders_with_the_stand_in(tmp_path):
    r"""\mathbbm{1} with the stand-in bbm.sty, then unicode-math (the order of Jupyter
    Book's class and preamble), is Latin Modern Math's U+1D7D9 in the PDF."""
    if shutil.which("xelatex") is None:
        pytest.fail("xelatex missing: install Debian's texlive-xetex (make system-deps)")
    shutil.copy(STAND_IN, tmp_path / "bbm.sty")
    (tmp_path / "indicator.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{bbm}\n"
        "\\usepackage{unicode-math}\n\\begin{document}\n"
        "$\\mathbbm{1}[y = k]$ and $\\mathbbm{R}^d$\n\\end{document}\n",
        encoding="utf-8",
    )
    subprocess.run(
        ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "indicator.tex"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    log = (tmp_path / "indicator.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log
    assert "stand-in" in log, "the stand-in bbm.sty was not the one loaded"
    shown = run("pdftotext", "-enc", "UTF-8", str(tmp_path / "indicator.pdf"), "-")
    assert INDICATOR in shown and "ℝ" in shown, shown
    assert "LatinModernMath" in run("pdffonts", str(tmp_path / "indicator.pdf"))


def test_every_mathbbm_of_the_book_is_in_the_pdf(text):
    r"""Each \mathbbm{x} of the sources is its double-struck character in the PDF."""
    sources = " ".join(markdown_of(doc) for doc in toc_documents())
    used = sorted(set(re.findall(r"\\mathbbm\s*\{?\s*([0-9A-Za-z])", sources)))
    if not used:
        pytest.skip(r"the book does not use \mathbbm (the stand-in is checked on its own)")
    absent = [x for x in used if DOUBLE_STRUCK[x] not in text]
    assert absent == [], rf"\mathbbm of {absent} not double-struck in the PDF"
