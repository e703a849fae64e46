"""Write noise of a Memristor (aihwkit's ``write_noise_std``).

References (docs/devices.md, *Write noise*; aihwkit ``PulsedRPUDevice::applyUpdateWriteNoise``):
after every programming event (and at initialisation) the device reads an *apparent* weight
``w_app = w + mem_wn``, ``mem_wn = write_noise_std·dw_min·(w_hi - w_lo)·ξ``, kept until the
next event; ``w`` (the programmed, "persistent" weight) is what the pulses move. So

* a programming event starts from ``w`` (not from ``w_app``): with an additive rule the new
  ``w`` is the noise-free closed form ``w0 + n·dw_min`` whatever the offsets;
* the rule's weight dependence and the transmission read ``w_app``: with a multiplicative
  rule the pulse count is ``n = floor(|Δw(w_app)|/dw_min + 1/2)``;
* each event draws a new, independent offset.

Statistical checks: 4-sigma bounds from the sample size (mean σ/√N, variance
σ²·sqrt(2/(N - 1)), correlation 1/√N).
"""

from __future__ import annotations

import numpy as np
import pytest
from _memristor_probe import assert_same_on_both_backends, probe_synapses

import spikeloom as sl
from spikeloom import ms
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import PairSTDP

SIGMAS = 4.0
N = 10_000
DW = 0.05
SIGMA_W = 0.8  # write_noise_std: the offset's std is 0.8*0.05 = 0.04 of the range


def _check_normal(x, sigma, label):
    """Sample mean 0 and variance sigma² within 4 standard errors."""
    n = x.size
    assert abs(x.mean()) < SIGMAS * sigma / np.sqrt(n), (label, x.mean())
    assert abs(x.var(ddof=1) - sigma**2) < SIGMAS * sigma**2 * np.sqrt(2 / (n - 1)), (
        label, x.std(ddof=1), sigma)


def test_events_start_from_the_programmed_weight_and_redraw_the_offset():
    """Additive PairSTDP (A = ±0.3, τ = 20 ms), dw_min = 0.05, w0 = 0.5, N = 10 000 devices.

    Reference: pre at 10 ms reads 0.5 + wn0; post at 15 ms requests 0.3 e^{-1/4} = 4.67
    pulses: 5 pulses, w = 0.75 exactly (1e-12) on every device; pre at 30 ms reads
    0.75 + wn1, then requests -0.3 e^{-3/4} = 2.83 pulses: 3 pulses, w = 0.6. The offsets
    wn0 (initial), wn1 (after the first event), wn2 (after the second) are N(0, 0.04²) and
    mutually uncorrelated; w_now = w + mem_wn exactly.
    """
    dev = Memristor(dw_min=DW, write_noise_std=SIGMA_W)
    rule = PairSTDP(A_plus=0.3, A_minus=-0.3, device=dev)
    pre, post, S = probe_synapses(rule, N, [10.0, 30.0], np.full(N, 15.0), "wn_events")
    wn0 = np.asarray(S.mem_wn[:]).copy()
    np.testing.assert_array_equal(S.w[:], 0.5)
    np.testing.assert_allclose(S.w_now[:], 0.5 + wn0, rtol=0, atol=1e-15)
    sl.Network(pre, post, S).run(40 * ms)
    np.testing.assert_allclose(S.w[:], 0.6, rtol=0, atol=1e-12)  # not 0.6 + wn0
    wn1 = np.asarray(post.x[:]) - 0.5 - wn0 - 0.75  # the second read is 0.75 + wn1
    wn2 = np.asarray(S.mem_wn[:])
    sigma = SIGMA_W * DW
    for label, x in (("wn0", wn0), ("wn1", wn1), ("wn2", wn2)):
        _check_normal(x, sigma, label)
    for a, b in ((wn0, wn1), (wn1, wn2), (wn0, wn2)):
        assert abs(np.corrcoef(a, b)[0, 1]) < SIGMAS / np.sqrt(N)
    np.testing.assert_allclose(S.w_now[:], S.w[:] + wn2, rtol=0, atol=1e-15)


def test_the_rule_reads_the_apparent_weight(backend):
    """Multiplicative PairSTDP (A+ = 0.5): the request depends on the weight the rule reads.

    Reference: post at 15 ms, pre at 10 ms: Δw = 0.5·(1 - w_app)·e^{-1/4} with
    w_app = 0.5 + wn0 per device (the rule's own ``delta_w``); the device gives
    n = floor(|Δw|/0.05 + 1/2) pulses from the programmed 0.5: w = 0.5 + 0.05 n, exactly
    (1e-12) on each of 4 000 devices, and the pulse counts differ between devices.
    """
    n = 4000
    dev = Memristor(dw_min=DW, write_noise_std=2.0)
    rule = PairSTDP(A_plus=0.5, A_minus=-0.5, weight_dependence="multiplicative", device=dev)
    pre, post, S = probe_synapses(rule, n, [10.0], np.full(n, 15.0), f"wn_mult_{backend}")
    wn0 = np.asarray(S.mem_wn[:]).copy()
    sl.Network(pre, post, S).run(20 * ms)
    request = rule.delta_w(5 * ms, 0.5 + wn0)
    pulses = np.floor(np.abs(request) / DW + 0.5)
    np.testing.assert_allclose(S.w[:], 0.5 + DW * pulses, rtol=0, atol=1e-12)
    assert len(np.unique(pulses)) >= 3


def test_write_noise_is_the_same_on_both_backends():
    """Stochastic pulse counts, per-pulse noise, write noise, drift and read noise: the same
    numbers on Numba and JAX for a seed (1e-13 relative)."""
    pytest.importorskip("jax")
    dev = Memristor(dw_min=0.02, rounding="stochastic", dw_min_std=0.2, write_noise_std=1.0,
                    drift="power-law", drift_nu=0.05, drift_t0=2 * ms, read_noise=0.05)
    rule = PairSTDP(A_plus=0.2, A_minus=-0.2, device=dev)
    assert_same_on_both_backends(rule, "wn_backends", ("w", "mem_wn"), rtol=1e-13)


@pytest.mark.parametrize("kwargs, match", [
    (dict(write_noise_std=0.5), r"write_noise_std=0.5 is in units of dw_min, but the device "
                                r"is analog; set dw_min"),
    (dict(dw_min=0.01, write_noise_std=-1.0),
     r"write_noise_std \(in units of dw_min\) must be in \[0.0, inf\), got -1.0$"),
    (dict(dw_min=0.01, write_noise_std="big"), r"write_noise_std .*must be a real number"),
])
def test_write_noise_rejects_bad_values(kwargs, match):
    """Each message names the argument, the value and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        Memristor(**kwargs)
