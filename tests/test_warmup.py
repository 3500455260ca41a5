"""thermolib.sim.warmup compiles every simulator kernel (Binder's postBuild calls it)."""
import thermolib.sim as sim


def test_warmup_runs_every_simulator_once(capsys):
    seconds = sim.warmup(verbose=True)
    out = capsys.readouterr().out
    for name in ("mean_force", "probe_relaxation", "chain_current", "two_bath_chain_current",
                 "diode_current"):
        assert f"warmup: {name} ready" in out
    assert seconds >= 0.0
    assert "warmup" in sim.__all__


def test_warmup_flag_is_a_real_boolean():
    import pytest

    with pytest.raises(TypeError, match="verbose"):
        sim.warmup(verbose="no")
