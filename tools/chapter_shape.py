"""Shape of the book's chapters as a reader meets them (issue 13): how much of a chapter is code
the reader sees, and how long its longest shown cell is.

A *shown* cell is a code cell without ``remove-cell``/``remove-input`` (a ``hide-input`` cell is
shown, folded). Hidden cells are the chapter's contract (assertions, glue) and are counted
separately. Usage: ``python tools/chapter_shape.py [chapter.md ...]`` (default: every chapter).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: limits a chapter must keep (``tests/test_chapter_shape.py``)
MAX_SHOWN_CODE_FRACTION = 0.35
MAX_SHOWN_CELL_LINES = 25

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_HIDDEN = re.compile(r"remove-cell|remove-input")


def _split(cell: str) -> tuple[str, list[str]]:
    """A cell's metadata (the ``---`` YAML block or the leading ``:key:`` lines) and its source."""
    lines = cell.rstrip("\n").split("\n")
    end = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), -1) + 1
    while end < len(lines) and re.match(r"^:[\w-]+:", lines[end]):
        end += 1
    return "\n".join(lines[:end]), lines[end:]


def shape(path: Path) -> dict:
    """Line counts of one MyST chapter: total, shown and hidden code, longest shown cell."""
    text = path.read_text(encoding="utf-8")
    total = text.count("\n") + 1
    shown = hidden = longest = 0
    for m in _CELL.finditer(text):
        n = m.group(0).count("\n") + 1          # fences included: they occupy the page
        metadata, source = _split(m.group(1))
        if _HIDDEN.search(metadata):
            hidden += n
        else:
            shown += n
            longest = max(longest, len(source))
    return {"lines": total, "shown_code": shown, "hidden_code": hidden, "longest_shown_cell": longest,
            "shown_fraction": shown / total, "code_fraction": (shown + hidden) / total}


def chapters() -> list[Path]:
    return sorted(p for p in (ROOT / "chapters").rglob("*.md") if "_build" not in p.parts)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or chapters()
    print(f"{'chapter':42s} {'lines':>5s} {'shown':>6s} {'all code':>8s} {'longest':>7s}")
    bad = 0
    for p in paths:
        s = shape(p)
        flag = ""
        if s["shown_fraction"] > MAX_SHOWN_CODE_FRACTION or s["longest_shown_cell"] > MAX_SHOWN_CELL_LINES:
            flag, bad = "  <- over the limit", bad + 1
        name = p.resolve().relative_to(ROOT) if p.resolve().is_relative_to(ROOT) else p
        print(f"{str(name):42s} {s['lines']:5d} {s['shown_fraction']:6.2f} {s['code_fraction']:8.2f} "
              f"{s['longest_shown_cell']:7d}{flag}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
