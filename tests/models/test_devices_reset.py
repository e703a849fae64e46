"""Reset, decay toward reset (lifetime), diffusion and corrupt devices of a Memristor.

References (docs/devices.md, *Reset, decay and diffusion*; aihwkit ``PulsedRPUDevice``:
``resetAtIndices``, ``decayWeights``, ``diffuseWeights``, ``populate``):

* reset: ``x = clip(reset_i + reset_std·ξ, 0, 1)`` of the device's range (nearest level with
  ``n_levels``), ``reset_i = reset + d2d['reset']·ξ'``; the device counts as programmed at
  the reset; stuck and corrupt devices are left alone;
* decay: ``w_now = w_r + (w - w_r) e^{-Δt/lifetime}`` (Δt since programming, w_r the reset
  weight), then drift (power law) of that state;
* diffusion: at each synaptic event the state takes a Gaussian step of variance
  ``diffusion²·Δt/(1 s)`` (fractions of the range, Δt since the synapse's last event); a
  programming event starts from the diffused state and makes it the programmed one;
* corrupt devices: a working device is corrupt with probability ``corrupt_devices_prob``,
  fixed at a uniform state in ``[0.5 - r, 0.5 + r]`` (r = ``corrupt_devices_range``).

Statistical checks: 4-sigma bounds from the sample size.
"""

from __future__ import annotations

import numpy as np
import pytest
from _memristor_probe import assert_same_on_both_backends, probe_synapses

import spikeloom as sl
from spikeloom import StateMonitor, ms, second, uS
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import PairSTDP

SIGMAS = 4.0
N = 10_000
NEVER = 1e6  # ms: a post spike that never comes


def _check_moments(x, mean, var, label, mu4=None):
    """Sample mean and variance within 4 standard errors (Gaussian fourth moment unless
    ``mu4`` is given)."""
    n = x.size
    assert abs(x.mean() - mean) < SIGMAS * np.sqrt(var / n), (label, x.mean(), mean)
    mu4 = 3 * var**2 if mu4 is None else mu4
    se = np.sqrt((mu4 - var**2 * (n - 3) / (n - 1)) / n)
    assert abs(x.var(ddof=1) - var) < SIGMAS * se, (label, x.var(ddof=1), var)


def _rule(dev, A=0.3):
    return PairSTDP(A_plus=A, A_minus=-A, tau_plus=20 * ms, tau_minus=20 * ms, device=dev)


# -- decay toward the reset value --------------------------------------------------------------
@pytest.mark.parametrize("drift", [None, "power-law"])
def test_decay_toward_reset_follows_its_closed_form(drift):
    """lifetime = 40 ms, reset = 0.2, w0 = 0.6, dw_min = 0.05; with power-law drift
    (ν = 0.2, t0 = 5 ms, G_min = 10 µS: G = 0 at w_z = -1/9) the decayed state drifts.

    Reference: D(w, Δt) = r + (w - r) e^{-Δt/τ}, then w_z + (D - w_z)(max(Δt, t0)/t0)^{-ν}.
    Synapse 0 (no post spike) is never programmed: w_now = D(0.6, t). Synapse 1: pre at
    20 ms, post at 30 ms: 0.3 e^{-1/2} = 3.64 pulses, 4 pulses from the decayed state:
    w30 = state(0.6, 30 ms) + 0.2; pre at 60 ms: -0.3 e^{-3/2} = 1.34 pulses, one pulse down
    from state(w30, 30 ms). The transmissions read the states (1e-12).
    """
    kw = dict(drift="power-law", drift_nu=0.2, drift_t0=5 * ms) if drift else {}
    tag = "powerlaw" if drift else "none"
    dev = Memristor(G_min=10 * uS, G_max=100 * uS, dw_min=0.05, lifetime=40 * ms, reset=0.2,
                    **kw)
    pre, post, S = probe_synapses(_rule(dev), 2, [20.0, 60.0], np.array([NEVER, 30.0]),
                                  f"decay_{tag}", w0=0.6)
    mon = StateMonitor(S, ["w_now"], record=True, name=f"decay_{tag}_mon")
    sl.Network(pre, post, S, mon).run(80 * ms)
    t = np.asarray(mon.t / second)

    def state(w, age):
        decayed = 0.2 + (w - 0.2) * np.exp(-age / 0.04)
        if not drift:
            return decayed
        w_z = -1 / 9
        return w_z + (decayed - w_z) * (np.maximum(age, 0.005) / 0.005) ** -0.2

    np.testing.assert_allclose(mon.w_now[0], state(0.6, t), rtol=1e-12)
    w30 = state(0.6, 0.030) + 0.2
    w60 = state(w30, 0.030) - 0.05
    for lo, hi, w, t_prog in ((-1, 0.030, 0.6, 0.0), (0.030, 0.060, w30, 0.030),
                              (0.060, 1, w60, 0.060)):
        seg = (t > lo + 1e-9) & (t <= hi + 1e-9)
        np.testing.assert_allclose(mon.w_now[1][seg], state(w, t[seg] - t_prog), rtol=1e-12)
    np.testing.assert_allclose(S.w[:], [0.6, w60], rtol=1e-12)
    np.testing.assert_allclose(post.x[:], [state(0.6, 0.02) + state(0.6, 0.06),
                                           state(0.6, 0.02) + state(w30, 0.03)], rtol=1e-12)


# -- reset -------------------------------------------------------------------------------------
def test_reset_puts_working_devices_on_the_reset_level_and_restarts_their_clock():
    """n_levels = 5, reset = 0.3, power-law drift (ν = 0.2, t0 = 5 ms, G_min = 0), 30 % stuck
    at G_max; pairings at 5/8 ms, reset at 20 ms, then 20 ms without spikes.

    Reference: every working device is reset to the level nearest 0.3 (0.25) and programmed
    at 20 ms: at 40 ms w_now = 0.25 (20 ms/5 ms)^{-0.2} (1e-12), mem_tprog = 20 ms; stuck
    devices stay at 1. ``indices`` resets only those synapses.
    """
    dev = Memristor(G_min=0 * uS, n_levels=5, reset=0.3, drift="power-law", drift_nu=0.2,
                    drift_t0=5 * ms, p_stuck_max=0.3)
    pre, post, S = probe_synapses(_rule(dev), 200, [5.0], 8.0, "reset_levels", seed=4)
    net = sl.Network(pre, post, S)
    net.run(20 * ms)
    ok = S.mem_ok[:] > 0
    assert np.any(S.w[:][ok] != 0.5) and 0 < ok.sum() < 200
    dev.reset_devices(S, indices=np.arange(100), seed=1)
    head = np.arange(200) < 100
    np.testing.assert_array_equal(S.w[:][head & ok], 0.25)
    np.testing.assert_array_equal(S.w[:][~ok], 1.0)
    assert np.all(S.w[:][~head & ok] == 0.75)  # the pairing's one level up, not reset
    dev.reset_devices(S, seed=1)
    np.testing.assert_array_equal(S.w[:][ok], 0.25)
    np.testing.assert_allclose(np.asarray(S.mem_tprog[:] / ms)[ok], 20.0, rtol=1e-12)
    net.run(20 * ms)
    np.testing.assert_allclose(S.w_now[:][ok], 0.25 * 4.0 ** -0.2, rtol=1e-12)
    np.testing.assert_array_equal(S.w_now[:][~ok], 1.0)


def test_reset_spread_and_reset_values_per_device():
    """reset = 0.5, reset_std = 0.05, d2d['reset'] = 0.03 (absolute), N = 10 000.

    Reference: the per-device reset states mem_wrst are N(0.5, 0.03²); after a reset
    w - mem_wrst is N(0, 0.05²) (4σ; the clip to [0, 1] is 8σ away). The same seed resets
    to the same states, another seed to others. On an ideal device the reset is w_min +
    reset·(w_max - w_min) exactly.
    """
    dev = Memristor(dw_min=0.05, reset=0.5, reset_std=0.05, d2d={"reset": 0.03})
    pre, post, S = probe_synapses(_rule(dev), N, [5.0], NEVER, "reset_spread")
    x_r = np.asarray(S.mem_wrst[:]).copy()
    _check_moments(x_r, 0.5, 0.03**2, "reset_i")
    dev.reset_devices(S, seed=2)
    first = np.asarray(S.w[:]).copy()
    _check_moments(first - x_r, 0.0, 0.05**2, "reset_std")
    dev.reset_devices(S, seed=2)
    np.testing.assert_array_equal(S.w[:], first)
    dev.reset_devices(S, seed=3)
    assert not np.any(S.w[:] == first)
    ideal = Memristor(reset=0.4)
    assert ideal.is_ideal
    pre, post, S = probe_synapses(PairSTDP(w_min=-1.0, device=ideal), 3, [5.0], NEVER,
                                  "reset_ideal")
    ideal.reset_devices(S)
    np.testing.assert_allclose(S.w[:], -1.0 + 0.4 * 2.0, rtol=0, atol=1e-14)


# -- diffusion ---------------------------------------------------------------------------------
def test_diffusion_is_a_random_walk_in_time():
    """diffusion = 0.1 per √s, w0 = 0.5, pre spikes at 40 and 90 ms, no post spike (no
    programming event), N = 10 000.

    Reference: the walk at the first read is N(0, 0.01·0.04), its step to the second read
    N(0, 0.01·0.05), uncorrelated (4σ); the programmed w stays 0.5, w_now = 0.5 + mem_dif.
    """
    dev = Memristor(dw_min=0.05, diffusion=0.1)
    pre, post, S = probe_synapses(_rule(dev), N, [40.0, 90.0], NEVER, "diffusion_walk")
    sl.Network(pre, post, S).run(100 * ms)
    d2 = np.asarray(S.mem_dif[:])
    d1 = np.asarray(post.x[:]) - 1.0 - d2  # x = (0.5 + d1) + (0.5 + d2)
    _check_moments(d1, 0.0, 0.01 * 0.04, "walk to 40 ms")
    _check_moments(d2 - d1, 0.0, 0.01 * 0.05, "walk 40-90 ms")
    assert abs(np.corrcoef(d1, d2 - d1)[0, 1]) < SIGMAS / np.sqrt(N)
    np.testing.assert_array_equal(S.w[:], 0.5)
    np.testing.assert_allclose(S.w_now[:], 0.5 + d2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(S.mem_tdif[:] / ms), 90.0, rtol=1e-12)


def test_a_programming_event_starts_from_the_diffused_state():
    """diffusion = 0.1, pre at 40 ms, post at 45 ms: 0.3 e^{-1/4} = 4.67 pulses, 5 pulses;
    20 % of the devices stuck at G_max.

    Reference: the event adds 0.25 to the diffused state 0.5 + d45 and stores it: w - 0.75
    = d45 ~ N(0, 0.01·0.045) (4σ over the working devices), mem_dif = 0 and w_now = w
    afterwards (exactly); stuck devices never diffuse (w_now = w = 1).
    """
    dev = Memristor(dw_min=0.05, diffusion=0.1, p_stuck_max=0.2)
    pre, post, S = probe_synapses(_rule(dev), N, [40.0], 45.0, "diffusion_event")
    sl.Network(pre, post, S).run(50 * ms)
    ok = S.mem_ok[:] > 0
    d45 = np.asarray(S.w[:])[ok] - 0.75
    _check_moments(d45, 0.0, 0.01 * 0.045, "walk to 45 ms")
    np.testing.assert_array_equal(S.mem_dif[:], 0.0)
    np.testing.assert_array_equal(S.w_now[:], S.w[:])
    np.testing.assert_array_equal(S.w[:][~ok], 1.0)


# -- corrupt devices ---------------------------------------------------------------------------
def test_corrupt_devices_are_fixed_at_a_uniform_random_state():
    """p_stuck_min = 0.1, corrupt_devices_prob = 0.2, corrupt_devices_range = 0.25,
    N = 10 000, one potentiating pairing (5 pulses).

    Reference: stuck fraction 0.1, corrupt fraction 0.2 of the others (binomial, 4σ);
    corrupt states uniform on [0.25, 0.75] (mean 0.5, variance 1/48, 4σ); corrupt and stuck
    devices never change; working ones end at 0.75 (1e-12).
    """
    dev = Memristor(dw_min=0.05, p_stuck_min=0.1, corrupt_devices_prob=0.2,
                    corrupt_devices_range=0.25)
    pre, post, S = probe_synapses(_rule(dev), N, [10.0], 15.0, "corrupt")
    w0 = np.asarray(S.w[:]).copy()
    ok = S.mem_ok[:] > 0
    stuck = ~ok & (w0 == 0.0)
    corrupt = ~ok & ~stuck
    assert abs(stuck.mean() - 0.1) < SIGMAS * np.sqrt(0.1 * 0.9 / N)
    m = N - stuck.sum()
    assert abs(corrupt.sum() / m - 0.2) < SIGMAS * np.sqrt(0.2 * 0.8 / m)
    x = w0[corrupt]
    assert np.all((x >= 0.25) & (x <= 0.75))
    _check_moments(x, 0.5, 0.5**2 / 12, "corrupt states", mu4=0.5**4 / 80)
    sl.Network(pre, post, S).run(20 * ms)
    np.testing.assert_array_equal(S.w[:][~ok], w0[~ok])
    np.testing.assert_allclose(S.w[:][ok], 0.75, rtol=1e-12)


def test_device_spread_of_lifetime_and_diffusion():
    """d2d['lifetime'] = 0.2, d2d['diffusion'] = 0.3 (relative, log-normal), N = 10 000.

    Reference: mean = nominal, relative std = d2d (4σ: σ/√N for the mean, about
    σ·sqrt(2/N)·1.5 for the std of a log-normal of this width); reproducible for a seed.
    """
    dev = Memristor(dw_min=0.05, lifetime=1 * second, diffusion=0.1,
                    d2d={"lifetime": 0.2, "diffusion": 0.3})
    draws = []
    for k, seed in enumerate((7, 7)):
        pre, post, S = probe_synapses(_rule(dev), N, [5.0], NEVER, f"spread{k}", seed=seed)
        draws.append((np.asarray(S.mem_life[:] / second), np.asarray(S.mem_diff[:])))
    np.testing.assert_array_equal(draws[0][0], draws[1][0])
    for x, mean, rel in ((draws[0][0], 1.0, 0.2), (draws[0][1], 0.1, 0.3)):
        assert abs(x.mean() - mean) < SIGMAS * rel * mean / np.sqrt(N)
        assert abs(x.std() / mean - rel) < SIGMAS * rel * np.sqrt(2 / N) * 2


def test_write_side_is_the_same_on_both_backends():
    """Decay toward a spread reset value under power-law drift, diffusion with spread,
    corrupt devices, stochastic pulse counts: the same numbers on Numba and JAX for a seed
    (1e-13 relative)."""
    pytest.importorskip("jax")
    dev = Memristor(dw_min=0.02, rounding="stochastic", lifetime=30 * ms, reset=0.1,
                    drift="power-law", drift_nu=0.1, drift_t0=2 * ms, diffusion=0.2,
                    corrupt_devices_prob=0.1, d2d={"reset": 0.05, "diffusion": 0.2})
    assert_same_on_both_backends(_rule(dev, A=0.2), "reset_backends", ("w", "w_now"), rtol=1e-13)


def test_new_parameters_at_their_defaults_keep_the_device_ideal():
    """Reset value and spread, corrupt range, t_read, the programming polynomial and the
    refresh thresholds do nothing by themselves: the device is ideal and the rule's code
    is that of the rule without a device."""
    dev = Memristor(reset=0.3, reset_std=0.1, corrupt_devices_range=0.1, t_read=1 * ms,
                    prog_coeff=(0.1,), refresh_upper_thres=0.9, refresh_lower_thres=0.5)
    assert dev.is_ideal
    bare, with_dev = (_rule(d).synapse_code(on_pre="x_post += w") for d in (None, dev))
    assert (bare.on_pre, bare.on_post) == (with_dev.on_pre, with_dev.on_post)


@pytest.mark.parametrize("kwargs, match", [
    (dict(reset=1.5), r"reset \(a fraction of the device's range\) must be in \[0.0, 1.0\], "
                      r"got 1.5$"),
    (dict(reset_std=-0.1), r"reset_std .*must be in \[0.0, inf\), got -0.1$"),
    (dict(lifetime=-5 * ms), r"lifetime must be positive \(e.g. 20\*ms\), got -5"),
    (dict(lifetime=5.0), r"lifetime must be a .*second.* quantity \(e.g. 20\*ms\), got 5.0"),
    (dict(lifetime=5 * ms, drift="exponential"),
     r"lifetime=5\*ms and drift='exponential' are both an exponential decay"),
    (dict(diffusion=-0.1), r"diffusion .*must be in \[0.0, inf\), got -0.1$"),
    (dict(corrupt_devices_prob=1.5),
     r"corrupt_devices_prob \(a probability\) must be in \[0.0, 1.0\], got 1.5$"),
    (dict(corrupt_devices_range=0.0),
     r"corrupt_devices_range .*must be in \(0.0, inf\), got 0.0$"),
    (dict(d2d={"lifetime": 0.1}), r"d2d\['lifetime'\] = 0.1 but that feature is off"),
    (dict(d2d={"diffusion": 0.1}), r"d2d\['diffusion'\] = 0.1 but that feature is off"),
    (dict(d2d={"reset": -0.1}), r"d2d\['reset'\] must be in \[0.0, inf\), got -0.1$"),
])
def test_write_side_rejects_bad_values(kwargs, match):
    """Each message names the argument, the value and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        Memristor(**kwargs)
