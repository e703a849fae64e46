"""float32 state on the CPU (``prefs.core.default_float_dtype``) against float64, on COBA.

``python -m benchmarks.float32 [--sizes 40000 400000] [--duration 1] [--repeat 3]
[--out FILE]``

The ``coba`` case of ``benchmarks/cases.py`` is built with the preference set to each dtype
before the network exists (as a Brian2 script sets it), in a fresh process per measurement
(``--worker``), the dtypes alternating within each repetition: ``run`` is the first
``run()`` of the process (loop loaded from the disk cache, which a warm-up process filled),
``steady`` a second one. The error against float64: the mean rate, and how long the two
runs of one seed keep the same spike trains (COBA is chaotic: a rounding difference grows
until single spikes move, after which the trains are statistically alike but not equal).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
DTYPES = ("float64", "float32")


def measure(n: int, duration_s: float, dtype: str, spikes_file: str, seed: int = 1) -> dict:
    """Times of two ``run()`` of the coba case in this process; the first run's spikes go to
    ``spikes_file`` (npz: i, t in s)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cases

    import spikeloom as sl

    sl.prefs.core.default_float_dtype = dtype
    model = cases.build(sl, "coba", n, seed)
    net = model["network"]
    t0 = time.perf_counter()
    net.run(duration_s * sl.second, namespace={})
    run_s = time.perf_counter() - t0
    spikes = model["spikes"]
    np.savez(spikes_file, i=np.asarray(spikes.i[:]), t=np.asarray(spikes.t[:] / sl.second))
    count = int(spikes.num_spikes)
    t0 = time.perf_counter()
    net.run(duration_s * sl.second, namespace={})
    steady_s = time.perf_counter() - t0
    return {"run_s": run_s, "steady_s": steady_s, "rate_hz": count / (n * duration_s),
            "v_dtype": str(np.asarray(_neurons(net).v[:]).dtype)}


def _neurons(net):
    return next(o for o in net.objects if o.name == "coba_neurons")


def first_difference_ms(a: dict, b: dict) -> float | None:
    """The time (ms) of the first spike in which two spike trains differ (None: equal)."""
    keys = [np.lexsort((s["i"], s["t"])) for s in (a, b)]
    ta, ia = a["t"][keys[0]], a["i"][keys[0]]
    tb, ib = b["t"][keys[1]], b["i"][keys[1]]
    n = min(ta.size, tb.size)
    differ = np.flatnonzero((ia[:n] != ib[:n]) | ~np.isclose(ta[:n], tb[:n], rtol=0,
                                                             atol=1e-9))
    if differ.size:
        k = differ[0]
        return 1e3 * min(ta[k], tb[k])
    if ta.size != tb.size:
        return 1e3 * (ta[n] if ta.size > n else tb[n])
    return None


def _worker(n: int, duration_s: float, dtype: str, spikes_file: str) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.float32", "--worker", dtype, spikes_file,
           "--sizes", str(n), "--duration", str(duration_s)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    lines = ["| neurons | state | run() (s) | steady (s) | float32 ÷ float64 (steady) | "
             "rate (Hz) | same spikes until (ms) |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        base = statistics.median(row["float64"]["steady_s"])
        for dtype in DTYPES:
            r = row[dtype]
            steady = statistics.median(r["steady_s"])
            ratio = "" if dtype == "float64" else f"{steady / base:.2f}"
            same = "" if dtype == "float64" else (
                "whole run" if row["diverged_ms"] is None else f"{row['diverged_ms']:.1f}")
            lines.append(f"| {row['n']} | {dtype} | {statistics.median(r['run_s']):.3f} | "
                         f"{steady:.3f} | {ratio} | {r['rate_hz']:.2f} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40000, 400000])
    parser.add_argument("--duration", type=float, default=1.0, help="simulated s per run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--worker", nargs=2, metavar=("DTYPE", "SPIKES_FILE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.sizes[0], args.duration, *args.worker)))
        return
    rows = []
    work = tempfile.mkdtemp(prefix="spikeloom-float32-")
    with tqdm(total=len(args.sizes) * (args.repeat + 1) * len(DTYPES), desc="float32") as bar:
        for n in args.sizes:
            row = {"n": n, **{d: {"run_s": [], "steady_s": []} for d in DTYPES}}
            for k in range(args.repeat + 1):  # the first round compiles: not timed
                for dtype in DTYPES if k % 2 == 0 else DTYPES[::-1]:
                    result = _worker(n, args.duration, dtype, f"{work}/{dtype}_{n}.npz")
                    bar.update()
                    if k == 0:
                        continue
                    row[dtype]["run_s"].append(result["run_s"])
                    row[dtype]["steady_s"].append(result["steady_s"])
                    row[dtype]["rate_hz"] = result["rate_hz"]
            trains = [dict(np.load(f"{work}/{d}_{n}.npz")) for d in DTYPES]
            row["diverged_ms"] = first_difference_ms(*trains)
            rows.append(row)
    text = (f"{platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, coba, {args.duration} s simulated per run, "
            f"median of {args.repeat}, seed 1\n\n" + table(rows))
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
