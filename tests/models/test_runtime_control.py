"""Run-time control of rules and neurons: the plasticity switch and constants set between runs.

References: the NC rule's closed form (``Δw = A_plus·w·(1 + tanh(-(Δt - mu_plus)/tau_plus))``,
Sboev et al. 2021), the exponential drift law of the Memristor docstring and the membrane
of NEST's ``iaf_psc_exp`` under a constant current, ``V(t) = E_L + I_e τ_m/C_m (1 - e^{-t/τ_m})``.
Compilations are counted as the run loops the Numba backend has built and their typed
specialisations: a constant that needed new code, or changed an argument's type, adds one.
"""

from __future__ import annotations

import numpy as np
import pytest

from spikeloom import Network, SpikeGeneratorGroup, StateMonitor, Synapses, ms, mV, pA, second
from spikeloom.backends.numba import _run as numba_run
from spikeloom.models import iaf_psc_exp
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import NanocompositeSTDP, ParyleneSTDP

PERIOD = 100 * ms


def _compilations() -> int:
    return sum(len(loop.signatures) for loop in numba_run._LOADED.values())


def _pair_network(rule, tag: str):
    """One synapse; each 100 ms the pre spike at 10 ms precedes the post spike at 20 ms."""
    pre = SpikeGeneratorGroup(1, [0], [10] * ms, period=PERIOD, name=f"pre_{tag}")
    post = SpikeGeneratorGroup(1, [0], [20] * ms, period=PERIOD, name=f"post_{tag}")
    S = rule.attach(pre, post, w=0.5, name=f"syn_{tag}", seed=1)
    return Network(pre, post, S), S


def _nc_step(w, A_plus, rule):
    """The closed form of one Δt = +10 ms pair (depression is off: A_minus = 0)."""
    return w * (1 + A_plus * (1 + np.tanh(-(10e-3 - float(rule.mu_plus / second))
                                          / float(rule.tau_plus / second))))


def test_frozen_weights_stay_bit_identical_and_learning_resumes():
    rule = NanocompositeSTDP(A_minus=0.0)
    net, S = _pair_network(rule, "freeze")
    net.run(PERIOD)
    w1 = S.w[:].copy()
    assert w1[0] == pytest.approx(_nc_step(0.5, rule.A_plus, rule), rel=1e-12)
    compiled = _compilations()

    S.plastic = False
    assert S.plastic is False
    net.run(3 * PERIOD)  # three more pre/post pairs
    assert S.w[:].tobytes() == w1.tobytes()

    S.plastic = True
    net.run(PERIOD)
    assert S.w[0] == pytest.approx(_nc_step(w1[0], rule.A_plus, rule), rel=1e-12)
    assert _compilations() == compiled


def test_rule_parameter_set_between_runs_needs_no_compilation():
    rule = NanocompositeSTDP(A_minus=0.0)
    net, S = _pair_network(rule, "aplus")
    net.run(PERIOD)
    compiled = _compilations()
    w1 = S.w[0]
    assert S.A_plus == rule.A_plus
    S.A_plus = 3 * rule.A_plus
    S.tau_plus = 5 * ms  # a time constant: the unit is checked, the value is new
    net.run(PERIOD)
    moved = NanocompositeSTDP(A_plus=3 * rule.A_plus, A_minus=0.0, tau_plus=5 * ms)
    assert S.w[0] == pytest.approx(_nc_step(w1, moved.A_plus, moved), rel=1e-12)
    S.A_plus = 0  # an int on a float constant: stored as a float, the same loop runs
    net.run(PERIOD)
    assert _compilations() == compiled


def test_neuron_current_set_between_runs_needs_no_compilation():
    """A per-neuron I_e and a new tau_m set between runs drive V as the closed form says."""
    G = iaf_psc_exp(2, name="iaf_runtime", V_th=100 * mV)  # no spike: V stays subthreshold
    mon = StateMonitor(G, "V_m", record=True, name="iaf_runtime_mon")
    net = Network(G, mon)
    net.run(1 * ms)
    compiled = _compilations()
    assert G.tau_m == 10 * ms
    G.I_e = [100, 300] * pA
    G.tau_m = 20 * ms
    net.run(20 * ms)
    t = 20e-3  # the last step ends the second run
    expected = -70e-3 + np.array([100e-12, 300e-12]) * 20e-3 / 250e-12 * (1 - np.exp(-t / 20e-3))
    np.testing.assert_allclose(G.V_m_, expected, rtol=1e-9)
    assert _compilations() == compiled


@pytest.mark.parametrize("make_rule", [
    lambda: NanocompositeSTDP(device=Memristor(drift="exponential", drift_tau=0.5 * second)),
    lambda: ParyleneSTDP(device=Memristor(drift="exponential", drift_tau=0.5 * second)),
], ids=["nc", "ppx"])
def test_frozen_device_still_drifts(make_rule):
    """Frozen weights are not reprogrammed, but the device's state relaxes as before:
    w_now = w_rest + (w - w_rest)·exp(-(t - t_prog)/drift_tau)."""
    rule = make_rule()
    net, S = _pair_network(rule, f"drift_{type(rule).__name__}")
    net.run(PERIOD)
    S.plastic = False
    w, t_prog = S.w[0], S.mem_tprog[0] / second
    net.run(4 * PERIOD)
    assert S.w[0] == w and S.mem_tprog[0] / second == t_prog
    t = float(net.t / second)
    expected = rule.w_min + (w - rule.w_min) * np.exp(-(t - t_prog) / 0.5)
    assert S.w_now[0] == pytest.approx(expected, rel=1e-9)


def test_switch_errors_name_the_argument():
    rule = NanocompositeSTDP()
    _, S = _pair_network(rule, "errors")
    with pytest.raises(TypeError, match="plastic must be True or False, got 0"):
        S.plastic = 0
    with pytest.raises(Exception, match="has unit"):
        S.tau_plus = 5.0
    with pytest.raises(ValueError, match="must be finite"):
        S.A_plus = float("nan")
    plain = Synapses(S.source, S.target, "w : 1", on_pre="w += 1", name="plain_syn")
    with pytest.raises(AttributeError, match="reads no 'plastic'"):
        plain.plastic = False
