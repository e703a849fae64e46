"""Memristor device model: each non-ideality against its definition or a closed form.

References: the formulas in the docstring of :class:`spikeloom.models.devices.Memristor`
(NeuroSim's nonlinear curve G(P) = G_min + B(1 - exp(-P/A)), aihwkit's soft bounds, Gaussian
cycle-to-cycle and read noise, log-normal device-to-device spread, exponential and power-law
drift), evaluated in NumPy, and the definition of a programming event (docs/devices.md: an
update of >= 1 whole pulse; drift changes only the read weight ``w_now``). Statistical checks
use 4-sigma bounds (two-sided false-alarm probability ~6e-5 per check) derived from the
sample size. Pulse-based updates are tested in ``test_devices_pulsed.py``.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    StateMonitor,
    ms,
    second,
    uS,
)
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import (
    NanocompositeSTDP,
    PairSTDP,
    ParyleneSTDP,
    TripletSTDP,
    stdp_window,
)

SIGMAS = 4.0


def _random_network(tag: str, n=12, seed=3, n_ms=400, p=0.05):
    """Random pre/post trains (1 ms grid). Objects get fixed names (``tag``) so that the
    compiled loop's source, and so its disk cache entry, is the same in every session."""
    gc.collect()
    rng = np.random.default_rng(seed)
    trains = [np.flatnonzero(rng.random(n_ms) < p) for _ in range(2 * n)]
    idx = np.concatenate([np.full(len(s), k % n) for k, s in enumerate(trains)])
    times = np.concatenate(trains) * ms + 0.5 * ms
    half = sum(len(s) for s in trains[:n])
    pre = SpikeGeneratorGroup(n, idx[:half], times[:half], name=f"{tag}_pre")
    post = SpikeGeneratorGroup(n, idx[half:], times[half:], name=f"{tag}_post")
    return pre, post, rng


RULES = {
    "pair": lambda dev: PairSTDP(A_plus=0.05, A_minus=-0.05, device=dev),
    "pair_nn_restr": lambda dev: PairSTDP(A_plus=0.05, A_minus=-0.05, pairing="nn_restr",
                                          weight_dependence="multiplicative", device=dev),
    "triplet": lambda dev: TripletSTDP(A2_plus=0.02, A3_plus=0.03, A2_minus=0.02,
                                       A3_minus=0.01, device=dev),
    "nc": lambda dev: NanocompositeSTDP(device=dev),
    "nc_all": lambda dev: NanocompositeSTDP(pairing="all-to-all", n_history=3, device=dev),
    "ppx": lambda dev: ParyleneSTDP(pairing="nn_pre_centered", device=dev),
}


@pytest.mark.parametrize("name", ["pair", "triplet", "nc_all", "ppx"])
def test_memristor_all_off_is_bit_identical(name):
    """A rule with ``Memristor()`` (all non-idealities off): identical weight trajectory.

    Reference: the same rule without a device, in the same network (exact equality).
    """
    pre, post, rng = _random_network(f"bitid_{name}")
    w0 = rng.uniform(0.2, 0.8, 12)
    make = RULES[name]
    bare = make(None).attach(pre, post, connect={"condition": "i == j"}, w=w0,
                             name=f"bitid_{name}_bare")
    dev = make(Memristor(G_min=2 * uS, G_max=50 * uS)).attach(
        pre, post, connect={"condition": "i == j"}, w=w0, name=f"bitid_{name}_dev")
    m_bare, m_dev = (StateMonitor(S, "w", record=True, name=f"{S.name}_mon")
                     for S in (bare, dev))
    Network(pre, post, bare, dev, m_bare, m_dev).run(410 * ms)
    assert not np.array_equal(m_bare.w[:, -1], w0), f"{name}: weights never changed"
    assert np.array_equal(m_bare.w[:], m_dev.w[:]), f"{name}: trajectories differ"
    # the conductance map G = G_min + (w - w_min)/(w_max - w_min)*(G_max - G_min)
    g = np.asarray(dev.G_mem[:] / uS)
    np.testing.assert_allclose(g, 2 + dev.w[:] * 48, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_memristor_quantisation_keeps_weights_on_levels(rounding):
    """n_levels = 9: at every recorded step every weight is one of the device's 9 levels.

    Reference: levels w_lo + k (w_hi - w_lo)/8, per device (G_max varies by 10 %).
    """
    tag = f"quant_{rounding}"
    pre, post, rng = _random_network(tag, seed=5)
    dev = Memristor(n_levels=9, rounding=rounding, d2d={"G_max": 0.1}, nl_ltp=2.0)
    rules = [make(dev) for make in (RULES["pair"], RULES["ppx"])]
    syns = [r.attach(pre, post, connect={"condition": "i == j"}, w=rng.uniform(0.1, 0.9, 12),
                     seed=11, name=f"{tag}_{k}") for k, r in enumerate(rules)]
    mons = [StateMonitor(S, "w", record=True, name=f"{S.name}_mon") for S in syns]
    Network(pre, post, *syns, *mons).run(410 * ms)
    for S, mon in zip(syns, mons):
        lo, hi = S.mem_wlo[:][:, None], S.mem_whi[:][:, None]
        k = (mon.w[:] - lo) / (hi - lo) * 8
        assert np.all(np.abs(k - np.round(k)) < 1e-9), "a weight left the levels"
        assert np.all((k > -1e-9) & (k < 8 + 1e-9))
        assert len(np.unique(np.round(k[:, -1]))) > 1
        assert np.any(mon.w[:, -1] != mon.w[:, 0]), "quantisation froze every weight"


def test_memristor_stochastic_rounding_is_unbiased():
    """Stochastic rounding: the mean quantised change equals the analog change.

    Reference: analog Δx = Δw/(w_max - w_min) of one PairSTDP pair (closed form); the mean of
    n = 4000 rounded changes has standard error <= level/(2 sqrt(n)).
    """
    rule = PairSTDP(A_plus=0.013, A_minus=-0.01, tau_plus=20 * ms, tau_minus=20 * ms,
                    device=Memristor(n_levels=11, rounding="stochastic"))
    res = stdp_window(rule, [5.0] * ms, w0=0.5, n_devices=4000, seed=1)
    expected = float(rule.delta_w(res.delta_t, 0.5)[0])
    level = 0.1
    assert set(np.round(res.w[:, 0] / level).astype(int)) == {5, 6}
    se = level / 2 / np.sqrt(res.w.shape[0])
    assert abs(res.dw_mean[0] - expected) < SIGMAS * se, (res.dw_mean[0], expected)


def test_memristor_d2d_is_reproducible_and_has_its_spread():
    """Per-synapse parameters: same seed → identical, other seed → different; moments.

    Reference: the log-normal draw has mean = nominal and relative std = d2d (4-sigma bounds
    for n = 5000: std of the mean σ/√n, of the std σ/√(2n) approximately).
    """
    src = NeuronGroup(1, "v : 1", threshold="v > 1")
    dst = NeuronGroup(5000, "v : 1", threshold="v > 1")
    dev = Memristor(G_min=10 * uS, G_max=100 * uS, nl_ltp=1.0, nl_ltd=-1.0, c2c=0.01,
                    drift="exponential", read_noise=0.05,
                    d2d={"G_min": 0.2, "G_max": 0.1, "nl_ltp": 0.5, "nl_ltd": 0.3,
                         "c2c": 0.3, "drift_tau": 0.2, "read_noise": 0.1})
    rule = NanocompositeSTDP(device=dev)
    names = ["mem_wlo", "mem_whi", "mem_nlp", "mem_nld", "mem_c2c", "mem_tau", "mem_read"]

    def draw(seed):
        S = rule.attach(src, dst, w=0.5, seed=seed)
        return {n: np.asarray(getattr(S, n)[:] / (second if n == "mem_tau" else 1))
                for n in names}

    a, b, c = draw(42), draw(42), draw(43)
    for n in names:
        assert np.array_equal(a[n], b[n]), f"{n}: same seed gave different draws"
        assert not np.any(a[n] == c[n]), f"{n}: another seed gave equal draws"
    n = 5000
    # G_max in weight units: w_hi = (G_max - 10 uS)/(90 uS) -> G_max = 10 uS + 90 uS*w_hi
    gmax = 10 + 90 * a["mem_whi"]
    assert abs(gmax.mean() - 100) < SIGMAS * 10 / np.sqrt(n)
    assert abs(gmax.std() / 100 - 0.1) < SIGMAS * 0.1 / np.sqrt(2 * n) * 1.5
    assert abs(a["mem_nlp"].mean() - 1.0) < SIGMAS * 0.5 / np.sqrt(n)
    assert abs(a["mem_nlp"].std() - 0.5) < SIGMAS * 0.5 / np.sqrt(2 * n)
    assert abs(a["mem_tau"].mean() - 1000) < SIGMAS * 200 / np.sqrt(n)
    assert np.all(a["mem_c2c"] > 0) and np.all(a["mem_read"] > 0)


@pytest.mark.parametrize("mode", ["absolute", "relative"])
def test_memristor_c2c_noise_has_configured_std(mode):
    """c2c = 0.02, one update per device: the residual against the ideal update is Gaussian.

    Reference: Δx_ideal = Δw/(w_max - w_min) from the rule's closed form; residual
    ~ N(0, 0.02²) ('absolute') or N(0, (0.02·Δx_ideal)²) ('relative'); n = 4000 devices,
    4-sigma bounds on mean (σ/√n) and std (σ/√(2(n-1))).
    """
    rule = NanocompositeSTDP(device=Memristor(c2c=0.02, c2c_mode=mode))
    res = stdp_window(rule, [-8.0, 12.0, 150.0] * ms, w0=0.5, n_devices=4000, seed=3)
    ideal = rule.delta_w(res.delta_t, 0.5)
    resid = res.dw - ideal[None, :]
    n = resid.shape[0]
    for k in range(2):
        sigma = 0.02 if mode == "absolute" else 0.02 * abs(ideal[k])
        assert abs(resid[:, k].mean()) < SIGMAS * sigma / np.sqrt(n)
        assert abs(resid[:, k].std(ddof=1) - sigma) < SIGMAS * sigma / np.sqrt(2 * (n - 1))
    if mode == "relative":  # a (near) zero update gets (near) zero noise
        assert np.abs(resid[:, 2]).max() < 1e-9


def test_memristor_nonlinear_and_soft_bound_updates_follow_their_curves():
    """One potentiation and one depression on NeuroSim's curves and with soft bounds.

    Reference: x(p) = (1 - exp(-ν p))/(1 - exp(-ν)) (potentiation from x0 = x(p0) lands on
    x(p0 + Δp)); depression mirrors it; soft bounds: Δx = Δp(1 - x) and Δp·x.
    """
    nu_p, nu_d = 3.0, 2.0
    base = dict(A_plus=0.1, A_minus=-0.08, tau_plus=20 * ms, tau_minus=20 * ms)
    nonlin = PairSTDP(**base, device=Memristor(nl_ltp=nu_p, nl_ltd=nu_d))
    soft = PairSTDP(**base, device=Memristor(soft_bounds=True))
    dts = [-5.0, 5.0] * ms
    w0 = 0.3
    r_nl = stdp_window(nonlin, dts, w0=w0)
    r_sb = stdp_window(soft, dts, w0=w0)
    dp = PairSTDP(**base).delta_w(r_nl.delta_t, w0)  # requested changes (range 1)

    def curve(p, nu):
        return (1 - np.exp(-nu * p)) / (1 - np.exp(-nu))

    def inverse(x, nu):
        return -np.log(1 - x * (1 - np.exp(-nu))) / nu

    up = curve(inverse(w0, nu_p) + dp[1], nu_p)
    down = 1 - curve(inverse(1 - w0, nu_d) - dp[0], nu_d)
    np.testing.assert_allclose(r_nl.w[0], [down, up], rtol=1e-12)
    np.testing.assert_allclose(r_sb.w[0], [w0 + dp[0] * w0, w0 + dp[1] * (1 - w0)], rtol=1e-12)


def test_memristor_stuck_devices_never_change():
    """p_stuck_min = p_stuck_max = 0.25: stuck devices sit at their bound for the whole run.

    Reference: a stuck device's weight is the device's w_lo (resp. w_hi) at every step; the
    stuck fraction is binomial (4-sigma bound); working devices do change.
    """
    pre, post, rng = _random_network("stuck", n=400, seed=9, n_ms=300, p=0.05)
    dev = Memristor(p_stuck_min=0.25, p_stuck_max=0.25, drift="exponential",
                    drift_tau=50 * ms, c2c=0.01)
    S = RULES["pair"](dev).attach(pre, post, connect={"condition": "i == j"}, w=0.5, seed=4,
                                  name="stuck_synapses")
    mon = StateMonitor(S, ["w", "w_now"], record=True, name="stuck_mon")
    Network(pre, post, S, mon).run(310 * ms)
    ok = S.mem_ok[:].astype(bool)
    stuck = ~ok
    p = 0.5
    assert abs(stuck.mean() - p) < SIGMAS * np.sqrt(p * (1 - p) / ok.size)
    w = mon.w[:]
    assert np.all(w[stuck] == w[stuck][:, :1]), "a stuck device changed"
    assert np.all(mon.w_now[:][stuck] == w[stuck]), "a stuck device drifted"
    at_bound = np.isin(w[stuck, 0], [0.0, 1.0])
    assert at_bound.all()
    assert np.mean(np.any(w[ok] != w[ok][:, :1], axis=1)) > 0.9


@pytest.mark.parametrize("kind", ["exponential", "power-law"])
def test_memristor_drift_follows_closed_form(kind):
    """Drift of a device programmed at t = 0 and again by one pairing at t = 30 ms.

    Reference: exponential G(t) = G_rest + (G_prog - G_rest) exp(-(t - t_prog)/tau);
    power law G(t) = G_prog (max(t - t_prog, t0)/t0)^-nu; the transmission at 60 ms reads
    the drifted weight; the pairing adds Δw to the weight drifted up to 30 ms.
    """
    dev = Memristor(G_min=10 * uS, G_max=100 * uS, drift=kind, drift_tau=40 * ms,
                    drift_nu=0.2, drift_t0=5 * ms)
    rule = PairSTDP(A_plus=0.1, A_minus=-0.1, tau_plus=20 * ms, tau_minus=20 * ms, device=dev)
    pre = SpikeGeneratorGroup(2, [0, 0, 1], [20, 60, 60] * ms)
    post = NeuronGroup(2, "x : 1\nspike_at : second (constant)",
                       threshold="timestep(t, dt) == timestep(spike_at, dt)")
    post.spike_at = [30, 1000] * ms
    S = rule.attach(pre, post, connect={"condition": "i == j"}, w=0.6, on_pre="x_post += w")
    mon = StateMonitor(S, "w_now", record=True)
    Network(pre, post, S, mon).run(80 * ms)
    t = np.asarray(mon.t / second)
    w_zero = -10 / 90  # weight at G = 0

    def drift(w, age):
        if kind == "exponential":
            return 0.0 + (w - 0.0) * np.exp(-age / 0.04)
        return w_zero + (w - w_zero) * np.maximum(age, 0.005) ** -0.2 / 0.005 ** -0.2

    # synapse 1: never programmed after t = 0
    np.testing.assert_allclose(mon.w_now[1], drift(0.6, t), rtol=1e-12)
    # synapse 0: pre at 20 ms (no post before: no change, no reprogramming), post at 30 ms:
    # potentiation; pre at 60 ms: depression with the post at 30 ms (the monitor records at
    # the start of a step, before that step's synaptic events)
    w30 = drift(0.6, 0.030) + 0.1 * np.exp(-10 / 20)
    w60 = drift(w30, 0.030) - 0.1 * np.exp(-30 / 20)
    first = t <= 0.030 + 1e-9
    second_ = (t > 0.030 + 1e-9) & (t <= 0.060 + 1e-9)
    third = t > 0.060 + 1e-9
    np.testing.assert_allclose(mon.w_now[0][first], drift(0.6, t[first]), rtol=1e-12)
    np.testing.assert_allclose(mon.w_now[0][second_], drift(w30, t[second_] - 0.030),
                               rtol=1e-12)
    np.testing.assert_allclose(mon.w_now[0][third], drift(w60, t[third] - 0.060), rtol=1e-12)
    # transmissions at 60 ms read the drifted weights (synapse 0 also at 20 ms)
    got = np.asarray(post.x[:])
    np.testing.assert_allclose(got, [drift(0.6, 0.020) + drift(w30, 0.030), drift(0.6, 0.060)],
                               rtol=1e-12)


def test_memristor_read_noise_has_configured_std():
    """read_noise = 0.1: transmitted weight w + 0.1·ξ·(w - w(G=0)) over n = 4000 synapses.

    Reference: G_read = G(1 + 0.1 ξ); 4-sigma bounds on mean and std.
    """
    n = 4000
    dev = Memristor(G_min=10 * uS, G_max=100 * uS, read_noise=0.1)
    rule = PairSTDP(device=dev)
    pre = SpikeGeneratorGroup(1, [0], [1] * ms)
    post = SpikeGeneratorGroup(n, [], [] * ms)
    target = NeuronGroup(n, "x : 1")
    S = rule.attach(pre, target, w=0.5, on_pre="x_post += w")
    net = Network(pre, post, target, S)
    net.run(3 * ms)
    sigma = 0.1 * (0.5 + 10 / 90)
    got = np.asarray(target.x[:]) - 0.5
    assert abs(got.mean()) < SIGMAS * sigma / np.sqrt(n)
    assert abs(got.std(ddof=1) - sigma) < SIGMAS * sigma / np.sqrt(2 * (n - 1))
    assert np.all(S.w[:] == 0.5), "reading changed the stored weight"


# -- programming events and drift --------------------------------------------------------------
def _drift_run(rule, pre_times, post_times, n_devices=1, tag="drift", seed=1):
    """One pre and one post generator (one synapse per device), w0 = 0.75, 120 ms; the
    monitor records ``w_now`` every step (at the start of the step, before its events)."""
    gc.collect()
    pre = SpikeGeneratorGroup(1, np.zeros(len(pre_times), int), pre_times * ms,
                              name=f"{tag}_pre")
    post = SpikeGeneratorGroup(1, np.zeros(len(post_times), int), post_times * ms,
                               name=f"{tag}_post")
    S = rule.attach(pre, post, connect={"n": n_devices}, w=0.75, seed=seed, name=f"{tag}_syn")
    mon = StateMonitor(S, ["w", "w_now"], record=True, name=f"{tag}_mon")
    Network(pre, post, S, mon).run(120 * ms)
    return np.asarray(mon.t / second), mon.w_now[:], mon.w[:]


@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_drifted_level_never_rises_under_a_tiny_depression(backend, rounding):
    """The issue's reproduction: n_levels = 5, exponential drift τ = 100 ms, w0 = 0.75; a
    depression pair at 50 ms (post at 0.5 ms) requests Δw = -1e-3·e^{-49.5/20} = -8.4e-5
    while the read weight has drifted to 0.75·e^{-0.5} = 0.455. It used to jump UP to the
    level 0.5 (the drifted state was rounded and re-programmed).

    Reference: the request is 3.4e-4 of a pulse (one level = 0.25). 'nearest': no pulse, no
    programming event: w_now = 0.75 e^{-t/τ} for the whole run (1e-12), w stays 0.75.
    'stochastic' (6 000 devices): a device gets one pulse with probability 3.4e-4; with it
    the state goes down one level from 0.455 to the level 0.25 (nearest to 0.205, not above
    the start), then drifts from there. Every device's w_now never increases.
    """
    sl.seed(13)
    dev = Memristor(n_levels=5, rounding=rounding, drift="exponential", drift_tau=100 * ms)
    rule = PairSTDP(A_plus=0.001, A_minus=-0.001, pairing="nn_symm", device=dev)
    assert abs(float(rule.delta_w(-49.5 * ms, 0.455)) + 8.4e-5) < 0.1e-5
    n = 1 if rounding == "nearest" else 6000
    t, w_now, w = _drift_run(rule, np.array([50.0]), np.array([0.5]), n, f"tiny_{rounding}")
    assert np.all(np.diff(w_now, axis=1) <= 0), "a read weight rose"
    free = 0.75 * np.exp(-t / 0.1)
    programmed = np.any(w != 0.75, axis=1)
    if rounding == "nearest":
        assert not programmed.any()
    assert programmed.sum() <= 10  # expected 2.0 of 6 000 (Poisson); P(> 10) ~ 1e-5
    np.testing.assert_allclose(w_now[~programmed], np.broadcast_to(free, w_now[~programmed].shape),
                               rtol=1e-12)
    after = t > 0.050 + 1e-9
    for row in w_now[programmed]:
        np.testing.assert_allclose(row[after], 0.25 * np.exp(-(t[after] - 0.050) / 0.1),
                                   rtol=1e-12)


def test_drift_of_a_programmed_level_follows_its_closed_form(backend):
    """A whole pulse from a drifted state: the device lands on a level and drifts from it.

    Reference (n_levels = 5, τ = 100 ms, w0 = 0.75, rule A± = ±0.3, τ± = 20 ms, one level
    per pulse): synapse 0, post at 45 ms and pre at 50 ms, requests -0.3 e^{-1/4} = -0.23
    = 0.93 level, one pulse: from 0.75 e^{-0.5} = 0.455 (level 1.82) to 0.205, the nearest
    level 0.25, then w_now = 0.25 e^{-(t - 50 ms)/τ}; synapse 1, pre at 50 ms and post at
    55 ms: one pulse up from 0.75 e^{-0.55} = 0.433 to the level 0.75, then
    0.75 e^{-(t - 55 ms)/τ}. Before: 0.75 e^{-t/τ}. Tolerance 1e-12.
    """
    dev = Memristor(n_levels=5, drift="exponential", drift_tau=100 * ms)
    rule = PairSTDP(A_plus=0.3, A_minus=-0.3, pairing="nn_symm", device=dev)
    gc.collect()
    pre = SpikeGeneratorGroup(2, [0, 1], [50, 50] * ms, name="level_pre")
    post = SpikeGeneratorGroup(2, [0, 1], [45, 55] * ms, name="level_post")
    S = rule.attach(pre, post, connect={"condition": "i == j"}, w=0.75, name="level_syn")
    mon = StateMonitor(S, "w_now", record=True, name="level_mon")
    Network(pre, post, S, mon).run(120 * ms)
    t = np.asarray(mon.t / second)
    for k, (t_prog, level) in enumerate([(0.050, 0.25), (0.055, 0.75)]):
        before = t <= t_prog + 1e-9
        np.testing.assert_allclose(mon.w_now[k][before], 0.75 * np.exp(-t[before] / 0.1),
                                   rtol=1e-12)
        np.testing.assert_allclose(mon.w_now[k][~before],
                                   level * np.exp(-(t[~before] - t_prog) / 0.1), rtol=1e-12)
    np.testing.assert_array_equal(S.w[:], [0.25, 0.75])
    np.testing.assert_allclose(np.asarray(S.mem_tprog[:] / ms), [50, 55], rtol=1e-12)


@pytest.mark.parametrize("direction", ["depression", "potentiation"])
def test_a_level_event_never_ends_past_its_start(direction):
    """n_levels = 5 with steps of a fifth of a level (up_down = ±0.8) from drifted states.

    Reference (τ = 100 ms, w0 = 0.75, one pulse per pair): depression at 5.5 ms from
    0.75 e^{-0.055} = 0.710 (2.84 levels) by 0.2 level to 2.64 levels, whose nearest level
    3 (0.75) is above the start: the event ends on level 2 (0.5) instead. Potentiation at
    35 ms from 0.75 e^{-0.35} = 0.529 (2.11 levels) to 2.31 levels, nearest level 2 (0.5)
    below the start: the event ends on level 3 (0.75). Then w_now = level·e^{-(t - t_prog)/τ}
    (1e-12), and the read weight moves in the pair's direction at the event.
    """
    down = direction == "depression"
    dev = Memristor(n_levels=5, up_down=0.8 if down else -0.8, drift="exponential",
                    drift_tau=100 * ms)
    rule = PairSTDP(A_plus=0.3, A_minus=-0.3, pairing="nn_symm", device=dev)
    pre, post = (np.array([5.5]), np.array([0.5])) if down else (np.array([30.0]),
                                                                  np.array([35.0]))
    t, w_now, w = _drift_run(rule, pre, post, tag=f"guard_{direction}")
    t_prog, level = (0.0055, 0.5) if down else (0.035, 0.75)
    after = t > t_prog + 1e-9
    np.testing.assert_allclose(w_now[0][~after], 0.75 * np.exp(-t[~after] / 0.1), rtol=1e-12)
    np.testing.assert_allclose(w_now[0][after], level * np.exp(-(t[after] - t_prog) / 0.1),
                               rtol=1e-12)
    jump = w_now[0][after][0] - w_now[0][~after][-1]
    assert (jump < 0) if down else (jump > 0)
    assert w[0, -1] == level


@pytest.mark.parametrize("kwargs, match", [
    (dict(G_min=10 * uS, G_max=5 * uS), "G_max must be larger"),
    (dict(G_max=5 * ms), "siemens"),
    (dict(n_levels=1), r"n_levels must be an integer >= 2, got 1$"),
    (dict(n_levels=2.5), r"n_levels must be an integer >= 2, got 2.5$"),
    (dict(dw_min=-0.01), r"dw_min .*must be in \(0.0, 1.0\], got -0.01$"),
    (dict(dw_min=0.0), r"dw_min .*must be in \(0.0, 1.0\], got 0.0$"),
    (dict(dw_min=1.5), r"dw_min .*must be in \(0.0, 1.0\], got 1.5$"),
    (dict(dw_min=0.1, n_levels=5), r"n_levels=5 already sets the pulse.*dw_min=0.1"),
    (dict(rounding="up"), r"rounding must be one of 'nearest', 'stochastic', got 'up'$"),
    (dict(rounding="stochastic"), r"rounding='stochastic' .* analog; set dw_min"),
    (dict(dw_min_std=0.1), r"dw_min_std=0.1 is the noise of one pulse.*analog"),
    (dict(dw_min=0.01, dw_min_std=-0.1), r"dw_min_std must be in \[0.0, inf\), got -0.1$"),
    (dict(dw_min=0.01, dw_min_std_mode="mult"),
     r"dw_min_std_mode must be one of 'multiplicative', 'additive', got 'mult'$"),
    (dict(up_down=1.0), r"up_down must be in \(-1.0, 1.0\), got 1.0$"),
    (dict(c2c_mode="rel"), r"c2c_mode must be one of 'relative', 'absolute', got 'rel'$"),
    (dict(soft_bounds=True, nl_ltp=1.0), "choose one"),
    (dict(d2d={"G_maxx": 0.1}), r"unknown parameter 'G_maxx'; allowed: G_min, G_max"),
    (dict(d2d={"c2c": 0.1}), "feature is off"),
    (dict(d2d={"dw_min": 0.1}), r"d2d\['dw_min'\] = 0.1 but that feature is off.*dw_min"),
    (dict(d2d={"up_down": -0.1}), r"d2d\['up_down'\] must be in \[0.0, inf\), got -0.1$"),
    (dict(p_stuck_min=0.7, p_stuck_max=0.5), "<= 1"),
    (dict(p_stuck_min=-0.1), r"p_stuck_min .*must be in \[0.0, 1.0\], got -0.1$"),
    (dict(p_stuck_max=1.2), r"p_stuck_max .*must be in \[0.0, 1.0\], got 1.2$"),
    (dict(drift="linear"), r"drift must be None, 'exponential' or 'power-law', got 'linear'$"),
    (dict(drift_tau=-5 * ms), r"drift_tau must be positive \(e.g. 20\*ms\), got -5"),
    (dict(c2c=-0.1), r"c2c must be in \[0.0, inf\), got -0.1$"),
    (dict(levels=4), "unexpected keyword argument 'levels'"),
])
def test_memristor_rejects_bad_parameters(kwargs, match):
    """Every message names the argument, the value given and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        Memristor(**kwargs)


def test_memristor_parameters_stay_valid_after_construction():
    """Setting a parameter re-runs the constructor's checks; a failed set changes nothing."""
    dev = Memristor(dw_min=0.01, soft_bounds=True)
    before = repr(dev)
    for name, value, match in [("dw_min", -0.01, r"dw_min .*got -0.01"),
                               ("n_levels", 8, "already sets the pulse"),
                               ("p_stuck_min", 1.5, r"p_stuck_min .*got 1.5"),
                               ("nl_ltp", 1.0, "choose one"),
                               ("rounding", "up", "rounding must be one of")]:
        with pytest.raises(ValueError, match=match):
            setattr(dev, name, value)
        assert repr(dev) == before, name
    with pytest.raises(AttributeError, match="'levels' is not a parameter"):
        dev.levels = 4
    dev.dw_min = 0.05
    assert dev.dw_min == 0.05 and dev.step == 0.05
    dev.dw_min = None
    dev.n_levels = 9
    assert dev.step == 0.125 and dev.pulsed


def test_memristor_rejects_a_nonpositive_drawn_step():
    """d2d['up_down'] so wide that some device's down step would be <= 0: initialisation
    raises, naming the device and the fix."""
    dev = Memristor(dw_min=0.01, up_down=0.9, d2d={"up_down": 0.5})
    src = NeuronGroup(1, "v : 1", threshold="v > 1")
    dst = NeuronGroup(200, "v : 1", threshold="v > 1")
    with pytest.raises(ValueError, match=r"drew a pulse step <= 0 .*d2d\['up_down'\]"):
        PairSTDP(device=dev).attach(src, dst, w=0.5, seed=1)
