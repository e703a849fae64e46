"""Runs cut into chunks by network operations: the lowering of the first chunk serves the
others only while it still describes the network.

Each test has a closed form that a stale lowering (old arrays, old spikes, monitors that
lost or duplicated rows) would break.
"""

import numpy as np

from spikeloom import (
    Network,
    NeuronGroup,
    PoissonGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    network_operation,
)


def test_operation_writing_a_variable_every_step_is_seen_by_the_next_step():
    """v' = 0 with v += 1 by an operation each 0.1 ms step: v(t) counts the steps, and the
    monitor (start slot, after the operation) sees 1, 2, 3... without a gap or repeat."""
    G = NeuronGroup(2, "v : 1")

    @network_operation(dt=0.1 * ms)
    def add_one():
        G.v += 1

    M = StateMonitor(G, "v", record=[0])
    net = Network(G, add_one, M)
    net.run(5 * ms)
    np.testing.assert_array_equal(M.v[0], np.arange(1, 51))
    np.testing.assert_allclose(np.asarray(M.t / ms), np.arange(50) * 0.1, atol=1e-12)


def test_spikes_replaced_mid_run_are_emitted():
    """set_spikes inside an operation replaces the generator's arrays: the next chunk must
    be lowered again and emit the new spike (a reused lowering would keep the old one)."""
    gen = SpikeGeneratorGroup(1, [0], [1] * ms)

    @network_operation(dt=2 * ms)
    def move_spike(t):
        if abs(float(t / ms) - 2) < 1e-9:
            gen.set_spikes([0], [3.5] * ms)

    spikes = SpikeMonitor(gen)
    net = Network(gen, move_spike, spikes)
    net.run(6 * ms)
    np.testing.assert_allclose(np.asarray(spikes.t / ms), [1.0, 3.5], atol=1e-12)


def test_synapses_connected_mid_run_transmit():
    """connect() inside an operation enlarges the synapse arrays: spikes after it arrive."""
    source = SpikeGeneratorGroup(1, [0, 0], [1, 4] * ms)
    target = NeuronGroup(3, "v : 1")
    S = Synapses(source, target, on_pre="v += 1")

    @network_operation(dt=2 * ms)
    def wire(t):
        if abs(float(t / ms) - 2) < 1e-9:
            S.connect(i=[0, 0], j=[0, 2])

    net = Network(source, target, S, wire)
    net.run(6 * ms)
    np.testing.assert_array_equal(target.v[:], [1, 0, 1])  # only the spike at 4 ms arrives


def test_rate_monitor_times_and_counts_over_many_chunks():
    """A PopulationRateMonitor over 400 one-step chunks has one entry per step at t = k dt,
    and its rates add up to the spikes counted by a SpikeMonitor."""
    P = PoissonGroup(50, rates=500 * np.ones(50) * 1e-3 / ms)
    calls = []

    @network_operation(dt=0.1 * ms)
    def count():
        calls.append(1)

    R = PopulationRateMonitor(P)
    S = SpikeMonitor(P)
    net = Network(P, count, R, S)
    net.run(40 * ms)
    assert len(calls) == 400
    np.testing.assert_allclose(np.asarray(R.t / ms), np.arange(400) * 0.1, atol=1e-12)
    spikes_from_rate = np.asarray(R.rate) * 0.1e-3 * 50
    np.testing.assert_allclose(spikes_from_rate.sum(), S.num_spikes, rtol=1e-9)
