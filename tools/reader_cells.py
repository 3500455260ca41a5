"""Collapse the book's plumbing cells for readers who open a chapter as a notebook.

    python tools/reader_cells.py              # add the metadata to every chapter of _toc.yml
    python tools/reader_cells.py --check      # exit 1 and list the cells that lack it
    python tools/reader_cells.py chapters/explore.md [...]   # only these files

What the HTML book hides, JupyterLab collapses: a code cell tagged ``remove-cell`` (assertions, glue)
gets ``jupyter: {source_hidden: true, outputs_hidden: true}``; a cell tagged ``remove-input`` or
``hide-input`` (plotting code under a figure) gets ``jupyter: {source_hidden: true}``. JupyterLab
reads these keys (they are what its "collapse input/output" commands write), nbval and the book build
ignore them, so the cells still run everywhere. The edit is textual and adds one line per cell: the
rest of the file, captions included, stays byte for byte as it was.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

FENCE = re.compile(r"^(`{3,})\{code-cell\}")
HIDE_ALL = {"remove-cell"}
HIDE_SOURCE = {"remove-input", "hide-input"}


def wanted(tags) -> dict:
    """The ``jupyter`` metadata a cell with these tags must carry ({} if none)."""
    tags = set(tags or ())
    if tags & HIDE_ALL:
        return {"source_hidden": True, "outputs_hidden": True}
    if tags & HIDE_SOURCE:
        return {"source_hidden": True}
    return {}


def _flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {str(v).lower()}" for k, v in d.items()) + "}"


def _cells(lines: list[str]):
    """Yield (kind, first, last) of each code cell's option header: kind "yaml" for a ``---`` block
    (lines first..last are the block without its ``---`` lines), "colon" for ``:key: value`` lines,
    "none" when the cell has no options (first = line after the fence, last = first - 1)."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, j = m.group(1), i + 1
        if j < len(lines) and lines[j].rstrip() == "---":
            end = next(k for k in range(j + 1, len(lines)) if lines[k].rstrip() == "---")
            yield "yaml", j + 1, end - 1
            j = end + 1
        elif j < len(lines) and lines[j].startswith(":"):
            k = j
            while k + 1 < len(lines) and lines[k + 1].startswith(":"):
                k += 1
            yield "colon", j, k
            j = k + 1
        else:
            yield "none", j, j - 1
        while j < len(lines) and lines[j].rstrip() != fence:  # skip the cell body
            j += 1
        i = j + 1


def _options(lines, kind, first, last) -> dict:
    if kind == "none":
        return {}
    body = lines[first:last + 1]
    if kind == "colon":
        body = [re.sub(r"^:([\w-]+):", r"\1:", ln) for ln in body]
    return yaml.safe_load("".join(body)) or {}


def process(text: str) -> tuple[str, list[str]]:
    """Return the text with the metadata added, and one description per cell that lacked it."""
    lines = text.splitlines(keepends=True)
    inserts, missing = [], []
    for kind, first, last in _cells(lines):
        opts = _options(lines, kind, first, last)
        need = wanted(opts.get("tags"))
        have = opts.get("jupyter") or {}
        if not need or all(have.get(k) is v for k, v in need.items()):
            continue
        if have:  # a hand-written jupyter key that disagrees: leave it to a person
            raise ValueError(f"line {first + 1}: cell has jupyter metadata {have} but needs {need}")
        missing.append(f"line {first + 1}: tags {opts.get('tags')} need jupyter: {_flow(need)}")
        if kind == "yaml":
            inserts.append((first, f"jupyter: {_flow(need)}\n"))
        elif kind == "colon":
            inserts.append((last + 1, f":jupyter: {_flow(need)}\n"))
    for at, line in sorted(inserts, reverse=True):
        lines.insert(at, line)
    return "".join(lines), missing


def chapter_files() -> list[Path]:
    from nbval_prepare import source_of, toc_files

    files = [source_of(entry) for entry in toc_files(ROOT / "_toc.yml")]
    return [f for f in files if f is not None and f.suffix == ".md"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="default: every chapter of _toc.yml")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a cell lacks it")
    args = ap.parse_args(argv)
    bad = 0
    for path in args.files or chapter_files():
        text = path.read_text(encoding="utf-8")
        new, missing = process(text)
        for m in missing:
            print(f"{path}: {m}")
        bad += len(missing)
        if missing and not args.check:
            path.write_text(new, encoding="utf-8")
    if args.check and bad:
        print(f"reader_cells: {bad} cell(s) lack their jupyter metadata; run "
              f"`python tools/reader_cells.py` to add it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
