"""Brian2 features beyond the reference suite, checked against hand-computed values."""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    mV,
)


def test_constant_over_dt_subexpression_is_computed_once_per_step():
    """I is drawn once per step; v integrates it with rk4, so v's increment is exactly I*dt/tau."""
    sl.seed(3)
    G = NeuronGroup(5, """dv/dt = I/tau : 1
                          I = rand() : 1 (constant over dt)""", method="rk4",
                    namespace={"tau": 10 * ms})
    mon = StateMonitor(G, ["v", "I"], record=True)
    net = sl.Network(G, mon)
    net.run(2 * ms)
    dv = np.diff(mon.v, axis=1)
    # I recorded at the start of step k is the value of step k-1 (computed in 'groups')
    np.testing.assert_allclose(dv, mon.I[:, 1:] * 0.1 / 10, rtol=1e-12)
    assert np.all((mon.I[:, 1:] >= 0) & (mon.I[:, 1:] < 1))
    assert len(np.unique(mon.I[:, 1:])) == mon.I[:, 1:].size  # fresh draws every step


def test_shared_variable_has_one_value_for_the_group():
    G = NeuronGroup(4, "dv/dt = a/ms : 1\na : 1 (shared)", method="euler")
    G.a = 0.5
    net = sl.Network(G)
    net.run(1 * ms)
    np.testing.assert_allclose(G.v[:], 0.5, rtol=1e-12)
    assert G.a[:].shape == (1,)


def test_named_pathways_run_their_own_code_and_delays():
    gen = SpikeGeneratorGroup(1, [0], [1 * ms])
    G = NeuronGroup(1, "a : 1\nb : 1")
    S = Synapses(gen, G, on_pre={"fast": "a += 1", "slow": "b += 1"})
    S.connect(i=0, j=0)
    S.slow.delay = 3 * ms
    mon = StateMonitor(G, ["a", "b"], record=0)
    sl.Network(gen, G, S, mon).run(6 * ms)
    t_a = mon.t_[np.argmax(mon.a[0] > 0)]
    t_b = mon.t_[np.argmax(mon.b[0] > 0)]
    # StateMonitor records at the start of a step: a change at step k shows at step k+1
    np.testing.assert_allclose([t_a, t_b], [1.1e-3, 4.1e-3], atol=1e-12)


def test_heterogeneous_delay_queue_grows_instead_of_dropping():
    """2000 events land in few slots (initial capacity far smaller): every one arrives."""
    gen = SpikeGeneratorGroup(2, [0, 1], [1 * ms, 1 * ms])
    G = NeuronGroup(1000, "hits : 1")
    S = Synapses(gen, G, on_pre="hits += 1")
    S.connect()
    S.delay = "(j % 2)*5*ms + 0.1*ms"
    sl.Network(gen, G, S).run(10 * ms)
    np.testing.assert_array_equal(G.hits[:], 2)


def test_subgroup_indices_are_relative():
    G = NeuronGroup(10, "x : 1")
    sub = G[4:8]
    sub.x = "i"
    np.testing.assert_array_equal(G.x[:], [0, 0, 0, 0, 0, 1, 2, 3, 0, 0])
    spikes_src = SpikeGeneratorGroup(10, [5], [1 * ms])
    mon = SpikeMonitor(spikes_src[4:8])
    sl.Network(spikes_src, mon).run(2 * ms)
    np.testing.assert_array_equal(mon.i, [1])


def test_synapse_string_indexing_and_two_dimensional_indexing():
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1")
    S.connect()
    S.w["i > j"] = 2.0
    S.w[0, 2] = 5.0
    expected = np.where(S.i > S.j, 2.0, 0.0)
    expected[(S.i == 0) & (S.j == 2)] = 5.0
    np.testing.assert_array_equal(S.w[:], expected)


def test_connect_probability_is_independent_trials():
    """connect(p=0.1) on 400 x 400 pairs: count ~ Binomial(160000, 0.1) within 4 sigma."""
    sl.seed(11)
    G = NeuronGroup(400, "v : 1")
    S = Synapses(G, G)
    S.connect(p=0.1)
    mean, std = 16000, np.sqrt(160000 * 0.1 * 0.9)
    assert abs(S.N - mean) < 4 * std
    pairs = S.i.astype(np.int64) * 400 + S.j
    assert len(np.unique(pairs)) == S.N  # no duplicate pair
    assert np.all(np.diff(pairs) > 0)  # Brian2's order: by i, then j


def test_consecutive_runs_continue_time_and_state():
    G = NeuronGroup(1, "dv/dt = 1/ms : 1", method="euler")
    net = sl.Network(G)
    net.run(1 * ms)
    net.run(2 * ms)
    np.testing.assert_allclose(float(net.t / ms), 3.0)
    np.testing.assert_allclose(G.v[0], 3.0, rtol=1e-12)


def test_list_times_unit_keeps_float64():
    """[1.5]*mV is stored as float64 1.5e-3 exactly (no float32 rounding on the way)."""
    G = NeuronGroup(1, "v : volt")
    G.v = [1.5] * mV
    assert G.v_[0] == 1.5e-3


def test_equations_namespace_survives_an_empty_model():
    from spikeloom import Equations

    G = NeuronGroup(1, "v : 1")
    gen = SpikeGeneratorGroup(1, [0], [0.5 * ms])
    S = Synapses(gen, G, model=Equations("", w=0.25), on_pre="v_post += w")
    S.connect(i=0, j=0)
    sl.Network(G, gen, S).run(1 * ms)
    assert G.v[0] == 0.25


def test_delay_dict_sets_each_pathway():
    G = NeuronGroup(2, "v : 1", threshold="False")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", on_post="w += 1",
                 delay={"pre": 1 * ms, "post": 2 * ms})
    S.connect(i=0, j=1)
    np.testing.assert_allclose(np.asarray(S.delay[:] / ms), 1.0)
    np.testing.assert_allclose(np.asarray(S.post.delay[:] / ms), 2.0)


def test_a_name_is_free_again_once_its_object_is_gone():
    """Rebuilding a named model (e.g. in a loop over trials) must not trip on old objects."""
    for _ in range(2):
        sl.start_scope()
        G = NeuronGroup(1, "v : 1", threshold="v > 1", name="exc_reused")
        S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="rec_reused")
        S.connect(i=0, j=0)
        sl.Network(G, S).run(0.2 * ms)
        assert (G.name, S.name) == ("exc_reused", "rec_reused")
        del G, S


def test_connect_probability_rows_are_binomial_and_columns_uniform():
    """p=0.5 on 2000 x 2000 (2 M synapses, several sampling chunks): per-row counts have the
    Binomial(2000, 0.5) mean and variance, and targets are uniform over the columns."""
    sl.seed(5)
    G = NeuronGroup(2000, "v : 1")
    S = Synapses(G, G)
    S.connect(p=0.5)
    rows = np.bincount(S.i, minlength=2000)
    n, p = 2000, 0.5
    # mean of 2000 rows: sd sqrt(n p (1-p) / 2000) = 0.5; variance estimate: rel. sd ~ 3 %
    assert abs(rows.mean() - n * p) < 4 * np.sqrt(n * p * (1 - p) / 2000)
    assert abs(rows.var() / (n * p * (1 - p)) - 1) < 4 * np.sqrt(2 / 2000)
    cols = np.bincount(S.j, minlength=2000)
    quarter = np.add.reduceat(cols, [0, 500, 1000, 1500])  # each ~ Binomial(1e6, 0.5)
    assert np.all(np.abs(quarter - 500_000) < 4 * np.sqrt(1_000_000 * 0.25))


def test_connect_keeps_its_own_index_arrays_apart_from_the_callers_and_each_other():
    """The first pairs of a Synapses may be kept without a copy only when no one else holds
    them: catches adopting the caller's i/j (a later change of theirs would rewire the
    network, the subgroup offset would be added to their array) and adopting one array
    for both sides of ``i == j`` (the offsets would be added twice)."""
    G = NeuronGroup(10, "v : 1")
    i, j = np.array([0, 1, 2], np.int32), np.array([3, 3, 4], np.int32)
    S = Synapses(G[5:], G[2:])
    S.connect(i=i, j=j)
    assert i.tolist() == [0, 1, 2] and j.tolist() == [3, 3, 4]
    i[:] = 9
    assert S.i[:].tolist() == [0, 1, 2] and S.j[:].tolist() == [3, 3, 4]
    assert S._synaptic_pre[:].tolist() == [5, 6, 7] and S._synaptic_post[:].tolist() == [5, 5, 6]
    diagonal = Synapses(G[4:], G[4:])
    diagonal.connect(condition="i == j")
    assert diagonal._synaptic_pre[:].tolist() == diagonal._synaptic_post[:].tolist() \
        == list(range(4, 10))
    sampled = Synapses(G[6:], G[1:])
    sampled.connect(p=0.5)
    sampled.connect(p=0.5)  # the second call appends to the adopted arrays
    assert sampled.N > 0
    assert np.array_equal(sampled._synaptic_pre[:], sampled.i[:] + 6)
    assert np.array_equal(sampled._synaptic_post[:], sampled.j[:] + 1)
    assert sampled.i[:].max() < 4 and sampled.j[:].max() < 9


def test_synapse_counts_follow_every_connect_and_reach_model_code():
    """N_incoming/N_outgoing are derived lazily; they must reflect all connect calls, also
    inside on_pre code: each target receives sum over its synapses of 1/N_incoming = 1."""
    sl.seed(2)
    src = SpikeGeneratorGroup(20, np.arange(20), np.full(20, 0.5) * ms)
    G = NeuronGroup(30, "v : 1")
    S = Synapses(src, G, on_pre="v_post += 1.0/N_incoming")
    S.connect(p=0.3)
    first = S.N_incoming[:].copy()
    S.connect(i=[0, 1, 2], j=[0, 0, 0])
    n_in = np.bincount(S.j, minlength=30)
    np.testing.assert_array_equal(S.N_incoming[:], n_in[S.j])
    np.testing.assert_array_equal(S.N_outgoing[:], np.bincount(S.i, minlength=20)[S.i])
    assert len(first) < S.N
    sl.Network(src, G, S).run(1 * ms)
    np.testing.assert_allclose(G.v[:], (n_in > 0).astype(float), rtol=1e-12)


def test_synapses_created_out_of_source_order_deliver_correctly():
    """Explicit pairs in reverse order need the CSR permutation (not the sequential path)."""
    src = SpikeGeneratorGroup(3, [0, 1, 2], [0.5, 1.5, 2.5] * ms)
    G = NeuronGroup(3, "v : 1")
    S = Synapses(src, G, "w : 1", on_pre="v_post += w")
    S.connect(i=[2, 1, 0, 2], j=[0, 1, 2, 2])
    S.w = [1.0, 10.0, 100.0, 1000.0]
    sl.Network(src, G, S).run(3 * ms)
    np.testing.assert_array_equal(G.v[:], [1.0, 10.0, 1100.0])


def test_run_regularly_resets_at_every_multiple_of_its_dt():
    """Brian2's run_regularly: v' = 1/(10 ms) with v = i/2 set at t = 0, 5, 10 ms gives
    v(t) = i/2 + (t mod 5 ms)/(10 ms) (closed form); the Network holds the operation."""
    G = NeuronGroup(3, "dv/dt = 1/(10*ms) : 1", method="euler", name="rr_group")
    op = G.run_regularly("v = i*0.5", dt=5 * ms)
    M = StateMonitor(G, "v", record=True, name="rr_mon")
    net = Network(G, M)
    assert op in net.objects and op.name == "rr_group_run_regularly"
    net.run(12 * ms)
    expected = np.arange(3)[:, None] * 0.5 + (np.arange(120) % 50) * 1e-4 / 10e-3
    np.testing.assert_allclose(M.v, expected, atol=1e-9)


def test_run_regularly_rejects_unknown_names():
    G = NeuronGroup(2, "v : 1", name="rr_bad")
    G.run_regularly("v = u_unknown", dt=1 * ms)
    with pytest.raises(Exception, match="u_unknown"):
        Network(G).run(1 * ms)
