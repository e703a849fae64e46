"""Read side of a Memristor: PCM 1/f read noise, programming noise, conductance-dependent
drift exponents and global drift compensation.

References: IBM aihwkit's ``PCMLikeNoiseModel`` (``src/aihwkit/inference/noise/pcm.py``),
whose published fits are written out here (not imported from spikeloom), with g = G/G_max:

* programming noise: G_prog = G_T + σ_prog(g_T)·ξ, σ_prog = (0.26348 + 1.9650 g - 1.1731 g²)
  µS at g_max = 25 µS (clipped to the device's range here);
* drift exponent: ν = |μ + σξ|, μ = clip(-0.0155 ln g + 0.0244, 0.049, 0.1),
  σ = clip(-0.0125 ln g - 0.0059, 0.008, 0.045), drawn from the target g at programming;
* 1/f read noise: G_read = G_drift + |G_drift|·Q_s(g_prog)·sqrt(ln((t + t_r)/(2 t_r)))·ξ,
  Q_s = min(0.0088/max(g_prog^0.65, 1e-3), 0.2), t_r = 250 ns, t the time since programming
  (not less than t_0, as spikeloom's power-law drift);
* global drift compensation (aihwkit ``GlobalDriftCompensation``): the read conductance is
  multiplied by (max(Δt, t0)/t0)^ν_nom, the inverse of the nominal drift.

Statistical checks: 4-sigma bounds from the sample size.
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
N = 10_000
NEVER = 1e6  # ms
T_READ = 250e-9
PCM = dict(G_min=0 * uS, G_max=25 * uS)  # w in [0, 1] is g = G/G_max


def sigma_prog(g):
    return (0.26348 + 1.9650 * g - 1.1731 * g**2) / 25.0


def nu_moments(g):
    """Mean and variance of ν = |μ + σξ| (folded normal)."""
    mu = np.clip(-0.0155 * np.log(g) + 0.0244, 0.049, 0.1)
    sd = np.clip(-0.0125 * np.log(g) - 0.0059, 0.008, 0.045)
    phi = 0.5 * (1 + math.erf(-mu / sd / math.sqrt(2)))
    mean = sd * math.sqrt(2 / math.pi) * math.exp(-mu**2 / (2 * sd**2)) + mu * (1 - 2 * phi)
    return mean, mu**2 + sd**2 - mean**2


def q_s(g):
    return min(0.0088 / max(g**0.65, 1e-3), 0.2)


def _check_moments(x, mean, var, label):
    n = x.size
    assert abs(x.mean() - mean) < SIGMAS * np.sqrt(var / n), (label, x.mean(), mean)
    assert abs(x.var(ddof=1) - var) < SIGMAS * var * np.sqrt(2 / (n - 1)), (
        label, x.var(ddof=1), var)


def _rule(dev, A=0.3):
    return PairSTDP(A_plus=A, A_minus=-A, tau_plus=20 * ms, tau_minus=20 * ms, device=dev)


def test_pcm_read_noise_grows_with_log_time_and_depends_on_the_programmed_g():
    """read_noise_scale = 1, power-law drift ν = 0.1, t0 = 10 ms; 5 000 devices at g = 0.2
    and 5 000 at g = 0.8, read at 50 ms and 400 ms (no programming event).

    Reference: each read is w·(t/t0)^-0.1·(1 + Q_s(w)·sqrt(ln((t + t_r)/(2 t_r)))·ξ); the
    sum of the two reads has the sum of their means and variances (4σ). Q_s of the drifted
    instead of the programmed g would be 16 % (g = 0.2) larger: outside the bounds.
    """
    dev = Memristor(**PCM, read_noise_scale=1.0, drift="power-law", drift_nu=0.1,
                    drift_t0=10 * ms)
    w0 = np.repeat([0.2, 0.8], N // 2)
    pre, post, S = probe_synapses(_rule(dev), N, [50.0, 400.0], NEVER, "pcm_read", w0=w0)
    sl.Network(pre, post, S).run(410 * ms)
    x = np.asarray(post.x[:])
    for k, g in enumerate((0.2, 0.8)):
        mean = var = 0.0
        for t in (0.05, 0.4):
            drifted = g * (t / 0.01) ** -0.1
            mean += drifted
            var += (drifted * q_s(g) * math.sqrt(math.log((t + T_READ) / (2 * T_READ)))) ** 2
        _check_moments(x[k * N // 2:(k + 1) * N // 2], mean, var, f"g={g}")
    np.testing.assert_array_equal(S.w[:], w0)


def test_programming_noise_follows_the_pcm_polynomial():
    """prog_noise_scale = 1, dw_min = 0.05, w0 = 0.5 (g = 0.5), N = 10 000; one
    potentiating pairing (5 pulses).

    Reference: the initial weights are programmed: w_i ~ N(0.5, σ_prog(0.5)²); the event's
    target is w_i + 0.25 (exact), its result target + σ_prog(target)·ξ: the standardised
    residuals are N(0, 1) (4σ).
    """
    dev = Memristor(**PCM, dw_min=0.05, prog_noise_scale=1.0)
    pre, post, S = probe_synapses(_rule(dev), N, [10.0], 15.0, "pcm_prog")
    w_init = np.asarray(S.w[:]).copy()
    _check_moments(w_init, 0.5, sigma_prog(0.5) ** 2, "initial programming")
    sl.Network(pre, post, S).run(20 * ms)
    target = w_init + 0.25
    z = (np.asarray(S.w[:]) - target) / sigma_prog(target)
    _check_moments(z, 0.0, 1.0, "event")


def test_drift_exponents_are_drawn_from_the_programmed_conductance():
    """drift_nu_model = 'pcm', t0 = 10 ms, dw_min = 0.05; 5 000 devices at g = 0.02 and
    5 000 at g = 0.05. The second half is programmed at 15 ms (5 pulses, to g ~ 0.298).

    Reference: ν at initialisation has the folded-normal moments of aihwkit's fit at its g
    (4σ); the event redraws ν at its new g, independently of the old one; w_now follows
    w·(max(Δt, t0)/t0)^-ν with each device's ν and Δt since its programming (1e-12).
    """
    dev = Memristor(**PCM, dw_min=0.05, drift="power-law", drift_t0=10 * ms,
                    drift_nu_model="pcm")
    w0 = np.repeat([0.02, 0.05], N // 2)
    post_ms = np.repeat([NEVER, 15.0], N // 2)
    pre, post, S = probe_synapses(_rule(dev), N, [10.0], post_ms, "pcm_nu", w0=w0)
    nu0 = np.asarray(S.mem_nu[:]).copy()
    half = np.arange(N) >= N // 2
    for sel, g in ((~half, 0.02), (half, 0.05)):
        _check_moments(nu0[sel], *nu_moments(g), f"nu at g={g}")
    sl.Network(pre, post, S).run(40 * ms)
    nu = np.asarray(S.mem_nu[:])
    np.testing.assert_array_equal(nu[~half], nu0[~half])
    # the pairing at 15 ms starts from the drifted 0.05 and adds 5 pulses (g = 0.298 ± 1e-3)
    w15 = 0.05 * 1.5 ** -nu0[half] + 0.25
    _check_moments(nu[half], *nu_moments(float(w15.mean())), "nu after the event")
    assert abs(np.corrcoef(nu[half], nu0[half])[0, 1]) < SIGMAS / np.sqrt(N // 2)
    np.testing.assert_allclose(S.w[:][half], w15, rtol=1e-12)
    t = 0.040
    np.testing.assert_allclose(S.w_now[:][~half], 0.02 * (t / 0.01) ** -nu0[~half],
                               rtol=1e-12)
    np.testing.assert_allclose(S.w_now[:][half], w15 * ((t - 0.015) / 0.01) ** -nu[half],
                               rtol=1e-12)


@pytest.mark.parametrize("g_min", [0.0, 10.0])
def test_drift_compensation_undoes_the_nominal_drift(g_min):
    """Power-law drift ν_nom = 0.1 with device spread d2d['drift_nu'] = 0.3, t0 = 5 ms,
    drift_compensation=True; reads at 10 and 40 ms, an (analog) potentiation at 20 ms.

    Reference: a read is w_z + (w_now - w_z)·(max(Δt, t0)/t0)^0.1 with
    w_now - w_z = (w - w_z)(max(Δt, t0)/t0)^-ν_i: x = w_z + (w0 - w_z)·2^(0.1 - ν_i)
    + w_z + (w20 - w_z)·4^(0.1 - ν_i), w20 = drifted w0 at 20 ms + 0.3 e^{-1/2} (1e-12);
    a nominal device reads its programmed weight exactly.
    """
    dev = Memristor(G_min=g_min * uS, G_max=100 * uS, drift="power-law", drift_nu=0.1,
                    drift_t0=5 * ms, drift_compensation=True, d2d={"drift_nu": 0.3})
    w_z = -g_min / (100 - g_min)
    pre, post, S = probe_synapses(_rule(dev), 50, [10.0, 40.0], 20.0, f"comp_{int(g_min)}",
                                  w0=0.3)
    nu = np.asarray(S.mem_nu[:])
    sl.Network(pre, post, S).run(45 * ms)

    def drifted(w, age):
        return w_z + (w - w_z) * (max(age, 0.005) / 0.005) ** -nu

    w20 = drifted(0.3, 0.020) + 0.3 * math.exp(-0.5)
    expected = (w_z + (0.3 - w_z) * 2.0 ** (0.1 - nu)
                + w_z + (w20 - w_z) * 4.0 ** (0.1 - nu))
    np.testing.assert_allclose(post.x[:], expected, rtol=1e-12)
    nominal = Memristor(G_min=g_min * uS, drift="power-law", drift_nu=0.1, drift_t0=5 * ms,
                        drift_compensation=True)
    pre, post, S = probe_synapses(_rule(nominal), 3, [40.0], NEVER, f"comp_nom_{int(g_min)}",
                                  w0=0.3)
    sl.Network(pre, post, S).run(45 * ms)
    np.testing.assert_allclose(post.x[:], 0.3, rtol=1e-12)


def test_read_side_is_the_same_on_both_backends():
    """The pcm preset (drift exponents, programming and 1/f read noise, pulse noise, device
    spread) with drift compensation and write noise: the same numbers on Numba and JAX for
    a seed (1e-12 relative: ``log``, ``**`` and ``exp`` may differ in the last bit between
    XLA and libm, see docs/backends.md)."""
    pytest.importorskip("jax")
    dev = Memristor.preset("pcm", drift_compensation=True, write_noise_std=0.5,
                           drift_t0=2 * ms)
    assert_same_on_both_backends(_rule(dev, A=0.1), "read_backends", ("w", "mem_nu", "w_now"),
                                 rtol=1e-12)


def test_pcm_preset_draws_its_noise_models():
    """The pcm preset programs its initial weights with programming noise and PCM drift
    exponents; a reset goes to 0.005 ± 0.01 (device spread) of the range, clipped at 0:
    a fraction Φ(-1/2) = 0.3085 of the devices resets to G = 0 (binomial, 4σ)."""
    n = 2000
    dev = Memristor.preset("pcm", d2d={"reset": 0.01})
    pre, post, S = probe_synapses(_rule(dev, A=0.05), n, [5.0], NEVER, "pcm_preset")
    assert np.std(S.w[:]) > 0.01 and np.all((S.mem_nu[:] > 0) & (S.mem_nu[:] < 0.3))
    at_zero = np.mean(S.mem_wrst[:] == 0.0)
    p = 0.5 * (1 + math.erf(-0.5 / math.sqrt(2)))
    assert abs(at_zero - p) < SIGMAS * math.sqrt(p * (1 - p) / n)
    dev.reset_devices(S, t=3 * ms, seed=1)
    np.testing.assert_allclose(S.w[:], S.mem_wrst[:], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(S.mem_tprog[:] / ms), 3.0, rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(read_noise_scale=-1.0), r"read_noise_scale must be in \[0.0, inf\), got -1.0$"),
    (dict(t_read=1.0), r"t_read must be a .*second.* quantity \(e.g. 20\*ms\), got 1.0$"),
    (dict(prog_noise_scale=-0.5), r"prog_noise_scale must be in \[0.0, inf\), got -0.5$"),
    (dict(prog_coeff="abc"), r"prog_coeff must be a non-empty sequence of numbers"),
    (dict(prog_coeff=()), r"prog_coeff must be a non-empty sequence of numbers"),
    (dict(prog_coeff=(0.1, float("nan"))), r"prog_coeff\[1\] must be finite, got nan$"),
    (dict(drift="power-law", drift_nu_model="rram"),
     r"drift_nu_model must be one of 'pcm', got 'rram'$"),
    (dict(drift_nu_model="pcm"), r"drift_nu_model='pcm' needs drift='power-law', got "
                                 r"drift=None$"),
    (dict(drift="exponential", drift_compensation=True),
     r"drift_compensation=True needs drift='power-law', got drift='exponential'$"),
    (dict(drift="power-law", drift_compensation=1),
     r"drift_compensation must be True or False, got 1$"),
    (dict(drift="power-law", drift_nu_model="pcm", d2d={"drift_nu": 0.1}),
     r"d2d\['drift_nu'\] = 0.1 but drift_nu_model='pcm' draws every drift exponent"),
])
def test_read_side_rejects_bad_values(kwargs, match):
    """Each message names the argument, the value and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        Memristor(**kwargs)
