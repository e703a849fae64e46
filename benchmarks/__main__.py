"""Benchmark runner: ``python -m benchmarks [--sizes 4000] [--repeat 5] [--duration 1]``.

For each case and size it runs spikeloom and each available peer in fresh processes,
alternating (spikeloom, Brian2, spikeloom, Brian2, ...), so that both see the same machine
state; it reports medians, ratios, a JSON file and a log-log plot. Peers live in virtual
environments the runner creates under ``.venvs/`` (Brian2 2.9 needs numpy < 2.4, so it can
never share spikeloom's environment). A peer that cannot be installed is reported as missing.
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
PEERS = {
    "brian2": ["brian2==2.9.0", "numpy<2.4", "cython", "setuptools"],
}


def peer_python(name: str) -> Path | None:
    """The interpreter of a peer's environment, creating it on first use (None if it fails)."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists():
        return python
    print(f"[bench] creating {venv} for {name} ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS[name]], check=True)
    except subprocess.CalledProcessError as exc:
        print(f"[bench] {name} unavailable: {exc}", flush=True)
        return None
    marker.write_text(" ".join(PEERS[name]))
    return python


def _run_json(cmd: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def bench_coba(sizes: list[int], repeat: int, duration: float) -> list[dict]:
    brian2 = peer_python("brian2")
    rows = []
    for n in sizes:
        def spikeloom_cmd(seed, n=n):
            return [sys.executable, str(HERE / "coba_spikeloom.py"), str(n), str(duration),
                    str(seed)]

        def brian_cmd(seed, n=n):
            return [str(brian2), str(HERE / "peers" / "brian2_coba.py"), str(n),
                    str(duration), "cython", str(seed)]

        # A fresh Numba cache: the warm-up's run() includes compiling the loop from scratch;
        # the repetitions then load it from this cache, as any later session would.
        env = dict(os.environ, SPIKELOOM_CACHE_DIR=tempfile.mkdtemp(prefix="spikeloom-bench-"))
        warm = _run_json(spikeloom_cmd(0), env)
        if brian2:
            _run_json(brian_cmd(0))  # fills Brian2's cython cache
        results = {"spikeloom": [], "brian2": []}
        for k in range(repeat):  # seed k for both: medians over typical networks
            results["spikeloom"].append(_run_json(spikeloom_cmd(k + 1), env))
            if brian2:
                results["brian2"].append(_run_json(brian_cmd(k + 1)))
            print(f"[bench] coba n={n} rep {k + 1}/{repeat}: spikeloom run "
                  f"{results['spikeloom'][-1]['run_s']:.3f} s"
                  + (f", brian2 {results['brian2'][-1]['run_s']:.3f} s" if brian2 else ""),
                  flush=True)
        row = {"case": "coba", "n": n, "duration_s": duration, "repeat": repeat,
               "spikeloom_first_run_with_compile_s": warm["run_s"]}
        for key in ("run_s", "steady_s", "build_s", "rate_hz"):
            row[f"spikeloom_{key}"] = statistics.median(r[key] for r in results["spikeloom"])
        if brian2:
            for key in ("run_s", "steady_s", "build_s", "rate_hz"):
                row[f"brian2_cython_{key}"] = statistics.median(r[key] for r in results["brian2"])
            row["ratio_run"] = row["spikeloom_run_s"] / row["brian2_cython_run_s"]
            row["ratio_steady"] = row["spikeloom_steady_s"] / row["brian2_cython_steady_s"]
        else:
            row["brian2"] = "missing"
        rows.append(row)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    ns = [r["n"] for r in rows]
    ax.loglog(ns, [r["spikeloom_run_s"] for r in rows], "o-", label="spikeloom run()")
    ax.loglog(ns, [r["spikeloom_steady_s"] for r in rows], "o--", label="spikeloom steady")
    if all("brian2_cython_run_s" in r for r in rows):
        ax.loglog(ns, [r["brian2_cython_run_s"] for r in rows], "s-", label="Brian2 cython")
    ax.set_xlabel("neurons")
    ax.set_ylabel("wall time for 1 s biological (s)")
    ax.set_title("COBA network")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(out: dict) -> str:
    """The results as the Markdown table quoted in benchmarks/README.md."""
    lines = [
        f"Machine: {out['machine']['cpu']}, {out['machine']['cores']} cores, Python "
        f"{out['machine']['python']}, {out['machine']['date']}. Command: `{out['command']}`.",
        "",
        "| neurons | synapses/neuron | spikeloom run() | spikeloom steady | spikeloom first run "
        "incl. compilation | Brian2 cython run() | Brian2 steady | ratio run() | ratio steady | "
        "rate spikeloom / Brian2 (Hz) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in out["rows"]:
        lines.append(
            f"| {r['n']} | 80 | {r['spikeloom_run_s']:.3f} s | {r['spikeloom_steady_s']:.3f} s | "
            f"{r['spikeloom_first_run_with_compile_s']:.2f} s | "
            f"{r.get('brian2_cython_run_s', float('nan')):.3f} s | "
            f"{r.get('brian2_cython_steady_s', float('nan')):.3f} s | "
            f"{r.get('ratio_run', float('nan')):.2f} | {r.get('ratio_steady', float('nan')):.2f} | "
            f"{r['spikeloom_rate_hz']:.1f} / {r.get('brian2_cython_rate_hz', float('nan')):.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--duration", type=float, default=1.0)
    args = parser.parse_args(argv)
    rows = bench_coba(args.sizes, args.repeat, args.duration)
    out = {"machine": machine(), "command": "python -m benchmarks " + " ".join(argv or
                                                                                sys.argv[1:]),
           "rows": rows}
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "coba.json").write_text(json.dumps(out, indent=2))
    plot(rows, HERE / "coba.png")
    (results / "coba.md").write_text(markdown_table(out))
    print(f"{'n':>8} {'spikeloom run':>14} {'steady':>8} {'brian2 cython':>14} {'ratio':>6}")
    for r in rows:
        print(f"{r['n']:>8} {r['spikeloom_run_s']:>14.3f} {r['spikeloom_steady_s']:>8.3f} "
              f"{r.get('brian2_cython_run_s', float('nan')):>14.3f} "
              f"{r.get('ratio_run', float('nan')):>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
