"""The JAX backend against the Numba backend: same random numbers, same spikes, bit for bit.

Both backends render the same plan; the Numba loop is the reference (it matches Brian2, see
``tests/reference``). Seeded float64 runs with random input must give identical spike trains
and identical state on JAX's CPU device: the counter-based generator gives the same numbers,
products are kept out of fused multiply-adds, ``exp`` of parameters is computed with the
host's libm, spikes are delivered in the Numba loop's order and shared accumulations are
added in that order. Chaotic recurrent networks (COBA) amplify any last-bit difference into
different spikes within tens of milliseconds, so equality there is a strong check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import rng
from spikeloom.demo import build_coba

jax = pytest.importorskip("jax")
import jax.numpy as jnp

from spikeloom.backends.jax import _run as jax_run
from spikeloom.backends.jax._arith import unfused
from spikeloom.backends.jax._rng import rng_normal, rng_uniform

ROOT = Path(__file__).resolve().parents[2]


def _both(fn, **options):
    """``fn()`` on the Numba backend, then on the JAX backend (fresh scope each)."""
    out = []
    for device, kw in (("numba", {}), ("jax", options)):
        sl.start_scope()
        sl.set_device(device, **kw)
        out.append(fn())
    sl.set_device("numba")
    return out


def _assert_identical(a: dict, b: dict, last_bit: tuple[str, ...] = ()) -> None:
    """Every array equal; those in ``last_bit`` (state computed through ``exp`` of a state
    variable: XLA's ``exp`` and the host libm's differ in the last bit for 1 argument in 8)
    to within 1e-14 relative."""
    assert sorted(a) == sorted(b)
    for key in a:
        if key in last_bit:
            np.testing.assert_allclose(np.asarray(b[key]), np.asarray(a[key]), rtol=1e-14,
                                       atol=1e-300, err_msg=key)
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]),
                                          err_msg=key)


def _values(x):
    return np.asarray(getattr(x, "mantissa", x), dtype=np.float64)


# -- building blocks -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed, step, stream", [(0, 0, 0), (1, 2, 4), (12345, 678, 9),
                                                (2**63 - 1, 2**63 - 1, 2**32 - 1)])
def test_rng_port_equals_the_reference_bit_for_bit(seed, step, stream):
    """Reference: spikeloom.rng (NumPy), which the Numba functions equal bit for bit."""
    element = np.concatenate([np.arange(50_000), [2**32 - 1]])
    zero = jnp.uint64(0)
    u = jax.jit(rng_uniform, static_argnums=3)(np.uint64(seed), np.uint64(step), element,
                                               stream, zero)
    z = jax.jit(rng_normal, static_argnums=3)(np.uint64(seed), np.uint64(step), element,
                                              stream, zero)
    np.testing.assert_array_equal(np.asarray(u), rng.uniform(seed, step, element, stream))
    np.testing.assert_array_equal(np.asarray(z), rng.normal(seed, step, element, stream))


def test_unfused_products_round_like_numpy():
    """XLA contracts a*b + c into a fused multiply-add (1 result in 8 differs from NumPy's
    two roundings); through ``unfused`` every result equals NumPy's."""
    a, b, c = np.random.default_rng(1).uniform(0, 1, (3, 20_000))
    fused = np.asarray(jax.jit(lambda a, b, c: a * b + c)(a, b, c))
    kept = np.asarray(jax.jit(lambda a, b, c, z: unfused(a * b, z) + c)(a, b, c,
                                                                      jnp.uint64(0)))
    np.testing.assert_array_equal(kept, a * b + c)
    assert (fused != a * b + c).any()  # the test would mean nothing if XLA did not fuse


# -- same spikes -----------------------------------------------------------------------------
def _coba(n=600, p=0.05, ms=150):
    sl.seed(11)
    net = build_coba(n, p=p)
    net.neurons.v = "Vr + rand()*(Vt - Vr) + 2*mV*randn()"
    net.network.run(ms * sl.ms)
    return {"i": net.spikes.i[:], "t": _values(net.spikes.t[:] / sl.ms),
            "v": _values(net.neurons.v[:] / sl.mV), "ge": _values(net.neurons.ge[:]),
            "rate": _values(net.rate.rate[:] / sl.Hz)}


def _plastic_delayed():
    """Poisson input with a fixed delay, noisy LIF, event-driven STDP (exp per synapse),
    recurrent synapses with random per-synapse delays, all monitors."""
    sl.seed(3)
    G = sl.NeuronGroup(
        20, "dv/dt = (xi*sqrt(ms)*mV + (-70*mV - v))/(10*ms) : volt (unless refractory)\n"
            "dge/dt = -ge/(5*ms) : 1", threshold="v > -55*mV", reset="v = -70*mV",
        refractory=2 * sl.ms, method="euler")
    G.v = -60 * sl.mV
    P = sl.PoissonGroup(8, 300 * sl.Hz)
    S = sl.Synapses(P, G, "w : 1\ndApre/dt = -Apre/(20*ms) : 1 (event-driven)",
                    on_pre="v_post += w*mV\nApre += 0.01\nw = clip(w + Apre, 0, 1)",
                    delay=1 * sl.ms)
    S.connect(p=0.5)
    S.w = "rand()*5"
    R = sl.Synapses(G, G, "w : 1", on_pre="ge_post += w")
    R.connect(p=0.3)
    R.w = "rand()"
    R.delay = "rand()*2*ms"
    M = sl.SpikeMonitor(G, variables="v")
    SM = sl.StateMonitor(G, ["v", "ge"], record=[0, 3, 7])
    rate = sl.PopulationRateMonitor(P)
    sl.run(200 * sl.ms)
    return {"i": M.i[:], "t": _values(M.t[:] / sl.ms), "v_at_spike": _values(M.v[:] / sl.mV),
            "v": _values(SM.v[:] / sl.mV), "ge": _values(SM.ge[:]), "w": _values(S.w[:]),
            "Apre": _values(S.Apre[:]), "rate": _values(rate.rate[:] / sl.Hz)}


def _reference_model(name):
    from tests.reference import models

    def run():
        sl.seed(12345)
        return {k: np.asarray(v, dtype=np.float64)
                for k, v in models.REGISTRY[name].func(sl).items()}

    return run


SEEDED = {
    "coba_recurrent": _coba,
    "plastic_delayed": _plastic_delayed,
    "poisson_constant_rate": _reference_model("poisson_constant_rate"),
    "rand_threshold_refractory": _reference_model("rand_threshold_refractory"),
    "ou_noise": _reference_model("ou_noise"),
}


#: per model, the arrays computed through exp() of a state variable (see _assert_identical)
LAST_BIT = {"plastic_delayed": ("Apre", "w")}


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_seeded_run_gives_identical_spikes_on_both_backends(name):
    """Spike trains identical; state identical except where noted in LAST_BIT."""
    numba, jax_ = _both(SEEDED[name])
    _assert_identical(numba, jax_, LAST_BIT.get(name, ()))
    if "i" in numba:
        assert len(numba["i"]) > 50  # active: the comparison means something


def test_memristor_noise_inside_stdp_is_identical_on_both_backends():
    """Cycle-to-cycle noise, device-to-device spread and stochastic rounding: random draws
    inside the plasticity rule give the same weight changes on both backends."""
    from spikeloom.models.devices import Memristor
    from spikeloom.models.plasticity import NanocompositeSTDP, stdp_window

    def window():
        rule = NanocompositeSTDP(device=Memristor(c2c=0.02, n_levels=33,
                                                  rounding="stochastic",
                                                  d2d={"G_max": 0.1}))
        res = stdp_window(rule, [-8.0, 3.0, 12.0] * sl.ms, w0=0.5, n_devices=200, seed=5)
        return {"dw": res.dw}

    numba, jax_ = _both(window)
    _assert_identical(numba, jax_)
    assert np.std(numba["dw"][:, 0]) > 0  # the noise is there


def test_order_dependent_synaptic_code_runs_synapse_by_synapse():
    """on_pre reads a postsynaptic variable an earlier synapse of the same spike wrote: the
    kernel cannot be a scatter-add and must run in the Numba loop's order."""

    def run():
        inp = sl.SpikeGeneratorGroup(6, [0, 1, 2, 3, 4, 5, 0, 2], [1, 1, 1, 2, 2, 2, 4, 4] * sl.ms)
        G = sl.NeuronGroup(3, "x : 1")
        S = sl.Synapses(inp, G, "w : 1", on_pre="x_post = x_post*0.5 + w\nw = x_post")
        S.connect(p=1.0)
        S.w = "i + 0.1*j"
        sl.run(6 * sl.ms)
        return {"x": np.asarray(G.x[:]), "w": np.asarray(S.w[:])}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_)


def test_capacities_grow_and_no_spike_is_dropped():
    """All 400 inputs fire together: far more than the initial capacities of the spike
    list, the delay queue and the spike monitor. The run grows them and repeats the chunk;
    results equal the Numba loop's (which grows its buffers step by step)."""

    def run():
        sl.seed(4)
        n = 400
        times = np.repeat([2.0, 5.0, 5.1], n) * sl.ms
        inp = sl.SpikeGeneratorGroup(n, np.tile(np.arange(n), 3), times)
        G = sl.NeuronGroup(50, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
        S = sl.Synapses(inp, G, "w : 1", on_pre="v_post += w")
        S.connect(p=0.5)
        S.w = "0.02*rand()"
        S.delay = "rand()*3*ms"
        M_in = sl.SpikeMonitor(inp)
        M = sl.SpikeMonitor(G)
        sl.run(10 * sl.ms)
        return {"in_i": M_in.i[:], "i": M.i[:], "t": _values(M.t[:] / sl.ms),
                "v": np.asarray(G.v[:])}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_)
    assert len(numba["in_i"]) == 1200 and len(numba["i"]) > 0


def test_nan_stops_the_run_at_the_same_step():
    def run():
        G = sl.NeuronGroup(4, "dv/dt = v/(0.01*ms) : 1")  # x e^10 per step: inf at step 71
        G.v = [0, 0, 1, 0]
        net = sl.Network(G)
        with pytest.raises(sl.SimulationError, match="NaN or infinite") as info:
            net.run(100 * sl.ms, check_nan=True)
        where = re.search(r"\(element (\d+)\) at step (\d+)", str(info.value))
        return {"element_step": np.asarray(where.groups(), int), "t": np.asarray([net.t_]),
                "v": np.asarray(G.v[:])}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_)


def test_float32_runs_close_to_float64():
    """float32 on the device: the COBA rate within 5 % of the float64 run's (the dynamics
    are chaotic, so spike trains decorrelate; the statistics do not)."""
    sl.set_device("jax", float_dtype="float32")
    low = _coba(ms=300)
    sl.start_scope()
    sl.set_device("jax")
    high = _coba(ms=300)
    r32, r64 = len(low["i"]), len(high["i"])
    assert abs(r32 - r64) < 0.05 * r64
    assert np.allclose(low["i"][:20], high["i"][:20])  # the first spikes still agree


# -- batching ---------------------------------------------------------------------------------
def _coba_trial(s: int):
    sl.seed(s)
    net = build_coba(400, p=0.05)
    return net


def test_batch_of_16_seeds_equals_16_separate_runs():
    """Acceptance: B = 16 seeds of the COBA network (different connectivity, initial values
    and numbers of synapses) in one vectorised JAX run give exactly the results of 16
    separate runs (made here on the Numba backend, so the check is also across backends)."""
    seeds = list(range(16))
    separate = []
    for s in seeds:
        sl.start_scope()
        net = _coba_trial(s)
        net.network.run(100 * sl.ms)
        separate.append((np.asarray(net.spikes.i[:]), _values(net.spikes.t[:] / sl.ms),
                         _values(net.neurons.v[:] / sl.mV)))
    sl.start_scope()
    sl.set_device("jax")
    trials = [_coba_trial(s) for s in seeds]
    sl.run_batch([t.network for t in trials], 100 * sl.ms, seeds=seeds)
    sizes = {len(t.exc) for t in trials}
    assert len(sizes) > 1  # the trials really differ in their number of synapses
    for (i, t, v), trial in zip(separate, trials):
        np.testing.assert_array_equal(np.asarray(trial.spikes.i[:]), i)
        np.testing.assert_array_equal(_values(trial.spikes.t[:] / sl.ms), t)
        np.testing.assert_array_equal(_values(trial.neurons.v[:] / sl.mV), v)
        assert float(trial.network.t / sl.ms) == pytest.approx(100.0)


def test_batch_structure_does_not_depend_on_how_auto_names_sort():
    """Twelve builds of one model get names 'synapses_1' ... 'synapses_24'; 'synapses_10'
    sorts before 'synapses_9', which once changed the plan's structure (run_batch refused
    trial 5 of a batch)."""
    from spikeloom.core import _base

    sl.start_scope()
    _base._names.clear()  # numbering from 'synapses', whatever earlier tests left alive
    G = sl.NeuronGroup(2, "v : 1")
    offset = sl.Synapses(G, G, on_pre="v_post += 1")  # one build straddles 9 and 10
    nets = [_coba_trial(s).network for s in range(12)]
    names = [sorted(o.name for o in net.objects if isinstance(o, sl.Synapses)) for net in nets]
    assert ["synapses_10", "synapses_9"] in names and offset.name == "synapses"
    shapes = [net._prepare(1 * sl.ms, {}, False)[0].canonical() for net in nets]
    assert all(shape == shapes[0] for shape in shapes)


def test_batch_rejects_networks_of_different_structure():
    sl.set_device("jax")
    a = sl.Network(sl.NeuronGroup(3, "dv/dt = -v/(10*ms) : 1"))
    b = sl.Network(sl.NeuronGroup(3, "dv/dt = -v/(20*ms) : 1\ndw/dt = -w/(5*ms) : 1"))
    with pytest.raises(ValueError, match="differs in structure"):
        sl.run_batch([a, b], 1 * sl.ms)
    with pytest.raises(ValueError, match="2 networks"):
        sl.run_batch([a, a], 1 * sl.ms, seeds=[1])


def test_plans_differing_only_in_a_constant_have_different_structures():
    """``Plan.canonical`` prints each distinct expression once and reuses the text for equal
    ones (a batch's plans repeat theirs): a cache keyed too loosely (by type, by hash, or
    Float 2.0 taken for Integer 2) would give two models one structure."""
    def canonical(on_pre):
        sl.start_scope()
        G = sl.NeuronGroup(2, "v : 1", name="g")
        S = sl.Synapses(G, G, on_pre=on_pre, name="s")
        S.connect()
        return sl.Network(G, S)._prepare(1 * sl.ms, {}, False)[0].canonical()

    texts = [canonical(code) for code in ("v_post += 2", "v_post += 2.0", "v_post += 3",
                                          "v_post += 2")]
    assert texts[0] == texts[3]
    assert len({texts[0], texts[1], texts[2]}) == 3


def test_set_device_rejects_unknown_names_and_options():
    with pytest.raises(ValueError, match="'cuda'"):
        sl.set_device("cuda")
    with pytest.raises(ValueError, match="float_dtype='float16'"):
        sl.set_device("jax", float_dtype="float16")
    with pytest.raises(ValueError, match="unroll=0; allowed: None or an integer >= 1"):
        sl.set_device("jax", unroll=0)
    with pytest.raises(TypeError, match="unexpected options"):
        sl.set_device("numba", float_dtype="float32")


# -- several devices ----------------------------------------------------------------------------
SHARDED = textwrap.dedent("""
    import os, sys
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
    import numpy as np
    import spikeloom as sl
    from spikeloom.backends.jax import _run
    from spikeloom.demo import build_coba
    placed = []
    original = _run._Run._place
    def spy(self, host):
        out = original(self, host)
        placed.append(len(getattr(out, "sharding").device_set))
        return out
    _run._Run._place = spy
    out = []
    for devices in (None, 4):
        sl.start_scope()
        sl.set_device("jax", devices=devices)
        sl.seed(2)
        net = build_coba(800, p=0.05)
        net.network.run(100 * sl.ms)
        out.append((np.asarray(net.spikes.i[:]), np.asarray(net.neurons.v[:] / sl.mV)))
    assert max(placed) == 4, placed
    assert len(out[0][0]) > 100
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)
    print("sharded ok")
""")


def test_sharded_over_four_devices_equals_one_device():
    """Neurons and synapses split over 4 (host) devices with JAX's sharding: same spikes."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", SHARDED], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sharded ok" in proc.stdout


# -- GPU ----------------------------------------------------------------------------------------
def _has_gpu() -> bool:
    try:
        return bool(jax.devices("gpu"))
    except RuntimeError:
        return False


@pytest.mark.gpu
@pytest.mark.skipif(not _has_gpu(), reason="no GPU visible to JAX")
@pytest.mark.parametrize("name", ["poisson_constant_rate", "rand_threshold_refractory",
                                  "ou_noise"])
def test_gpu_gives_the_cpu_spikes(name):
    """On a GPU: the seeded models without shared accumulations give the Numba spikes."""
    numba, jax_ = _both(SEEDED[name])
    _assert_identical(numba, jax_)


@pytest.mark.gpu
@pytest.mark.skipif(not _has_gpu(), reason="no GPU visible to JAX")
def test_gpu_coba_rate_matches_cpu():
    """On a GPU, scatter-adds run in parallel (atomics): the order of additions to one
    conductance varies, so COBA is compared by its rate (within 3 %)."""
    numba, jax_ = _both(lambda: _coba(ms=500))
    assert abs(len(jax_["i"]) - len(numba["i"])) < 0.03 * len(numba["i"])


def test_step_function_is_cached_between_runs():
    """A run of one chunk is all probe; the next build of the same network starts from the
    capacities the probe learned (one program, compiled once); every later identical run
    compiles nothing (the compiled chunk is reused)."""
    sl.set_device("jax")
    counts = []
    for _ in range(3):
        sl.start_scope()
        sl.seed(1)
        build_coba(200, p=0.05).network.run(20 * sl.ms)
        counts.append(len(jax_run._COMPILED))
    assert counts[1] <= counts[0] + 1
    assert counts[2] == counts[1]


# -- capacities, shared writes, the device cache ----------------------------------------------
def _burst_after_probe():
    """Quiet for 30 ms (three chunks of 100 steps: the first is the probe), then all 300
    neurons spike at once onto delayed synapses: the probe's capacities (spike list,
    sources, delay queue, monitor) are all too small for the burst."""
    sl.seed(7)
    n = 300
    P = sl.NeuronGroup(n, "dv/dt = -v/(10*ms) : 1", threshold="abs(t - 30*ms) < 0.05*ms",
                       reset="v = 0", refractory=1 * sl.ms)
    G = sl.NeuronGroup(40, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    S = sl.Synapses(P, G, "w : 1", on_pre="v_post += w")
    S.connect(p=0.3)
    S.w = "0.05*rand()"
    S.delay = "rand()*2*ms"
    M_in, M = sl.SpikeMonitor(P), sl.SpikeMonitor(G)
    sl.run(40 * sl.ms)
    return {"in_i": M_in.i[:], "i": M.i[:], "t": _values(M.t[:] / sl.ms),
            "v": np.asarray(G.v[:])}


def test_unrolled_scan_gives_the_numba_spikes():
    """Several steps per loop iteration (the GPU default for small networks) and a run
    that is not a whole number of iterations: the chaotic COBA network keeps Numba's
    spikes, so no step is skipped or repeated."""
    numba, jax_ = _both(lambda: _coba(ms=103.7), unroll=4, chunk_steps=250)
    _assert_identical(numba, jax_)


def test_burst_after_the_probe_grows_capacities_and_drops_nothing():
    numba, jax_ = _both(_burst_after_probe, chunk_steps=100)
    _assert_identical(numba, jax_)
    assert len(numba["in_i"]) == 300 and len(numba["i"]) > 0


def _shared_write_kernel(on_pre: str):
    from spikeloom.ir import Pathway

    sl.start_scope()
    src = sl.NeuronGroup(3, "x : 1\nlastspike : second", threshold="abs(t - (i + 1)*ms) < 0.05*ms")
    G = sl.NeuronGroup(5, "y : 1")
    S = sl.Synapses(src, G, "w : 1", on_pre=on_pre)
    S.connect(p=1.0)
    S.w = "j*1.5 - i"
    M = sl.StateMonitor(src, "x", record=True)
    net = sl.Network(src, G, S, M)
    plan = net._prepare(1 * sl.ms, {}, False)[0]
    return net, src, next(b.kernel for b in plan.blocks if isinstance(b, Pathway))


def test_per_synapse_value_written_to_a_shared_variable_stays_in_order():
    """``x_pre = w`` writes a different value per synapse into one presynaptic variable:
    the last synapse in the Numba loop's order wins, so it must run synapse by synapse;
    ``lastspike_pre = t`` writes one value for all and runs for all synapses at once."""
    from spikeloom.backends.jax._render import accumulations

    assert accumulations(_shared_write_kernel("x_pre = w\ny_post += w")[2]) is None
    uniform = _shared_write_kernel("lastspike_pre = t\ny_post += w*(t - lastspike_pre)/ms")[2]
    assert accumulations(uniform) is not None
    late = _shared_write_kernel("y_post += lastspike_pre/ms\nlastspike_pre = t")[2]
    assert accumulations(late) is None  # read before the write: order matters

    def run():
        net, src, _ = _shared_write_kernel("x_pre = w\ny_post += w")
        net.run(5 * sl.ms)
        return {"x": np.asarray(src.x[:])}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_)
    np.testing.assert_array_equal(numba["x"], [6.0, 5.0, 4.0])  # j = 4 wrote last


def test_memristive_layer_runs_vectorised_with_the_numba_spikes():
    """The seed's NC rule (``lastspike_pre = t`` then a weight update per synapse): its
    kernels run for all synapses at once (once synapse by synapse, 1000x slower) and give
    the Numba spikes; weights agree to the last bits (``tanh`` of a state variable)."""
    from benchmarks import cases

    from spikeloom.backends.jax._render import accumulations
    from spikeloom.core import _base
    from spikeloom.ir import Pathway

    def run():
        _base._names.clear()
        m = cases.build(sl, "memristor", 300, 3)
        m["network"].run(200 * sl.ms)
        return {"i": m["spikes"].i[:], "t": _values(m["spikes"].t[:] / sl.ms),
                "w": m["weights"]()}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_, last_bit=("w",))
    assert len(numba["i"]) > 20
    sl.start_scope()
    _base._names.clear()
    net = cases.build(sl, "memristor", 300, 3)["network"]
    plan = net._prepare(1 * sl.ms, {}, False)[0]
    kernels = [b.kernel for b in plan.blocks if isinstance(b, Pathway)]
    assert len(kernels) == 2 and all(accumulations(k) is not None for k in kernels)


def test_reconnected_synapses_are_not_taken_from_the_device_cache():
    """Connectivity copied to the device is reused between runs; connecting more synapses
    between two runs must reach the second run."""

    def run():
        sl.seed(5)
        P = sl.PoissonGroup(50, 200 * sl.Hz)
        G = sl.NeuronGroup(10, "y : 1")
        S = sl.Synapses(P, G, on_pre="y_post += 1")
        S.connect(p=0.2)
        net = sl.Network(P, G, S)
        net.run(10 * sl.ms)
        first = np.asarray(G.y[:]).copy()
        S.connect(p=0.5)
        net.run(10 * sl.ms)
        return {"first": first, "y": np.asarray(G.y[:])}

    numba, jax_ = _both(run)
    _assert_identical(numba, jax_)
