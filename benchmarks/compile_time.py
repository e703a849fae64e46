"""Compile time of the Numba run loop against the number of neuron groups.

``python -m benchmarks.compile_time [--groups 1 2 4 8] [--repeat 1] [--out FILE]
[--monitors] [--plot FILE.png [--baseline TABLE.md]]``

Each network holds G groups of 100 Hodgkin–Huxley neurons (the equations of the ``cobahh``
case of ``benchmarks/cases.py``: string equations, exponential Euler, threshold and
refractoriness), each group with its own arrays, as a model with several cell types has;
with ``--monitors``, each group also has a ``StateMonitor`` of v, m, n and h (two neurons)
and a ``SpikeMonitor``, whose buffers the loop grows as they fill.
Each measurement is a fresh process (``--worker``) with an empty disk cache
(``SPIKELOOM_CACHE_DIR``): the time is that of the first ``run(1 ms)``, which lowers the
network and compiles its loop (``Network.last_compile_time``: lowering and compilation),
and the Numba/LLVM split of that compilation from Numba's own timers. The median over
``--repeat`` is reported, in a Markdown table; ``--plot`` draws the first-run times
against the number of groups, beside those of an earlier table written by ``--out``
(``--baseline``, e.g. the same script run on older code).

The loop's helpers shared by every model (``spikeloom.backends.numba._support``,
``_rng``, ``_vecmath``) are cached where Numba keeps the package's cache; a warm-up
process compiles them first, so that every row measures the model's own loop.
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
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
NEURONS_PER_GROUP = 100


def build(groups: int, monitors: bool = False):
    """A network of ``groups`` separate groups of Traub–Miles HH neurons (each with a state
    and a spike monitor if ``monitors``)."""
    import spikeloom as sl
    from spikeloom import ms, mV

    from .cases import COBAHH_EQUATIONS, cobahh_namespace

    namespace = cobahh_namespace(sl)
    members = []
    for index in range(groups):
        group = sl.NeuronGroup(NEURONS_PER_GROUP, COBAHH_EQUATIONS, threshold="v > -20*mV",
                               refractory=3 * ms, method="exponential_euler",
                               namespace=namespace, name=f"hh{index}")
        group.v = -60 * mV
        members.append(group)
        if monitors:
            members += [sl.StateMonitor(group, ["v", "m", "n", "h"], record=[0, 1],
                                        name=f"hh{index}_state"),
                        sl.SpikeMonitor(group, name=f"hh{index}_spikes")]
    return sl.Network(*members)


def worker(groups: int, monitors: bool) -> dict:
    """One measurement in this process (its disk cache is empty)."""
    from spikeloom import ms

    network = build(groups, monitors)
    wall, cpu = time.perf_counter(), time.process_time()
    network.run(1 * ms)
    row = {"groups": groups, "first_run_s": time.perf_counter() - wall,
           "cpu_s": time.process_time() - cpu, "compile_s": network.last_compile_time}
    row.update(_numba_split())
    return row


def _numba_split() -> dict:
    """Seconds Numba spent holding LLVM's lock and compiling in all, over the loops this
    process compiled (Numba's own timers)."""
    from spikeloom.backends.numba import _run

    llvm = total = 0.0
    for dispatcher in _run._LOADED.values():
        for result in dispatcher.overloads.values():
            timers = result.metadata.get("timers") or {}
            llvm += timers.get("llvm_lock", 0.0)
            total += timers.get("compiler_lock", 0.0)
    return {"numba_s": total, "llvm_s": llvm}


def _run_worker(groups: int, monitors: bool) -> dict:
    env = dict(os.environ, SPIKELOOM_CACHE_DIR=tempfile.mkdtemp(prefix="spikeloom-ctime-"))
    command = [sys.executable, "-m", "benchmarks.compile_time", "--worker", str(groups)]
    out = subprocess.run(command + (["--monitors"] if monitors else []), capture_output=True,
                         text=True, cwd=ROOT, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{groups} groups failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compile_time",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", help="also write the Markdown table to this file")
    parser.add_argument("--monitors", action="store_true",
                        help="a state and a spike monitor per group")
    parser.add_argument("--plot", help="also draw the first-run times to this PNG file")
    parser.add_argument("--baseline", help="a table written by --out, drawn beside")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.monitors)))
        return
    for name, values in (("--groups", args.groups), ("--repeat", [args.repeat])):
        if min(values) < 1:
            parser.error(f"{name} must be >= 1, got {values}")
    if args.baseline and not args.plot:
        parser.error("--baseline is drawn only with --plot")
    started = time.perf_counter()
    _run_worker(1, args.monitors)  # warm-up: compiles the shared helpers into their own cache
    rows: dict[int, list[dict]] = {g: [] for g in args.groups}
    with tqdm(total=args.repeat * len(args.groups), desc="compile_time", unit="run") as bar:
        for _ in range(args.repeat):
            for groups in args.groups:
                rows[groups].append(_run_worker(groups, args.monitors))
                bar.update()
    shown = argv if argv is not None else sys.argv[1:]
    medians = {g: statistics.median(r["first_run_s"] for r in rows[g]) for g in args.groups}
    lines = ["Command: `" + " ".join(["python -m benchmarks.compile_time", *shown]) + "`",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}; "
             f"{'a state and a spike monitor per group; ' if args.monitors else ''}"
             f"median of {args.repeat} fresh processes per row, each with an empty disk cache; "
             f"total "
             f"{time.perf_counter() - started:.0f} s.", "",
             "| groups | neurons | first run (s) | of which Numba (s) | of which LLVM (s) | "
             "per group (s) |",
             "|---|---|---|---|---|---|"]
    for groups in args.groups:
        first = medians[groups]
        numba_s = statistics.median(r["numba_s"] for r in rows[groups])
        llvm_s = statistics.median(r["llvm_s"] for r in rows[groups])
        lines.append(f"| {groups} | {groups * NEURONS_PER_GROUP} | {first:.2f} | "
                     f"{numba_s:.2f} | {llvm_s:.2f} | {first / groups:.2f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    if args.plot:
        baseline = read_table(Path(args.baseline)) if args.baseline else None
        plot(medians, baseline, Path(args.plot), " ".join(shown))


def read_table(path: Path) -> dict[int, float]:
    """Groups -> first-run seconds of a table this script wrote with ``--out``."""
    times = {}
    for line in path.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            times[int(cells[0])] = float(cells[2])
    if not times:
        raise ValueError(f"--baseline {str(path)!r}: no table rows of "
                         "benchmarks.compile_time in it")
    return times


def plot(times: dict[int, float], baseline: dict[int, float] | None, path: Path,
         command: str) -> None:
    """First-run time against the number of groups (log-log), with a line of slope 1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(5.5, 4))
    series = [("this code", times)] + ([("baseline", baseline)] if baseline else [])
    for label, values in series:
        groups = sorted(values)
        ax.plot(groups, [values[g] for g in groups], "o-", label=label)
    first = min(times)
    ax.plot(sorted(times), [times[first] * g / first for g in sorted(times)], "k:",
            label="proportional to groups")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sorted(times), [str(g) for g in sorted(times)])
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.set_xlabel(f"groups of {NEURONS_PER_GROUP} HH neurons")
    ax.set_ylabel("first run, empty disk cache (s)")
    ax.set_title(command, fontsize=7)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
