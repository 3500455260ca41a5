"""A Jupyter contents manager that never rewrites a chapter the reader did not change.

JupyterLab marks a notebook dirty as soon as its kernel starts (it records the kernelspec and the
language info), and autosave then writes the whole notebook back. For a MyST chapter opened through
jupytext that rewrite re-serialises the file (``jupytext_version``, figure captions, the kernel's
display name): a diff in the reader's checkout without any edit. This manager compares what is
being saved with the chapter on disk, cell by cell (type, source, metadata other than the view
state JupyterLab keeps there), and skips the write when they are the same. Any real edit (a
changed, added or removed cell, a changed tag) is saved by jupytext as before.

Used by ``make lab`` and by Binder: ``tools/lab_setup.py`` configures it.
"""
from __future__ import annotations

from pathlib import Path

import jupytext
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

# Cell metadata that records how the reader looks at a cell, not what the chapter says.
VIEW_STATE = {"collapsed", "scrolled", "jupyter", "execution", "trusted", "editable", "deletable"}


def _cells(nb) -> list[tuple]:
    return [(c["cell_type"], c["source"] if isinstance(c["source"], str) else "".join(c["source"]),
             {k: v for k, v in c.get("metadata", {}).items() if k not in VIEW_STATE})
            for c in nb["cells"]]


def unchanged(model_content: dict, text: str, fmt: str = "md:myst") -> bool:
    """True if the notebook ``model_content`` has the same cells as the text notebook ``text``."""
    on_disk = jupytext.reads(text, fmt=fmt)
    return _cells(model_content) == _cells(on_disk)


class ChapterContentsManager(build_async_jupytext_contents_manager_class(AsyncLargeFileManager)):
    """jupytext's contents manager, minus the rewrite of unchanged MyST notebooks."""

    async def save(self, model, path=""):
        path = path.strip("/")
        if model.get("type") == "notebook" and path.endswith(".md"):
            os_path = Path(self._get_os_path(path))
            try:
                same = os_path.is_file() and unchanged(model["content"],
                                                       os_path.read_text(encoding="utf-8"))
            except Exception as err:  # unreadable on disk: let jupytext save as usual
                self.log.warning("thermobook: could not compare %s (%s); saving", path, err)
                same = False
            if same:
                self.log.info("thermobook: %s has no changes; not rewritten", path)
                return await self.get(path, content=False)
        return await super().save(model, path)
