"""Sphinx extension (``sphinx: local_extensions`` in _config.yml): the repository the book is
published from, taken from the environment at build time, never written into _config.yml.

``REPO_URL`` (e.g. ``https://github.com/owner/thermobook``; the publish workflow sets it from the
repository it runs in, ``make book REPO_URL=...`` locally) switches on what needs a repository: the
repository and issues buttons, the Binder launch button and thebe's *Live Code* (run the page's
cells on Binder). Without it the book shows none of them: no fake repository on any page.
``REPO_BRANCH`` (default ``main``) is the branch Binder builds.
"""
from __future__ import annotations

import os
import re

import sphinx_thebe

#: thebe 0.9 (ipywidgets 8 protocol, the kernel's); sphinx-thebe 0.3.1 still names 0.8.2.
THEBE_VERSION = "0.9.3"
GITHUB = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+$")


def repository_options(url: str | None, branch: str = "main") -> dict:
    """The theme options for ``url`` (None or "": none of the repository features)."""
    url = (url or "").strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    if not url:
        return {"use_repository_button": False, "use_issues_button": False,
                "use_edit_page_button": False, "launch_buttons": {"thebe": False}}
    if not GITHUB.match(url):
        raise ValueError(f"REPO_URL must look like https://github.com/OWNER/REPO, got {url!r}")
    return {"repository_url": url, "repository_branch": branch, "path_to_docs": "",
            "use_repository_button": True, "use_issues_button": True,
            "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "https://mybinder.org",
                               "thebe": True}}


# sphinx-thebe 0.3.1's initThebe() calls thebe.bootstrap() without arguments, which in thebe 0.9
# connects to a server but never starts a kernel. This replaces it (once every async script has
# run, i.e. at window load) by the same steps with requestKernel; the connection (Binder, or a
# local server named by a later x-thebe-config fragment with useBinder: false) is the page's.
LIVE_CODE_JS = """
window.addEventListener("load", function () {
  if (typeof window.initThebe !== "function") { return; }
  window.initThebe = function () {
    var start = function () {
      // sphinx-thebe's status display needs its launch button (absent on pages without REPO_URL)
      if (document.querySelector(".thebe-launch-button")) { configureThebe(); }
      modifyDOMForThebe();
      var page = thebelab.getPageConfig ? thebelab.getPageConfig() : {};
      return thebelab.bootstrap({requestKernel: true, useBinder: page.useBinder !== false});
    };
    if (typeof thebelab !== "undefined") { return start(); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = THEBE_JS_URL;
      script.addEventListener("load", function () { resolve(start()); });
      script.addEventListener("error", reject);
      document.head.appendChild(script);
    });
  };
});
"""


def _configure(app, config):
    options = repository_options(os.environ.get("REPO_URL"), os.environ.get("REPO_BRANCH") or "main")
    theme = dict(config.html_theme_options or {})
    for key in ("repository_url", "repository_branch", "path_to_docs"):
        theme.pop(key, None)
    launch = dict(theme.get("launch_buttons") or {})
    launch.update(options.pop("launch_buttons"))
    if not launch.get("thebe"):
        launch.pop("binderhub_url", None)
    theme.update(options, launch_buttons=launch)
    config.html_theme_options = theme


def setup(app):
    sphinx_thebe.THEBE_VERSION = THEBE_VERSION   # read when the page scripts are added
    app.connect("config-inited", _configure, priority=400)
    app.add_js_file(None, body=LIVE_CODE_JS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
