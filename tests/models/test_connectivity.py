"""Connectivity rules: statistics, exact degrees, self-connections, seeding, inputs, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Synapses, ms, nS
from spikeloom.models import (
    COBA,
    LIF,
    AllToAll,
    Expon,
    FixedPostNum,
    FixedPreNum,
    FixedProb,
    FromIJ,
    FromSparse,
    GaussianProb,
    OneToOne,
    Projection,
    SpikeTimeGroup,
)
from spikeloom.models.projections.connectivity import ConnectContext, bernoulli_positions

pytestmark = pytest.mark.backend_independent


def test_fixed_prob_is_independent_bernoulli_trials():
    """FixedProb(p): the number of synapses is Binomial(N_pre·N_post, p) and every
    out-degree Binomial(N_post, p) (mean and variance within 5 standard errors) — not
    BrainPy's fixed out-degree."""
    ctx = ConnectContext(2000, 1500)
    p = 0.03
    i, j = FixedProb(p, seed=5).pairs(ctx)
    n = ctx.n_pre * ctx.n_post
    assert abs(len(i) - n * p) < 5 * np.sqrt(n * p * (1 - p))
    out_degree = np.bincount(i, minlength=ctx.n_pre)
    var = ctx.n_post * p * (1 - p)
    assert abs(out_degree.mean() - ctx.n_post * p) < 5 * np.sqrt(var / ctx.n_pre)
    assert abs(out_degree.var() / var - 1) < 5 * np.sqrt(2 / ctx.n_pre)
    assert out_degree.std() > 0  # a fixed out-degree would have none
    pairs = i * ctx.n_post + j
    assert np.all(np.diff(pairs) > 0)  # each pair at most once, sorted


@pytest.mark.parametrize("include_self", [True, False])
def test_fixed_prob_with_fixed_degree_is_brainpys_rule(include_self):
    """FixedProb(p, fixed_degree=True) is BrainPy's bp.conn.FixedProb: every source gets
    exactly int(p*N_post) distinct targets (int(0.03*1500) = 45), itself excluded on
    request; wired into Synapses it creates exactly those pairs."""
    ctx = ConnectContext(300, 1500, self_offset=0)
    i, j = FixedProb(0.03, include_self=include_self, seed=5, fixed_degree=True).pairs(ctx)
    np.testing.assert_array_equal(np.bincount(i, minlength=300), 45)
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i)
    if not include_self:
        assert not np.any(i == j)
    with pytest.raises(TypeError, match="fixed_degree must be True or False"):
        FixedProb(0.1, fixed_degree="yes")


def test_bernoulli_positions_edge_cases():
    rng = np.random.default_rng(0)
    assert bernoulli_positions(10, 0.0, rng).size == 0
    np.testing.assert_array_equal(bernoulli_positions(5, 1.0, rng), np.arange(5))
    assert bernoulli_positions(0, 0.5, rng).size == 0


def test_fixed_prob_without_seed_equals_synapses_connect_under_the_same_seed():
    """Without its own seed FixedProb draws exactly like Synapses.connect(p=p), so a network
    written with the library gets the synapses of the one written with strings."""
    sl.start_scope()
    pre = SpikeTimeGroup(300, [0], [1] * ms, name="cn_pre")
    sl.seed(42)
    ref = Synapses(pre, pre, on_pre="", name="cn_ref")
    ref.connect(p=0.1)
    sl.seed(42)
    post = LIF(300, name="cn_post")
    proj = Projection(pre, post, Expon(), FixedProb(0.1), weight=1 * nS, output=COBA(),
                      name="cn_proj")
    np.testing.assert_array_equal(proj.i, ref.i)
    np.testing.assert_array_equal(proj.j, ref.j)


def test_seeded_rules_are_reproducible_and_seed_matters():
    ctx = ConnectContext(500, 400)
    for rule_a, rule_b, rule_c in [
        (FixedProb(0.05, seed=3), FixedProb(0.05, seed=3), FixedProb(0.05, seed=4)),
        (FixedPreNum(10, seed=3), FixedPreNum(10, seed=3), FixedPreNum(10, seed=4)),
        (FixedPostNum(10, seed=3), FixedPostNum(10, seed=3), FixedPostNum(10, seed=4)),
        (GaussianProb(20.0, seed=3), GaussianProb(20.0, seed=3), GaussianProb(20.0, seed=4)),
    ]:
        a, b, c = rule_a.pairs(ctx), rule_b.pairs(ctx), rule_c.pairs(ctx)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert not (np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1]))


def test_unseeded_rules_follow_spikeloom_seed():
    ctx = ConnectContext(200, 200)
    sl.seed(9)
    a = FixedPreNum(5).pairs(ctx)
    sl.seed(9)
    b = FixedPreNum(5).pairs(ctx)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("include_self", [True, False])
def test_fixed_pre_num_gives_exact_distinct_in_degree(include_self):
    """Every postsynaptic neuron receives exactly n distinct inputs; without self
    connections none is itself (offset: the presynaptic slice starts at neuron 50)."""
    ctx = ConnectContext(100, 150, self_offset=50 if not include_self else None)
    i, j = FixedPreNum(40, include_self=include_self, seed=1).pairs(ctx)
    np.testing.assert_array_equal(np.bincount(j, minlength=150), 40)
    pairs = i * 150 + j
    assert len(np.unique(pairs)) == len(pairs)
    if not include_self:
        assert not np.any(i + 50 == j)


def test_fixed_post_num_gives_exact_distinct_out_degree_even_when_dense():
    """Every presynaptic neuron projects to exactly n distinct targets (n close to N_post
    uses permutations); self connections removed on request."""
    ctx = ConnectContext(60, 60, self_offset=0)
    for n in (5, 58, 59):
        i, j = FixedPostNum(n, include_self=False, seed=2).pairs(ctx)
        np.testing.assert_array_equal(np.bincount(i, minlength=60), n)
        assert len(np.unique(i * 60 + j)) == len(i)
        assert not np.any(i == j)
    with pytest.raises(ValueError, match=r"n=60 distinct partners asked, but only 59 are "
                                         r"available \(60 neurons, minus self\)"):
        FixedPostNum(60, include_self=False).pairs(ctx)


def test_all_to_all_and_one_to_one():
    ctx = ConnectContext(4, 3)
    i, j = AllToAll().pairs(ctx)
    assert len(i) == 12 and set(zip(i, j)) == {(a, b) for a in range(4) for b in range(3)}
    i, j = AllToAll(include_self=False).pairs(ConnectContext(4, 4, self_offset=0))
    assert len(i) == 12 and not np.any(i == j)
    i, j = OneToOne().pairs(ConnectContext(5, 5))
    np.testing.assert_array_equal(i, j)
    with pytest.raises(ValueError, match="OneToOne: the groups must have the same size, got 4 "
                                         "presynaptic and 3 postsynaptic neurons"):
        OneToOne().pairs(ctx)


def test_gaussian_prob_follows_the_profile():
    """P(d) = p_max·exp(-d²/(2σ²)) on a ring (periodic distances): the empirical frequency
    per distance bin matches within 5 standard errors."""
    n, sigma, p_max = 400, 10.0, 0.8
    ctx = ConnectContext(n, n)
    i, j = GaussianProb(sigma, p_max=p_max, periodic=n, seed=7).pairs(ctx)
    d = np.abs(i - j)
    d = np.minimum(d, n - d)
    trials = np.bincount(np.minimum(np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]),
                                    n - np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]))
                         .ravel(), minlength=n // 2 + 1)
    hits = np.bincount(d, minlength=n // 2 + 1)
    for dist in (0, 5, 10, 20):
        p = p_max * np.exp(-dist ** 2 / (2 * sigma ** 2))
        freq = hits[dist] / trials[dist]
        assert abs(freq - p) < 5 * np.sqrt(p * (1 - p) / trials[dist]) + 1e-12, (dist, freq, p)
    assert hits[60:].sum() == 0  # p < 1e-7 there
    with pytest.raises(ValueError, match="sigma must be a positive number"):
        GaussianProb(0.0)


def test_explicit_pairs_and_duck_typed_sparse_matrix():
    class Coo:
        def __init__(self):
            self.row, self.col = np.array([0, 2, 2]), np.array([1, 0, 3])
            self.data, self.shape = np.array([0.5, 1.5, 2.5]), (3, 4)

        def tocoo(self):
            return self

    rule = FromSparse(Coo())
    i, j = rule.pairs(ConnectContext(3, 4))
    np.testing.assert_array_equal(i, [0, 2, 2])
    np.testing.assert_array_equal(j, [1, 0, 3])
    np.testing.assert_array_equal(rule.data, [0.5, 1.5, 2.5])
    with pytest.raises(ValueError, match=r"matrix shape \(3, 4\) does not match \(N_pre, "
                                         r"N_post\) = \(3, 5\)"):
        rule.pairs(ConnectContext(3, 5))
    with pytest.raises(IndexError, match=r"FromIJ: j=7 out of range \(allowed 0..4\)"):
        FromIJ([0], [7]).pairs(ConnectContext(3, 5))
    with pytest.raises(ValueError, match="i and j must have the same length, got 2 and 1"):
        FromIJ([0, 1], [0])
    with pytest.raises(TypeError, match="connectivity must be a rule"):
        Projection(SpikeTimeGroup(1, [0], [1] * ms), LIF(1), Expon(), connectivity="all",
                   weight=1 * nS, output=COBA())


def test_rule_argument_errors():
    with pytest.raises(ValueError, match=r"FixedProb: p must be a probability in \[0, 1\], "
                                         r"got 1.5"):
        FixedProb(1.5)
    with pytest.raises(ValueError, match="FixedPreNum: n must be a non-negative integer, "
                                         "got -1"):
        FixedPreNum(-1)
    with pytest.raises(ValueError, match="seed must be a non-negative integer or None"):
        FixedProb(0.1, seed=-3)


def test_400k_neurons_with_80_synapses_each_in_seconds():
    """Vectorised: 400 000 postsynaptic neurons × 80 distinct inputs (32 million synapses)
    are drawn in a few seconds (the bound is loose for shared machines)."""
    ctx = ConnectContext(400_000, 400_000, self_offset=0)
    start = time.perf_counter()
    i, j = FixedPreNum(80, include_self=False, seed=1).pairs(ctx)
    elapsed = time.perf_counter() - start
    assert len(i) == 32_000_000 and elapsed < 20, elapsed
    assert np.bincount(j[:80_000]).max() == 80 and not np.any(i[:80_000] == j[:80_000])
