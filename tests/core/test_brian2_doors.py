"""Brian2 features that spikeloom refuses must say so, naming the alternative (never a bare
NameError/AttributeError); small doors checked against Brian2's documented behaviour."""

import warnings

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import NeuronGroup, Synapses, mV


def test_a_point_current_outside_a_spatial_neuron_names_the_alternative():
    with pytest.raises(sl.EquationError, match="SpatialNeuron.*membrane equation"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : volt\nI_inj : amp (point current)")


def test_synaptic_pre_and_post_views_follow_i_and_j():
    """Brian2: S.v_pre[k] is v of source neuron i[k], S.v_post[k] of target j[k]."""
    G = NeuronGroup(3, "v : volt")
    G.v = [1, 2, 3] * mV
    S = Synapses(G, G, "w : 1")
    S.connect("i != j")
    np.testing.assert_array_equal(np.asarray(S.v_pre / mV), np.array([1, 2, 3])[S.i[:]])
    np.testing.assert_array_equal(np.asarray(S.v_post / mV), np.array([1, 2, 3])[S.j[:]])
    np.testing.assert_array_equal(S.j[1, :], [0, 2])  # Brian2's synaptic indexing of j


def test_standalone_device_runs_on_the_numba_loop_and_says_so_once():
    sl.core._device._told_standalone.clear()
    with pytest.warns(UserWarning, match="Numba loop"):
        sl.set_device("cpp_standalone", directory=None, build_on_run=False)
    try:
        G = NeuronGroup(1, "dv/dt = 1/second : 1", name="standalone_probe")
        sl.Network(G).run(1 * sl.ms)
        sl.device.build(directory=None)
        assert G.v[0] == pytest.approx(1e-3)
        assert sl.get_device().name == "numba"
    finally:
        sl.reset_device()


def test_run_regularly_on_poisson_group_and_synapses():
    """Brian2's Wang (2002) switches Poisson rates with run_regularly: no spike may come
    before the switch at 10 ms; synaptic run_regularly halves w at 0, 10, 20 ms: 1/8."""
    P = sl.PoissonGroup(50, rates=0 * sl.Hz)
    P.run_regularly("rates = int(t > 10*ms) * 200*Hz", dt=5 * sl.ms)
    G = NeuronGroup(2, "v : 1")
    S = Synapses(P, G, "w : 1", on_pre="v += w")
    S.connect()
    S.w = 1
    S.run_regularly("w = w * 0.5", dt=10 * sl.ms)
    M = sl.SpikeMonitor(P)
    sl.Network(P, G, S, M).run(30 * sl.ms)
    assert M.num_spikes > 0 and np.all(np.asarray(M.t / sl.ms) > 10)
    np.testing.assert_array_equal(S.w[:], 0.125)


def test_comparison_with_plain_infinity_holds_for_any_unit():
    """Brian2 lets a quantity compare with a unitless inf (Spreizer et al. 2019 does
    ``rate < inf``); a finite unitless number still raises."""
    assert bool(3 * sl.Hz < np.inf) and bool(-3 * mV > -np.inf)
    np.testing.assert_array_equal(np.array([1.0, np.inf]) * sl.Hz < np.inf, [True, False])
    with pytest.raises(sl.DimensionMismatchError):
        _ = 3 * sl.Hz < 5


def test_brian_logger_sets_the_spikeloom_log_level():
    import logging

    sl.BrianLogger.log_level_debug()
    assert logging.getLogger("spikeloom").level == logging.DEBUG
    sl.BrianLogger.log_level_warn()
    assert logging.getLogger("spikeloom").level == logging.WARNING
    assert sl.get_logger("mymodule").name == "spikeloom.mymodule"
    with pytest.raises(ValueError, match="level='loud'"):
        sl.BrianLogger.log_level("loud")


def test_magic_run_restarts_time_for_new_objects_and_refuses_a_mix():
    """Brian2's magic network: all-new objects start a new simulation at t = 0 (Tsodyks et
    al. 1998 runs three panels in a loop); a new monitor joins the running one; new
    groups together with ones run before raise MagicError."""
    sl.start_scope()
    for _ in range(2):
        G = NeuronGroup(1, "dv/dt = 1/second : 1")
        sl.run(5 * sl.ms)
        assert float(sl.magic_network.t / sl.ms) == pytest.approx(5.0)
        assert G.v[0] == pytest.approx(0.005)
    M = sl.StateMonitor(G, "v", record=0)
    sl.run(1 * sl.ms)
    assert float(M.t[0] / sl.ms) == pytest.approx(5.0)
    H = NeuronGroup(1, "v : 1")  # noqa: F841 (collected by run)
    with pytest.raises(sl.MagicError, match="start_scope"):
        sl.run(1 * sl.ms)


def test_views_reduce_as_brian2s_do():
    """Brian2's G.v and M.t are views, not arrays: np.max/np.sum go through np.asarray and
    give plain SI floats (Spreizer et al. 2019 divides spike counts by np.max(t) -
    np.min(t) and histograms the result), np.mean keeps the unit, and the views have no
    reduction methods. Values from Brian2 2.9."""
    G = NeuronGroup(3, "v : volt", threshold="True", reset="")
    G.v = [1, 2, 3] * mV
    M = sl.SpikeMonitor(G)
    sl.Network(G, M).run(0.3 * sl.ms)
    for view, top in ((G.v, 0.003), (M.t, 0.0002)):
        assert type(np.max(view)) is np.float64 and np.max(view) == pytest.approx(top)
        assert not isinstance(np.sum(view), sl.Quantity)
        assert isinstance(np.mean(view), sl.Quantity) and not hasattr(view, "max")
    _, t = M.it
    rates = np.bincount(M.i[:]) / (np.max(t) - np.min(t))
    assert np.histogram(rates, bins=2)[0].sum() == 3
    assert G.v[:, None].shape == (3, 1)  # matplotlib's y[:, np.newaxis]
    with pytest.raises(TypeError, match="recorded data"):
        M.t[0] = 0 * sl.ms


def test_linked_subexpression_is_read_through_its_source_group():
    """Brian2's homeostatic STDP example links a synapse to a subexpression of a size-1
    group (G = H - gamma): code and monitors read H - gamma of that group."""
    gamma = 5 * sl.Hz
    source = NeuronGroup(1, "G = H - gamma : Hz\nH : Hz")
    source.H = 12 * sl.Hz
    target = NeuronGroup(3, "G : Hz (linked)\ndx/dt = G : 1")
    target.G = sl.linked_var(source, "G")
    M = sl.StateMonitor(target, "G", record=[0, 2])
    sl.Network(source, target, M).run(2 * sl.ms, namespace={"gamma": gamma})
    np.testing.assert_allclose(np.asarray(M.G), 7.0)
    np.testing.assert_allclose(target.x[:], 7.0 * 0.002, rtol=1e-12)


def test_custom_event_errors_name_the_event():
    G = NeuronGroup(1, "v : 1", events={"up": "v > 1"})
    with pytest.raises(ValueError, match="event='down'"):
        G.run_on_event("down", "v = 0")
    with pytest.raises(ValueError, match="'spike'"):
        NeuronGroup(1, "v : 1", events={"spike": "v > 1"})
    with pytest.raises(ValueError, match="on_event='down'"):
        Synapses(G, G, on_pre="v += 1", on_event="down")
    with pytest.raises(ValueError, match="no event 'down'"):
        sl.EventMonitor(G, "down")


def test_get_states_and_set_states_as_in_brian2():
    """Brian2 2.9: G.get_states() gives N, i, t, dt, t_in_timesteps and the variables
    (subexpressions only on request; lastspike only with a refractory period); set_states
    checks units; Network.get_states maps object names to their states."""
    G = NeuronGroup(3, "v : volt\nx = 2*v : volt", threshold="v > 1*volt")
    states = G.get_states()
    assert sorted(states) == ["N", "dt", "i", "t", "t_in_timesteps", "v"]
    assert "x" in G.get_states(subexpressions=True)
    G.set_states({"v": [1, 2, 3] * mV})
    np.testing.assert_allclose(G.get_states(["v"], units=False)["v"], [1e-3, 2e-3, 3e-3])
    with pytest.raises(sl.UnitError):
        G.set_states({"v": [1, 2, 3]})
    M = sl.SpikeMonitor(G)
    net = sl.Network(G, M)
    assert sorted(net.get_states()) == sorted([G.name, M.name])
    net.set_states({G.name: {"v": [4, 5, 6] * mV}})
    np.testing.assert_allclose(np.asarray(G.v[:]), [4e-3, 5e-3, 6e-3])


def test_scheduling_summary_lists_operations_in_brian2s_order():
    """Brian2 2.9's table for a group with threshold/reset, a synapse and a monitor:
    stateupdater, thresholder, monitor, pathway, resetter."""
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect()
    M = sl.SpikeMonitor(G)
    summary = sl.Network(G, S, M).scheduling_summary()
    assert [e[0].split(" (")[0] for e in summary.entries] == [
        f"{G.name}_stateupdater", f"{G.name}_spike_thresholder", M.name, f"{S.name}_pre",
        f"{G.name}_spike_resetter"]
    assert [e[3] for e in summary.entries] == ["groups", "thresholds", "thresholds",
                                               "synapses", "resets"]


def test_synapses_as_a_spiking_source_are_refused_with_the_reason():
    """Synapses do not spike: an on_pre pathway from a Synapses source says so."""
    G = NeuronGroup(1, "v : 1")
    S = Synapses(G, G, "x : 1")
    with pytest.raises(sl.EquationError, match="spikes"):
        Synapses(S, G, on_pre="v += 1")


def test_standalone_program_reruns_with_run_args():
    """Brian2 2.6's standalone re-run: with build_on_run=False, run() is recorded,
    device.build(run=False) runs nothing, and each device.run(run_args={G.v: v0}) runs the
    program again from the script's initial state with v0 set: v(t) = v0 exp(-t/tau), and
    the monitor holds only that run (a continued run would have t = 20 ms and the earlier
    values)."""
    sl.start_scope()
    with pytest.raises(RuntimeError, match="build_on_run=False"):
        sl.device.run(run_args={"x": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'runs on the Numba loop', said once per session
        sl.set_device("cpp_standalone", build_on_run=False)
    try:
        G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact")
        G.v = 0.3
        M = sl.StateMonitor(G, "v", record=True)
        net = sl.Network(G, M)
        net.run(10 * sl.ms)
        sl.device.build(run=False)
        assert M.v.shape == (2, 0)  # nothing ran yet
        for v0 in ([1.0, 2.0], [4.0, 0.5]):
            sl.device.run(run_args={G.v: v0})
            np.testing.assert_allclose(G.v[:], np.array(v0) * np.exp(-1), rtol=1e-12)
            assert M.v.shape == (2, 100) and float(net.t / sl.ms) == pytest.approx(10)
            np.testing.assert_allclose(M.v[:, 0], v0)
    finally:
        sl.set_device("runtime")


def test_views_taken_before_restore_still_write_the_group():
    G = NeuronGroup(1, "v : 1")
    net = sl.Network(G)
    net.store()
    view = G.v
    net.restore()
    view[:] = 7
    assert G.v[0] == 7


@pytest.mark.parametrize("condition", ["j == 2*i + 1", "i == j // 2", "i == k_post",
                                       "i == j/2", "k_post == i"])
def test_index_equations_in_connect_solved_without_all_pairs(condition):
    """connect('i == f(j)') is solved per j (Stimberg et al. 2018 connects 3200 astrocytes to
    640 000 synapses so); it must give exactly what testing every pair gives -- only
    whole, in-range values connect (k = -1 and 9 do not, j/2 = 1.5 does not)."""
    G = NeuronGroup(5, "v : 1")
    H = NeuronGroup(8, "k : integer")
    H.k = [0, 4, -1, 2, 9, 3, 3, 1]
    S = Synapses(G, H)
    S.connect(condition)
    every_pair = Synapses(G, H)
    every_pair.connect(f"({condition}) and True")  # not an index equation: all pairs tested
    np.testing.assert_array_equal(S.i[:], every_pair.i[:])
    np.testing.assert_array_equal(S.j[:], every_pair.j[:])
    if condition == "j == 2*i + 1":
        assert list(zip(S.i[:], S.j[:])) == [(0, 1), (1, 3), (2, 5), (3, 7)]
