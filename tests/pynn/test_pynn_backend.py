"""pyNN.spikeloom: PyNN's API over spikeloom, checked against closed forms.

Every number asserted here is computed independently of the backend: the firing period of
a leaky integrate-and-fire neuron under constant current, the peak of the PSP of an
exponential synapse, connection counts of PyNN's connectors, the weight change of one
pair of spikes under pair-based STDP.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pyNN")
neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")

import spikeloom.pynn as sim

DT = 0.1


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=DT)
    yield
    sim.end()


# -- simulation control ------------------------------------------------------------------------
def test_setup_run_time_and_timestep():
    sim.setup(timestep=0.05, min_delay=0.2)
    assert sim.get_time_step() == 0.05
    assert sim.get_min_delay() == 0.2
    sim.Population(1, sim.IF_curr_exp())
    sim.run(10.0)
    assert sim.get_current_time() == pytest.approx(10.0)
    sim.run_until(15.0)
    assert sim.get_current_time() == pytest.approx(15.0)
    sim.reset()
    assert sim.get_current_time() == 0.0


def test_unknown_setup_option_is_refused():
    with pytest.raises(NotImplementedError, match="cuda_blocks"):
        sim.setup(cuda_blocks=4)
    with pytest.warns(UserWarning, match="threads=4 is an option of another PyNN backend"):
        sim.setup(threads=4)
    with pytest.raises(NotImplementedError, match="off_grid"):
        sim.setup(spike_precision="off_grid")


# -- cells -------------------------------------------------------------------------------------
def _lif_period(v_rest, v_reset, v_thresh, tau_m, cm, i, tau_refrac):
    r = tau_m / cm  # ms/nF = MOhm
    v_inf = v_rest + r * i  # mV (MOhm * nA)
    return tau_refrac + tau_m * np.log((v_inf - v_reset) / (v_inf - v_thresh))


@pytest.mark.parametrize("celltype", ["IF_curr_exp", "IF_curr_alpha", "IF_cond_exp",
                                      "IF_cond_alpha"])
def test_constant_current_gives_the_closed_form_period(celltype):
    p = dict(v_rest=-65.0, v_reset=-70.0, v_thresh=-52.0, tau_m=15.0, cm=0.5,
             tau_refrac=2.0)
    currents = np.array([0.0, 1.2, 2.5])
    pop = sim.Population(3, getattr(sim, celltype)(i_offset=currents, **p))
    pop.initialize(v=-65.0)
    pop.record("spikes")
    sim.run(300.0)
    trains = pop.get_data().segments[0].spiketrains
    assert len(trains[0]) == 0  # below rheobase
    for train, i in zip(trains[1:], currents[1:]):
        period = _lif_period(p["v_rest"], p["v_reset"], p["v_thresh"], p["tau_m"], p["cm"],
                             i, p["tau_refrac"])
        intervals = np.diff(train.rescale("ms").magnitude)
        assert len(intervals) > 5
        # on the time grid (as NEST): the period rounded up to a whole number of steps
        np.testing.assert_allclose(intervals, np.ceil(period / DT - 1e-9) * DT, atol=1e-9)


def test_exponential_psp_peak_matches_closed_form():
    tau_m, tau_s, cm, w, d = 20.0, 5.0, 0.25, 0.3, 1.5
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    post = sim.Population(2, sim.IF_curr_exp(tau_m=tau_m, tau_syn_E=tau_s, cm=cm,
                                             v_rest=-65.0))
    post.record("v")
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=d),
                   receptor_type="excitatory")
    sim.run(60.0)
    v = post.get_data().segments[0].filter(name="v")[0]
    assert v.units == pq.mV
    # closed form: V(t) = w/cm * tau_s*tau_m/(tau_m - tau_s) * (exp(-t/tau_m) - exp(-t/tau_s))
    t_peak = np.log(tau_m / tau_s) * tau_m * tau_s / (tau_m - tau_s)
    peak = w / cm * tau_s * tau_m / (tau_m - tau_s) * (np.exp(-t_peak / tau_m)
                                                        - np.exp(-t_peak / tau_s))
    trace = v.magnitude[:, 0] + 65.0
    assert trace.max() == pytest.approx(peak, rel=1e-4)
    t_max = v.times.rescale("ms").magnitude[np.argmax(trace)]
    assert abs(t_max - (10.0 + d + t_peak)) <= DT
    # the response starts with the delay: nothing before 10 + d ms
    assert np.all(trace[v.times.rescale("ms").magnitude <= 10.0 + d] == 0.0)


def test_inhibitory_current_weight_must_be_negative_and_hyperpolarises():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    post = sim.Population(1, sim.IF_curr_exp())
    post.record("v")
    with pytest.raises(Exception, match="negative"):
        sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5),
                       receptor_type="inhibitory")
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.5),
                   receptor_type="inhibitory")
    sim.run(30.0)
    v = post.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    assert v.min() < -65.5 and v.max() == pytest.approx(-65.0)


def test_conductance_psp_is_scaled_by_driving_force():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    post = sim.Population(1, sim.IF_cond_exp(tau_syn_E=2.0))
    post.record(["v", "gsyn_exc"])
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01,
                                                                         delay=1.0))
    sim.run(20.0)
    seg = post.get_data().segments[0]
    g = seg.filter(name="gsyn_exc")[0]
    assert g.units == pq.uS
    # the conductance jumps by the weight (uS) in the step the spike arrives (6.0 ms; the
    # sample at the step's end, 6.1 ms, shows it, as NEST's multimeter), then decays
    t = g.times.rescale("ms").magnitude
    assert t[np.argmax(g.magnitude[:, 0])] == pytest.approx(6.1)
    assert g.magnitude.max() == pytest.approx(0.01, rel=1e-6)
    later = np.flatnonzero(np.isclose(t, 6.1 + 2.0))[0]
    assert g.magnitude[later, 0] == pytest.approx(0.01 * np.exp(-1.0), rel=1e-3)


def test_get_set_initial_values_and_views():
    pop = sim.Population(5, sim.IF_cond_exp(tau_m=12.0), initial_values={"v": -60.0})
    assert pop.get("tau_m") == 12.0
    pop.set(tau_m=np.arange(5) + 10.0)
    np.testing.assert_allclose(pop.get("tau_m"), np.arange(5) + 10.0)
    view = pop[1:4]
    view.set(cm=0.5)
    np.testing.assert_allclose(pop.get("cm"), [1.0, 0.5, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(view.get("tau_m"), [11.0, 12.0, 13.0])
    view.initialize(v=-55.0)
    pop.record("v")
    sim.run(0.1)
    v0 = pop.get_data().segments[0].filter(name="v")[0].magnitude[0]
    np.testing.assert_allclose(v0, [-60.0, -55.0, -55.0, -55.0, -60.0])
    # native values are stored in SI units
    np.testing.assert_allclose(pop._read("cm"), [1e-9, 0.5e-9, 0.5e-9, 0.5e-9, 1e-9])


def test_get_data_is_a_neo_block_with_pynn_units_and_ids():
    pop = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.0]), label="cells")
    pop.record(["spikes", "v"], sampling_interval=1.0)
    sim.run(50.0)
    block = pop.get_data()
    assert isinstance(block, neo.Block)
    seg = block.segments[0]
    v = seg.filter(name="v")[0]
    assert v.shape == (51, 2) and v.sampling_period == 1.0 * pq.ms
    assert v.units == pq.mV
    np.testing.assert_allclose(v.magnitude[0], [-65.0, -65.0])
    trains = seg.spiketrains
    assert [t.annotations["source_index"] for t in trains] == [0, 1]
    assert trains[1].units == pq.ms and len(trains[1]) == 1
    assert trains[1].t_stop == 50.0 * pq.ms
    # a second run adds to the same segment; reset() starts a new one
    sim.run(50.0)
    assert pop.get_data().segments[0].filter(name="v")[0].shape == (101, 2)
    sim.reset()
    sim.run(10.0)
    assert len(pop.get_data().segments) == 2


def test_assembly_records_and_connects():
    a = sim.Population(2, sim.IF_curr_exp(i_offset=1.0), label="a")
    b = sim.Population(3, sim.IF_cond_exp(), label="b")
    asm = a + b
    assert isinstance(asm, sim.Assembly) and asm.size == 5
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=100.0))
    # (receptor_type given: PyNN guesses it from an Assembly's receptor types, a set)
    prj = sim.Projection(src, a + sim.Population(2, sim.IF_curr_alpha()),
                         sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                         receptor_type="excitatory")
    assert len(prj) == 16
    asm.record("spikes")
    sim.run(50.0)
    assert len(asm.get_data().segments[0].spiketrains) == 5


def test_spike_source_poisson_rate_and_window():
    src = sim.Population(200, sim.SpikeSourcePoisson(rate=50.0, start=100.0, duration=200.0))
    src.record("spikes")
    sim.setup  # noqa: B018 - the fixture made the network
    sim.run(400.0)
    trains = src.get_data().segments[0].spiketrains
    times = np.concatenate([t.magnitude for t in trains])
    assert times.min() >= 100.0 and times.max() < 300.0
    n = len(times)
    expected = 200 * 50.0 * 0.2
    assert abs(n - expected) < 5 * np.sqrt(expected)


def test_spike_source_array_set_between_runs():
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 3.0], [2.0]]))
    src.record("spikes")
    sim.run(10.0)
    src.set(spike_times=[[12.0], [15.5]])
    sim.run(10.0)
    trains = src.get_data().segments[0].spiketrains
    np.testing.assert_allclose(trains[0].magnitude, [1.0, 3.0, 12.0])
    np.testing.assert_allclose(trains[1].magnitude, [2.0, 15.5])
    assert src.get("spike_times")[1].value.tolist() == [15.5]


# -- connectors --------------------------------------------------------------------------------
def _pair(n_pre=20, n_post=10):
    return (sim.Population(n_pre, sim.SpikeSourceArray()),
            sim.Population(n_post, sim.IF_curr_exp()))


def test_connectors_give_their_patterns():
    pre, post = _pair()
    syn = sim.StaticSynapse(weight=0.1, delay=0.5)
    mask = ~np.isnan(sim.Projection(pre, post, sim.AllToAllConnector(), syn)
                     .get("weight", format="array"))
    assert mask.sum() == 200
    one = sim.Projection(pre[:10], post, sim.OneToOneConnector(), syn)
    np.testing.assert_array_equal(~np.isnan(one.get("weight", format="array")),
                                  np.eye(10, dtype=bool))
    fpre = sim.Projection(pre, post, sim.FixedNumberPreConnector(4), syn)
    np.testing.assert_array_equal((~np.isnan(fpre.get("weight", format="array"))).sum(0),
                                  np.full(10, 4))
    fpost = sim.Projection(pre, post, sim.FixedNumberPostConnector(3), syn)
    np.testing.assert_array_equal((~np.isnan(fpost.get("weight", format="array"))).sum(1),
                                  np.full(20, 3))
    rng = sim.NumpyRNG(seed=7)
    prob = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.25, rng=rng), syn)
    assert abs(len(prob) - 50) < 4 * np.sqrt(200 * 0.25 * 0.75)
    listed = sim.Projection(pre, post, sim.FromListConnector(
        [(0, 1, 0.2, 1.0), (5, 2, 0.3, 2.5), (5, 1, 0.4, 0.7)],
        column_names=["weight", "delay"]), syn)
    assert sorted(listed.get(["weight", "delay"], format="list")) == [
        (0, 1, 0.2, 1.0), (5, 1, 0.4, 0.7), (5, 2, 0.3, 2.5)]


def test_distance_dependent_connector_uses_positions():
    pre = sim.Population(10, sim.SpikeSourceArray(), structure=sim.space.Line(dx=1.0))
    post = sim.Population(10, sim.IF_curr_exp(), structure=sim.space.Line(dx=1.0))
    prj = sim.Projection(pre, post, sim.DistanceDependentProbabilityConnector("d < 1.5"),
                         sim.StaticSynapse(weight=0.1))
    mask = ~np.isnan(prj.get("weight", format="array"))
    i, j = np.indices(mask.shape)
    np.testing.assert_array_equal(mask, np.abs(i - j) <= 1)


def test_weights_and_delays_get_and_set():
    pre, post = _pair(3, 2)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.1, delay=0.5))
    prj.set(weight=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), delay=2.0)
    np.testing.assert_allclose(prj.get("weight", format="array"), [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_allclose(prj.get("delay", format="array"), np.full((3, 2), 2.0))
    # stored natively: the spikeloom Synapses hold the delays in seconds
    synapses = prj._groups[0][0]
    np.testing.assert_allclose(np.asarray(synapses.delay[:]), 2e-3)
    c = prj[0]
    c.weight = 7.0
    assert prj[0].weight == 7.0
    with pytest.raises(sim.errors.ConnectionError, match="delay=0.01"):
        prj.set(delay=0.01)  # below min_delay


def test_multiple_runs_deliver_spikes_across_the_run_boundary():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[9.5]))
    post = sim.Population(1, sim.IF_curr_exp(tau_syn_E=1.0))
    post.record("v")
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0,
                                                                         delay=2.0))
    sim.run(10.0)
    sim.run(10.0)
    v = post.get_data().segments[0].filter(name="v")[0]
    t = v.times.rescale("ms").magnitude
    assert np.all(v.magnitude[t <= 11.5, 0] == -65.0)
    assert v.magnitude[t > 11.6, 0].max() > -64.5


# -- STDP --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fraction", [1.0, 0.0])
@pytest.mark.parametrize("order", ["pre_first", "post_first"])
def test_additive_stdp_changes_the_weight_of_one_pair(fraction, order):
    t_pre, t_drive, d = (10.0, 20.0, 1.0) if order == "pre_first" else (30.0, 20.0, 1.0)
    a_plus, a_minus, tau_plus, tau_minus, w_max, w0 = 0.01, 0.012, 16.0, 25.0, 2.0, 0.5
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[t_pre]))
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[t_drive]))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=100.0))
    sim.Projection(drive, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0,
                                                                           delay=0.1))
    post.record("spikes")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=tau_plus, tau_minus=tau_minus,
                                            A_plus=a_plus, A_minus=a_minus),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max),
        weight=w0, delay=d, dendritic_delay_fraction=fraction)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    sim.run(60.0)
    (t_post,) = post.get_data().segments[0].spiketrains[0].magnitude
    # the rule sees the pre spike after (1-f)*d and the post spike after f*d
    dt = (t_post + fraction * d) - (t_pre + (1 - fraction) * d)
    if dt > 0:
        expected = w0 + w_max * a_plus * np.exp(-dt / tau_plus)
    else:
        expected = w0 - w_max * a_minus * np.exp(dt / tau_minus)
    assert prj.get("weight", format="list")[0][2] == pytest.approx(expected, rel=1e-9)
    assert prj.get("tau_plus", format="list")[0][2] == pytest.approx(tau_plus)


def test_multiplicative_stdp_potentiation_scales_with_distance_to_w_max():
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=100.0))
    sim.Projection(drive, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0))
    post.record("spikes")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                            A_minus=0.1),
        weight_dependence=sim.MultiplicativeWeightDependence(w_min=0.0, w_max=1.0),
        weight=0.25, delay=1.0, dendritic_delay_fraction=0.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    sim.run(40.0)
    (t_post,) = post.get_data().segments[0].spiketrains[0].magnitude
    expected = 0.25 + (1.0 - 0.25) * 0.1 * np.exp(-(t_post - 11.0) / 20.0)
    assert prj.get("weight", format="list")[0][2] == pytest.approx(expected, rel=1e-9)


def test_reset_returns_weights_and_time():
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=100.0))
    sim.Projection(drive, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.1),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=1.0),
                             weight=0.3)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    post.set(tau_m=10.0)
    sim.run(30.0)
    changed = prj.get("weight", format="list")[0][2]
    assert changed > 0.3
    post.set(tau_m=12.0)
    sim.reset()
    assert prj.get("weight", format="list")[0][2] == pytest.approx(0.3)
    assert post.get("tau_m") == 12.0  # parameters are kept
    sim.run(30.0)
    assert prj.get("weight", format="list")[0][2] != pytest.approx(0.3)


# -- other cell types ------------------------------------------------------------------------
def test_izhikevich_regular_spiking_and_voltage_step_synapse():
    pop = sim.Population(1, sim.Izhikevich(i_offset=0.01))
    pop.record(["spikes", "v", "u"])
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    quiet = sim.Population(1, sim.Izhikevich())
    quiet.record("v")
    sim.Projection(src, quiet, sim.AllToAllConnector(), sim.StaticSynapse(weight=3.0,
                                                                          delay=1.0))
    sim.run(200.0)
    seg = pop.get_data().segments[0]
    assert len(seg.spiketrains[0]) > 3
    assert seg.filter(name="u")[0].units == pq.mV / pq.ms
    v = quiet.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    # the weight (mV) is added to v in the step the spike arrives (3.0 ms)
    jump = np.diff(v)[29]
    assert jump == pytest.approx(3.0 + (v[30] - v[29] - 3.0), abs=0.2)
    assert v[31] - v[30] > 2.5


def test_adexp_and_hh_fire_under_current():
    eif = sim.Population(1, sim.EIF_cond_exp_isfa_ista(i_offset=1.0))
    hh = sim.Population(1, sim.HH_cond_exp(i_offset=0.2))
    for p in (eif, hh):
        p.record(["spikes", "v"])
    eif.record("w")
    sim.run(200.0)
    n_eif = len(eif.get_data().segments[0].spiketrains[0])
    n_hh = len(hh.get_data().segments[0].spiketrains[0])
    assert n_eif > 3 and n_hh > 3
    isi = np.diff(eif.get_data().segments[0].spiketrains[0].magnitude)
    assert isi[-1] > isi[0]  # spike-frequency adaptation (b > 0)
    w = eif.get_data().segments[0].filter(name="w")[0]
    assert w.units == pq.nA and w.magnitude.max() > 0.08


def test_dc_and_step_current_sources():
    pop = sim.Population(2, sim.IF_curr_exp(tau_m=10.0, cm=1.0, v_thresh=0.0))
    pop.record("v")
    sim.DCSource(amplitude=0.5, start=10.0, stop=30.0).inject_into(pop[0:1])
    sim.StepCurrentSource(times=[5.0, 20.0], amplitudes=[0.2, -0.1]).inject_into(pop)
    sim.run(50.0)
    v = pop.get_data().segments[0].filter(name="v")[0]
    t = v.times.rescale("ms").magnitude
    m = v.magnitude
    tau, r = 10.0, 10.0
    # cell 1: 0.2 nA from 5 ms: v(20) = -65 + r*0.2*(1 - exp(-15/tau))
    k = np.flatnonzero(np.isclose(t, 20.0))[0]
    assert m[k, 1] == pytest.approx(-65 + r * 0.2 * (1 - np.exp(-15 / tau)), abs=1e-6)
    # cell 0 adds 0.5 nA from 10 ms
    expected = -65 + r * 0.2 * (1 - np.exp(-15 / tau)) + r * 0.5 * (1 - np.exp(-10 / tau))
    assert m[k, 0] == pytest.approx(expected, abs=1e-6)


# -- errors ------------------------------------------------------------------------------------
def test_unsupported_features_raise_naming_the_alternative():
    with pytest.raises(NotImplementedError, match="TsodyksMarkramSynapse.*StaticSynapse"):
        sim.TsodyksMarkramSynapse(U=0.5)
    with pytest.raises(NotImplementedError, match="ACSource.*StepCurrentSource"):
        sim.ACSource(amplitude=1.0)
    with pytest.raises(NotImplementedError, match="SpikeSourceGamma"):
        sim.SpikeSourceGamma()
    pre, post = _pair(2, 2)
    with pytest.raises(NotImplementedError, match="source="):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                       source="axon")
    hh = sim.Population(1, sim.HH_cond_exp())
    with pytest.raises(NotImplementedError, match="receptor_type"):
        sim.Projection(pre, hh, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1),
                       receptor_type="source_section.gap")


def test_list_standard_models():
    names = sim.list_standard_models()
    for name in ("IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "IF_cond_alpha",
                 "SpikeSourcePoisson", "SpikeSourceArray", "EIF_cond_exp_isfa_ista",
                 "HH_cond_exp", "Izhikevich"):
        assert name in names
