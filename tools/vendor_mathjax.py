"""Vendor a local copy of MathJax 3 into ``_static/mathjax/`` so that the book renders math offline.

The build and CI machines have no internet access, so MathJax cannot come from its default CDN.
The copy under ``_static/mathjax/`` is committed; this script only documents where it came from
and regenerates it (e.g. to move to another MathJax 3.x release).

Source: the PyPI wheel ``django-static-mathjax==3.2.2.1``, which ships the npm ``mathjax@3.2.2``
distribution unchanged under ``mathjax/static/mathjax/``.  Only what the book needs is copied:

* ``es5/tex-chtml-full.js``  - TeX input + CommonHTML output with *all* TeX extensions bundled
  (so the ``autoload`` extension never has to fetch ``input/tex/extensions/*.js``);
* ``es5/output/chtml/fonts/woff-v2/*.woff`` - the CHTML web fonts, which MathJax looks up
  relative to the script as ``[mathjax]/output/chtml/fonts/woff-v2``;
* ``LICENSE`` (Apache-2.0).

Usage::

    python tools/vendor_mathjax.py [path/to/django_static_mathjax-*.whl]

Without an argument the wheel is fetched with ``pip download`` (needs PyPI access).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "django-static-mathjax==3.2.2.1"
PREFIX = "mathjax/static/mathjax/"
WANTED = {
    "es5/tex-chtml-full.js": "tex-chtml-full.js",
    "LICENSE": "LICENSE",
}
FONTS = "es5/output/chtml/fonts/woff-v2/"
DEST = Path(__file__).resolve().parents[1] / "_static" / "mathjax"


def _fetch_wheel(tmp: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(tmp), PACKAGE],
        check=True,
    )
    return next(tmp.glob("*.whl"))


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmpdir:
        wheel = Path(argv[1]) if len(argv) > 1 else _fetch_wheel(Path(tmpdir))
        if DEST.exists():
            shutil.rmtree(DEST)
        n = 0
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if not name.startswith(PREFIX):
                    continue
                rel = name[len(PREFIX):]
                if rel in WANTED:
                    target = DEST / WANTED[rel]
                elif rel.startswith(FONTS) and rel.endswith(".woff"):
                    target = DEST / "output/chtml/fonts/woff-v2" / rel[len(FONTS):]
                else:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
                n += 1
    if n < 20:
        print(f"vendor_mathjax: only {n} files copied from {wheel}; layout changed?", file=sys.stderr)
        return 1
    print(f"vendor_mathjax: {n} files -> {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
