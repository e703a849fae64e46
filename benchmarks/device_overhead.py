"""Cost of a non-ideal memristive device: the same STDP run with every preset and with an ideal one.

``python -m benchmarks.device_overhead [--devices ideal reram_es ...] [--repeat 3]
[--duration 10] [--runs 1] [--loop open|closed] [--out FILE] [--plot FILE.png]``

The network is the ``memristor`` case of ``benchmarks/cases.py`` written with spikeloom's rule
API: 1000 Poisson inputs at 20 Hz onto 100 LIF neurons through 1000 x 100 plastic synapses
under the NC rule (``NanocompositeSTDP``, clipped to [0, 1]) with ``device=``:

* ``ideal``: ``Memristor()``, every non-ideality off (the rule's own code, plus ``G_mem``);
* a preset name: ``Memristor.preset(name)`` as published (pulses, pulse noise, device spread,
  drift where the preset has them);
* ``name:quiet``: the same preset without its pulse noise (``dw_min_std=0``), which separates
  the cost of the normal draw from that of the step law.

``--loop open`` (default): each LIF output is driven by its own Poisson input
(``PoissonInput``), and the plastic synapses transmit into a variable that does not drive
it, so every device sees exactly the same spikes (the same number of synaptic events): the
ratio is the device's own cost. ``--loop closed``: the plastic weights drive the outputs, as
in the ``memristor`` case; the devices then change the output rates and so the number of
events (the spike counts are reported).

Each measurement is a fresh process (``--worker``), devices alternate within each
repetition, and the time is the median of the repetitions of a second ``run()`` of
``--duration`` seconds (the first run compiles or loads the loop); with ``--runs N``, of the
fastest of N runs of ``duration/N`` each, times N (steadier on a shared machine). Prints a
Markdown table with the ratio to ``ideal``; ``--out`` also writes it to a file, ``--plot``
draws the ratios as bars against issue 15's target of 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_INPUTS = 1000
N_OUTPUTS = 100


def build(device_name: str, loop: str, seed: int = 1):
    """The network and its synapses for one device (spikeloom objects, fixed names)."""
    import spikeloom as sl
    from spikeloom import Hz, ms
    from spikeloom.models.devices import Memristor
    from spikeloom.models.plasticity import NanocompositeSTDP

    sl.seed(seed)
    sl.defaultclock.dt = 0.1 * ms
    if device_name == "ideal":
        device = Memristor()
    elif device_name.endswith(":quiet"):
        device = Memristor.preset(device_name.split(":")[0], dw_min_std=0.0)
    else:
        device = Memristor.preset(device_name)
    inputs = sl.PoissonGroup(N_INPUTS, rates=20 * Hz, name="devbench_in")
    eqs = "dv/dt = -v/(20*ms) : 1 (unless refractory)\nx : 1"
    outputs = sl.NeuronGroup(N_OUTPUTS, eqs, threshold="v > 1", reset="v = 0",
                             refractory=2 * ms, method="exact", name="devbench_out")
    outputs.v = "rand()"
    scale = 5.0 / N_INPUTS
    if loop == "open":
        # independent drive: 1000 inputs at 20 Hz with jumps of scale*0.5 (the mean initial
        # weight), the same mean drive as the closed loop starts with
        drive = sl.PoissonInput(outputs, "v", N_INPUTS, 20 * Hz, weight=scale * 0.5)
        on_pre = "x_post += w"
    else:
        drive = None
        on_pre = f"v_post += w*{scale!r}"
    rule = NanocompositeSTDP(clip=True, device=device)
    syn = rule.attach(inputs, outputs, w="0.25 + 0.5*rand()", seed=seed, on_pre=on_pre,
                      name="devbench_syn")
    spikes = sl.SpikeMonitor(outputs, name="devbench_spikes")
    objects = [inputs, outputs, syn, spikes] + ([drive] if drive is not None else [])
    return sl.Network(*objects, name="devbench_net"), syn, spikes


def worker(device_name: str, loop: str, duration: float, runs: int = 1) -> dict:
    """One measurement in this process: build, first run (compile/load), then ``runs``
    timed runs of ``duration / runs`` each; the steady times are the fastest of them times
    ``runs`` (on a shared machine the fastest is the least disturbed)."""
    import numpy as np

    from spikeloom import second

    t0 = time.perf_counter()
    net, syn, spikes = build(device_name, loop)
    t1 = time.perf_counter()
    net.run(duration * second)
    t2 = time.perf_counter()
    n_first = int(spikes.num_spikes)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        net.run(duration / runs * second)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    w = np.asarray(syn.w[:], dtype=np.float64)
    return {"device": device_name, "build_s": t1 - t0, "first_s": t2 - t1,
            "steady_s": min(walls) * runs, "steady_cpu_s": min(cpus) * runs,
            "post_spikes": int(spikes.num_spikes) - n_first, "w_mean": float(w.mean()),
            "w_std": float(w.std())}


def _parser() -> argparse.ArgumentParser:
    from spikeloom.models.devices import PRESETS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.device_overhead",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", nargs="+", default=["ideal", *PRESETS],
                        help="'ideal', preset names (default: all) and 'name:quiet'")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0,
                        help="biological seconds of each timed run (default 10)")
    parser.add_argument("--loop", choices=("open", "closed"), default="open")
    parser.add_argument("--runs", type=int, default=1,
                        help="timed runs per process, of duration/runs each; the fastest, "
                             "times runs, is reported (default 1: one run of --duration)")
    parser.add_argument("--out", help="also write the Markdown table to this file")
    parser.add_argument("--plot", help="also draw the CPU-time ratios to this PNG file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    from spikeloom.models.devices import PRESETS

    for name in [args.worker] if args.worker else args.devices:
        base, _, suffix = name.partition(":")
        if not (name == "ideal" or (base in PRESETS and suffix in ("", "quiet"))):
            parser.error(f"unknown device {name!r}; allowed: 'ideal', "
                         f"{', '.join(map(repr, PRESETS))}, and any preset + ':quiet'")
    if args.worker:
        print(json.dumps(worker(args.worker, args.loop, args.duration, args.runs)))
        return
    devices = list(dict.fromkeys(["ideal", *args.devices]))
    env = dict(os.environ)
    env.setdefault("SPIKELOOM_CACHE_DIR", tempfile.mkdtemp(prefix="spikeloom-devbench-"))
    results: dict[str, list[dict]] = {d: [] for d in devices}
    started = time.perf_counter()
    # one warm-up per device fills the disk cache (compilation is not measured)
    for rep in range(args.repeat + 1):
        for device in devices:
            cmd = [sys.executable, "-m", "benchmarks.device_overhead", "--worker", device,
                   "--loop", args.loop, "--duration", str(args.duration),
                   "--runs", str(args.runs)]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env,
                                 check=False)
            if out.returncode != 0:
                raise RuntimeError(f"{device} failed:\n{out.stderr[-2000:]}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            if rep:
                results[device].append(row)
            print(f"[devbench] rep {rep} {device}: steady {row['steady_s']:.3f} s "
                  f"(CPU {row['steady_cpu_s']:.3f} s), {row['post_spikes']} output spikes",
                  file=sys.stderr, flush=True)
    base = statistics.median(r["steady_s"] for r in results["ideal"])
    base_cpu = statistics.median(r["steady_cpu_s"] for r in results["ideal"])
    shown = argv if argv is not None else sys.argv[1:]
    lines = ["Command: `" + " ".join(["python -m benchmarks.device_overhead", *shown]) + "`",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}; loop {args.loop}; {args.duration:g} s "
             f"simulated per timed run; median of {args.repeat} fresh processes per device; "
             f"total {time.perf_counter() - started:.0f} s.", "",
             "| device | steady run (s) | ratio to ideal | CPU time (s) | CPU ratio | "
             "output spikes | mean w |",
             "|---|---|---|---|---|---|---|"]
    ratios = {}
    for device in devices:
        rows = results[device]
        t = statistics.median(r["steady_s"] for r in rows)
        cpu = statistics.median(r["steady_cpu_s"] for r in rows)
        ratios[device] = cpu / base_cpu
        spikes = statistics.median(r["post_spikes"] for r in rows)
        w = statistics.median(r["w_mean"] for r in rows)
        lines.append(f"| {device} | {t:.3f} | {t / base:.2f} | {cpu:.3f} | {ratios[device]:.2f} "
                     f"| {spikes:.0f} | {w:.3f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    if args.plot:
        plot(ratios, Path(args.plot), " ".join(shown))


def plot(ratios: dict[str, float], path: Path, command: str) -> None:
    """Horizontal bars of each device's CPU-time ratio to the ideal device, with the
    target of 1.5 (issue 15) as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(ratios)[::-1]
    values = [ratios[n] for n in names]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(names) + 1.4))
    colours = ["tab:green" if v <= 1.5 else "tab:orange" for v in values]
    ax.barh(names, values, color=colours)
    ax.axvline(1.5, color="k", linestyle="--", linewidth=1, label="target 1.5")
    for y, v in enumerate(values):
        ax.text(v + 0.03, y, f"{v:.2f}", va="center", fontsize=8)
    ax.set_xlabel("CPU time of the STDP run ÷ ideal device's")
    ax.set_title("Cost of a non-ideal device (1000 × 100 plastic synapses)", fontsize=10)
    ax.set_xlim(0, max(values) * 1.12)
    ax.legend(loc="upper right", fontsize=8)
    footer = textwrap.fill(f"python -m benchmarks.device_overhead {command}", 110)
    fig.text(0.01, 0.005, footer, fontsize=6, va="bottom")
    fig.tight_layout(rect=(0, 0.02 + 0.015 * footer.count("\n"), 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
