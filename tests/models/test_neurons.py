"""Library neurons against closed forms (f–I, rheobase) and against the same equations as strings.

All models run in one network (one compiled loop) built once per module; each test reads
its part of the recording.
"""

from __future__ import annotations

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import (
    Mohm,
    NeuronGroup,
    SpikeMonitor,
    cm,
    ms,
    msiemens,
    mV,
    nA,
    nS,
    pA,
    pF,
    second,
    uA,
    ufarad,
    uS,
)
from spikeloom.models import (
    HH,
    LIF,
    AdEx,
    ExpIF,
    Izhikevich,
    LifRef,
    iaf_cond_exp,
    iaf_psc_exp,
)

DT = 1e-4  # s
DURATION = 3.0  # s
LIF_I = np.array([21.0, 25.0, 40.0])  # nA, BrainPy's default LIF (threshold at R*I = 20 mV)
REF_I = np.array([11.0, 15.0, 30.0])  # nA, LifRef(V_rest=-60, V_th=-50, tau=20 ms, 5 ms)
PSC_I = np.array([371.0, 379.0, 400.0, 600.0])  # pA, iaf_psc_exp (rheobase 375 pA)
COND_I = np.array([247.0, 253.0, 300.0, 500.0])  # pA, iaf_cond_exp (rheobase 250 pA)
EXPIF_FACTORS = np.array([0.97, 1.03, 1.2])
ADEX_FACTORS = np.array([0.97, 1.03])
HH_I = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 6.5, 7.0, 8.0, 10.0, 15.0, 20.0])  # uA/cm2
UA_CM2 = uA / cm ** 2

HH_STRING = """
dv/dt = (-gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL) + I)/C : volt
dm/dt = am*(1 - m) - bm*m : 1
dh/dt = ah*(1 - h) - bh*h : 1
dn/dt = an*(1 - n) - bn*n : 1
am = 0.1/mV*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))/ms : Hz
bm = 4*exp(-(v + 65*mV)/(18*mV))/ms : Hz
ah = 0.07*exp(-(v + 65*mV)/(20*mV))/ms : Hz
bh = 1/(1 + exp(-(v + 35*mV)/(10*mV)))/ms : Hz
an = 0.01/mV*(v + 55*mV)/(1 - exp(-(v + 55*mV)/(10*mV)))/ms : Hz
bn = 0.125*exp(-(v + 65*mV)/(80*mV))/ms : Hz
I : amp/metre**2
"""
HH_NS = {"gNa": 120 * msiemens / cm ** 2, "gK": 36 * msiemens / cm ** 2,
         "gL": 0.3 * msiemens / cm ** 2, "ENa": 50 * mV, "EK": -77 * mV, "EL": -54.387 * mV,
         "C": 1 * ufarad / cm ** 2}


def _adex_rest(current, a, g_l=1e-6, e_l=-65e-3, v_t=-59.9e-3, d_t=3.48e-3):
    """Start state (SI): the AdEx fixed point for ``current`` (stable or not) pushed up by
    0.1 mV; above the saddle-node current, where none exists, the rest state of 0.97 times
    that current. Found by bisection on the w-nullcline."""
    i_sn = (g_l + a) * (v_t - e_l - d_t + d_t * np.log(1 + a / g_l))
    current = current if current < i_sn else 0.97 * i_sn

    def f(v):
        return -(g_l + a) * (v - e_l) + g_l * d_t * np.exp((v - v_t) / d_t) + current

    lo, hi = e_l - 0.02, v_t + d_t * np.log(1 + a / g_l)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return lo + 1e-4, a * (lo - e_l)


@pytest.fixture(scope="module")
def fi():
    """Every model, one constant current per neuron, 3 s, one compiled run."""
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    groups = {
        "lif": LIF(3, I_ext=LIF_I * nA, name="fi_lif"),
        "lifref": LifRef(3, V_rest=-60 * mV, V_reset=-60 * mV, V_th=-50 * mV, tau=20 * ms,
                         tau_ref=5 * ms, I_ext=REF_I * nA, name="fi_lifref"),
        "psc": iaf_psc_exp(4, I_e=PSC_I * pA, name="fi_psc"),
        "cond": iaf_cond_exp(4, I_e=COND_I * pA, name="fi_cond"),
        "adapt": iaf_cond_exp(1, I_e=500 * pA, adaptive_threshold=True, theta_plus=0.5 * mV,
                              tau_theta=100 * ms, name="fi_adapt"),
        "izh": Izhikevich(1, I_ext=10 * mV / ms, name="fi_izh"),
        "hh": HH(len(HH_I), I_ext=HH_I * UA_CM2, name="fi_hh"),
    }
    expif = ExpIF(3, name="fi_expif")
    expif.I_ext = EXPIF_FACTORS * expif.rheobase
    groups["expif"] = expif
    for label, a in (("adex_hopf", 1 * uS), ("adex_sn", 0.2 * uS)):
        adex = AdEx(2, a=a, name=f"fi_{label}")
        currents = ADEX_FACTORS * float(adex.rheobase / nA) * 1e-9
        starts = [_adex_rest(c, float(a / uS) * 1e-6) for c in currents]
        adex.I_ext = currents * 1e9 * nA
        adex.V = np.array([v for v, _ in starts]) * 1e3 * mV
        adex.w = np.array([w for _, w in starts]) * 1e9 * nA
        groups[label] = adex
    hh_str = NeuronGroup(len(HH_I), HH_STRING, threshold="v > 20*mV", refractory="v > 20*mV",
                         method="exponential_euler", namespace=HH_NS, name="fi_hh_string")
    hh_str.I = HH_I * UA_CM2
    hh_str.v = -65 * mV
    hh_str.m = "am/(am + bm)"
    hh_str.h = "ah/(ah + bh)"
    hh_str.n = "an/(an + bn)"
    groups["hh_string"] = hh_str
    monitors = {k: SpikeMonitor(g, name=f"fi_spikes_{k}") for k, g in groups.items()}
    net = sl.Network(*groups.values(), *monitors.values())
    net.run(DURATION * second)
    trains = {k: [m.t_[m.i == n] for n in range(len(groups[k]))] for k, m in monitors.items()}
    return {"groups": groups, "trains": trains,
            "theta": np.asarray(groups["adapt"].theta_), "methods": {
                k: g.integration_method for k, g in groups.items()}}


def _discrete_lif_isi(v_inf, v_reset, v_th, tau, held_steps):
    """ISI (s) of an exactly integrated LIF: ``held_steps`` at reset, then the first step
    count m with V(m*dt) > V_th."""
    m = np.arange(1, 200_000)
    v = v_inf + (v_reset - v_inf) * np.exp(-m * DT / tau)
    first = np.argmax(v > v_th)
    margin = min(abs(v[first] - v_th), abs(v[first - 1] - v_th) if first else np.inf)
    assert margin > 1e-9, "degenerate current: a crossing within round-off of the threshold"
    return (held_steps + m[first]) * DT


def _steady_isi(train):
    isi = np.diff(train)
    assert isi.size >= 3, f"too few spikes: {train}"
    return isi[-1], isi


@pytest.mark.parametrize("k", range(3))
def test_lif_fi_matches_exact_closed_form(fi, k):
    """LIF (BrainPy defaults, no refractoriness): ISI = m*·dt, m* the first whole step at
    which V_inf + (V_reset - V_inf)·exp(-m·dt/tau) exceeds V_th (exact integration)."""
    isi, all_isi = _steady_isi(fi["trains"]["lif"][k])
    expected = _discrete_lif_isi(LIF_I[k] * 1e-3, -5e-3, 20e-3, 10e-3, 0)
    np.testing.assert_allclose(all_isi, expected, atol=1e-9, err_msg=f"I={LIF_I[k]} nA")
    assert fi["methods"]["lif"] == "exact"


@pytest.mark.parametrize("k", range(3))
def test_lifref_fi_with_refractoriness_matches_closed_form(fi, k):
    """LifRef: ISI = (n_ref - 1 + m*)·dt with n_ref = tau_ref/dt = 50 (Brian2's refractory
    rule), compared with the continuous f = 1/(tau_ref + tau·ln((V_inf-V_r)/(V_inf-V_th)))."""
    isi, all_isi = _steady_isi(fi["trains"]["lifref"][k])
    v_inf = -60e-3 + REF_I[k] * 1e-3
    expected = _discrete_lif_isi(v_inf, -60e-3, -50e-3, 20e-3, 49)
    np.testing.assert_allclose(all_isi[1:], expected, atol=1e-9, err_msg=f"I={REF_I[k]} nA")
    continuous = 5e-3 + 20e-3 * np.log((v_inf + 60e-3) / (v_inf + 50e-3))
    assert continuous - DT <= isi <= continuous + DT


def test_iaf_psc_exp_rheobase_and_fi(fi):
    """NEST iaf_psc_exp: rheobase C_m·(V_th - E_L)/tau_m = 375 pA; above it the ISI is
    (t_ref/dt + m*)·dt (NEST holds V_m for t_ref/dt steps after the spike step)."""
    trains = fi["trains"]["psc"]
    rheobase = float(fi["groups"]["psc"].rheobase / pA)
    assert rheobase == pytest.approx(375.0)
    assert len(trains[0]) == 0, f"{PSC_I[0]} pA < rheobase fired {len(trains[0])} spikes"
    for k in range(1, len(PSC_I)):
        isi, all_isi = _steady_isi(trains[k])
        r_m = 10e-3 / 250e-12
        expected = _discrete_lif_isi(-70e-3 + r_m * PSC_I[k] * 1e-12, -70e-3, -55e-3, 10e-3, 20)
        np.testing.assert_allclose(all_isi, expected, atol=1e-9, err_msg=f"{PSC_I[k]} pA")


def test_iaf_cond_exp_rheobase_and_fi(fi):
    """NEST iaf_cond_exp without input conductances: a LIF with tau = C_m/g_L = 15 ms and
    V_inf = E_L + I_e/g_L; rheobase g_L·(V_th - E_L) = 250 pA."""
    trains = fi["trains"]["cond"]
    assert float(fi["groups"]["cond"].rheobase / pA) == pytest.approx(250.0, rel=1e-4)
    assert len(trains[0]) == 0
    g_l = 16.6667e-9
    for k in range(1, len(COND_I)):
        _, all_isi = _steady_isi(trains[k])
        expected = _discrete_lif_isi(-70e-3 + COND_I[k] * 1e-12 / g_l, -60e-3, -55e-3,
                                     250e-12 / g_l, 20)
        np.testing.assert_allclose(all_isi, expected, atol=1e-9, err_msg=f"{COND_I[k]} pA")


def test_iaf_cond_exp_adaptive_threshold_accumulates_and_decays(fi):
    """theta jumps by theta_plus at each spike and decays with tau_theta, so at the end
    theta = theta_plus·sum_k exp(-(t_end - t_k)/tau_theta) (exact between spikes); the
    threshold rise lengthens the ISIs."""
    train = fi["trains"]["adapt"][0]
    t_end = DURATION - DT  # theta after the last step's update
    expected = 0.5e-3 * np.sum(np.exp(-(t_end - train) / 0.1))
    assert fi["theta"][0] == pytest.approx(expected, rel=1e-9)
    isi = np.diff(train)
    plain = np.diff(fi["trains"]["cond"][3])  # same current, no adaptation
    assert isi[-1] > isi[0] and isi[-1] > plain[-1]


def test_expif_rheobase(fi):
    """ExpIF: R·I_rh = V_T - V_rest - delta_T (saddle-node at V_T). From rest, 0.97·I_rh
    never fires in 3 s; 1.03·I_rh and 1.2·I_rh fire repeatedly."""
    model = fi["groups"]["expif"]
    assert float(model.rheobase / nA) == pytest.approx(-59.9 + 65.0 - 3.48)
    counts = [len(t) for t in fi["trains"]["expif"]]
    assert counts[0] == 0 and counts[1] >= 2 and counts[2] > counts[1], counts


@pytest.mark.parametrize("label, a_over_gl", [("adex_hopf", 1.0), ("adex_sn", 0.2)])
def test_adex_rheobase_hopf_and_saddle_node(fi, label, a_over_gl):
    """AdEx rheobase (Touboul 2008): saddle-node current when a/g_L < tau/tau_w, else the
    Hopf current. Started at the rest state (+0.1 mV), 0.97·I_rh stays at rest for 3 s and
    1.03·I_rh fires."""
    g_l, e_l, v_t, d_t, ratio = 1e-6, -65e-3, -59.9e-3, 3.48e-3, 10 / 30
    a = a_over_gl * g_l
    if a_over_gl < ratio:
        expected = (g_l + a) * (v_t - e_l - d_t + d_t * np.log(1 + a_over_gl))
    else:
        v_h = v_t + d_t * np.log(1 + ratio)
        expected = (g_l + a) * (v_h - e_l) - g_l * d_t * (1 + ratio)
    assert float(fi["groups"][label].rheobase / nA) * 1e-9 == pytest.approx(expected, rel=1e-6)
    counts = [len(t) for t in fi["trains"][label]]
    assert counts[0] == 0 and counts[1] > 0, (label, counts)


def test_izhikevich_regular_spiking_rate():
    """RS cell (a=0.02, b=0.2, c=-65, d=8) at I = 10 mV/ms: steady ISI 44.81 ms (22.3 Hz)
    from a dt = 0.01 ms RK4 integration of Izhikevich (2003) eq. 1-3 (numpy, below); the
    library's Euler step of 0.1 ms must be within 1 % of it and identical to the same Euler
    scheme written in numpy."""
    ref_rk4 = _izhikevich_numpy(10.0, 0.01, 600.0, "rk4")
    ref_euler = _izhikevich_numpy(10.0, 0.1, 3000.0, "euler")
    sl.start_scope()
    n = Izhikevich(1, I_ext=10 * mV / ms, name="izh_rate")
    mon = SpikeMonitor(n, name="izh_rate_spikes")
    sl.Network(n, mon).run(3 * second)
    isi = np.diff(mon.t_)[-1] * 1e3
    assert isi == pytest.approx(np.diff(ref_rk4)[-1], rel=0.01)
    np.testing.assert_allclose(mon.t_ * 1e3, ref_euler, atol=1e-6)


def _izhikevich_numpy(current, dt, duration, method):
    a, b, c, d = 0.02, 0.2, -65.0, 8.0
    y = np.array([-70.0, b * -70.0])

    def f(y):
        return np.array([0.04 * y[0] ** 2 + 5 * y[0] + 140 - y[1] + current,
                         a * (b * y[0] - y[1])])

    spikes = []
    for k in range(int(round(duration / dt))):
        if method == "rk4":
            k1 = f(y)
            k2 = f(y + dt / 2 * k1)
            k3 = f(y + dt / 2 * k2)
            k4 = f(y + dt * k3)
            y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        else:
            y = y + dt * f(y)
        if y[0] >= 30:
            spikes.append(k * dt)
            y = np.array([c, y[1] + d])
    return np.array(spikes)


def test_hh_library_equals_string_equations(fi):
    """HH from the library against the same model written as a Brian2 string (raw rate
    functions instead of exprel): identical spike counts on a current grid, hence the same
    rheobase for repetitive firing (between 6 and 6.5 uA/cm2 for a step from rest)."""
    lib = np.array([len(t) for t in fi["trains"]["hh"]])
    ref = np.array([len(t) for t in fi["trains"]["hh_string"]])
    np.testing.assert_array_equal(lib, ref, err_msg=f"currents {HH_I} uA/cm2")
    repetitive = HH_I[np.argmax(ref >= 10)]
    assert repetitive == HH_I[np.argmax(lib >= 10)]
    assert 6.0 < repetitive <= 7.0
    first_lib = np.array([t[0] if len(t) else np.nan for t in fi["trains"]["hh"]])
    first_ref = np.array([t[0] if len(t) else np.nan for t in fi["trains"]["hh_string"]])
    np.testing.assert_allclose(first_lib, first_ref, atol=1e-9)


# -- construction, validation and the lazy build (nothing compiled) ------------------------

def test_neuron_equations_are_readable_and_complete():
    """model.equations is the full string the NeuronGroup gets, input hook included."""
    n = LifRef(2, tau_ref=2 * ms)
    text = n.equations
    assert "dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt (unless refractory)" in text
    assert "I_syn = 0*(amp) : amp" in text and "I_ext : amp" in text
    assert not n.is_built


def test_neuron_rejects_unknown_parameter_with_list():
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) tau_m; the parameters are "
                                        r"V_rest, V_reset, V_th, R, tau"):
        LIF(1, tau_m=10 * ms)


def test_neuron_rejects_wrong_unit_naming_argument_and_expected():
    with pytest.raises(ValueError, match=r"LIF: parameter tau=10\.? mV has unit volt, "
                                         r"expected second \(default 10\.? ms\)"):
        LIF(1, tau=10 * mV)


def test_neuron_rejects_wrong_shape_and_bad_size():
    with pytest.raises(ValueError, match=r"parameter V_th has shape \(3,\); expected a scalar "
                                         r"or 2 values"):
        LIF(2, V_th=np.ones(3) * mV)
    with pytest.raises(ValueError, match="N must be a positive integer, got 0"):
        LIF(0)
    with pytest.raises(ValueError, match="only I_ext may be a string expression"):
        LIF(1, tau="2*ms")


def test_neuron_per_neuron_parameter_becomes_a_variable():
    n = LIF(3, tau=np.array([5.0, 10.0, 20.0]) * ms, name="per_neuron_tau")
    assert "tau : second (constant)" in n.equations
    n.build()
    np.testing.assert_allclose(np.asarray(n.tau_), [5e-3, 10e-3, 20e-3])


def test_neuron_values_set_before_build_are_applied_at_build():
    n = LIF(2, name="pending_v")
    n.V = [1.0, 2.0] * mV  # stored, the group is not built yet
    assert not n.is_built
    np.testing.assert_allclose(np.asarray(n.V_), [1e-3, 2e-3])  # reading builds it
    assert n.is_built


def test_adding_input_after_build_names_what_built_it():
    n = LIF(1, name="built_early")
    _ = n.V  # builds
    with pytest.raises(ValueError, match=r"already built \(attribute 'V' was accessed\)"):
        n.add_input("late", "G_late : siemens", "G_late*(0*mV - V)", {})


def test_slicing_before_build_does_not_build():
    n = LIF(10, name="sliced")
    s = n[2:5]
    assert not n.is_built and len(s) == 3 and s.start == 2
    assert s.resolve().N == 3 and n.is_built


def test_nest_models_use_nest_names_and_defaults():
    """Parameter names and defaults of NEST 3 (iaf_psc_exp.cpp, iaf_cond_exp.cpp)."""
    p = iaf_psc_exp(1).parameters
    assert (p["C_m"], p["tau_m"], p["t_ref"], p["E_L"], p["V_th"], p["V_reset"],
            p["tau_syn_ex"], p["tau_syn_in"], p["I_e"]) == (
        250 * pF, 10 * ms, 2 * ms, -70 * mV, -55 * mV, -70 * mV, 2 * ms, 2 * ms, 0 * pA)
    q = iaf_cond_exp(1).parameters
    assert (q["g_L"], q["C_m"], q["E_ex"], q["E_in"], q["tau_syn_ex"], q["V_reset"]) == (
        16.6667 * nS, 250 * pF, 0 * mV, -85 * mV, 0.2 * ms, -60 * mV)
    assert iaf_cond_exp(1).POTENTIAL == "V_m" and "theta" not in iaf_cond_exp(1).equations
    assert "dtheta/dt" in iaf_cond_exp(1, adaptive_threshold=True).equations


def test_every_model_documents_equations_parameters_units_and_reference():
    """Acceptance 4: each model class documents its equations, every parameter with its
    unit, and a reference."""
    from spikeloom import models

    classes = [models.LIF, models.LifRef, models.ExpIF, models.AdEx, models.Izhikevich,
               models.HH, models.iaf_psc_exp, models.iaf_cond_exp, models.Expon,
               models.DualExpon, models.Alpha, models.AMPA, models.GABAa, models.NMDA,
               models.STP, models.Delta, models.COBA, models.CUBA, models.MgBlock]
    for cls in classes:
        doc = cls.__doc__ or ""
        assert "References" in doc, f"{cls.__name__}: no reference"
        assert ":math:" in doc or ".. math::" in doc, f"{cls.__name__}: no equations"
        for name, default in getattr(cls, "PARAMETERS", {}).items():
            assert name in doc, f"{cls.__name__}: parameter {name} undocumented"
            unit = sl.units.dim_string(sl.units.get_dim(default))
            assert unit == "1" or "Quantity" in doc, f"{cls.__name__}: {name} has no unit"
    assert Mohm  # the LIF family's R is in ohm


def test_neuron_name_is_claimed_at_construction_and_unknown_attributes_fail_loudly():
    first = LIF(1, name="claimed_name")
    with pytest.raises(ValueError, match="an object named 'claimed_name' already exists"):
        LIF(1, name="claimed_name")
    n = LIF(1, name="no_such_var")
    with pytest.raises(AttributeError, match="has no variable 'g_typo'"):
        n.g_typo = 3
    assert first.name == "claimed_name"
