"""COBA network in Brian2 (cython runtime), the same model as spikeloom.demo.build_coba.

Run by benchmarks/__main__.py inside its own Brian2 virtual environment; prints one JSON line.
"""

import json
import sys
import time

n_neurons = int(sys.argv[1])
duration_s = float(sys.argv[2])
target = sys.argv[3] if len(sys.argv) > 3 else "cython"

t_import = time.perf_counter()
from brian2 import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    Synapses,
    defaultclock,
    ms,
    mV,
    prefs,
    second,
    seed,
)

import_s = time.perf_counter() - t_import

prefs.codegen.target = target
defaultclock.dt = 0.1 * ms
seed(int(sys.argv[4]) if len(sys.argv) > 4 else 2026)
t0 = time.perf_counter()
namespace = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV,
             "El": -60 * mV, "Erev_exc": 0.0 * mV, "Erev_inh": -80.0 * mV, "I": 20.0 * mV,
             "we": 0.6, "wi": 6.7}
eqs = """
dv/dt  = (ge*(Erev_exc - v) + gi*(Erev_inh - v) - (v - El) + I)*(1./taum) : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
"""
P = NeuronGroup(n_neurons, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                method="euler", namespace=namespace)
n_exc = int(0.8 * n_neurons)
Ce = Synapses(P[:n_exc], P, on_pre="ge += we", namespace=namespace)
Ci = Synapses(P[n_exc:], P, on_pre="gi += wi", namespace=namespace)
Ce.connect(p=0.02)
Ci.connect(p=0.02)
P.v = "Vr + rand()*(Vt - Vr)"
spikes = SpikeMonitor(P)
rate = PopulationRateMonitor(P)
net = Network(P, Ce, Ci, spikes, rate)
build_s = time.perf_counter() - t0
t1 = time.perf_counter()
net.run(duration_s * second)
run_s = time.perf_counter() - t1
spikes_first = spikes.num_spikes
t2 = time.perf_counter()
net.run(duration_s * second)  # same network again: no code generation left to do
steady_s = time.perf_counter() - t2
print(json.dumps({"simulator": f"brian2-{target}", "n": n_neurons, "duration_s": duration_s,
                  "import_s": import_s, "build_s": build_s, "run_s": run_s,
                  "steady_s": steady_s,
                  "synapses": len(Ce) + len(Ci),
                  "rate_hz": spikes_first / (n_neurons * duration_s)}))
