"""A build's execution cache cannot outlive the code that filled it.

jupyter-cache keys a chapter on its own text only; tools/build_book.py stamps each execution cache
and doctree folder with a digest of thermolib, the sweep specs and the chapters-local modules, and
empties them when that digest changes, so no page shows outputs of old code."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402


def _tree(tmp_path):
    src = tmp_path / "src"
    for rel, text in {"thermolib/kernel.py": "x = 1\n", "sweeps/fig.toml": "seed = 1\n",
                      "chapters/explorers/panel.py": "y = 2\n", "chapters/page.md": "# page\n"}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    out = tmp_path / "build"
    where = {"exec_cache": out / ".jupyter_cache", "doctrees": out / ".doctrees"}
    return src, where


def _fill(where):
    for folder in where.values():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "entry").write_text("outputs of some code")


def test_unchanged_code_keeps_the_caches(tmp_path):
    src, where = _tree(tmp_path)
    build_book.invalidate_if_code_changed(where, src)
    _fill(where)
    assert not build_book.invalidate_if_code_changed(where, src)
    assert all((f / "entry").exists() for f in where.values())


def test_a_change_to_thermolib_a_spec_or_a_chapter_module_empties_them(tmp_path):
    src, where = _tree(tmp_path)
    build_book.invalidate_if_code_changed(where, src)
    for rel in ("thermolib/kernel.py", "sweeps/fig.toml", "chapters/explorers/panel.py"):
        _fill(where)
        (src / rel).write_text((src / rel).read_text() + "# edited\n")
        assert build_book.invalidate_if_code_changed(where, src), rel
        assert not any(f.exists() for f in where.values()), rel


def test_chapter_text_is_left_to_jupyter_cache(tmp_path):
    # a chapter's own text is jupyter-cache's key already: editing it must not empty everything
    src, where = _tree(tmp_path)
    build_book.invalidate_if_code_changed(where, src)
    _fill(where)
    (src / "chapters/page.md").write_text("# page, edited\n")
    assert not build_book.invalidate_if_code_changed(where, src)


def test_caches_from_before_the_stamp_are_not_trusted(tmp_path):
    src, where = _tree(tmp_path)
    _fill(where)  # filled by a build that did not stamp them
    assert build_book.invalidate_if_code_changed(where, src)
    assert not any(f.exists() for f in where.values())
