r"""Counter-based (stateless) random numbers shared by every backend.

Every number is a pure function of four non-negative integer counters::

    seed     in [0, 2**63)   which simulation (see :func:`derive_seed`)
    step     in [0, 2**63)   time step (or any other outer counter)
    element  in [0, 2**32)   neuron / synapse index
    stream   in [0, 2**32)   which random variable of the model (one per use site)

There is no hidden state: the same counters give the same number in any order, on any
thread, in any backend. This module holds the reference implementation, vectorised with
NumPy (:func:`uniform`, :func:`normal`); :mod:`spikeloom.backends.numba._rng` holds scalar
Numba functions that are bit-for-bit identical, and a JAX port must be as well. The
algorithm below therefore uses only operations every backend reproduces exactly: wrapping
uint64 ``+ * ^ | >> <<``, exact integer/float conversions and IEEE float64 ``+ - * /``,
``sqrt``, ``frexp``. No libm ``log``/``cos`` is used (their last bit differs between
glibc, NumPy's SIMD/SVML loops and XLA), so the normal draws carry their own polynomials.

Algorithm (normative)
---------------------
All integer arithmetic is on uint64 and wraps modulo ``2**64``; ``>>`` is a logical shift.
The integer operands of every operation are uint64 (in Numba cast each one with
``np.uint64``: mixing int64 and uint64 promotes to float64).

Constants::

    GAMMA    = 0x9E3779B97F4A7C15   # added to the seed
    K_STREAM = 0xD1B54A32D192ED03   # multiplies the stream word
    K_STEP   = 0xABC98388FB8FAC03   # multiplies the step
    K_ELEM   = 0x8CB92BA72F3D8DD7   # multiplies the element word
    M1       = 0xBF58476D1CE4E5B9   # SplitMix64 finaliser multipliers
    M2       = 0x94D049BB133111EB

The SplitMix64 finaliser (a bijection of uint64)::

    mix(z):
        z = z ^ (z >> 30)
        z = z * M1
        z = z ^ (z >> 27)
        z = z * M2
        z = z ^ (z >> 31)
        return z

A key per (seed, step, stream, kind), then 64 random bits per (key, element, sub)::

    key(seed, step, stream, kind):
        k = mix(seed + GAMMA)                                  # note: + here, ^ below
        k = mix(k ^ ((stream | (kind << 32)) * K_STREAM))
        k = mix(k ^ (step * K_STEP))
        return k

    bits(k, element, sub) = mix(k ^ ((element | (sub << 32)) * K_ELEM))

``kind`` separates the distributions (0: uniform, 1: normal), so ``uniform`` and ``normal``
with the same counters are independent; ``sub`` numbers the words one draw consumes. The
key does not depend on ``element``, so a compiler hoists it out of a loop over elements.

**uniform** (kind 0), a multiple of ``2**-53`` in ``[0, 1)``::

    h = bits(key(seed, step, stream, 0), element, 0)
    u = float64(h >> 11) * 2**-53

**normal** (kind 1), Box--Muller, cosine branch only::

    k  = key(seed, step, stream, 1)
    h1 = bits(k, element, 0);  h2 = bits(k, element, 1)

    # radius: r = sqrt(-2 log(u1)) with u1 = a * 2**-53 in (0, 1]
    a      = float64((h1 >> 11) + 1)                 # integer in [1, 2**53], exact
    m, e   = frexp(a)                                # a = m * 2**e, m in [0.5, 1) (*)
    if m < SQRT_HALF: m = m * 2.0; e = e - 1         # now m in [sqrt(1/2), sqrt(2))
    s      = (m - 1.0) / (m + 1.0)
    w      = s * s
    p      = horner(LOG_COEF, w)
    log_u1 = float64(e - 53) * LN2 + (2.0 * s) * p   # log(m) = 2 atanh(s) = 2 s p(s^2)
    r      = sqrt(-2.0 * log_u1)

    # angle: c = cos(2 pi u2) with u2 = b * 2**-53, reduced exactly in integers
    b  = h2 >> 11                                    # in [0, 2**53)
    n  = (b + 2**50) >> 51                           # nearest quarter turn, 0..4
    d  = int64(b) - int64(n << 51)                   # in [-2**50, 2**50)
    x  = float64(d) * PIO2_2M51                      # in [-pi/4, pi/4]
    w  = x * x
    cx = horner(COS_COEF, w)                         # cos(x)
    sx = x * horner(SIN_COEF, w)                     # sin(x)
    c  = [cx, -sx, -cx, sx][n & 3]                   # cos(n pi/2 + x)

    z = r * c

(*) any exact method will do; the Numba version reads ``e`` and ``m`` off the exponent
and mantissa bits of ``float64(a)``.

``horner(C, w)`` is evaluated exactly in this order (no fused multiply-add)::

    p = C[-1]
    for c in reversed(C[:-1]):
        p = p * w + c

Float constants (each the float64 nearest to the stated value)::

    SQRT_HALF = sqrt(1/2)       = 0x1.6a09e667f3bcdp-1
    LN2       = log(2)          = 0x1.62e42fefa39efp-1
    PIO2_2M51 = (pi/2) * 2**-51 = 0x1.921fb54442d18p-51
    LOG_COEF[k] = 1 / (2k+1),        k = 0..10
    COS_COEF[k] = (-1)**k / (2k)!,   k = 0..8
    SIN_COEF[k] = (-1)**k / (2k+1)!, k = 0..8

(their bit patterns are in :data:`LOG_COEF`, :data:`COS_COEF` and :data:`SIN_COEF`; the
tests pin them). The polynomials are accurate to a few ulp, so ``normal`` agrees with a
libm Box--Muller on the same uniforms to about ``1e-15`` relative.

Caveat for ports: an optimiser that contracts ``p * w + c`` into a fused multiply-add
(XLA on GPU may) changes the last bits of ``normal``; the integer part and ``uniform``
stay exact whatever the backend.

Known answers (``float.hex``; the tests pin them, a port should check them)::

    (seed, step, element, stream)          uniform                 normal
    (0, 0, 0, 0)                           0x1.957a7604e2150p-4    0x1.1897770170a01p+0
    (1, 2, 3, 4)                           0x1.d1e2ac12bf93ap-2    0x1.7dd6d1055b7aep+1
    (12345, 678, 9, 1)                     0x1.e3a2796f1d98cp-2   -0x1.7017c3cb12dd6p+0
    (2**63-1, 2**63-1, 2**32-1, 2**32-1)   0x1.d3270054ac4d8p-3    0x1.0f2b7930cd456p+0

Values outside the stated counter ranges are rejected here; the Numba functions do not
check (they run in hot loops) and give unspecified but deterministic numbers for them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["derive_seed", "normal", "uniform"]

# ---------------------------------------------------------------------------------------
# constants (shared with the Numba backend and the JAX port; do not change)
# ---------------------------------------------------------------------------------------

GAMMA = 0x9E3779B97F4A7C15
K_STREAM = 0xD1B54A32D192ED03
K_STEP = 0xABC98388FB8FAC03
K_ELEM = 0x8CB92BA72F3D8DD7
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB

KIND_UNIFORM = 0
KIND_NORMAL = 1

SEED_BITS = 63
STEP_BITS = 63
ELEMENT_BITS = 32
STREAM_BITS = 32

TWO_M53 = 2.0**-53
SQRT_HALF = float.fromhex("0x1.6a09e667f3bcdp-1")
LN2 = float.fromhex("0x1.62e42fefa39efp-1")
PIO2_2M51 = float.fromhex("0x1.921fb54442d18p-51")

# int / int true division in Python is correctly rounded, so these are the nearest doubles.
LOG_COEF: tuple[float, ...] = tuple(1 / (2 * k + 1) for k in range(11))
COS_COEF: tuple[float, ...] = tuple((-1) ** k / math.factorial(2 * k) for k in range(9))
SIN_COEF: tuple[float, ...] = tuple((-1) ** k / math.factorial(2 * k + 1) for k in range(9))

_U64 = np.uint64


# ---------------------------------------------------------------------------------------
# seeds
# ---------------------------------------------------------------------------------------


def derive_seed(seed: int | None) -> int:
    """Return a validated simulation seed, drawing a fresh one for ``None``.

    Parameters
    ----------
    seed : int or None
        A non-negative integer below ``2**63``, returned unchanged (as a Python ``int``),
        or ``None`` for a fresh seed from the operating system's entropy
        (:class:`numpy.random.SeedSequence`), reduced to 63 bits.

    Returns
    -------
    int
        The seed, in ``[0, 2**63)``.

    Raises
    ------
    ValueError
        If ``seed`` is not ``None`` and not an integer in ``[0, 2**63)`` (floats and
        booleans are rejected too).

    Examples
    --------
    >>> derive_seed(42)
    42
    >>> 0 <= derive_seed(None) < 2**63
    True
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy) & ((1 << SEED_BITS) - 1)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        # ValueError (not TypeError) by design: one exception type for every bad seed
        raise ValueError(
            f"derive_seed: seed must be None or an integer in [0, 2**{SEED_BITS}), "
            f"got {seed!r} of type {type(seed).__name__}; pass e.g. seed=int(value)."
        )
    value = int(seed)
    if not 0 <= value < 1 << SEED_BITS:
        raise ValueError(
            f"derive_seed: seed must be None or an integer in [0, 2**{SEED_BITS}), "
            f"got {value}; choose a seed in that range or pass None for a fresh one."
        )
    return value


# ---------------------------------------------------------------------------------------
# vectorised reference implementation
# ---------------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    """The offending value for an error message (arrays summarised)."""
    try:
        arr = np.asarray(value, dtype=object if isinstance(value, list) else None)
    except (ValueError, TypeError):
        return f"a {type(value).__name__}"
    if arr.ndim == 0 or arr.size <= 6:
        return repr(value)
    return f"an array of shape {arr.shape} and dtype {arr.dtype}"


def _counter(value: Any, name: str, bits: int) -> np.ndarray:
    """Validate one counter argument and return it as a uint64 array (same shape)."""
    try:
        arr = np.asarray(value)
    except (OverflowError, ValueError):  # e.g. ragged sequences
        arr = np.asarray(value, dtype=object)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "O" and all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
            for v in arr.flat
        ):
            too_big = [v for v in arr.flat if not 0 <= int(v) < 1 << bits]
            if too_big:
                raise ValueError(
                    f"{name} must be an integer in [0, 2**{bits}), got {too_big[0]!r}."
                )
            arr = np.array([int(v) for v in arr.flat], dtype=_U64).reshape(arr.shape)
        else:
            raise ValueError(
                f"{name} must be a non-negative integer (or an integer array) in "
                f"[0, 2**{bits}), got {_describe(value)}; floats and booleans are not "
                f"accepted, convert with int() or .astype(np.int64)."
            )
    if arr.size:
        lo, hi = arr.min(), arr.max()
        if lo < 0 or hi >= 1 << bits:
            bad = lo if lo < 0 else hi
            raise ValueError(
                f"{name} must be an integer in [0, 2**{bits}), got {int(bad)}"
                + ("" if arr.ndim == 0 else f" in {_describe(value)}")
                + "."
            )
    return arr.astype(_U64, copy=False)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (returns a new array)."""
    z = z ^ (z >> _U64(30))
    z *= _U64(M1)
    z ^= z >> _U64(27)
    z *= _U64(M2)
    z ^= z >> _U64(31)
    return z


def _key(seed: np.ndarray, step: np.ndarray, stream: np.ndarray, kind: int) -> np.ndarray:
    k = _mix(seed + _U64(GAMMA))
    k = _mix(k ^ ((stream | _U64(kind << 32)) * _U64(K_STREAM)))
    return _mix(k ^ (step * _U64(K_STEP)))


def _bits(key: np.ndarray, element: np.ndarray, sub: int) -> np.ndarray:
    return _mix(key ^ ((element | _U64(sub << 32)) * _U64(K_ELEM)))


def _horner(coef: tuple[float, ...], w: np.ndarray) -> np.ndarray:
    """Horner's scheme, in exactly the order the module docstring specifies."""
    p = np.full_like(w, coef[-1])
    for c in reversed(coef[:-1]):
        p *= w  # in place; each operation is still rounded on its own (no FMA)
        p += c
    return p


def _uniform_kernel(key: np.ndarray, element: np.ndarray) -> np.ndarray:
    h = _bits(key, element, 0)
    return (h >> _U64(11)).astype(np.float64) * TWO_M53


def _normal_kernel(key: np.ndarray, element: np.ndarray) -> np.ndarray:
    h1 = _bits(key, element, 0)
    h2 = _bits(key, element, 1)

    # radius sqrt(-2 log u1), u1 = a * 2**-53 in (0, 1]
    a = ((h1 >> _U64(11)) + _U64(1)).astype(np.float64)
    m, ex = np.frexp(a)
    small = m < SQRT_HALF
    m = np.where(small, m * 2.0, m)
    ex = ex.astype(np.int64) - small - 53
    s = (m - 1.0) / (m + 1.0)
    p = _horner(LOG_COEF, s * s)
    log_u1 = ex.astype(np.float64) * LN2 + (2.0 * s) * p
    r = np.sqrt(-2.0 * log_u1)

    # cos(2 pi u2), u2 = b * 2**-53, exact reduction to [-pi/4, pi/4]
    b = h2 >> _U64(11)
    n = (b + _U64(1 << 50)) >> _U64(51)
    d = b.astype(np.int64) - (n << _U64(51)).astype(np.int64)
    x = d.astype(np.float64) * PIO2_2M51
    w = x * x
    cx = _horner(COS_COEF, w)
    sx = x * _horner(SIN_COEF, w)
    quad = n & _U64(3)
    c = np.where(quad & _U64(1), sx, cx)
    c = np.where((quad == 1) | (quad == 2), -c, c)
    return r * c


_CHUNK = 1 << 14  # elements per block: keeps the temporaries in cache and memory bounded
_ITER_FLAGS = ["external_loop", "buffered", "zerosize_ok"]


def _generate(kernel, kind: int, seed, step, element, stream):
    """Validate, broadcast and evaluate ``kernel(key, element)`` block by block."""
    s = _counter(seed, "seed", SEED_BITS)
    t = _counter(step, "step", STEP_BITS)
    e = _counter(element, "element", ELEMENT_BITS)
    q = _counter(stream, "stream", STREAM_BITS)
    out = np.empty(np.broadcast_shapes(s.shape, t.shape, e.shape, q.shape), np.float64)
    with np.errstate(over="ignore"):
        if s.size == t.size == q.size == 1:  # the usual case: one key for all elements
            key = _key(s.reshape(1), t.reshape(1), q.reshape(1), kind)
            it = np.nditer([e, out], _ITER_FLAGS, [["readonly"], ["writeonly"]], buffersize=_CHUNK)
            with it:
                for e_blk, o_blk in it:
                    o_blk[...] = kernel(key, e_blk)
        else:
            it = np.nditer(
                [s, t, q, e, out],
                _ITER_FLAGS,
                [["readonly"]] * 4 + [["writeonly"]],
                buffersize=_CHUNK,
            )
            with it:
                for s_blk, t_blk, q_blk, e_blk, o_blk in it:
                    o_blk[...] = kernel(_key(s_blk, t_blk, q_blk, kind), e_blk)
    return out[()] if out.ndim == 0 else out


def uniform(seed, step, element, stream):
    """Uniform draws in ``[0, 1)``, one per combination of counters.

    Parameters
    ----------
    seed : int or array_like of int
        Simulation seed in ``[0, 2**63)`` (see :func:`derive_seed`).
    step : int or array_like of int
        Step counter in ``[0, 2**63)``.
    element : int or array_like of int
        Element (neuron, synapse...) index in ``[0, 2**32)``.
    stream : int or array_like of int
        Stream (random variable) number in ``[0, 2**32)``.

    Returns
    -------
    numpy.ndarray or numpy.float64
        float64 multiples of ``2**-53`` in ``[0, 1)``, with the broadcast shape of the
        arguments; a :class:`numpy.float64` scalar when all arguments are scalars.

    Raises
    ------
    ValueError
        If an argument is not integer-valued or is out of its range; the message names it.

    See Also
    --------
    normal : standard normal draws from the same counters.
    spikeloom.backends.numba._rng.rng_uniform : the bit-identical scalar Numba version.

    Examples
    --------
    >>> u = uniform(1, 0, np.arange(4), 0)
    >>> u.shape, bool(((0 <= u) & (u < 1)).all())
    ((4,), True)
    >>> float(uniform(1, 0, 2, 0)) == float(u[2])
    True
    """
    return _generate(_uniform_kernel, KIND_UNIFORM, seed, step, element, stream)


def normal(seed, step, element, stream):
    """Standard normal draws (Box--Muller), one per combination of counters.

    Independent of :func:`uniform` with the same counters (a different ``kind`` enters
    the key). See the module docstring for the exact algorithm.

    Parameters
    ----------
    seed : int or array_like of int
        Simulation seed in ``[0, 2**63)`` (see :func:`derive_seed`).
    step : int or array_like of int
        Step counter in ``[0, 2**63)``.
    element : int or array_like of int
        Element (neuron, synapse...) index in ``[0, 2**32)``.
    stream : int or array_like of int
        Stream (random variable) number in ``[0, 2**32)``.

    Returns
    -------
    numpy.ndarray or numpy.float64
        float64 N(0, 1) draws with the broadcast shape of the arguments; a
        :class:`numpy.float64` scalar when all arguments are scalars. ``|z| < 8.6``
        always (the smallest ``u1`` is ``2**-53``).

    Raises
    ------
    ValueError
        If an argument is not integer-valued or is out of its range; the message names it.

    See Also
    --------
    uniform : uniform draws from the same counters.
    spikeloom.backends.numba._rng.rng_normal : the bit-identical scalar Numba version.

    Examples
    --------
    >>> z = normal(7, 3, np.arange(1000), 1)
    >>> abs(float(z.mean())) < 0.2
    True
    """
    return _generate(_normal_kernel, KIND_NORMAL, seed, step, element, stream)
