"""Per-synapse delays through delay groups (``ir.Pathway`` with ``per_synapse_delay``).

A spike pushes one queue entry per (source, delay) group instead of one per synapse. These
tests pin what that must not change: every event arrives exactly ``delay`` after its spike
(closed form: the step of the spike plus the delay in steps), each target receives its events
in the order of the synapse indices, the grouping covers every synapse once, and regrouping
after a change of delays works (or refuses while spikes are in flight).
"""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.core._synapses import _stable_order

DT_MS = 0.1


def test_stable_order_is_the_stable_argsort():
    rng = np.random.default_rng(4)
    key = rng.integers(0, 50, 10_000).astype(np.int64)  # many equal keys
    order, sorted_key = _stable_order(key.copy())
    expected = np.argsort(key, kind="stable")
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(sorted_key, key[expected])
    # keys too wide to pack with the index take the plain stable argsort
    wide = key << 55
    order, sorted_key = _stable_order(wide.copy())
    np.testing.assert_array_equal(order, expected)
    assert _stable_order(np.arange(5, dtype=np.int64))[0] is None  # sorted: no permutation


def _fan_out(delays_ms, times_ms=(1.0,)):
    """One source firing at ``times_ms`` onto one target per delay; each synapse records
    when its last event arrived (``arrived``), each target counts its events (``v``)."""
    sl.defaultclock.dt = DT_MS * sl.ms
    n = len(delays_ms)
    source = sl.SpikeGeneratorGroup(1, np.zeros(len(times_ms), int),
                                    np.asarray(times_ms) * sl.ms)
    target = sl.NeuronGroup(n, "v : 1")
    syn = sl.Synapses(source, target, "arrived : second", on_pre="arrived = t\nv_post += 1")
    syn.connect(i=np.zeros(n, int), j=np.arange(n))
    syn.delay = np.asarray(delays_ms) * sl.ms
    return sl.Network(source, target, syn), target, syn


def _steps(quantity) -> np.ndarray:
    return np.round(np.asarray(quantity / sl.ms) / DT_MS).astype(int)


def test_every_event_arrives_its_delay_after_the_spike():
    rng = np.random.default_rng(0)
    delays = rng.integers(0, 40, 200) * DT_MS  # unsorted, repeated, including 0
    net, target, syn = _fan_out(delays)
    net.run(6 * sl.ms, report=None)
    # the spike is in step 10 (1 ms); an event of d steps is delivered in step 10 + d
    np.testing.assert_array_equal(_steps(syn.arrived[:]), 10 + _steps(delays * sl.ms))
    np.testing.assert_array_equal(target.v[:], 1.0)


def test_events_of_several_spikes_in_flight_all_arrive():
    delays = np.array([0.3, 2.5, 0.3, 1.7, 3.9])
    net, target, syn = _fan_out(delays, times_ms=(1.0, 1.2, 1.4, 2.0))
    net.run(10 * sl.ms, report=None)
    np.testing.assert_array_equal(target.v[:], 4.0)  # 4 spikes, no event lost or doubled
    np.testing.assert_array_equal(_steps(syn.arrived[:]), 20 + _steps(delays * sl.ms))


def test_a_target_receives_its_events_in_synapse_order():
    """Synapses 0, 2 and 3 reach target 0 in the same step, each overwriting ``last``: the
    value left is that of the highest index, as with a per-synapse queue; synapse 1 (another
    delay) makes the delays heterogeneous."""
    sl.defaultclock.dt = DT_MS * sl.ms
    source = sl.SpikeGeneratorGroup(1, [0], [1] * sl.ms)
    target = sl.NeuronGroup(2, "last : 1")
    syn = sl.Synapses(source, target, "tag : 1", on_pre="last_post = tag")
    syn.connect(i=[0, 0, 0, 0], j=[0, 1, 0, 0])
    syn.tag = [10.0, 20.0, 30.0, 40.0]
    syn.delay = [0.5, 0.2, 0.5, 0.5] * sl.ms
    net = sl.Network(source, target, syn)
    net.run(3 * sl.ms, report=None)
    np.testing.assert_array_equal(target.last[:], [40.0, 20.0])


def test_changing_the_delays_between_runs_regroups():
    net, target, syn = _fan_out([0.5, 1.0, 1.5], times_ms=(1.0, 5.0))
    net.run(3 * sl.ms, report=None)  # the first spike's events have all arrived
    syn.delay = [2.0, 0.2, 0.7] * sl.ms
    net.run(5 * sl.ms, report=None)
    np.testing.assert_array_equal(_steps(syn.arrived[:]), [70, 52, 57])
    np.testing.assert_array_equal(target.v[:], 2.0)


def test_changing_the_delays_with_spikes_in_flight_raises():
    net, _, syn = _fan_out([0.5, 1.0, 3.0])
    net.run(1.5 * sl.ms, report=None)  # the spike at 1 ms still has its 3 ms event to deliver
    syn.delay = [0.2, 0.3, 0.4] * sl.ms
    with pytest.raises(ValueError, match="in flight"):
        net.run(1 * sl.ms, report=None)
