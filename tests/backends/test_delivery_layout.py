"""Run-constant synaptic arrays read in delivery order (``backends/numba/_layout.py``).

Pathways that reach their synapses through an index read copies of the arrays they never
write, laid out in the order of delivery. The copies must change no number (the same values
are read), must be made again when the user changes a synaptic variable between runs, and
must not be made for what the loop writes.
"""

import numpy as np

import spikeloom as sl
from spikeloom.backends.numba import _layout


def _network(n_sources=40, n_targets=30, seed=5):
    """Poisson-like sources onto targets through synapses created in random order, with
    per-synapse delays: delivery goes through ``order``."""
    sl.defaultclock.dt = 0.1 * sl.ms
    rng = np.random.default_rng(seed)
    sources = sl.NeuronGroup(n_sources, "p : 1", threshold="rand() < p", name="src")
    sources.p = 0.05
    targets = sl.NeuronGroup(n_targets, "v : 1\ncount : 1", name="tgt")
    syn = sl.Synapses(sources, targets, "w : 1\nk : 1", on_pre="v_post += w + k",
                      name="syn")
    syn.run_regularly("k = 0.001*i", dt=1 * sl.ms)  # written by the loop: read in place
    i = rng.integers(0, n_sources, 600)
    j = rng.integers(0, n_targets, 600)
    syn.connect(i=i, j=j)
    syn.w = rng.uniform(0.5, 1.5, 600)
    syn.delay = rng.integers(0, 20, 600) * 0.1 * sl.ms
    spikes = sl.SpikeMonitor(sources)
    return sl.Network(sources, targets, syn, spikes), targets, syn, spikes


def _result(monkeypatch, min_steps):
    monkeypatch.setattr(_layout, "MIN_STEPS", min_steps)
    sl.seed(11)
    net, targets, syn, spikes = _network()
    net.run(150 * sl.ms, report=None)
    return np.asarray(targets.v[:]), np.asarray(spikes.i[:])


def test_delivery_ordered_copies_change_no_number(monkeypatch):
    calls = []
    original = _layout.delivery_ordered

    def spy(plan, arrays, n_steps):
        new_plan, new_arrays = original(plan, arrays, n_steps)
        calls.append(sorted(set(new_arrays) - set(arrays)))
        return new_plan, new_arrays

    monkeypatch.setattr("spikeloom.backends.numba._run.delivery_ordered", spy)
    with_copies = _result(monkeypatch, 1)
    # the weight and the target index are copied; k, which the loop writes, is not
    made = calls[-1]
    assert any(name.startswith("w_syn") for name in made)
    assert any(name.startswith("_synaptic_post_syn") for name in made)
    assert not any(name.startswith("k_syn") for name in made)
    without = _result(monkeypatch, 10**9)
    assert with_copies[1].size > 100  # sources spiked: the comparison means something
    for a, b in zip(with_copies, without):
        np.testing.assert_array_equal(a, b)


def test_a_weight_changed_between_runs_is_used(monkeypatch):
    """One source spiking every step onto two targets: v grows by w per step, then by the
    new w (closed form), although the first run's copies held the old weights."""
    monkeypatch.setattr(_layout, "MIN_STEPS", 1)
    sl.defaultclock.dt = 0.1 * sl.ms
    source = sl.NeuronGroup(1, "", threshold="True")
    target = sl.NeuronGroup(2, "v : 1")
    syn = sl.Synapses(source, target, "w : 1", on_pre="v_post += w")
    syn.connect(i=[0, 0], j=[1, 0])  # stored against the delivery order of targets
    syn.w = [1.0, 2.0]
    syn.delay = [0.0, 0.1] * sl.ms
    net = sl.Network(source, target, syn)
    net.run(1 * sl.ms, report=None)  # 10 steps; synapse 1 delivers one step later
    syn.w = [10.0, 20.0]
    net.run(1 * sl.ms, report=None)
    np.testing.assert_array_equal(target.v[:], [2.0 * 9 + 20.0 * 10, 1.0 * 10 + 10.0 * 10])
