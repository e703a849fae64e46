"""STDP windows of the two memristor rules, ideal and on variable devices.

The forum seed's figure (weight change against Δt = t_post - t_pre for w0 = 0.4, one pairing
per synapse, pre spike at 100 ms, post spikes spread over 0-250 ms), measured in the simulator
with :func:`spikeloom.models.plasticity.stdp_window` for

* the nanocomposite (NC) rule of the seed (Sboev et al. 2021) and
* the parylene (PPX) rule of the group's NEST module,

each ideal (line) and on 200 memristors with device-to-device variability, a nonlinear
update and cycle-to-cycle noise (mean: dashed, ± one standard deviation: band).

Run: ``python examples/memristor_stdp_window.py [--out memristor_stdp_window.png]``
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spikeloom import ms, uS
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import (
    NanocompositeSTDP,
    ParyleneSTDP,
    plot_stdp_window,
    stdp_window,
)

W0 = 0.4
T_PRE = 100 * ms
DELTA_T = (np.linspace(0, 250, 100) - 100) * ms  # the seed's post spikes minus its pre spike


def variable_device() -> Memristor:
    """A device with 10 % spread of G_min/G_max, nonlinear steps (ν = 1 ± 0.5) and 20 % c2c."""
    return Memristor(G_min=10 * uS, G_max=100 * uS, nl_ltp=1.0, nl_ltd=1.0, c2c=0.2,
                     d2d={"G_min": 0.1, "G_max": 0.1, "nl_ltp": 0.5, "nl_ltd": 0.5})


def make_figure(n_devices: int = 200, seed: int = 1):
    """The figure (returned, not shown) and the four window results."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    results = {}
    for ax, (name, make) in zip(axes, [("NC", NanocompositeSTDP), ("PPX", ParyleneSTDP)]):
        ideal = stdp_window(make(), DELTA_T, w0=W0, t_start=T_PRE)
        device = stdp_window(make(device=variable_device()), DELTA_T, w0=W0, t_start=T_PRE,
                             n_devices=n_devices, seed=seed)
        plot_stdp_window(ideal, ax, color="r", label="ideal")
        plot_stdp_window(device, ax, color="b", linestyle="--",
                         label=f"{n_devices} memristors (mean ± std)")
        ax.set_title(f"{name} rule, w0 = {W0}")
        results[name] = (ideal, device)
    fig.tight_layout()
    return fig, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="memristor_stdp_window.png", help="PNG file to write")
    parser.add_argument("--devices", type=int, default=200, help="devices per Δt")
    args = parser.parse_args(argv)
    fig, _ = make_figure(args.devices)
    fig.savefig(args.out, dpi=120)
    plt.close(fig)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
