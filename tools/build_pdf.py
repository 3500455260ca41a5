"""The whole book as one PDF: ``python tools/build_pdf.py [--fidelity quick|paper]``.

1. ``tools/build_book.py --builder singlehtml`` builds the book as one HTML page (same chapters,
   same execution cache as the HTML book of that fidelity) into ``B/pdf/singlehtml``;
2. headless Chromium (Debian's ``chromium``, installed with apt-get when missing) loads it, waits
   until MathJax has typeset every formula and every figure is decoded, opens the solution
   dropdowns, and prints it (``Page.printToPDF``, A4, page numbers in the footer) to
   ``B/pdf/thermobook.pdf``.

``B`` is ``_build`` for quick and ``_build/paper`` for paper fidelity. The print layout (a new page
per chapter, no navigation) is in the book extension's ``thermobook.css``. Prints the page count.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_book  # noqa: E402
from cdp import Chromium, find_or_install  # noqa: E402
from check_html import WAIT_MATHJAX, serve  # noqa: E402

# Everything a reader of paper should see: dropdown solutions open, then all images decoded.
PREPARE = "(async () => {" + WAIT_MATHJAX + r"""
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('button.toggle-button').forEach(b => b.classList.remove('toggle-button-hidden'));
  document.querySelectorAll('details.dropdown, details.solution').forEach(d => { d.open = true; });
  await Promise.all(Array.from(document.images).map(im => im.complete ? null :
    new Promise(r => { im.onload = im.onerror = r; })));
  const bad = Array.from(document.images).filter(im => !im.naturalWidth).map(im => im.src);
  return {math: document.querySelectorAll('mjx-container').length,
          merror: document.querySelectorAll('mjx-merror').length,
          unrendered: Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length,
          images: document.images.length, broken: bad};
})()
"""
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
          '<span class="title"></span> &#8212; <span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')


def one_page(html_dir: Path) -> Path:
    """The one page of a singlehtml build, at the top of its folder.

    Sphinx writes it as ``<root_doc>.html`` (here ``chapters/intro.html``) but writes every link
    in it relative to the top folder, as if the root document had no folder; a copy at the top
    resolves them."""
    import yaml

    root_doc = yaml.safe_load((build_book.ROOT / "_toc.yml").read_text())["root"]
    page = html_dir / "thermobook.html"
    page.write_bytes((html_dir / f"{root_doc}.html").read_bytes())
    return page


def print_pdf(html_dir: Path, pdf: Path) -> dict:
    page = one_page(html_dir)
    server = serve(html_dir)
    try:
        with Chromium(find_or_install()) as browser:
            tab = browser.new_tab(1100, 1400)
            if not tab.goto(f"http://127.0.0.1:{server.server_address[1]}/{page.name}", timeout=300):
                raise RuntimeError("the one-page book did not load within 300 s")
            state = tab.evaluate(PREPARE, timeout=600)
            tab.print_pdf(str(pdf), displayHeaderFooter=True, headerTemplate="<div></div>",
                          footerTemplate=FOOTER, marginTop=0.5, marginBottom=0.6,
                          marginLeft=0.55, marginRight=0.55)
            state["console_errors"] = tab.console_errors()
    finally:
        server.shutdown()
    return state


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fidelity", choices=build_book.LEVELS,
                    default=os.environ.get("THERMOBOOK_FIDELITY", "").strip().lower() or "quick")
    ap.add_argument("--no-build", action="store_true", help="print the existing one-page build")
    args = ap.parse_args(argv)
    where = build_book.layout(args.fidelity, builder="singlehtml")
    if not args.no_build:
        rc = build_book.build(args.fidelity, builder="singlehtml")
        if rc:
            return rc
    pdf = where["html"].parent / "thermobook.pdf"
    state = print_pdf(where["html"], pdf)
    problems = []
    if state["unrendered"] or state["merror"]:
        problems.append(f"{state['unrendered']} formulas not typeset, {state['merror']} MathJax errors")
    if state["broken"]:
        problems.append(f"images not decoded: {state['broken'][:5]}")
    # The one-page build has no search index; the theme's search script asks for it anyway.
    errors = [e for e in state["console_errors"] if "searchindex.js" not in e]
    if errors:
        problems.append(f"console errors: {errors[:5]}")
    print(f"build_pdf: {pdf} ({page_count(pdf)} pages, {pdf.stat().st_size / 1e6:.1f} MB; "
          f"{state['math']} formulas, {state['images']} images)")
    for p in problems:
        print(f"build_pdf: problem: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
