"""Small jnp helpers the generated step function calls (the JAX twin of numba/_support.py).

Every helper keeps Numba's semantics exactly, element by element; masked variants take a
boolean ``valid`` that leaves the elements it excludes untouched.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ._arith import unfused


def _timestep(t, dt, zero):
    # Brian2's rounding: a time a hair below a step boundary still counts as that step
    return ((t + unfused(1e-3 * dt, zero)) / dt).astype(jnp.int64)


def _clip(x, low, high):
    return jnp.minimum(jnp.maximum(x, low), high)


def _exprel(x):
    safe = jnp.where(jnp.abs(x) < 1e-16, 1.0, x)
    return jnp.where(jnp.abs(x) < 1e-16, 1.0, jnp.expm1(safe) / safe)


def _int(x):
    return jnp.asarray(x).astype(jnp.int64)


def _ta_index(t, dt, K, n):
    # Brian2's TimedArray indexing (see numba/_support.py)
    epsilon = dt / K
    k = ((t / epsilon + 0.5) / K).astype(jnp.int64)
    return jnp.clip(k, 0, n - 1)


def _ta1(values, t, dt, K):
    return values[_ta_index(t, dt, K, values.shape[0])]


def _ta2(values, t, i, dt, K):
    return values[_ta_index(t, dt, K, values.shape[0]), i]


def _get(array, index):
    """``array[index]`` for an index vector whose masked-out entries may be out of range."""
    return jnp.take(array, index, mode="clip")


def _set_slice(array, start: int, value, valid=None):
    """``array[start:start+n] = value`` (where ``valid``), n = the length of ``valid``."""
    n = valid.shape[0] if valid is not None else jnp.shape(value)[0]
    old = lax.slice_in_dim(array, start, start + n)
    value = jnp.broadcast_to(jnp.asarray(value).astype(array.dtype), old.shape)
    if valid is not None:
        value = jnp.where(valid, value, old)
    return lax.dynamic_update_slice_in_dim(array, value, start, 0)


def _scatter_set(array, index, value, valid):
    """``array[index[k]] = value[k]`` for each ``k`` with ``valid[k]`` (indices distinct)."""
    index = jnp.where(valid, index, array.shape[0])
    value = jnp.broadcast_to(jnp.asarray(value).astype(array.dtype), index.shape)
    return array.at[index].set(value, mode="drop")


def _scatter_add(array, index, delta, valid):
    """``array[index[k]] += delta[k]`` in the order of ``k`` (on the CPU, XLA's scatter
    applies the updates one after the other, so repeated indices add up in that order)."""
    index = jnp.where(valid, index, array.shape[0])
    delta = jnp.broadcast_to(jnp.asarray(delta).astype(array.dtype), index.shape)
    return array.at[index].add(delta, mode="drop")


def _prefix(mask):
    """Inclusive running count of the true entries of ``mask`` (int32; a CUB scan on GPUs)."""
    return jnp.cumsum(mask, dtype=jnp.int32)


def _compact(mask, size: int, prefix=None):
    """Positions of the true entries of ``mask`` in order, padded to ``size`` with 0, and
    how many there are (which may exceed ``size``: the caller checks).

    Each true entry goes to the slot its running count names: one scan and one scatter to
    distinct slots (``jnp.nonzero`` counts with a scatter-add whose updates all collide on
    a few bins, slow on GPUs).
    """
    n = mask.shape[0]
    if n == 0:
        return jnp.zeros(size, jnp.int32), jnp.int32(0)
    if prefix is None:
        prefix = _prefix(mask)
    slot = jnp.where(mask, prefix - 1, size)
    positions = jnp.zeros(size, jnp.int32).at[slot].set(
        jnp.arange(n, dtype=jnp.int32), mode="drop", unique_indices=True)
    return positions, prefix[-1]
