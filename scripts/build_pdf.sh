#!/usr/bin/env bash
# The PDF edition (`make pdf`): Jupyter Book's LaTeX builder, then XeLaTeX through latexmk.
#
#   scripts/build_pdf.sh --missing            print what the build needs and does not find
#                                             (TeX Live's programs, LaTeX packages, fonts;
#                                             nothing when all is there)
#   scripts/build_pdf.sh BOOK-BUILD-COMMAND   build _build/pdf/softmax-course.pdf, where
#                                             the command builds the book (the Makefile's
#                                             JUPYTER_BOOK_BUILD: warnings are errors)
#
# The builder writes its LaTeX sources and its own doctrees under _build/pdf/_build, so a
# PDF build never disturbs the HTML build. Stored outputs only: nothing is executed. The
# dates in the PDF are the last commit's (SOURCE_DATE_EPOCH), so a rebuild of the same
# sources gives the same file. TEXLIVE_DEBIAN (set by the Makefile) names the Debian
# packages to install when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PDF_BUILD=_build/pdf
LATEX_DIR=$PDF_BUILD/_build/latex
NAME=softmax-course

missing() {
  local found=() tool file font
  for tool in xelatex latexmk kpsewhich fc-list pdfinfo pdftotext pdffonts pdfimages pdftohtml; do
    command -v "$tool" >/dev/null || found+=("$tool")
  done
  if command -v kpsewhich >/dev/null; then
    # What the book's LaTeX loads beyond TeX Live's base (bbm: book/_latex/bbm.sty).
    for file in fncychap.sty ucharclasses.sty unicode-math.sty polyglossia.sty fvextra.sty \
      latinmodern-math.otf; do
      kpsewhich "$file" >/dev/null 2>&1 || found+=("$file")
    done
  fi
  if command -v fc-list >/dev/null; then
    for font in FreeSerif "DejaVu Sans Mono"; do
      fc-list "$font" 2>/dev/null | grep -q . || found+=("${font// /-}")
    done
  fi
  echo "${found[*]}"
}

if [ "${1:-}" = "--missing" ]; then
  missing
  exit 0
fi
if [ $# -eq 0 ]; then
  echo "usage: scripts/build_pdf.sh --missing | BOOK-BUILD-COMMAND..." >&2
  exit 2
fi

absent=$(missing)
if [ -n "$absent" ]; then
  echo "make pdf: TeX Live is missing or incomplete (no $absent)."
  echo "Install Debian's packages (make system-deps does):"
  echo "  sudo apt-get install --no-install-recommends ${TEXLIVE_DEBIAN:-(the packages of TEXLIVE_DEBIAN in the Makefile)}"
  exit 1
fi

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
rm -rf "$PDF_BUILD"
(set -x; "$@" --builder latex --path-output "$PDF_BUILD")

echo "make pdf: running XeLaTeX (latexmk) in $LATEX_DIR"
if ! (cd "$LATEX_DIR" && FORCE_SOURCE_DATE=1 max_print_line=10000 \
  LATEXOPTS="-interaction=nonstopmode -halt-on-error" \
  latexmk -pdf -dvi- -ps- "$NAME.tex" >latexmk.out 2>&1); then
  grep -A3 '^!' "$LATEX_DIR/$NAME.log" || tail -30 "$LATEX_DIR/latexmk.out"
  echo "make pdf: LaTeX failed, see $LATEX_DIR/$NAME.log"
  exit 1
fi
if grep -E '^!|undefined|multiply defined|Missing character' "$LATEX_DIR/$NAME.log"; then
  echo "make pdf: LaTeX errors, unresolved references or missing glyphs (above), see $LATEX_DIR/$NAME.log"
  exit 1
fi
cp "$LATEX_DIR/$NAME.pdf" "$PDF_BUILD/$NAME.pdf"
# The HTML site serves the PDF (its landing page links to it).
if [ -d _build/html ]; then cp "$PDF_BUILD/$NAME.pdf" _build/html/; fi
echo "The PDF is at $PWD/$PDF_BUILD/$NAME.pdf ($(pdfinfo "$PDF_BUILD/$NAME.pdf" | awk '/^Pages:/ {print $2}') pages)"
