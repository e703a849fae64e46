"""BrainPy's AMPA example (the second seed), built from spikeloom's model library.

One input neuron fires at 10, 30, 50 and 70 ms; an AMPA synapse (alpha 0.98 /(ms mM),
beta 0.18 /ms, T 0.5 mM, T_dur 0.5 ms, g_max 1, E = 0 mV, connection probability 1) drives
one ``LifRef`` neuron (V_rest -60 mV, V_th -50 mV, V_reset -60 mV, tau 20 ms, tau_ref 5 ms);
dt = 0.1 ms for 100 ms. As in the seed, every step yields the conductance ``g``, the
synaptic current ``I = g_max*g*(E - V)`` and the potential ``V`` after the step's update
(``run_steps`` plays the part of ``bm.for_loop``, in one compiled run).

Units: BrainPy's LIF has ``R = 1`` with currents and potentials in the same numbers; here
``R = 1 Mohm`` and ``g_max = 1 uS``, so ``I`` in nA has BrainPy's numbers.

Usage::

    python examples/seed_ampa.py [--fig seed_ampa.png] [--out table.txt] [--progress]

``--out`` writes a text table with the columns t [ms], g, I [nA], V [mV], one row per step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from spikeloom import Mohm, Network, defaultclock, mM, ms, mV, nA, uS
from spikeloom.models import AMPA, COBA, FixedProb, LifRef, Projection, SpikeTimeGroup, run_steps


def simulate(progress_bar: bool = False) -> dict[str, np.ndarray]:
    """Run the seed's model; return ``t`` (ms), ``g``, ``I`` (nA) and ``V`` (mV) per step."""
    defaultclock.dt = 0.1 * ms
    pre = SpikeTimeGroup(1, indices=[0, 0, 0, 0], times=[10, 30, 50, 70] * ms,
                         name="seed_pre")
    post = LifRef(1, V_rest=-60 * mV, V_th=-50 * mV, V_reset=-60 * mV, tau=20 * ms,
                  tau_ref=5 * ms, R=1 * Mohm, init={"V": -60 * mV}, name="seed_post")
    syn = Projection(pre, post, synapse=AMPA(alpha=0.98 / (ms * mM), beta=0.18 / ms,
                                             T=0.5 * mM, T_dur=0.5 * ms),
                     connectivity=FixedProb(1.0), weight=1 * uS, output=COBA(E=0 * mV),
                     name="ampa")
    out = run_steps(Network(pre, post, syn), 1000,
                    {"g": (syn, "g"), "I": (syn, "I"), "V": (post, "V")},
                    progress_bar=progress_bar)
    return {"t": np.asarray(out["t"] / ms), "g": np.asarray(out["g"][:, 0]),
            "I": np.asarray(out["I"][:, 0] / nA), "V": np.asarray(out["V"][:, 0] / mV)}


def save_table(result: dict, path: str | Path) -> None:
    table = np.column_stack([result["t"], result["g"], result["I"], result["V"]])
    np.savetxt(path, table, fmt="%.10g", header="t [ms]  g  I [nA]  V [mV]")


def plot(result: dict, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    for ax, key, title, unit in zip(axes, ("g", "I", "V"),
                                    ("Syn conductance", "Syn current", "Post V"),
                                    ("", " [nA]", " [mV]")):
        ax.plot(result["t"], result[key])
        ax.set_title(title)
        ax.set_xlabel("t [ms]")
        ax.set_ylabel(key + unit)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fig", default="seed_ampa.png", help="figure path (PNG)")
    parser.add_argument("--out", default=None, help="text table of t, g, I, V per step")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)
    result = simulate(progress_bar=args.progress)
    plot(result, args.fig)
    if args.out:
        save_table(result, args.out)
    print(f"peak g = {result['g'].max():.6f}, peak I = {result['I'].max():.6f} nA, "
          f"max V = {result['V'].max():.6f} mV; figure: {args.fig}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
