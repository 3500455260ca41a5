"""Live code on a built page, for real: thebe runs a chapter's cells against a Jupyter server.

    python tools/check_live.py [_build/html] [--page chapters/ndc/friction.html]

The published book runs cells on Binder; here the same page, the same thebe (0.9.3, from the npm
registry with ``npm pack``, cached in _build/thebe) and the same launch code (``initThebe()`` of
the page) run them on a local Jupyter server on loopback. The page is served by a local HTTP
server that changes two things only: the thebe script comes from the local copy instead of unpkg,
and one more thebe config fragment points at the local server instead of Binder. Headless Chromium
loads the page; through the DevTools protocol the check calls ``initThebe()``, waits for the
kernel, runs the page's first cells in order and reads the output that thebe put on the page.

Exits 0 when the chosen cell shows its expected output, 1 otherwise; SKIP (exit 0) without
Chromium or npm.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book_repository import THEBE_VERSION  # noqa: E402
from cdp import FLAGS as CHROME_FLAGS, find_or_install  # noqa: E402
from check_lab import DevTools, free_port, wait_http  # noqa: E402

CDN = f"https://unpkg.com/thebe@{THEBE_VERSION}/lib/index.js"


def thebe_lib() -> Path | None:
    """thebe's lib/ folder from the npm registry (cached in _build/thebe)."""
    dest = ROOT / "_build" / "thebe" / THEBE_VERSION
    if (dest / "lib" / "index.js").is_file():
        return dest / "lib"
    npm = shutil.which("npm")
    if npm is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", f"thebe@{THEBE_VERSION}", "--silent"], cwd=tmp, check=True,
                       capture_output=True)
        with tarfile.open(next(Path(tmp).glob("thebe-*.tgz"))) as tar:
            tar.extractall(tmp, filter="data")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(Path(tmp) / "package", dest)
    return dest / "lib"


def handler(root: Path, lib: Path, fragment: str):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/_thebe/"):
                target = lib / self.path[len("/_thebe/"):].split("?")[0]
                return self._send(target.read_bytes(), "application/javascript")
            path = Path(self.translate_path(self.path))
            if path.suffix == ".html" and path.is_file():
                body = path.read_text(encoding="utf-8").replace(CDN, "/_thebe/index.js")
                body = body.replace("</body>", fragment + "</body>", 1)
                return self._send(body.encode(), "text/html; charset=utf-8")
            return super().do_GET()

        def _send(self, data: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return functools.partial(Handler, directory=str(root))


async def drive(ws_url: str, cells: int, timeout: float) -> dict:
    async with DevTools(ws_url) as page:
        t0 = time.time()
        while not await page.js("document.readyState === 'complete' && typeof initThebe === 'function'"):
            if time.time() - t0 > 60:
                raise TimeoutError("the page did not load")
            await asyncio.sleep(0.5)
        await page.js("Promise.resolve(initThebe()).then(() => true)", timeout=timeout)
        while not await page.js("!!(window.thebe && thebe.session && thebe.session.kernel)"):
            if time.time() - t0 > timeout:
                raise TimeoutError("no kernel session")
            await asyncio.sleep(0.5)
        # Clear what the build put on the page, run the cells, read what thebe's output areas show.
        return json.loads(await page.js(f"""(async () => {{
            const cells = thebe.notebook.cells.slice(0, {cells});
            cells.forEach(c => c.area.model.clear());
            const before = cells.map(c => c.area.node.innerText);
            for (const c of cells) {{ await c.execute(); }}
            // execute() resolves when the request is sent: wait for the last cell's output (a
            // first cell that imports the library can take seconds), at most the timeout; the text
            // is read with textContent and its visibility from the laid-out height
            const last = cells[cells.length - 1], t0 = Date.now();
            while (!last.area.node.textContent.trim() && Date.now() - t0 < {(timeout - 15) * 1000:.0f}) {{
                await new Promise(r => setTimeout(r, 250)); }}
            await new Promise(r => setTimeout(r, 500));
            return JSON.stringify({{cells: thebe.notebook.cells.length, before,
                                   outputs: cells.map(c => c.area.node.textContent.slice(0, 400)),
                                   visible: cells.map(c => c.area.node.offsetHeight > 0),
                                   on_page: cells.map(c => document.body.contains(c.area.node))}}); }})()""",
                                        timeout=timeout))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html_dir", nargs="?", default="_build/html")
    ap.add_argument("--page", default="chapters/ndc/friction.html")
    ap.add_argument("--cells", type=int, default=2, help="run the page's first N cells")
    ap.add_argument("--expect", default="heat kernel", help="text the last of them must print")
    ap.add_argument("--timeout", type=float, default=180.0)
    args = ap.parse_args(argv)
    root = Path(args.html_dir).resolve()
    if not (root / args.page).is_file():
        print(f"check_live: {root / args.page} not found; run `make book` first", file=sys.stderr)
        return 1
    browser = find_or_install()
    lib = thebe_lib()
    if browser is None or lib is None:
        print("check_live: SKIP: needs Chromium and npm (thebe from the npm registry)")
        return 0
    jport, token = free_port(), "thermobook-live"
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={jport}", f"--IdentityProvider.token={token}",
           "--ServerApp.allow_origin=*", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={ROOT}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    fragment = ('<script type="text/x-thebe-config">' + json.dumps({
        "useBinder": False, "requestKernel": True, "mathjaxUrl": False,
        "serverSettings": {"baseUrl": f"http://127.0.0.1:{jport}", "wsUrl": f"ws://127.0.0.1:{jport}",
                           "token": token, "appendToken": True}}) + "</script>")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(root, lib, fragment))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    dport = free_port()
    with tempfile.TemporaryDirectory(prefix="thermobook-live-") as tmp:
        log = open(Path(tmp) / "server.log", "w")
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        chrome = None
        try:
            wait_http(f"http://127.0.0.1:{jport}/api/status?token={token}", 90)
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{args.page}"
            chrome = subprocess.Popen([browser, *CHROME_FLAGS, f"--user-data-dir={tmp}/chrome",
                                       f"--remote-debugging-port={dport}", url],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_http(f"http://127.0.0.1:{dport}/json/version", 30)
            target = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{dport}/json"))
                          if t.get("type") == "page")
            res = asyncio.run(drive(target["webSocketDebuggerUrl"], args.cells, args.timeout))
        finally:
            if chrome is not None:
                chrome.terminate()
                chrome.wait(30)
            server.terminate()
            server.wait(30)
            httpd.shutdown()
            log.close()
    shown = res["outputs"][-1]
    if any(res["before"]) or not all(res["on_page"]):
        print(f"check_live: FAILED: outputs not cleared or not on the page: {res}")
        return 1
    print(f"check_live: {args.page}: {res['cells']} live cells; cell {args.cells} shows {shown[:160]!r}")
    if os.environ.get("CHECK_LIVE_DEBUG"):
        print(json.dumps(res, indent=1)[:3000])
    if args.expect not in shown or not res["visible"][-1]:
        print(f"check_live: FAILED: expected {args.expect!r} in the visible output of cell "
              f"{args.cells}")
        return 1
    print("check_live: the page's cells ran on a Jupyter kernel through thebe and showed their output")
    return 0


if __name__ == "__main__":
    sys.exit(main())
