"""Build the book at one fidelity, in its own folder with its own caches.

    python tools/build_book.py [--fidelity quick|paper] [--edition full|student]
                               [--builder html|singlehtml] [--toc FILE] [--out DIR] [--all]

Where each build goes (``B`` = ``_build`` for quick, ``_build/paper`` for paper fidelity):

    full edition (html)        B/html       B/.doctrees          cache B/.jupyter_cache
    student edition (html)     B/student/html                     (same execution cache as full)
    one-file book (singlehtml) B/pdf/singlehtml                   (same execution cache as full)
    simulation cache           B/simcache   (THERMOLIB_CACHE of the chapters' kernels)

With ``THERMOBOOK_SEED=k`` (k > 0: every seed of every chapter shifted) ``B`` is ``_build/seed<k>``
or ``_build/paper/seed<k>``: a book on other random numbers never shares a cache with the book of
the seeds in the text.

jupyter-cache keys a chapter on its source only, not on ``THERMOBOOK_FIDELITY``, so one execution
cache for both fidelities would publish quick outputs under the paper label (and the other way
round). Here the fidelity chooses the folder, so a paper build can never find a quick chapter in
its cache; the book's extension also checks every page's record of the fidelity it was computed
at. The student edition and the one-file book reuse the execution cache of their fidelity: same
chapters, same fidelity, same outputs.

jupyter-cache also keys a chapter on its own source only: a change to thermolib, to a sweep spec or
to a chapters-local module (``chapters/**/*.py``) would leave every page showing outputs of the old
code. So each execution cache is stamped with a digest of those inputs (:func:`code_digest`); when
it differs, the execution cache and the doctrees of that build are emptied and every chapter is
executed again (its simulations still come from the simulation cache when their keys, which hold
thermolib's source digest too, are unchanged).

``--fidelity`` defaults to ``$THERMOBOOK_FIDELITY`` (else quick). The build runs with
``-W -n --keep-going``: every Sphinx warning, broken reference included, fails it.
``--out DIR`` puts all of the above under DIR instead (used by the separation test).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ("quick", "paper")


def _seed_offset() -> int:
    """``$THERMOBOOK_SEED`` as thermolib reads it (0 when unset)."""
    sys.path.insert(0, str(ROOT))
    from thermolib.fidelity import seed_offset

    return seed_offset()


def layout(fidelity: str, edition: str = "full", builder: str = "html", out: Path | None = None) -> dict:
    """Folders of a build: ``html`` (output), ``doctrees``, ``exec_cache``, ``simcache``."""
    base = Path(out) if out is not None else ROOT / "_build" / ("paper" if fidelity == "paper" else "")
    offset = _seed_offset()
    if offset:  # THERMOBOOK_SEED=k: another book (other random numbers), with caches of its own
        base = base / f"seed{offset}"
    base = base.resolve()
    if builder == "singlehtml":
        html = base / "pdf" / "singlehtml"
    elif edition == "student":
        html = base / "student" / "html"
    else:
        html = base / "html"
    return {"html": html, "doctrees": html.parent / ".doctrees",
            "exec_cache": base / ".jupyter_cache", "simcache": base / "simcache", "base": base}


def code_digest(source: Path = ROOT) -> str:
    """Digest of everything a chapter's outputs depend on besides its own text: thermolib's source,
    the sweep specs, and the chapters-local Python modules."""
    import hashlib

    h = hashlib.sha256()
    files = sorted([*(source / "thermolib").rglob("*.py"), *(source / "sweeps").glob("*.toml"),
                    *(source / "chapters").rglob("*.py")])
    for f in files:
        if "__pycache__" in f.parts:
            continue
        h.update(f.relative_to(source).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def invalidate_if_code_changed(where: dict, source: Path = ROOT) -> bool:
    """Empty the execution cache and the doctrees of a build when :func:`code_digest` changed
    since each was filled (each folder carries its own stamp, so the student edition and the
    one-file book, which share the execution cache but not the doctrees, are refreshed too);
    returns True when anything was emptied."""
    import shutil

    digest = code_digest(source)
    emptied = False
    for folder in (where["exec_cache"], where["doctrees"]):
        stamp = folder.with_name(folder.name + ".code-digest")
        old = stamp.read_text().strip() if stamp.exists() else None
        if old != digest and (old is not None or folder.exists()):
            shutil.rmtree(folder, ignore_errors=True)
            emptied = True
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest + "\n")
    if emptied:
        print("build_book: thermolib, a sweep spec or a chapter module changed since the last build "
              "of this fidelity: its chapters are executed again", flush=True)
    return emptied


def build(fidelity: str, edition: str = "full", builder: str = "html", *, source: Path = ROOT,
          toc: Path | None = None, out: Path | None = None, simcache: Path | None = None,
          force_all: bool = False) -> int:
    """Run the jupyter-book/Sphinx build; 0 on success. ``simcache`` overrides the simulation
    cache of the layout (a preview shares the book's cache of the same fidelity)."""
    from jupyter_book.sphinx import build_sphinx

    if fidelity not in LEVELS:
        raise ValueError(f"fidelity must be one of {LEVELS}, got {fidelity!r}")
    if edition not in ("full", "student"):
        raise ValueError(f"edition must be 'full' or 'student', got {edition!r}")
    if builder not in ("html", "singlehtml"):
        raise ValueError(f"builder must be 'html' or 'singlehtml', got {builder!r}")
    where = layout(fidelity, edition, builder, out)
    # The chapters' kernels inherit these: the fidelity they compute at, and where finished
    # simulations are kept (one simulation cache per fidelity as well).
    os.environ["THERMOBOOK_FIDELITY"] = fidelity
    where["simcache"] = Path(simcache) if simcache else where["simcache"]
    os.environ["THERMOLIB_CACHE"] = str(where["simcache"])
    invalidate_if_code_changed(where, source)
    toc = Path(toc) if toc else source / "_toc.yml"
    overrides = {
        "external_toc_path": toc.resolve().as_posix(),
        "nitpicky": True,
        "nb_execution_cache_path": str(where["exec_cache"]),
        "thermobook_edition": edition,
        "latex_individualpages": False,
    }
    if edition == "student":
        overrides["hide_solutions"] = True  # sphinx-exercise drops every {solution} node
    print(f"build_book: {edition} edition, {fidelity} fidelity, {builder} -> {where['html']}\n"
          f"build_book: execution cache {where['exec_cache']}, simulation cache {where['simcache']}",
          flush=True)
    start = time.monotonic()
    result = build_sphinx(
        source.resolve(), where["html"], use_external_toc=True, noconfig=True,
        path_config=str(source / "_config.yml"), confoverrides=overrides,
        doctreedir=where["doctrees"], builder=builder, warningiserror=True, keep_going=True,
        force_all=force_all)
    seconds = time.monotonic() - start
    if isinstance(result, Exception):
        traceback.print_exception(result)
        print(f"build_book: FAILED after {seconds:.0f} s", file=sys.stderr)
        return 1
    if result:
        print(f"build_book: FAILED after {seconds:.0f} s (status {result})", file=sys.stderr)
        return int(result)
    print(f"build_book: done in {seconds:.0f} s -> {where['html'] / 'index.html'}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fidelity", choices=LEVELS,
                    default=os.environ.get("THERMOBOOK_FIDELITY", "").strip().lower() or "quick")
    ap.add_argument("--edition", choices=("full", "student"), default="full")
    ap.add_argument("--builder", choices=("html", "singlehtml"), default="html")
    ap.add_argument("--source", default=str(ROOT), help="book source folder (default: the repository)")
    ap.add_argument("--toc", help="table of contents (default: SOURCE/_toc.yml)")
    ap.add_argument("--out", help="put output and caches under this folder instead of _build[/paper]")
    ap.add_argument("--all", action="store_true", help="write every page again")
    ap.add_argument("--print-layout", action="store_true", help="print the folders and exit")
    args = ap.parse_args(argv)
    if args.print_layout:
        for k, v in layout(args.fidelity, args.edition, args.builder, args.out).items():
            print(f"{k}={v}")
        return 0
    return build(args.fidelity, args.edition, args.builder, source=Path(args.source),
                 toc=args.toc, out=args.out, force_all=args.all)


if __name__ == "__main__":
    sys.exit(main())
