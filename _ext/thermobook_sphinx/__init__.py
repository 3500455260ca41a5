"""thermobook's own Sphinx extension: every page says what it is, and the HTML a reader gets is clean.

* :mod:`.provenance` - the provenance line under every page title (fidelity, thermolib version and
  git commit, build date, CPU time of the page's simulations), ``<meta name="thermobook:fidelity">``
  in every page's head, the ``{thermobook-exec-table}`` directive, and the guard that refuses to
  publish a page computed at another fidelity than the build's.
* :mod:`.numbering` - figures, tables and equations of unnumbered parts (Explore, Appendix) are
  numbered E.1, A.1, ... instead of "Fig. 1", which would clash with the papers' own figures.
* :mod:`.pages` - repairs of what the theme stack emits twice (MathJax, thebe configuration), the
  theme's default colour mode, plain-text page titles, the version and licence in the footer.

Enabled in ``_config.yml`` (``sphinx: local_extensions: thermobook_sphinx: _ext``). The build's
fidelity is ``$THERMOBOOK_FIDELITY`` (read with :func:`thermolib.fidelity.fidelity`, as the
chapters' kernels do); ``thermobook_edition`` (``full`` | ``student``) is set by
``tools/build_book.py``.
"""
from __future__ import annotations

from pathlib import Path

from . import numbering, pages, provenance

STATIC = Path(__file__).resolve().parent / "static"


def setup(app):
    app.add_config_value("thermobook_edition", "full", "env", types=[str])
    # Letters for the parts whose chapters carry no number ({caption: letter}); default: the
    # caption's first letter.
    app.add_config_value("thermobook_part_letters", {}, "env", types=[dict])
    provenance.setup(app)
    numbering.setup(app)
    pages.setup(app)
    app.connect("builder-inited", _add_static)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}


def _add_static(app):
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("thermobook.css")
