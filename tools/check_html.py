"""Check the built book as a reader sees it: ``python tools/check_html.py [_build/html]``.

Every HTML page is served over a local HTTP server (loopback only) and loaded in headless Chromium,
driven over the DevTools protocol (``tools/cdp.py``). After MathJax has typeset the page, a probe
opens every collapsed block (dropdown solutions, hidden inputs) and measures. Classes of problems,
each of which fails the check:

``js-error``       any console error, uncaught exception or failed request the browser logs
``math-unrendered`` a math element MathJax did not typeset (or MathJax did not load)
``math-error``     a MathJax error node (``mjx-merror``: bad TeX) or an undefined control sequence
                   (which MathJax prints in red instead)
``math-wide``      display math wider than its column at 1280 px (clipped or needs scrolling);
                   the same at the phone width (``--phone``, default 400 px) is ``math-wide-phone``
``math-clipped``   inline math cut off by its box
``tex-in-text``    TeX left in rendered prose, link text, the page title or a tooltip:
                   a control sequence (``\\gamma``), ``$`` or ``\\(``/``\\[``
``image``          an image that is missing, outside the book, from another host or not decoded
``output``         a cell output with a traceback, or stderr mentioning an error
``http-404``       a request of the page the server could not answer
``provenance``     a page without ``<meta name="thermobook:fidelity">`` (or with another fidelity
                   than ``--fidelity``), a content page without its provenance line, or an
                   executed page whose line lacks the CPU time of its simulations
``numbering``      a page outside the numbered parts whose figures, tables or equations are
                   numbered 1, 2, ... (they would clash with the papers' Fig. 1, Eq. (1))
``solution``       (``--edition student``) a solution left in the HTML, or an exercise missing

The summary prints the count per class; exit status 1 when any class is non-empty. When Chromium
is missing it is installed with ``apt-get install -y chromium`` (Debian); when that is impossible
only the static checks run and a SKIP line says so.

Options: ``--screenshot PAGE.html OUT.png [--window-size W,H]`` also saves a screenshot;
``--jobs N`` pages at once (default 2); ``--only PAGE...`` check just these pages.
"""
from __future__ import annotations

import argparse
import functools
import html
import http.server
import re
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cdp import Chromium, ProtocolError, find_or_install  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Runs in the page after `load`: wait until MathJax has typeset the page (it loads deferred).
WAIT_MATHJAX = r"""
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  for (let i = 0; i < 200 && document.querySelector('.math') &&
       !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) { await sleep(100); }
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) { try { await mj.startup.promise; } catch (e) {} }
"""
# How far the typeset formula (mjx-math) sticks out of its box, and every display formula that
# sticks out of its column (the box scrolls or clips it). scrollWidth is no measure: MathJax's
# hidden assistive MathML inflates it.
MEASURE = r"""
const OVER = (m, box) => {
  const mr = m.getBoundingClientRect(), br = box.getBoundingClientRect();
  return Math.max(mr.right - br.right, br.left - mr.left);
};
const WIDE = (label) => {
  const out = [];
  document.querySelectorAll('mjx-container[display="true"]').forEach(c => {
    const m = c.querySelector('mjx-math');
    if (!c.offsetParent || !m) { return; }  // not laid out (display:none somewhere above)
    const over = OVER(m, c);
    if (over > 1) { out.push({over: Math.round(over), width: Math.round(c.clientWidth), what: label(c)}); }
  });
  return out;
};
"""
WIDE_ONLY = "(() => {" + MEASURE + r"""
  const label = (c) => {
    const div = c.closest('div.math'), eqno = div && div.querySelector('.eqno');
    return (eqno ? eqno.firstChild.textContent.trim() + ' ' : '') + (div && div.id ? '#' + div.id : '');
  };
  return WIDE(label);
})()"""


# Then open every collapsed block and measure.
PROBE = "(async () => {" + WAIT_MATHJAX + MEASURE + r"""
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('.toggle-details__container, .cell_input.hide, .hide .cell_input')
    .forEach(e => { e.style.display = 'block'; });
  await sleep(50);
  const res = {mathjax: !!(mj && mj.version), math: 0, raw: [], merror: [], wide: [], clipped: [],
               tex: [], imgs: [], title: document.title};
  const texOf = new Map();
  if (mj && mj.startup && mj.startup.document) {
    for (const item of mj.startup.document.math) {
      if (item.typesetRoot) { texOf.set(item.typesetRoot, item.math); }
    }
  }
  const label = (c) => {
    const div = c.closest('div.math');
    const eqno = div && div.querySelector('.eqno');
    const id = div && (div.id || (div.previousElementSibling && div.previousElementSibling.id));
    const tex = (texOf.get(c) || c.textContent || '').replace(/\s+/g, ' ').trim();
    return (eqno ? eqno.firstChild.textContent.trim() + ' ' : '') + (id ? '#' + id + ' ' : '') + tex.slice(0, 90);
  };
  document.querySelectorAll('.math').forEach(el => {
    res.math += 1;
    if (!el.querySelector('mjx-container')) { res.raw.push(el.textContent.trim().slice(0, 120)); }
  });
  document.querySelectorAll('mjx-merror').forEach(el => {
    const c = el.closest('mjx-container');
    res.merror.push((el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120) +
                    (c ? ' in ' + label(c) : ''));
  });
  // An undefined macro is no error node: MathJax's noundefined extension prints its name in red.
  document.querySelectorAll('mjx-assistive-mml mtext[mathcolor="red"]').forEach(el => {
    const c = el.closest('mjx-container');
    res.merror.push('undefined control sequence ' + el.textContent.slice(0, 60) +
                    (c ? ' in ' + label(c) : ''));
  });
  res.wide = WIDE(label);
  document.querySelectorAll('span.math').forEach(s => {
    const m = s.querySelector('mjx-math');
    if (!s.offsetParent || !m) { return; }
    const over = OVER(m, s);
    if (over > 1) { res.clipped.push({over: Math.round(over), what: label(s.querySelector('mjx-container'))}); }
  });
  const SKIP = new Set(['PRE', 'CODE', 'KBD', 'SAMP', 'SCRIPT', 'STYLE', 'TEXTAREA', 'NOSCRIPT']);
  const TEX = /\\[A-Za-z]+|\\[()\[\]]|\$/;
  const skipped = (p) => {
    for (; p; p = p.parentElement) {
      if (SKIP.has(p.tagName) || p.tagName.startsWith('MJX-')) { return true; }
      const cl = p.classList;
      if (cl && (cl.contains('math') || cl.contains('highlight') || cl.contains('headerlink'))) { return true; }
    }
    return false;
  };
  if (!document.body) { return res; }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null);
  let node;
  while ((node = walker.nextNode())) {
    const t = node.nodeValue;
    if (TEX.test(t) && !skipped(node.parentElement)) {
      const where = node.parentElement.closest('a') ? 'link text' :
                    (node.parentElement.closest('.onlyprint') ? 'print header' : 'text');
      res.tex.push(where + ': ' + t.replace(/\s+/g, ' ').trim().slice(0, 140));
    }
  }
  if (TEX.test(document.title)) { res.tex.push('page title: ' + document.title.slice(0, 140)); }
  document.querySelectorAll('body [title]').forEach(el => {
    const t = el.getAttribute('title');
    if (TEX.test(t) && !skipped(el)) { res.tex.push('tooltip: ' + t.slice(0, 140)); }
  });
  document.querySelectorAll('img').forEach(im => {
    res.imgs.push({src: im.getAttribute('src'), complete: im.complete, width: im.naturalWidth});
  });
  return res;
})()
"""

# ----------------------------------------------------------------------------- server
class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the book; records 404s per referring page."""

    missing: list[tuple[str, str]] = []
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def send_error(self, code, message=None, explain=None):
        if code == 404:
            with self.lock:
                self.missing.append((self.path, self.headers.get("Referer", "")))
        super().send_error(code, message, explain)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def serve(root: Path):
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ----------------------------------------------------------------------------- static checks
OUTPUT_DIV = re.compile(r'<div class="output ([a-z_ -]*?)(?: highlight-[\w-]+)?(?: notranslate)?">(.*?)</div>',
                        re.S)
IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)
META_FIDELITY = re.compile(r'<meta name="thermobook:fidelity" content="([^"]*)"')
SECTION_NUMBER = re.compile(r'<h1>\s*<span class="section-number">')
CAPTION_NUMBER = re.compile(r'<span class="(?:caption|eqno)[^"]*">\s*((?:Fig\.|Table|Listing)?\s*\(?\d+\)?)[\s<]')
PROVENANCE = re.compile(r'<(?:p|div) class="[^"]*\bthermobook-provenance\b[^"]*"[^>]*>(.*?)</(?:p|div)>', re.S)


def static_checks(page: Path, root: Path, fidelity: str | None, content_page: bool) -> list[tuple[str, str]]:
    """(class, message) problems found in the HTML file itself."""
    problems = []
    text = page.read_text(encoding="utf-8", errors="replace")
    for m in OUTPUT_DIV.finditer(text):
        kind, content = m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        if "traceback" in kind or "error" in kind:
            problems.append(("output", f"error output ({kind.strip()}): {content.strip()[:200]!r}"))
        elif "Traceback (most recent call last)" in content:
            problems.append(("output", f"traceback in {kind.strip()} output: {content.strip()[:200]!r}"))
        elif "stderr" in kind and re.search(r"\b\w*(Error|Exception)\b", content):
            problems.append(("output", f"stderr output with an error: {content.strip()[:200]!r}"))
    for src in IMG_SRC.findall(text):
        if src.startswith("data:"):
            continue
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            problems.append(("image", f"image from another host (does not load offline): {src}"))
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if not target.is_file():
            problems.append(("image", f"image file missing: {src}"))
        elif root.resolve() not in target.parents:
            problems.append(("image", f"image outside the book: {src}"))
    if content_page and not SECTION_NUMBER.search(text.split('<section', 1)[-1][:3000]):
        for num in CAPTION_NUMBER.findall(text):
            problems.append(("numbering", f"unnumbered page numbers an item {num!r}"))
    metas = META_FIDELITY.findall(text)
    if len(metas) != 1:
        problems.append(("provenance", f'{len(metas)} <meta name="thermobook:fidelity"> tags (want 1)'))
    elif fidelity and metas[0] != fidelity:
        problems.append(("provenance", f"page says fidelity {metas[0]!r}, this build must be {fidelity!r}"))
    if content_page:
        lines = PROVENANCE.findall(text)
        if len(lines) != 1:
            problems.append(("provenance", f"{len(lines)} provenance lines (want 1)"))
        else:
            line = html.unescape(re.sub(r"<[^>]+>", "", lines[0]))
            if metas and metas[0].lower() not in line.lower():
                problems.append(("provenance", f"provenance line does not state the fidelity: {line!r}"))
            executed = re.search(r'<div class="cell docutils container', text) is not None
            if executed and "CPU" not in line:
                problems.append(("provenance", f"page has code but its line has no CPU time: {line!r}"))
    return problems


SOLUTION_BLOCK = re.compile(r"^(`{3,}|:{3,})\{solution\}[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
EXERCISE_BLOCK = re.compile(r"^(`{3,}|:{3,})\{exercise\}", re.M)


def solution_snippets(source_root: Path) -> tuple[list[tuple[str, str]], int]:
    """Distinctive plain-text snippets of every {solution} body in the chapters, and the number
    of {exercise} directives."""
    snippets, n_ex = [], 0
    for md in sorted((source_root / "chapters").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        n_ex += len(EXERCISE_BLOCK.findall(text))
        outside = re.sub(r"\s+", " ", SOLUTION_BLOCK.sub(" ", text))
        for m in SOLUTION_BLOCK.finditer(text):
            body = "\n".join(line for line in m.group(2).splitlines() if not line.startswith(":"))
            body = re.sub(r"\s+", " ", re.sub(r"\$[^$]*\$|`[^`]*`|\{[^}]*\}", " | ", body))
            # the longest run of plain words (no math, no markup) found nowhere else on the page
            runs = sorted(re.findall(r"[A-Za-z][A-Za-z ,;'-]{24,}", body), key=len, reverse=True)
            runs = [r.strip()[:60] for r in runs if r.strip()[:60] not in outside]
            if runs:
                snippets.append((md.relative_to(source_root).as_posix(), runs[0]))
    return snippets, n_ex


def student_checks(root: Path, source_root: Path) -> list[tuple[str, str, str]]:
    problems = []
    snippets, n_ex = solution_snippets(source_root)
    texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8", errors="replace")
             for p in root.rglob("*.html") if not p.relative_to(root).parts[0].startswith("_")}
    plain = {k: re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", v))) for k, v in texts.items()}
    for rel, text in texts.items():
        n = len(re.findall(r'class="[^"]*\bsolution\b', text))
        if n:
            problems.append((rel, "solution", f"{n} solution element(s) in the HTML"))
    for src, snip in snippets:
        hits = [rel for rel, t in plain.items() if snip in t]
        if hits:
            problems.append((hits[0], "solution", f"solution text of {src} in the HTML: {snip!r}"))
    n_rendered = sum(len(re.findall(r'<div class="[^"]*\bexercise\b[^"]*admonition', t)) +
                     len(re.findall(r'<div class="[^"]*admonition[^"]*\bexercise\b', t))
                     for t in texts.values())
    if n_rendered < n_ex:
        problems.append(("(book)", "solution", f"{n_rendered} exercises rendered, {n_ex} in the sources"))
    if not snippets:
        problems.append(("(book)", "solution", "no solution found in the sources: the check has nothing to test"))
    return problems


# ----------------------------------------------------------------------------- browser checks
def browser_checks(browser: Chromium, base: str, rel: str, phone: int) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    tab = browser.new_tab(1280, 900)
    try:
        if not tab.goto(f"{base}/{rel}", timeout=120):
            return [("js-error", "page did not fire 'load' within 120 s")]
        try:
            res = tab.evaluate(PROBE, timeout=120)
        except ProtocolError as exc:
            return [("js-error", f"probe failed: {exc}")]
        if res["math"] and not res["mathjax"]:
            problems.append(("math-unrendered", f"{res['math']} math elements but MathJax did not load"))
        problems += [("math-unrendered", f"not typeset: {r!r}") for r in res["raw"]]
        problems += [("math-error", e) for e in res["merror"]]
        problems += [("math-wide", f"{w['over']} px wider than its {w['width']} px column: {w['what']}")
                     for w in res["wide"]]
        problems += [("math-clipped", f"{w['over']} px cut off: {w['what']}") for w in res["clipped"]]
        problems += [("tex-in-text", t) for t in res["tex"]]
        problems += [("image", f"image not displayed (naturalWidth = 0): {im['src']}")
                     for im in res["imgs"] if not im["complete"] or not im["width"]]
        if phone:
            tab.set_width(phone, 800)
            wide = tab.evaluate(WIDE_ONLY)
            problems += [("math-wide-phone", f"{w['over']} px wider than its {w['width']} px column "
                          f"at {phone} px: {w['what']}") for w in wide]
        problems += [("js-error", e) for e in dict.fromkeys(tab.console_errors())]
    finally:
        tab.close()
    return problems


def content_pages(root: Path) -> set[str]:
    """Pages built from a source document (not genindex/search)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*.html")
            if not p.relative_to(root).parts[0].startswith("_")
            and p.name not in ("genindex.html", "search.html", "py-modindex.html")}


def is_redirect(page: Path) -> bool:
    """jupyter-book's index.html: only a meta refresh to the root page."""
    head = page.read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in head and "<body" not in head


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html_dir", nargs="?", default="_build/html")
    ap.add_argument("--jobs", type=int, default=2, help="pages loaded at once (default 2)")
    ap.add_argument("--fidelity", choices=("quick", "paper"),
                    help="every page must say this fidelity (default: not checked)")
    ap.add_argument("--edition", choices=("full", "student"), default="full",
                    help="student: no solution may be left in the HTML, every exercise must be")
    ap.add_argument("--source", default=str(ROOT), help="book source (for --edition student)")
    ap.add_argument("--phone", type=int, default=400,
                    help="also measure display math at this width in px (0: skip; default 400)")
    ap.add_argument("--phone-fails", action="store_true",
                    help="count math-wide-phone as a failure (default: reported only)")
    ap.add_argument("--only", nargs="*", help="check only these pages (paths relative to html_dir)")
    ap.add_argument("--screenshot", nargs=2, metavar=("PAGE", "PNG"),
                    help="also save a full-page screenshot of PAGE (path relative to html_dir)")
    ap.add_argument("--window-size", default="1280,900", help="screenshot viewport (default 1280,900)")
    args = ap.parse_args(argv)

    root = Path(args.html_dir).resolve()
    if not (root / "index.html").exists():
        print(f"check_html: {root}/index.html not found; build the book first", file=sys.stderr)
        return 1
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                   if not p.relative_to(root).parts[0].startswith("_") and not is_redirect(p))
    if args.only:
        pages = [p for p in pages if p in set(args.only)]
    docs = content_pages(root)

    found: list[tuple[str, str, str]] = []  # (page, class, message)
    for rel in pages:
        found += [(rel, c, m) for c, m in static_checks(root / rel, root, args.fidelity, rel in docs)]
    if args.edition == "student":
        found += student_checks(root, Path(args.source))

    browser_path = find_or_install()
    if browser_path is None:
        print("check_html: SKIP browser checks: Chromium is not installed and could not be "
              "installed (apt-get install -y chromium). Static checks only.")
    else:
        server = serve(root)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with Chromium(browser_path) as browser:
                with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                    for rel, plist in pool.map(
                            lambda r: (r, browser_checks(browser, base, r, args.phone)), pages):
                        found += [(rel, c, m) for c, m in plist]
                if args.screenshot:
                    page, png = args.screenshot
                    w, h = (int(x) for x in args.window_size.split(","))
                    tab = browser.new_tab(w, h)
                    tab.goto(f"{base}/{page}")
                    tab.evaluate("(async () => {" + WAIT_MATHJAX + "})()")
                    tab.screenshot(str(Path(png).resolve()))
                    tab.close()
                    print(f"check_html: screenshot of {page} at {w} px -> {png}")
        finally:
            server.shutdown()
        for path, referer in Handler.missing:
            ref = unquote(urlsplit(referer).path.lstrip("/")) or "?"
            found.append((ref, "http-404", f"404 for {path}"))

    found = list(dict.fromkeys(found))
    counts = Counter(c for _, c, _ in found)
    failing = {c: n for c, n in counts.items() if c != "math-wide-phone" or args.phone_fails}
    for rel in sorted({r for r, _, _ in found}):
        for _, c, m in (f for f in found if f[0] == rel):
            print(f"  {rel}: [{c}] {m}")
    summary = ", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"
    print(f"check_html: {len(pages)} pages; problems by class: {summary}")
    if failing:
        print(f"check_html: FAILED ({sum(failing.values())} problems)")
        return 1
    print(f"check_html: {len(pages)} pages OK [{browser_path or 'static checks only'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
