"""Benchmark runner: ``python -m benchmarks [--cases coba song ...] [--repeat 5]``.

For every case and size it runs spikeloom and each peer (Brian2's cython runtime, Brian2's C++
standalone, BrainPy on the CPU, NEST 3 on all cores) in fresh processes, alternating between
simulators in every repetition so that all see the same machine state, and reports medians,
ratios, a Markdown table, a JSON file and plots. Peers live in virtual environments the runner
creates under ``.venvs/`` (Brian2 2.9 needs numpy < 2.4; BrainPy brings its own JAX; NEST is a
compiled wheel), never in spikeloom's. A peer that cannot be installed or fails is reported as
missing, not faked; a case a peer cannot express is reported as such.

Columns (seconds of wall time; see benchmarks/README.md):

* ``build``: creating the network objects and connectivity;
* ``run``: the first ``run()`` in a fresh process whose caches are warm (spikeloom: lowering,
  loading the compiled loop from disk and running; Brian2 cython: code generation, loading its
  compiled extensions, running; Brian2 standalone: the binary's wall time; BrainPy: tracing,
  XLA compilation and running; NEST: its preparation of the connection tables and the
  simulation);
* ``steady``: a second ``run()`` of the same length in the same process;
* ``first``: spikeloom's first ``run()`` with an empty disk cache (compiling its loop), and
  Brian2 standalone's code generation plus compilation.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENVS = ROOT / ".venvs"
PEER_REQUIREMENTS = {
    "brian2": ["brian2==2.9.0", "numpy<2.4", "cython", "setuptools"],
    # brainevent's CPU kernels are Numba kernels: BrainPy imports without numba, then fails
    "brainpy": ["brainpy==2.8.2", "jax==0.10.2", "jaxlib==0.10.2", "brainevent==0.2.1",
                "numba==0.68.1"],
    # NEST's own models (benchmarks/peers/nest_cases.py) and PyNN's VAbenchmarks under
    # pyNN.nest (benchmarks/pynn_va.py)
    "nest": ["nest-simulator==3.10.0", "PyNN==0.13.0"],
}
#: case → (default sizes, default biological duration in s, simulators)
CASES = {
    "coba": ([4000, 40000, 400000], 1.0,
             ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "brainpy", "nest"]),
    "cuba": ([4000], 1.0,
             ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "brainpy", "nest"]),
    "cobahh": ([4000], 1.0,
               ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "brainpy", "nest"]),
    "song": ([1000], 100.0, ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "nest"]),
    # NEST cannot express this case: listed so that its row says why (NOT_EXPRESSIBLE)
    "memristor": ([1000], 10.0,
                  ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "nest"]),
    # Potjans & Diesmann (2014) at 10 %, 25 % and 50 % of its neurons (size = per cent),
    # in-degrees kept (at 10 % L2/3 fires above the full model's band in every simulator);
    # BrainPy cannot express its per-synapse delays (NOT_EXPRESSIBLE)
    "microcircuit": ([10, 25, 50], 1.0,
                     ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "brainpy", "nest"]),
    # multicompartment (issue 21): SpatialNeuron exists in Brian2 only among the peers
    "hhaxon": ([1000], 0.1, ["spikeloom", "brian2-cython", "brian2-cpp_standalone"]),
}
SIMULATORS = ["spikeloom", "brian2-cython", "brian2-cpp_standalone", "brainpy", "nest"]
LABELS = {"spikeloom": "spikeloom", "brian2-cython": "Brian2 cython",
          "brian2-cpp_standalone": "Brian2 C++ standalone", "brainpy": "BrainPy CPU",
          "nest": "NEST"}
#: (case, simulator) pairs that cannot be run, with the reason shown in the table
NOT_EXPRESSIBLE = {
    ("memristor", "nest"): "not expressible: no built-in NEST synapse has the tanh-window NC "
                           "rule",
    ("microcircuit", "brainpy"): "not expressible: BrainPy 2.8's projections take one delay "
                                 "each (brainpy/BrainPy#690), the model has one per synapse",
}
#: Simulators with nothing to compile or cache: no warm-up run before the repetitions.
NO_WARMUP = {"nest"}
#: NEST's default largest network: its COBA costs about 6-17 s (4 000 neurons) and 200 s
#: (40 000) per simulated second on 2 cores, so 400 000 neurons would take hours per run.
NEST_MAX_SIZE = 40000
#: neurons of the full Potjans-Diesmann microcircuit (benchmarks/microcircuit.py)
MICROCIRCUIT_NEURONS = 77169


def peer_python(name: str) -> Path | None:
    """The interpreter of a peer's environment, creating it on first use (None if it fails)."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    wanted = " ".join(PEER_REQUIREMENTS[name])
    if marker.exists() and marker.read_text() == wanted:
        return python
    print(f"[bench] creating {venv} for {name}: {wanted}", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS[name]],
                       check=True)
    except subprocess.CalledProcessError as exc:
        print(f"[bench] {name} unavailable: {exc}", flush=True)
        return None
    marker.write_text(wanted)
    return python


class Simulator:
    """How to launch one simulator on one case; ``None`` command means unavailable."""

    def __init__(self, name: str, nest_threads: int | None = None) -> None:
        self.name = name
        self.env = dict(os.environ)
        #: NEST's local_num_threads (default: every core of the machine)
        self.threads = nest_threads or os.cpu_count()
        if name == "spikeloom":
            self.python = Path(sys.executable)
            # a fresh disk cache: the warm-up run compiles the loop from scratch, the
            # repetitions load it as any later session would
            self.env["SPIKELOOM_CACHE_DIR"] = tempfile.mkdtemp(prefix="spikeloom-bench-")
        elif name.startswith("brian2"):
            self.python = peer_python("brian2")
        elif name == "nest":
            self.python = peer_python("nest")
            self.env["PYNEST_QUIET"] = "1"  # no banner
        else:
            self.python = peer_python("brainpy")

    def command(self, case: str, n: int, duration: float, seed: int) -> list[str] | None:
        if self.python is None:
            return None
        if self.name == "brainpy":
            # stored CSR connectivity with a fixed out-degree, as BrainPy's own COBA benchmark
            # (builds 32 M synapses in ~2 s; BrainPy's default without repeats takes ~2000 s)
            return [str(self.python), str(HERE / "peers" / "brainpy_cases.py"), case, str(n),
                    str(duration), str(seed), "csr"]
        if self.name == "nest":
            # NEST's own models; random graphs drawn as Binomial in-degrees + fixed_indegree
            return [str(self.python), str(HERE / "peers" / "nest_cases.py"), case, str(n),
                    str(duration), str(seed), "--threads", str(self.threads)]
        return [str(self.python), str(HERE / "run_case.py"), self.name, case, str(n),
                str(duration), str(seed)]

    def run(self, case: str, n: int, duration: float, seed: int) -> dict | None:
        if self.name == "brian2-cpp_standalone":
            # the seed is compiled into the binary: one seed keeps its build directory warm,
            # as when a user runs the same script again
            seed = 1
        cmd = self.command(case, n, duration, seed)
        if cmd is None:
            return None
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False,
                             env=self.env)
        if out.returncode != 0:
            print(f"[bench] {self.name} failed on {case} n={n}:\n{out.stderr[-1500:]}",
                  flush=True)
            return None
        return json.loads(out.stdout.strip().splitlines()[-1])


def _median(results: list[dict], key: str) -> float | None:
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


def bench_case(case: str, sizes: list[int], duration: float, repeat: int,
               simulators: list[str], nest_threads: int | None = None,
               nest_max_size: int = NEST_MAX_SIZE) -> list[dict]:
    """Run one case at every size; one row per size with medians per simulator."""
    rows = []
    for n in sizes:
        skipped = {name: NOT_EXPRESSIBLE[(case, name)] for name in simulators
                   if (case, name) in NOT_EXPRESSIBLE}
        if "nest" in simulators and "nest" not in skipped and \
                _neurons(case, n) > nest_max_size:
            skipped["nest"] = f"not run: {n} neurons > --nest-max-size {nest_max_size}"
        sims = [Simulator(name, nest_threads) for name in simulators if name not in skipped]
        warm = {}
        for sim in sims:  # compile / fill caches once; spikeloom's is its first-run time
            if sim.name in NO_WARMUP:
                warm[sim.name] = {} if sim.python is not None else None
                continue
            warm[sim.name] = sim.run(case, n, duration, 0)
        results: dict[str, list[dict]] = {sim.name: [] for sim in sims}
        for k in range(repeat):
            order = sims if k % 2 == 0 else sims[::-1]  # alternate who runs first
            for sim in order:
                if warm[sim.name] is None:
                    continue
                result = sim.run(case, n, duration, k + 1)
                if result is not None:
                    results[sim.name].append(result)
            print(f"[bench] {case} n={n} rep {k + 1}/{repeat}: " + ", ".join(
                f"{name} {res[-1]['run_s']:.3f} s" for name, res in results.items() if res),
                flush=True)
        row = {"case": case, "n": n, "duration_s": duration, "repeat": repeat, "sims": {}}
        for sim in sims:
            res = results[sim.name]
            if not res:
                row["sims"][sim.name] = {"missing": True}
                continue
            summary = {key: _median(res, key) for key in
                       ("build_s", "run_s", "steady_s", "compile_s", "rate_hz", "synapses",
                        "w_high", "w_low", "sim_loop_s", "binary_s", "threads")}
            rates = [r["population_rates_hz"] for r in res if "population_rates_hz" in r]
            if rates:  # microcircuit: each population's median over the repetitions
                summary["population_rates_hz"] = [statistics.median(col)
                                                  for col in zip(*rates)]
            summary["first_run_s"] = warm[sim.name].get("run_s")
            summary["first_compile_s"] = warm[sim.name].get("compile_s")
            summary["runs"] = res
            row["sims"][sim.name] = summary
        for name, reason in skipped.items():
            row["sims"][name] = {"missing": True, "reason": reason}
        rows.append(row)
    return rows


def _neurons(case: str, n: int) -> int:
    """Neurons of a case at size ``n`` (the microcircuit's size is a percentage)."""
    return round(MICROCIRCUIT_NEURONS * n / 100) if case == "microcircuit" else n


def ratios(row: dict) -> dict:
    """spikeloom's run and steady times over each peer's (lower is faster)."""
    mine = row["sims"].get("spikeloom", {"missing": True})
    out = {}
    for name, peer in row["sims"].items():
        if name == "spikeloom" or peer.get("missing") or mine.get("missing"):
            continue
        out[name] = {"run": mine["run_s"] / peer["run_s"]}
        # standalone has no second run: its binary's own loop time is the steady counterpart
        steady = peer.get("steady_s") or peer.get("sim_loop_s")
        if steady and mine.get("steady_s"):
            out[name]["steady"] = mine["steady_s"] / steady
        if peer.get("build_s") and mine.get("build_s"):
            out[name]["build"] = mine["build_s"] / peer["build_s"]
    return out


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%d")}


def _fmt(value, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _fmt_ratio(value) -> str:
    """Two decimals; two significant digits below 0.1 (spikeloom ÷ NEST can be 0.003)."""
    if value is None:
        return "—"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def markdown(out: dict) -> str:
    """The tables quoted in benchmarks/README.md."""
    m = out["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}. "
             f"Command: `{out['command']}` (medians of {out['repeat']} fresh processes per "
             "simulator, alternating).", ""]
    lines += ["| case | size | simulator | build (s) | run() (s) | steady (s) | "
              "first run / compile (s) | spikeloom ÷ this: run, steady | rate (Hz) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in out["rows"]:
        rat = ratios(row)
        for name, s in row["sims"].items():
            label = LABELS[name]
            if s.get("threads") is not None:
                label += f" ({s['threads']:.0f} thread{'s' if s['threads'] != 1 else ''})"
            if s.get("missing"):
                lines.append(f"| {row['case']} | {row['n']} | {label} | "
                             f"{s.get('reason', 'missing')} | | | | | |")
                continue
            first = s.get("first_run_s") if name == "spikeloom" else s.get("first_compile_s")
            steady = _fmt(s.get("steady_s"))
            if s.get("steady_s") is None and s.get("sim_loop_s") is not None:
                steady = f"loop {s['sim_loop_s']:.3f}"
            r = rat.get(name, {})
            ratio = (f"**{_fmt_ratio(r['run'])}**, {_fmt_ratio(r.get('steady'))}" if r else "")
            rate = _fmt(s.get("rate_hz"), 1)
            if s.get("w_high") is not None:
                rate += f" (w>0.9: {s['w_high']:.3f}, w<0.1: {s['w_low']:.3f})"
            lines.append(f"| {row['case']} | {row['n']} | {label} | {_fmt(s['build_s'])} "
                         f"| {_fmt(s['run_s'])} | {steady} | {_fmt(first, 2)} "
                         f"| {ratio} | {rate} |")
    return "\n".join(lines) + "\n" + microcircuit_rates(out)


def microcircuit_rates(out: dict) -> str:
    """Each population's rate (Hz) per simulator and size, against the full model's rates;
    ``*`` marks a rate outside ``microcircuit.RATE_BAND`` of the reference."""
    from . import microcircuit as mc

    rows = [r for r in out["rows"] if r["case"] == "microcircuit"]
    if not rows:
        return ""
    low, high = mc.RATE_BAND
    lines = ["", f"Microcircuit: rate of each population (Hz) after {mc.TRANSIENT_S} s; "
             f"`*` outside {low}-{high} x the full-scale model's rate; real-time factor = "
             "steady run time / biological time.", "",
             "| size (%) | simulator | " + " | ".join(mc.POPULATIONS) + " | real-time factor |",
             "|---" * (len(mc.POPULATIONS) + 3) + "|",
             "| 100 | full-scale model (reference) | " + " | ".join(
                 f"{r:.2f}" for r in mc.REFERENCE_RATES_HZ) + " | |"]
    for row in rows:
        for name, s in row["sims"].items():
            rates = s.get("population_rates_hz")
            if not rates:
                continue
            marks = [f"{r:.2f}" + ("" if ok else "*")
                     for r, ok in zip(rates, mc.rates_in_band(rates))]
            steady = s.get("steady_s") or s.get("sim_loop_s")
            rtf = f"{steady / row['duration_s']:.2f}" if steady else "—"
            lines.append(f"| {row['n']} | {LABELS[name]} | " + " | ".join(marks)
                         + f" | {rtf} |")
    return "\n".join(lines) + "\n"


def targets(out: dict) -> str:
    """Issue 5's acceptance points, measured in this invocation (Markdown table)."""
    rows = {(r["case"], r["n"]): r for r in out["rows"]}
    lines = ["| target | measured | met |", "|---|---|---|"]

    def sims(case, n):
        row = rows.get((case, n))
        return None if row is None else {k: v for k, v in row["sims"].items()
                                         if not v.get("missing")}

    def add(target, measured, ok):
        lines.append(f"| {target} | {measured} | {'yes' if ok else '**no**'} |")

    for n, limit in ((4000, 0.25), (40000, 0.67), (400000, 0.67)):
        s = sims("coba", n)
        if not s or "spikeloom" not in s:
            continue
        brian = {k: v["run_s"] for k, v in s.items() if k.startswith("brian2")}
        if brian:
            best = min(brian, key=brian.get)
            ratio = s["spikeloom"]["run_s"] / brian[best]
            add(f"COBA {n}: run() ≤ {limit} × the faster Brian2 target",
                f"{ratio:.2f} × {LABELS[best]} ({s['spikeloom']['run_s']:.3f} s vs "
                f"{brian[best]:.3f} s)", ratio <= limit)
        if "brainpy" in s:
            ratio = s["spikeloom"]["run_s"] / s["brainpy"]["run_s"]
            add(f"COBA {n}: faster than BrainPy CPU", f"{ratio:.2f} × BrainPy", ratio < 1)
    s = sims("coba", 400000)
    if s and "spikeloom" in s and "brian2-cython" in s:
        mine, theirs = s["spikeloom"]["build_s"], s["brian2-cython"]["build_s"]
        add("COBA 400 000 build ≤ Brian2's (cython; standalone builds inside its binary)",
            f"{mine:.2f} s vs {theirs:.2f} s", mine <= theirs)
    s = sims("coba", 4000)
    if s and "spikeloom" in s:
        first = s["spikeloom"]["first_run_s"]
        add("COBA 4000: first run() incl. compilation ≤ 3 s", f"{first:.2f} s", first <= 3)
        extra = s["spikeloom"]["run_s"] - s["spikeloom"]["steady_s"]
        add("repeated identical run (new process, disk cache) adds ≤ 0.5 s over steady",
            f"+{extra:.3f} s", extra <= 0.5)
    s = sims("song", 1000)
    if s and "spikeloom" in s and "brian2-cpp_standalone" in s:
        me, sa = s["spikeloom"], s["brian2-cpp_standalone"]
        ratio = me["run_s"] / sa["run_s"]
        add("Song 2000 (100 s): ≤ 0.5 × Brian2 C++ standalone",
            f"{ratio:.2f} ({me['run_s']:.2f} s vs {sa['run_s']:.2f} s)", ratio <= 0.5)
        parts = [f"{LABELS[k]} {v['w_high']:.3f} / {v['w_low']:.3f}" for k, v in s.items()
                 if v.get("w_high") is not None]
        add("Song 2000: bimodal weights (fraction > 0.9 gmax / < 0.1 gmax)",
            "; ".join(parts), all(v["w_high"] > 0.1 and v["w_low"] > 0.1 for v in s.values()
                                  if v.get("w_high") is not None))
    _microcircuit_targets(rows, add)
    return "\n".join(lines) + "\n"


def _microcircuit_targets(rows: dict, add) -> None:
    """Issue 17's microcircuit points: rates in the band, run() <= 0.5 x the fastest peer."""
    from . import microcircuit as mc

    for (case, n), row in sorted(rows.items()):
        if case != "microcircuit":
            continue
        sims = {k: v for k, v in row["sims"].items() if not v.get("missing")}
        for name, s in sims.items():
            rates = s.get("population_rates_hz")
            if rates:
                bad = [p for p, ok in zip(mc.POPULATIONS, mc.rates_in_band(rates)) if not ok]
                add(f"Microcircuit {n} %: {LABELS[name]}'s rates within {mc.RATE_BAND[0]}-"
                    f"{mc.RATE_BAND[1]} x the full model's",
                    "all 8" if not bad else "outside: " + ", ".join(bad), not bad)
        peers = {k: v["run_s"] for k, v in sims.items() if k != "spikeloom"}
        if "spikeloom" in sims and peers:
            best = min(peers, key=peers.get)
            ratio = sims["spikeloom"]["run_s"] / peers[best]
            add(f"Microcircuit {n} %: run() ≤ 0.5 × the fastest peer's",
                f"{ratio:.2f} × {LABELS[best]} ({sims['spikeloom']['run_s']:.2f} s vs "
                f"{peers[best]:.2f} s)", ratio <= 0.5)


def plot(out: dict, path: Path) -> None:
    """Wall time of run() against network size (log-log) for COBA, one line per simulator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in out["rows"] if r["case"] == "coba"]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, marker in (("spikeloom", "o"), ("brian2-cython", "s"),
                         ("brian2-cpp_standalone", "^"), ("brainpy", "D"), ("nest", "v")):
        pts = [(r["n"], r["sims"][name]["run_s"]) for r in rows
               if not r["sims"].get(name, {"missing": True}).get("missing")]
        if pts:
            ax.loglog(*zip(*pts), marker + "-", label=f"{LABELS[name]} run()")
    pts = [(r["n"], r["sims"]["spikeloom"]["steady_s"]) for r in rows
           if not r["sims"].get("spikeloom", {"missing": True}).get("missing")]
    if pts:
        ax.loglog(*zip(*pts), "o--", color="C0", alpha=0.6, label="spikeloom steady")
    ax.set_xlabel("neurons (≈80 synapses each)")
    ax.set_ylabel("wall time for 1 s of biological time (s)")
    ax.set_title("COBA network, CPU")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="sizes for every chosen case (default: each case's own)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--duration", type=float, default=None,
                        help="biological seconds (default: each case's own)")
    parser.add_argument("--simulators", nargs="+", default=None, choices=SIMULATORS,
                        help="run only these (e.g. --simulators spikeloom nest)")
    parser.add_argument("--nest-threads", type=int, default=None,
                        help="NEST's local_num_threads (default: the machine's cores)")
    parser.add_argument("--nest-max-size", type=int, default=NEST_MAX_SIZE,
                        help="largest network NEST runs (default: %(default)s; its COBA takes "
                             "about 200 s per simulated second at 40 000 neurons)")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--report", action="store_true",
                        help="only rewrite the table and plot from OUT/results.json")
    args = parser.parse_args(argv)
    results = Path(args.out)
    if args.report:
        out = json.loads((results / "results.json").read_text())
        _write_report(out, results)
        return 0
    rows = []
    for case in args.cases:
        sizes, duration, sims = CASES[case]
        sims = [s for s in sims if args.simulators is None or s in args.simulators]
        rows += bench_case(case, args.sizes or sizes, args.duration or duration, args.repeat,
                           sims, args.nest_threads, args.nest_max_size)
    out = {"machine": machine(), "command": "python -m benchmarks " + " ".join(argv),
           "repeat": args.repeat, "rows": rows}
    results.mkdir(parents=True, exist_ok=True)
    (results / "results.json").write_text(json.dumps(out, indent=1))
    _write_report(out, results)
    return 0


def plot_microcircuit_rates(out: dict, path: Path) -> None:
    """Each population's rate per simulator and size beside the full model's (bars)."""
    from . import microcircuit as mc

    rows = [r for r in out["rows"] if r["case"] == "microcircuit"]
    if not rows:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    series = [("full model (reference)", mc.REFERENCE_RATES_HZ)]
    for row in rows:
        series += [(f"{LABELS[name]}, {row['n']} %", s["population_rates_hz"])
                   for name, s in row["sims"].items() if s.get("population_rates_hz")]
    x = np.arange(len(mc.POPULATIONS))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for k, (label, rates) in enumerate(series):
        reference = dict(color="white", edgecolor="black", hatch="///") if k == 0 else {}
        ax.bar(x + (k - (len(series) - 1) / 2) * width, rates, width, label=label, **reference)
    ax.set_xticks(x, mc.POPULATIONS)
    ax.set_ylabel(f"rate after {mc.TRANSIENT_S} s (Hz)")
    ax.set_title("Potjans & Diesmann (2014) microcircuit: population rates")
    ax.set_ylim(0, 1.45 * max(max(rates) for _, rates in series))  # room for the legend
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _write_report(out: dict, results: Path) -> None:
    text = markdown(out) + "\n" + targets(out)
    (results / "results.md").write_text(text)
    plot(out, results / "coba.png")
    plot_microcircuit_rates(out, results / "microcircuit_rates.png")
    print(text)


if __name__ == "__main__":
    raise SystemExit(main())
