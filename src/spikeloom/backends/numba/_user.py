"""User functions (Brian2's ``Function``) compiled with Numba for the run loop.

A generated loop module binds each function it calls with ``user_function(key)``; the loop
then calls it once per element, as Brian2's C++ code does. The function is compiled in
nopython mode for scalar arguments. A function written for arrays, as Brian2's numpy target
calls it (``np.clip``, ``np.where`` on its argument), does not compile for scalars; it is
then called with one-element arrays (slower: an allocation per call). A function Numba
cannot compile either way raises :class:`~spikeloom.exceptions.BuildError` naming it.
"""

from __future__ import annotations

import hashlib
import re
import sys
import types as pytypes
from pathlib import Path

import numba
import numpy as np
from numba import types
from numba.core.errors import NumbaError
from numba.extending import overload

from ...core._user_functions import UserCode, fingerprint, lookup, unitless
from ...exceptions import BuildError

#: fingerprint → compiled function (compiled once per process)
_COMPILED: dict[str, object] = {}
#: this file's hash: how user functions are compiled is part of every loop that calls one
#: (written into its source, hence its cache key)
VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
_SIGNATURE_TYPES = {"float": types.float64, "integer": types.int64, "boolean": types.boolean}


def user_function(key: str):
    """The Numba-compiled function registered under ``key`` (see ``core._user_functions``)."""
    if key not in _COMPILED:
        _COMPILED[key] = compile_function(lookup(key))
    return _COMPILED[key]


def _jit(func):
    _importable(func)
    # NumPy's error model, as the loop: 1/0 is inf, not a ZeroDivisionError
    return numba.njit(error_model="numpy")(func)


def _importable(func) -> None:
    """Make ``func``'s module importable under a name that depends on its code only.

    A cached loop stores, for every function compiled into it, the name of that function's
    module, and Numba imports it when it loads the loop in a new process. A rebound user
    function lives in a private copy of its globals (from a script, a notebook, ``exec``),
    which no import finds; so it gets a module of its own, registered before any loop
    that calls it is loaded.
    """
    name = f"_spikeloom_user_{fingerprint(func)}"
    module = sys.modules.get(name)
    if module is None:
        module = pytypes.ModuleType(name)
        module.__dict__.update(func.__globals__)
        module.__name__ = name
        sys.modules[name] = module
    func.__globals__["__name__"] = name
    func.__module__ = name


def compile_function(code: UserCode):
    """``code``'s function compiled for scalar arguments, else for one-element arrays.

    Raises
    ------
    BuildError
        Numba compiles neither (the function needs Python objects: units, lists, calls
        Numba does not know...).
    """
    scalar = _jit(unitless(code.body, wrap=_jit))
    signature = tuple(_SIGNATURE_TYPES[t] for t in code.arg_types)
    try:
        scalar.compile(signature)
        return scalar
    except Exception as error:  # a typing error, or an internal one on unusual code
        scalar_error = error
    array = _jit(_array_call(scalar, code.n_args))
    try:
        array.compile(signature)
        return array
    except Exception:  # the message is about the scalar attempt: what the user wrote
        pass
    raise BuildError(
        f"Function {code.name!r}: Numba cannot compile its Python implementation in nopython "
        f"mode: {_summary(scalar_error)}. The body of a function called from spikeloom's "
        "loop must use only NumPy/math operations that Numba supports on numbers (no "
        "units, Python objects or unsupported library calls); it receives and returns SI "
        "values without units") from None


def loop_error(plan, error: Exception) -> BuildError | None:
    """A :class:`BuildError` naming ``plan``'s user functions when Numba failed to compile a
    loop that calls them (with argument types other than those checked beforehand, such as
    an integer index); None when the loop calls none."""
    if not plan.functions or not isinstance(error, NumbaError):
        return None
    names = ", ".join(repr(lookup(f.key).name) for f in plan.functions)
    return BuildError(
        f"Numba cannot compile the run loop, which calls the user function(s) {names}: "
        f"{_summary(error)}. A function called from spikeloom's loop must compile in Numba's "
        "nopython mode for the arguments the model passes (floats, integers such as 'i', "
        "booleans), using NumPy/math operations Numba supports")


def _array_call(func, n_args: int):
    """A function of ``n_args`` numbers that calls ``func`` with one-element arrays and
    returns the single value of its result (Brian2's numpy target calls with arrays)."""
    names = [f"_a{k}" for k in range(n_args)]
    arrays = ", ".join(f"np.full(1, {n})" for n in names)
    namespace = {"np": np, "_func": func, "_first": _first}
    exec(f"def array_call({', '.join(names)}):\n    return _first(_func({arrays}))\n",
         namespace)
    return namespace["array_call"]


def _first(result):
    """The single value of ``result`` (an array of one element, or a number)."""
    return result


@overload(_first, inline="always")
def _first_overload(result):
    if isinstance(result, types.Array):
        return lambda result: result.ravel()[0]
    return lambda result: result


def _summary(error: Exception, limit: int = 600) -> str:
    """The lines of a Numba error that say what failed, without its traceback and file
    excerpts."""
    lines = []
    for line in str(error).splitlines():
        text = line.strip()
        if not text or text.startswith(("Failed in nopython", "During:", "File ", "^",
                                        "<source", "raised from")):
            continue
        lines.append(text)
    summary = re.sub(r"\s+", " ", " ".join(lines[:6]))
    return summary if len(summary) <= limit else summary[:limit] + "..."
