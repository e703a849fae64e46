"""Projections: the BrainPy AMPA seed, alignment choice and errors, sharing, delays, delta and
NEST receptors, sparse-matrix connectivity and ``run_steps``."""

from __future__ import annotations

import gc
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import NeuronGroup, mM, ms, mV, nS, pA, uS
from spikeloom.models import (
    AMPA,
    COBA,
    CUBA,
    LIF,
    NMDA,
    STP,
    Delta,
    Expon,
    FixedProb,
    FromIJ,
    LifRef,
    OneToOne,
    Projection,
    SpikeTimeGroup,
    iaf_cond_exp,
    iaf_psc_exp,
    run_steps,
)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "brainpy" / "data"


def _load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" /
                                                  f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# -- the seed ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_run():
    sl.start_scope()
    return _load_example("seed_ampa").simulate()


@pytest.mark.parametrize("precision, rtol", [("_x64", 1e-9), ("", 1e-4)])
def test_seed_ampa_matches_brainpy(seed_run, precision, rtol):
    """examples/seed_ampa.py against BrainPy 2.8.2 (tests/reference/brainpy/
    make_brainpy_ampa.py; META.json). Errors are relative to each signal's maximum, so the
    steps where g and I are 0 (before the first spike) count with the same absolute
    tolerance as the peak. BrainPy's default run is float32 (the seed as written): 1e-4;
    its float64 run (bm.enable_x64()): 1e-9. t, g, I (nA = BrainPy's mV with R = 1) and V
    (mV) at all 1000 steps."""
    ref = np.load(REFERENCE / "ampa_seed.npz")
    np.testing.assert_allclose(seed_run["t"], ref["t"], atol=1e-9)
    for key in ("g", "I", "V"):
        expected = ref[key + precision].astype(np.float64)
        err = np.max(np.abs(seed_run[key] - expected)) / np.max(np.abs(expected))
        assert err < rtol, f"{key}: max error {err:.3g} of the signal's max (BrainPy{precision})"
        big = np.abs(expected) > 1e-3 * np.max(np.abs(expected))  # pointwise where not ~0
        pointwise = np.max(np.abs(seed_run[key][big] - expected[big]) / np.abs(expected[big]))
        assert pointwise < 10 * rtol, f"{key}: pointwise relative error {pointwise:.3g}"
    meta = json.loads((REFERENCE / "META.json").read_text())
    assert meta["brainpy_version"].startswith("2.8")


def test_seed_ampa_reference_has_the_seed_timing():
    """The reference itself: the pulse of each spike covers 5 steps from the spike's step
    (g rises at steps 100-104, 300-304, ...), and the post neuron never fires."""
    ref = np.load(REFERENCE / "ampa_seed.npz")
    rises = np.flatnonzero(np.diff(ref["g_x64"]) > 0) + 1
    np.testing.assert_array_equal(rises, np.concatenate([np.arange(s, s + 5) for s in
                                                         (100, 300, 500, 700)]))
    assert ref["V_x64"].max() < -50


def test_seed_ampa_example_writes_table_and_figure(tmp_path):
    sl.start_scope()
    gc.collect()  # frees the names of the module fixture's run (reference cycles)
    module = _load_example("seed_ampa")
    table, fig = tmp_path / "ampa.txt", tmp_path / "ampa.png"
    assert module.main(["--out", str(table), "--fig", str(fig)]) == 0
    data = np.loadtxt(table)
    assert data.shape == (1000, 4)
    np.testing.assert_allclose(data[:, 0], np.arange(1000) * 0.1, atol=1e-9)
    assert "t [ms]" in table.read_text().splitlines()[0]
    assert fig.stat().st_size > 10_000


# -- alignment: choice and errors (nothing compiled) -------------------------------------------

def _pair():
    return SpikeTimeGroup(2, [0], [1] * ms), LIF(2)


def test_alignment_default_is_cheapest_valid():
    pre, post = _pair()
    conn = FromIJ([0, 1], [0, 1])
    assert Projection(pre, post, Expon(), conn, weight=1 * nS, output=COBA()).alignment == "post"
    assert Projection(pre, post, AMPA(), conn, weight=1 * nS, output=COBA()).alignment == "pre"
    assert Projection(pre, post, NMDA(), conn, weight=1 * nS,
                      output=COBA()).alignment == "pre"
    per_synapse_delays = Projection(pre, post, AMPA(), conn, weight=1 * nS, output=COBA(),
                                    delay=[1, 2] * ms)
    assert per_synapse_delays.alignment == "synapse"


def test_alignment_post_for_ampa_is_an_error_that_says_why():
    pre, post = _pair()
    with pytest.raises(ValueError, match=r"alignment='post' is invalid for AMPA: AMPA's "
                                         r"kinetics are not linear in their input \(g "
                                         r"saturates at 1.*Valid alignments: 'pre', 'synapse'"):
        Projection(pre, post, AMPA(), OneToOne(), weight=1 * nS, output=COBA(),
                   alignment="post")
    with pytest.raises(ValueError, match=r"alignment='pre' is invalid for Delta"):
        Projection(pre, post, Delta("V"), OneToOne(), weight=1 * mV, alignment="pre")


def test_alignment_pre_needs_one_delay():
    pre, post = _pair()
    with pytest.raises(ValueError, match="every synapse must have the same delay"):
        Projection(pre, post, AMPA(), OneToOne(), weight=1 * nS, output=COBA(),
                   delay=[1, 2] * ms, alignment="pre")


def test_alignment_unknown_and_share_without_pre():
    pre, post = _pair()
    with pytest.raises(ValueError, match=r"alignment='postsynaptic' is not one of 'post', "
                                         r"'pre', 'synapse'"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * nS, output=COBA(),
                   alignment="postsynaptic")
    with pytest.raises(ValueError, match=r"share=True .* needs alignment='pre' \(the "
                                         r"alignment is 'post'\)"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * nS, output=COBA(), share=True)


def test_projection_argument_errors():
    pre, post = _pair()
    with pytest.raises(ValueError, match=r"weight=1\.? mV has unit volt, expected siemens "
                                         r"\(LIF's input is in amp; COBA gives "
                                         r"weight\*g\*\(E - V\)\)"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * mV, output=COBA())
    with pytest.raises(ValueError, match=r"weight is required \(unit amp\), e.g. "
                                         r"weight=1\*pA"):
        Projection(pre, post, Expon(), OneToOne(), output=CUBA())
    with pytest.raises(TypeError, match="post must be a library neuron"):
        Projection(pre, NeuronGroup(1, "dv/dt = -v/ms : 1"), Expon(), OneToOne(),
                   weight=1 * nS, output=COBA())
    with pytest.raises(ValueError, match="synapse=None needs a neuron with built-in receptors"):
        Projection(pre, post, None, OneToOne(), weight=1 * nS)
    with pytest.raises(TypeError, match=r"output must be COBA\(E\), CUBA\(\) or MgBlock"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * nS)
    with pytest.raises(ValueError, match="connectivity is required"):
        Projection(pre, post, Expon(), weight=1 * nS, output=COBA())
    with pytest.raises(ValueError, match="delay must be a time"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * nS, output=COBA(), delay=1)
    with pytest.raises(ValueError, match="Delta target 'v' is not a variable of LIF"):
        Projection(pre, post, Delta("v"), OneToOne(), weight=1 * mV)


def test_projection_onto_a_built_neuron_is_an_error():
    pre, post = _pair()
    post.build("test")
    with pytest.raises(ValueError, match=r"already built \(test\). Create every Projection"):
        Projection(pre, post, Expon(), OneToOne(), weight=1 * nS, output=COBA())


def test_projection_left_out_of_the_network_is_an_error():
    sl.start_scope()
    pre = SpikeTimeGroup(1, [0], [1] * ms, name="left_out_pre")
    post = LIF(1, name="left_out_post")
    Projection(pre, post, Expon(), OneToOne(), weight=1 * nS, output=COBA(), name="forgotten")
    with pytest.raises(ValueError, match=r"the projection\(s\) 'forgotten' onto it are not "
                                         r"part of Network"):
        sl.Network(pre, post).run(1 * ms)


# -- one network for sharing, delays, delta, NEST receptors, sparse matrices ----------------------

class _Coo:
    """A minimal stand-in for a scipy sparse matrix (duck-typed through .tocoo())."""

    def __init__(self, row, col, data, shape):
        self.row, self.col, self.data, self.shape = (np.asarray(row), np.asarray(col),
                                                     np.asarray(data), shape)

    def tocoo(self):
        return self


_COO = _Coo([0, 1, 1], [0, 1, 2], [1.0, 2.0, 3.0], (2, 4))


@pytest.fixture(scope="module")
def features():
    sl.start_scope()
    sl.defaultclock.dt = 0.1 * ms
    pre = SpikeTimeGroup(2, [0, 1], [10, 10] * ms, name="ft_pre")
    post = LIF(4, V_rest=-65 * mV, V_reset=-65 * mV, V_th=1e3 * mV, name="ft_post")
    psc = iaf_psc_exp(2, V_th=1e3 * mV, name="ft_psc")
    cond = iaf_cond_exp(2, V_th=1e3 * mV, name="ft_cond")
    delta_target = LIF(1, V_rest=0 * mV, V_th=1e3 * mV, name="ft_delta")
    ampa = AMPA(T=1 * mM)
    P = {
        "shared_a": Projection(pre, post, ampa, FromIJ([0], [0]), weight=1 * nS,
                               output=COBA(), share=True, alignment="pre", name="ft_shared_a"),
        "shared_b": Projection(pre, post, AMPA(T=1 * mM), FromIJ([0], [1]), weight=2 * nS,
                               output=COBA(), share=True, alignment="pre", name="ft_shared_b"),
        "alone": Projection(pre, post, AMPA(T=1 * mM), FromIJ([0], [2]), weight=1 * nS,
                            output=COBA(), alignment="pre", name="ft_alone"),
        "delayed": Projection(pre, post, AMPA(T=1 * mM), FromIJ([0], [3]), weight=1 * nS,
                              output=COBA(), alignment="pre", delay=2 * ms, name="ft_delayed"),
        "hetero": Projection(pre, post, Expon(tau=5 * ms), FromIJ([0, 1], [3, 3]),
                             weight=1 * nS, output=COBA(), delay=[1, 3] * ms,
                             name="ft_hetero"),
        "sparse": Projection(pre, post, Expon(tau=5 * ms), _COO,
                             weight=_COO.tocoo().data * nS, output=COBA(), name="ft_sparse"),
        "delta": Projection(pre, delta_target, Delta("V"), FromIJ([0, 1], [0, 0]),
                            weight=[1.5, -0.5] * mV, name="ft_delta_in"),  # float32 mantissa
        "nest_psc": Projection(pre, psc, None, FromIJ([0, 1], [0, 1]),
                               weight=[100, -50] * pA, delay=1 * ms, name="ft_nest_psc"),
        "nest_cond": Projection(pre, cond, None, FromIJ([0, 1], [0, 1]),
                                weight=[3, -4] * nS, name="ft_nest_cond"),
    }
    record = {k: (p, "G") for k, p in P.items() if not p.direct}
    record.update({"psc_ex": (psc, "I_syn_ex"), "psc_in": (psc, "I_syn_in"),
                   "psc_V": (psc, "V_m"), "cond_ex": (cond, "g_ex"), "cond_in": (cond, "g_in"),
                   "delta_V": (delta_target, "V"), "shared_g": (P["shared_a"], "g", [0]),
                   "pre_spike": (pre, "spike")})
    net = sl.Network(pre, post, psc, cond, delta_target, *P.values())
    out = run_steps(net, 600, record)
    return out, P


def test_share_true_reuses_the_state_explicitly(features):
    """share=True with equal kinetics, parameters and delay: one state group; each keeps its
    own weight and target. A projection without share=True keeps its own state."""
    out, P = features
    assert P["shared_a"].state is P["shared_b"].state
    assert P["alone"].state is not P["shared_a"].state
    g_a, g_b, g_alone = (np.asarray(out[k][:, c] / nS) for k, c in (
        ("shared_a", 0), ("shared_b", 1), ("alone", 2)))
    np.testing.assert_allclose(g_b, 2 * g_a, rtol=1e-12)
    np.testing.assert_allclose(g_alone, g_a, rtol=1e-12)
    rate = 0.98 * 1.0 + 0.18  # /ms, with T = 1 mM
    assert g_a.max() == pytest.approx(0.98 / rate * (1 - np.exp(-0.5 * rate)), rel=1e-12)


def test_delay_shifts_the_transmitter_pulse_by_whole_steps(features):
    """AMPA per presynaptic neuron with a 2 ms delay: the conductance is the undelayed one
    shifted by 20 steps (BrainPy delays the pre-aligned state the same way)."""
    out, _ = features
    g0 = np.asarray(out["alone"][:, 2] / nS)
    g2 = np.asarray(out["delayed"][:, 3] / nS)
    np.testing.assert_allclose(g2[20:], g0[:-20], rtol=1e-12, atol=1e-18)
    assert np.all(g2[:120] == 0)


def test_per_synapse_delays_and_sparse_weights(features):
    """Expon per-post with delays of 1 and 3 ms: two jumps of 1 nS at steps 110 and 130.
    Sparse COO input: each synapse gets its entry as weight (1, 2, 3 nS on posts 0-2)."""
    out, P = features
    g = np.asarray(out["hetero"][:, 3] / nS)
    jumps = np.flatnonzero(np.diff(g) > 0.5) + 1
    np.testing.assert_array_equal(jumps, [110, 130])
    sparse = P["sparse"]
    np.testing.assert_array_equal(sparse.i, [0, 1, 1])
    np.testing.assert_array_equal(sparse.j, [0, 1, 2])
    G = np.asarray(out["sparse"][100] / nS)
    np.testing.assert_allclose(G[:3], [1.0, 2.0, 3.0], rtol=1e-12)


def test_delta_synapse_moves_the_membrane_by_the_weight(features):
    """Delta('V'): each spike adds its weight to V (1.5 mV and -0.5 mV at 10 ms)."""
    out, _ = features
    v = np.asarray(out["delta_V"][:, 0] / mV)
    assert v[99] == 0
    assert v[100] == pytest.approx(1.0, abs=1e-12)
    assert v[101] == pytest.approx(np.exp(-0.1 / 10), rel=1e-9)  # then decays with tau


def test_nest_receptors_follow_the_weight_sign(features):
    """synapse=None on NEST models: weight >= 0 goes to the excitatory receptor, < 0 to the
    inhibitory one (iaf_cond_exp adds |w| to g_in), as NEST's handle(SpikeEvent); with a
    1 ms delay the psc jump is at step 110, and V_m follows the exact PSP
    w/C·tau_s·tau_m/(tau_m - tau_s)·(exp(-t/tau_m) - exp(-t/tau_s))."""
    out, _ = features
    i_ex = np.asarray(out["psc_ex"] / pA)
    i_in = np.asarray(out["psc_in"] / pA)
    assert i_ex[109, 0] == 0 and i_ex[110, 0] == pytest.approx(100.0)
    assert i_in[110, 1] == pytest.approx(-50.0) and np.all(i_in[:, 0] == 0)
    np.testing.assert_allclose(i_ex[110:310, 0], 100 * np.exp(-np.arange(200) * 0.1 / 2),
                               rtol=1e-12)
    t = np.arange(1, 200) * 1e-4
    psp = 100e-12 / 250e-12 * 2e-3 * 10e-3 / 8e-3 * (np.exp(-t / 10e-3) - np.exp(-t / 2e-3))
    v = np.asarray(out["psc_V"][:, 0] / mV) * 1e-3
    np.testing.assert_allclose(v[111:310] + 70e-3, psp, rtol=1e-9, atol=1e-15)
    g_ex = np.asarray(out["cond_ex"] / nS)
    g_in = np.asarray(out["cond_in"] / nS)
    assert g_ex[100, 0] == pytest.approx(3.0) and g_in[100, 1] == pytest.approx(4.0)
    assert np.all(g_ex[:, 1] == 0) and np.all(g_in[:, 0] == 0)


def test_run_steps_records_spikes_as_booleans(features):
    out, _ = features
    spikes = out["pre_spike"]
    assert spikes.shape == (600, 2) and spikes.dtype == bool
    np.testing.assert_array_equal(np.argwhere(spikes), [[100, 0], [100, 1]])
    np.testing.assert_allclose(np.asarray(out["t"] / ms), np.arange(600) * 0.1, atol=1e-9)


def test_run_steps_argument_errors():
    g = NeuronGroup(1, "dv/dt = -v/ms : 1", name="rs_errors")
    with pytest.raises(ValueError, match="n_steps must be a positive integer, got 0"):
        run_steps([g], 0, {"v": (g, "v")})
    with pytest.raises(ValueError, match=r"record\['v'\] must be \(obj, var\)"):
        run_steps([g], 5, {"v": g})
    with pytest.raises(ValueError, match="does not spike"):
        run_steps([g], 5, {"s": (g, "spike")})


def test_projection_variable_lists_what_is_available():
    sl.start_scope()
    pre = SpikeTimeGroup(1, [0], [1] * ms, name="var_pre")
    post = LifRef(1, name="var_post")
    p = Projection(pre, post, STP(), OneToOne(), weight=1 * uS, output=COBA(), name="var_stp")
    assert p.variable("u") == (p.state, "u")
    assert p.variable("G") == (post, "G_var_stp")
    assert p.variable("I") == (post, "I_var_stp")
    with pytest.raises(KeyError, match="no quantity 'h'; available: g, u, x, G, I"):
        p.variable("h")


def test_recurrent_fixed_prob_without_self_connections():
    """E -> E from a slice of the same population: include_self=False removes exactly the
    pairs joining a neuron to itself (absolute indices), and nothing else."""
    sl.start_scope()
    sl.seed(11)
    neurons = LifRef(300, name="rec_neurons")
    exc = Projection(neurons[:240], neurons, Expon(), FixedProb(0.5, include_self=False),
                     weight=1 * uS, output=COBA(), name="rec_exc")
    inh = Projection(neurons[240:], neurons, Expon(), FixedProb(0.5, include_self=False),
                     weight=1 * uS, output=COBA(), name="rec_inh")
    assert not np.any(exc.i == exc.j)
    assert not np.any(inh.i + 240 == inh.j)
    assert np.any(inh.i == inh.j)  # relative indices may coincide: not self-connections
    n = len(exc.i)
    assert abs(n - 0.5 * 240 * 299) < 5 * np.sqrt(240 * 299 * 0.25)
