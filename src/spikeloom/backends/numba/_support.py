"""Small nopython helpers the generated loop calls (inlined by Numba)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _timestep(t, dt):
    # Brian2's rounding: a time a hair below a step boundary still counts as that step.
    return np.int64((t + 1e-3 * dt) / dt)


@njit(cache=True, inline="always")
def _clip(x, low, high):
    return min(max(x, low), high)


@njit(cache=True, inline="always")
def _exprel(x):
    if abs(x) < 1e-16:
        return 1.0
    return math.expm1(x) / x


@njit(cache=True, inline="always")
def _ta_index(t, dt, K, n):
    # Brian2's TimedArray indexing: round t on a grid K times finer than the array's dt,
    # then take the array step, clipped to the stored range.
    epsilon = dt / K
    k = np.int64((t / epsilon + 0.5) / K)
    if k < 0:
        return 0
    if k >= n:
        return n - 1
    return k


@njit(cache=True, inline="always")
def _ta1(values, t, dt, K):
    return values[_ta_index(t, dt, K, values.shape[0])]


@njit(cache=True, inline="always")
def _ta2(values, t, i, dt, K):
    return values[_ta_index(t, dt, K, values.shape[0]), i]
