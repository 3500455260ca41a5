"""What a page of the book was computed with: fidelity, seeds, code version, simulation cost.

Every chapter ends with one hidden cell,

    from thermolib.provenance import record_page; record_page()

which stores :func:`page_record` in the notebook's outputs under the key :data:`KEY`, in the form
of a myst-nb ``glue`` value that is not displayed. The outputs are what jupyter-cache keeps, so the
record travels with them: when a build serves the chapter from its execution cache without running
it, the page still reports the fidelity, code and CPU time of the run that produced what it shows.
The book's Sphinx extension (``_ext/thermobook_sphinx``) reads the record, prints the page's
provenance line and refuses to publish a page whose record says another fidelity than the build.

The CPU time is the cost ledger of :mod:`thermolib.runcache`: the CPU seconds that each simulation
result used on the page took to compute, also when it came from a cache.
"""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["KEY", "MIME", "SCHEMA", "page_record", "record_page", "source_commit"]

#: Name of the glue value that carries the record in a notebook's outputs.
KEY = "thermobook_provenance"
#: MIME type of the record (a JSON object) inside that output. nbformat accepts a JSON object only
#: under a type ending in ``json``, also behind the glue prefix.
MIME = "application/vnd.thermobook.provenance+json"
#: Version of the record's layout; the extension refuses records it does not know.
SCHEMA = 1
# myst-nb's glue convention: outputs whose MIME types carry this prefix are data, not display.
_GLUE_PREFIX = "application/papermill.record/"


def source_commit(path: str | Path | None = None) -> str | None:
    """The git commit of the source tree that holds ``path`` (default: thermolib's own source),
    abbreviated to 12 hex digits, with ``+dirty`` when tracked files differ from it; None when the
    code is not a git checkout (an installed wheel, an unpacked archive) or git is missing."""
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    if where.is_file():
        where = where.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=where,
                                capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=where, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    dirty = status.returncode == 0 and status.stdout.strip()
    return commit.stdout.strip() + ("+dirty" if dirty else "")


def page_record() -> dict:
    """The provenance of everything this process computed or loaded so far.

    Returns
    -------
    dict
        ``schema``; ``fidelity`` and ``seed_offset`` (``THERMOBOOK_FIDELITY``,
        ``THERMOBOOK_SEED``); ``thermolib_version``; ``commit`` (:func:`source_commit`, or None);
        ``executed_at`` (UTC, ISO 8601, seconds); ``cpu_seconds`` and ``results`` (CPU time and
        number of the simulation results used, from :func:`thermolib.runcache.total_cost`);
        ``computed_now`` and ``cpu_seconds_now`` (the part computed in this process rather than
        read from a cache).
    """
    from . import __version__
    from .fidelity import fidelity, seed_offset
    from .runcache import total_cost

    cost = total_cost()
    return {
        "schema": SCHEMA,
        "fidelity": fidelity(),
        "seed_offset": seed_offset(),
        "thermolib_version": __version__,
        "commit": source_commit(),
        "executed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_seconds": round(float(cost["seconds"]), 3),
        "results": int(cost["results"]),
        "computed_now": int(cost["computed_now"]),
        "cpu_seconds_now": round(float(cost["seconds_now"]), 3),
    }


def summary(record: dict) -> str:
    """One line of plain text for a record (what a notebook user sees)."""
    return (f"{record['fidelity']} fidelity, thermolib {record['thermolib_version']}"
            f" ({record['commit'] or 'no git commit'}), {record['results']} simulation results,"
            f" {record['cpu_seconds']:.1f} CPU s")


def record_page() -> None:
    """Store :func:`page_record` in the running notebook's outputs (a hidden glue value named
    :data:`KEY`) for the book build to read. Outside IPython it does nothing; it returns None so
    that, as the last line of a cell, it displays nothing."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    record = page_record()
    display({_GLUE_PREFIX + MIME: record, _GLUE_PREFIX + "text/plain": summary(record)},
            raw=True, metadata={"scrapbook": {"name": KEY, "mime_prefix": _GLUE_PREFIX}})
    return None
