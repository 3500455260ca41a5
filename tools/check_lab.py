"""Open every chapter in JupyterLab in headless Chromium, wait past an autosave, close: nothing changes.

    python tools/check_lab.py            # the project's configuration (tools/lab_setup.py)
    python tools/check_lab.py --plain    # jupytext's own contents manager: shows the rewrites

Starts the project's JupyterLab (as ``make lab`` does, on a free loopback port, autosave every 3 s
instead of 120 s) and loads every chapter of _toc.yml in a tab of headless Chromium
(``/lab/tree/<chapter>.md``). Each chapter opens as a notebook and starts its kernel, which marks it
dirty, so autosave saves it. Then Chromium is closed and the check asserts:

* every chapter opened as a notebook with its MyST rendered (read from one tab through the DevTools
  protocol: a ``.jp-Notebook`` with rendered Markdown cells and no raw ``{code-cell}``/``:::``);
* every chapter with code was saved at least once (the server log records each save), so the
  check is not vacuous;
* ``git status --porcelain`` and the bytes of every chapter are what they were before.

Exits 1 with the problems, 0 when clean. Chromium comes from Debian's package (installed by
tools/check_html.py's helper when missing).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from cdp import FLAGS as CHROME_FLAGS, find_or_install  # noqa: E402
from reader_cells import chapter_files  # noqa: E402

AUTOSAVE_S = 3
# Read back from the page: the notebook view and what jupyterlab-myst rendered.
PROBE = r"""(() => {
  const nb = document.querySelector('.jp-Notebook');
  const root = nb || document;
  const md = [...root.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst')];
  const text = md.map(e => e.innerText).join('\n');
  return JSON.stringify({notebook: !!nb, cells: root.querySelectorAll('.jp-Cell').length,
    markdown: md.length, admonitions: root.querySelectorAll('.jp-MarkdownCell aside, .jp-MarkdownCell .admonition').length,
    math: root.querySelectorAll('.jp-MarkdownCell .MathJax, .jp-MarkdownCell mjx-container, .jp-MarkdownCell .katex').length,
    raw: (text.match(/```\{|^:::|\{admonition\}/gm) || []).length});
})()"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(paths) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                          text=True).stdout


def wait_http(url: str, timeout: float) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class DevTools:
    """A minimal DevTools-protocol session on one page (tornado's websocket client)."""

    def __init__(self, ws_url: str):
        self.ws_url, self.conn, self.n = ws_url, None, 0

    async def __aenter__(self):
        from tornado.websocket import websocket_connect

        self.conn = await websocket_connect(self.ws_url, max_message_size=2**26)
        return self

    async def __aexit__(self, *exc):
        self.conn.close()

    async def js(self, expression: str, timeout: float = 60.0):
        """Evaluate ``expression`` in the page (promises awaited); its JSON-able value."""
        self.n += 1
        await self.conn.write_message(json.dumps({"id": self.n, "method": "Runtime.evaluate", "params": {
            "expression": expression, "returnByValue": True, "awaitPromise": True}}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.conn.read_message(), timeout))
            if msg.get("id") == self.n:
                res = msg["result"]
                if "exceptionDetails" in res:
                    raise RuntimeError(f"{expression[:80]}: {res['exceptionDetails']}")
                return res["result"].get("value")


async def drive(ws_url: str, chapters: list[str], wait: float) -> dict:
    """Open every chapter through JupyterLab's own command, wait, probe explore.md, close all."""
    async with DevTools(ws_url) as page:
        t0 = time.time()
        while not await page.js("!!(window.jupyterapp && document.querySelector('.jp-LabShell'))"):
            if time.time() - t0 > 180:
                raise TimeoutError("JupyterLab did not start in the browser within 180 s")
            await asyncio.sleep(1.0)
        for path in chapters:
            await page.js(f"jupyterapp.commands.execute('docmanager:open', {{path: {path!r}}})"
                          f".then(() => true)")
        await asyncio.sleep(wait)
        await page.js("jupyterapp.commands.execute('docmanager:open', "
                      "{path: 'chapters/explore.md'}).then(() => true)")
        await asyncio.sleep(2.0)
        probe = json.loads(await page.js(PROBE.replace("document.querySelector('.jp-Notebook')",
                                                       "jupyterapp.shell.currentWidget.node.querySelector('.jp-Notebook')")))
        await page.js("jupyterapp.commands.execute('application:close-all').then(() => true)")
        await asyncio.sleep(2.0)
        return probe


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plain", action="store_true", help="use jupytext's contents manager")
    ap.add_argument("--wait", type=float, default=25.0, help="seconds the chapters stay open")
    args = ap.parse_args(argv)
    browser = find_or_install()
    if browser is None:
        print("check_lab: SKIP: Chromium is not installed and could not be installed")
        return 0
    subprocess.run([sys.executable, str(ROOT / "tools" / "lab_setup.py")], check=True,
                   capture_output=True)
    chapters = chapter_files()
    before, status_before = digest(chapters), git_status()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="thermobook-lab-") as tmp:
        tmp = Path(tmp)
        plugin = tmp / "settings" / "@jupyterlab" / "docmanager-extension"
        plugin.mkdir(parents=True)
        (plugin / "plugin.jupyterlab-settings").write_text(json.dumps({"autosaveInterval": AUTOSAVE_S}))
        port, token, dport = free_port(), "thermobook-check", free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={ROOT}", f"--LabApp.user_settings_dir={tmp / 'settings'}",
               f"--LabApp.workspaces_dir={tmp / 'workspaces'}", "--LabApp.expose_app_in_browser=True", "--ServerApp.log_level=INFO"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        if args.plain:
            cmd.append("--ServerApp.contents_manager_class=jupytext.AsyncTextFileContentsManager")
        log = open(tmp / "server.log", "w")
        env = dict(os.environ, THERMOLIB_CACHE=str(tmp / "simcache"))
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        chrome = None
        try:
            wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", 90)
            urls = [f"http://127.0.0.1:{port}/lab/tree/{p.relative_to(ROOT).as_posix()}?token={token}"
                    for p in chapters]
            chrome = subprocess.Popen([browser, *CHROME_FLAGS, f"--user-data-dir={tmp / 'chrome'}",
                                       f"--remote-debugging-port={dport}", "--window-size=1400,1000",
                                       f"http://127.0.0.1:{port}/lab?token={token}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_http(f"http://127.0.0.1:{dport}/json/version", 30)
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{dport}/json"))
            page = next(t for t in targets if t.get("type") == "page")
            probe = asyncio.run(drive(page["webSocketDebuggerUrl"],
                                      [p.relative_to(ROOT).as_posix() for p in chapters], args.wait))
            print(f"check_lab: explore.md in JupyterLab: {probe}")
            if not probe["notebook"] or probe["cells"] < 10:
                problems.append(f"explore.md did not open as a notebook: {probe}")
            if probe["markdown"] < 5 or probe["admonitions"] < 1 or probe["raw"]:
                problems.append(f"MyST not rendered in explore.md: {probe}")
        finally:
            if chrome is not None:
                chrome.terminate()
                chrome.wait(30)
            time.sleep(1.0)
            server.terminate()
            server.wait(30)
            log.close()
        text = (tmp / "server.log").read_text()
        if os.environ.get("CHECK_LAB_LOG"):
            print(text[-6000:])
    saved = {p for p in chapters
             if re.search(rf"(Saving|thermobook: ){re.escape(p.name)}|{re.escape(p.relative_to(ROOT).as_posix())} has no changes", text)}
    from nbval_prepare import has_code, read_notebook

    for p in chapters:  # a chapter without code has no kernel: it is never dirty, never saved
        if p not in saved and has_code(read_notebook(p)):
            problems.append(f"{p.relative_to(ROOT)}: never saved (autosave did not run: check vacuous)")
    after = digest(chapters)
    changed = [Path(k).relative_to(ROOT).as_posix() for k in before if before[k] != after[k]]
    if changed:
        problems.append(f"chapters rewritten by opening them: {', '.join(changed)}")
        subprocess.run(["git", "diff", "--stat", "--", *changed], cwd=ROOT)
    if git_status() != status_before:
        problems.append(f"git status changed:\n{git_status()}")
    if problems:
        print("check_lab: FAILED\n  " + "\n  ".join(problems))
        return 1
    print(f"check_lab: {len(chapters)} chapters opened as notebooks and autosaved in JupyterLab; "
          f"git status unchanged, no chapter rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
