"""What every HTML page carries besides its content: scripts loaded once, plain-text titles, the
version in the footer.

Repairs of the theme stack (jupyter-book 1.0.4, Sphinx 7.4, sphinx-book-theme 1.x):

* jupyter-book adds every ``*.js`` under ``_static/`` to ``html_js_files``, so the vendored MathJax
  was loaded a second time, blocking and before its configuration (console: "Cannot set property
  Package"); it is taken out again: ``sphinx.ext.mathjax`` loads it once, deferred.
* Scripts that extensions register with a body and no file (thebe's ``const THEBE_JS_URL``, the
  togglebutton selector) reach the page twice: Sphinx 7.4 stores them once under the file name
  ``None`` and once under ``''``. The second ``const`` declaration is a SyntaxError in the reader's
  console. Each page keeps the first of identical scripts.
* pydata-sphinx-theme logs ``console.error("Got invalid theme mode")`` on a first visit when no
  ``default_mode`` is set; the book's figures are drawn on white, so the mode is ``light``.
* MathJax is loaded on every page, not only on pages with equations: every page's navigation
  shows the chapter titles, some of which hold math.
* A title with math (``\\gamma_\\mathrm{eff}``) would show raw TeX in the browser tab and in the
  print header; both get a plain-text rendering (``γ_eff ∝ T_L⁻²``).
"""
from __future__ import annotations

import re

from docutils import nodes

GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
         "xi pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
         "Phi Psi Omega").split()
GREEK_CHARS = "αβγδϵεζηθϑικλμνξπρστυϕφχψωΓΔΘΛΞΠΣΦΨΩ"
RELATIONS = {"propto": "∝", "to": "→", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
             "approx": "≈", "sim": "∼", "neq": "≠", "ne": "≠", "times": "×", "pm": "±"}
SYMBOLS = dict(zip(GREEK, GREEK_CHARS)) | {k: f" {v} " for k, v in RELATIONS.items()} | {
    "infty": "∞", "cdot": "·", "partial": "∂", "ell": "ℓ", "langle": "⟨", "rangle": "⟩",
    "hbar": "ħ", "nabla": "∇",
}
SUPERSCRIPT = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ"))


def tex_to_text(tex: str) -> str:
    """A plain-text (Unicode) reading of a short TeX formula, for places that cannot typeset it:
    ``\\gamma_\\mathrm{eff} \\propto T_L^{-2}`` -> ``γ_eff ∝ T_L⁻²``."""
    s = re.sub(r"\\(?:mathrm|mathit|mathbf|mathcal|text|operatorname)\s*\{([^{}]*)\}", r"\1", tex)
    s = re.sub(r"\\[,;:! ]|\\q?quad\b", " ", s)
    # A control word swallows the space after it, as in TeX; relations bring their own spaces.
    s = re.sub(r"\\([A-Za-z]+) ?", lambda m: SYMBOLS.get(m.group(1), m.group(1)), s)

    def sup(m):
        body = m.group(1) if m.group(1) is not None else m.group(2)
        if all(c in SUPERSCRIPT for c in body):
            return "".join(SUPERSCRIPT[c] for c in body)
        return "^" + (body if len(body) == 1 else f"({body})")

    s = re.sub(r"\^\{([^{}]*)\}|\^(\S)", sup, s)
    s = re.sub(r"_\{([^{}]*)\}", r"_\1", s)
    s = s.replace("{", "").replace("}", "")
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"([(⟨]) | ([)⟩,])", r"\1\2", s)


def plain_title(node: nodes.Node) -> str:
    """The text of a title node with its math rendered by :func:`tex_to_text`."""
    out = []
    for child in node.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(child, nodes.math):
            out.append(tex_to_text(child.astext()))
        elif not isinstance(child.parent, nodes.math):
            out.append(child.astext())
    return "".join(out).strip()


def _config_inited(app, config):
    # MathJax is loaded by sphinx.ext.mathjax only (mathjax_path), never as a plain html_js_file.
    mathjax = config.mathjax_path
    config.html_js_files = [f for f in config.html_js_files
                            if (f[0] if isinstance(f, (tuple, list)) else f) != mathjax]
    # pydata-sphinx-theme reads the colour mode from the page context, not from a theme option.
    config.html_context = {"default_mode": "light", **(config.html_context or {})}
    options = config.html_theme_options
    from thermolib import __version__

    config.version = config.release = __version__
    footer = options.get("extra_footer", "")
    options["extra_footer"] = f'<p class="thermobook-version">thermobook {__version__}</p>{footer}'


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, keep = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {})
        name = getattr(js, "filename", str(js)) or ""  # None and '' are the same inline script
        key = (name, attrs.get("body", ""),
               tuple(sorted((k, v) for k, v in attrs.items() if k not in ("body", "priority"))))
        if key not in seen:
            seen.add(key)
            keep.append(js)
    scripts[:] = keep


def _plain_titles(app, pagename, templatename, context, doctree):
    title = app.env.titles.get(pagename)
    if title is None or not any(title.findall(nodes.math)):
        return
    text = plain_title(title)
    context["title"] = text
    context["pagetitle"] = text


def _singlehtml_visitors(app):
    """The one-page build (for the PDF) renders every node the HTML build renders.

    Sphinx looks up node visitors by builder name first and falls back to the format ("html")
    only for a builder with no visitors of its own; once any extension registers a ``singlehtml``
    visitor, nodes registered for ``html`` only (myst-nb's hidden code cells) have none."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    own = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        own.setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _singlehtml_visitors)
    # MathJax on every page: the navigation of every page shows chapter titles with math, also on
    # pages without equations of their own (Sphinx would load MathJax only on those with).
    app.set_html_assets_policy("always")
    app.connect("config-inited", _config_inited)
    # After every extension added its per-page scripts and the theme its titles.
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _plain_titles, priority=900)
