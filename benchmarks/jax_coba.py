"""COBA on the JAX backend (a GPU when one is visible), beside BrainPy in the same call.

Usage (on the GPU machine, from the repository root)::

    python -m benchmarks.jax_coba --sizes 4000 40000 400000 4000000 --duration 1.0 \\
        --out benchmarks/results/gpu [--brainpy PYTHON] [--float32]

For each size it builds the COBA network of ``benchmarks/cases.py`` (p = 80/N) with the
Brian2 API on ``set_device('jax')``, runs 1 s of biological time twice and reports

* ``compile_s``: lowering + XLA compilation of the first run (``Network.last_compile_time``),
* ``run_s``: wall time of the second, compiled run (``Network.last_run_time``),
* the number of spikes and the mean rate (the network fires at ~21 Hz when it is right).

With ``--brainpy PYTHON`` the same sizes run in BrainPy (``benchmarks/peers/brainpy_cases.py``
started with that interpreter, which must see the same GPU); both go in one table with
ratios. Results: ``<out>/jax_coba.json`` and ``<out>/jax_coba.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_spikeloom(n: int, duration: float, float_dtype: str, seed: int = 1) -> dict:
    import jax

    import spikeloom as sl
    from benchmarks import cases
    from spikeloom.core import _base

    sl.set_device("jax", float_dtype=float_dtype)
    _base._names.clear()  # the cases use fixed names; this process builds each size once
    sl.start_scope()
    t0 = time.perf_counter()
    model = cases.build(sl, "coba", n, seed)
    build_s = time.perf_counter() - t0
    net = model["network"]
    t0 = time.perf_counter()
    net.run(duration * sl.second)
    first_s = time.perf_counter() - t0
    compile_s = net.last_compile_time
    spikes_before = len(model["spikes"].i[:])
    net.run(duration * sl.second)
    run_s = net.last_run_time
    spikes = len(model["spikes"].i[:]) - spikes_before
    return {"simulator": "spikeloom-jax", "n": n, "build_s": build_s, "first_run_s": first_s,
            "compile_s": compile_s, "run_s": run_s, "spikes": spikes,
            "rate_hz": spikes / (n * duration), "synapses": int(model["synapses"]()),
            "device": str(jax.devices()[0]), "float": float_dtype}


def run_brainpy(python: str, n: int, duration: float, seed: int = 1) -> dict:
    proc = subprocess.run([python, str(ROOT / "benchmarks/peers/brainpy_cases.py"), "coba",
                           str(n), str(duration), str(seed)], capture_output=True, text=True,
                          timeout=3600)
    if proc.returncode != 0:
        return {"simulator": "brainpy", "n": n, "error": proc.stderr[-2000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(simulator="brainpy", n=n)
    return result


def report(rows: list[dict], out: Path) -> str:
    lines = ["| N | spikeloom run (s) | compile (s) | rate (Hz) | BrainPy run (s) | ratio |",
             "|---|---|---|---|---|---|"]
    by_n: dict[int, dict] = {}
    for row in rows:
        by_n.setdefault(row["n"], {})[row["simulator"]] = row
    for n in sorted(by_n):
        ours = by_n[n].get("spikeloom-jax", {})
        peer = by_n[n].get("brainpy", {})
        peer_run = peer.get("run_s")
        ratio = (f"{ours['run_s'] / peer_run:.3f}" if ours.get("run_s") and peer_run
                 else "—")
        lines.append(f"| {n} | {ours.get('run_s', float('nan')):.3f} | "
                     f"{ours.get('compile_s', float('nan')):.2f} | "
                     f"{ours.get('rate_hz', float('nan')):.1f} | "
                     f"{peer_run if peer_run is not None else '—'} | {ratio} |")
    text = "\n".join(lines) + "\n"
    (out / "jax_coba.md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000, 400000])
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--float32", action="store_true")
    parser.add_argument("--brainpy", metavar="PYTHON", default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/jax")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        rows.append(run_spikeloom(n, args.duration,
                                  "float32" if args.float32 else "float64"))
        print(json.dumps(rows[-1]), flush=True)
        if args.brainpy:
            rows.append(run_brainpy(args.brainpy, n, args.duration))
            print(json.dumps(rows[-1]), flush=True)
    meta = {"python": sys.version, "platform": platform.platform(), "rows": rows}
    (args.out / "jax_coba.json").write_text(json.dumps(meta, indent=2))
    print(report(rows, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
