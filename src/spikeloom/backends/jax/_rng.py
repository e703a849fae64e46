"""JAX version of :mod:`spikeloom.rng`, bit-identical to the NumPy reference and to Numba.

The algorithm and constants are specified in :mod:`spikeloom.rng`. Integer operations are
exact in XLA; the float part of the normal draw needs its products kept out of fused
multiply-adds (:func:`spikeloom.backends.jax._arith.unfused`), hence the ``zero`` argument.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ... import rng as _ref
from ._arith import unfused

__all__ = ["rng_normal", "rng_uniform"]

_U = jnp.uint64


def _mix(z):
    z = z ^ (z >> _U(30))
    z = z * _U(_ref.M1)
    z = z ^ (z >> _U(27))
    z = z * _U(_ref.M2)
    return z ^ (z >> _U(31))


def _key(seed, step, stream: int, kind: int):
    k = _mix(jnp.asarray(seed).astype(_U) + _U(_ref.GAMMA))
    k = _mix(k ^ (_U(stream | (kind << 32)) * _U(_ref.K_STREAM)))
    return _mix(k ^ (jnp.asarray(step).astype(_U) * _U(_ref.K_STEP)))


def _bits(key, element, sub: int):
    return _mix(key ^ ((jnp.asarray(element).astype(_U) | _U(sub << 32)) * _U(_ref.K_ELEM)))


def _horner(coef, w, zero):
    p = jnp.full_like(w, coef[-1])
    for c in reversed(coef[:-1]):
        p = unfused(p * w, zero) + c
    return p


def rng_uniform(seed, step, element, stream: int, zero):
    """Uniform draws in ``[0, 1)`` for each ``element`` (float64, multiples of 2**-53).

    Parameters
    ----------
    seed, step : int scalars (traced)
    element : int array
        Element indices (neurons or synapses).
    stream : int
        Which random variable (static).
    zero : uint64 scalar
        A run-time zero (see :func:`~spikeloom.backends.jax._arith.unfused`).
    """
    h = _bits(_key(seed, step, stream, _ref.KIND_UNIFORM), element, 0)
    return unfused((h >> _U(11)).astype(jnp.float64) * _ref.TWO_M53, zero)


def rng_normal(seed, step, element, stream: int, zero):
    """Standard normal draws for each ``element`` (Box--Muller as in :mod:`spikeloom.rng`)."""
    k = _key(seed, step, stream, _ref.KIND_NORMAL)
    h1 = _bits(k, element, 0)
    h2 = _bits(k, element, 1)

    # frexp of the integer a, exactly: shift left by its leading zeros, scale by 2**-64
    a = (h1 >> _U(11)) + _U(1)
    lz = lax.clz(a)
    m = unfused((a << lz).astype(jnp.float64) * 2.0**-64, zero)
    ex = jnp.int64(64) - lz.astype(jnp.int64)
    small = m < _ref.SQRT_HALF
    m = jnp.where(small, unfused(m * 2.0, zero), m)
    ex = ex - small.astype(jnp.int64) - 53
    s = (m - 1.0) / (m + 1.0)
    p = _horner(_ref.LOG_COEF, unfused(s * s, zero), zero)
    log_u1 = (unfused(ex.astype(jnp.float64) * _ref.LN2, zero)
              + unfused(unfused(2.0 * s, zero) * p, zero))
    r = jnp.sqrt(unfused(-2.0 * log_u1, zero))

    b = h2 >> _U(11)
    n = (b + _U(1 << 50)) >> _U(51)
    d = b.astype(jnp.int64) - (n << _U(51)).astype(jnp.int64)
    x = unfused(d.astype(jnp.float64) * _ref.PIO2_2M51, zero)
    w = unfused(x * x, zero)
    cx = _horner(_ref.COS_COEF, w, zero)
    sx = unfused(x * _horner(_ref.SIN_COEF, w, zero), zero)
    quad = n & _U(3)
    c = jnp.where((quad & _U(1)) != 0, sx, cx)
    c = jnp.where((quad == 1) | (quad == 2), -c, c)
    return unfused(r * c, zero)
