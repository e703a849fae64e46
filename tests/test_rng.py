"""Tests of the counter-based random numbers (spikeloom.rng and its Numba twin)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from spikeloom import rng
from spikeloom.backends.numba._rng import _float_of_i51, _float_of_u53, rng_normal, rng_uniform

MASK = (1 << 64) - 1

# ---------------------------------------------------------------------------------------
# a literal, pure-Python transcription of the algorithm in the rng module docstring
# ---------------------------------------------------------------------------------------


def _py_mix(z: int) -> int:
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & MASK
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _py_key(seed: int, step: int, stream: int, kind: int) -> int:
    k = _py_mix((seed + 0x9E3779B97F4A7C15) & MASK)
    k = _py_mix(k ^ (((stream | (kind << 32)) * 0xD1B54A32D192ED03) & MASK))
    return _py_mix(k ^ ((step * 0xABC98388FB8FAC03) & MASK))


def _py_bits(k: int, element: int, sub: int) -> int:
    return _py_mix(k ^ (((element | (sub << 32)) * 0x8CB92BA72F3D8DD7) & MASK))


def _py_horner(coef, w):
    p = coef[-1]
    for c in reversed(coef[:-1]):
        p = p * w + c
    return p


def _py_uniform(seed, step, element, stream) -> float:
    return float(_py_bits(_py_key(seed, step, stream, 0), element, 0) >> 11) * 2.0**-53


def _py_normal(seed, step, element, stream) -> float:
    k = _py_key(seed, step, stream, 1)
    h1, h2 = _py_bits(k, element, 0), _py_bits(k, element, 1)
    m, e = math.frexp(float((h1 >> 11) + 1))
    if m < float.fromhex("0x1.6a09e667f3bcdp-1"):
        m, e = m * 2.0, e - 1
    s = (m - 1.0) / (m + 1.0)
    log_u1 = float(e - 53) * float.fromhex("0x1.62e42fefa39efp-1") + (2.0 * s) * _py_horner(
        rng.LOG_COEF, s * s
    )
    r = math.sqrt(-2.0 * log_u1)
    b = h2 >> 11
    n = (b + (1 << 50)) >> 51
    x = float(b - (n << 51)) * float.fromhex("0x1.921fb54442d18p-51")
    w = x * x
    cx = _py_horner(rng.COS_COEF, w)
    sx = x * _py_horner(rng.SIN_COEF, w)
    return r * [cx, -sx, -cx, sx][n & 3]


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------

BIG = [0, 1, 2, 1000, 2**31 - 1, 2**31, 2**32 - 1]
GRID_SEEDS = [0, 1, 42, 2**32 + 7, 2**62 + 12345, 2**63 - 1]
GRID_STEPS = [0, 1, 2, 999, 2**32 + 5, 2**40 - 1, 2**63 - 1]
GRID_ELEMENTS = BIG
GRID_STREAMS = [0, 1, 2, 65535, 2**32 - 1]


def _grid():
    s, t, e, q = np.meshgrid(GRID_SEEDS, GRID_STEPS, GRID_ELEMENTS, GRID_STREAMS, indexing="ij")
    return [a.ravel().astype(np.int64) for a in (s, t, e, q)]


@njit
def _numba_fill(seed, step, element, stream):
    u = np.empty(seed.size)
    z = np.empty(seed.size)
    for i in range(seed.size):
        u[i] = rng_uniform(seed[i], step[i], element[i], stream[i])
        z[i] = rng_normal(seed[i], step[i], element[i], stream[i])
    return u, z


@njit(error_model="numpy")
def _numba_fill_elements(seed, step, stream, out_u, out_z):
    # the hot-loop shape: one key, a loop over elements (vectorisable)
    for i in range(out_u.size):
        out_u[i] = rng_uniform(seed, step, i, stream)
        out_z[i] = rng_normal(seed, step, i, stream)


def _same_bits(a, b) -> bool:
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))


def _corr(a, b) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


# ---------------------------------------------------------------------------------------
# the specification itself
# ---------------------------------------------------------------------------------------


def test_constants_are_pinned():
    assert [c.hex() for c in rng.LOG_COEF] == [(1 / (2 * k + 1)).hex() for k in range(11)]
    assert rng.COS_COEF[3].hex() == "-0x1.6c16c16c16c17p-10"
    assert rng.COS_COEF[8].hex() == "0x1.ae7f3e733b81fp-45"
    assert rng.SIN_COEF[1].hex() == "-0x1.5555555555555p-3"
    assert rng.SIN_COEF[8].hex() == "0x1.952c77030ad4ap-49"
    assert len(rng.COS_COEF) == len(rng.SIN_COEF) == 9
    for k in range(9):
        assert rng.COS_COEF[k] == (-1) ** k / math.factorial(2 * k)
        assert rng.SIN_COEF[k] == (-1) ** k / math.factorial(2 * k + 1)
    assert rng.PIO2_2M51 == math.pi / 2 * 2.0**-51
    assert rng.LN2 == math.log(2.0)
    assert rng.SQRT_HALF == math.sqrt(0.5)
    assert (rng.GAMMA, rng.K_STREAM, rng.K_STEP, rng.K_ELEM) == (
        0x9E3779B97F4A7C15,
        0xD1B54A32D192ED03,
        0xABC98388FB8FAC03,
        0x8CB92BA72F3D8DD7,
    )


# Known answers: any change to the algorithm breaks these (and every saved simulation).
KNOWN = [
    ((0, 0, 0, 0), "0x1.957a7604e2150p-4", "0x1.1897770170a01p+0"),
    ((1, 2, 3, 4), "0x1.d1e2ac12bf93ap-2", "0x1.7dd6d1055b7aep+1"),
    ((2**63 - 1, 2**63 - 1, 2**32 - 1, 2**32 - 1), "0x1.d3270054ac4d8p-3", "0x1.0f2b7930cd456p+0"),
    ((12345, 678, 9, 1), "0x1.e3a2796f1d98cp-2", "-0x1.7017c3cb12dd6p+0"),
]


@pytest.mark.parametrize(("args", "u_hex", "z_hex"), KNOWN)
def test_known_answers(args, u_hex, z_hex):
    assert float(rng.uniform(*args)).hex() == u_hex
    assert float(rng.normal(*args)).hex() == z_hex
    assert rng_uniform(*args).hex() == u_hex
    assert rng_normal(*args).hex() == z_hex


def test_numpy_matches_pure_python_transcription_of_docstring():
    s, t, e, q = _grid()
    idx = np.random.default_rng(3).choice(s.size, 300, replace=False)
    u = rng.uniform(s[idx], t[idx], e[idx], q[idx])
    z = rng.normal(s[idx], t[idx], e[idx], q[idx])
    for j, i in enumerate(idx):
        args = (int(s[i]), int(t[i]), int(e[i]), int(q[i]))
        assert u[j].hex() == _py_uniform(*args).hex(), args
        assert z[j].hex() == _py_normal(*args).hex(), args


# ---------------------------------------------------------------------------------------
# Numba == NumPy, bit for bit
# ---------------------------------------------------------------------------------------


def test_numba_matches_numpy_on_grid_with_large_values():
    s, t, e, q = _grid()
    u_nb, z_nb = _numba_fill(s, t, e, q)
    assert _same_bits(u_nb, rng.uniform(s, t, e, q))
    assert _same_bits(z_nb, rng.normal(s, t, e, q))


def test_numba_matches_numpy_on_random_counters():
    g = np.random.default_rng(0)
    n = 50_000
    s = g.integers(0, 2**63, n, dtype=np.int64)
    t = g.integers(0, 2**63, n, dtype=np.int64)
    e = g.integers(0, 2**32, n, dtype=np.int64)
    q = g.integers(0, 2**32, n, dtype=np.int64)
    u_nb, z_nb = _numba_fill(s, t, e, q)
    assert _same_bits(u_nb, rng.uniform(s, t, e, q))
    assert _same_bits(z_nb, rng.normal(s, t, e, q))


def test_numba_vectorised_element_loop_matches_numpy():
    n = 10_007
    u_nb, z_nb = np.empty(n), np.empty(n)
    _numba_fill_elements(2**62 + 3, 123_456, 5, u_nb, z_nb)
    e = np.arange(n)
    assert _same_bits(u_nb, rng.uniform(2**62 + 3, 123_456, e, 5))
    assert _same_bits(z_nb, rng.normal(2**62 + 3, 123_456, e, 5))


def test_numba_accepts_any_integer_type():
    ref_u = rng_uniform(7, 8, 9, 10)
    ref_z = rng_normal(7, 8, 9, 10)
    for typ in (np.int32, np.uint64):
        args = (typ(7), typ(8), typ(9), typ(10))
        assert rng_uniform(*args) == ref_u
        assert rng_normal(*args) == ref_z
    assert rng_uniform(7, 8, 9, 10) == float(rng.uniform(7, 8, 9, 10))


# ---------------------------------------------------------------------------------------
# distributions
# ---------------------------------------------------------------------------------------

N_STAT = 1_000_000


@pytest.fixture(scope="module")
def uniform_draws():
    # 1000 steps x 1000 elements: exercises both the step and the element counter
    return rng.uniform(2024, np.arange(1000)[:, None], np.arange(1000)[None, :], 3).ravel()


@pytest.fixture(scope="module")
def normal_draws():
    return rng.normal(2024, np.arange(1000)[:, None], np.arange(1000)[None, :], 3).ravel()


def test_uniform_range_mean_variance(uniform_draws):
    u = uniform_draws
    assert u.size == N_STAT and u.dtype == np.float64
    assert u.min() >= 0.0 and u.max() < 1.0
    assert np.all(u * 2.0**53 == np.floor(u * 2.0**53))  # multiples of 2**-53
    n = u.size
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    # Var[(u - 1/2)**2] = 1/80 - 1/144 = 1/180
    assert abs(np.mean((u - 0.5) ** 2) - 1 / 12) < 5 * math.sqrt(1 / 180 / n)


def test_uniform_chi_square_100_bins(uniform_draws):
    counts = np.bincount((uniform_draws * 100).astype(np.int64), minlength=100)
    assert counts.size == 100
    expected = uniform_draws.size / 100
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    dof = 99
    assert abs(chi2 - dof) < 5 * math.sqrt(2 * dof)


def test_uniform_low_bits_are_uniform_too(uniform_draws):
    # the last bits used (2**-53 .. 2**-46) must not be stuck
    low = (uniform_draws * 2.0**53).astype(np.int64) & 0xFF
    counts = np.bincount(low, minlength=256)
    expected = uniform_draws.size / 256
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert abs(chi2 - 255) < 5 * math.sqrt(2 * 255)


def test_normal_moments(normal_draws):
    z = normal_draws
    n = z.size
    assert np.all(np.isfinite(z)) and np.abs(z).max() < 8.6
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(np.mean(z**2) - 1.0) < 5 * math.sqrt(2 / n)
    assert abs(np.mean(z**3)) < 5 * math.sqrt(15 / n)
    assert abs(np.mean(z**4) - 3.0) < 5 * math.sqrt(96 / n)  # kurtosis
    tail = np.mean(np.abs(z) > 3.0)
    p3 = 1 - math.erf(3 / math.sqrt(2))
    assert abs(tail - p3) < 5 * math.sqrt(p3 * (1 - p3) / n)


def test_normal_ks_distance(normal_draws):
    z = np.sort(normal_draws)
    n = z.size
    cdf = 0.5 * (1.0 + np.frompyfunc(math.erf, 1, 1)(z / math.sqrt(2.0)).astype(np.float64))
    i = np.arange(1, n + 1)
    d = max(float(np.max(i / n - cdf)), float(np.max(cdf - (i - 1) / n)))
    # P(sqrt(n) D > 1.95) ~ 0.001 for a correct generator
    assert d * math.sqrt(n) < 1.95


def test_normal_agrees_with_libm_box_muller():
    # our polynomial log/cos must be faithful: compare with math.log/math.cos on the
    # same two uniforms (reconstructed from the pure-Python transcription)
    g = np.random.default_rng(5)
    for _ in range(2000):
        args = tuple(int(v) for v in g.integers(0, 2**32, 4))
        k = _py_key(args[0], args[1], args[3], 1)
        u1 = ((_py_bits(k, args[2], 0) >> 11) + 1) * 2.0**-53
        u2 = (_py_bits(k, args[2], 1) >> 11) * 2.0**-53
        ref = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        assert abs(float(rng.normal(*args)) - ref) < 4e-15 * max(1.0, abs(ref))


# ---------------------------------------------------------------------------------------
# independence and uniqueness
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [rng.uniform, rng.normal], ids=["uniform", "normal"])
def test_neighbours_are_uncorrelated(draw):
    n = 200_000
    bound = 5 / math.sqrt(n)
    e = np.arange(n + 1)
    a = draw(11, 5, e, 2)
    assert abs(_corr(a[:-1], a[1:])) < bound  # neighbouring elements
    s = draw(11, e, 17, 2)
    assert abs(_corr(s[:-1], s[1:])) < bound  # neighbouring steps
    assert abs(_corr(draw(11, 5, e, 2), draw(11, 5, e, 3))) < bound  # streams
    assert abs(_corr(draw(11, 5, e, 0), draw(12, 5, e, 0))) < bound  # seeds
    assert abs(_corr(draw(11, 5, e, 0), draw(11, 6, e, 0))) < bound  # steps, per element
    q = draw(11, 5, 17, e)
    assert abs(_corr(q[:-1], q[1:])) < bound  # neighbouring streams, same element


def test_uniform_and_normal_from_the_same_counters_are_independent():
    n = 200_000
    e = np.arange(n)
    u = rng.uniform(1, 2, e, 3)
    z = rng.normal(1, 2, e, 3)
    assert abs(_corr(u, z)) < 5 / math.sqrt(n)
    assert abs(_corr(u, np.abs(z))) < 5 / math.sqrt(n)


def test_every_counter_changes_the_value():
    seeds = np.array([0, 1, 2, 2**63 - 1]).reshape(-1, 1, 1, 1)
    steps = np.array([0, 1, 2, 3, 2**32, 2**40 - 1, 2**63 - 1]).reshape(1, -1, 1, 1)
    elements = np.array([0, 1, 2, 3, 4, 255, 256, 2**31, 2**32 - 1]).reshape(1, 1, -1, 1)
    streams = np.array([0, 1, 2, 3, 65535, 65536, 2**32 - 1]).reshape(1, 1, 1, -1)
    for draw in (rng.uniform, rng.normal):
        v = draw(seeds, steps, elements, streams)
        assert v.shape == (4, 7, 9, 7)
        # no collisions anywhere in the grid (53-bit values: a chance collision is ~1e-11)
        assert np.unique(v).size == v.size
        for axis in range(4):
            assert np.all(np.diff(v, axis=axis) != 0)


def test_small_dense_grid_has_no_collisions():
    v = rng.uniform(
        np.arange(4).reshape(-1, 1, 1, 1),
        np.arange(16).reshape(1, -1, 1, 1),
        np.arange(64).reshape(1, 1, -1, 1),
        np.arange(8).reshape(1, 1, 1, -1),
    )
    assert np.unique(v).size == v.size == 4 * 16 * 64 * 8


# ---------------------------------------------------------------------------------------
# reproducibility, broadcasting, validation
# ---------------------------------------------------------------------------------------


def test_reproducible_and_order_independent():
    e = np.arange(5000)
    for draw in (rng.uniform, rng.normal):
        a = draw(99, 7, e, 1)
        assert _same_bits(a, draw(99, 7, e, 1))
        assert _same_bits(a[::-1], draw(99, 7, e[::-1], 1))
        assert _same_bits(a[1234:1240], draw(99, 7, e[1234:1240], 1))
        assert float(draw(99, 7, 4321, 1)) == a[4321]
        b = draw(100, 7, e, 1)
        assert np.mean(a == b) < 1e-3  # a different seed gives different numbers
        assert not np.array_equal(a, b)


def test_broadcasting_and_scalars():
    u = rng.uniform(1, 2, 3, 4)
    assert isinstance(u, float) and np.ndim(u) == 0
    z = rng.normal(1, 2, 3, 4)
    assert isinstance(z, float)
    grid = rng.uniform(1, np.arange(5)[:, None], np.arange(7), [[3]])
    assert grid.shape == (5, 7)
    assert grid[2, 4] == rng.uniform(1, 2, 4, 3)
    assert rng.normal([1, 2, 3], 0, 0, 0).shape == (3,)
    assert rng.uniform(1, 2, np.zeros((0, 3), dtype=np.int64), 4).shape == (0, 3)
    # per-element steps and seeds (the general, block-wise path) agree with scalars
    seeds = np.array([5, 6, 7, 8])
    vals = rng.normal(seeds, [0, 1, 2, 3], 9, [1, 1, 2, 2])
    assert list(vals) == [
        rng.normal(s, t, 9, q) for s, t, q in zip(seeds, [0, 1, 2, 3], [1, 1, 2, 2])
    ]
    # uint64 and Python-int inputs give the same numbers as int64
    e = np.arange(10)
    assert _same_bits(rng.uniform(3, 4, e.astype(np.uint64), 5), rng.uniform(3, 4, e, 5))
    assert _same_bits(rng.uniform(3, 4, list(range(10)), 5), rng.uniform(3, 4, e, 5))
    assert rng.uniform(np.uint64(2**63 - 1), 0, 0, 0) == rng.uniform(2**63 - 1, 0, 0, 0)


def test_large_inputs_are_processed_blockwise_consistently():
    e = np.arange(3 * 2**14 + 17)
    u = rng.uniform(1, 2, e, 3)
    assert u[-1] == rng.uniform(1, 2, int(e[-1]), 3)
    assert u[2**14] == rng.uniform(1, 2, 2**14, 3)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"seed": 1.0}, "seed"),
        ({"step": -5}, "step"),
        ({"step": 2**63}, "step"),
        ({"step": np.array([0.5, 1.5])}, "step"),
        ({"element": 2**32}, "element"),
        ({"element": np.array([0, -3])}, "element"),
        ({"element": True}, "element"),
        ({"stream": 2**32}, "stream"),
        ({"stream": "a"}, "stream"),
        ({"stream": 2**70}, "stream"),
    ],
)
def test_counter_validation(kwargs, name):
    args = {"seed": 1, "step": 2, "element": 3, "stream": 4} | kwargs
    for draw in (rng.uniform, rng.normal):
        with pytest.raises(ValueError, match=name):
            draw(**args)


def test_derive_seed():
    assert rng.derive_seed(0) == 0
    assert rng.derive_seed(42) == 42
    assert rng.derive_seed(2**63 - 1) == 2**63 - 1
    assert rng.derive_seed(np.int64(7)) == 7 and type(rng.derive_seed(np.int64(7))) is int
    fresh = {rng.derive_seed(None) for _ in range(5)}
    assert len(fresh) == 5  # fresh entropy every time
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in fresh)


@pytest.mark.parametrize("bad", [-1, -(2**70), 2**63, 2**64, 1.0, 3.5, "12", True, [1]])
def test_derive_seed_rejects(bad):
    with pytest.raises(ValueError, match=r"seed") as info:
        rng.derive_seed(bad)
    msg = str(info.value)
    assert "2**63" in msg  # the allowed range
    assert repr(bad) in msg or str(bad) in msg  # the offending value


@njit
def _numba_floats(unsigned, signed):
    out_u = np.empty(unsigned.size)
    out_s = np.empty(signed.size)
    for i in range(unsigned.size):
        out_u[i] = _float_of_u53(unsigned[i])
    for i in range(signed.size):
        out_s[i] = _float_of_i51(signed[i])
    return out_u, out_s


def test_numba_integer_to_float_by_exponent_bits_is_exact_at_the_edges():
    # the draws convert integers by bit arithmetic (no AVX2 instruction converts 64-bit
    # integers); an off-by-one in the split or the magic constant shows at these edges
    edges = [0, 1, 2, 3, 2**26 - 1, 2**26, 2**26 + 1, 2**27 - 1, 2**52 - 1, 2**52,
             2**52 + 1, 2**53 - 1, 2**53]
    g = np.random.default_rng(1)
    unsigned = np.array(edges + list(g.integers(0, 2**53 + 1, 1000)), dtype=np.uint64)
    signed = np.array([0, 1, -1, 2**50 - 1, -(2**50), 2**50, -(2**51) + 1, 2**51 - 1]
                      + list(g.integers(-(2**51) + 1, 2**51, 1000)), dtype=np.int64)
    out_u, out_s = _numba_floats(unsigned, signed)
    assert out_u.tolist() == [float(int(a)) for a in unsigned]
    assert out_s.tolist() == [float(int(i)) for i in signed]
