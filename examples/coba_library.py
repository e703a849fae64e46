"""The COBA benchmark written with the model library, checked against the equation strings.

``spikeloom.demo.build_coba`` writes the network of Brette et al. (2007) as Brian2 equation
strings. Here the same network is assembled from the library: ``LifRef`` neurons,
``Expon`` synapses with ``COBA`` outputs (per-postsynaptic alignment, so ``g_exc``/``g_inh``
live in the neurons' equations exactly like ``ge``/``gi`` in the strings) and
``FixedProb(0.02)`` connectivity.

The two are the same model. Built after the same ``seed(...)`` and in the same order
(excitatory synapses, inhibitory synapses, then the random initial potentials), they also
get the same synapses and the same initial state, because ``FixedProb`` draws from
spikeloom's seeded stream exactly like ``Synapses.connect(p=...)``. Their arithmetic differs
only in the order of floating-point operations (``R*(I_syn + I_ext)`` against
``ge*(Erev_exc - v) + ... + I``), so the spike trains are identical until round-off is
amplified by the network's chaos; the rates stay statistically the same.

Usage::

    python examples/coba_library.py [--neurons 4000] [--duration 1000] [--seed 2026] \
        [--fig coba_library.png]

``--fig`` draws the first 200 ms of both rasters (equation strings above, library below).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from spikeloom import Network, SpikeMonitor, ms, seed
from spikeloom.demo import COBA_PARAMETERS, build_coba
from spikeloom.models import COBA, Expon, FixedProb, LifRef, Projection


@dataclass
class LibraryCOBA:
    network: Network
    neurons: LifRef
    exc: Projection
    inh: Projection
    spikes: SpikeMonitor | None


def build_coba_library(n_neurons: int = 4000, p: float = 0.02, method: str = "euler",
                       monitors: bool = True, name: str = "coba") -> LibraryCOBA:
    """The COBA network from the model library (same parameters as ``spikeloom.demo``)."""
    from spikeloom import Mohm

    P = COBA_PARAMETERS
    r = 1 * Mohm
    neurons = LifRef(n_neurons, V_rest=P["El"], V_reset=P["Vr"], V_th=P["Vt"], tau=P["taum"],
                     tau_ref=5 * ms, R=r, I_ext=P["I"] / r, method=method, name=name)
    n_exc = int(0.8 * n_neurons)
    exc = Projection(neurons[:n_exc], neurons, Expon(tau=P["taue"]), FixedProb(p),
                     weight=P["we"] / r, output=COBA(E=P["Erev_exc"]), alignment="post",
                     name=f"{name}_exc")
    inh = Projection(neurons[n_exc:], neurons, Expon(tau=P["taui"]), FixedProb(p),
                     weight=P["wi"] / r, output=COBA(E=P["Erev_inh"]), alignment="post",
                     name=f"{name}_inh")
    # the same order of random draws as build_coba: connect E, connect I, then V
    exc.build()
    inh.build()
    neurons.V = "V_reset + rand()*(V_th - V_reset)"
    spikes = SpikeMonitor(neurons, name=f"{name}_spikes") if monitors else None
    objects = [neurons, exc, inh] + ([spikes] if spikes is not None else [])
    return LibraryCOBA(Network(*objects), neurons, exc, inh, spikes)


def compare(n_neurons: int = 4000, duration_ms: float = 1000.0, seed_value: int = 2026,
            method: str = "euler", fig: str | None = None) -> dict:
    """Build both versions after the same seed, run them, and compare connectivity and spikes.

    With ``fig`` (a file name), also draw both rasters into that figure.
    """
    seed(seed_value)
    strings = build_coba(n_neurons, method=method)
    seed(seed_value)
    library = build_coba_library(n_neurons, method=method)
    same_synapses = (np.array_equal(strings.exc.i, library.exc.i)
                     and np.array_equal(strings.exc.j, library.exc.j)
                     and np.array_equal(strings.inh.i, library.inh.i)
                     and np.array_equal(strings.inh.j, library.inh.j))
    same_v0 = bool(np.array_equal(np.asarray(strings.neurons.v_), library.neurons.V_))
    strings.network.run(duration_ms * ms)
    library.network.run(duration_ms * ms)
    a = _trains(strings.spikes)
    b = _trains(library.spikes)
    first_difference = _first_difference(a, b)
    if fig is not None:
        _plot_rasters(strings.spikes, library.spikes, min(duration_ms, 200.0), fig)
    seconds = duration_ms / 1e3
    return {
        "seed": seed_value,
        "neurons": n_neurons,
        "synapses": int(strings.exc.N + strings.inh.N),
        "same_synapses": bool(same_synapses),
        "same_initial_V": same_v0,
        "spikes_strings": int(strings.spikes.num_spikes),
        "spikes_library": int(library.spikes.num_spikes),
        "rate_strings_hz": strings.spikes.num_spikes / (n_neurons * seconds),
        "rate_library_hz": library.spikes.num_spikes / (n_neurons * seconds),
        "identical_until_ms": first_difference,
        "strings_integration": strings.neurons.integration_method,
        "library_integration": library.neurons.integration_method,
    }


def _plot_rasters(strings_spikes, library_spikes, until_ms: float, path: str) -> None:
    """The spikes of both networks over the first ``until_ms``, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True, sharey=True)
    for ax, monitor, title in zip(axes, (strings_spikes, library_spikes),
                                  ("equation strings (spikeloom.demo.build_coba)",
                                   "model library (LifRef + Expon + COBA + FixedProb)")):
        t = monitor.t_ * 1e3
        keep = t < until_ms
        ax.plot(t[keep], monitor.i[keep], ",k")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("neuron")
    axes[-1].set_xlabel("t [ms]")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _trains(monitor) -> np.ndarray:
    """Spikes as (step, index) pairs sorted by step, then index."""
    steps = np.round(monitor.t_ / 1e-4).astype(np.int64)
    order = np.lexsort((monitor.i, steps))
    return np.stack([steps[order], monitor.i[order]], axis=1)


def _first_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Time (ms) of the first step whose spikes differ (inf when all are identical)."""
    n = min(len(a), len(b))
    diff = np.flatnonzero(np.any(a[:n] != b[:n], axis=1))
    if diff.size:
        return float(min(a[diff[0], 0], b[diff[0], 0]) * 0.1)
    if len(a) != len(b):
        return float((a[n, 0] if len(a) > n else b[n, 0]) * 0.1)
    return float("inf")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fig", default=None, help="draw both rasters into this PNG file")
    args = parser.parse_args(argv)
    result = compare(args.neurons, args.duration, args.seed, fig=args.fig)
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    return 0 if result["same_synapses"] and result["same_initial_V"] else 1


if __name__ == "__main__":
    sys.exit(main())
