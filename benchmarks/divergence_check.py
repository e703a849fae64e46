"""Cost of the divergence check (non-finite state) on the COBA benchmark.

``python -m benchmarks.divergence_check [--n 4000] [--duration 2] [--repeat 7]
[--every 16 1] [--out FILE]``

The ``coba`` case of ``benchmarks/cases.py`` (Brette et al. 2007, 4000 neurons by default)
runs with ``prefs.spikeloom.divergence_check`` off, and on with each period of
``--every`` (``prefs.spikeloom.divergence_check_every``: the default 16, and 1 for a scan
after every step). Each measurement is a fresh process (``--worker``): it builds the
network, runs it once (compiles or loads the loop) and times a second ``run()`` of
``--duration`` seconds. The settings alternate within each repetition, so that slow
drifts of the machine hit all of them alike; the time is the median over ``--repeat``.
Prints a Markdown table with the cost relative to the run without the check.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]


def measure(n: int, duration_s: float, every: int | None, seed: int = 1) -> dict:
    """Seconds of the second ``run()`` of the coba case, in this process."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cases

    import spikeloom as sl

    sl.prefs.spikeloom.divergence_check = every is not None
    if every is not None:
        sl.prefs.spikeloom.divergence_check_every = every
    model = cases.build(sl, "coba", n, seed)
    net = model["network"]
    net.run(duration_s * sl.second, namespace={})
    t0 = time.perf_counter()
    net.run(duration_s * sl.second, namespace={})
    return {"run_s": time.perf_counter() - t0, "spikes": int(model["spikes"].num_spikes)}


def _worker(n: int, duration_s: float, every: int | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.divergence_check", "--worker", "--n", str(n),
           "--duration", str(duration_s), "--every", "off" if every is None else str(every)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(times: dict, spikes: dict) -> str:
    """Markdown table: setting, median run time, cost relative to no check."""
    base = statistics.median(times[None])
    rows = ["| divergence check | run (s) | cost | spikes |", "|---|---|---|---|"]
    for every, values in times.items():
        label = "off" if every is None else f"every {every} step{'s' if every > 1 else ''}"
        med = statistics.median(values)
        rows.append(f"| {label} | {med:.3f} | {100 * (med / base - 1):+.1f} % | "
                    f"{spikes[every]} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=2.0, help="simulated s per run")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--every", nargs="+", default=["16", "1"],
                        help="check periods in steps ('off' is always measured)")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        every = None if args.every[0] == "off" else int(args.every[0])
        print(json.dumps(measure(args.n, args.duration, every)))
        return
    settings = [None] + [int(e) for e in args.every if e != "off"]
    times: dict = {s: [] for s in settings}
    spikes: dict = {}
    with tqdm(total=args.repeat * len(settings), desc="divergence check") as bar:
        for _ in range(args.repeat):
            for every in settings:
                result = _worker(args.n, args.duration, every)
                times[every].append(result["run_s"])
                spikes[every] = result["spikes"]
                bar.update()
    text = (f"{platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, coba N={args.n}, {args.duration} s simulated per "
            f"timed run, median of {args.repeat}\n\n" + table(times, spikes))
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
