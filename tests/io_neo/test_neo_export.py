"""Monitors and networks as Neo objects, checked against closed forms, Neo's own compliance
checks, Elephant's statistics and an NWB round trip."""

import datetime
import sys

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    ms,
    mV,
)
from spikeloom.core._neo import quantities_unit
from spikeloom.units import get_dim

neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")
from neo.test.tools import assert_neo_object_is_compliant

DT = 1e-4  # s, the default clock of the tests (conftest)
TAU, VT = 0.010, 0.010  # s, V
V0 = np.array([0.0, 12.0, 15.0, 20.0]) * 1e-3  # V: the drive of each neuron (0: silent)
DURATION = 0.1  # s


def _lif_network():
    """dv/dt = (v0 - v)/tau from v = 0, reset to 0 at v > vt, exact integration."""
    G = NeuronGroup(4, "dv/dt = (v0 - v)/(10*ms) : volt\nv0 : volt",
                    threshold="v > 10*mV", reset="v = 0*mV", method="exact", name="lif")
    G.v0 = V0 * sl.volt
    spikes = SpikeMonitor(G, variables="v")
    rate = PopulationRateMonitor(G)
    net = Network(G, spikes, rate)
    net.run(DURATION * sl.second)
    return net, G, spikes, rate


def _closed_form_spikes(v0: float) -> np.ndarray:
    """Spike times of a neuron driven by v0, written out from the closed form.

    v crosses vt at t* = tau*ln(v0/(v0 - vt)) after a reset; the thresholder sees the value
    at the end of a step, so a spike comes every n = ceil(t*/dt) steps, and it is recorded
    at the start time of its step: t_k = (k*n - 1)*dt, k = 1, 2, ...
    """
    if v0 <= VT:
        return np.zeros(0)
    n = int(np.ceil(TAU * np.log(v0 / (v0 - VT)) / DT - 1e-9))
    steps = np.arange(1, int(DURATION / DT) // n + 2) * n - 1
    return steps[steps * DT < DURATION - 1e-12] * DT


def test_spike_trains_follow_the_lif_closed_form():
    net, G, spikes, _ = _lif_network()
    trains = spikes.to_neo()
    assert len(trains) == 4
    for k, train in enumerate(trains):
        assert isinstance(train, neo.SpikeTrain)
        assert_neo_object_is_compliant(train)
        assert train.units == pq.s
        assert float(train.t_start) == 0.0
        assert float(train.t_stop) == pytest.approx(DURATION, abs=1e-12)
        assert train.annotations["source"] == "lif" and train.annotations["index"] == k
        expected = _closed_form_spikes(V0[k])
        np.testing.assert_allclose(train.rescale(pq.ms).magnitude, expected * 1e3, atol=1e-9)
    assert len(trains[0]) == 0 and len(trains[3]) > 10  # the silent and the fastest neuron
    # the variable recorded at each spike: v just above threshold, in mV
    v_at_spikes = trains[2].array_annotations["v"]
    assert v_at_spikes.units == pq.mV and len(v_at_spikes) == len(trains[2])
    assert np.all(v_at_spikes.magnitude > 10.0) and np.all(v_at_spikes.magnitude < 10.2)


def test_elephant_rate_and_isi_equal_the_closed_form():
    statistics = pytest.importorskip("elephant.statistics")
    _, _, spikes, _ = _lif_network()
    trains = spikes.to_neo()
    for k in (1, 2, 3):
        t_star = TAU * np.log(V0[k] / (V0[k] - VT))
        period = np.ceil(t_star / DT - 1e-9) * DT  # the period on the time grid
        isi = statistics.isi(trains[k]).rescale(pq.s).magnitude
        np.testing.assert_allclose(isi, period, atol=1e-12)
        assert abs(period - t_star) < DT  # and the continuous period within one step
        rate = statistics.mean_firing_rate(trains[k]).rescale(pq.Hz).magnitude
        assert float(rate) == pytest.approx(len(_closed_form_spikes(V0[k])) / DURATION,
                                            rel=1e-12)


def test_state_monitor_exponential_decay_in_mV():
    """v(t) = v0*exp(-t/tau), recorded at the start of every step."""
    G = NeuronGroup(3, "dv/dt = -v/(20*ms) : volt", method="exact", name="decay")
    G.v = [5.0, -70.0, 30.0] * mV
    mon = StateMonitor(G, "v", record=[0, 2])
    net = Network(G, mon)
    net.run(30 * ms)
    (signal,) = mon.to_neo()
    assert isinstance(signal, neo.AnalogSignal)
    assert_neo_object_is_compliant(signal)
    assert signal.name == "v" and signal.units == pq.mV
    assert signal.shape == (300, 2)
    assert float(signal.sampling_period.rescale(pq.ms)) == pytest.approx(0.1, rel=1e-12)
    assert float(signal.t_start) == 0.0
    np.testing.assert_array_equal(signal.array_annotations["index"], [0, 2])
    t = np.arange(300) * DT
    expected = np.array([5.0, 30.0])[None, :] * np.exp(-t / 0.020)[:, None]
    np.testing.assert_allclose(signal.magnitude, expected, rtol=1e-9)
    np.testing.assert_allclose(signal.times.rescale(pq.s).magnitude, t, atol=1e-12)


def test_population_rate_counts_the_spikes():
    _, G, spikes, rate = _lif_network()
    signal = rate.to_neo()
    assert_neo_object_is_compliant(signal)
    assert signal.units == pq.Hz and signal.shape == (int(DURATION / DT), 1)
    # rate = spikes per neuron per step / dt, so sum(rate)*dt*N is the spike count
    expected_count = sum(len(_closed_form_spikes(v)) for v in V0)
    assert float(signal.magnitude.sum()) * DT * len(G) == pytest.approx(expected_count)
    assert spikes.num_spikes == expected_count


def test_network_block_holds_every_monitor_and_is_compliant():
    net, _, spikes, _ = _lif_network()
    block = net.to_neo()
    assert isinstance(block, neo.Block)
    assert_neo_object_is_compliant(block)
    (segment,) = block.segments
    assert len(segment.spiketrains) == 4 and [s.name for s in segment.analogsignals] == ["rate"]
    assert sum(len(st) for st in segment.spiketrains) == spikes.num_spikes


def test_magic_network_exports_after_run():
    G = NeuronGroup(2, "dv/dt = (v0 - v)/(10*ms) : volt\nv0 : volt",
                    threshold="v > 10*mV", reset="v = 0*mV", method="exact")
    G.v0 = [0, 20] * mV
    spikes = SpikeMonitor(G)
    sl.run(20 * ms)
    block = sl.magic_network.to_neo()
    trains = block.segments[0].spiketrains
    assert [len(st) for st in trains] == [0, len(spikes.t_)]
    np.testing.assert_allclose(trains[1].magnitude, spikes.t_, atol=0)


def test_subgroup_indices_are_those_of_the_group():
    G = NeuronGroup(5, "dv/dt = (v0 - v)/(10*ms) : volt\nv0 : volt", threshold="v > 10*mV",
                    reset="v = 0*mV", method="exact", name="grp")
    G.v0 = [0, 0, 0, 20, 15] * mV
    spikes = SpikeMonitor(G[3:5])
    states = StateMonitor(G[3:5], "v", record=[1])
    Network(G, spikes, states).run(10 * ms)
    trains = spikes.to_neo()
    assert [st.annotations["index"] for st in trains] == [3, 4]
    assert trains[0].annotations["source"] == "grp" and trains[0].name == "grp[3]"
    assert len(trains[0]) == 1 and len(trains[1]) == 0  # 20 mV: first spike at 6.9 ms
    np.testing.assert_array_equal(states.to_neo()[0].array_annotations["index"], [4])


def test_window_drops_spikes_outside_it():
    _, _, spikes, _ = _lif_network()
    trains = spikes.to_neo(t_start=20 * ms, t_stop=50 * ms)
    expected = _closed_form_spikes(V0[3])
    expected = expected[(expected >= 0.020) & (expected <= 0.050)]
    np.testing.assert_allclose(trains[3].magnitude, expected, atol=1e-12)
    assert float(trains[3].t_start) == pytest.approx(0.020)
    with pytest.raises(ValueError, match="t_stop .* is before t_start"):
        spikes.to_neo(t_start=50 * ms, t_stop=20 * ms)
    with pytest.raises(TypeError, match="t_start must be a time"):
        spikes.to_neo(t_start=0.02)


def test_monitor_switched_off_gives_an_irregular_signal():
    G = NeuronGroup(1, "dv/dt = -v/(20*ms) : volt", method="exact")
    G.v = 10 * mV
    mon = StateMonitor(G, "v", record=0)
    net = Network(G, mon)
    net.run(1 * ms)
    mon.active = False
    net.run(1 * ms)
    mon.active = True
    net.run(1 * ms)
    (signal,) = mon.to_neo()
    assert isinstance(signal, neo.IrregularlySampledSignal)
    assert_neo_object_is_compliant(signal)
    t = np.r_[np.arange(10), np.arange(20, 30)] * DT
    np.testing.assert_allclose(signal.times.magnitude, t, atol=1e-12)
    np.testing.assert_allclose(signal.magnitude[:, 0], 10 * np.exp(-t / 0.020), rtol=1e-9)


# -- units ------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit, expected", [
    (sl.mV, "mV"), (sl.nA, "nA"), (sl.nS, "nS"), (sl.pF, "pF"), (sl.Hz, "Hz"),
    (sl.second, "s"), (sl.mM, "mM"), (sl.um, "um"), (sl.Mohm, "MOhm"),
])
def test_preferred_units_equal_quantities_own(unit, expected):
    """The exported unit is the named one, and one of it is the SI value spikeloom says."""
    pq_unit, scale = quantities_unit(get_dim(unit), "test", "x")
    assert pq_unit == getattr(pq, expected)
    assert float(pq_unit.simplified.magnitude) == pytest.approx(scale, rel=1e-12)
    assert scale == pytest.approx(float(np.asarray(unit)), rel=1e-12)


def test_other_units_are_written_in_si_form():
    dim = get_dim(sl.mV / sl.ms)  # V/s = kg m^2 s^-4 A^-1
    pq_unit, scale = quantities_unit(dim, "test", "x")
    assert scale == 1.0
    assert (1.0 * pq_unit).simplified.dimensionality == (pq.V / pq.s).simplified.dimensionality
    assert quantities_unit(get_dim(1.0), "test", "x") == (pq.dimensionless, 1.0)


def test_a_non_integer_power_unit_is_refused_naming_the_variable():
    G = NeuronGroup(1, "sigma : volt*second**0.5\nv : volt")
    mon = StateMonitor(G, ["v", "sigma"], record=0)
    Network(G, mon).run(1 * ms)
    with pytest.raises(ValueError, match=r"variable 'sigma' has the unit .*s\^-2.5"):
        mon.to_neo()


def test_boolean_variables_are_dimensionless_zeros_and_ones():
    G = NeuronGroup(2, "flag : boolean")
    G.flag = [True, False]
    mon = StateMonitor(G, "flag", record=True)
    Network(G, mon).run(0.3 * ms)
    (signal,) = mon.to_neo()
    assert signal.units == pq.dimensionless
    np.testing.assert_array_equal(signal.magnitude, [[1.0, 0.0]] * 3)


# -- empty and not-run monitors ---------------------------------------------------------------

def test_monitors_that_have_not_run_are_refused():
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*volt")
    for monitor in (SpikeMonitor(G), StateMonitor(G, "v", record=0),
                    PopulationRateMonitor(G)):
        with pytest.raises(ValueError, match="has not been run yet"):
            monitor.to_neo()
    with pytest.raises(ValueError, match="has not been run yet"):
        Network(G, SpikeMonitor(G)).to_neo()


def test_state_monitor_recording_nothing_is_refused():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt")
    nothing = StateMonitor(G, "v", record=False, name="empty_monitor")
    Network(G, nothing).run(1 * ms)
    with pytest.raises(ValueError, match="'empty_monitor' records no element"):
        nothing.to_neo()


def test_silent_group_gives_empty_compliant_trains():
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*volt")
    spikes = SpikeMonitor(G)
    Network(G, spikes).run(5 * ms)
    trains = spikes.to_neo()
    assert [len(st) for st in trains] == [0, 0, 0]
    for train in trains:
        assert_neo_object_is_compliant(train)
        assert float(train.t_stop) == pytest.approx(0.005)


def test_missing_neo_names_the_extra(monkeypatch):
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*volt")
    spikes = SpikeMonitor(G)
    net = Network(G, spikes)
    net.run(1 * ms)
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(ImportError, match=r"'neo'.*pip install \"spikeloom\[neo\]\""):
        spikes.to_neo()


def test_missing_pynwb_names_the_extra(monkeypatch, tmp_path):
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*volt")
    net = Network(G, SpikeMonitor(G))
    net.run(1 * ms)
    monkeypatch.setitem(sys.modules, "pynwb", None)
    with pytest.raises(ImportError, match=r"'pynwb'.*spikeloom\[neo\]"):
        net.to_nwb(tmp_path / "run.nwb")


# -- NWB --------------------------------------------------------------------------------------

def test_nwb_round_trip(tmp_path):
    pytest.importorskip("pynwb")
    from neo.io import NWBIO

    from spikeloom.io import write_nwb

    net, G, spikes, _ = _lif_network()
    states = StateMonitor(G, "v", record=[1, 3])
    net.add(states)
    net.run(20 * ms)
    start = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    path = net.to_nwb(tmp_path / "run.nwb", session_start_time=start)
    assert path.exists()
    block = NWBIO(str(path), mode="r").read_block()
    segment = block.segments[0]
    written = {st.name: st for st in net.to_neo().segments[0].spiketrains}
    read = {st.name: st.load() if hasattr(st, "load") else st for st in segment.spiketrains}
    assert set(read) == set(written) == {f"lif[{k}]" for k in range(4)}
    for name, train in written.items():
        np.testing.assert_allclose(read[name].rescale(pq.s).magnitude,
                                   train.rescale(pq.s).magnitude, atol=1e-12)
    signals = [s.load() if hasattr(s, "load") else s for s in segment.analogsignals]
    (v,) = [s for s in signals if s.name.split()[-2] == "v"]
    assert v.units == pq.mV and v.shape == (len(states.t_), 2)
    np.testing.assert_allclose(v.magnitude, states.v_.T * 1e3, rtol=1e-12)
    (rate,) = [s for s in signals if s.name.split()[-2] == "rate"]
    assert rate.units == pq.Hz
    # the spikeloom.io function writes a Block as given, without renaming the caller's
    block = net.to_neo()
    write_nwb(block, tmp_path / "block.nwb", session_start_time=start)
    assert [s.name for s in block.segments[0].analogsignals] == ["rate", "v"]
    assert NWBIO(str(tmp_path / "block.nwb"), mode="r").read_block().segments[0].spiketrains


def test_write_nwb_refuses_other_objects(tmp_path):
    from spikeloom.io import to_neo, write_nwb

    with pytest.raises(TypeError, match="source must be a Network or a neo.Block"):
        write_nwb([1, 2], tmp_path / "x.nwb")
    with pytest.raises(TypeError, match="int cannot be converted"):
        to_neo(3)
