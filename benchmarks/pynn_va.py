"""PyNN's own VAbenchmarks script (Brette et al. 2007, benchmarks 1 and 2: the COBA and CUBA
networks of Vogels & Abbott) under ``pyNN.spikeloom`` and ``pyNN.nest``, side by side.

The script is PyNN's ``examples/VAbenchmarks.py``, unchanged but for its ``rngseed`` line
(one network realisation per seed: connectivity, initial potentials), taken from the PyNN
source distribution of the installed version (downloaded once into ``.venvs/pynn-src``).
NEST runs in its own environment (``.venvs/nest``: nest-simulator and the same PyNN),
created on first use; the script sets NEST's thread count to 1. Each (simulator, benchmark,
seed) is a fresh process; the script's own "Build time" and "Simulation time" are
reported (median over seeds), and the mean rates are compared across the seeds with
Welch's t (|t| < 3: within statistical agreement)::

    .venv/bin/python -m benchmarks.pynn_va --seeds 5 --out benchmarks/results/pynn_va.md
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .__main__ import VENVS, peer_python

SIMULATORS = ("spikeloom", "nest")
BENCHMARKS = ("COBA", "CUBA")
#: the lines of the script's summary read back (value in its unit)
FIELDS = {"e_rate": r"Excitatory rate\s*:\s*([\d.eE+-]+) Hz",
          "i_rate": r"Inhibitory rate\s*:\s*([\d.eE+-]+) Hz",
          "build_s": r"Build time\s*:\s*([\d.eE+-]+) s",
          "sim_s": r"Simulation time\s*:\s*([\d.eE+-]+) s",
          "synapses": r"Number of Synapses\s*:\s*(.*)"}
#: |Welch t| below which two simulators' mean rates agree
AGREEMENT_T = 3.0


def va_script() -> str:
    """The text of PyNN's VAbenchmarks.py for the installed PyNN version."""
    version = metadata.version("PyNN")
    folder = VENVS / "pynn-src"
    archives = sorted(folder.glob(f"[pP]y[nN][nN]-{version}.tar.gz"))
    if not archives:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", f"PyNN=={version}", "-d", str(folder)],
                       check=True)
        archives = sorted(folder.glob(f"[pP]y[nN][nN]-{version}.tar.gz"))
    with tarfile.open(archives[0]) as tar:
        member = next(m for m in tar.getmembers()
                      if m.name.endswith("examples/VAbenchmarks.py"))
        return tar.extractfile(member).read().decode()


def with_seed(script: str, seed: int) -> str:
    """The script with its network seed set to ``seed`` (nothing else changes)."""
    new, count = re.subn(r"^rngseed\s*=\s*\d+", f"rngseed = {seed}", script, flags=re.M)
    if count != 1:
        raise RuntimeError("VAbenchmarks.py: the 'rngseed = ...' line was not found once")
    return new


def python_of(simulator: str) -> Path:
    """The interpreter that runs ``simulator``'s PyNN backend."""
    if simulator == "spikeloom":
        subprocess.run([sys.executable, "-m", "spikeloom.pynn.install"], check=True,
                       capture_output=True)
        return Path(sys.executable)
    python = peer_python("nest")
    if python is None:
        raise RuntimeError("the NEST environment (.venvs/nest) could not be created")
    return python


def run_once(python: Path, simulator: str, benchmark: str, script: str) -> dict:
    """One run of the script in a fresh process; its summary values."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "VAbenchmarks.py"
        path.write_text(script)
        done = subprocess.run([str(python), str(path), simulator, benchmark], cwd=folder,
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{simulator} {benchmark}: exit {done.returncode}\n"
                           f"{done.stderr[-3000:]}")
    values = {}
    for key, pattern in FIELDS.items():
        found = re.search(pattern, done.stdout)
        if found is None:
            raise RuntimeError(f"{simulator} {benchmark}: no {key!r} in the output")
        values[key] = found.group(1).strip() if key == "synapses" else float(found.group(1))
    return values


def welch_t(a: np.ndarray, b: np.ndarray) -> float:
    """Welch's t of the difference of the means of ``a`` and ``b``."""
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float((a.mean() - b.mean()) / se) if se > 0 else float("inf")


def table(results: dict) -> str:
    """Markdown: rates, times and agreement per benchmark and simulator."""
    lines = ["| benchmark | simulator | exc. rate (Hz) | inh. rate (Hz) | build (s) | "
             "simulation (s) | Welch t exc. / inh. |", "|---|---|---|---|---|---|---|"]
    for benchmark, by_sim in results.items():
        for simulator, runs in by_sim.items():
            e, i = (np.array([r[k] for r in runs]) for k in ("e_rate", "i_rate"))
            agreement = ""
            if simulator != "nest" and "nest" in by_sim:
                ne, ni = (np.array([r[k] for r in by_sim["nest"]])
                          for k in ("e_rate", "i_rate"))
                agreement = f"{welch_t(e, ne):+.2f} / {welch_t(i, ni):+.2f}"
            lines.append(f"| {benchmark} | {simulator} | {e.mean():.2f} ± {e.std(ddof=1):.2f}"
                         f" | {i.mean():.2f} ± {i.std(ddof=1):.2f} | "
                         f"{np.median([r['build_s'] for r in runs]):.2f} | "
                         f"{np.median([r['sim_s'] for r in runs]):.2f} | {agreement} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="network seeds (default: 5)")
    parser.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS),
                        choices=BENCHMARKS)
    parser.add_argument("--simulators", nargs="+", default=list(SIMULATORS),
                        choices=SIMULATORS)
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error(f"--seeds must be at least 2 (a spread is needed), got {args.seeds}")
    script = va_script()
    pythons = {s: python_of(s) for s in args.simulators}
    seeds = [98765 + k for k in range(args.seeds)]  # the script's own seed first
    jobs = [(b, s, seed) for b in args.benchmarks for seed in seeds for s in args.simulators]
    results: dict = {b: {s: [] for s in args.simulators} for b in args.benchmarks}
    for benchmark, simulator, seed in tqdm(jobs, desc="VAbenchmarks runs"):
        results[benchmark][simulator].append(
            run_once(pythons[simulator], simulator, benchmark, with_seed(script, seed)))
    for benchmark, by_sim in results.items():
        for k, seed in enumerate(seeds):
            same = len({runs[k]["synapses"] for runs in by_sim.values()}) == 1
            rates = "; ".join(f"{s} {runs[k]['e_rate']:.2f} / {runs[k]['i_rate']:.2f} Hz"
                              for s, runs in by_sim.items())
            print(f"{benchmark} seed {seed}: {rates} (exc. / inh.); "
                  f"{'the same' if same else 'DIFFERENT'} synapses in every simulator")
    text = table(results)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
