"""Chapters read like lectures (issue 13 §4): the code a reader sees is at most ~35 % of a
chapter's lines and no shown cell is longer than ~25 lines (``tools/chapter_shape.py``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import chapter_shape  # noqa: E402

CHAPTERS = chapter_shape.chapters()


def test_every_chapter_is_found():
    names = {p.relative_to(chapter_shape.ROOT / "chapters").as_posix() for p in CHAPTERS}
    assert {"ndc/current.md", "diode/beyond.md", "explore.md"} <= names


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_shown_code_and_cell_length_within_limits(path):
    s = chapter_shape.shape(path)
    assert s["shown_fraction"] <= chapter_shape.MAX_SHOWN_CODE_FRACTION, s
    assert s["longest_shown_cell"] <= chapter_shape.MAX_SHOWN_CELL_LINES, s


def test_the_measure_sees_shown_and_hidden_cells(tmp_path):
    """A 30-line shown cell and a hidden one are told apart; metadata lines are not code."""
    body = "\n".join(f"x{i} = {i}" for i in range(30))
    text = ("# T\n\nprose\n\n```{code-cell} ipython3\n---\ntags: [hide-input]\n---\n" + body +
            "\n```\n\n```{code-cell} ipython3\n:tags: [remove-cell]\nassert True\n```\n")
    p = tmp_path / "c.md"
    p.write_text(text)
    s = chapter_shape.shape(p)
    assert s["longest_shown_cell"] == 30
    assert s["hidden_code"] == 4 and s["shown_code"] == 30 + 5
