"""thermolib.provenance: the record a chapter leaves for the book build."""
from __future__ import annotations

import re
import subprocess

import nbformat
import pytest

from thermolib import provenance, runcache


@pytest.fixture(autouse=True)
def empty_ledger():
    runcache.reset_ledger()
    yield
    runcache.reset_ledger()


def test_record_states_fidelity_seed_and_version(monkeypatch):
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    monkeypatch.setenv("THERMOBOOK_SEED", "3")
    rec = provenance.page_record()
    from thermolib import __version__

    assert rec["schema"] == provenance.SCHEMA
    assert rec["fidelity"] == "paper" and rec["seed_offset"] == 3
    assert rec["thermolib_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", rec["executed_at"])


def test_record_sums_the_cost_ledger_cached_results_included():
    runcache.record_cost("sim.a", 2.5, cached=True)
    runcache.record_cost("sim.b", 1.25, cached=False)
    rec = provenance.page_record()
    assert rec["cpu_seconds"] == pytest.approx(3.75)
    assert rec["results"] == 2
    assert rec["computed_now"] == 1 and rec["cpu_seconds_now"] == pytest.approx(1.25)


def test_record_of_an_empty_page_costs_nothing():
    rec = provenance.page_record()
    assert rec["cpu_seconds"] == 0 and rec["results"] == 0


def test_source_commit_in_and_outside_a_checkout(tmp_path):
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True, cwd=provenance.Path(provenance.__file__).parent)
    if head.returncode != 0:
        pytest.skip("thermolib is not in a git checkout here")
    commit = provenance.source_commit()
    assert re.fullmatch(r"[0-9a-f]{12}(\+dirty)?", commit)
    assert commit.startswith(head.stdout.strip())
    assert provenance.source_commit(tmp_path) is None


def test_record_page_outside_ipython_does_nothing(capsys):
    assert provenance.record_page() is None
    assert capsys.readouterr().out == ""


def test_record_page_emits_a_valid_hidden_glue_output(monkeypatch):
    """The output must survive nbformat validation (jupyter-cache stores it) and be found by
    myst-nb's glue extraction under provenance.KEY, with the record as a JSON object."""
    import IPython
    import IPython.display
    from myst_nb.ext.glue import extract_glue_data_cell

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display",
                        lambda data, raw, metadata: shown.append((data, metadata)))
    runcache.record_cost("sim.a", 4.0, cached=True)
    assert provenance.record_page() is None
    (data, metadata), = shown
    out = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[out])]))
    cell = nbformat.v4.new_code_cell(outputs=[out])
    (key, glued), = extract_glue_data_cell(cell)
    assert key == provenance.KEY
    rec = glued["data"][provenance.MIME]
    assert rec["cpu_seconds"] == 4.0 and rec["results"] == 1
    assert cell.outputs == [], "the record must not be displayed on the page"
