"""Prepare the chapters of ``_toc.yml`` for nbval: ``python tools/nbval_prepare.py _build/nbval``.

Every page listed in ``_toc.yml`` that holds code (a MyST notebook with ``{code-cell}`` blocks, or
an ``.ipynb``) is converted with jupytext to ``<out>/<same relative path>.ipynb``. nbval starts each
kernel in the notebook's own folder, so the mirror keeps relative paths working: the chapters'
non-notebook files (images, small data files) and the top-level ``data/`` and ``sweeps/`` folders
are symlinked into it. Notebooks in ``<out>`` that are no longer in the toc are removed.

Prints one line per notebook; exits 0 with "no chapter with code" when there is nothing to test.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parents[1]
LINKED_TOP_LEVEL = ("data", "sweeps")
NOTEBOOK_SUFFIXES = (".md", ".ipynb")


def toc_files(toc_path: Path) -> list[str]:
    """All ``file:`` entries of a jb-book/jb-article toc (root first), without suffix."""
    toc = yaml.safe_load(toc_path.read_text())
    found: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for key in ("parts", "chapters", "sections"):
        walk(toc.get(key, []))
    return list(dict.fromkeys(found))


def source_of(entry: str) -> Path | None:
    base = ROOT / entry
    if base.suffix in NOTEBOOK_SUFFIXES and base.exists():
        return base
    for suffix in NOTEBOOK_SUFFIXES:
        candidate = base.with_name(base.name + suffix)
        if candidate.exists():
            return candidate
    return None


def read_notebook(path: Path):
    """The notebook of a chapter, or None for a plain Markdown page (myst-nb builds a .md as a
    notebook only when it is a MyST notebook: jupytext front matter and ``{code-cell}`` blocks)."""
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        if "{code-cell}" not in text:
            return None
        return jupytext.reads(text, fmt="md:myst")
    return jupytext.read(path)


def has_code(nb) -> bool:
    return nb is not None and any(
        cell.cell_type == "code" and cell.source.strip() for cell in nb.cells
    )


def symlink(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == target:
            return
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        else:
            link.unlink()
    link.symlink_to(target)


def main(argv: list[str]) -> int:
    out = (Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "nbval").resolve()
    out.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    chapter_dirs: set[Path] = set()
    for entry in toc_files(ROOT / "_toc.yml"):
        src = source_of(entry)
        if src is None:
            print(f"nbval_prepare: {entry} listed in _toc.yml but not found", file=sys.stderr)
            return 1
        nb = read_notebook(src)
        if not has_code(nb):
            continue
        rel = src.relative_to(ROOT).with_suffix(".ipynb")
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists() or dest.stat().st_mtime < src.stat().st_mtime:
            jupytext.write(nb, dest, fmt="ipynb")
        wanted.add(dest)
        chapter_dirs.add(src.parent)
        print(f"nbval_prepare: {rel}")
    # Assets next to the chapters (figures, small csv files...), linked at the same relative path.
    for folder in chapter_dirs:
        for item in folder.iterdir():
            if item.suffix in NOTEBOOK_SUFFIXES or item.name.startswith((".", "_")):
                continue
            if item.is_file() or (item.is_dir() and not any(item.rglob("*.md"))):
                symlink(item, out / item.relative_to(ROOT))
    for name in LINKED_TOP_LEVEL:
        if (ROOT / name).exists():
            symlink(ROOT / name, out / name)
    for stale in out.rglob("*.ipynb"):
        if stale not in wanted and not any(p.is_symlink() for p in stale.parents if p != out):
            stale.unlink()
    if not wanted:
        print("nbval_prepare: no chapter with code")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
