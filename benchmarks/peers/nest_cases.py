"""COBA, CUBA, COBAHH, Song STDP and the microcircuit in NEST 3 (PyNEST); prints one JSON line.

Run by the benchmark runner inside NEST's own virtual environment (``.venvs/nest``:
``nest-simulator==3.10.0``, with PyNN 0.13 for ``benchmarks/pynn_va.py``)::

    python benchmarks/peers/nest_cases.py CASE N DURATION_S SEED [--threads T]
        [--connectivity indegree|bernoulli]

Every case is the model of ``benchmarks/cases.py`` written with NEST's built-in models, with
the parameters converted to NEST's units (mV, ms, pF, nS, pA). dt = 0.1 ms (NEST's
``resolution``), NEST's thread count ``--threads`` (default: ``os.cpu_count()``, reported as
``threads``), NEST's random numbers seeded with ``rng_seed = SEED + 1`` (NEST's seeds start at
1), NumPy's with SEED. Every synapse has NEST's shortest delay, one step (0.1 ms).

``coba``
    ``iaf_cond_exp``: C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e is
    cases.py's taum dv/dt = (El - v) + ge (Erev_exc - v) + gi (Erev_inh - v) + I multiplied
    by g_L, with g_L = 10 nS, C_m = taum g_L = 200 pF, conductances in nS = cases.py's (in
    units of the leak) times g_L: we = 6 nS, wi = 67 nS, I_e = I g_L = 200 pA. E_L = V_reset =
    -60 mV, V_th = -50 mV, E_ex = 0 mV, E_in = -80 mV, tau_syn 5 / 10 ms, t_ref 5 ms (V clamped
    to V_reset, conductances go on, as ``(unless refractory)``). V(0) uniform in [-60, -50) mV.
``cuba``
    ``iaf_psc_exp`` (exact integration, as Brian2's ``exact``): currents in pA = cases.py's
    synaptic voltages times C_m / tau_m (C_m = 200 pF, tau_m = 20 ms): we = 1.62 mV -> 16.2
    pA, wi = -9 mV -> -90 pA; E_L = -49 mV, V_th = -50 mV, V_reset = -60 mV, t_ref 5 ms,
    tau_syn 5 / 10 ms. V(0) uniform in [-60, -50) mV.
``cobahh``
    ``hh_cond_exp_traub``: the same Traub-Miles equations and rate functions as cases.py
    (checked term by term against NEST's source), the same parameters (C_m 200 pF, g_L 10 nS,
    g_Na 20 uS, g_K 6 uS, E_L -60, E_Na 50, E_K -90, V_T -63, E_ex 0, E_in -80 mV, tau_syn
    5 / 10 ms, we 6 nS, wi 67 nS), m = h = n = 0 at t = 0 as in Brian2, V(0) = E_L - 5 mV +
    5 mV randn, t_ref 3 ms.
``song``
    1000 ``poisson_generator`` trains at 15 Hz, each through its own ``parrot_neuron`` (STDP
    needs a neuron as the presynaptic side), onto one ``iaf_cond_exp`` with cases.py's LIF
    (taum 10 ms: g_L 10 nS, C_m 100 pF; E_L -74, V_th -54, V_reset -60, E_ex 0 mV, tau_syn_ex
    5 ms, no refractoriness, V(0) = 0 mV as Brian2's default) through ``stdp_synapse`` with
    mu_plus = mu_minus = 0 (additive), Wmax = gmax g_L = 0.1 nS, lambda = dApre / gmax = 0.01
    and alpha = -dApost / dApre = 1.05, both compensated for NEST's dendritic delay
    (lambda x exp(0.1 ms / 20 ms), alpha / exp(0.1 ms / 20 ms): see ``song_stdp``;
    ``--stdp-literal`` leaves them as they are), tau_plus = taupre = 20 ms, the neuron's
    tau_minus = taupost = 20 ms; initial weights uniform in [0, Wmax). ``w_high``, ``w_low``:
    fractions of weights above 0.9 Wmax and below 0.1 Wmax after the first run.
``microcircuit``
    Potjans & Diesmann (2014) at N per cent of the neurons (in-degrees kept): NEST's own
    ``iaf_psc_exp`` (the model's neuron; exact integration) with the parameters of
    ``benchmarks/microcircuit.py``, and the very network ``cases.py`` builds for the seed
    (the same sources, targets, weights in pA, delays in steps and initial potentials, drawn
    there with NumPy and connected here ``one_to_one`` from arrays); each population's
    background is one ``poisson_generator`` of rate K_ext x 8 Hz with the weight 87.8 pA
    (a sum of K_ext independent 8 Hz trains, as Brian2's ``PoissonInput``). ``rates``: the
    rate of every population after the start transient.
``memristor``
    not expressible: no built-in NEST synapse has the seed's rule (multiplicative, with a
    tanh window of the nearest-neighbour spike-time difference); it needs a NESTML synapse
    compiled into a NEST extension module, which this benchmark does not build. The script
    exits with status 3.

Connectivity (``--connectivity``; the recurrent cases, p = 80/N, autapses allowed and no
repeated pairs, as Brian2's ``connect(p=p)``):

``indegree`` (default)
    the same random graph drawn in O(synapses): each target's in-degree K ~ Binomial(N_src, p)
    (NumPy, seeded), then NEST's ``fixed_indegree`` rule without multapses, one ``Connect``
    per value of K (K distinct sources drawn uniformly: the Bernoulli graph exactly).
``bernoulli``
    NEST's ``pairwise_bernoulli``: one draw per ordered pair, N_src x N of them (1 min at
    40 000 neurons on 2 cores, hours at 400 000).

Differences from cases.py that NEST's built-in models do not let us remove:

* Integration: ``iaf_cond_exp`` and ``hh_cond_exp_traub`` are integrated with GSL's adaptive
  Runge-Kutta-Fehlberg 4(5) (absolute tolerance 1e-3) inside each 0.1 ms step; cases.py uses
  forward Euler (COBA, Song) and exponential Euler (COBAHH). ``iaf_cond_exp`` also evaluates
  its currents with V capped at V_th.
* Delay: NEST's shortest delay is one step, so a spike reaches its targets' conductances one
  step (0.1 ms) later than in Brian2, whose synapses without delay act in the step of the
  spike.
* COBAHH spikes: ``hh_cond_exp_traub`` emits a spike at a local maximum of V above
  V_T + 30 mV = -33 mV (detected one step after the peak), not at the upward crossing of
  -20 mV; its t_ref (3 ms) only blocks detection, as Brian2's ``refractory`` without
  ``(unless refractory)``. The state of ``hh_cond_exp_traub`` has no settable conductances,
  so cases.py's initial ge ~ 10 (4 + 1.5 randn) nS, gi ~ 10 (20 + 12 randn) nS are delivered
  as one event per neuron from a ``spike_generator`` arriving at t = 0.2 ms, with weights
  scaled by exp(-0.2 ms / tau_syn) so that the conductances equal Brian2's from 0.2 ms on;
  negative draws (0.4 % of ge, 4.8 % of gi: NEST routes an event to g_ex or g_in by its sign)
  are set to 0.
* Song: NEST's ``stdp_synapse`` transmits the weight after the depression by the same
  presynaptic spike; Brian2's example transmits it before (``ge += w`` first). The drive is
  about 1 % weaker, and the output settles at a lower rate: spikeloom with its ``on_pre``
  reordered the same way fired at 22.8 Hz (5 seeds) instead of 24.9 Hz, NEST at 22.9 Hz. It
  applies the potentiation by postsynaptic spikes lazily, at the next presynaptic spike (the
  final weights miss that of postsynaptic spikes after a synapse's last input spike), and a
  spike caused by an input follows it by one step more than in Brian2 (the delay), so such
  pairs are potentiated 0.5 % less. A ``poisson_generator`` draws a Poisson count per step
  (Brian2's PoissonGroup at most one spike per step; at 15 Hz two spikes in one 0.1 ms step
  have probability 1e-6).

Columns of the JSON line (wall-clock seconds, ``time.perf_counter``):

``import_s``
    ``import nest``.
``build_s``
    creating the nodes, setting their initial state and connecting them (``Create``,
    ``Connect``), after the kernel was configured.
``run_s``
    the first ``nest.Simulate(DURATION_S)`` of this process: NEST's preparation (the
    presynaptic connection tables, ``prepare_s``) and the simulation.
``steady_s``
    a second ``Simulate`` of the same length, continuing.
``compile_s``
    null: NEST compiles nothing at run time.
``rate_hz``
    spikes of the main population during the first run / (neurons x DURATION_S).
``threads``
    NEST's ``local_num_threads``.
``nest_timers``
    NEST's own kernel timers after the first run (``time_construction_create``,
    ``time_construction_connect``, the slowest thread's ``time_communicate_prepare``,
    ``time_simulate``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

# the runner's helpers (stdlib only) and the microcircuit's network (NumPy only), which
# NEST's environment can import
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import microcircuit  # NumPy only: the network cases.py builds
from run_case import _stdout_to_stderr  # NEST writes to file descriptor 1

CASES = ("coba", "cuba", "cobahh", "song", "microcircuit")
#: Cases of benchmarks/cases.py that NEST's built-in models cannot express, and why.
NOT_EXPRESSIBLE = {
    "memristor": "no built-in NEST synapse has the seed's multiplicative tanh-window rule "
                 "(it would need a NESTML synapse compiled into a NEST module)",
    "hhaxon": "NEST's compartmental neuron (cm_default) has its own fixed sodium and "
              "potassium channels, not Hodgkin and Huxley's 1952 ones, and takes "
              "compartments as conductances rather than a cable's geometry",
}
CONNECTIVITIES = ("indegree", "bernoulli")
DT_MS = 0.1
#: The shortest delay NEST allows: one step.
DELAY_MS = DT_MS
#: As benchmarks/cases.py: p = IN_DEGREE / N, the first 80 % of the population excitatory.
IN_DEGREE = 80.0
EXC_FRACTION = 0.8
#: Fractions of the song case: weights above HIGH*Wmax and below LOW*Wmax.
HIGH = 0.9
LOW = 0.1

# --- the models of benchmarks/cases.py in NEST's units (mV, ms, pF, nS, pA) ----------------
# tests/benchmarks_nest/test_nest_peer_cases.py converts them back and compares them with
# the namespaces of cases.py.

#: COBA's leak conductance: cases.py's conductances are in units of it.
COBA_G_L = 10.0
COBA = {
    "model": "iaf_cond_exp",
    "params": {"C_m": 20.0 * COBA_G_L, "g_L": COBA_G_L, "E_L": -60.0, "V_th": -50.0,
               "V_reset": -60.0, "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0,
               "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 20.0 * COBA_G_L},
    "w_exc": 0.6 * COBA_G_L,
    "w_inh": -6.7 * COBA_G_L,
    "v0_uniform": (-60.0, -50.0),
}
#: CUBA's capacitance: currents in pA = cases.py's voltages (mV) * C_m / tau_m.
CUBA_C_M = 200.0
CUBA = {
    "model": "iaf_psc_exp",
    "params": {"C_m": CUBA_C_M, "tau_m": 20.0, "E_L": -49.0, "V_th": -50.0,
               "V_reset": -60.0, "t_ref": 5.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
               "I_e": 0.0},
    "w_exc": (60 * 0.27 / 10) * CUBA_C_M / 20.0,
    "w_inh": (-20 * 4.5 / 10) * CUBA_C_M / 20.0,
    "v0_uniform": (-60.0, -50.0),
}
COBAHH = {
    "model": "hh_cond_exp_traub",
    "params": {"C_m": 200.0, "g_L": 10.0, "g_Na": 20000.0, "g_K": 6000.0, "E_L": -60.0,
               "E_Na": 50.0, "E_K": -90.0, "V_T": -63.0, "E_ex": 0.0, "E_in": -80.0,
               "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "t_ref": 3.0, "I_e": 0.0},
    "w_exc": 6.0,
    "w_inh": -67.0,
    # V(0) = E_L + (5 randn - 5) mV; ge(0) = 10 (1.5 randn + 4) nS; gi(0) = 10 (12 randn + 20)
    "v0_normal": (-65.0, 5.0),
    "ge0_normal": (40.0, 15.0),
    "gi0_normal": (200.0, 120.0),
    "gating0": {"Act_m": 0.0, "Inact_h": 0.0, "Act_n": 0.0},
}
SONG_G_L = 10.0
SONG_GMAX = 0.01  # cases.py's gmax, in units of the leak conductance
SONG = {
    "model": "iaf_cond_exp",
    "params": {"C_m": 10.0 * SONG_G_L, "g_L": SONG_G_L, "E_L": -74.0, "V_th": -54.0,
               "V_reset": -60.0, "t_ref": 0.0, "E_ex": 0.0, "tau_syn_ex": 5.0,
               "tau_minus": 20.0, "I_e": 0.0, "V_m": 0.0},
    "rate_hz": 15.0,
    # Brian2's example read literally: dApre = lambda gmax, dApost = -alpha lambda gmax
    "stdp": {"tau_plus": 20.0, "lambda": 0.01, "alpha": 1.05, "mu_plus": 0.0,
             "mu_minus": 0.0, "Wmax": SONG_GMAX * SONG_G_L},
}


def song_stdp(literal: bool = False) -> dict:
    """The ``stdp_synapse`` parameters of the song case.

    NEST treats a synapse's delay d as dendritic: it pairs a presynaptic spike, at its
    emission time, with a postsynaptic spike at t_post + d (``stdp_synapse::send``). With
    d = one step h, a pair whose postsynaptic spike follows the presynaptic one by k >= 0 steps
    is potentiated by lambda exp(-(k h + d)/tau_plus) (Brian2: A+ exp(-k h/tau_plus)), and one
    whose postsynaptic spike leads by k >= 2 steps is depressed by alpha lambda
    exp(-(k h - d)/tau_minus) (Brian2: A- exp(-k h/tau_minus) for k >= 1). Scaling lambda by
    exp(d/tau_plus) and alpha by exp(-d/tau_plus) (alpha lambda unchanged) gives every
    potentiation Brian2's amplitude, and the depression amplitudes the same sum (shifted by one
    step, which uncorrelated inputs cannot tell apart). Uncompensated (``literal``), the
    potentiation of every pair is 0.5 % smaller: summed over the grid, the excess of
    depression over potentiation grows from 4.5 % (Brian2) to 5.0 %, and the output fired at
    19-21 Hz instead of spikeloom's 25 Hz.
    """
    params = dict(SONG["stdp"])
    if not literal:
        shift = math.exp(DELAY_MS / params["tau_plus"])
        params["lambda"] *= shift
        params["alpha"] /= shift
    return params


def connect_random_graph(nest, np, sources, targets, p: float, synapse_model: str, rng,
                         connectivity: str) -> int:
    """Connect every (source, target) pair with probability ``p``, as Brian2's
    ``connect(p=p)``: autapses allowed, no repeated pairs. Returns the number of
    ``Connect`` calls."""
    if connectivity == "bernoulli":
        nest.Connect(sources, targets,
                     {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": True},
                     {"synapse_model": synapse_model})
        return 1
    # In a Bernoulli graph each target's in-degree is Binomial(N_src, p) and, given it, its
    # sources are a uniform subset: exactly what fixed_indegree without multapses draws.
    indegree = rng.binomial(len(sources), p, size=len(targets))
    ids = np.asarray(targets.tolist())
    calls = 0
    for k in np.unique(indegree):
        if k == 0:
            continue
        group = nest.NodeCollection(ids[indegree == k].tolist())
        nest.Connect(sources, group,
                     {"rule": "fixed_indegree", "indegree": int(k), "allow_autapses": True,
                      "allow_multapses": False},
                     {"synapse_model": synapse_model})
        calls += 1
    return calls


def build_recurrent(nest, np, case: str, n: int, seed: int, connectivity: str) -> dict:
    """COBA, CUBA or COBAHH: ``n`` neurons, the first 80 % excitatory, p = 80/n."""
    spec = {"coba": COBA, "cuba": CUBA, "cobahh": COBAHH}[case]
    rng = np.random.default_rng(seed)
    p = min(1.0, IN_DEGREE / n)
    n_exc = int(EXC_FRACTION * n)
    pop = nest.Create(spec["model"], n, params=spec["params"])
    if "v0_uniform" in spec:
        low, high = spec["v0_uniform"]
        pop.V_m = nest.random.uniform(low, high)
    else:
        mean, std = spec["v0_normal"]
        pop.set(V_m=nest.random.normal(mean, std), **spec["gating0"])
    nest.CopyModel("static_synapse", f"{case}_exc", {"weight": spec["w_exc"],
                                                     "delay": DELAY_MS})
    nest.CopyModel("static_synapse", f"{case}_inh", {"weight": spec["w_inh"],
                                                     "delay": DELAY_MS})
    calls = connect_random_graph(nest, np, pop[:n_exc], pop, p, f"{case}_exc", rng,
                                 connectivity)
    calls += connect_random_graph(nest, np, pop[n_exc:], pop, p, f"{case}_inh", rng,
                                  connectivity)
    if case == "cobahh":
        _initial_conductances(nest, pop, spec)
    recorder = nest.Create("spike_recorder")
    nest.Connect(pop, recorder)
    return {"recorder": recorder, "n_neurons": n, "connect_calls": calls,
            "synapses": lambda: sum(nest.GetDefaults(f"{case}_{kind}", "num_connections")
                                    for kind in ("exc", "inh"))}


def _initial_conductances(nest, pop, spec: dict) -> None:
    """cases.py's initial ge, gi as one event per neuron arriving at t = 2 steps."""
    arrival = 2 * DT_MS  # a spike at 0.1 ms (the earliest) with the 0.1 ms delay
    kick = nest.Create("spike_generator", params={"spike_times": [DT_MS]})
    for (mean, std), tau, sign in ((spec["ge0_normal"], spec["params"]["tau_syn_ex"], 1.0),
                                   (spec["gi0_normal"], spec["params"]["tau_syn_in"], -1.0)):
        scale = math.exp(-arrival / tau)  # Brian2's conductance at the arrival
        draw = nest.random.normal(sign * mean * scale, std * scale)
        # NEST routes an event by the sign of its weight: a negative draw cannot be a
        # negative conductance, it is set to 0
        weight = nest.math.max(draw, 0.0) if sign > 0 else nest.math.min(draw, 0.0)
        nest.Connect(kick, pop, "all_to_all", {"weight": weight, "delay": DELAY_MS})


def build_song(nest, np, n: int, literal_stdp: bool = False) -> dict:
    """``n`` Poisson inputs at 15 Hz onto one LIF neuron through additive pair STDP."""
    generator = nest.Create("poisson_generator", params={"rate": SONG["rate_hz"]})
    parrots = nest.Create("parrot_neuron", n)
    neuron = nest.Create(SONG["model"], 1, params=SONG["params"])
    # a poisson_generator sends an independent train to each of its targets
    nest.Connect(generator, parrots, "all_to_all", {"delay": DELAY_MS})
    stdp = song_stdp(literal_stdp)
    nest.CopyModel("stdp_synapse", "song_stdp", stdp)
    wmax = stdp["Wmax"]
    nest.Connect(parrots, neuron, "all_to_all",
                 {"synapse_model": "song_stdp", "weight": nest.random.uniform(0.0, wmax),
                  "delay": DELAY_MS})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neuron, recorder)

    def weights():
        return np.asarray(nest.GetConnections(synapse_model="song_stdp").get("weight"),
                          dtype=float) / wmax

    return {"recorder": recorder, "n_neurons": 1, "connect_calls": 1,
            "synapses": lambda: nest.GetDefaults("song_stdp", "num_connections"),
            "weights_over_wmax": weights, "stdp": stdp}


def build_microcircuit(nest, np, percent: int, seed: int) -> dict:
    """The microcircuit of ``benchmarks/microcircuit.py`` at ``percent`` % (see the module
    docstring): the same network as cases.py's for ``seed``."""
    tables = microcircuit.build_tables(percent / 100.0, seed)
    p = microcircuit.NEURON
    params = {"C_m": p["C_m_pF"], "tau_m": p["tau_m_ms"], "tau_syn_ex": p["tau_syn_ms"],
              "tau_syn_in": p["tau_syn_ms"], "E_L": p["E_L_mV"], "V_th": p["V_th_mV"],
              "V_reset": p["V_reset_mV"], "t_ref": p["t_ref_ms"], "I_e": 0.0}
    neurons = nest.Create("iaf_psc_exp", int(tables["sizes"].sum()), params=params)
    neurons.V_m = tables["v0_mv"]
    first = neurons[0].global_id
    nest.Connect(tables["i"].astype(np.int64) + first, tables["j"].astype(np.int64) + first,
                 "one_to_one", {"synapse_model": "static_synapse",
                                "weight": tables["weight_pa"],
                                "delay": tables["delay_steps"] * microcircuit.DT_MS})
    for k, (start, size) in enumerate(zip(tables["offsets"], tables["sizes"])):
        rate = float(tables["k_ext"][k]) * microcircuit.BG_RATE_HZ
        background = nest.Create("poisson_generator", params={"rate": rate})
        nest.Connect(background, neurons[int(start):int(start + size)], "all_to_all",
                     {"weight": tables["w_ext_pa"], "delay": DELAY_MS})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)

    def rates(duration_s: float) -> list[float]:
        events = recorder.events
        return microcircuit.population_rates(
            np.asarray(events["senders"]) - first, np.asarray(events["times"]) / 1000.0,
            tables["sizes"], duration_s)

    return {"recorder": recorder, "n_neurons": len(neurons), "connect_calls": 10,
            "synapses": lambda: tables["i"].size, "population_rates": rates}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=CASES + tuple(NOT_EXPRESSIBLE))
    parser.add_argument("n", type=int)
    parser.add_argument("duration_s", type=float)
    parser.add_argument("seed", type=int)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--connectivity", choices=CONNECTIVITIES, default="indegree")
    parser.add_argument("--stdp-literal", action="store_true",
                        help="song: Brian2's A+, A- as lambda, alpha without the compensation "
                             "of NEST's dendritic delay (see song_stdp)")
    args = parser.parse_args(argv)
    if args.case in NOT_EXPRESSIBLE:
        print(f"{args.case}: not expressible in NEST: {NOT_EXPRESSIBLE[args.case]}",
              file=sys.stderr)
        sys.exit(3)

    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner
    t0 = time.perf_counter()
    import nest
    import numpy as np

    import_s = time.perf_counter() - t0

    nest.ResetKernel()
    if hasattr(nest, "VerbosityLevel"):  # NEST >= 3.9; set_verbosity warns there
        nest.verbosity = nest.VerbosityLevel.WARNING
    else:
        nest.set_verbosity("M_WARNING")
    nest.SetKernelStatus({"local_num_threads": args.threads, "resolution": DT_MS,
                          "rng_seed": args.seed + 1, "print_time": False})
    t0 = time.perf_counter()
    if args.case == "song":
        model = build_song(nest, np, args.n, args.stdp_literal)
    elif args.case == "microcircuit":
        model = build_microcircuit(nest, np, args.n, args.seed)
    else:
        model = build_recurrent(nest, np, args.case, args.n, args.seed, args.connectivity)
    build_s = time.perf_counter() - t0

    duration_ms = args.duration_s * 1000.0
    t0 = time.perf_counter()
    nest.Simulate(duration_ms)
    run_s = time.perf_counter() - t0
    first_count = int(model["recorder"].n_events)
    kernel = nest.GetKernelStatus()
    timers = {"create_s": kernel["time_construction_create"],
              "connect_s": kernel["time_construction_connect"],
              "prepare_s": float(np.max(kernel["time_communicate_prepare"])),
              "simulate_s": kernel["time_simulate"]}
    extra = {}
    if "weights_over_wmax" in model:
        w = model["weights_over_wmax"]()
        extra = {"w_high": float((w > HIGH).mean()), "w_low": float((w < LOW).mean()),
                 "stdp": model["stdp"],
                 "stdp_mapping": "literal" if args.stdp_literal else "delay-compensated"}
    if "population_rates" in model:
        extra = {"population_rates_hz": model["population_rates"](args.duration_s)}

    t0 = time.perf_counter()
    nest.Simulate(duration_ms)
    steady_s = time.perf_counter() - t0

    return {"simulator": "nest", "case": args.case, "n": args.n,
            "duration_s": args.duration_s, "seed": args.seed, "rng_seed": args.seed + 1,
            "import_s": import_s, "build_s": build_s, "run_s": run_s,
            "steady_s": steady_s, "compile_s": None, "sim_loop_s": None, "binary_s": None,
            "rate_hz": first_count / (model["n_neurons"] * args.duration_s),
            "synapses": int(model["synapses"]()), **extra,
            "threads": int(nest.GetKernelStatus("local_num_threads")),
            "connectivity": args.connectivity if args.case != "song" else "all_to_all",
            "connect_calls": model["connect_calls"], "nest_timers": timers,
            "nest": nest.__version__}


if __name__ == "__main__":
    with _stdout_to_stderr():
        result = main()
    print(json.dumps(result), flush=True)
