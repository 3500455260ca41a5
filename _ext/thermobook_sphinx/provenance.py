"""Provenance of every page: what it was computed with, shown to the reader and checked.

A chapter's last (hidden) cell calls :func:`thermolib.provenance.record_page`, which stores a
record in the notebook's outputs as a hidden glue value. myst-nb writes the glue values of a page to
``<build>/jupyter_execute/<docname>.glue.json`` whether the notebook ran now or came from the
execution cache, so the record is the one of the run that produced the outputs on the page.

* ``doctree-read``: the record is read into ``env.thermobook_records``. A record whose fidelity is
  not the build's stops the build (the outputs came from another build's execution cache); an
  executed page without a record is a warning (an error under ``-W``).
* ``doctree-resolved``: the provenance line is inserted under the page title (every page; the CPU
  part only on pages with a record) and the ``{thermobook-exec-table}`` placeholders are filled.
* ``html-page-context``: ``<meta name="thermobook:fidelity" content="quick|paper">`` in every head.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

LINE_CLASS = "thermobook-provenance"


# ----------------------------------------------------------------------------- build facts
def build_facts(app) -> dict:
    """Fidelity, edition, version, commit and date of this build (computed once)."""
    if not hasattr(app, "_thermobook_facts"):
        from thermolib import __version__
        from thermolib.fidelity import fidelity
        from thermolib.provenance import source_commit

        app._thermobook_facts = {
            "fidelity": fidelity(),
            "edition": app.config.thermobook_edition,
            "version": __version__,
            "commit": source_commit(app.srcdir),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        }
    return app._thermobook_facts


def _config_inited(app, config):
    facts = build_facts(app)
    if facts["edition"] not in ("full", "student"):
        raise ExtensionError(f"thermobook_edition must be 'full' or 'student', got {facts['edition']!r}")
    # A change of fidelity must re-read every page (and so re-check its record); a change of
    # commit, date or of this extension must re-write every page's provenance line.
    config.thermobook_build_fidelity = facts["fidelity"]
    own = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.rglob("*.*"))
                                  if p.suffix in (".py", ".css"))).hexdigest()[:12]
    config.thermobook_build_stamp = "|".join(
        [str(facts[k]) for k in ("edition", "version", "commit", "date")] + [own])


# ----------------------------------------------------------------------------- records
def _records(env) -> dict:
    if not hasattr(env, "thermobook_records"):
        env.thermobook_records = {}
    return env.thermobook_records


def _purge(app, env, docname):
    _records(env).pop(docname, None)
    if docname in getattr(env, "thermobook_exec_tables", set()):
        env.thermobook_exec_tables.discard(docname)


def _merge(app, env, docnames, other):
    for d in docnames:
        if d in _records(other):
            _records(env)[d] = _records(other)[d]
    env.thermobook_exec_tables = (getattr(env, "thermobook_exec_tables", set())
                                  | (getattr(other, "thermobook_exec_tables", set()) & set(docnames)))


def _read_record(app, doctree):
    """Read the page's record from myst-nb's glue file; check it against the build."""
    from myst_nb.sphinx_ import NbMetadataCollector
    from thermolib.provenance import KEY, MIME, SCHEMA

    env = app.env
    docname = env.docname
    data = NbMetadataCollector.get_doc_data(env).get(docname, {})
    app._thermobook_read_any = True
    if KEY not in data.get("glue", []):
        if data.get("exec_data") is not None and _has_code(doctree):
            logger.warning(f"{docname}: executed page without a provenance record; end the chapter "
                           "with a remove-cell cell: from thermolib.provenance import record_page; "
                           "record_page()", location=docname, type="thermobook", subtype="provenance")
        return
    path = Path(env.mystnb_config.output_folder).joinpath(*f"{docname}.glue.json".split("/"))
    try:
        record = json.loads(path.read_text(encoding="utf-8"))[KEY]["data"][MIME]
    except (OSError, KeyError, ValueError) as exc:
        raise ExtensionError(f"{docname}: cannot read its provenance record from {path}: {exc}") from exc
    if record.get("schema") != SCHEMA:
        raise ExtensionError(f"{docname}: provenance record of schema {record.get('schema')!r}, "
                             f"this build knows schema {SCHEMA}")
    _check_fidelity(app, docname, record)
    _records(env)[docname] = record


def _has_code(doctree) -> bool:
    return any("cell" in n.get("classes", []) for n in doctree.findall(nodes.container))


def _check_fidelity(app, docname, record):
    build = build_facts(app)["fidelity"]
    if record["fidelity"] != build:
        raise ExtensionError(
            f"{docname}: its outputs were computed at {record['fidelity']} fidelity "
            f"(executed {record['executed_at']}), but this is a {build} build: they come from "
            f"another build's execution cache. Build with tools/build_book.py (make book / "
            f"make book-paper), which gives each fidelity its own caches.")


# ----------------------------------------------------------------------------- the line
def _cpu(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def _line_nodes(app, docname: str, record: dict | None, fromdoc: str) -> nodes.paragraph:
    facts = build_facts(app)
    para = nodes.paragraph(classes=[LINE_CLASS])
    label = f"{facts['fidelity'].capitalize()} fidelity"
    if facts["edition"] == "student":
        label = "Student edition, " + label[0].lower() + label[1:]
    tables = sorted(getattr(app.env, "thermobook_exec_tables", set()))
    strong = nodes.strong(text=label)
    if tables and tables[0] != docname:
        ref = nodes.reference("", "", internal=True,
                              refuri=app.builder.get_relative_uri(fromdoc, tables[0]))
        ref += strong
        para += ref
    else:
        para += strong
    parts = []
    if record is not None:
        commit = record.get("commit") or "no git commit"
        parts.append(f"computed {record['executed_at'][:10]} with thermolib "
                     f"{record['thermolib_version']} ({commit})")
        if record.get("seed_offset"):
            parts.append(f"seed offset {record['seed_offset']}")
        n = record["results"]
        parts.append(f"simulations: {_cpu(record['cpu_seconds'])} CPU time, "
                     f"{n} result{'s' if n != 1 else ''}" if n else "simulations: none (0 s CPU time)")
        if facts["commit"] != record.get("commit"):
            parts.append(f"book built {facts['date']} from {facts['commit'] or 'no git commit'}")
        else:
            parts.append(f"built {facts['date']}")
    else:
        parts.append(f"thermolib {facts['version']} ({facts['commit'] or 'no git commit'})")
        parts.append(f"built {facts['date']}")
    para += nodes.Text(" · " + " · ".join(parts))
    return para


def _insert_line(app, doctree, docname):
    if not docname:
        return
    # The one-page build (singlehtml, for the PDF) resolves one tree holding every page, each
    # inlined page marked by a start_of_file node: every page gets its own line.
    for part in list(doctree.findall(addnodes.start_of_file)):
        _insert_into(app, part, part["docname"], docname)
    _insert_into(app, doctree, docname, docname)


def _insert_into(app, tree, docname, fromdoc):
    record = _records(app.env).get(docname)
    if record is not None:
        _check_fidelity(app, docname, record)
    line = _line_nodes(app, docname, record, fromdoc)
    section = next(iter(tree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, line)
    else:
        tree.insert(0, line)


def _meta(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    facts = build_facts(app)
    context["metatags"] = context.get("metatags", "") + (
        f'\n    <meta name="thermobook:fidelity" content="{facts["fidelity"]}" />'
        f'\n    <meta name="thermobook:edition" content="{facts["edition"]}" />'
        f'\n    <meta name="thermobook:version" content="{facts["version"]}" />')


# ----------------------------------------------------------------------------- execution table
class ExecTableNode(nodes.General, nodes.Element):
    """Placeholder for the execution statistics table, filled when the page is written."""


class ExecTable(SphinxDirective):
    """``{thermobook-exec-table}``: one row per executed page: when and at which fidelity it was
    computed, the wall time of its notebook run, the CPU time and number of its simulation results,
    the commit of the code."""

    has_content = False

    def run(self):
        if not hasattr(self.env, "thermobook_exec_tables"):
            self.env.thermobook_exec_tables = set()
        self.env.thermobook_exec_tables.add(self.env.docname)
        return [ExecTableNode()]


def _table(app, fromdoc: str) -> nodes.table:
    from myst_nb.sphinx_ import NbMetadataCollector

    env = app.env
    header = ["Page", "Fidelity", "Computed (UTC)", "Notebook run (s)", "Simulation CPU (s)",
              "Results", "Commit"]
    rows, tot_run, tot_cpu, tot_n = [], 0.0, 0.0, 0
    order = {d: i for i, d in enumerate(_reading_order(env))}
    for docname in sorted(_records(env), key=lambda d: order.get(d, 0)):
        rec = _records(env)[docname]
        exec_data = NbMetadataCollector.get_exec_data(env, docname) or {}
        run = exec_data.get("runtime")
        tot_run += run or 0.0
        tot_cpu += rec["cpu_seconds"]
        tot_n += rec["results"]
        commit = rec.get("commit") or "-"
        rows.append([docname, rec["fidelity"], rec["executed_at"].replace("T", " ")[:16],
                     "-" if run is None else f"{run:.1f}", f"{rec['cpu_seconds']:.1f}",
                     str(rec["results"]), commit[:8] + commit[12:]])
    rows.append(["Total", "", "", f"{tot_run:.1f}", f"{tot_cpu:.1f}", str(tot_n), ""])

    table = nodes.table(classes=["colwidths-auto", "thermobook-exec-table"])
    tgroup = nodes.tgroup(cols=len(header))
    table += tgroup
    for _ in header:
        tgroup += nodes.colspec(colwidth=1)
    thead = nodes.thead()
    tgroup += thead
    thead += _row(header)
    tbody = nodes.tbody()
    tgroup += tbody
    for row in rows:
        cells = list(row)
        if row[0] != "Total":
            title = env.titles.get(row[0])
            ref = nodes.reference("", "", internal=True,
                                  refuri=app.builder.get_relative_uri(fromdoc, row[0]))
            ref += (title.deepcopy().children if title is not None else nodes.Text(row[0]))
            cells[0] = ref
        tbody += _row(cells)
    return table


def _reading_order(env) -> list[str]:
    """Documents in the order of the table of contents (root first)."""
    seen: list[str] = []

    def walk(doc):
        if doc not in seen:
            seen.append(doc)
            for sub in env.toctree_includes.get(doc, []):
                walk(sub)

    walk(env.config.root_doc)
    return seen + sorted(set(env.found_docs) - set(seen))


def _row(cells) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        para = nodes.paragraph()
        para += cell if isinstance(cell, nodes.Node) else nodes.Text(str(cell))
        entry += para
        row += entry
    return row


def _fill_tables(app, doctree, docname):
    for node in list(doctree.findall(ExecTableNode)):
        node.replace_self(_table(app, docname))


def _outdated_tables(app, env):
    """Pages with an execution table are re-written whenever any page was read again."""
    if getattr(app, "_thermobook_read_any", False):
        return sorted(getattr(env, "thermobook_exec_tables", set()))
    return []


def setup(app):
    app.add_config_value("thermobook_build_fidelity", "", "env", types=[str])
    app.add_config_value("thermobook_build_stamp", "", "html", types=[str])
    app.add_node(ExecTableNode)
    app.add_directive("thermobook-exec-table", ExecTable)
    app.connect("config-inited", _config_inited)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _read_record)
    app.connect("env-updated", _outdated_tables)
    app.connect("doctree-resolved", _fill_tables)
    app.connect("doctree-resolved", _insert_line)
    app.connect("html-page-context", _meta)
