"""Configure JupyterLab for the book: ``python tools/lab_setup.py [PREFIX]`` (default: sys.prefix).

The same configuration for ``make lab`` (PREFIX = the project's .venv) and for Binder
(binder/postBuild, PREFIX = the image's environment); it writes two files into PREFIX:

* ``share/jupyter/lab/settings/overrides.json`` (from binder/jupyterlab-overrides.json): Markdown
  files open as notebooks ("Jupytext Notebook"), so a chapter opens with its cells; MyST in the
  Markdown cells is rendered by jupyterlab-myst (a requirement, enabled on install).
* ``etc/jupyter/jupyter_server_config.py``: the contents manager of tools/lab_contents.py, which
  never rewrites a chapter that was opened but not edited.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SERVER_CONFIG = """\
# Written by thermobook's tools/lab_setup.py: chapters opened but not edited are never rewritten.
import sys
sys.path.insert(0, {tools!r})
c.ServerApp.contents_manager_class = "lab_contents.ChapterContentsManager"
"""


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    prefix = Path(argv[0] if argv else sys.prefix)
    settings = prefix / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "binder" / "jupyterlab-overrides.json", settings / "overrides.json")
    etc = prefix / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "jupyter_server_config.py").write_text(SERVER_CONFIG.format(tools=str(ROOT / "tools")))
    print(f"lab_setup: JupyterLab settings and server config written under {prefix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
