"""Soak test: a long plastic run in many ``run()`` chunks, with checkpoints; speed and memory.

``python -m benchmarks.soak [--steps 10000000] [--checkpoint-every 10s] [--report-every 10s]
[--warmup 5] [--out FILE]``

Not part of the test suite (it takes minutes). The network, sized so that the default 10^7
steps take about 4-6 minutes on a 2-core Intel Xeon, is the ``memristor`` case's layer under
pair STDP: 1000 Poisson inputs at 20 Hz onto 300 LIF neurons through 1000 x 300 = 300 000
plastic synapses (``PairSTDP()``: additive, all-to-all pairing, hard bounds [0, 1]), dt = 0.1 ms,
so 10^7 steps are 1000 s simulated. As in ``benchmarks/device_overhead.py`` (``--loop
open``), each neuron is driven by its own ``PoissonInput`` and the plastic synapses transmit
into a variable that does not drive it: the number of synaptic events per second stays the
same however the weights evolve, so a change of speed over the run is the simulator's, not
the dynamics'. Recorded: a ``SpikeMonitor`` of the 300 neurons (about 14 Hz each) and a
``StateMonitor`` of 8 weights every 10 ms (about 55 MiB of monitor buffers at the end).

The run is ``--steps`` steps in consecutive ``run()`` calls of ``--report-every`` simulated
time each, every call writing a checkpoint every ``--checkpoint-every`` (to a temporary
directory, see ``docs/reliability.md``). After each call the script records wall time,
steps/s (per wall second; and the loop's per CPU second, the time spent writing checkpoints
left out), current RSS (``/proc/self/statm``), peak RSS (``getrusage``), the monitors' own
bytes (their record buffers: the rows recorded, and the buffers allocated), the free memory
glibc's malloc keeps (``mallinfo2``) and the checkpoint's size.

It prints (and writes to ``--out``) a Markdown table and a verdict:

* speed: the loop's steps per CPU second over the first and the last chunks after the
  warm-up (medians, and the fastest chunk of each) against the chunk-to-chunk noise; CPU
  time, because other processes on the machine change the wall-clock speed;
* leak: RSS growth after the first ``--warmup`` chunks (compilation, first allocations) and
  the monitors' growth, per simulated second; the difference, less what malloc keeps as
  free memory (freed blocks it has not given back: checkpoint writing's temporaries, the
  monitors' regrown buffers), is what nothing explains, and should be about 0. RSS after
  ``malloc_trim(0)`` at the end confirms it.

A figure (steps/s, RSS and monitor bytes against simulated time) goes beside ``--out``
(same name, ``.png``) or to ``benchmarks/soak.png``. Finally a fresh process builds the
same network, loads the last checkpoint (timed), runs 100 ms more and compares spikes and
weights with this process doing the same. ``--tracemalloc`` traces Python's allocations from
the end of the warm-up and lists those still alive at the end, by line (to find a leak;
the traces themselves then inflate RSS, and lowering each ``run()`` is slower).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_INPUTS = 1000
N_OUTPUTS = 300
N_RECORDED_WEIGHTS = 8
MIB = 2**20
#: simulated time run by both processes after the load, to compare their continuations
CONTINUE_MS = 100.0
#: leak tolerance: RSS growth after the warm-up not explained by the monitors' buffers or
#: by malloc's free memory, over the whole measured span (Python's own arenas and caches)
LEAK_TOLERANCE_MIB = 8.0


# -- the network -----------------------------------------------------------------------------

def build(n_inputs: int, n_outputs: int, seed: int = 1):
    """The plastic network and its synapses and monitors (fixed names: a checkpoint needs them)."""
    import spikeloom as sl
    from spikeloom import Hz, ms
    from spikeloom.models.plasticity import PairSTDP

    sl.seed(seed)  # a rebuilt network must have the same structure and initial weights
    sl.defaultclock.dt = 0.1 * ms
    inputs = sl.PoissonGroup(n_inputs, rates=20 * Hz, name="soak_in")
    eqs = "dv/dt = -v/(20*ms) : 1 (unless refractory)\nx : 1"
    outputs = sl.NeuronGroup(n_outputs, eqs, threshold="v > 1", reset="v = 0",
                             refractory=2 * ms, method="exact", name="soak_out")
    outputs.v = "rand()"
    # open loop: the drive does not depend on the weights (see the module docstring)
    drive = sl.PoissonInput(outputs, "v", n_inputs, 20 * Hz, weight=2.5 / n_inputs)
    syn = PairSTDP().attach(inputs, outputs, w="rand()", seed=seed, on_pre="x_post += w",
                            name="soak_syn")
    spikes = sl.SpikeMonitor(outputs, name="soak_spikes")
    weights = sl.StateMonitor(syn, "w", record=np.arange(N_RECORDED_WEIGHTS), dt=10 * ms,
                              name="soak_w")
    net = sl.Network(inputs, outputs, drive, syn, spikes, weights, name="soak_net")
    return net, syn, [spikes, weights]


def fingerprint(net, syn, spikes) -> dict:
    """What two processes compare: time, spike count, SHA-256 of the weights and spikes."""
    w = np.ascontiguousarray(np.asarray(syn.w[:], dtype=np.float64))
    i = np.ascontiguousarray(np.asarray(spikes.i[:], dtype=np.int64))
    return {"t": float(net.t_), "num_spikes": int(spikes.num_spikes),
            "w_sha256": hashlib.sha256(w.tobytes()).hexdigest(),
            "i_sha256": hashlib.sha256(i.tobytes()).hexdigest()}


# -- measurements ----------------------------------------------------------------------------

def rss_bytes() -> int:
    """Resident set size now (second field of /proc/self/statm, in pages)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def malloc_free_bytes() -> int | None:
    """Free memory glibc's malloc keeps in its heaps (``mallinfo2().fordblks``): freed
    blocks it has not given back to the system, still in RSS; None off glibc >= 2.33."""
    info = _mallinfo2()
    return None if info is None else int(info.fordblks)


def malloc_trim() -> None:
    """Give malloc's free memory back to the system (glibc), to see what RSS is left."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _libc():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _mallinfo2():
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = MallInfo2
    return libc.mallinfo2()


def _buffers(monitor) -> list[np.ndarray]:
    """A monitor's record buffers (one row per record; the columns' dict included)."""
    names = ("_i", "_steps", "_times", "_rate")
    arrays = [getattr(monitor, n) for n in names if isinstance(getattr(monitor, n, None),
                                                             np.ndarray)]
    return arrays + list(getattr(monitor, "_columns", {}).values())


def monitor_bytes(monitors) -> tuple[int, int]:
    """(recorded, allocated) bytes of the monitors' buffers: the rows up to the fill mark,
    and the whole buffers (the loop grows them ahead of the data, and Numba's ``np.zeros``
    touches every page, so the allocated size is what can be resident)."""
    recorded = allocated = 0
    for monitor in monitors:
        fill = int(monitor._fill[0])
        for arr in _buffers(monitor):
            row = arr.nbytes // max(arr.shape[0], 1)
            recorded += row * min(fill, arr.shape[0])
            allocated += arr.nbytes
    return recorded, allocated


def clocks() -> np.ndarray:
    """(wall, CPU) seconds now. The process's CPU time (all threads: the loop runs in a
    worker thread) hardly counts the time other processes on the machine take from it."""
    return np.array([time.perf_counter(), time.process_time()])


class CheckpointTimer:
    """Times ``net.save_checkpoint`` (run() calls it between its compiled chunks), so that
    the loop's speed can be told apart from the cost of writing ever larger files."""

    def __init__(self, net) -> None:
        self.seconds = np.zeros(2)  # wall, CPU
        self._save = net.save_checkpoint
        net.save_checkpoint = self  # an instance attribute wins over the method

    def __call__(self, path) -> None:
        t0 = clocks()
        self._save(path)
        self.seconds += clocks() - t0

    def take(self) -> np.ndarray:
        seconds, self.seconds = self.seconds, np.zeros(2)
        return seconds


# -- the soak run ----------------------------------------------------------------------------

def parse_time(text: str) -> float:
    """'10s', '500ms', '0.5 s' or a plain number (seconds) as seconds."""
    match = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(ms|s)?\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (e.g. '10s', '500ms')")
    value = float(match.group(1)) * (1e-3 if match.group(2) == "ms" else 1.0)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def chunk_steps(total: int, every_s: float, dt_s: float = 1e-4) -> list[int]:
    """Steps of each run() call: ``every_s`` of simulated time each, the rest in the last."""
    size = max(1, round(every_s / dt_s))
    sizes = [size] * (total // size)
    return sizes + ([total % size] if total % size else [])


def soak(args, ckpt: Path) -> tuple[list[dict], dict]:
    """Run the chunks; one row of measurements per chunk, and what the load check needs."""
    import tracemalloc

    from tqdm import tqdm

    from spikeloom import second

    t0 = time.perf_counter()
    net, syn, monitors = build(args.n_inputs, args.n_outputs)
    build_s = time.perf_counter() - t0
    timer = CheckpointTimer(net)
    rows = [sample(net, monitors, ckpt, 0, np.zeros(2), np.zeros(2))]  # before any run
    started = time.perf_counter()
    bar = tqdm(chunk_steps(args.steps, args.report_every), unit="chunk", desc="soak")
    for steps in bar:
        t1 = clocks()
        net.run(steps * 1e-4 * second, checkpoint_every=args.checkpoint_every * second,
                checkpoint_path=ckpt)
        row = sample(net, monitors, ckpt, steps, clocks() - t1, timer.take())
        rows.append(row)
        if args.tracemalloc and len(rows) == args.warmup + 1:
            # from here on: compilation is not slowed down, and what is still traced at
            # the end was allocated after the warm-up and never freed
            tracemalloc.start(8)
        bar.set_postfix(steps_s=f"{row['steps_per_s']:.3g}", rss=f"{row['rss'] / MIB:.0f}M")
    total_s = time.perf_counter() - started
    return rows, {"net": net, "syn": syn, "spikes": monitors[0], "build_s": build_s,
                  "total_s": total_s}


def sample(net, monitors, ckpt: Path, steps: int, spent: np.ndarray,
           ckpt_spent: np.ndarray) -> dict:
    """One row: the chunk's timings (``spent``, ``ckpt_spent``: wall and CPU seconds of
    the run() call and of its checkpoint writing) and the process's memory after it."""
    recorded, allocated = monitor_bytes(monitors)
    wall, cpu = spent
    loop_wall, loop_cpu = np.maximum(spent - ckpt_spent, 1e-12)
    nan = float("nan")
    return {"t": float(net.t_), "steps": steps, "wall_s": wall, "cpu_s": cpu,
            "checkpoint_s": ckpt_spent[0],
            "steps_per_s": steps / wall if steps else nan,
            "loop_steps_per_s": steps / loop_wall if steps else nan,
            "loop_steps_per_cpu_s": steps / loop_cpu if steps else nan,
            "rss": rss_bytes(), "peak_rss": peak_rss_bytes(), "monitor_recorded": recorded,
            "monitor_allocated": allocated, "malloc_free": malloc_free_bytes() or 0,
            "checkpoint_bytes": ckpt.stat().st_size if ckpt.exists() else 0}


def tracemalloc_report(top: int = 10) -> str:
    """The largest Python allocations (NumPy's included) made since tracing started and
    still alive, by source line (Numba's allocations inside the loop are not seen)."""
    import tracemalloc

    stats = tracemalloc.take_snapshot().statistics("lineno")
    tracemalloc.stop()
    total = sum(s.size for s in stats)
    lines = [f"  {s}" for s in stats[:top]]
    return f"  in all {total / 1024:.1f} KiB in {sum(s.count for s in stats)} blocks\n" + \
        "\n".join(lines)


# -- the load check --------------------------------------------------------------------------

def load_worker(path: str, n_inputs: int, n_outputs: int) -> dict:
    """In a fresh process: build, load the checkpoint (timed), fingerprint, continue, again."""
    from spikeloom import ms

    t0 = time.perf_counter()
    net, syn, monitors = build(n_inputs, n_outputs)
    t1 = time.perf_counter()
    net.load_checkpoint(path)
    t2 = time.perf_counter()
    loaded = fingerprint(net, syn, monitors[0])
    net.run(CONTINUE_MS * ms)
    return {"build_s": t1 - t0, "load_s": t2 - t1, "loaded": loaded,
            "continued": fingerprint(net, syn, monitors[0])}


def check_load(ckpt: Path, args, state: dict) -> dict:
    """Load the last checkpoint in a fresh process; compare with this process's state."""
    from spikeloom import ms

    net, syn, spikes = state["net"], state["syn"], state["spikes"]
    expected = fingerprint(net, syn, spikes)
    cmd = [sys.executable, "-m", "benchmarks.soak", "--load-worker", str(ckpt),
           "--n-inputs", str(args.n_inputs), "--n-outputs", str(args.n_outputs)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"loading {ckpt} in a fresh process failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    net.run(CONTINUE_MS * ms)  # after the measurements: the same continuation here
    result["same_state"] = result["loaded"] == expected
    result["same_continuation"] = result["continued"] == fingerprint(net, syn, spikes)
    result["checkpoint_bytes"] = ckpt.stat().st_size
    return result


# -- verdicts --------------------------------------------------------------------------------

def speed_verdict(rows: list[dict], warmup: int) -> dict:
    """The loop's steps per CPU second (checkpoint writing left out) of the first and last
    chunks after the warm-up: medians, and the fastest chunk of each (other processes only
    ever slow a chunk down, so the fastest is the least disturbed), against the noise
    (median absolute deviation of all those chunks, relative to their median)."""
    speeds = [r["loop_steps_per_cpu_s"] for r in rows[1 + warmup:]]
    k = max(3, len(speeds) // 10)
    first, last = statistics.median(speeds[:k]), statistics.median(speeds[-k:])
    mid = statistics.median(speeds)
    noise = statistics.median(abs(s - mid) for s in speeds) / mid
    change = last / first - 1
    best_change = max(speeds[-k:]) / max(speeds[:k]) - 1
    # a slowdown must show in both the medians and the fastest chunks, beyond three MADs
    limit = -max(3 * noise, 0.05)
    wall = [r["steps_per_s"] for r in rows[1 + warmup:]]
    return {"chunks_compared": k, "first": first, "last": last, "change": change,
            "best_first": max(speeds[:k]), "best_last": max(speeds[-k:]),
            "best_change": best_change, "noise": noise,
            "slowdown": change < limit and best_change < limit,
            "first_wall": statistics.median(wall[:k]),
            "last_wall": statistics.median(wall[-k:])}


def leak_verdict(rows: list[dict], warmup: int, trimmed_rss: int | None = None) -> dict:
    """Memory growth after the warm-up (end-to-end, per simulated second): RSS, the
    monitors' buffers, malloc's retained free memory, and what none of them explains (also
    as a least-squares slope over all later chunks); ``trimmed_rss``: RSS at the end after
    ``malloc_trim``."""
    base, end = rows[warmup], rows[-1]
    span = end["t"] - base["t"]
    later = rows[warmup:]
    t = np.array([r["t"] for r in later])
    rest = np.array([r["rss"] - r["monitor_allocated"] - r["malloc_free"] for r in later],
                    dtype=float)
    out = {"from_t": base["t"], "span_s": span,
           "rss_growth": end["rss"] - base["rss"],
           "monitor_growth": end["monitor_allocated"] - base["monitor_allocated"],
           "recorded_growth": end["monitor_recorded"] - base["monitor_recorded"],
           "malloc_free_growth": end["malloc_free"] - base["malloc_free"],
           "unexplained_slope_per_s": float(np.polyfit(t, rest, 1)[0])}
    out["excess"] = out["rss_growth"] - out["monitor_growth"]
    out["unexplained"] = out["excess"] - out["malloc_free_growth"]
    for key in ("rss_growth", "monitor_growth", "recorded_growth", "malloc_free_growth",
                "excess", "unexplained"):
        out[key + "_per_s"] = out[key] / span
    if trimmed_rss is not None:  # the same comparison with malloc's free memory given back
        out["trimmed_excess"] = (trimmed_rss - end["monitor_allocated"]) - (
            base["rss"] - base["monitor_allocated"])
    worst = max(out["unexplained"], out["unexplained_slope_per_s"] * span)
    out["leak"] = worst > LEAK_TOLERANCE_MIB * MIB
    return out


def describe(speed: dict, leak: dict, load: dict | None, total_s: float) -> str:
    """The verdict in words."""
    kib = 1024
    lines = [
        f"Speed of the loop: median {speed['first']:,.0f} steps per CPU second over the first "
        f"{speed['chunks_compared']} chunks after the warm-up, {speed['last']:,.0f} over the "
        f"last {speed['chunks_compared']} "
        f"({speed['change']:+.1%}; chunk-to-chunk noise {speed['noise']:.1%} median absolute "
        f"deviation); fastest chunk {speed['best_first']:,.0f} and {speed['best_last']:,.0f} "
        f"({speed['best_change']:+.1%}): "
        f"{'SLOWDOWN' if speed['slowdown'] else 'no slowdown beyond noise'}. "
        f"Wall-clock steps/s of the whole run() calls (checkpoints included; other "
        f"processes' load included): {speed['first_wall']:,.0f} -> {speed['last_wall']:,.0f}.",
        f"Memory after the warm-up (t = {leak['from_t']:.0f} s to "
        f"{leak['from_t'] + leak['span_s']:.0f} s): RSS grew {leak['rss_growth'] / MIB:+.1f} MiB "
        f"({leak['rss_growth_per_s'] / kib:+.1f} KiB per simulated s); the monitors' buffers "
        f"{leak['monitor_growth'] / MIB:+.1f} MiB ({leak['monitor_growth_per_s'] / kib:+.1f} "
        f"KiB/s; the rows recorded {leak['recorded_growth_per_s'] / kib:+.1f} KiB/s); RSS - "
        f"monitors {leak['excess'] / MIB:+.1f} MiB ({leak['excess_per_s'] / kib:+.1f} KiB/s), "
        f"of which free memory kept by malloc {leak['malloc_free_growth'] / MIB:+.1f} MiB; "
        f"unexplained {leak['unexplained'] / MIB:+.1f} MiB ({leak['unexplained_per_s'] / kib:+.2f}"
        f" KiB/s, fitted slope {leak['unexplained_slope_per_s'] / kib:+.2f} KiB/s)"
        + (f"; after malloc_trim(0) at the end, RSS - monitors changed by "
           f"{leak['trimmed_excess'] / MIB:+.1f} MiB since the warm-up"
           if "trimmed_excess" in leak else "") + ": "
        + ("LEAK (beyond the monitors' own data)." if leak["leak"] else
           f"no leak beyond the monitors' own data (tolerance {LEAK_TOLERANCE_MIB:.0f} MiB)."),
    ]
    if load is not None:
        lines.append(
            f"Checkpoint: {load['checkpoint_bytes'] / MIB:.1f} MiB loaded into a freshly built "
            f"network in a new process in {load['load_s']:.2f} s (build {load['build_s']:.2f} s); "
            f"state identical: {load['same_state']}; the next {CONTINUE_MS:.0f} ms identical: "
            f"{load['same_continuation']}.")
    lines.append(f"Wall time of the chunks: {total_s:.0f} s.")
    return "\n\n".join(lines)


# -- output ----------------------------------------------------------------------------------

def markdown(rows: list[dict], picks: list[int] | None = None) -> str:
    """Markdown table of the chunks (``picks``: row indices; default all)."""
    head = ("| chunk | t (s) | wall (s) | steps/s | loop steps/CPU-s | ckpt write (s) | "
            "ckpt (MiB) | RSS (MiB) | peak RSS (MiB) | monitors (MiB) | malloc free (MiB) | "
            "RSS - monitors - free (MiB) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for k in picks if picks is not None else range(1, len(rows)):
        r = rows[k]
        lines.append(
            f"| {k} | {r['t']:.4g} | {r['wall_s']:.2f} | {r['steps_per_s']:,.0f} | "
            f"{r['loop_steps_per_cpu_s']:,.0f} | {r['checkpoint_s']:.3f} | "
            f"{r['checkpoint_bytes'] / MIB:.1f} | {r['rss'] / MIB:.1f} | "
            f"{r['peak_rss'] / MIB:.1f} | {r['monitor_allocated'] / MIB:.1f} | "
            f"{r['malloc_free'] / MIB:.1f} | "
            f"{(r['rss'] - r['monitor_allocated'] - r['malloc_free']) / MIB:.1f} |")
    return "\n".join(lines)


def summary_picks(n_rows: int, warmup: int) -> list[int]:
    """A few chunks: the first, the end of the warm-up, quarters, the last."""
    last = n_rows - 1
    picks = [1, warmup, warmup + 1, last // 4, last // 2, 3 * last // 4, last]
    return sorted({k for k in picks if 1 <= k <= last})


def plot(rows: list[dict], warmup: int, n_synapses: str, path: Path) -> None:
    """Steps/s, and RSS and monitor bytes, against simulated time (small PNG, dpi 100)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    later = rows[1:]
    t = [r["t"] for r in later]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    ax1.plot(t, [r["loop_steps_per_cpu_s"] for r in later], ".-", lw=0.8, ms=3,
             label="loop, per CPU second (checkpoint writing left out)")
    ax1.plot(t, [r["steps_per_s"] for r in later], ".-", lw=0.8, ms=3,
             label="whole run() call, per wall second")
    ax1.axvline(rows[warmup]["t"], color="grey", ls=":", lw=1, label="end of warm-up")
    ax1.set_ylabel("steps/s")
    ax1.set_ylim(bottom=0)
    ax1.legend(fontsize=8, loc="lower right")
    for key, label in (("rss", "RSS"), ("peak_rss", "peak RSS"),
                       ("monitor_allocated", "monitor buffers"),
                       ("malloc_free", "free memory kept by malloc"),
                       ("checkpoint_bytes", "checkpoint file")):
        ax2.plot(t, [r[key] / MIB for r in later], lw=1.2, label=label)
    ax2.plot(t, [(r["rss"] - r["monitor_allocated"]) / MIB for r in later], lw=1.2, ls="--",
             label="RSS - monitor buffers")
    ax2.plot(t, [(r["rss"] - r["monitor_allocated"] - r["malloc_free"]) / MIB for r in later],
             lw=1.2, ls="--", label="RSS - monitor buffers - malloc free")
    ax2.axvline(rows[warmup]["t"], color="grey", ls=":", lw=1)
    ax2.set_xlabel("simulated time (s)")
    ax2.set_ylabel("MiB")
    ax2.set_ylim(bottom=0)
    # between the process's memory (top) and the monitors' and malloc's (bottom)
    ax2.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(0.0, 0.57))
    fig.suptitle(f"spikeloom soak: {n_synapses} plastic synapses, dt = 0.1 ms", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def cpu_name() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# -- command line ----------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000_000,
                        help="time steps in all (dt = 0.1 ms; default 10^7 = 1000 s)")
    parser.add_argument("--checkpoint-every", type=parse_time, default=10.0,
                        help="simulated time between checkpoints (default 10s)")
    parser.add_argument("--report-every", type=parse_time, default=10.0,
                        help="simulated time of one run() call, one row (default 10s)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="chunks left out of the verdicts (compilation, first allocations)")
    parser.add_argument("--n-inputs", type=int, default=N_INPUTS,
                        help=f"Poisson inputs (default {N_INPUTS})")
    parser.add_argument("--n-outputs", type=int, default=N_OUTPUTS,
                        help=f"LIF neurons (default {N_OUTPUTS}); synapses: inputs x outputs")
    parser.add_argument("--out", help="write the Markdown table and verdict here (the figure "
                        "beside it, .png); default: print only, figure benchmarks/soak.png")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="trace Python allocations from the end of the warm-up and list "
                        "those still alive at the end")
    parser.add_argument("--load-worker", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.load_worker:
        print(json.dumps(load_worker(args.load_worker, args.n_inputs, args.n_outputs)))
        return
    n_chunks = len(chunk_steps(args.steps, args.report_every))
    if n_chunks < args.warmup + 6:
        parser.error(f"{n_chunks} chunks; at least --warmup + 6 = {args.warmup + 6} needed "
                     "(more --steps or a shorter --report-every)")
    figure = Path(args.out).with_suffix(".png") if args.out else ROOT / "benchmarks" / "soak.png"
    figure.parent.mkdir(parents=True, exist_ok=True)  # fail now, not after the run
    with tempfile.TemporaryDirectory(prefix="spikeloom-soak-") as tmp:
        ckpt = Path(tmp) / "soak.npz"
        rows, state = soak(args, ckpt)
        traced = tracemalloc_report() if args.tracemalloc else None
        malloc_trim()  # after the measurements: what is left once malloc gives back its free
        trimmed_rss = rss_bytes()
        load = check_load(ckpt, args, state)
    speed = speed_verdict(rows, args.warmup)
    leak = leak_verdict(rows, args.warmup, trimmed_rss)
    plot(rows, args.warmup, f"{args.n_inputs} x {args.n_outputs}", figure)
    machine = (f"{cpu_name()}, {os.cpu_count()} CPUs, "
               f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    setup = (f"{args.n_inputs} x {args.n_outputs} plastic synapses, {args.steps:,} steps in "
             f"{n_chunks} run() calls, checkpoint every {args.checkpoint_every:g} s, warm-up "
             f"{args.warmup} chunks; {machine}; build {state['build_s']:.2f} s")
    text = describe(speed, leak, load, state["total_s"])
    print(f"\n{setup}\n\n{markdown(rows, summary_picks(len(rows), args.warmup))}\n\n{text}")
    if traced is not None:
        print("\nPython allocations made after the warm-up and still alive (tracemalloc; its "
              "traces inflate RSS and slow every run() down: no verdict above holds):\n"
              f"{traced}")
    print(f"\nfigure: {figure}")
    if args.out:
        Path(args.out).write_text(f"{setup}\n\n{markdown(rows)}\n\n{text}\n")


if __name__ == "__main__":
    main()
