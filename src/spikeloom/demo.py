"""The main demo: the COBA benchmark network (Brette et al. 2007) written as in Brian2.

4000 leaky integrate-and-fire neurons (80 % excitatory), conductance-based exponential
synapses, connection probability 0.02 (about 80 synapses per neuron), a constant 20 mV drive
and 5 ms refractoriness, the parameters of Brian2's and BrainPy's COBA benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import core, units

COBA_EQUATIONS = """
dv/dt  = (ge*(Erev_exc - v) + gi*(Erev_inh - v) - (v - El) + I)*(1./taum) : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
"""

COBA_PARAMETERS = {
    "taum": 20 * units.ms, "taue": 5 * units.ms, "taui": 10 * units.ms, "Vt": -50 * units.mV,
    "Vr": -60 * units.mV, "El": -60 * units.mV, "Erev_exc": 0.0 * units.mV,
    "Erev_inh": -80.0 * units.mV,
    "I": 20.0 * units.mV, "we": 0.6, "wi": 6.7,
}


@dataclass
class COBANetwork:
    """The objects of one COBA network, ready to run."""

    network: core.Network
    neurons: core.NeuronGroup
    spikes: core.SpikeMonitor
    rate: core.PopulationRateMonitor
    exc: core.Synapses
    inh: core.Synapses


def build_coba(n_neurons: int = 4000, p: float = 0.02, method: str = "euler",
               monitors: bool = True) -> COBANetwork:
    """Build the COBA network.

    Parameters
    ----------
    n_neurons : int
        Number of neurons; the first 80 % are excitatory.
    p : float
        Connection probability of every ordered pair (independent trials).
    method : str
        Integration method of the membrane equation.
    monitors : bool
        Add a SpikeMonitor and a PopulationRateMonitor.
    """
    ns = dict(COBA_PARAMETERS)
    neurons = core.NeuronGroup(n_neurons, COBA_EQUATIONS, threshold="v > Vt", reset="v = Vr",
                               refractory=5 * units.ms, method=method, namespace=ns)
    n_exc = int(0.8 * n_neurons)
    exc = core.Synapses(neurons[:n_exc], neurons, on_pre="ge += we", namespace=ns)
    inh = core.Synapses(neurons[n_exc:], neurons, on_pre="gi += wi", namespace=ns)
    exc.connect(p=p)
    inh.connect(p=p)
    neurons.v = "Vr + rand()*(Vt - Vr)"
    objects = [neurons, exc, inh]
    spikes = rate = None
    if monitors:
        spikes = core.SpikeMonitor(neurons)
        rate = core.PopulationRateMonitor(neurons)
        objects += [spikes, rate]
    return COBANetwork(core.Network(*objects), neurons, spikes, rate, exc, inh)


def run_demo(out_dir: str = ".", duration_ms: float = 1000.0, n_neurons: int = 4000,
             seed: int = 2026) -> dict:
    """Run the COBA demo, save ``coba_raster.png`` and return its summary."""
    import pathlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plot import plot_raster, plot_rate

    core.seed(seed)
    net = build_coba(n_neurons)
    net.network.run(duration_ms * units.ms, report="text")
    duration = duration_ms / 1e3
    mean_rate = net.spikes.num_spikes / (n_neurons * duration)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1]})
    plot_raster(net.spikes, ax=ax1)
    ax1.set_title(f"COBA, {n_neurons} neurons: mean rate {mean_rate:.2f} Hz")
    plot_rate(net.rate, ax=ax2, smooth_width=2 * units.ms)
    fig.tight_layout()
    path = pathlib.Path(out_dir) / "coba_raster.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return {"mean_rate_hz": mean_rate, "spikes": int(net.spikes.num_spikes),
            "synapses": int(net.exc.N + net.inh.N), "raster": str(path),
            "run_seconds": net.network.last_run_time,
            "compile_seconds": net.network.last_compile_time, "neurons": n_neurons,
            "rates_finite": bool(np.isfinite(mean_rate))}
