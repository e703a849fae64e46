"""Simulations against closed-form solutions (no reference simulator needed)."""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Hz, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, ms, mV, second


def test_lif_time_to_first_spike_under_constant_drive():
    """dv/dt = (v0 - v)/tau from v = 0 crosses vt at t* = tau*ln(v0/(v0 - vt)).

    With exact integration the first spike is the first step whose end value exceeds vt:
    t_spike = ceil(t*/dt)*dt (Brian2's thresholder sees v after the update of that step).
    """
    tau = 10 * ms  # noqa: F841 - read by the model string through the namespace
    v0 = np.array([12.0, 15.0, 20.0, 40.0]) * mV
    G = NeuronGroup(4, "dv/dt = (v0 - v)/tau : volt\nv0 : volt", threshold="v > 10*mV",
                    reset="v = 0*mV", method="exact")
    G.v0 = v0
    spikes = SpikeMonitor(G)
    sl.Network(G, spikes).run(60 * ms)
    v0_si, vt, tau_si, dt = np.asarray(v0 / sl.volt), 0.010, 0.010, 1e-4
    t_star = tau_si * np.log(v0_si / (v0_si - vt))
    first = np.array([spikes.t_[spikes.i == k].min() for k in range(4)])
    expected = np.ceil(t_star / dt - 1e-9) * dt
    np.testing.assert_allclose(first, expected - dt, atol=1e-12,
                               err_msg=f"t*={t_star}, first={first}")
    isi = np.diff(spikes.t_[spikes.i == 0])
    np.testing.assert_allclose(isi, isi[0], atol=1e-12)


def _forced_decay(method: str, dt_ms: float) -> float:
    """Max error of dv/dt = -a*v + sin(w*t) against its closed form over 50 ms."""
    sl.start_scope()
    G = NeuronGroup(1, "dv/dt = -v/tau + sin(w*t)/tau : 1", method=method,
                    namespace={"tau": 5 * ms, "w": 2 * np.pi * 40 * Hz}, dt=dt_ms * ms)
    mon = StateMonitor(G, "v", record=0, dt=dt_ms * ms)
    net = sl.Network(G, mon)
    net.run(50 * ms)
    t = mon.t_
    a, w = 1 / 5e-3, 2 * np.pi * 40
    b = a  # forcing amplitude sin(w t)/tau
    exact = b * (a * np.sin(w * t) - w * np.cos(w * t) + w * np.exp(-a * t)) / (a**2 + w**2)
    return float(np.max(np.abs(mon.v[0] - exact)))


@pytest.mark.parametrize("method, order", [("euler", 1), ("rk2", 2), ("rk4", 4)])
def test_integration_convergence_order(method, order):
    """Slope of log(error) against log(dt) equals the method's order (within 0.25)."""
    dts = [0.2, 0.1, 0.05, 0.025]
    errors = [_forced_decay(method, dt) for dt in dts]
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert abs(slope - order) < 0.25, f"{method}: errors {errors}, slope {slope:.2f}"


def test_poisson_counts_within_four_sigma():
    """1000 neurons at 20 Hz for 2 s: the total count is Poisson(40000) (binomial per step)."""
    sl.seed(4321)
    P = PoissonGroup(1000, 20 * Hz)
    spikes = SpikeMonitor(P)
    sl.Network(P, spikes).run(2 * second)
    n_steps, p = 20000, 20 * 1e-4
    mean = 1000 * n_steps * p
    std = np.sqrt(1000 * n_steps * p * (1 - p))
    assert abs(spikes.num_spikes - mean) < 4 * std, (spikes.num_spikes, mean, std)
    counts = spikes.count[:]  # a view, as in Brian2; [:] gives the array
    # per-neuron counts are binomial: their variance equals n p (1 - p) within sampling error
    var_expected = n_steps * p * (1 - p)
    assert abs(counts.var(ddof=1) / var_expected - 1) < 4 * np.sqrt(2 / 999)


def test_poisson_rates_per_neuron_expression():
    """rates = 'i*Hz' gives counts proportional to i (chi-square-free linear check)."""
    sl.seed(7)
    P = PoissonGroup(50, "i*2*Hz")
    spikes = SpikeMonitor(P)
    sl.Network(P, spikes).run(20 * second)
    expected = np.arange(50) * 2 * 20.0
    assert spikes.count[0] == 0
    z = (spikes.count[1:] - expected[1:]) / np.sqrt(expected[1:])
    assert np.all(np.abs(z) < 4.5), z
    assert abs(z.mean()) < 4 / np.sqrt(49)


def test_seeded_runs_are_reproducible_and_seed_matters():
    def run(seed_value):
        sl.start_scope()
        sl.seed(seed_value)
        P = PoissonGroup(20, 50 * Hz)
        spikes = SpikeMonitor(P)
        sl.Network(P, spikes).run(200 * ms)
        return spikes.i, spikes.t_

    a, b, c = run(1), run(1), run(2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert len(a[0]) != len(c[0]) or not np.array_equal(a[0], c[0])
