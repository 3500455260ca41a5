"""The quick and the paper book cannot share outputs (tools/build_book.py + the book extension).

jupyter-cache keys a chapter on its source, not on THERMOBOOK_FIDELITY: with one execution cache, a
paper build after a quick one published the quick outputs under the paper label without executing
anything. A one-page book (tests/book/) is built the way `make book` and `make book-paper` build
the real one, into a temporary folder:

1. quick build: the chapter runs; the page says quick (meta tag, provenance line, record);
2. paper build: the chapter runs again (a record executed after step 1 began, at paper fidelity);
3. quick build again: served from the quick cache (same record as step 1), still quick;
4. a build that bypasses the separation (plain ``jupyter-book build`` with THERMOBOOK_FIDELITY=paper
   on the quick build's folder, i.e. the old way) fails with the fidelity guard's message.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(__file__).resolve().parent / "book"
DOC = "chapters/probe"

pytestmark = pytest.mark.slow


def make_source(where: Path) -> Path:
    src = where / "src"
    (src / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", src / "_config.yml")
    shutil.copy(BOOK / "_toc.yml", src / "_toc.yml")
    shutil.copy(BOOK / f"{DOC}.md", src / f"{DOC}.md")
    shutil.copy(ROOT / "chapters" / "references.bib", src / "chapters" / "references.bib")
    for name in ("_ext", "_static", "tools"):  # tools/: the repository-button extension
        (src / name).symlink_to(ROOT / name)
    return src


def build(src: Path, out: Path, fidelity: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("THERMOBOOK_FIDELITY", "THERMOLIB_CACHE")}
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py"), "--source", str(src),
         "--toc", str(src / "_toc.yml"), "--out", str(out), "--fidelity", fidelity],
        env=env, capture_output=True, text=True, timeout=900)


def page(out: Path) -> dict:
    """What the built page says about itself, and the record behind it."""
    html = (out / "html" / f"{DOC}.html").read_text(encoding="utf-8")
    meta = re.findall(r'<meta name="thermobook:fidelity" content="([^"]*)"', html)
    line = re.search(r'<p class="thermobook-provenance">(.*?)</p>', html, re.S)
    glue = json.loads((out / "jupyter_execute" / f"{DOC}.glue.json").read_text())
    record = glue["thermobook_provenance"]["data"]["application/vnd.thermobook.provenance+json"]
    return {"meta": meta, "line": re.sub(r"<[^>]+>", "", line.group(1)) if line else None,
            "record": record}


def executed_after(record: dict, t0: float) -> bool:
    from datetime import datetime

    return datetime.fromisoformat(record["executed_at"]).timestamp() >= int(t0)


def test_quick_and_paper_builds_never_share_outputs(tmp_path):
    src = make_source(tmp_path)
    quick_out, paper_out = src / "_build", tmp_path / "paper"

    t0 = time.time()
    res = build(src, quick_out, "quick")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    quick = page(quick_out)
    assert quick["meta"] == ["quick"]
    assert quick["record"]["fidelity"] == "quick" and executed_after(quick["record"], t0)
    assert quick["line"].startswith("Quick fidelity") and "CPU time" in quick["line"]
    assert quick["record"]["results"] == 1

    t1 = time.time()
    res = build(src, paper_out, "paper")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    paper = page(paper_out)
    assert paper["meta"] == ["paper"]
    assert paper["record"]["fidelity"] == "paper", "the paper page shows quick outputs"
    assert executed_after(paper["record"], t1), "the paper build did not execute the chapter"
    assert paper["line"].startswith("Paper fidelity")
    assert (paper_out / "simcache").is_dir() and (quick_out / "simcache").is_dir()

    res = build(src, quick_out, "quick")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    again = page(quick_out)
    assert again["meta"] == ["quick"]
    assert again["record"] == quick["record"], "the quick cache was not reused (or was overwritten)"

    # The old way: one folder, one execution cache for both fidelities. The guard must stop it.
    jb = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, THERMOBOOK_FIDELITY="paper", THERMOLIB_CACHE=str(quick_out / "simcache"))
    res = subprocess.run([str(jb), "build", str(src), "-W", "-n", "--keep-going"], env=env,
                         capture_output=True, text=True, timeout=900)
    assert res.returncode != 0, "a paper build published quick outputs"
    assert "computed at quick fidelity" in res.stdout + res.stderr
