"""Check the built book in a real browser: ``python tools/check_html.py [_build/html]``.

Every HTML page is served over a local HTTP server (loopback only) and loaded in headless Chromium.
A small script, injected into each page by the server (the files on disk are not touched), waits
for MathJax to finish typesetting and for the page to load, then records what a reader would see.
The page is read back with ``--dump-dom``. Checks, per page:

* the page loads and the probe reports back (no JavaScript crash before ``load``);
* every math element (``.math``) was rendered by MathJax (holds an ``mjx-container``), and no raw
  TeX delimiters (``\\(``, ``\\[``, ``$$``) are left in the visible text outside code blocks;
* every ``<img>`` resolves to an existing file and was decoded by the browser (``naturalWidth > 0``);
* no cell output holds a traceback (``.output.traceback``, "Traceback (most recent call last)") or a
  stderr output mentioning an error;
* no request of the page (scripts, fonts, images) got a 404 from the server.

Exits 1 with the list of problems, 0 when all pages pass. When Chromium is missing it is installed
with ``apt-get install -y chromium`` (Debian package); when that is impossible the check prints a
SKIP message and exits 0, so ``make test`` still works on a machine without apt.

Options: ``--screenshot PAGE.html OUT.png`` also saves a screenshot of one page;
``--jobs N`` loads N pages at once (default 2).
"""
from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
]
PROBE_ID = "thermobook-check-probe"
# Runs in the page: wait for window.load and MathJax's startup promise, then report.
PROBE = r"""
<script>
(function () {
  function report() {
    var res = {mathjax: !!(window.MathJax && window.MathJax.version), version: null,
               math: 0, rendered: 0, raw: [], imgs: [], rawtext: []};
    if (res.mathjax) { res.version = window.MathJax.version; }
    document.querySelectorAll('.math').forEach(function (el) {
      res.math += 1;
      if (el.querySelector('mjx-container')) { res.rendered += 1; }
      else { res.raw.push(el.textContent.slice(0, 120)); }
    });
    document.querySelectorAll('img').forEach(function (im) {
      res.imgs.push({src: im.getAttribute('src'), url: im.currentSrc || im.src,
                     complete: im.complete, width: im.naturalWidth});
    });
    // Visible text outside code, math and MathJax's own nodes: raw TeX delimiters left over?
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null);
    var node;
    while ((node = walker.nextNode())) {
      var p = node.parentElement, skip = false;
      while (p) {
        var tag = p.tagName.toLowerCase();
        if (tag === 'pre' || tag === 'code' || tag === 'script' || tag === 'style' ||
            tag === 'mjx-container' || tag === 'textarea' ||
            (p.classList && (p.classList.contains('math') || p.classList.contains('highlight')))) {
          skip = true; break;
        }
        p = p.parentElement;
      }
      if (skip) { continue; }
      var t = node.nodeValue;
      if (/\\\(|\\\[|\$\$/.test(t)) { res.rawtext.push(t.trim().slice(0, 120)); }
    }
    var pre = document.createElement('pre');
    pre.id = 'PROBE_ID';
    pre.textContent = JSON.stringify(res);
    document.body.appendChild(pre);
  }
  function whenTypeset(tries) {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(report, report);
    } else if (tries > 0 && document.querySelector('.math')) {
      setTimeout(function () { whenTypeset(tries - 1); }, 100);  // MathJax not loaded yet
    } else {
      report();
    }
  }
  window.addEventListener('load', function () { whenTypeset(100); });
})();
</script>
""".replace("PROBE_ID", PROBE_ID)


# ----------------------------------------------------------------------------- browser
def find_browser() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env and shutil.which(env):
        return shutil.which(env)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def install_browser() -> str | None:
    """Install Debian's chromium with apt; None (and a reason on stderr) when that fails."""
    if not shutil.which("apt-get"):
        print("check_html: apt-get not available", file=sys.stderr)
        return None
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        print("check_html: not root and no sudo", file=sys.stderr)
        return None
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("check_html: installing chromium (apt-get install -y chromium) ...", flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        proc = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"check_html: {' '.join(cmd)} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return None
    return find_browser()


# ----------------------------------------------------------------------------- server
class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the book; injects the probe into HTML pages; records 404s per referring page."""

    missing: list[tuple[str, str]] = []
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def send_error(self, code, message=None, explain=None):
        if code == 404 and not self.path.endswith("favicon.ico"):
            with self.lock:
                self.missing.append((self.path, self.headers.get("Referer", "")))
        super().send_error(code, message, explain)

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().decode("utf-8", "replace")
            body = body.replace("</body>", PROBE + "</body>", 1) if "</body>" in body else body + PROBE
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()


def serve(root: Path):
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


# ----------------------------------------------------------------------------- static checks
OUTPUT_DIV = re.compile(r'<div class="output ([a-z_ -]*?)(?: highlight-[\w-]+)?(?: notranslate)?">(.*?)</div>',
                        re.S)
IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)


def static_checks(page: Path, root: Path) -> tuple[list[str], list[str]]:
    """Problems and notes found in the HTML file itself (outputs, image files)."""
    problems, notes = [], []
    text = page.read_text(encoding="utf-8", errors="replace")
    for m in OUTPUT_DIV.finditer(text):
        kind, content = m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        if "traceback" in kind or "error" in kind:
            problems.append(f"error output ({kind.strip()}): {content.strip()[:200]!r}")
        elif "Traceback (most recent call last)" in content:
            problems.append(f"traceback in {kind.strip()} output: {content.strip()[:200]!r}")
        elif "stderr" in kind:
            if re.search(r"\b\w*(Error|Exception)\b", content):
                problems.append(f"stderr output with an error: {content.strip()[:200]!r}")
            elif content.strip():
                notes.append(f"stderr output: {content.strip()[:160]!r}")
    for src in IMG_SRC.findall(text):
        if src.startswith("data:"):
            continue
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            problems.append(f"image from another host (does not load offline): {src}")
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if not target.is_file():
            problems.append(f"image file missing: {src}")
        elif root.resolve() not in target.parents:
            problems.append(f"image outside the book: {src}")
    return problems, notes


# ----------------------------------------------------------------------------- browser checks
def dump_dom(browser: str, url: str, budget_ms: int, timeout: float) -> str:
    with tempfile.TemporaryDirectory(prefix="thermobook-chromium-") as profile:
        cmd = [browser, *CHROME_FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", "--dump-dom", url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return proc.stdout


def browser_checks(browser: str, base: str, rel: str, budget_ms: int) -> list[str]:
    problems = []
    try:
        dom = dump_dom(browser, f"{base}/{rel}", budget_ms, timeout=120)
    except subprocess.TimeoutExpired:
        return ["page did not finish loading within 120 s"]
    m = re.search(rf'<pre id="{PROBE_ID}"[^>]*>(.*?)</pre>', dom, re.S)
    if not m:
        return ["page did not report back (did not load, or a script crashed before 'load')"]
    res = json.loads(html.unescape(m.group(1)))
    if res["math"] and not res["mathjax"]:
        problems.append(f"{res['math']} math elements but MathJax did not load")
    for raw in res["raw"]:
        problems.append(f"math not rendered by MathJax: {raw!r}")
    for raw in res["rawtext"]:
        problems.append(f"raw TeX delimiters in the text: {raw!r}")
    for img in res["imgs"]:
        if not img["complete"] or not img["width"]:
            problems.append(f"image not displayed (naturalWidth = 0): {img['src']}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html_dir", nargs="?", default="_build/html")
    ap.add_argument("--jobs", type=int, default=2, help="pages loaded at once (default 2)")
    ap.add_argument("--budget-ms", type=int, default=15000,
                    help="Chromium virtual-time budget per page in ms (default 15000)")
    ap.add_argument("--screenshot", nargs=2, metavar=("PAGE", "PNG"),
                    help="also save a screenshot of PAGE (path relative to html_dir)")
    ap.add_argument("--window-size", default="1280,2400", help="screenshot size (default 1280,2400)")
    args = ap.parse_args(argv)

    root = Path(args.html_dir).resolve()
    if not (root / "index.html").exists():
        print(f"check_html: {root}/index.html not found; run `make book` first", file=sys.stderr)
        return 1
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                   if not p.relative_to(root).parts[0].startswith("_"))

    problems: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for rel in pages:
        p, n = static_checks(root / rel, root)
        problems[rel], notes[rel] = p, n

    browser = find_browser() or install_browser()
    if browser is None:
        print("check_html: SKIP browser checks: Chromium is not installed and could not be "
              "installed (apt-get install -y chromium). Static checks only.")
        bad = {k: v for k, v in problems.items() if v}
        for rel, plist in bad.items():
            for prob in plist:
                print(f"  {rel}: {prob}")
        return 1 if bad else 0

    server = serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = pool.map(lambda rel: (rel, browser_checks(browser, base, rel, args.budget_ms)),
                               pages)
            for rel, plist in results:
                problems[rel].extend(plist)
        if args.screenshot:
            page, png = args.screenshot
            with tempfile.TemporaryDirectory(prefix="thermobook-chromium-") as profile:
                subprocess.run([browser, *CHROME_FLAGS, f"--user-data-dir={profile}",
                                f"--virtual-time-budget={args.budget_ms}", f"--window-size={args.window_size}",
                                f"--screenshot={Path(png).resolve()}", f"{base}/{page}"],
                               capture_output=True, timeout=120)
            print(f"check_html: screenshot of {page} -> {png}")
    finally:
        server.shutdown()
    for path, referer in Handler.missing:
        ref = urlsplit(referer).path.lstrip("/") or "?"
        problems.setdefault(ref, []).append(f"404 for {path}")

    n_bad = sum(len(v) for v in problems.values())
    for rel in sorted(notes):
        for note in notes[rel]:
            print(f"check_html: note: {rel}: {note}")
    if n_bad:
        print(f"check_html: {n_bad} problem(s) in {len(pages)} pages:")
        for rel in sorted(problems):
            for prob in dict.fromkeys(problems[rel]):  # each distinct problem once
                print(f"  {rel}: {prob}")
        return 1
    print(f"check_html: {len(pages)} pages OK (math rendered by MathJax, images displayed, "
          f"no error outputs, no missing files) [{browser}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
