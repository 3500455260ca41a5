"""The explorers' buttons in a real kernel, clicked the way JupyterLab clicks them (a comm message).

Checked: the first run says it is compiling and the progress advances (NDC too); cancel stops a run
between chunks; a kernel interrupt leaves a clean panel (during a background run it does nothing,
during a synchronous ``run()`` the run stops and the panel is usable again, also for the diode
kernel, where an interrupt used to surface as ``SystemError``); reset-to-defaults restores every
control with one redraw. In this process: the default figures draw thermolib's values and the
given points; both buttons add exactly the points of their physics callbacks (which the chapter
checks against theory, nbval); the diode's exact J - J0 is NaN where there is none.
"""
import json
import os
import sys
import time
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "chapters"))
from explorers import runs  # noqa: E402

LONG_NDC = "sim_t=10**4, sim_realizations=64, seed=5"        # 32 chunks of ~1 s on 2 cores
LONG_DIODE = "sim_t=3000.0, sim_realizations=8192, seed=5"   # 5 x 32 chunks of ~0.3 s


@pytest.fixture(scope="module")
def kc():
    env = dict(os.environ, THERMOLIB_CACHE="")       # no run cache: every click really simulates
    km, client = jupyter_client.manager.start_new_kernel(kernel_name="python3",
                                                         cwd=str(ROOT / "chapters"), env=env)
    execute(client, "from explorers import NDCExplorer, DiodeExplorer, NDC_DEFAULTS\n"
                    "import json, time\n"
                    "def history(panel):\n"
                    "    h = []\n"
                    "    panel.status.observe(lambda c: h.append(c['new']), names='value')\n"
                    "    return h\n")
    client.km = km
    yield client
    client.stop_channels()
    km.shutdown_kernel(now=True)


def execute(client, code, timeout=300):
    """Run code; returns (stdout, error name or None)."""
    msg_id = client.execute(code)
    out, error, t0 = [], None, time.time()
    while True:
        msg = client.get_iopub_msg(timeout=max(1.0, timeout - (time.time() - t0)))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            error = content["ename"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), error


def value(client, expr):
    out, err = execute(client, f"print(json.dumps({expr}))")
    assert err is None, (expr, err)
    return json.loads(out)


def click(client, button_expr):
    """What the browser sends when a button is clicked: a comm message to the button's model."""
    comm_id = value(client, f"{button_expr}.model_id")
    msg = client.session.msg("comm_msg", {"comm_id": comm_id, "data": {
        "method": "custom", "content": {"event": "click"}}})
    client.shell_channel.send(msg)


def wait_until(client, expr, timeout=300):
    t0 = time.time()
    while not value(client, expr):
        assert time.time() - t0 < timeout, f"timed out waiting for {expr}"
        time.sleep(0.3)


def panel_state(client, name):
    return value(client, f"dict(status={name}.status.value, running={name}.running, "
                         f"button={name}.button.disabled, cancel={name}.cancel.disabled, "
                         f"done={name}.progress.value, total={name}.progress.max, "
                         f"points=len({name}.sims))")


def test_first_click_says_compiling_and_the_ndc_progress_advances(kc):
    execute(kc, "e = NDCExplorer(sim_t=300.0, sim_realizations=8, seed=3); h = history(e)")
    click(kc, "e.button")
    wait_until(kc, "bool(h) and not e.running")
    h = value(kc, "h")
    assert h[0] == "compiling simulator (first run only) ...", h
    chunks = runs.n_chunks(8, "ndc")
    assert chunks == 4 and [f"running ... {i}/{chunks}" for i in range(1, chunks + 1)] == \
        [s for s in h if s.startswith("running")], h
    state = panel_state(kc, "e")
    assert state["status"].startswith("done in") and "J = " in state["status"], state
    assert (state["done"], state["total"], state["points"]) == (4, 4, 1), state
    assert (state["button"], state["cancel"]) == (False, True), state
    execute(kc, "h.clear()")
    click(kc, "e.button")                                     # a second run: no compile notice
    wait_until(kc, "bool(h) and not e.running")
    assert "compiling" not in " ".join(value(kc, "h"))


def test_cancel_stops_the_run_between_chunks(kc):
    execute(kc, f"c = NDCExplorer({LONG_NDC})")
    click(kc, "c.button")
    wait_until(kc, "c.progress.value >= 1")
    assert value(kc, "c.cancel.disabled") is False            # the kernel is free while it runs
    click(kc, "c.cancel")
    wait_until(kc, "not c.running", timeout=60)
    state = panel_state(kc, "c")
    assert state["status"].startswith("cancelled after"), state
    assert state["done"] < state["total"] == 32 and state["points"] == 0, state
    assert (state["button"], state["cancel"]) == (False, True), state


def test_interrupt_during_a_background_run_leaves_it_running_and_the_panel_clean(kc):
    execute(kc, f"b = NDCExplorer({LONG_NDC})")
    click(kc, "b.button")
    wait_until(kc, "b.progress.value >= 1")
    kc.km.interrupt_kernel()
    time.sleep(1.0)
    assert value(kc, "1 + 1") == 2                            # the kernel still answers
    state = panel_state(kc, "b")
    assert state["running"] and state["status"].startswith("running"), state
    click(kc, "b.cancel")
    wait_until(kc, "not b.running", timeout=60)
    assert panel_state(kc, "b")["status"].startswith("cancelled after")


@pytest.mark.parametrize("make, name", [(f"NDCExplorer({LONG_NDC})", "ndc"),
                                        (f"DiodeExplorer({LONG_DIODE})", "diode")])
def test_interrupt_during_a_synchronous_run_leaves_a_clean_panel(kc, make, name):
    execute(kc, f"s = {make}")
    kc.execute("s.run()")                                    # blocks the kernel ...
    wait_until_busy = time.time() + 2.5
    while time.time() < wait_until_busy:
        time.sleep(0.1)
    kc.km.interrupt_kernel()                                  # ... until interrupted
    out, err = execute(kc, "print('after')", timeout=120)     # queued behind s.run()
    state = panel_state(kc, "s")
    assert state["status"] == "interrupted", state
    assert not state["running"] and (state["button"], state["cancel"]) == (False, True), state
    assert state["points"] == 0, state
    execute(kc, "s.sim_t.value, s.sim_R.value = s.sim_t.min * 1.5, s.sim_R.min")
    out, err = execute(kc, "s.run(); print(s.status.value)")  # usable again
    assert err is None and out.startswith("done in"), (out, err)


def test_reset_restores_every_control_with_one_redraw(kc):
    execute(kc, "r = NDCExplorer(); redraws = []\n"
                "r.image.observe(lambda c: redraws.append(1), names='value')\n"
                "r.controls['T_L'].value = 10.0; r.controls['N_b'].value = 80\n"
                "r.controls['logy'].value = True\n"
                "redraws.clear(); r.reset.click()")
    assert value(kc, "r.params() == NDC_DEFAULTS") is True
    assert value(kc, "len(redraws)") == 1


def test_pooled_chunks_equal_the_estimate_over_all_samples():
    import numpy as np

    rng = np.random.default_rng(1)
    x = rng.normal(size=37)
    parts = np.split(x, [2, 10, 11 + 2, 30])
    mean, err = runs.pool([p.mean() for p in parts],
                          [p.std(ddof=1) / np.sqrt(p.size) if p.size > 1 else 0.0 for p in parts],
                          [p.size for p in parts])
    assert abs(mean - x.mean()) < 1e-14 and abs(err - x.std(ddof=1) / np.sqrt(x.size)) < 1e-14


def test_chunking_is_machine_independent_and_seeds_are_distinct():
    assert runs._chunks(8, 2) == [2, 2, 2, 2] and runs._chunks(9, 2) == [2, 2, 2, 3]
    assert runs._chunks(3, 256) == [3]
    seeds = {runs.chunk_seed(s, c) for s in range(50) for c in range(50)}
    assert len(seeds) == 2500
    with pytest.raises(ValueError, match="realizations"):
        runs._chunks(1, 2)


# ------------------------------------------------------------------ the figures draw thermolib's values
# (in this process: the figures are plain matplotlib, the panels plain ipywidgets)
def _lines(ax):
    """First line per gid (an errorbar is the data line, then its caps)."""
    out = {}
    for line in ax.get_lines():
        out.setdefault(line.get_gid(), line)
    return out


def test_ndc_figure_draws_thermolib_curves_and_the_given_points():
    import numpy as np
    from explorers import NDC_DEFAULTS, ndc_chain, ndc_curves, ndc_figure
    from thermolib import MarkovReductionError

    chain = ndc_chain(**NDC_DEFAULTS)
    point = dict(T_L=2.0, J=0.14, J_err=0.003, key=(chain, 0.0, 8))
    other = dict(T_L=3.0, J=0.1, J_err=0.003, key=(chain, 0.0, 16))   # another curve: not drawn
    lines = _lines(ndc_figure(NDC_DEFAULTS, [point, other]).axes[0])
    for gid, kw in (("J_inf", {}), ("J_N", dict(N=8)), ("J_mem", dict(N=8, memory=True))):
        x, y = lines[gid].get_data()
        ok = np.flatnonzero(np.isfinite(y))
        for i in ok[[0, len(ok) // 2, -1]]:
            assert abs(y[i] - chain.current(x[i], 0.0, **kw)) < 1e-12 * abs(y[i]), gid
    # the grey region ends at T*, where thermolib refuses; just above it the current exists
    c = ndc_curves(chain, 0.0, 8)
    assert c["T_star"] == chain.critical_temperature()
    with pytest.raises(MarkovReductionError):
        chain.current(c["T_star"], 0.0)
    assert np.isfinite(chain.current(c["T_star"] * (1 + 1e-6), 0.0))
    # the star is the maximum of the closed form: no grid point above it, lower on either side
    (xs,), (ys,) = lines["J_max"].get_data()
    assert abs(ys - chain.current(xs, 0.0)) < 1e-12 * ys and np.nanmax(c["J_inf"]) <= ys * (1 + 1e-12)
    assert max(chain.current(xs * 1.001, 0.0), chain.current(xs / 1.001, 0.0)) < ys
    x, y = lines["J_sim"].get_data()
    assert list(x) == [2.0] and list(y) == [0.14]


def test_diode_figure_draws_thermolib_curves_and_the_given_points():
    import warnings

    import numpy as np
    from explorers import DIODE_DEFAULTS, diode_figure, make_diode, temperatures
    from thermolib import FirstOrderValidityWarning
    from thermolib.diode import VALIDITY_THRESHOLD

    d = make_diode(**DIODE_DEFAULTS)
    key = (d, 1.0, 0.1)
    pts = [dict(dT=dT, J=0.07 * dT, J_err=1e-3, J0=0.07 * dT, J0_err=1e-3, excess=-0.005 * dT,
                excess_err=3e-4, exact=ex, key=key) for dT, ex in ((-1.0, 0.003), (1.0, np.nan))]
    fig = diode_figure(DIODE_DEFAULTS, pts)
    ax_J, ax_J1, ax_chi, ax_v = fig.axes[:4]
    get = lambda ax, gid: _lines(ax)[gid].get_data()  # noqa: E731
    x, y0 = get(ax_J, "J0")
    T_A, T_B = temperatures(1.0, x)
    assert np.allclose(y0, d.current(T_A, T_B), rtol=1e-13, atol=0)
    _, yv = get(ax_v, "valid")
    assert np.allclose(yv, d.validity(T_A, T_B, 0.1), rtol=1e-13, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        J_eps = d.current(T_A, T_B, 0.1)
        xr, ychi = get(ax_chi, "chi")
        chi = d.rectification(*temperatures(1.0, xr), 0.1)
    # the solid and grey-dashed pieces together are the first-order curve, split at the threshold
    _, y_ok = get(ax_J, "J")
    _, y_bad = get(ax_J, "J_invalid")
    assert np.allclose(np.where(np.isnan(y_ok), y_bad, y_ok), J_eps, rtol=1e-13, atol=0)
    assert np.array_equal(np.isnan(y_ok), yv > VALIDITY_THRESHOLD)
    _, ychi_bad = get(ax_chi, "chi_invalid")
    assert np.allclose(np.where(np.isnan(ychi), ychi_bad, ychi), chi, rtol=1e-13, atol=0)
    # the points: simulated excess with error bars; the exact value only where there is one
    assert list(get(ax_J1, "J1_sim")[0]) == [-1.0, 1.0]
    xe, ye = get(ax_J1, "J1_exact")
    assert list(xe) == [-1.0, 1.0] and ye[0] == 0.003 and np.isnan(ye[1])


# ------------------------------------------------------------------ the buttons, clicked in this process
def test_buttons_add_the_points_of_the_physics_callbacks(tmp_path, monkeypatch):
    import numpy as np
    from explorers import (DIODE_DEFAULTS, DIODE_FORCES, DIODE_SIM_POINTS, DiodeExplorer,
                           NDCExplorer, diode_curves, diode_figure, make_diode, ndc_chain, ndc_figure,
                           simulate_diode_points, simulate_ndc_point)

    monkeypatch.setenv("THERMOLIB_CACHE", str(tmp_path))   # the second call reads the first's chunks
    e = NDCExplorer(sim_t=300.0, sim_realizations=8, seed=7)
    assert e.sim_t.value == 300.0
    e.controls["T_L"].value = 2.0
    e.button.click()                                        # runs in a worker thread
    assert e.wait(600), "the NDC run did not finish"
    assert e.progress.value == e.progress.max == 4 and e.status.value.startswith("done")
    assert e.sims[-1] == simulate_ndc_point(ndc_chain(**e.params()), 2.0, 0.0, 8, t=300.0,
                                            realizations=8, seed=7)
    assert any(line.get_gid() == "J_sim" for line in ndc_figure(e.params(), e.sims).axes[0].lines)
    e.controls["N"].value = 32          # memory curve switched off, stale points hidden: no failure
    assert e.message.value == ""
    e.clear.click()
    assert e.sims == []

    g = DiodeExplorer(sim_t=60.0, sim_realizations=256, seed=3)
    g.button.click()
    assert g.wait(600), "the diode run did not finish"
    assert len(g.sims) == DIODE_SIM_POINTS and g.progress.value == g.progress.max, g.status.value
    assert g.progress.max == DIODE_SIM_POINTS * 2                 # one chunk + one exact solve each
    assert g.sims == simulate_diode_points(make_diode(**DIODE_DEFAULTS), 1.0, 1.0, 0.1,
                                           t=g.sim_t.value, realizations=256, seed=3)
    assert all(np.isfinite(s["exact"]) for s in g.sims)             # converged at the defaults
    assert any(line.get_gid() == "J1_exact" for line in diode_figure(g.params(), g.sims).axes[1].lines)
    for name in DIODE_FORCES:          # every force type of the dropdowns gives finite curves
        cur = diode_curves(make_diode(**dict(DIODE_DEFAULTS, force_A=name, force_B=name)), 1.0, 0.1)
        assert all(np.all(np.isfinite(cur[k])) for k in ("J0", "J", "chi", "valid")), name
    g.controls["force_A"].value = "cosh: V = cosh z"              # redraw through the widget
    g.controls["k_A"].value, g.controls["k_B"].value = 0.0, 0.0   # invalid: a message, no exception
    assert g.message.value.startswith("<b>cannot draw:</b>"), g.message.value


def test_exact_excess_is_nan_where_the_forces_do_not_confine():
    import math

    from explorers import exact_excess
    from thermolib import Diode, forces

    d = Diode(k_I=0.5, f_A=forces.power(2))
    assert math.isnan(exact_excess(d, 1.5, 0.5, -0.1))        # eps < 0: -z^3 pushes outwards
    assert abs(exact_excess(d, 1.5, 0.5, 1e-3) / (1e-3 * d.kappa1(1.5, 0.5)) - 1) < 1e-2
