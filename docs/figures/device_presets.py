"""Up/down pulse response of every ``Memristor.preset``: ``docs/figures/device_presets.png``.

``.venv/bin/python docs/figures/device_presets.py [--out docs/figures/device_presets.png]``

Each panel is one preset, simulated by spikeloom (Numba backend): potentiating pulses, then
as many depressing ones, advancing the curve by 3 "pulses x dw_min" each way (the x axis:
the cumulative number of pulses times the nominal ``dw_min``; analog presets: the cumulative
request), starting from x = 0.05. Black: the nominal device (noise and spread off, no drift);
colour: 20 devices as published (pulse noise, device-to-device spread). The pulses come from
pairings of an additive ``PairSTDP`` (one pairing = one programming event of a few pulses).

It also prints, per preset with a curve step model, the largest relative difference between
the curve's first pulse and aihwkit's per-pulse update ``x + s·f(x)`` (over x in
[0.01, 0.99], both directions) -- the column "one pulse vs aihwkit" of docs/devices.md.
"""

from __future__ import annotations

import argparse
import gc
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
P_TOTAL = 3.0     # advance along the curve each way, in units of dw_min (or of the range)
EVENTS = 60       # programming events each way (fewer if a pulse is larger than P_TOTAL/60)
X0 = 0.05
N_NOISY = 20


def pulse_response(name: str, seed: int = 1):
    """(cumulative P, nominal trajectory, noisy trajectories, P at the turn) of a preset."""
    import spikeloom as sl
    from spikeloom import Network, SpikeGeneratorGroup, StateMonitor, ms
    from spikeloom.models.devices import Memristor
    from spikeloom.models.plasticity import PairSTDP

    published = Memristor.preset(name, drift=None)
    nominal = Memristor.preset(name, drift=None, dw_min_std=0.0, d2d=None, write_noise_std=0.0,
                               prog_noise_scale=0.0, read_noise_scale=0.0, diffusion=0.0,
                               corrupt_devices_prob=0.0)
    gc.collect()
    sl.start_scope()
    sl.seed(seed)
    step = nominal.dw_min
    events = EVENTS
    if step is None:  # analog: each event is one request of P_TOTAL/EVENTS
        per_event = P_TOTAL / EVENTS
    else:
        events = min(EVENTS, math.ceil(P_TOTAL / step))
        per_event = max(1, round(P_TOTAL / step / events)) * step
    request = per_event
    period = 50.0
    n = 2 * events
    base = 20.0 + period * np.arange(n)
    sign = np.where(np.arange(n) < events, 1.0, -1.0)
    pre = SpikeGeneratorGroup(1, np.zeros(n, int), base * ms, name="fig_pre")
    post = SpikeGeneratorGroup(1, np.zeros(n, int), (base + 5.0 * sign) * ms, name="fig_post")
    out = []
    for k, dev in enumerate((nominal, published)):
        # a pairing at ±5 ms requests A e^{-1} = request exactly; cross pairs (45 ms) e^{-9}
        amp = request * math.e
        rule = PairSTDP(A_plus=amp, A_minus=-amp, tau_plus=5 * ms, tau_minus=5 * ms,
                        pairing="nn_symm", device=dev)
        S = rule.attach(pre, post, connect={"n": 1 if k == 0 else N_NOISY}, w=X0,
                        seed=seed, name=f"fig_syn{k}")
        mon = StateMonitor(S, "w", record=True, dt=1 * ms, name=f"fig_mon{k}")
        Network(pre, post, S, mon).run((base[-1] + period) * ms)
        t = np.asarray(mon.t / ms)
        after = [np.flatnonzero(t >= b + 25.0)[0] for b in base]
        out.append(np.concatenate([np.full((mon.w[:].shape[0], 1), X0),
                                   mon.w[:][:, after]], axis=1))
    cumulative = per_event * np.arange(n + 1)
    return cumulative, out[0][0], out[1], per_event * events


def one_pulse_difference(name: str) -> float | None:
    """Largest |X(x, s) - x - s f(x)|/(s f(x)) of the preset's curve (None: no curve)."""
    from spikeloom.models.devices import Memristor

    dev = Memristor.preset(name)
    law = dev.step_model
    if law is None or dev.dw_min is None:
        return None
    worst = 0.0
    x = np.linspace(0.01, 0.99, 981)
    for up in (True, False):
        s = dev.dw_min * ((1 + min(dev.up_down, 0)) if up else (1 - max(dev.up_down, 0)))
        first = s * law.rate(x, up)
        # where one aihwkit pulse stays inside the range (else both clip at the bound)
        ok = (first > 1e-12) & ((x + first <= 1) if up else (x - first >= 0))
        moved = np.abs(law.advance(x, s, up) - x)
        worst = max(worst, float(np.max(np.abs(moved[ok] - first[ok]) / first[ok])))
    return worst


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spikeloom.models.devices import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(HERE / "device_presets.png"))
    args = parser.parse_args()
    names = list(PRESETS)
    fig, axes = plt.subplots(3, 4, figsize=(13, 8.4), sharex=True, sharey=True)
    short = {"soft bounds": "soft bounds", "constant step": "constant step"}
    print("| preset | one pulse vs aihwkit (max relative difference) |")
    print("|---|---|")
    for ax, name in zip(axes.ravel(), names):
        p, nominal, noisy, turn = pulse_response(name)
        for row in noisy:
            ax.plot(p, row, color="tab:orange", lw=0.6, alpha=0.5)
        ax.plot(p, nominal, color="k", lw=1.4)
        ax.axvline(turn, color="0.7", lw=0.6, ls=":")
        model = PRESETS[name].model
        label = ("step ∝ x (table)" if name == "nc" else "exponential step (PPX fit)"
                 if name == "ppx" else "linear step (table)" if "LinearStep" in model
                 else short.get(model, model))
        label = label.split(" + ")[0]  # the drift and noise models are in the docs' table
        ax.set_title(f"{name}: {label}", fontsize=9)
        ax.set_ylim(-0.03, 1.03)
        diff = one_pulse_difference(name)
        print(f"| `{name}` | {'—' if diff is None else f'{diff:.2%}'} |")
    fig.supxlabel("cumulative pulses x dw_min (potentiation to 3, then depression)",
                  fontsize=9)
    fig.supylabel("state x = (G - G_min)/(G_max - G_min)", fontsize=9)
    fig.suptitle("Memristor.preset: pulse response (black: nominal device; orange: 20 devices "
                 "with pulse noise and device spread)", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
