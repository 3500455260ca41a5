"""Build a few chapters as a small book, for writing and reviewing them without a full build.

    python tools/preview.py chapters/ndc/friction [chapters/ndc/model ...] [--out DIR]

Makes ``DIR`` (default ``_build/preview/<name of the first page>``) hold a book with the project's
``_config.yml``, ``_static/`` and ``_ext/`` (the book's Sphinx extension), the ``chapters/`` folder
linked in, and a table of contents with
the given pages plus the errata and references pages (so ``{cite}``, ``{doc}`errata``` and the
bibliography resolve). It is built like ``make book`` (``tools/build_book.py``, ``-W -n
--keep-going``); the HTML is in ``DIR/_build/html`` (``DIR/_build/paper/html`` at
``THERMOBOOK_FIDELITY=paper``) and the executed figures in its ``_images``.
Several previews can be built at once (each has its own folder and execution cache).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_book  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ALWAYS = ("chapters/errata", "chapters/references")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+", help="toc entries, e.g. chapters/ndc/friction (no suffix)")
    ap.add_argument("--out", help="preview folder (default _build/preview/<first page name>)")
    args = ap.parse_args(argv)
    pages = [p[:-3] if p.endswith((".md", ".py")) else p for p in args.pages]
    for p in pages:
        if not (ROOT / f"{p}.md").exists():
            print(f"preview: {p}.md not found", file=sys.stderr)
            return 2
    out = Path(args.out) if args.out else ROOT / "_build" / "preview" / Path(pages[0]).name
    out.mkdir(parents=True, exist_ok=True)
    for name in ("chapters", "_static", "_ext", "data", "sweeps", "tools"):  # tools/: an extension
        link = out / name
        if (ROOT / name).exists() and not link.exists():
            link.symlink_to(ROOT / name)
    (out / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    entries = [p for p in pages if p not in ALWAYS] + list(ALWAYS)
    toc = ["format: jb-book", f"root: {entries[0]}", "chapters:"]
    toc += [f"  - file: {e}" for e in entries[1:]]
    (out / "_toc.yml").write_text("\n".join(toc) + "\n")
    # Built like the book (tools/build_book.py): per-fidelity folders and execution caches under
    # DIR/_build, the book's simulation cache of the same fidelity.
    fidelity = os.environ.get("THERMOBOOK_FIDELITY", "").strip().lower() or "quick"
    target = out / "_build" / ("paper" if fidelity == "paper" else "")
    rc = build_book.build(fidelity, source=out, toc=out / "_toc.yml", out=target,
                          simcache=build_book.layout(fidelity)["simcache"])
    print(f"preview: {'built' if rc == 0 else 'FAILED'} -> {target / 'html'}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
