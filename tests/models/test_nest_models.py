"""NEST models and devices: closed forms, statistics and errors (NEST itself is compared in
``test_nest_reference.py``).

* ``poisson_generator``: counts, Fano factor, flat rate and independence of the trains
  against the closed form of a Poisson (Bernoulli-per-step) process, not NEST's random
  numbers;
* ``dc_generator``: the membrane of ``iaf_psc_alpha`` under a switched current against
  ``E_L + I tau_m/C_m (1 - exp(-(t - t_on)/tau_m))``, with NEST's timing;
* bad parameters: errors that name the argument and its value;
* initial states (NEST's, whatever ``E_L``), ``aeif_cond_alpha``'s alpha conductance against
  its closed form, and why ``hh_psc_alpha`` integrates with RK4 in sub-steps.
"""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Hz, ms, mV, nS, pA, pF
from spikeloom.models import (
    HH,
    OneToOne,
    Projection,
    aeif_cond_alpha,
    aeif_cond_exp,
    dc_generator,
    hh_psc_alpha,
    iaf_cond_alpha,
    iaf_cond_exp,
    iaf_psc_alpha,
    iaf_psc_exp,
    izhikevich,
    poisson_generator,
    spike_generator,
)


def test_poisson_generator_matches_the_closed_form():
    """400 trains at 40 Hz for 500 ms (dt = 0.1 ms, p = rate*dt = 0.004 a step)."""
    sl.start_scope()
    sl.seed(11)
    sl.defaultclock.dt = 0.1 * ms
    n, rate, start, stop = 400, 40.0, 50.0, 550.0
    pg = poisson_generator(n, rate=rate * Hz, start=start * ms, stop=stop * ms,
                           name="pg_stats")
    spikes = sl.SpikeMonitor(pg)
    sl.Network(pg, spikes).run(600 * ms)
    t, i = np.asarray(spikes.t / ms), np.asarray(spikes.i)
    steps = round((stop - start) / 0.1)
    p = rate * 1e-4
    # only in the active steps (NEST's stamps (start + dt, stop + dt] are t + dt here)
    assert t.min() >= start + 0.1 - 1e-9 and t.max() <= stop + 1e-9
    # total count: Binomial(n*steps, p), mean n*rate*(stop - start) = 8000
    mean, sd = n * steps * p, np.sqrt(n * steps * p * (1 - p))
    assert abs(len(t) - mean) < 4 * sd
    # counts per train: Fano factor 1 - p (sd of the estimate sqrt(2/(n - 1)) = 0.07)
    counts = np.bincount(i, minlength=n)
    assert counts.var(ddof=1) / counts.mean() == pytest.approx(1 - p, abs=0.3)
    # flat in time: chi-square of 10 bins of 50 ms (9 degrees of freedom: mean 9, sd 4.2)
    hist, _ = np.histogram(t, bins=10, range=(start, stop))
    expected = len(t) / 10
    assert ((hist - expected) ** 2 / expected).sum() < 9 + 5 * np.sqrt(18)
    # independent trains: coincidences in a step, C(n, 2)*steps*p^2 = 6384 expected
    per_step = np.bincount(np.round(t / 0.1).astype(int))
    pairs = (per_step * (per_step - 1) / 2).sum()
    expected_pairs = n * (n - 1) / 2 * steps * p**2
    assert abs(pairs - expected_pairs) < 5 * np.sqrt(expected_pairs)


def test_poisson_generator_is_settable_between_runs():
    """rate, t_start and t_stop are run-time constants, as NEST's SetStatus."""
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    pg = poisson_generator(50, rate=100 * Hz, name="pg_set")
    spikes = sl.SpikeMonitor(pg)
    net = sl.Network(pg, spikes)
    net.run(50 * ms)
    first = spikes.num_spikes
    assert first > 0 and pg.t_stop == np.inf * ms
    pg.rate = 0 * Hz
    net.run(50 * ms)
    assert spikes.num_spikes == first
    pg.rate, pg.t_stop = 1000 * Hz, 120 * ms
    net.run(50 * ms)
    assert spikes.num_spikes > first and float(np.max(spikes.t / ms)) <= 120 + 1e-9


def test_poisson_generator_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"rate must be one rate in Hz"):
        poisson_generator(1, rate=5 * ms)
    with pytest.raises(ValueError, match=r"rate=.* must be finite and >= 0"):
        poisson_generator(1, rate=-5 * Hz)
    with pytest.raises(ValueError, match=r"rate\*dt = 2 > 1 spike per step"):
        poisson_generator(1, rate=20_000 * Hz, dt=0.1 * ms)
    with pytest.raises(ValueError, match=r"stop=.* must be >= start="):
        poisson_generator(1, rate=5 * Hz, start=10 * ms, stop=5 * ms)
    with pytest.raises(ValueError, match=r"start must be a time"):
        poisson_generator(1, rate=5 * Hz, start=10)


def _dc_run(delay_ms, target=slice(None), n=1):
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    neurons = iaf_psc_alpha(n, V_th=0 * mV, name="dc_target")
    dc = dc_generator(amplitude=200 * pA, start=10 * ms, stop=30 * ms, name="dc")
    variable = dc.connect(neurons[target] if target != slice(None) else neurons,
                          delay=delay_ms * ms)
    trace = sl.StateMonitor(neurons, ["V_m", variable], record=True)
    sl.Network(neurons, dc, trace).run(50 * ms)
    return np.asarray(trace.t / ms), np.asarray(trace.V_m / mV), np.asarray(trace.I_dc / pA)


@pytest.mark.parametrize("delay_ms", [0.1, 1.0])
def test_dc_generator_closed_form_and_nests_timing(delay_ms):
    """The current acts on the steps that start in [start + d, stop + d): V_m (recorded at
    the start of a step) is the exact RC response to it, sample for sample."""
    t, v, current = _dc_run(delay_ms)
    on, off = 10 + delay_ms, 30 + delay_ms
    expected_current = np.where((t > on - 0.05) & (t < off - 0.05), 200.0, 0.0)
    np.testing.assert_array_equal(current[0], expected_current)
    tau, c = 10.0, 250.0
    rise = 200 * tau / c * (1 - np.exp(-np.clip(t - on, 0, off - on) / tau))
    closed = -70 + np.where(t <= off, rise, rise * np.exp(-(t - off) / tau))
    np.testing.assert_allclose(v[0], closed, rtol=0, atol=1e-9)


def test_dc_generator_onto_a_slice():
    t, v, _ = _dc_run(1.0, target=slice(2, 4), n=5)
    assert np.all(v[[0, 1, 4]] == -70) and np.all(v[[2, 3], -1] > -70)


def test_dc_generator_refuses_bad_use():
    with pytest.raises(ValueError, match=r"amplitude must be one finite current"):
        dc_generator(amplitude=[1, 2] * pA, name="dc_bad_amp")
    with pytest.raises(ValueError, match=r"stop=.* must be >= start="):
        dc_generator(amplitude=1 * pA, start=5 * ms, stop=1 * ms, name="dc_bad_stop")
    dc = dc_generator(amplitude=1 * pA, name="dc_use")
    with pytest.raises(ValueError, match=r"delay=.* must be > 0"):
        dc.connect(iaf_psc_alpha(1, name="dc_zero_delay"), delay=0 * ms)
    with pytest.raises(ValueError, match=r"amplitude=.* has unit .* input is in amp/metre"):
        dc.connect(HH(1, name="dc_hh"))
    neuron = iaf_psc_alpha(1, name="dc_twice")
    dc.connect(neuron)
    with pytest.raises(ValueError, match=r"already connected to iaf_psc_alpha 'dc_twice'"):
        dc.connect(neuron)
    with pytest.raises(TypeError, match=r"connect\(\) needs a library neuron"):
        dc.connect(object())


def test_dc_generator_must_run_with_its_targets_and_a_step_of_delay():
    sl.start_scope()
    neuron = iaf_psc_alpha(1, name="dc_alone")
    dc = dc_generator(amplitude=1 * pA, name="dc_left_out")
    dc.connect(neuron)
    with pytest.raises(ValueError, match=r"'dc_left_out' onto it are not part of Network"):
        sl.Network(neuron).run(1 * ms)
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    neuron = iaf_psc_alpha(1, name="dc_short")
    dc = dc_generator(amplitude=1 * pA, name="dc_short_delay")
    dc.connect(neuron, delay=0.05 * ms)
    with pytest.raises(ValueError, match=r"delay 0.05 ms onto .* shorter than one step"):
        sl.Network(neuron, dc).run(1 * ms)


@pytest.mark.parametrize("model, kwargs, message", [
    (iaf_psc_alpha, {"C_m": -1 * pF}, r"C_m=-1\.? pF: C_m must be > 0"),
    (iaf_psc_alpha, {"tau_syn_in": 0 * ms}, r"tau_syn_in=0\.? s: tau_syn_in must be > 0"),
    (iaf_psc_alpha, {"V_reset": -50 * mV}, r"V_reset=-50\.? mV, V_th=-55\.? mV: V_reset "
                                           r"must be smaller than V_th"),
    (iaf_psc_alpha, {"tau_m": 10 * mV}, r"parameter tau_m=10\.? mV has unit volt, expected second"),
    (iaf_cond_alpha, {"t_ref": -1 * ms}, r"t_ref=-1\.? ms: t_ref must be >= 0"),
    (aeif_cond_exp, {"V_peak": -55 * mV}, r"V_peak=-55\.? mV, V_th=-50\.4 mV: V_peak must "
                                          r"be >= V_th"),
    (aeif_cond_exp, {"Delta_T": -1 * mV}, r"Delta_T=-1\.? mV: Delta_T must be >= 0"),
    (aeif_cond_exp, {"Delta_T": 0.01 * mV}, r"overflows exp\(\) at the spike"),
    (aeif_cond_exp, {"Delta_T": [0, 2] * mV}, r"either every neuron or none may have "
                                              r"Delta_T = 0"),
    (aeif_cond_exp, {"tau_w": 0 * ms}, r"tau_w must be > 0"),
    (izhikevich, {"a": 0.02 * mV}, r"parameter a=.* has unit volt, expected hertz"),
    (aeif_cond_alpha, {"V_peak": -55 * mV}, r"V_peak=-55\.? mV, V_th=-50\.4 mV: V_peak "
                                            r"must be >= V_th"),
    (aeif_cond_alpha, {"V_reset": 5 * mV}, r"V_reset=5\.? mV, V_peak=0\.? V: V_reset must "
                                           r"be smaller than V_peak"),
    (aeif_cond_alpha, {"tau_syn_ex": 0 * ms}, r"tau_syn_ex=0\.? s: tau_syn_ex must be > 0"),
    (aeif_cond_alpha, {"Delta_T": 0.01 * mV}, r"overflows exp\(\) at the spike"),
    (aeif_cond_alpha, {"g_L": 5 * mV}, r"parameter g_L=5\.? mV has unit volt, expected "
                                       r"siemens"),
    (hh_psc_alpha, {"C_m": 0 * pF}, r"C_m=0\.? F: C_m must be > 0"),
    (hh_psc_alpha, {"t_ref": -0.5 * ms}, r"t_ref=-0\.5 ms: t_ref must be >= 0"),
    (hh_psc_alpha, {"tau_syn_in": -2 * ms}, r"tau_syn_in=-2\.? ms: tau_syn_in must be > 0"),
    (hh_psc_alpha, {"g_K": -1 * nS}, r"g_K=-1\.? nS: g_K must be >= 0"),
    (hh_psc_alpha, {"g_Na": [12000, -5] * nS}, r"g_Na=\[.*\] nS: g_Na must be >= 0"),
    (hh_psc_alpha, {"E_Na": 50 * nS}, r"parameter E_Na=50\.? nS has unit siemens, expected "
                                      r"volt"),
])
def test_bad_parameters_name_the_argument(model, kwargs, message):
    n = 2 if any(np.size(v) > 1 for v in kwargs.values()) else 1
    with pytest.raises(ValueError, match=message):
        model(n, **kwargs)


def test_unimplemented_nest_options_are_errors():
    with pytest.raises(TypeError, match=r"NEST's parameter V_min=-80 is not implemented"):
        iaf_psc_alpha(1, V_min=-80)
    with pytest.raises(TypeError, match=r"NEST's parameter V_min=.* is not implemented"):
        izhikevich(1, V_min=-80 * mV)
    with pytest.raises(TypeError, match=r"gsl_error_tol=1e-06 is not implemented"):
        aeif_cond_exp(1, gsl_error_tol=1e-6)
    with pytest.raises(TypeError, match=r"aeif_cond_alpha: NEST's parameter "
                                        r"gsl_error_tol=1e-05 is not implemented"):
        aeif_cond_alpha(1, gsl_error_tol=1e-5)
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) V_th"):
        hh_psc_alpha(1, V_th=0 * mV)
    with pytest.raises(ValueError, match=r"consistent_integration=False .* not implemented"):
        izhikevich(1, consistent_integration=False)
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) V_peak"):
        iaf_psc_alpha(1, V_peak=0 * mV)


def test_rheobases_and_initial_state():
    assert float(iaf_psc_alpha(1, name="rheo_psc").rheobase / pA) == pytest.approx(375.0)
    assert float(iaf_cond_alpha(1, name="rheo_cond").rheobase / pA) == \
        pytest.approx(16.6667 * 15)
    # NEST's initial V_m does not follow a changed E_L (nest.Create(..., {'E_L': -65}))
    assert float(iaf_psc_alpha(1, E_L=-65 * mV, name="init_psc").V_m[0] / mV) == -70.0
    # the same for the exponential models (NEST 3.10: Create('iaf_psc_exp', {'E_L': -60.})
    # and Create('iaf_cond_exp', {'E_L': -60.}) both have V_m = -70.0)
    assert float(iaf_psc_exp(1, E_L=-60 * mV, name="init_exp").V_m[0] / mV) == -70.0
    assert float(iaf_cond_exp(1, E_L=-60 * mV, name="init_cexp").V_m[0] / mV) == -70.0
    # aeif_cond_alpha: -70.6 mV (NEST's E_L default), w = 0, whatever E_L
    aeif = aeif_cond_alpha(1, E_L=-65 * mV, name="init_aeif_alpha")
    assert float(aeif.V_m[0] / mV) == pytest.approx(-70.6, abs=1e-12)
    assert float(aeif.w[0] / pA) == 0 and float(aeif.h_ex[0] / nS) == 0


def test_hh_psc_alpha_initial_state_is_nests():
    """NEST 3.10: V_m = -65 mV and the gates at their steady state at -65 mV, whatever
    E_L; SetStatus({'V_m': ...}) leaves the gates alone (GetDefaults' Act_m, Inact_h,
    Act_n are compared in test_nest_reference.py)."""
    gates = {"Act_m": 0.05293248525724958, "Inact_h": 0.5961207535084603,
             "Act_n": 0.3176769140606974}
    for kwargs in ({}, {"E_L": -60 * mV}, {"init": {"V_m": -55 * mV}}):
        neuron = hh_psc_alpha(1, **kwargs)
        v = -55.0 if "init" in kwargs else -65.0
        assert float(neuron.V_m[0] / mV) == v, kwargs
        for name, value in gates.items():
            assert float(getattr(neuron, name)[0]) == pytest.approx(value, rel=1e-12), \
                (kwargs, name)
        assert float(neuron.I_syn_ex[0] / pA) == 0 and float(neuron.h_in[0] / pA) == 0

def test_aeif_cond_exp_v_m_is_settable():
    """V_m is computed from the integrated V_s; init and assignment convert."""
    sl.start_scope()
    neurons = aeif_cond_exp(2, init={"V_m": -65 * mV}, name="aeif_init")
    np.testing.assert_allclose(np.asarray(neurons.V_m / mV), [-65, -65], atol=1e-12)
    neurons.V_m = [-62, -55] * mV
    np.testing.assert_allclose(np.asarray(neurons.V_m / mV), [-62, -55], atol=1e-12)
    expression = aeif_cond_exp(1, init={"V_m": "E_L + 1*mV"}, name="aeif_init_str")
    assert float(expression.V_m[0] / mV) == pytest.approx(-69.6, abs=1e-12)
    iaf = aeif_cond_exp(1, Delta_T=0 * mV, name="aeif_iaf")
    iaf.V_m = -61 * mV
    assert float(iaf.V_m[0] / mV) == -61.0
    with pytest.raises(ValueError, match=r"V_m=.* must be a potential"):
        aeif_cond_exp(1, init={"V_m": 5 * nS}, name="aeif_init_bad")


def test_aeif_cond_alpha_v_m_is_settable():
    """As aeif_cond_exp: V_m is computed from the integrated V_s; init and assignment
    convert."""
    sl.start_scope()
    neurons = aeif_cond_alpha(2, init={"V_m": -65 * mV}, name="aeif_alpha_init")
    np.testing.assert_allclose(np.asarray(neurons.V_m / mV), [-65, -65], atol=1e-12)
    neurons.V_m = [-62, -55] * mV
    np.testing.assert_allclose(np.asarray(neurons.V_m / mV), [-62, -55], atol=1e-12)
    iaf = aeif_cond_alpha(1, Delta_T=0 * mV, name="aeif_alpha_iaf")
    iaf.V_m = -61 * mV
    assert float(iaf.V_m[0] / mV) == -61.0


def test_aeif_cond_alpha_conductance_is_an_alpha_function():
    """One 8 nS input: g_ex = 8 nS*(s/tau)*exp(1 - s/tau) from the step the input acts on
    (RK4 at 0.1 ms with tau_syn_ex = 2 ms: within 1e-5 of the peak), g_in stays 0."""
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    neuron = aeif_cond_alpha(1, tau_syn_ex=2 * ms, name="aeif_alpha_g")
    source = spike_generator(1, [0], [5.0] * ms, name="aeif_alpha_src")
    link = Projection(source, neuron, None, OneToOne(), weight=8 * nS, delay=1 * ms,
                      name="aeif_alpha_link")
    trace = sl.StateMonitor(neuron, ["g_ex", "g_in"], record=0)
    sl.Network(neuron, source, link, trace).run(30 * ms)
    t = np.asarray(trace.t / ms)
    s = np.clip(t - 6.0, 0, None)  # NEST's stamp 5 ms + 1 ms delay
    expected = 8 * (s / 2) * np.exp(1 - s / 2)
    np.testing.assert_allclose(np.asarray(trace.g_ex[0] / nS), expected, rtol=0, atol=8e-5)
    assert np.all(np.asarray(trace.g_in[0] / nS) == 0)


def test_hh_psc_alpha_default_method_and_its_reason():
    """RK4 in 4 sub-steps (hh_psc_alpha's docstring): plain RK4 at 0.1 ms cannot follow the
    sodium upstroke (NaN or garbage at the first spike), sub-steps give NEST's spike times
    (test_nest_reference.py); the method is replaceable."""
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    neurons = hh_psc_alpha(2, I_e=[0, 700] * pA, name="hh_method")
    spikes = sl.SpikeMonitor(neurons)
    sl.Network(neurons, spikes).run(40 * ms)
    assert neurons.integration_method == "rk4_x4"
    # NEST 3.10, I_e = 700 pA from NEST's initial state: spikes stamped 2.7, 20.0, 37.2 ms
    np.testing.assert_allclose(np.asarray(spikes.t / ms) + 0.1, [2.7, 20.0, 37.2], atol=1e-9)
    assert set(np.asarray(spikes.i)) == {1}
    sl.start_scope()
    plain = hh_psc_alpha(1, I_e=700 * pA, method="rk4", name="hh_plain_rk4")
    trace = sl.StateMonitor(plain, "V_m", record=0)
    # the default divergence check stops the run at the NaN (docs/reliability.md)
    with pytest.raises(sl.SimulationError, match="variable 'V_m' of hh_psc_alpha 'hh_plain_rk4'"):
        sl.Network(plain, trace).run(10 * ms)
    v = np.asarray(trace.V_m[0] / mV)
    assert not np.all(np.isfinite(v) & (v < 60) & (v > -100))


def test_aeif_cond_exp_fires_with_rk4_at_large_steps():
    """The spike's run-away stays finite at dt = 0.5 ms (V_m is bounded by V_peak)."""
    sl.start_scope()
    sl.defaultclock.dt = 0.5 * ms
    neuron = aeif_cond_exp(1, I_e=1000 * pA, name="aeif_big_dt")
    spikes = sl.SpikeMonitor(neuron)
    trace = sl.StateMonitor(neuron, "V_m", record=0)
    sl.Network(neuron, spikes, trace).run(200 * ms)
    assert spikes.num_spikes > 3 and np.all(np.isfinite(np.asarray(trace.V_m / mV)))
    assert float(np.max(trace.V_m / mV)) < 0.0
