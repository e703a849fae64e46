"""NEST's port of the benchmark cases (benchmarks/peers/nest_cases.py) against cases.py.

The parameter tests convert the NEST models' parameters (mV, ms, pF, nS, pA) back to the
units of ``benchmarks/cases.py`` and compare them with the namespaces of the models cases.py
builds (with spikeloom): they need no NEST and run everywhere. The two tests that run NEST
use the runner's environment ``.venvs/nest`` and are skipped where it is absent (CI).
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import textwrap
from pathlib import Path

import pytest
from benchmarks import cases

import spikeloom as b

ROOT = Path(__file__).resolve().parents[2]
NEST_CASES = ROOT / "benchmarks" / "peers" / "nest_cases.py"
NEST_PYTHON = ROOT / ".venvs" / "nest" / "bin" / "python"
needs_nest = pytest.mark.skipif(not NEST_PYTHON.exists(),
                                reason="no NEST environment (.venvs/nest)")


def _nest_cases():
    """benchmarks/peers/nest_cases.py as a module (it imports NEST only in main())."""
    spec = importlib.util.spec_from_file_location("nest_cases", NEST_CASES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _groups(case: str, *names: str) -> list:
    model = cases.build(b, case, 100, 1)
    return [next(o for o in model["network"].objects if o.name == name) for name in names]


def _group(case: str, name: str):
    return _groups(case, name)[0]


def _in(value, unit) -> float:
    return float(value / unit)


def test_coba_parameters_equal_cases():
    coba = _nest_cases().COBA
    group = _group("coba", "coba_neurons")
    ns, p, g_l = group.namespace, coba["params"], coba["params"]["g_L"]
    assert coba["model"] == "iaf_cond_exp"
    assert p["C_m"] / g_l == pytest.approx(_in(ns["taum"], b.ms))
    for nest_name, name in (("E_L", "El"), ("V_th", "Vt"), ("V_reset", "Vr"),
                            ("E_ex", "Erev_exc"), ("E_in", "Erev_inh")):
        assert p[nest_name] == pytest.approx(_in(ns[name], b.mV)), nest_name
    assert p["tau_syn_ex"] == pytest.approx(_in(ns["taue"], b.ms))
    assert p["tau_syn_in"] == pytest.approx(_in(ns["taui"], b.ms))
    assert p["t_ref"] == pytest.approx(_in(group.refractory, b.ms))
    # cases.py's drive and conductances are in units of the leak (mV, dimensionless)
    assert p["I_e"] / g_l == pytest.approx(_in(ns["I"], b.mV))
    assert coba["w_exc"] / g_l == pytest.approx(ns["we"])
    assert -coba["w_inh"] / g_l == pytest.approx(ns["wi"])
    assert coba["v0_uniform"] == (pytest.approx(_in(ns["Vr"], b.mV)),
                                  pytest.approx(_in(ns["Vt"], b.mV)))


def test_cuba_parameters_equal_cases():
    cuba = _nest_cases().CUBA
    group = _group("cuba", "cuba_neurons")
    ns, p = group.namespace, cuba["params"]
    assert cuba["model"] == "iaf_psc_exp"
    assert p["tau_m"] == pytest.approx(_in(ns["taum"], b.ms))
    for nest_name, name in (("E_L", "El"), ("V_th", "Vt"), ("V_reset", "Vr")):
        assert p[nest_name] == pytest.approx(_in(ns[name], b.mV)), nest_name
    assert p["tau_syn_ex"] == pytest.approx(_in(ns["taue"], b.ms))
    assert p["tau_syn_in"] == pytest.approx(_in(ns["taui"], b.ms))
    assert p["t_ref"] == pytest.approx(_in(group.refractory, b.ms))
    # a current I (pA) moves v by I * tau_m / C_m (mV) as cases.py's ge, gi (volts) do
    resistance = p["tau_m"] / p["C_m"]
    assert cuba["w_exc"] * resistance == pytest.approx(_in(ns["we"], b.mV))
    assert cuba["w_inh"] * resistance == pytest.approx(_in(ns["wi"], b.mV))


def test_cobahh_parameters_equal_cases():
    hh = _nest_cases().COBAHH
    group = _group("cobahh", "cobahh_neurons")
    ns, p = group.namespace, hh["params"]
    assert hh["model"] == "hh_cond_exp_traub"
    assert p["C_m"] == pytest.approx(_in(ns["Cm"], b.pF))
    for nest_name, name in (("g_L", "gl"), ("g_Na", "g_na"), ("g_K", "g_kd")):
        assert p[nest_name] == pytest.approx(_in(ns[name], b.nS)), nest_name
    for nest_name, name in (("E_L", "El"), ("E_Na", "ENa"), ("E_K", "EK"), ("V_T", "VT"),
                            ("E_ex", "Ee"), ("E_in", "Ei")):
        assert p[nest_name] == pytest.approx(_in(ns[name], b.mV)), nest_name
    assert p["tau_syn_ex"] == pytest.approx(_in(ns["taue"], b.ms))
    assert p["tau_syn_in"] == pytest.approx(_in(ns["taui"], b.ms))
    assert p["t_ref"] == pytest.approx(_in(group.refractory, b.ms))
    assert hh["w_exc"] == pytest.approx(_in(ns["we"], b.nS))
    assert -hh["w_inh"] == pytest.approx(_in(ns["wi"], b.nS))


def test_song_parameters_equal_cases():
    nest_cases = _nest_cases()
    song = nest_cases.SONG
    neuron, inputs = _groups("song", "song_neuron", "song_input")
    ns, p, stdp = neuron.namespace, song["params"], nest_cases.song_stdp(literal=True)
    assert p["C_m"] / p["g_L"] == pytest.approx(_in(ns["taum"], b.ms))
    for nest_name, name in (("E_L", "El"), ("V_th", "vt"), ("V_reset", "vr"),
                            ("E_ex", "Ee")):
        assert p[nest_name] == pytest.approx(_in(ns[name], b.mV)), nest_name
    assert p["tau_syn_ex"] == pytest.approx(_in(ns["taue"], b.ms))
    assert p["t_ref"] == 0.0 and p["V_m"] == 0.0  # no refractoriness; Brian2's default v = 0
    assert song["rate_hz"] == pytest.approx(float(inputs.rates[0] / b.Hz))
    # stdp_synapse with mu = 0: dw = +lambda Wmax K+ at a post spike, -alpha lambda Wmax K-
    # at a pre spike, K+ and K- jumping by 1
    assert stdp["mu_plus"] == 0.0 and stdp["mu_minus"] == 0.0
    assert stdp["Wmax"] / p["g_L"] == pytest.approx(ns["gmax"])
    assert stdp["lambda"] * ns["gmax"] == pytest.approx(ns["dApre"])
    assert -stdp["alpha"] * stdp["lambda"] * ns["gmax"] == pytest.approx(ns["dApost"])
    assert stdp["tau_plus"] == pytest.approx(_in(ns["taupre"], b.ms))
    assert p["tau_minus"] == pytest.approx(_in(ns["taupost"], b.ms))


def test_song_stdp_compensation_restores_brian2s_pair_amplitudes():
    """With NEST's pairing (pre at emission, post at t_post + d, d = one step) and the
    compensated parameters, every potentiation equals Brian2's, and the depression amplitudes
    sum to Brian2's: the same drift for uncorrelated spikes."""
    nest_cases = _nest_cases()
    literal, used = nest_cases.song_stdp(literal=True), nest_cases.song_stdp()
    h, d = nest_cases.DT_MS, nest_cases.DELAY_MS
    tau_p, tau_m = literal["tau_plus"], nest_cases.SONG["params"]["tau_minus"]
    a_plus, a_minus = literal["lambda"], literal["alpha"] * literal["lambda"]
    steps = range(0, 20000)
    # post k steps after pre (k >= 0): NEST lambda exp(-(k h + d)/tau+), Brian2 A+ exp(-k h/tau+)
    for k in (0, 1, 7, 300):
        nest_dw = used["lambda"] * math.exp(-(k * h + d) / tau_p)
        assert nest_dw == pytest.approx(a_plus * math.exp(-k * h / tau_p), rel=1e-12)
    # post k steps before pre: NEST depresses for k >= 2 (K- read at t_pre - d, strictly
    # before), alpha lambda exp(-(k h - d)/tau-); Brian2 for k >= 1, A- exp(-k h/tau-)
    nest_sum = sum(used["alpha"] * used["lambda"] * math.exp(-(k * h - d) / tau_m)
                   for k in steps if k >= 2)
    brian_sum = sum(a_minus * math.exp(-k * h / tau_m) for k in steps if k >= 1)
    assert nest_sum == pytest.approx(brian_sum, rel=1e-9)
    assert used["Wmax"] == literal["Wmax"] and used["tau_plus"] == literal["tau_plus"]


def test_the_memristor_case_is_declared_not_expressible():
    from benchmarks.__main__ import CASES, NOT_EXPRESSIBLE

    nest_cases = _nest_cases()
    assert set(nest_cases.CASES) | set(nest_cases.NOT_EXPRESSIBLE) == set(cases.CASES)
    for case, (_, _, simulators) in CASES.items():
        if "nest" in simulators:
            assert (case in nest_cases.CASES) != ((case, "nest") in NOT_EXPRESSIBLE), case


@needs_nest
def test_nest_random_graph_is_the_bernoulli_graph():
    """Binomial in-degrees + fixed_indegree: no repeated pairs, Binomial in-degree variance
    (a plain fixed_indegree would give variance 0, a draw with repeats duplicate pairs)."""
    script = textwrap.dedent(f"""
        import importlib.util, json, os
        os.environ["PYNEST_QUIET"] = "1"
        import nest, numpy as np
        spec = importlib.util.spec_from_file_location("nest_cases", {str(NEST_CASES)!r})
        nc = importlib.util.module_from_spec(spec); spec.loader.exec_module(nc)
        nest.ResetKernel()
        nest.SetKernelStatus({{"local_num_threads": 1, "rng_seed": 3}})
        pop = nest.Create("iaf_psc_exp", 4000)
        nc.connect_random_graph(nest, np, pop[:3200], pop, 0.02, "static_synapse",
                                np.random.default_rng(3), "indegree")
        conns = nest.GetConnections(pop, pop).get(["source", "target"])
        src, tgt = np.asarray(conns["source"]), np.asarray(conns["target"])
        indegree = np.bincount(tgt - 1, minlength=4000)
        print(json.dumps({{"pairs": len(src), "unique": len(set(zip(src, tgt))),
                          "bad_source": int((src > 3200).sum()),
                          "mean": float(indegree.mean()), "var": float(indegree.var())}}))
    """)
    out = subprocess.run([str(NEST_PYTHON), "-c", script], capture_output=True, text=True,
                         check=True, timeout=300)
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    assert stats["pairs"] == stats["unique"]
    assert stats["bad_source"] == 0
    n_src, p = 3200, 0.02
    assert stats["mean"] == pytest.approx(n_src * p, rel=0.02)  # sd of the mean: 0.2 %
    assert stats["var"] == pytest.approx(n_src * p * (1 - p), rel=0.15)  # sd: 2.3 %


@needs_nest
def test_nest_stdp_pairs_get_brian2s_amplitudes():
    """One pre and one post spike (parrot neurons), lag k steps, in NEST itself: with the
    compensated parameters a pair with the post spike k >= 0 steps after the pre spike changes
    the weight by Brian2's A+ exp(-k h/tau+); one k >= 2 steps before by Brian2's amplitude
    for k - 1 steps; k = 1 step before, not at all."""
    script = textwrap.dedent(f"""
        import importlib.util, json, os
        os.environ["PYNEST_QUIET"] = "1"
        import nest
        spec = importlib.util.spec_from_file_location("nest_cases", {str(NEST_CASES)!r})
        nc = importlib.util.module_from_spec(spec); spec.loader.exec_module(nc)
        h, out = nc.DT_MS, {{}}
        for lag in (-3, -2, -1, 0, 1, 5):
            nest.ResetKernel()
            nest.SetKernelStatus({{"resolution": h}})
            stdp = nc.song_stdp()
            nest.CopyModel("stdp_synapse", "pair_stdp", stdp)
            t_pre, t_post = 10.0, 10.0 + lag * h
            late = max(t_pre, t_post) + 400.0  # a 2nd pre spike applies the potentiation
            pre_gen = nest.Create("spike_generator", params={{"spike_times": [t_pre, late]}})
            post_gen = nest.Create("spike_generator", params={{"spike_times": [t_post]}})
            pre = nest.Create("parrot_neuron")
            post = nest.Create("parrot_neuron",
                               params={{"tau_minus": nc.SONG["params"]["tau_minus"]}})
            nest.Connect(pre_gen, pre, syn_spec={{"delay": h}})
            nest.Connect(post_gen, post, syn_spec={{"delay": h}})
            w0 = 0.5 * stdp["Wmax"]  # receptor 1 of a parrot: plastic, not repeated
            nest.Connect(pre, post, syn_spec={{"synapse_model": "pair_stdp", "weight": w0,
                                               "delay": h, "receptor_type": 1}})
            nest.Simulate(late + 10.0)
            w = nest.GetConnections(synapse_model="pair_stdp").get("weight")
            out[lag] = (w - w0) / stdp["Wmax"]
        print(json.dumps(out))
    """)
    out = subprocess.run([str(NEST_PYTHON), "-c", script], capture_output=True, text=True,
                         check=True, timeout=300)
    dw = {int(k): v for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    nest_cases = _nest_cases()
    literal = nest_cases.song_stdp(literal=True)
    x = nest_cases.DT_MS / literal["tau_plus"]
    a_plus, a_minus = literal["lambda"], literal["alpha"] * literal["lambda"]
    for k in (0, 1, 5):
        assert dw[k] == pytest.approx(a_plus * math.exp(-k * x), rel=1e-5), k
    assert dw[-1] == pytest.approx(0.0, abs=1e-7)
    for k in (2, 3):
        assert dw[-k] == pytest.approx(-a_minus * math.exp(-(k - 1) * x), rel=1e-5), k


@needs_nest
def test_nest_cuba_fires_at_the_rate_of_the_other_simulators():
    """CUBA, 4000 neurons, 1 s, one thread (reproducible): spikeloom, Brian2 and BrainPy fire
    at 5.5-5.7 Hz (benchmarks/README.md), seed to seed sd about 0.3 Hz."""
    out = subprocess.run([str(NEST_PYTHON), str(NEST_CASES), "cuba", "4000", "1.0", "1",
                          "--threads", "1"], capture_output=True, text=True, check=True,
                         timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["threads"] == 1
    assert 4.6 < result["rate_hz"] < 6.6
    assert result["synapses"] == pytest.approx(80 * 4000, rel=0.01)
