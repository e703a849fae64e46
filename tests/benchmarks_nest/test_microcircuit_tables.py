"""The Potjans & Diesmann (2014) network of ``benchmarks/microcircuit.py``.

Every simulator of the benchmark runs the network these tables describe, so their numbers
are pinned against the model's published ones: the 87.8 pA current of a 0.15 mV PSP (the
paper's and NEST's example's value), the PSP peak found by integrating the membrane
numerically, the ~0.3 billion synapses of the full model, and in-degrees kept at a scale.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from benchmarks import microcircuit as mc


def test_a_015_mv_psp_needs_878_pa():
    assert mc.psc_from_psp(0.15) == pytest.approx(87.81, abs=0.005)


def test_the_psc_peaks_at_the_psp_by_numerical_integration():
    """Integrate C dV/dt = -C V/tau_m + J exp(-t/tau_s) on a fine grid (exact for I)."""
    p = mc.NEURON
    j = mc.psc_from_psp(0.15)
    dt = 1e-4  # ms
    t = np.arange(0.0, 20.0, dt)
    current = j * np.exp(-t / p["tau_syn_ms"])
    v = np.zeros_like(t)
    decay = np.exp(-dt / p["tau_m_ms"])
    for k in range(1, t.size):  # exponential Euler of the membrane, midpoint current
        drive = 0.5 * (current[k - 1] + current[k]) * p["tau_m_ms"] / p["C_m_pF"]
        v[k] = v[k - 1] * decay + drive * (1 - decay)
    assert v.max() == pytest.approx(0.15, rel=1e-5)


def test_the_full_model_has_about_03_billion_synapses():
    total = mc.synapse_counts(1.0).sum()
    assert 2.95e8 < total < 3.05e8
    assert sum(mc.N_FULL) == 77169


@pytest.fixture(scope="module")
def tables():
    return mc.build_tables(0.02, seed=3)


def test_scaling_keeps_every_in_degree(tables):
    sizes = tables["sizes"]
    full = mc.synapse_counts(1.0) / np.asarray(mc.N_FULL)[:, None]  # per target neuron
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    target_pop = np.searchsorted(bounds, tables["j"], side="right") - 1
    source_pop = np.searchsorted(bounds, tables["i"], side="right") - 1
    counts = np.zeros((8, 8))
    np.add.at(counts, (target_pop, source_pop), 1)
    np.testing.assert_allclose(counts / sizes[:, None], full, rtol=0.02, atol=0.5)


def test_weights_delays_and_storage(tables):
    bounds = np.concatenate([[0], np.cumsum(tables["sizes"])])
    source_pop = np.searchsorted(bounds, tables["i"], side="right") - 1
    target_pop = np.searchsorted(bounds, tables["j"], side="right") - 1
    excitatory = source_pop % 2 == 0
    w = tables["weight_pa"]
    assert (w[excitatory] > 0).all() and (w[~excitatory] < 0).all()
    l4e_to_l23e = (source_pop == 2) & (target_pop == 0)
    other_exc = excitatory & ~l4e_to_l23e
    assert w[l4e_to_l23e].mean() == pytest.approx(2 * 87.81, rel=0.01)
    assert w[other_exc].mean() == pytest.approx(87.81, rel=0.01)
    assert w[~excitatory].mean() == pytest.approx(-4 * 87.81, rel=0.01)
    assert w[other_exc].std() == pytest.approx(8.781, rel=0.05)
    d = tables["delay_steps"]
    assert d.min() >= 1
    # normal delays (1.5 ms and 0.75 ms, sd 50 %) redrawn below one step: the means of
    # normals truncated at 0.1 ms, mu + sigma phi(a) / (1 - Phi(a)), a = (0.1 - mu) / sigma
    for mask, mu in ((excitatory, 1.5), (~excitatory, 0.75)):
        sigma = 0.5 * mu
        a = (mc.DT_MS - mu) / sigma
        phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
        tail = 0.5 * math.erfc(a / math.sqrt(2))
        assert d[mask].mean() * mc.DT_MS == pytest.approx(mu + sigma * phi / tail, abs=0.01)
    assert not (tables["i"] == tables["j"]).any()  # no autapses
    assert (np.diff(tables["i"]) >= 0).all()  # stored by source
