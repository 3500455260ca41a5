"""Readers see reader cells: every plumbing cell of every chapter is collapsed in JupyterLab.

The chapters are read as notebooks with jupytext (what JupyterLab does), independently of the
textual tool that adds the metadata (tools/reader_cells.py)."""
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import reader_cells  # noqa: E402

CHAPTERS = reader_cells.chapter_files()


def test_the_toc_has_chapters():
    assert len(CHAPTERS) >= 10


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_plumbing_cell_is_collapsed(path):
    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", ()))
        hidden = cell.metadata.get("jupyter", {})
        if "remove-cell" in tags:
            assert hidden.get("source_hidden") is True and hidden.get("outputs_hidden") is True, \
                f"{path.name} cell {i} (remove-cell) is not collapsed: {cell.source[:80]!r}"
        elif tags & {"remove-input", "hide-input"}:
            assert hidden.get("source_hidden") is True, f"{path.name} cell {i} input not collapsed"


SAMPLE = """\
```{code-cell} ipython3
:tags: [remove-cell]

assert 1 + 1 == 2
```

```{code-cell} ipython3
---
tags: [hide-input]
mystnb:
  figure:
    caption: |
      A caption that
      spans two lines.
---
plot()
```

```{code-cell} ipython3
shown = True
```
"""


def test_tool_adds_one_line_per_cell_and_nothing_else():
    new, missing = reader_cells.process(SAMPLE)
    assert len(missing) == 2
    added = [ln for ln in new.splitlines() if ln not in SAMPLE.splitlines()]
    assert added == [":jupyter: {source_hidden: true, outputs_hidden: true}",
                     "jupyter: {source_hidden: true}"]
    assert [ln for ln in new.splitlines() if ln not in added] == SAMPLE.splitlines()
    assert reader_cells.process(new) == (new, [])          # idempotent
    nb = jupytext.reads("---\njupytext:\n  text_representation:\n    format_name: myst\n---\n" + new,
                        fmt="md:myst")
    meta = [c.metadata.get("jupyter") for c in nb.cells if c.cell_type == "code"]
    assert meta == [{"source_hidden": True, "outputs_hidden": True}, {"source_hidden": True}, None]
    assert nb.cells[1].metadata["mystnb"]["figure"]["caption"] == "A caption that\nspans two lines.\n"


def test_check_mode_fails_on_a_missing_cell(tmp_path, capsys):
    f = tmp_path / "page.md"
    f.write_text(SAMPLE)
    assert reader_cells.main(["--check", str(f)]) == 1
    assert f.read_text() == SAMPLE                          # --check changes nothing
    assert reader_cells.main([str(f)]) == 0
    assert reader_cells.main(["--check", str(f)]) == 0
