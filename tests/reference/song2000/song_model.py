"""Song, Miller & Abbott (2000) as in Brian2's documented example (``examples/synapses/STDP.py``).

``brian2_song(b, seed, duration_s)`` builds and runs the example with the simulator *module*
``b`` (``brian2`` for the reference) and returns the final weights (in units of ``gmax``) and
the postsynaptic spike count. The model is the documented one, unchanged (the objects carry
fixed names only so that Brian2's Cython cache compiles them once for all seeds):

* 1000 Poisson inputs at F = 15 Hz → 1 conductance-based LIF neuron (taum 10 ms,
  Ee 0 mV, vt -54 mV, vr -60 mV, El -74 mV, taue 5 ms, ``method='euler'``);
* additive all-to-all STDP with traces: taupre = taupost = 20 ms, gmax = 0.01,
  dApre = 0.01*gmax, dApost = -dApre*taupre/taupost*1.05 (times gmax), hard bounds [0, gmax];
* initial weights ``rand()*gmax``.

The spikeloom test builds the same network with :class:`spikeloom.models.plasticity.PairSTDP`
instead of the hand-written synapse strings (``tests/models/test_plasticity_song2000.py``).
"""

from __future__ import annotations

import gc

import numpy as np

#: Fractions reported by the reference: weights above HIGH*gmax and below LOW*gmax.
HIGH = 0.9
LOW = 0.1
N_INPUTS = 1000

# Constants are used only inside equation strings (resolved from the locals at run time).
# ruff: noqa: F841


def brian2_song(b, seed: int, duration_s: float) -> dict[str, np.ndarray]:
    """Run the documented Brian2 example with simulator module ``b``; weights in gmax units."""
    gc.collect()  # spikeloom keeps names unique among live objects; free earlier runs' ones
    b.start_scope()
    b.seed(seed)
    ms, mV, Hz, second = b.ms, b.mV, b.Hz, b.second
    N = N_INPUTS
    taum = 10 * ms
    taupre = 20 * ms
    taupost = taupre
    Ee = 0 * mV
    vt = -54 * mV
    vr = -60 * mV
    El = -74 * mV
    taue = 5 * ms
    F = 15 * Hz
    gmax = 0.01
    dApre = 0.01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    eqs_neurons = """
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    poisson_input = b.PoissonGroup(N, rates=F, name="song_input")
    neurons = b.NeuronGroup(1, eqs_neurons, threshold="v>vt", reset="v = vr", method="euler",
                            name="song_neuron")
    S = b.Synapses(poisson_input, neurons,
                   """w : 1
                      dApre/dt = -Apre / taupre : 1 (event-driven)
                      dApost/dt = -Apost / taupost : 1 (event-driven)""",
                   on_pre="""ge += w
                             Apre += dApre
                             w = clip(w + Apost, 0, gmax)""",
                   on_post="""Apost += dApost
                              w = clip(w + Apre, 0, gmax)""", name="song_synapses")
    S.connect()
    S.w = "rand() * gmax"
    spikes = b.SpikeMonitor(neurons, name="song_spikes")
    net = b.Network(poisson_input, neurons, S, spikes)
    net.run(duration_s * second)
    w = np.asarray(S.w[:], dtype=np.float64) / gmax
    return {"w_gmax": w, "post_count": np.float64(spikes.num_spikes)}


def fractions(w_gmax: np.ndarray) -> tuple[float, float]:
    """(fraction of weights > HIGH*gmax, fraction < LOW*gmax)."""
    w = np.asarray(w_gmax)
    return float(np.mean(w > HIGH)), float(np.mean(w < LOW))
