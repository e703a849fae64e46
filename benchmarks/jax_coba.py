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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_spikeloom(n: int, duration: float, float_dtype: str, seed: int = 1) -> dict:
    """COBA on spikeloom's JAX backend (the measurement of ``benchmarks.jax_gpu``)."""
    import jax

    from benchmarks.jax_gpu import coba

    row = coba(n, float_dtype, duration=duration, seed=seed)
    row.update(simulator="spikeloom-jax", device=str(jax.devices()[0]))
    return row


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
