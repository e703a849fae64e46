"""Pulse-based memristor updates: pulse counts, per-pulse noise, asymmetry, device spread.

References: the closed forms of ``docs/devices.md`` (and the docstring of
:class:`spikeloom.models.devices.Memristor`), evaluated in NumPy:

* a request Δp becomes n = floor(|Δp|/dw_min + 1/2) pulses ('nearest') or
  n = floor(|Δp|/dw_min + u), u ~ U[0, 1) ('stochastic': E[n] dw_min = |Δp|,
  Var[n] = f(1 - f) with f the fractional part of |Δp|/dw_min);
* constant step: x_n = x_0 ± n·s; soft bounds: 1 - x_n = (1 - x_0)(1 - s)^n up,
  x_n = x_0 (1 - s)^n down; NeuroSim curve x(p) = (1 - e^{-νp})/(1 - e^{-ν}) advanced by n·s;
* per-pulse noise σ: Var = n (s σ)² (multiplicative) or n (σ dw_min)² (additive) for the
  constant step; σ_a² Σ_{k<n} (1 - s)^{2k} (soft bounds, additive); for soft bounds with
  multiplicative noise the exact moments of b·Π_k(1 - s(1 + σ ξ_k));
* steps s_up = dw_min (1 + min(ud, 0) + r), s_down = dw_min (1 - max(ud, 0) - r) (aihwkit's
  ``up_down``, ``up_down_dtod``), dw_min log-normal per device.

Statistical checks use 4-sigma bounds (two-sided false-alarm probability ~6e-5 per check)
from the sample size: the standard error of a mean is σ/√N, that of a sample variance
sqrt((μ4 - σ⁴)/N) (2σ⁴/(N - 1) for a Gaussian).
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Network, SpikeGeneratorGroup, StateMonitor, ms, second
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import PairSTDP, stdp_window

SIGMAS = 4.0
N_DEVICES = 10_000
TAU = 20 * ms


def _rule(device, A=0.4):
    """Additive pair STDP: a pair at Δt requests Δw = ±A exp(-|Δt|/20 ms)."""
    return PairSTDP(A_plus=A, A_minus=-A, tau_plus=TAU, tau_minus=TAU, device=device)


def _request(res, A=0.4):
    """Signed request Δp of each Δt (the weight range is [0, 1])."""
    dt = np.asarray(res.delta_t / second)
    return np.sign(dt) * A * np.exp(-np.abs(dt) / float(TAU / second))


def _check_moments(x, mean, var, mu4=None, label=""):
    """Sample mean and variance of ``x`` within 4 standard errors of the closed forms."""
    n = x.size
    assert abs(x.mean() - mean) <= SIGMAS * np.sqrt(var / n) + 1e-15, (label, x.mean(), mean)
    mu4 = 3 * var**2 if mu4 is None else mu4  # Gaussian unless given
    se_var = np.sqrt((mu4 - var**2 * (n - 3) / (n - 1)) / n)
    assert abs(x.var(ddof=1) - var) <= SIGMAS * se_var, (label, x.var(ddof=1), var)


# -- pulse counts --------------------------------------------------------------------------------
def test_nearest_pulse_rounding_gives_whole_pulses():
    """'nearest': Δx = sign(Δp)·dw_min·floor(|Δp|/dw_min + 1/2) on every device, exactly.

    Reference: the pulse count in closed form; requests of 0.4 (lost), 1.5, 2.4 and -1.9
    pulses (dw_min = 0.02, constant step, noise off).
    """
    dev = Memristor(dw_min=0.02)
    # q = 20 exp(-|Δt|/20 ms) pulses: Δt = 77.9 -> 0.41, 51.5 -> 1.53, 42.4 -> 2.40, -46 -> 2.0
    res = stdp_window(_rule(dev), [77.9, 51.5, 42.4, -46.0] * ms, w0=0.5, n_devices=3)
    dp = _request(res)
    n = np.floor(np.abs(dp) / 0.02 + 0.5)
    assert list(n) == [0, 2, 2, 2]
    np.testing.assert_allclose(res.dw, np.broadcast_to(np.sign(dp) * 0.02 * n, res.dw.shape),
                               rtol=1e-12, atol=1e-15)


def test_stochastic_pulse_rounding_has_its_closed_form_mean_and_variance(backend):
    """'stochastic': n = floor(q) + Bernoulli(f) pulses, q = |Δp|/dw_min, f = q - floor(q).

    Reference: E[Δx] = Δp (unbiased), Var[Δx] = dw_min² f(1 - f), centred fourth moment
    dw_min⁴ f(1 - f)(1 - 3f(1 - f)); N = 10 000 devices per Δt.
    """
    sl.seed(2)
    dw = 0.02
    dev = Memristor(dw_min=dw, rounding="stochastic")
    res = stdp_window(_rule(dev), [3.0, 30.0, 80.0, -15.0] * ms, w0=0.5, n_devices=N_DEVICES,
                      seed=2)
    dp = _request(res)
    q = np.abs(dp) / dw
    for k in range(dp.size):
        f = q[k] - np.floor(q[k])
        assert 0.1 < f < 0.9, f  # both outcomes are frequent
        pulses = np.round(res.dw[:, k] / dw * np.sign(dp[k]))
        assert set(pulses.astype(int)) == {int(np.floor(q[k])), int(np.floor(q[k])) + 1}
        np.testing.assert_allclose(res.dw[:, k], np.sign(dp[k]) * dw * pulses, atol=1e-14)
        var = dw**2 * f * (1 - f)
        mu4 = dw**4 * f * (1 - f) * (1 - 3 * f * (1 - f))
        _check_moments(res.dw[:, k], dp[k], var, mu4, f"Δt #{k}")


# -- per-pulse noise ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["multiplicative", "additive"])
def test_pulse_noise_variance_grows_linearly_with_pulse_count(backend, mode):
    """One event of n = 1, 4, 16, 64 pulses per device: Var[Δx] = n·σ1², E[Δx] = n·s.

    Reference: constant step with up_down = -0.4, so the up step is s = 0.6 dw_min;
    σ1 = dw_min_std·s (multiplicative) or dw_min_std·dw_min (additive: independent of the
    step). N = 10 000 devices per pulse count; the noise of each pulse is independent, so
    the spread grows like sqrt(n).
    """
    sl.seed(7)
    dw, sigma = 0.005, 0.3
    dev = Memristor(dw_min=dw, dw_min_std=sigma, dw_min_std_mode=mode, up_down=-0.4)
    # q = 80 exp(-Δt/20 ms): 87.6 ms -> 1.00, 60 -> 3.98, 32 -> 16.2, 4.5 -> 63.9 pulses
    res = stdp_window(_rule(dev), [87.6, 60.0, 32.0, 4.5] * ms, w0=0.3, n_devices=N_DEVICES,
                      seed=7)
    n = np.floor(np.abs(_request(res)) / dw + 0.5)
    assert list(n) == [1, 4, 16, 64]
    s = 0.6 * dw
    sigma1 = sigma * (s if mode == "multiplicative" else dw)
    for k in range(n.size):
        _check_moments(res.dw[:, k], n[k] * s, n[k] * sigma1**2, label=f"n={n[k]}")
    # and the fitted slope of Var against n is σ1² (the four points on one line)
    var = res.dw.var(axis=0, ddof=1)
    slope = np.sum(var * n) / np.sum(n * n)
    assert abs(slope / sigma1**2 - 1) < SIGMAS * np.sqrt(2 / (N_DEVICES - 1))


@pytest.mark.parametrize("mode", ["multiplicative", "additive"])
def test_soft_bounds_pulse_noise_has_its_closed_form_moments(mode):
    """Soft bounds, one event of n pulses up (and down) with per-pulse noise.

    Reference: with b the distance to the bound approached and s the step,
    multiplicative: E[b_n] = b(1 - s)^n, E[b_n²] = b²((1 - s)² + s²σ²)^n (exact moments of
    the product of n noisy pulses); additive (σ_a = σ dw_min): E[b_n] = b(1 - s)^n,
    Var = σ_a² (1 - (1 - s)^{2n})/(1 - (1 - s)²). N = 10 000 devices.
    """
    sl.seed(3)
    dw, sigma = 0.05, 0.4
    dev = Memristor(dw_min=dw, dw_min_std=sigma, dw_min_std_mode=mode, soft_bounds=True)
    # q = 8 exp(-|Δt|/20 ms) pulses: 5.2 ms -> 6.2, -20 ms -> 2.9
    res = stdp_window(_rule(dev), [5.2, -20.0] * ms, w0=0.4, n_devices=N_DEVICES, seed=3)
    n = np.floor(np.abs(_request(res)) / dw + 0.5)
    assert list(n) == [6, 3]
    for k, b0 in ((0, 1 - 0.4), (1, 0.4)):
        r = (1 - dw) ** n[k]
        if mode == "multiplicative":
            var = b0**2 * (((1 - dw) ** 2 + (dw * sigma) ** 2) ** n[k] - r**2)
        else:
            var = (sigma * dw) ** 2 * (1 - r**2) / (1 - (1 - dw) ** 2)
        sign = 1 if k == 0 else -1
        _check_moments(res.dw[:, k], sign * b0 * (1 - r), var, label=f"{mode} #{k}")


# -- N up then N down -----------------------------------------------------------------------------
def _up_then_down(device, n, w0, seed=1, n_devices=1, tag="updown"):
    """n pairings with Δt = +5 ms, then n with Δt = -5 ms (one per 50 ms): the weight after
    each pairing (rows: devices). PairSTDP (nn_symm, τ = 5 ms) requests
    0.06 e^{-1} = 0.022 ~ 1 pulse of 0.02 per pairing; the cross pairs (|Δt| = 45 ms)
    request 0.06 e^{-9} < 1e-5, far below half a pulse."""
    gc.collect()
    period, n_pairs = 50.0, 2 * n
    base = 20.0 + period * np.arange(n_pairs)
    sign = np.where(np.arange(n_pairs) < n, 1.0, -1.0)
    pre_t, post_t = base, base + 5.0 * sign
    pre = SpikeGeneratorGroup(1, np.zeros(n_pairs, int), pre_t * ms, name=f"{tag}_pre")
    post = SpikeGeneratorGroup(1, np.zeros(n_pairs, int), post_t * ms, name=f"{tag}_post")
    rule = PairSTDP(A_plus=0.06, A_minus=-0.06, tau_plus=5 * ms, tau_minus=5 * ms,
                    pairing="nn_symm", device=device)
    S = rule.attach(pre, post, connect={"n": n_devices}, w=w0, seed=seed, name=f"{tag}_syn")
    mon = StateMonitor(S, "w", record=True, dt=1 * ms, name=f"{tag}_mon")
    Network(pre, post, S, mon).run((base[-1] + period) * ms)
    t = np.asarray(mon.t / ms)
    after = [np.flatnonzero(t >= b + 25.0)[0] for b in base]  # 20 ms after both spikes
    return S, mon.w[:][:, after]


@pytest.mark.parametrize("model", ["constant", "soft_bounds", "curve"])
def test_n_up_then_n_down_pulses_follow_the_closed_form(backend, model):
    """20 single-pulse potentiations then 20 depressions, noise off, up_down = 0.3.

    Reference: steps s_up = 0.02, s_down = 0.02·(1 - 0.3) = 0.014; constant step
    x_k = min(x_0 + k s_up, 1) then max(x_N - j s_down, 0); soft bounds
    1 - x_k = (1 - x_0)(1 - s_up)^k then x_N (1 - s_down)^j; NeuroSim curve (ν = 2 up,
    1.5 down) advanced by s per pulse. Tolerance 1e-12.
    """
    kwargs = {"soft_bounds": True} if model == "soft_bounds" else (
        {"nl_ltp": 2.0, "nl_ltd": 1.5} if model == "curve" else {})
    x0, n = 0.75, 20
    dev = Memristor(dw_min=0.02, up_down=0.3, **kwargs)
    _, w = _up_then_down(dev, n, x0)
    s_up, s_dn = 0.02, 0.014
    k = np.arange(1, n + 1)
    if model == "constant":
        up = np.minimum(x0 + k * s_up, 1.0)  # reaches the top after 13 pulses, then sticks
        down = np.maximum(up[-1] - k * s_dn, 0.0)
    elif model == "soft_bounds":
        up = 1 - (1 - x0) * (1 - s_up) ** k
        down = up[-1] * (1 - s_dn) ** k
    else:
        def curve(p, nu):
            return (1 - np.exp(-nu * p)) / (1 - np.exp(-nu))

        def inverse(x, nu):
            return -np.log(1 - x * (1 - np.exp(-nu))) / nu

        up = np.array([curve(min(inverse(x0, 2.0) + j * s_up, 1.0), 2.0) for j in k])
        down = 1 - np.array([curve(min(inverse(1 - up[-1], 1.5) + j * s_dn, 1.0), 1.5)
                             for j in k])
    np.testing.assert_allclose(w[0], np.concatenate([up, down]), rtol=1e-12, atol=1e-14)


def test_device_spread_of_step_and_asymmetry():
    """d2d['dw_min'] = 0.2, d2d['up_down'] = 0.05 over 5 000 devices.

    Reference: per device s_up = dw_min g (1 + r), s_down = dw_min g (1 - r) (up_down = 0),
    g log-normal with mean 1 and std 0.2, r ~ N(0, 0.05²) (aihwkit's dw_min_dtod and
    up_down_dtod); 4-sigma bounds. Each device then follows its own constant-step
    trajectory: 5 pulses up, 5 down, x = x0 + 5 s_up - 5 s_down (1e-12). The same seed
    draws the same devices, another seed other ones.
    """
    dev = Memristor(dw_min=0.02, d2d={"dw_min": 0.2, "up_down": 0.05})
    S, w = _up_then_down(dev, 5, 0.4, seed=11, n_devices=5000)
    s_up, s_dn = np.asarray(S.mem_sup[:]), np.asarray(S.mem_sdn[:])
    g = (s_up + s_dn) / (2 * 0.02)
    r = (s_up - s_dn) / (s_up + s_dn)
    n = g.size
    assert abs(g.mean() - 1) < SIGMAS * 0.2 / np.sqrt(n)
    assert abs(g.std(ddof=1) - 0.2) < SIGMAS * 0.2 * np.sqrt(2 / (n - 1)) * 1.5  # log-normal
    assert abs(r.mean()) < SIGMAS * 0.05 / np.sqrt(n)
    assert abs(r.std(ddof=1) - 0.05) < SIGMAS * 0.05 * np.sqrt(2 / (n - 1))
    np.testing.assert_allclose(w[:, 4], 0.4 + 5 * s_up, rtol=1e-12)
    np.testing.assert_allclose(w[:, 9], 0.4 + 5 * s_up - 5 * s_dn, rtol=1e-12)
    # same seed, same devices; another seed, other devices
    S2, _ = _up_then_down(dev, 1, 0.4, seed=11, n_devices=5000, tag="updown2")
    assert np.array_equal(S2.mem_sup[:], s_up)
    S3, _ = _up_then_down(dev, 1, 0.4, seed=12, n_devices=5000, tag="updown3")
    assert not np.any(S3.mem_sup[:] == s_up)


def test_analog_asymmetry_scales_the_request():
    """Analog device (no pulses) with up_down = 0.5: a potentiation request is applied in
    full, a depression at 1 - 0.5 = half its size; d2d['up_down'] = 0.1 moves them by ±r
    per device.

    Reference: Δx = Δp (1 + min(ud, 0) + r) up, Δp (1 - max(ud, 0) - r) down, with r read
    back from the device's constants (mem_sup = 1 + r, mem_sdn = 1 - r); 1e-12.
    """
    res = stdp_window(_rule(Memristor(up_down=0.5), A=0.1), [-10.0, 10.0] * ms, w0=0.5)
    dp = _request(res, A=0.1)
    np.testing.assert_allclose(res.dw[0], [0.5 * dp[0], dp[1]], rtol=1e-12)
    # one device per synapse: a potentiation of 0.06 e^{-1}, a cross pair of 0.06 e^{-9}
    # (analog: applied too) and a depression of 0.06 e^{-1} (see _up_then_down)
    S, w = _up_then_down(Memristor(d2d={"up_down": 0.1}), 1, 0.5, seed=4, n_devices=50,
                         tag="analog_ud")
    s_up, s_dn = np.asarray(S.mem_sup[:]), np.asarray(S.mem_sdn[:])
    r = s_up - 1
    assert np.std(r) > 0.05
    np.testing.assert_allclose(s_dn, 1 - r, rtol=1e-12)
    big, cross = 0.06 * np.exp(-1), 0.06 * np.exp(-9)
    np.testing.assert_allclose(w[:, 0], 0.5 + big * s_up, rtol=1e-12)
    np.testing.assert_allclose(w[:, 1], 0.5 + (big + cross) * s_up - big * s_dn, rtol=1e-12)


def test_pulsed_device_gives_the_same_numbers_on_both_backends():
    """Every random draw of a pulsed device (stochastic pulse counts, per-pulse noise of both
    kinds, per-event noise, device spread, stuck faults, levels, drift) is the same on the
    Numba and the JAX backend for a seed.

    Reference: the Numba run; equal to 1e-13 relative (``**`` and ``exp`` of state variables
    may differ in the last bit between XLA and libm, see docs/backends.md).
    """
    pytest.importorskip("jax")
    devices = [
        Memristor(dw_min=0.01, rounding="stochastic", dw_min_std=0.3, soft_bounds=True,
                  up_down=0.1, d2d={"dw_min": 0.2, "up_down": 0.05, "G_max": 0.1},
                  drift="exponential", drift_tau=30 * ms, c2c=0.02, c2c_mode="absolute"),
        Memristor(n_levels=9, rounding="stochastic", dw_min_std=0.2,
                  dw_min_std_mode="additive", nl_ltp=2.0, nl_ltd=-1.0, p_stuck_min=0.1,
                  drift="power-law", drift_nu=0.1, drift_t0=2 * ms),
    ]
    out = {}
    for name in ("numba", "jax"):
        sl.start_scope()
        sl.set_device(name)
        sl.seed(21)
        out[name] = [stdp_window(_rule(dev, A=0.2), [-8.0, 3.0, 12.0] * ms, w0=0.5,
                                 n_pairs=3, period=40 * ms, n_devices=300, seed=5).w
                     for dev in devices]
    sl.set_device("numba")
    for a, b in zip(out["numba"], out["jax"]):
        assert np.std(a[:, 1]) > 0  # the noise is there
        np.testing.assert_allclose(b, a, rtol=1e-13, atol=1e-15)
