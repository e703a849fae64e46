"""Differential pairs G+ - G- (``Memristor(differential=True)``) and their refresh.

References (docs/devices.md, *Differential pairs*; aihwkit ``OneSidedUnitCell``,
``OneSidedRPUDevice::refreshWeights``), with states in weight units of one device's range
([0, 1] for the rule's [0, 1]) and mid = (w_min + w_max)/2:

* the rule reads w = mid + (G+ - G-)/2 (conductances as weights); a request Δw > 0 is
  2|Δw| of up pulses on G+, Δw < 0 the same on G-: n = floor(2|Δw|/dw_min + 1/2) pulses of
  the device's up step, clipped to the range;
* initialisation: both devices at the reset state r, the difference 2(w - mid) on one;
* refresh after an event, on the states x+ and x-: if the larger is above
  ``refresh_upper_thres`` and the smaller above ``refresh_lower_thres`` (strictly), both
  are reset (``reset`` + ``reset_std``·ξ each) and x+ - x- is written onto the larger;
* drift: each device drifts from its own programming time.

A NumPy reference of the pair (``_reference``) replays the rule's requests. Statistical
checks: 4-sigma bounds from the sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _memristor_probe import assert_same_on_both_backends, probe_synapses

import spikeloom as sl
from spikeloom import ms, uS
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import PairSTDP

SIGMAS = 4.0
NEVER = 1e6  # ms
DW = 0.05


def _rule(dev, pairing="all-to-all"):
    return PairSTDP(A_plus=0.3, A_minus=-0.3, tau_plus=20 * ms, tau_minus=20 * ms,
                    pairing=pairing, device=dev)


def _split(w0, reset):
    """Initial (G+, G-) of weights w0 on [0, 1]: both at reset, 2(w0 - 0.5) on one side."""
    d = 2 * (np.asarray(w0, dtype=float) - 0.5)
    return (np.clip(reset + np.maximum(d, 0), 0, 1), np.clip(reset + np.maximum(-d, 0), 0, 1))


def _reference(gp, gm, requests, reset, upper=None, lower=None):
    """Replay signed requests on one pair (constant step, nearest rounding, no noise).

    Returns the final (G+, G-), the weights read before each request and whether a refresh
    happened.
    """
    reads, refreshed = [], False
    for dw in requests:
        reads.append(0.5 + (gp - gm) / 2)
        n = math.floor(2 * abs(dw) / DW + 0.5)
        if n == 0:
            continue
        if dw > 0:
            gp = min(gp + n * DW, 1.0)
        else:
            gm = min(gm + n * DW, 1.0)
        if upper is None:
            continue
        big, small = max(gp, gm), min(gp, gm)
        if big > upper and small > lower and gp != gm:
            refreshed = True
            diff = abs(gp - gm)
            gp, gm = (min(reset + diff, 1.0), reset) if gp > gm else (reset, min(reset + diff,
                                                                                  1.0))
    return gp, gm, reads, refreshed


def test_potentiation_programs_g_plus_and_depression_g_minus():
    """No refresh, reset = 0.1, w0 = 0.6, 0.3, 0.5; pre at 10 and 40 ms, post at 15 ms
    (all-to-all pair STDP, A = ±0.3, τ = 20 ms).

    Reference: post at 15 ms requests 0.3 e^{-1/4}: 9 pulses on G+; pre at 40 ms requests
    -0.3 e^{-5/4}: 3 pulses on G-; the transmissions read w0 and the weight after 15 ms.
    G+, G-, w, G_mem = (G+ - G-) = 2(w - 0.5)·90 µS and G_plus = 10 µS + 90 µS·G+ (1e-12).
    """
    w0 = np.array([0.6, 0.3, 0.5])
    dev = Memristor(dw_min=DW, differential=True, refresh_upper_thres=None, reset=0.1)
    pre, post, S = probe_synapses(_rule(dev), 3, [10.0, 40.0], np.full(3, 15.0), "pair_basic",
                                  w0=w0)
    gp, gm = _split(w0, 0.1)
    np.testing.assert_allclose(S.mem_gp[:], gp, rtol=1e-12)
    np.testing.assert_allclose(S.mem_gm[:], gm, rtol=1e-12)
    np.testing.assert_allclose(S.w[:], w0, rtol=1e-12)
    sl.Network(pre, post, S).run(50 * ms)
    up, down = 0.3 * math.exp(-0.25), -0.3 * math.exp(-1.25)
    assert (math.floor(2 * up / DW + 0.5), math.floor(2 * -down / DW + 0.5)) == (9, 3)
    gp15 = gp + 9 * DW
    gm40 = gm + 3 * DW
    np.testing.assert_allclose(S.mem_gp[:], gp15, rtol=1e-12)
    np.testing.assert_allclose(S.mem_gm[:], gm40, rtol=1e-12)
    w = 0.5 + (gp15 - gm40) / 2
    np.testing.assert_allclose(S.w[:], w, rtol=1e-12)
    np.testing.assert_allclose(post.x[:], w0 + 0.5 + (gp15 - gm) / 2, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.G_mem[:] / uS), (gp15 - gm40) * 90, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.G_plus[:] / uS), 10 + 90 * gp15, rtol=1e-12)


def test_each_device_of_a_pair_drifts_from_its_own_programming_time():
    """Power-law drift ν = 0.2, t0 = 5 ms, G_min = 0 (G = 0 at w = 0), reset = 0.1,
    w0 = 0.6 (G+ = 0.3, G- = 0.1); the same pairings as above.

    Reference: G+ is programmed at 15 ms from its drifted 0.3·3^-0.2 (+9 pulses), G- at
    40 ms from 0.1·8^-0.2 (+3 pulses); at 50 ms w_now = 0.5 + (G+_15·7^-0.2 -
    G-_40·2^-0.2)/2; the read at 40 ms is 0.5 + (G+_15·5^-0.2 - 0.1·8^-0.2)/2 (1e-12).
    """
    dev = Memristor(G_min=0 * uS, dw_min=DW, differential=True, refresh_upper_thres=None,
                    reset=0.1, drift="power-law", drift_nu=0.2, drift_t0=5 * ms)
    pre, post, S = probe_synapses(_rule(dev), 1, [10.0, 40.0], np.array([15.0]), "pair_drift",
                                  w0=0.6)
    sl.Network(pre, post, S).run(50 * ms)
    gp15 = 0.3 * 3**-0.2 + 9 * DW
    gm40 = 0.1 * 8**-0.2 + 3 * DW
    np.testing.assert_allclose(S.mem_gp[:], gp15, rtol=1e-12)
    np.testing.assert_allclose(S.mem_gm[:], gm40, rtol=1e-12)
    np.testing.assert_allclose(S.w_now[:], 0.5 + (gp15 * 7**-0.2 - gm40 * 2**-0.2) / 2,
                               rtol=1e-12)
    read40 = 0.5 + (gp15 * 5**-0.2 - 0.1 * 8**-0.2) / 2
    read10 = 0.5 + (0.3 - 0.1) * 2**-0.2 / 2
    np.testing.assert_allclose(post.x[:], read10 + read40, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.mem_tpp[:] / ms), 15.0, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.mem_tpm[:] / ms), 40.0, rtol=1e-12)


def test_refresh_resets_both_devices_and_keeps_the_weight():
    """refresh_upper_thres = 0.6, refresh_lower_thres = 0.2, reset = 0.1, w0 = 0.5;
    nearest-neighbour pairings every 40 ms (pre, then post 5 ms later: 9 pulses on G+;
    the next pre requests -0.3 e^{-7/4}: 2 pulses on G-).

    Reference: ``_reference`` replays the 11 requests; after the first refresh (90 ms: G+ = 1,
    G- = 0.3 become 0.8 and 0.1) and at the end, G+, G-, w and the sum of the weights read
    at the pre spikes agree to 1e-12 (G- would end 0.3 higher without refresh).
    """
    dev = Memristor(dw_min=DW, differential=True, refresh_upper_thres=0.6,
                    refresh_lower_thres=0.2, reset=0.1)
    k = np.arange(6)
    pre_ms, post_ms = 10.0 + 40 * k, 15.0 + 40 * k
    pre, post, S = probe_synapses(_rule(dev, "nn_symm"), 1, pre_ms, post_ms, "pair_refresh",
                                  every_target=True)
    net = sl.Network(pre, post, S)
    net.run(95 * ms)
    up, down = 0.3 * math.exp(-0.25), -0.3 * math.exp(-1.75)
    requests = [0.0, up] + [down, up] * 5
    # the first refresh: at 90 ms G+ = 1, G- = 0.3 -> G+ = 0.1 + 0.7, G- = 0.1
    gp, gm, _, refreshed = _reference(0.1, 0.1, requests[:5], 0.1, 0.6, 0.2)
    assert refreshed and (gp, gm) == pytest.approx((0.8, 0.1), rel=1e-12)
    np.testing.assert_allclose([S.mem_gp[0], S.mem_gm[0]], [gp, gm], rtol=1e-12)
    net.run(165 * ms)
    gp, gm, reads, refreshed = _reference(0.1, 0.1, requests, 0.1, 0.6, 0.2)
    assert refreshed
    np.testing.assert_allclose(S.mem_gp[:], gp, rtol=1e-12)
    np.testing.assert_allclose(S.mem_gm[:], gm, rtol=1e-12)
    np.testing.assert_allclose(S.w[:], 0.5 + (gp - gm) / 2, rtol=1e-12)
    np.testing.assert_allclose(post.x[:], sum(reads[0::2]), rtol=1e-12)
    _, gm_plain, _, _ = _reference(0.1, 0.1, requests, 0.1)
    assert gm_plain > gm + 0.3


def test_refresh_resets_with_the_reset_spread():
    """The protocol above stopped after the first refresh (at 90 ms: G+ = 1, G- = 0.3),
    reset_std = 0.02, N = 10 000 pairs.

    Reference: G- = 0.1 + 0.02 ξ2, G+ = 0.1 + 0.02 ξ1 + 0.7 (4σ on mean and variance,
    uncorrelated; the clips are 5σ away at most).
    """
    n = 10_000
    dev = Memristor(dw_min=DW, differential=True, refresh_upper_thres=0.6,
                    refresh_lower_thres=0.2, reset=0.1, reset_std=0.02)
    pre, post, S = probe_synapses(_rule(dev, "nn_symm"), n, [10.0, 50.0, 90.0], [15.0, 55.0],
                                  "pair_spread", every_target=True)
    sl.Network(pre, post, S).run(95 * ms)
    gp, gm = np.asarray(S.mem_gp[:]), np.asarray(S.mem_gm[:])
    for x, mean, label in ((gm, 0.1, "G-"), (gp, 0.8, "G+")):
        assert abs(x.mean() - mean) < SIGMAS * 0.02 / np.sqrt(n), (label, x.mean())
        assert abs(x.var(ddof=1) - 0.02**2) < SIGMAS * 0.02**2 * np.sqrt(2 / (n - 1)), label
    assert abs(np.corrcoef(gp, gm)[0, 1]) < SIGMAS / np.sqrt(n)


def test_reset_devices_resets_both_sides():
    """reset_devices on a pair with n_levels = 11, reset = 0.32: both devices on the level
    0.3, w = mid, clocks restarted at the reset time."""
    dev = Memristor(n_levels=11, differential=True, reset=0.32, drift="power-law",
                    drift_t0=5 * ms)
    pre, post, S = probe_synapses(_rule(dev), 4, [10.0], np.full(4, 15.0), "pair_reset",
                                  w0=[0.1, 0.4, 0.7, 0.9])
    net = sl.Network(pre, post, S)
    net.run(20 * ms)
    dev.reset_devices(S)
    np.testing.assert_allclose(S.mem_gp[:], 0.3, rtol=1e-12)
    np.testing.assert_allclose(S.mem_gm[:], 0.3, rtol=1e-12)
    np.testing.assert_allclose(S.w[:], 0.5, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.mem_tpp[:] / ms), 20.0, rtol=1e-12)


def test_pairs_are_the_same_on_both_backends():
    """Levels, stochastic rounding, pulse and c2c noise, step spread, drift, per-device read
    noise, drift compensation, refresh with reset spread: the same numbers on Numba and JAX
    for a seed (1e-12 relative)."""
    pytest.importorskip("jax")
    dev = Memristor(n_levels=41, rounding="stochastic", dw_min_std=0.3, c2c=0.01,
                    c2c_mode="absolute", d2d={"dw_min": 0.2}, differential=True,
                    refresh_upper_thres=0.5, refresh_lower_thres=0.1, reset=0.05,
                    reset_std=0.02, drift="power-law", drift_nu=0.05, drift_t0=2 * ms,
                    read_noise=0.05, drift_compensation=True)
    assert_same_on_both_backends(_rule(dev), "pair_backends", ("w", "mem_gp", "mem_gm"), rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(differential=1), r"differential must be True or False, got 1$"),
    (dict(differential=True, p_stuck_min=0.1),
     r"differential=True does not model p_stuck_min=0.1; a pair supports"),
    (dict(differential=True, dw_min=0.1, write_noise_std=1.0),
     r"differential=True does not model write_noise_std=1.0"),
    (dict(differential=True, diffusion=0.1), r"does not model diffusion=0.1"),
    (dict(differential=True, prog_noise_scale=1.0), r"does not model prog_noise_scale=1.0"),
    (dict(refresh_upper_thres=1.5),
     r"refresh_upper_thres \(a fraction of the range\) must be in \(0.0, 1.0\], got 1.5$"),
    (dict(refresh_lower_thres=-0.1),
     r"refresh_lower_thres \(a fraction of the range\) must be in \[0.0, 1.0\], got -0.1$"),
    (dict(refresh_upper_thres=0.3, refresh_lower_thres=0.5),
     r"refresh_lower_thres must be <= refresh_upper_thres, got 0.5 > 0.3$"),
])
def test_pairs_reject_bad_values(kwargs, match):
    """Each message names the argument, the value and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        Memristor(**kwargs)
