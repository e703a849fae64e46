"""Synapse kinetics and outputs against closed forms, in every valid alignment.

Two networks (one compiled loop each, built once per module) drive every kinetics from one
``SpikeTimeGroup``: neuron 0 fires once at 10 ms, neuron 1 at 10, 30, 50, 70 and 90 ms,
neuron 2 at 10 and 10.3 ms. Values are recorded at the end of each step (``run_steps``), so
row ``k`` holds the state after step ``k``; a spike of an input group at step ``k0``
arrives through ``on_pre`` at the end of step ``k0`` (jump kinetics), and opens the
transmitter pulse of ``AMPA``/``GABAa`` for the steps ``k0 ... k0 + T_dur/dt - 1``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import SpikeGeneratorGroup, mM, ms, mV, nA, nS
from spikeloom.models import (
    AMPA,
    COBA,
    CUBA,
    LIF,
    NMDA,
    STP,
    Alpha,
    DualExpon,
    Expon,
    FromIJ,
    GABAa,
    MgBlock,
    Projection,
    SpikeTimeGroup,
    run_steps,
)

DT = 0.1  # ms
K0 = 100  # step of the 10 ms spikes
TRAIN = np.array([100, 300, 500, 700, 900])  # steps of neuron 1
N_STEPS = 1200


def _input(prefix):
    return SpikeTimeGroup(3, indices=[0, 1, 1, 1, 1, 1, 2, 2],
                          times=[10, 10, 30, 50, 70, 90, 10, 10.3] * ms, name=f"{prefix}_in")


def _run(prefix, specs, extra_sources=()):
    """specs: label -> (source, pre index, kinetics, alignment, output, weight).

    Returns {'<label>.<var>': trace} with the postsynaptic V as '<label>.V'.
    """
    sl.start_scope()
    sl.defaultclock.dt = DT * ms
    pre = _input(prefix)
    post = LIF(1, V_rest=-65 * mV, V_reset=-65 * mV, V_th=1e3 * mV, name=f"{prefix}_post")
    projections, record = {}, {"V": (post, "V")}
    for label, (source, k, kinetics, alignment, output, weight) in specs.items():
        src = pre if source == "input" else extra_sources[source]
        p = Projection(src, post, kinetics, FromIJ([k], [0]), weight=weight, output=output,
                       alignment=alignment, name=f"{prefix}_{label}")
        projections[label] = p
        column = [k] if alignment == "pre" else [0]
        for var in (*kinetics.STATE, kinetics.OUTPUT):
            record[f"{label}.{var}"] = (p, var, column)
        record[f"{label}.G"] = (p, "G")
        record[f"{label}.I"] = (p, "I")
    net = sl.Network(pre, post, *extra_sources, *projections.values())
    out = run_steps(net, N_STEPS, record)
    data = {}
    for key, value in out.items():
        if key == "t":
            continue
        arr = value[:, 0]
        arr = np.asarray(arr / _unit(arr)) if isinstance(arr, sl.Quantity) else arr
        if key == "V":
            data.update({f"{label}.V": arr for label in specs})
        else:
            data[key] = arr
    return data, projections


def _merge(*runs):
    data, projections = {}, {}
    for d, p in runs:
        data.update(d)
        projections.update(p)
    return data, projections


def _unit(q):
    for unit in (nS, nA, mV, ms, nS / ms, 1 / ms):
        if sl.get_dimensions(q) == sl.get_dimensions(unit):
            return unit
    raise AssertionError(f"unexpected unit of {q!r}")


@pytest.fixture(scope="module")
def linear():
    """One small network per alignment (compilation time grows faster than linearly with
    the size of the loop)."""
    runs = []
    for al in ("post", "pre", "synapse"):
        specs = {
            f"expon_{al}": ("input", 0, Expon(tau=5 * ms), al, COBA(E=0 * mV), 1 * nS),
            f"alpha_{al}": ("input", 0, Alpha(tau_decay=3 * ms), al, COBA(E=0 * mV), 1 * nS),
            f"dual_{al}": ("input", 0, DualExpon(tau_rise=1 * ms, tau_decay=6 * ms), al,
                           COBA(E=0 * mV), 1 * nS)}
        if al == "post":
            specs["cuba"] = ("input", 0, Expon(tau=5 * ms), "post", CUBA(), 1 * nA)
        runs.append(_run(f"lin_{al}", specs))
    return _merge(*runs)


@pytest.fixture(scope="module")
def nonlinear():
    stp = dict(U=0.2, tau_f=100 * ms, tau_d=50 * ms)
    runs = []
    for al in ("pre", "synapse"):
        late = SpikeGeneratorGroup(1, [0], [10] * ms, name=f"nl_late_{al}")  # 'thresholds'
        specs = {
            f"ampa_{al}": ("input", 0, AMPA(), al, COBA(E=0 * mV), 1 * nS),
            f"restart_{al}": ("input", 2, AMPA(), al, COBA(E=0 * mV), 1 * nS),
            f"late_{al}": (0, 0, AMPA(), al, COBA(E=0 * mV), 1 * nS),
            f"nmda_{al}": ("input", 0, NMDA(), al, MgBlock(E=0 * mV), 1 * nS),
            f"stp_{al}": ("input", 1, STP(**stp), al, COBA(E=0 * mV), 1 * nS)}
        if al == "pre":
            specs["gaba"] = ("input", 0, GABAa(), "pre", COBA(E=-80 * mV), 1 * nS)
            specs["stpexp"] = ("input", 1, STP(**stp, synapse=Expon(tau=5 * ms)), "pre",
                               CUBA(), 1 * nA)
        runs.append(_run(f"nl_{al}", specs, extra_sources=(late,)))
    return _merge(*runs)


# -- linear kinetics: impulse responses ------------------------------------------------------

def _after_jump(n):
    return np.arange(n) * DT


@pytest.mark.parametrize("alignment", ["post", "pre", "synapse"])
def test_expon_impulse_response_is_exponential(linear, alignment):
    """Expon: g(t) = exp(-t/tau) after the jump (per-post state: weight*exp(-t/tau))."""
    data, _ = linear
    t = _after_jump(400)
    g = data[f"expon_{alignment}.g"]
    np.testing.assert_allclose(g[K0:K0 + 400], np.exp(-t / 5.0), rtol=1e-12, atol=1e-15)
    assert np.all(g[:K0] == 0)


@pytest.mark.parametrize("alignment", ["post", "pre", "synapse"])
def test_alpha_impulse_response_is_alpha_function(linear, alignment):
    """Alpha: g(t) = (t/tau)·exp(-t/tau), peak 1/e at t = tau (exact integration; per-post
    state follows the LIF's method, which is 'exact' for these linear equations)."""
    data, projections = linear
    t = _after_jump(400)
    g = data[f"alpha_{alignment}.g"]
    np.testing.assert_allclose(g[K0:K0 + 400], t / 3.0 * np.exp(-t / 3.0), rtol=1e-9,
                               atol=1e-13)
    assert g.max() == pytest.approx(np.exp(-1), rel=1e-9)


@pytest.mark.parametrize("alignment", ["post", "pre", "synapse"])
def test_dual_expon_impulse_response_peaks_at_one(linear, alignment):
    """DualExpon: g(t) = a·td·tr/(td - tr)·(exp(-t/td) - exp(-t/tr)), peak 1 at
    t* = td·tr/(td - tr)·ln(td/tr)."""
    data, _ = linear
    td, tr = 6.0, 1.0
    a = (tr / td) ** (tr / (tr - td)) / tr
    t = _after_jump(400)
    expected = a * td * tr / (td - tr) * (np.exp(-t / td) - np.exp(-t / tr))
    g = data[f"dual_{alignment}.g"]
    np.testing.assert_allclose(g[K0:K0 + 400], expected, rtol=1e-9, atol=1e-13)
    t_peak = td * tr / (td - tr) * np.log(td / tr)
    assert a * td * tr / (td - tr) * (np.exp(-t_peak / td) - np.exp(-t_peak / tr)) == \
        pytest.approx(1.0)
    assert 0.999 < g.max() <= 1.0 + 1e-12


def test_alignments_give_the_same_conductance_onto_the_neuron(linear):
    """G, the weighted conductance the neuron integrates with, is the same for the per-pre
    and per-synapse states, and is the state *before* the step's spikes arrive (summed at
    the start of the step, after the state update: G = exp(-m·dt/tau) from the step after
    the jump). Per-post, G is the neuron's own variable, the state after the step."""
    data, _ = linear
    for kind in ("expon", "alpha", "dual"):
        np.testing.assert_allclose(data[f"{kind}_pre.G"], data[f"{kind}_synapse.G"],
                                   rtol=1e-12, atol=1e-15, err_msg=kind)
        np.testing.assert_allclose(data[f"{kind}_post.G"], data[f"{kind}_post.g"], rtol=0)
        np.testing.assert_allclose(data[f"{kind}_pre.G"][K0 + 1:], data[f"{kind}_pre.g"][
            K0 + 1:], rtol=1e-12, atol=1e-15, err_msg=kind)
    t = _after_jump(300)
    assert data["expon_pre.G"][K0] == 0
    np.testing.assert_allclose(data["expon_pre.G"][K0 + 1:K0 + 301], np.exp(-(t + DT) / 5.0),
                               rtol=1e-12)


def test_coba_and_cuba_outputs(linear):
    """COBA: I = G·(E - V) with V at the recorded time (BrainPy's sign: E above V
    depolarises); CUBA: I = G."""
    data, _ = linear
    G, V = data["expon_pre.G"] * 1e-9, data["expon_pre.V"] * 1e-3
    np.testing.assert_allclose(data["expon_pre.I"] * 1e-9, G * (0.0 - V), rtol=1e-12,
                               atol=1e-24)
    assert data["expon_pre.I"][K0 + 1] > 0
    np.testing.assert_allclose(data["cuba.I"], data["cuba.G"], rtol=1e-12)


def test_default_alignment_is_post_for_linear_kinetics():
    sl.start_scope()
    pre = _input("dflt")
    post = LIF(1)
    for kin in (Expon(), Alpha(), DualExpon()):
        p = Projection(pre, post, kin, FromIJ([0], [0]), weight=1 * nS, output=COBA())
        assert p.alignment == "post"


# -- transmitter-pulse kinetics ----------------------------------------------------------------

def _ampa_closed_form(alpha, beta, T, n_pulse, n):
    """g after each step from g = 0, for a pulse of n_pulse steps starting at step 0."""
    rate = alpha * T + beta
    g_inf = alpha * T / rate
    g = np.empty(n)
    m = np.arange(n_pulse)
    g[:n_pulse] = g_inf * (1 - np.exp(-(m + 1) * DT * rate))
    g[n_pulse:] = g[n_pulse - 1] * np.exp(-beta * DT * np.arange(1, n - n_pulse + 1))
    return g, g_inf, 1 / rate


@pytest.mark.parametrize("alignment", ["pre", "synapse"])
def test_ampa_rises_to_g_inf_then_decays_with_beta(nonlinear, alignment):
    """AMPA (alpha 0.98/ms/mM, beta 0.18/ms, T 0.5 mM, T_dur 0.5 ms): during the pulse
    g = g_inf·(1 - exp(-t/tau)) with g_inf = alpha·T/(alpha·T + beta) and
    tau = 1/(alpha·T + beta); after it g decays as exp(-beta·t). The pulse covers
    [10, 10.5) ms: 5 steps."""
    data, projections = nonlinear
    expected, g_inf, tau = _ampa_closed_form(0.98, 0.18, 0.5, 5, 600)
    kin = projections[f"ampa_{alignment}"].synapse
    assert kin.g_inf == pytest.approx(g_inf) and float(kin.tau_rise / ms) == pytest.approx(tau)
    g = data[f"ampa_{alignment}.g"]
    np.testing.assert_allclose(g[K0:K0 + 600], expected, rtol=1e-12, atol=1e-15)
    assert np.all(g[:K0] == 0)


@pytest.mark.parametrize("alignment", ["pre", "synapse"])
def test_ampa_new_spike_restarts_the_pulse(nonlinear, alignment):
    """Spikes at 10 and 10.3 ms: the second restarts the pulse, so [T] = T over
    [10, 10.8) ms (8 steps) and g follows the closed form of an 8-step pulse."""
    data, _ = nonlinear
    expected, _, _ = _ampa_closed_form(0.98, 0.18, 0.5, 8, 300)
    np.testing.assert_allclose(data[f"restart_{alignment}.g"][K0:K0 + 300], expected,
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("alignment", ["pre", "synapse"])
def test_ampa_from_a_source_firing_after_the_state_update_starts_next_step(nonlinear,
                                                                           alignment):
    """A source that fires in the 'thresholds' slot (Brian2's SpikeGeneratorGroup, every
    NeuronGroup) is known only after the step's state update: its full 5-step pulse starts
    with the next step."""
    data, _ = nonlinear
    expected, _, _ = _ampa_closed_form(0.98, 0.18, 0.5, 5, 300)
    g = data[f"late_{alignment}.g"]
    assert np.all(g[:K0 + 1] == 0)
    np.testing.assert_allclose(g[K0 + 1:K0 + 301], expected, rtol=1e-12, atol=1e-15)


def test_gabaa_defaults_and_closed_form(nonlinear):
    """GABAa: alpha 0.53/ms/mM, beta 0.18/ms, T 1 mM, T_dur 1 ms (10 steps)."""
    data, projections = nonlinear
    p = projections["gaba"].synapse.parameters
    assert (p["alpha"], p["beta"], p["T"], p["T_dur"]) == (
        0.53 / (ms * mM), 0.18 / ms, 1 * mM, 1 * ms)
    expected, _, _ = _ampa_closed_form(0.53, 0.18, 1.0, 10, 500)
    np.testing.assert_allclose(data["gaba.g"][K0:K0 + 500], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(data["gaba.I"], data["gaba.G"] * (-80.0 - data["gaba.V"]) * 1e-3,
                               rtol=1e-12)  # nS*mV = pA


def test_ampa_default_alignment_is_pre():
    sl.start_scope()
    p = Projection(_input("dflt2"), LIF(1), AMPA(), FromIJ([0], [0]), weight=1 * nS,
                   output=COBA())
    assert p.alignment == "pre"


# -- NMDA, Mg block -------------------------------------------------------------------------------

@pytest.mark.parametrize("alignment", ["pre", "synapse"])
def test_nmda_second_order_kinetics(nonlinear, alignment):
    """NMDA: x = exp(-t/tau_rise) after the jump (exact); g is exponential Euler (x held
    over each step, BrainPy's exp_auto): identical to that scheme written in numpy, and
    within 2 % of the peak from a dt = 1 us RK4 integration (the scheme's O(dt) error)."""
    data, _ = nonlinear
    t = _after_jump(1000)
    np.testing.assert_allclose(data[f"nmda_{alignment}.x"][K0:K0 + 1000], np.exp(-t / 2.0),
                               rtol=1e-12)
    g = data[f"nmda_{alignment}.g"][K0:K0 + 1000]
    np.testing.assert_allclose(g, _nmda_exponential_euler(1000), rtol=1e-12, atol=1e-15)
    ref = _nmda_rk4(100.0)
    assert np.max(np.abs(g - ref)) < 0.02 * ref.max()
    assert ref.max() > 0.1


def _nmda_exponential_euler(n, a=0.5, tau_d=100.0, tau_r=2.0):
    """g after each step from the spike step on (x jumps to 1 at the end of step 0)."""
    g, x, out = 0.0, 0.0, []
    for k in range(n):
        rate = 1 / tau_d + a * x
        g = a * x / rate + (g - a * x / rate) * np.exp(-rate * DT)
        x *= np.exp(-DT / tau_r)
        if k == 0:
            x += 1.0
        out.append(g)
    return np.array(out)


@functools.cache
def _nmda_rk4(duration_ms, a=0.5, tau_d=100.0, tau_r=2.0, sub=100):
    h = DT / sub

    def f(y):
        g, x = y
        return np.array([-g / tau_d + a * x * (1 - g), -x / tau_r])

    y, out = np.array([0.0, 1.0]), []
    for _ in range(int(round(duration_ms / DT))):
        out.append(y[0])
        for _ in range(sub):
            k1 = f(y)
            k2 = f(y + h / 2 * k1)
            k3 = f(y + h / 2 * k2)
            k4 = f(y + h * k3)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.array(out)


def test_mgblock_output(nonlinear):
    """MgBlock: I = G·(E - V)/(1 + [Mg]/beta·exp(alpha·(V_offset - V))), BrainPy's defaults
    (1.2 mM, 0.062/mV, 3.57 mM)."""
    data, _ = nonlinear
    G, V = data["nmda_pre.G"], data["nmda_pre.V"]
    expected = G * (0.0 - V) * 1e-3 / (1 + 1.2 / 3.57 * np.exp(0.062 * (0.0 - V)))  # nA
    np.testing.assert_allclose(data["nmda_pre.I"], expected, rtol=1e-12, atol=1e-30)


# -- short-term plasticity -----------------------------------------------------------------------

def _stp_reference(n, U=0.2, tau_f=100.0, tau_d=50.0, tau_g=5.0):
    """Exact per-step propagation between spikes, BrainPy's jumps at the spike steps:
    u <- u + U(1 - u), then r = u·x leaves: x <- x - r (r also drives the Expon)."""
    u, x, g = U, 1.0, 0.0
    us, xs, gs = [], [], []
    for k in range(n):
        u *= np.exp(-DT / tau_f)
        x = 1 - (1 - x) * np.exp(-DT / tau_d)
        g *= np.exp(-DT / tau_g)
        if k in TRAIN:
            u += U * (1 - u)
            g += u * x
            x -= u * x
        us.append(u)
        xs.append(x)
        gs.append(g)
    return np.array(us), np.array(xs), np.array(gs)


@pytest.mark.parametrize("alignment", ["pre", "synapse"])
def test_stp_follows_tsodyks_markram_recurrence(nonlinear, alignment):
    """u, x and the efficacy g = u·x at every step, against the recurrence (initial
    u = U, x = 1 as BrainPy)."""
    data, _ = nonlinear
    u, x, _ = _stp_reference(N_STEPS)
    np.testing.assert_allclose(data[f"stp_{alignment}.u"], u, rtol=1e-12)
    np.testing.assert_allclose(data[f"stp_{alignment}.x"], x, rtol=1e-12)
    np.testing.assert_allclose(data[f"stp_{alignment}.g"], u * x, rtol=1e-12)
    released = u[TRAIN] * (x[TRAIN] / (1 - u[TRAIN]))  # u+·x- at each spike
    assert released[1] < released[0]  # depression dominates at 50 Hz with tau_d = 50 ms


def test_stp_scales_an_inner_kinetics(nonlinear):
    """STP(synapse=Expon): at each spike the Expon jumps by the released fraction u·x."""
    data, _ = nonlinear
    _, _, g = _stp_reference(N_STEPS)
    np.testing.assert_allclose(data["stpexp.g"], g, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(data["stpexp.I"], data["stpexp.G"], rtol=1e-12)


def test_stp_rejects_inner_kinetics_that_reuse_its_names():
    with pytest.raises(ValueError, match=r"uses the state name\(s\) x"):
        STP(synapse=NMDA())
    with pytest.raises(ValueError, match="must be a jump kinetics"):
        STP(synapse=AMPA())
