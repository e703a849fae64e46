"""Run one benchmark case once in this fresh process; print one JSON line.

``python benchmarks/run_case.py SIMULATOR CASE N DURATION_S SEED``

SIMULATOR is ``spikeloom``, ``brian2-cython`` or ``brian2-cpp_standalone``; CASE is one of
``benchmarks.cases.CASES``; N the case's size; DURATION_S the biological time in seconds.
Run it with the interpreter of the simulator's environment (Brian2 lives in ``.venvs/brian2``).

The last line on stdout is a JSON object (all times are wall-clock seconds):

``import_s``
    ``import spikeloom`` / ``import brian2``.
``build_s``
    Building the model (``cases.build``: groups, connectivity, initial values).
``run_s``
    spikeloom and brian2-cython: the first ``network.run(DURATION_S)`` of this process
    (Brian2's code generation and loading of its cython extensions; spikeloom's lowering and
    loading or compiling of its loop). brian2-cpp_standalone: what ``run()`` costs in
    standalone mode, code generation + make (nothing left to compile in a warm directory)
    + the binary, which also builds the connectivity (``binary_s`` alone).
``steady_s``
    A second ``network.run(DURATION_S)`` of the same network (None in standalone mode).
``compile_s``
    spikeloom: ``network.last_compile_time``; brian2-cpp_standalone: ``device.build`` (code
    generation and make/g++); brian2-cython: None.
``sim_loop_s``
    brian2-cpp_standalone: the binary's own time of its simulation loop; otherwise None.
``binary_s``
    brian2-cpp_standalone: wall time of the binary (connectivity, initialisation, loop).
``rate_hz``
    Mean firing rate of the case's main population over the first run only.
``synapses``
    Number of synapses. ``song`` adds ``w_high`` and ``w_low``, the fractions of weights
    above 0.9 gmax and below 0.1 gmax after the first run; ``microcircuit`` adds
    ``population_rates_hz``, each population's rate during the first run after its start
    transient (``microcircuit.TRANSIENT_S``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

SIMULATORS = ("spikeloom", "brian2-cython", "brian2-cpp_standalone")
#: Fractions of the song case: weights above HIGH*gmax and below LOW*gmax.
HIGH = 0.9
LOW = 0.1


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send everything written to stdout (Python and subprocesses, i.e. file descriptor 1)
    to stderr, so that the JSON line is the only thing on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def standalone_directory(case: str, n: int) -> Path:
    """Fixed project directory per (case, n), so that make rebuilds only what changed."""
    return Path(os.environ.get("TMPDIR", "/tmp")) / "spikeloom-bench-standalone" / f"{case}_{n}"


def run_case(simulator: str, case: str, n: int, duration_s: float, seed: int) -> dict:
    """Import the simulator, build ``case`` and run it; return the measurements.

    Parameters
    ----------
    simulator : str
        One of :data:`SIMULATORS`.
    case : str
        A case of ``benchmarks.cases``.
    n : int
        The case's size (neurons, or Poisson inputs for song and memristor).
    duration_s : float
        Biological time of each run, in seconds.
    seed : int
        Seed passed to ``b.seed`` before building.
    """
    if simulator not in SIMULATORS:
        raise ValueError(f"unknown simulator {simulator!r}; expected one of {SIMULATORS}")
    # The cases live next to this script; importing them by path works for
    # ``python benchmarks/run_case.py`` from any directory and needs no package install.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import cases

    t0 = time.perf_counter()
    if simulator == "spikeloom":
        import spikeloom as b
    else:
        import brian2 as b
    import_s = time.perf_counter() - t0

    standalone = simulator == "brian2-cpp_standalone"
    directory = None
    if simulator == "brian2-cython":
        b.prefs.codegen.target = "cython"
    elif standalone:
        directory = standalone_directory(case, n)
        directory.mkdir(parents=True, exist_ok=True)
        b.set_device("cpp_standalone", directory=str(directory), build_on_run=False)

    t0 = time.perf_counter()
    model = cases.build(b, case, n, seed)
    build_s = time.perf_counter() - t0
    network = model["network"]
    duration = duration_s * b.second
    # Every group carries its own namespace. ``namespace={}`` keeps Brian2 from also searching
    # this function's locals (it warned that the local ``n`` clashes with COBAHH's gate n).
    steady_s = compile_s = sim_loop_s = binary_s = None
    if standalone:
        # Only records the run in the device's main(); nothing is simulated yet.
        network.run(duration, namespace={})
        device = b.get_device()
        t0 = time.perf_counter()
        # clean=False keeps make's objects of earlier invocations with the same (case, n).
        device.build(directory=str(directory), compile=True, run=False, clean=False,
                     with_output=False)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        device.run(directory=str(directory), with_output=False)
        binary_s = time.perf_counter() - t0
        # What a user waits for at run() in standalone mode (build_on_run=True): code
        # generation, make (nothing to recompile when the directory is warm) and the binary.
        run_s = compile_s + binary_s
        sim_loop_s = float(device._last_run_time)
        first_count = int(model["spikes"].num_spikes)
        extra = _extras(model, duration_s)
    else:
        t0 = time.perf_counter()
        network.run(duration, namespace={})
        run_s = time.perf_counter() - t0
        first_count = int(model["spikes"].num_spikes)
        extra = _extras(model, duration_s)  # state after the first run, like the rate
        if simulator == "spikeloom":
            compile_s = float(network.last_compile_time)
        t0 = time.perf_counter()
        network.run(duration, namespace={})
        steady_s = time.perf_counter() - t0

    return {"simulator": simulator, "case": case, "n": n, "duration_s": duration_s,
            "seed": seed, "import_s": import_s, "build_s": build_s, "run_s": run_s,
            "steady_s": steady_s, "compile_s": compile_s, "sim_loop_s": sim_loop_s,
            "binary_s": binary_s,
            "rate_hz": first_count / (model["n_neurons"] * duration_s),
            "synapses": int(model["synapses"]()), **extra}


def _extras(model: dict, duration_s: float) -> dict:
    """Case-specific results: the song case's weight fractions, the microcircuit's rate of
    every population (Hz, after the start transient)."""
    if "population_rates" in model:
        return {"population_rates_hz": model["population_rates"](duration_s)}
    if "weights_over_gmax" not in model:
        return {}
    w = model["weights_over_gmax"]()
    return {"w_high": float((w > HIGH).mean()), "w_low": float((w < LOW).mean())}


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    simulator, case, n, duration_s, seed = argv
    with _stdout_to_stderr():
        result = run_case(simulator, case, int(n), float(duration_s), int(seed))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
