"""User functions (Brian2's ``Function``) in the JAX step.

The step calls a user function once per expression with vectors of elements, as Brian2's
numpy target does. Two ways, decided once per function:

1. *Traced*: the function's NumPy calls (``np.exp``, ``exp`` from a star import,
   ``np.clip``...) are rebound to their ``jax.numpy`` counterparts and the function is traced
   with vectors; it then compiles into the step like any expression, on CPU or GPU.
2. *Host callback*: a function that does not trace (Python ``if`` on a value, ``math.exp``,
   a library JAX cannot trace) or that does not return one value per element is called on
   the host through ``jax.pure_callback``, element by element as the Numba loop calls it.
   The numbers are the same, but each call leaves the compiled step: slow, and it serialises
   the device with the host. A warning says so once per function.
"""

from __future__ import annotations

import logging
import types

import numpy as np

from ...core._user_functions import UserCode, lookup, unitless

logger = logging.getLogger("spikeloom.backends.jax")

#: (fingerprint, float dtype) → function of JAX arrays
_READY: dict[tuple[str, str], object] = {}
_PROBE = 3  # elements of the vectors a function is traced with


def user_function(key: str, float_dtype: str = "float64"):
    """The function registered under ``key``, callable with JAX arrays in the step."""
    if (key, float_dtype) not in _READY:
        _READY[key, float_dtype] = _prepare(lookup(key), float_dtype)
    return _READY[key, float_dtype]


def _prepare(code: UserCode, float_dtype: str):
    traced = unitless(code.body, replace=_to_jax_numpy)
    if _traces(traced, code, float_dtype):
        return _broadcasting(traced)
    logger.warning("Function %r does not trace with jax.numpy; the JAX backend calls it on "
                   "the host through jax.pure_callback, one element at a time (slow; write "
                   "it with NumPy functions on arrays, without Python 'if' on values, to "
                   "compile it into the step)", code.name)
    return host_callback(code, float_dtype)


def _to_jax_numpy(value):
    """NumPy (the module, its functions and ufuncs) → jax.numpy; anything else unchanged."""
    import jax.numpy as jnp

    if value is np:
        return jnp
    if isinstance(value, types.ModuleType):
        return value
    name = getattr(value, "__name__", None)
    is_numpy = isinstance(value, np.ufunc) or \
        (getattr(value, "__module__", None) or "").split(".")[0] == "numpy"
    if is_numpy and name and getattr(np, name, None) is value and hasattr(jnp, name):
        return getattr(jnp, name)
    return value


def _argument_dtypes(code: UserCode, float_dtype: str) -> list:
    return [{"float": float_dtype, "integer": "int64", "boolean": "bool"}[t]
            for t in code.arg_types]


def _traces(func, code: UserCode, float_dtype: str) -> bool:
    """Whether ``func`` traces with vectors and returns one value per element."""
    import jax

    probes = [jax.ShapeDtypeStruct((_PROBE,), np.dtype(d))
              for d in _argument_dtypes(code, float_dtype)]
    try:
        out = jax.eval_shape(func, *probes)
    except Exception:  # any failure to trace means: call it on the host
        return False
    shape = getattr(out, "shape", None)
    return shape == ((_PROBE,) if probes else ())


def _broadcasting(func):
    """``func`` whose result has the shape of its broadcast arguments (a function of
    shared values, called with scalars, returns a scalar)."""
    import jax.numpy as jnp

    def call(*args):
        shape = jnp.broadcast_shapes(*(jnp.shape(a) for a in args))
        return jnp.broadcast_to(func(*(jnp.broadcast_to(a, shape) for a in args)), shape)

    return call


def host_callback(code: UserCode, float_dtype: str):
    """``code``'s function called on the host, element by element, from the step."""
    import jax
    import jax.numpy as jnp

    result_dtype = np.dtype({"float": float_dtype, "integer": "int64",
                             "boolean": "bool"}[code.return_type])
    element = np.vectorize(unitless(code.body), otypes=[result_dtype])

    def on_host(*args):
        return np.asarray(element(*args), dtype=result_dtype)

    def call(*args):
        shape = jnp.broadcast_shapes(*(jnp.shape(a) for a in args))
        return jax.pure_callback(on_host, jax.ShapeDtypeStruct(shape, result_dtype),
                                 *(jnp.broadcast_to(a, shape) for a in args),
                                 vmap_method="sequential")

    return call
