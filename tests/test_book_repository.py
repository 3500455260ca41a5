"""The repository the book links to comes from REPO_URL at build time, never from a placeholder.

A one-page book with the project's own _config.yml and Sphinx extension is built twice with
jupyter-book: without REPO_URL no page names any repository (no button, no Binder, no Live Code),
with it every repository feature points at that repository (and thebe is the 0.9 line, which speaks
the kernel's ipywidgets 8 protocol)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_repository  # noqa: E402

PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A page

```{code-cell} ipython3
:tags: [skip-execution]
print("live")
```
"""


def build(tmp_path, repo_url=None) -> str:
    book = tmp_path / ("with" if repo_url else "without")
    (book / "chapters").mkdir(parents=True)
    (book / "tools").mkdir()
    shutil.copy(ROOT / "_config.yml", book)
    shutil.copy(ROOT / "tools" / "book_repository.py", book / "tools")
    shutil.copytree(ROOT / "_ext", book / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "chapters" / "references.bib", book / "chapters")
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/page\n")
    (book / "chapters" / "page.md").write_text(PAGE)
    env = {k: v for k, v in os.environ.items() if k not in ("REPO_URL", "REPO_BRANCH")}
    if repo_url:
        env["REPO_URL"] = repo_url
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(book), "--builder", "html"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return (book / "_build" / "html" / "chapters" / "page.html").read_text()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("books")
    return build(tmp), build(tmp, "https://github.com/octo-org/thermo-book")


def test_without_repo_url_no_page_names_a_repository(pages):
    html = pages[0]
    assert "github.com" not in html and "mybinder" not in html and "PLACEHOLDER" not in html
    assert "launch-thebe" not in html and "repository-button" not in html


def test_with_repo_url_every_button_points_at_it(pages):
    html = pages[1]
    assert 'href="https://github.com/octo-org/thermo-book"' in html                  # repository
    assert "https://github.com/octo-org/thermo-book/issues/new" in html              # issues
    assert "mybinder.org/v2/gh/octo-org/thermo-book/main?urlpath=lab/tree/chapters/page.md" in html
    assert "launch-thebe" in html                                                    # Live Code
    assert re.search(r'repo: "octo-org/thermo-book",\s*ref: "main"', html)           # thebe's Binder
    assert "https://unpkg.com/thebe@0.9.3/lib/index.js" in html
    assert "thermobook/thermobook" not in html


def test_repository_options_refuse_what_is_not_a_github_repository():
    assert book_repository.repository_options("")["use_repository_button"] is False
    opts = book_repository.repository_options("https://github.com/a/b.git/")
    assert opts["repository_url"] == "https://github.com/a/b"
    with pytest.raises(ValueError, match="REPO_URL"):
        book_repository.repository_options("github.com/a/b")
