"""Headless Chromium driven over the DevTools protocol through a pipe (no network port, no
third-party package): ``with Chromium() as browser: tab = browser.new_tab(); tab.goto(url)``.

Chromium started with ``--remote-debugging-pipe`` reads protocol commands from its file
descriptor 3 and writes replies and events to descriptor 4, one JSON message per NUL-terminated
chunk. A reader thread dispatches replies to the waiting command and events to the tab
(``Target.attachToTarget`` with ``flatten``: one ``sessionId`` per tab). Used by
``tools/check_html.py`` (console errors, layout measurements at several widths) and
``tools/build_pdf.py`` (``Page.printToPDF``).

The browser is Debian's ``chromium`` (or ``$CHROMIUM``); :func:`find_or_install` installs it with
apt-get when it is missing and returns None when that is impossible.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
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
    "--font-render-hinting=none",
]


class ProtocolError(RuntimeError):
    """A DevTools command returned an error, or the browser went away."""


def find_browser() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env and shutil.which(env):
        return shutil.which(env)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def apt_install(*packages: str) -> bool:
    """``apt-get install -y PACKAGES`` (as root, or through ``sudo -n``); False with a reason on
    stderr when that is impossible."""
    if not shutil.which("apt-get"):
        print("apt-get not available", file=sys.stderr)
        return False
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        print("not root and no sudo: cannot apt-get install", file=sys.stderr)
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"installing {' '.join(packages)} (apt-get install -y) ...", flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        proc = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return False
    return True


def find_or_install() -> str | None:
    """The Chromium executable, installed from Debian's packages if missing; None if impossible."""
    return find_browser() or (apt_install("chromium") and find_browser()) or None


class Chromium:
    """One headless Chromium process, spoken to over the DevTools pipe."""

    def __init__(self, executable: str | None = None, *, extra_flags=(), timeout: float = 60.0):
        self.executable = executable or find_or_install()
        if self.executable is None:
            raise FileNotFoundError("Chromium is not installed and could not be installed")
        self.extra_flags = list(extra_flags)
        self.timeout = timeout
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[int, dict] = {}
        self._reply_cv = threading.Condition()
        self._events: dict[str, list[dict]] = defaultdict(list)  # sessionId -> events
        self._closed = False

    # -------------------------------------------------------------------- process
    def __enter__(self) -> "Chromium":
        self._profile = tempfile.mkdtemp(prefix="thermobook-chromium-")
        # Pipes to the browser's descriptors 3 (commands in) and 4 (messages out), handed over by
        # a shell `exec` so that no preexec_fn runs in this (threaded) process.
        cmd_r, self._cmd_w = os.pipe()
        self._msg_r, msg_w = os.pipe()
        argv = [self.executable, *FLAGS, *self.extra_flags, f"--user-data-dir={self._profile}",
                "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", f'exec "$@" 3<&{cmd_r} 4>&{msg_w}', "sh", *argv],
            pass_fds=(cmd_r, msg_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(msg_w)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.send("Target.setDiscoverTargets", {"discover": False})  # the handshake
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._msg_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._msg_r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._reply_cv:
                        self._replies[msg["id"]] = msg
                        self._reply_cv.notify_all()
                else:
                    with self._reply_cv:
                        self._events[msg.get("sessionId", "")].append(msg)
                        self._reply_cv.notify_all()
        with self._reply_cv:
            self._closed = True
            self._reply_cv.notify_all()

    # -------------------------------------------------------------------- protocol
    def send(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float | None = None) -> dict:
        """Send one command and wait for its result (raises :class:`ProtocolError`)."""
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            msg = {"id": mid, "method": method, "params": params or {}}
            if session:
                msg["sessionId"] = session
            data = json.dumps(msg).encode() + b"\0"
            os.write(self._cmd_w, data)
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._reply_cv:
            while mid not in self._replies:
                if self._closed and method != "Browser.close":
                    raise ProtocolError(f"browser exited while waiting for {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProtocolError(f"{method}: no reply within {timeout or self.timeout} s")
                self._reply_cv.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, session: str, method: str, timeout: float) -> dict | None:
        """The first not yet consumed event ``method`` of ``session`` (None after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._reply_cv:
            while True:
                for i, ev in enumerate(self._events[session]):
                    if ev["method"] == method and not ev.get("_seen"):
                        ev["_seen"] = True
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._reply_cv.wait(left)

    def events(self, session: str) -> list[dict]:
        with self._reply_cv:
            return list(self._events[session])

    def new_tab(self, width: int = 1280, height: int = 900) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            tab.send(f"{domain}.enable")
        tab.set_width(width, height)
        return tab


class Tab:
    """One page of the browser: navigate, evaluate, measure, print."""

    def __init__(self, browser: Chromium, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def set_width(self, width: int, height: int = 900, mobile: bool | None = None) -> None:
        """Lay the page out at ``width`` CSS pixels (a phone below 600 px: mobile viewport)."""
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": width < 600 if mobile is None else mobile})

    def goto(self, url: str, timeout: float = 60.0) -> bool:
        """Navigate and wait for the load event; False when it did not come within ``timeout``."""
        self.send("Page.navigate", {"url": url})
        return self.browser.wait_event(self.session, "Page.loadEventFired", timeout) is not None

    def evaluate(self, expression: str, timeout: float = 60.0):
        """Evaluate a JavaScript expression (promises awaited) and return its JSON value."""
        res = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                             "returnByValue": True}, timeout=timeout)
        if "exceptionDetails" in res:
            details = res["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise ProtocolError(f"script raised: {text}")
        return res.get("result", {}).get("value")

    def console_errors(self) -> list[str]:
        """Every console error, uncaught exception and browser-logged error of this tab so far."""
        out = []
        for ev in self.browser.events(self.session):
            p = ev.get("params", {})
            if ev["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                text = d.get("exception", {}).get("description") or d.get("text", "")
                out.append(f"uncaught exception: {text.splitlines()[0] if text else '?'}"
                           f" ({d.get('url', '')}:{d.get('lineNumber', '?')})")
            elif ev["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                out.append(f"console.{p['type']}: {args[:300]}")
            elif ev["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                out.append(f"{e.get('source', 'log')} error: {e.get('text', '')[:300]} {e.get('url', '')}".strip())
        return out

    def screenshot(self, path: str, full_page: bool = True) -> None:
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": min(size["height"], 16000), "scale": 1}
        data = self.send("Page.captureScreenshot", params, timeout=120)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))

    def print_pdf(self, path: str, **options) -> None:
        """``Page.printToPDF`` into ``path`` (A4, backgrounds, CSS page size honoured)."""
        params = {"printBackground": True, "preferCSSPageSize": True, "paperWidth": 8.27,
                  "paperHeight": 11.69, "transferMode": "ReturnAsStream", **options}
        stream = self.send("Page.printToPDF", params, timeout=900)["stream"]
        with open(path, "wb") as fh:
            while True:
                chunk = self.send("IO.read", {"handle": stream, "size": 1 << 20}, timeout=120)
                data = chunk.get("data", "")
                fh.write(base64.b64decode(data) if chunk.get("base64Encoded") else data.encode())
                if chunk.get("eof"):
                    break
        self.send("IO.close", {"handle": stream})

    def close(self) -> None:
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=10)
        except ProtocolError:
            pass
