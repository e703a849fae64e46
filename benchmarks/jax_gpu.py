"""The JAX backend on a GPU: COBA at four sizes, batches of trials, the memristive layer, and
where the time of one step goes.

Usage (on the GPU machine, from the repository root)::

    python -m benchmarks.jax_gpu --out benchmarks/results/gpu \\
        [--sizes 4000 40000 400000 4000000] [--batch 256] [--breakdown 4000 4000000] \\
        [--unroll 1 4 16] [--memristor] [--before OLD_SRC]

Every figure is wall-clock time of ``run()`` (or ``run_batch``) for 1 s of biological time,
after JAX has started on the device (``jax_init``: the first jitted call of the process):

* ``coba``: float32, the COBA network of ``benchmarks/cases.py`` (p = 80/N): first run
  (lowering, probe chunk, compilation and the run) and second run (compiled, capacities
  known: ``Network.last_run_time``), with the rate (~21 Hz when the network is right) and
  the second run's phases (``phase_*``: copies to the device, waiting for the steps,
  compiling, monitor records to the host, results into the model's arrays);
* ``unroll``: COBA 4 000 again with each scan unroll factor;
* ``batch``: ``run_batch`` of B COBA-4k trials with different seeds (second call timed);
* ``memristor``: the seed's NC rule on the 1000 x 100 layer in float64, and whether its
  spikes equal the Numba backend's (and how far its weights are: last bits, through
  ``tanh`` of a state variable) over 300 ms;
* ``breakdown``: the step cut after each of its blocks, each prefix scanned over 2 000
  steps; the differences are the blocks' costs per step;
* ``before``: with ``--before DIR`` (a ``src`` folder of an earlier spikeloom), the memristive
  layer on that code for 1 ms (10 steps, after a first run that compiles), scaled to 1 s.

Results: ``<out>/jax_gpu.json`` and, as Markdown tables, ``<out>/jax_gpu.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _fresh(sl, float_dtype: str, unroll: int | None = None) -> None:
    from spikeloom.core import _base

    sl.set_device("jax", float_dtype=float_dtype, unroll=unroll)
    _base._names.clear()  # the cases use fixed names; a fresh scope per model
    sl.start_scope()


def _phases() -> dict:
    from spikeloom.backends.jax import _run

    return {f"phase_{k.replace(' ', '_')}_s": v for k, v in _run.last_phases.items()}


def coba(n: int, float_dtype: str = "float32", unroll: int | None = None,
         duration: float = 1.0, seed: int = 1) -> dict:
    """First and second ``run(duration)`` of COBA with ``n`` neurons."""
    import spikeloom as sl
    from benchmarks import cases

    _fresh(sl, float_dtype, unroll)
    t0 = time.perf_counter()
    model = cases.build(sl, "coba", n, seed)
    build_s = time.perf_counter() - t0
    net = model["network"]
    t0 = time.perf_counter()
    net.run(duration * sl.second)
    first_s = time.perf_counter() - t0
    compile_s = net.last_compile_time
    before = len(model["spikes"].i[:])
    t0 = time.perf_counter()
    net.run(duration * sl.second)
    wall_s = time.perf_counter() - t0
    spikes = len(model["spikes"].i[:]) - before
    return {"case": "coba", "n": n, "float": float_dtype, "unroll": unroll,
            "build_s": build_s, "first_run_s": first_s, "compile_s": compile_s,
            "run_s": net.last_run_time, "run_wall_s": wall_s,
            "rate_hz": spikes / (n * duration), "synapses": int(model["synapses"]()),
            **_phases()}


def batch(trials: int, n: int = 4000, duration: float = 1.0) -> dict:
    """``run_batch`` of ``trials`` COBA networks (seeds 0..B-1), second call timed."""
    import spikeloom as sl
    from benchmarks import cases

    _fresh(sl, "float32")
    t0 = time.perf_counter()
    models = []
    for s in range(trials):
        from spikeloom.core import _base

        _base._names.clear()
        models.append(cases.build(sl, "coba", n, s))
    build_s = time.perf_counter() - t0
    networks = [m["network"] for m in models]
    t0 = time.perf_counter()
    sl.run_batch(networks, duration * sl.second, seeds=list(range(trials)))
    first_s = time.perf_counter() - t0
    counts = [len(m["spikes"].i[:]) for m in models]
    t0 = time.perf_counter()
    sl.run_batch(networks, duration * sl.second, seeds=list(range(trials)))
    wall_s = time.perf_counter() - t0
    spikes = sum(len(m["spikes"].i[:]) for m in models) - sum(counts)
    return {"case": "batch", "trials": trials, "n": n, "build_s": build_s,
            "first_run_s": first_s, "run_s": networks[0].last_run_time, "run_wall_s": wall_s,
            "trial_seconds_per_s": trials * duration / wall_s,
            "rate_hz": spikes / (trials * n * duration), **_phases()}


def memristor(n: int = 1000, duration: float = 1.0, parity_s: float = 0.3) -> dict:
    """The memristive layer on the GPU (float64), timed, and checked against Numba."""
    import spikeloom as sl
    from benchmarks import cases

    _fresh(sl, "float64")
    model = cases.build(sl, "memristor", n, 1)
    net = model["network"]
    t0 = time.perf_counter()
    net.run(duration * sl.second)
    first_s = time.perf_counter() - t0
    net.run(duration * sl.second)
    row = {"case": "memristor", "n": n, "first_run_s": first_s, "run_s": net.last_run_time,
           "spikes_per_s": len(model["spikes"].i[:]) / (2 * duration)}
    out = []
    for device in ("numba", "jax"):
        _fresh(sl, "float64")
        sl.set_device(device)
        m = cases.build(sl, "memristor", n, 3)
        m["network"].run(parity_s * sl.second)
        out.append((np.asarray(m["spikes"].i[:]), np.asarray(m["spikes"].t[:] / sl.ms),
                    m["weights"]()))
    (i0, t0_, w0), (i1, t1_, w1) = out
    row.update(parity_spikes=len(i0), same_spikes=bool(np.array_equal(i0, i1)
                                                        and np.array_equal(t0_, t1_)),
               max_weight_diff=float(np.max(np.abs(w0 - w1))))
    sl.set_device("jax")
    return row


def breakdown(n: int, steps: int = 2000) -> list[dict]:
    """Per-block cost of one COBA step: the step cut after each block, scanned ``steps``."""
    import jax

    import spikeloom as sl
    from benchmarks import cases
    from spikeloom.backends.jax import _run
    from spikeloom.backends.jax._render import record_buffers

    _fresh(sl, "float32")
    model = cases.build(sl, "coba", n, 1)
    net = model["network"]
    net.run(0.05 * sl.second)  # learns the capacities
    plan, lctx, _ = net._prepare(0.2 * sl.second, {}, False)
    run = _run._Run(plan, [lctx.arrays], [lctx.scalars], [1], _run.Options("float32"),
                    batched=False)
    source = run.source()
    mutable, constant = run.initial_state(source)
    mutable = run._fit_queues(mutable)
    lines = source.splitlines()
    marks = [k for k, line in enumerate(lines) if line.startswith("    # ")]
    ret = next(k for k, line in enumerate(lines) if line.strip().startswith("return "))
    buffers = record_buffers(plan, run.config())
    rows, previous = [], 0.0
    for cut in marks[1:] + [ret]:
        body = lines[:cut] + [lines[ret]]
        text = "\n".join(body) + "\n"
        args = (mutable, constant, run.scalars, jax.numpy.int64(0),
                jax.numpy.asarray(np.uint64(1)), jax.numpy.uint64(0))
        program = _run._compiled(text, steps, False, args, buffers, run._unroll(constant))
        jax.block_until_ready(program(*args))
        t0 = time.perf_counter()
        jax.block_until_ready(program(*args))
        elapsed = time.perf_counter() - t0
        block = lines[marks[len(rows)]].strip("# ").strip()
        rows.append({"case": "breakdown", "n": n, "block": f"{len(rows)}:{block}",
                     "cumulative_us_per_step": 1e6 * elapsed / steps,
                     "us_per_step": 1e6 * (elapsed - previous) / steps})
        previous = elapsed
    return rows


BEFORE = """
import json, sys, time
import spikeloom as sl
from benchmarks import cases
sl.set_device("jax")
m = cases.build(sl, "memristor", 1000, 1)
m["network"].run(0.001 * sl.second)  # compiles the 10-step chunk
t0 = time.perf_counter()
m["network"].run(0.001 * sl.second)
elapsed = time.perf_counter() - t0
print(json.dumps({"case": "before_memristor", "run_1ms_s": elapsed, "run_s": 1000 * elapsed}))
"""


def before(old_src: Path, timeout: float = 300.0) -> dict:
    """The memristive layer on earlier code (``old_src``), 1 ms scaled to 1 s (a row with
    ``did_not_finish_s`` when the two 1-ms runs and their compilation outlast ``timeout``)."""
    path = os.pathsep.join(p for p in (str(old_src), str(ROOT), os.environ.get("PYTHONPATH"))
                           if p)
    env = dict(os.environ, PYTHONPATH=path)
    try:
        proc = subprocess.run([sys.executable, "-c", BEFORE], capture_output=True, text=True,
                              env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"case": "before_memristor", "did_not_finish_s": timeout}
    if proc.returncode != 0:
        return {"case": "before_memristor", "error": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(rows: list[dict]) -> str:
    """Markdown tables of the rows."""
    out = []
    for case in ("jax_init", "coba", "batch", "memristor", "before_memristor", "breakdown"):
        sel = [r for r in rows if r.get("case") == case]
        if not sel:
            continue
        keys = [k for k in sel[0] if k != "case"]
        out.append(f"### {case}\n")
        out.append("| " + " | ".join(keys) + " |")
        out.append("|" + "---|" * len(keys))
        for r in sel:
            out.append("| " + " | ".join(_fmt(r.get(k)) for k in keys) + " |")
        out.append("")
    return "\n".join(out)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[4000, 40000, 400000])
    parser.add_argument("--unroll", type=int, nargs="*", default=[])
    parser.add_argument("--batch", type=int, nargs="*", default=[256])
    parser.add_argument("--breakdown", type=int, nargs="*", default=[])
    parser.add_argument("--memristor", action="store_true")
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--before-timeout", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/gpu")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    import jax

    rows: list[dict] = []

    def keep(row: dict) -> None:
        rows.append(row)
        print(json.dumps(row), flush=True)
        meta = {"python": sys.version, "platform": platform.platform(),
                "jax": jax.__version__, "device": str(jax.devices()[0]), "rows": rows}
        (args.out / "jax_gpu.json").write_text(json.dumps(meta, indent=2))
        (args.out / "jax_gpu.md").write_text(report(rows))

    t0 = time.perf_counter()  # JAX's own start on the device, paid once per process
    jax.block_until_ready(jax.jit(lambda x: x + 1)(np.float32(1)))
    keep({"case": "jax_init", "first_jit_s": time.perf_counter() - t0})
    jobs = [lambda n=n: coba(n) for n in args.sizes]
    jobs += [lambda u=u: coba(4000, unroll=u) for u in args.unroll]
    jobs += [lambda b=b: batch(b) for b in args.batch]
    if args.memristor:
        jobs.append(memristor)
    if args.before is not None:
        jobs.append(lambda: before(args.before, args.before_timeout))
    for n in args.breakdown:
        jobs.append(lambda n=n: breakdown(n))
    for job in jobs:
        try:
            result = job()
        except Exception as exc:  # one failing case must not cost the others
            result = {"case": "error", "error": repr(exc)[-2000:]}
        for row in result if isinstance(result, list) else [result]:
            keep(row)
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
