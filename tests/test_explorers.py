"""The explorers' buttons in a real kernel, clicked the way JupyterLab clicks them (a comm message).

Checked: the first run says it is compiling and the progress advances (NDC too); cancel stops a run
between chunks; a kernel interrupt leaves a clean panel (during a background run it does nothing,
during a synchronous ``run()`` the run stops and the panel is usable again, also for the diode
kernel, where an interrupt used to surface as ``SystemError``); reset-to-defaults restores every
control with one redraw. The physics of the button's points is checked by the chapter (nbval).
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
