"""The Potjans & Diesmann (2014) cortical microcircuit: parameters and one shared network.

Pure NumPy, so that every simulator's environment can import it: ``cases.py`` builds the
model from these tables with Brian2's API (spikeloom and Brian2), ``peers/nest_cases.py``
with NEST's ``iaf_psc_exp``. All of them simulate the *same* network for a seed: the same
synapses, weights, delays and initial potentials.

The model (Potjans & Diesmann 2014, Cereb. Cortex 24:785; parameters as in NEST's and PyNN's
examples of it): eight populations (L2/3, L4, L5, L6; excitatory and inhibitory) of
current-based LIF neurons with exponential synaptic currents (C_m 250 pF, tau_m 10 ms,
tau_syn 0.5 ms, E_L = V_reset = -65 mV, V_th -50 mV, t_ref 2 ms); connection probabilities
between populations from anatomy (:data:`CONN_PROBS`); mean excitatory PSP 0.15 mV (a current
of 87.8 pA, :func:`psc_from_psp`), inhibitory g = -4 times that, L4e -> L2/3e doubled, all
with a relative spread of 10 %; delays normal with mean 1.5 ms (excitatory) and 0.75 ms
(inhibitory), relative spread 50 %; a Poisson background of 8 Hz through ``K_EXT`` synapses
per neuron. Initial potentials are NEST's "optimized" population-wise normal distributions,
which avoid the synchronous burst at the start.

Scaling: ``scale`` multiplies the number of neurons and keeps every neuron's in-degree (the
number of synapses a neuron receives) as in the full model, so the input statistics and thus
the rates stay those of the full model without any compensation (NEST's example with
``N_scaling = scale``, ``K_scaling = 1``).

Synapse counts: as in the model's definition, the connection probability C between a source
and a target population of the full model is turned into a total number of synapses
K = log(1 - C) / log(1 - 1/(N_pre N_post)), drawn as independent uniform (source, target) pairs
(multapses allowed, autapses not: NEST's ``fixed_total_number``); at a scale the total is
multiplied by ``scale`` (the in-degree is kept).

The synapses are stored sorted by source, the order in which NEST keeps them and in which
Brian2's and spikeloom's ``connect`` create them (drawn pathway by pathway, they would lie in
random order: spikeloom then runs about 4x slower, every synapse a cache miss, see
``benchmarks/README.md``).

Delays are rounded to the 0.1 ms grid here, at least one step, so that every simulator
delivers each spike at the same step. A delay of k steps means the same in both APIs: a
spike of step t changes the target's current in step t + k, which moves the membrane from
step t + k + 1 on (NEST adds it after the membrane update of step t + k; Brian2's synapses
act after the state update of step t + k). Measured on the 10 % network, seeds 2 and 3:
spikeloom 3.67 and 3.90 Hz, NEST 3.93 and 3.76 Hz (with delays one step shorter on the
Brian2 side, 3.58 Hz against NEST's 3.84 Hz for seed 1).
"""

from __future__ import annotations

import math

import numpy as np

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
#: neurons of each population in the full model (77 169 in all)
N_FULL = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
#: connection probabilities, [target, source], in the order of POPULATIONS
CONN_PROBS = (
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443),
)
#: external (Poisson background) synapses per neuron of each population
K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
#: "optimized" initial potentials: mean and standard deviation per population (mV)
V0_MEAN_MV = (-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43)
V0_SD_MV = (5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48)
#: mean rates of the full-scale model with Poisson background (Hz), as listed by NEST's
#: example (``full_mean_rates``); the published figure (Potjans & Diesmann 2014, Fig. 6)
#: shows the same pattern: L2/3e and L6e near 1 Hz, L5 near 8-9 Hz.
REFERENCE_RATES_HZ = (0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523)
#: the benchmark's criterion: every population's rate within these factors of its reference
#: rate (a scaled-down network with in-degrees kept fires somewhat faster than the full one)
RATE_BAND = (0.5, 1.5)

NEURON = {"C_m_pF": 250.0, "tau_m_ms": 10.0, "tau_syn_ms": 0.5, "E_L_mV": -65.0,
          "V_th_mV": -50.0, "V_reset_mV": -65.0, "t_ref_ms": 2.0}
PSP_E_MV = 0.15        # mean excitatory PSP amplitude
PSP_REL_SD = 0.1       # relative spread of the weights
G_INH = -4.0           # inhibitory weight relative to excitatory
BG_RATE_HZ = 8.0       # rate of each background source
DELAY_MEAN_MS = (1.5, 0.75)  # excitatory, inhibitory sources
DELAY_REL_SD = 0.5
DT_MS = 0.1
#: spikes before this time are not counted in the population rates (start transient)
TRANSIENT_S = 0.1


def psc_from_psp(psp_mv: float) -> float:
    """Amplitude (pA) of an exponential current whose PSP peaks at ``psp_mv`` (mV).

    For C dV/dt = -C (V - E_L)/tau_m + J exp(-t/tau_s), the PSP is
    J tau_m tau_s / (C (tau_m - tau_s)) (exp(-t/tau_m) - exp(-t/tau_s)), whose maximum is at
    t* = tau_m tau_s ln(tau_m/tau_s) / (tau_m - tau_s); 0.15 mV gives 87.81 pA.
    """
    c, tm, ts = NEURON["C_m_pF"], NEURON["tau_m_ms"], NEURON["tau_syn_ms"]
    t_peak = tm * ts * math.log(tm / ts) / (tm - ts)
    shape = tm * ts / (c * (tm - ts)) * (math.exp(-t_peak / tm) - math.exp(-t_peak / ts))
    return psp_mv / shape  # mV / (mV per pA)


def population_sizes(scale: float) -> np.ndarray:
    """Neurons per population at ``scale`` (fraction of the full model, 0 < scale <= 1)."""
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"scale must be in (0, 1], got {scale!r}")
    return np.maximum(1, np.round(np.asarray(N_FULL) * scale)).astype(np.int64)


def synapse_counts(scale: float) -> np.ndarray:
    """Number of synapses [target, source] at ``scale`` (in-degrees of the full model)."""
    n = np.asarray(N_FULL, dtype=np.float64)
    c = np.asarray(CONN_PROBS)
    pairs = np.outer(n, n)
    with np.errstate(divide="ignore"):
        k_full = np.log1p(-c) / np.log1p(-1.0 / pairs)
    return np.round(k_full * scale).astype(np.int64)


def weight_means_pa() -> np.ndarray:
    """Mean synaptic current (pA) [target, source]: excitatory, g x for inhibitory sources,
    L4e -> L2/3e doubled."""
    w = psc_from_psp(PSP_E_MV)
    means = np.tile(np.array([w, G_INH * w] * 4), (8, 1))
    means[0, 2] *= 2.0
    return means


def build_tables(scale: float, seed: int) -> dict:
    """The whole network at ``scale``, drawn with NumPy's generator seeded with ``seed``.

    Returns
    -------
    dict
        ``sizes`` (neurons per population), ``offsets`` (first index of each population in
        the one group of all neurons), ``i``, ``j`` (source and target indices, int32),
        ``weight_pa`` (float64), ``delay_steps`` (int32, at least 1; NEST's delay in steps of
        0.1 ms), ``v0_mv`` (initial potentials), ``k_ext`` (background synapses per neuron),
        ``w_ext_pa`` (their weight).
    """
    rng = np.random.default_rng(seed)
    sizes = population_sizes(scale)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    counts = synapse_counts(scale)
    means = weight_means_pa()
    sources, targets, weights, delays = [], [], [], []
    for a in range(8):      # target population
        for b in range(8):  # source population
            k = int(counts[a, b])
            if k == 0:
                continue
            pre = rng.integers(0, sizes[b], k)
            post = rng.integers(0, sizes[a], k)
            if a == b:      # no autapses: redraw the targets of self-connections
                self_pairs = np.flatnonzero(pre == post)
                while self_pairs.size:
                    post[self_pairs] = rng.integers(0, sizes[a], self_pairs.size)
                    self_pairs = self_pairs[pre[self_pairs] == post[self_pairs]]
            sources.append((pre + offsets[b]).astype(np.int32))
            targets.append((post + offsets[a]).astype(np.int32))
            weights.append(_signed_normal(rng, means[a, b], abs(means[a, b]) * PSP_REL_SD, k))
            delays.append(_delay_steps(rng, DELAY_MEAN_MS[b % 2], k))
    v0 = np.concatenate([rng.normal(V0_MEAN_MV[p], V0_SD_MV[p], sizes[p]) for p in range(8)])
    sources = np.concatenate(sources)
    by_source = _stable_order(sources)
    return {"sizes": sizes, "offsets": offsets, "i": sources[by_source],
            "j": np.concatenate(targets)[by_source],
            "weight_pa": np.concatenate(weights)[by_source],
            "delay_steps": np.concatenate(delays)[by_source], "v0_mv": v0,
            "k_ext": np.asarray(K_EXT), "w_ext_pa": psc_from_psp(PSP_E_MV)}


def _stable_order(values: np.ndarray) -> np.ndarray:
    """The stable sorting permutation of non-negative ints (their index appended to each
    makes them distinct, so NumPy's fast unstable sort of one int64 array gives it)."""
    bits = max(int(values.size - 1).bit_length(), 1)
    combined = values.astype(np.int64) << bits
    combined |= np.arange(values.size, dtype=np.int64)
    combined.sort()
    return combined & ((1 << bits) - 1)


def _signed_normal(rng, mean: float, sd: float, k: int) -> np.ndarray:
    """Normal weights, redrawn where the sign flips (NEST's ``redraw``; 1e-23 at 10 sd)."""
    w = rng.normal(mean, sd, k)
    flipped = np.flatnonzero(w * mean <= 0)
    while flipped.size:
        w[flipped] = rng.normal(mean, sd, flipped.size)
        flipped = flipped[w[flipped] * mean <= 0]
    return w


def _delay_steps(rng, mean_ms: float, k: int) -> np.ndarray:
    """Normal delays (relative sd 0.5), redrawn below one step, rounded to steps."""
    d = rng.normal(mean_ms, mean_ms * DELAY_REL_SD, k)
    short = np.flatnonzero(d < DT_MS)
    while short.size:
        d[short] = rng.normal(mean_ms, mean_ms * DELAY_REL_SD, short.size)
        short = short[d[short] < DT_MS]
    return np.maximum(1, np.round(d / DT_MS)).astype(np.int32)


def population_rates(indices, times_s, sizes, duration_s: float) -> list[float]:
    """Mean rate (Hz) of each population from spike indices and times (s), counting only
    spikes after :data:`TRANSIENT_S`."""
    indices = np.asarray(indices)
    late = np.asarray(times_s) >= TRANSIENT_S
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    counts = np.histogram(indices[late], bins=bounds)[0]
    return [float(c / (s * (duration_s - TRANSIENT_S))) for c, s in zip(counts, sizes)]


def rates_in_band(rates_hz) -> list[bool]:
    """Whether each population's rate lies within :data:`RATE_BAND` of its reference."""
    low, high = RATE_BAND
    return [low * ref <= r <= high * ref for r, ref in zip(rates_hz, REFERENCE_RATES_HZ)]
