"""COBA network in spikeloom (the demo's model); prints one JSON line.

``python benchmarks/coba_spikeloom.py N DURATION_S [SEED]`` times the build, the first ``run()``
(including loading or compiling the loop) and a second ``run()`` of the same length (steady).
"""

import json
import sys
import time


def run(n_neurons: int, duration_s: float, seed: int = 2026) -> dict:
    t_import = time.perf_counter()
    import spikeloom as sl
    from spikeloom.demo import build_coba

    import_s = time.perf_counter() - t_import
    sl.seed(seed)
    t0 = time.perf_counter()
    net = build_coba(n_neurons)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    net.network.run(duration_s * sl.second)
    run_s = time.perf_counter() - t1
    spikes_first = net.spikes.num_spikes
    t2 = time.perf_counter()
    net.network.run(duration_s * sl.second)
    steady_s = time.perf_counter() - t2
    return {"simulator": "spikeloom-numba", "n": n_neurons, "duration_s": duration_s,
            "import_s": import_s, "build_s": build_s, "run_s": run_s, "steady_s": steady_s,
            "compile_s": net.network.last_compile_time,
            "synapses": int(net.exc.N + net.inh.N),
            "rate_hz": spikes_first / (n_neurons * duration_s)}


if __name__ == "__main__":
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 2026
    print(json.dumps(run(int(sys.argv[1]), float(sys.argv[2]), seed)))
