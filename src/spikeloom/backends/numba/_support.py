"""Small nopython helpers the generated loop calls (inlined by Numba)."""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic


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


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to start loading ``array[index]`` into its caches; returns nothing.

    A hint only (x86 ``prefetcht0``): it never faults, not even for an index past the end,
    and changes no value. The delivery loops issue it for rows a few spikes ahead, whose
    addresses the CPU cannot guess (see ``NumbaRenderer._prefetch_rows``).
    """
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]],
                                           wraparound=False, boundscheck=False)
        byte_pointer = llvm_ir.IntType(8).as_pointer()
        int32 = llvm_ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, llvm_ir.FunctionType(llvm_ir.VoidType(),
                                                 [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0i8")
        # read (0), keep in every cache level (3), data cache (1)
        builder.call(hint, [builder.bitcast(pointer, byte_pointer), int32(0), int32(3),
                            int32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


#: most cache lines of a row that ``_prefetch_row`` asks for (the hardware's own prefetcher
#: follows a longer row)
PREFETCH_LINES = 16


@njit(cache=True, nogil=True, no_cpython_wrapper=True)
def _prefetch_row(array, first, end):
    """Prefetch ``array[first:end]``, at most :data:`PREFETCH_LINES` cache lines of it.

    A function of its own, compiled (and cached) once per array type for every pathway
    and network, rather than a loop written into each delivery loop.
    """
    per_line = max(1, 64 // array.itemsize)
    for q in range(first, min(end, first + PREFETCH_LINES * per_line), per_line):
        _prefetch(array, q)


@njit(cache=True, nogil=True, no_cpython_wrapper=True)
def _first_nonfinite(arrays):
    """The first NaN or infinity in a tuple of 1-D float arrays of one dtype: ``(position
    in the tuple, index)``, or ``(-1, -1)`` if every element is finite.

    One function, called once per check for all the arrays of a run, rather than loops
    written into the run loop once per checked array: with many groups those loops were
    most of the loop function, and LLVM's scalar replacement (SROA) on it grew with the
    square of their number (8 groups of Hodgkin-Huxley neurons: 33 s to compile, 8.6 s
    with this function; each call site of a function adds an error exit of its own, so a
    call per array was not enough: 20.6 s). docs/backends.md, "Known limits".

    Each array is first tested on its bits (a NaN or an infinity has every exponent bit
    set): an OR over integers vectorises, about 0.13 ns per element against 0.43 for a loop
    of ``isfinite`` with an exit, which then runs only to find the first bad element.
    """
    for position in range(len(arrays)):
        values = arrays[position]
        if values.itemsize == 8:
            bad = _exponent_full(values.view(np.uint64), np.uint64(0x7FF0000000000000))
        else:
            bad = _exponent_full(values.view(np.uint32), np.uint32(0x7F800000))
        if bad:
            for k in range(values.shape[0]):
                if not math.isfinite(values[k]):
                    return position, k
    return -1, -1


@njit(cache=True, nogil=True, inline="always")
def _exponent_full(bits, mask):
    """True if any element of ``bits`` has every bit of ``mask`` set."""
    bad = False
    for k in range(bits.shape[0]):
        bad |= (bits[k] & mask) == mask
    return bad


@njit(cache=True, nogil=True, no_cpython_wrapper=True)
def _larger1(values, rows):
    """A zeroed 1-D array of ``rows`` (>= ``len(values)``) elements of ``values``' dtype
    that begins with a copy of ``values``: a monitor's or queue's buffer, grown.

    A function of its own rather than code written at each growing buffer of the run loop:
    every allocation there adds an error exit to that function, and with a monitor per group
    LLVM's work on it grew with the square of the number of groups.
    """
    grown = np.zeros(rows, values.dtype)
    for i in range(values.shape[0]):
        grown[i] = values[i]
    return grown


@njit(cache=True, nogil=True, no_cpython_wrapper=True)
def _larger2(values, rows, cols):
    """As :func:`_larger1`, for a 2-D array grown to ``rows`` x ``cols`` (each at least
    ``values``' own)."""
    grown = np.zeros((rows, cols), values.dtype)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            grown[i, j] = values[i, j]
    return grown
