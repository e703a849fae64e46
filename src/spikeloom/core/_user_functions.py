"""The Python side of user functions (:class:`~spikeloom.core.functions.Function`).

A user function reaches a compiled loop as a plain Python function that takes and returns SI
values without units (Brian2's ``discard_units=True``): every quantity it reads from its
module's globals, its closure or its defaults is replaced by its SI value, and helper
functions of the user's own code that it calls are rebound the same way. Each backend
compiles that function its own way (Numba: ``njit``; JAX: traced with ``jax.numpy``).

A compiled loop is cached on disk by the hash of its source text, and Numba freezes the
globals a function reads into its machine code; so the source names each function by a
:func:`fingerprint` of its code *and* of the values it reads: two functions of the same
name, or one function whose global constant changed, never share a compiled loop.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..units import Quantity, get_dim, si_value

#: modules whose functions are library code: called as they are, never rebound
LIBRARY_MODULES = ("numpy", "math", "scipy", "jax", "numba", "spikeloom", "brian2",
                   "builtins", "cmath", "_operator", "operator")


@dataclass(frozen=True)
class UserCode:
    """A user function as one run compiles it.

    Parameters
    ----------
    key : str
        :func:`fingerprint` of the function (24 hex digits).
    name : str
        The function's name (for messages).
    body : callable
        The Python implementation, with units (rebind it with :func:`unitless`).
    arg_types : tuple of str
        Brian2's argument types ('float', 'integer', 'boolean' or 'any').
    return_type : str
        'float', 'integer' or 'boolean'.
    """

    key: str
    name: str
    body: Callable
    arg_types: tuple[str, ...]
    return_type: str

    @property
    def n_args(self) -> int:
        return len(self.arg_types)


#: fingerprint → the user function compiled under it (filled while lowering a run; the
#: generated loops look their functions up here when their module is executed)
REGISTRY: dict[str, UserCode] = {}


def register(code: UserCode) -> None:
    REGISTRY[code.key] = code


def lookup(key: str) -> UserCode:
    """The registered function ``key`` (a loop names only functions its run registered)."""
    return REGISTRY[key]


# -- the implementation's body ---------------------------------------------------------------
def unwrap(func: Callable) -> Callable:
    """The function inside ``check_units``/``declare_types`` wrappers (Brian2's ``_orig_func``,
    or ``functools.wraps``' ``__wrapped__``)."""
    seen = set()
    while id(func) not in seen:
        seen.add(id(func))
        inner = getattr(func, "_orig_func", None) or getattr(func, "__wrapped__", None)
        if inner is None:
            break
        func = inner
    return func


def as_python_function(func: Callable, n_args: int) -> types.FunctionType:
    """``func`` itself if it is a Python function, else a Python function of ``n_args``
    arguments that calls it (a NumPy ufunc, a builtin: what Numba and JAX can trace)."""
    if isinstance(func, types.FunctionType):
        return func
    names = ", ".join(f"_a{k}" for k in range(n_args))
    namespace = {"_f": func}
    exec(f"def {_identifier(func)}({names}):\n    return _f({names})\n", namespace)
    return namespace[_identifier(func)]


def _identifier(func) -> str:
    name = getattr(func, "__name__", "function")
    return name if name.isidentifier() else "function"


def has_body(func: Callable | None) -> bool:
    """Whether ``func`` computes something: False for None and for a stub whose body is only
    a docstring, ``pass``, ``...`` or a ``raise`` (a function given for its C++ code)."""
    if func is None:
        return False
    try:
        source = textwrap.dedent(inspect.getsource(unwrap(func)))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):  # no source (a builtin, exec'd code): assume so
        return True
    definition = next((n for n in ast.walk(tree)
                       if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)),
                      None)
    if definition is None or isinstance(definition, ast.Lambda):
        return True
    return not all(_is_stub_statement(s) for s in definition.body)


def _is_stub_statement(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass | ast.Raise):
        return True
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and (statement.value.value is Ellipsis or isinstance(statement.value.value, str))


# -- rebinding without units -------------------------------------------------------------------
def referenced_names(code: types.CodeType) -> set[str]:
    """Global names ``code`` (and the functions defined inside it) may read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= referenced_names(const)
    return names


def is_user_function(value) -> bool:
    """A Python function of the user's code (not of a library), rebound like the function
    that calls it."""
    module = getattr(value, "__module__", None) or ""
    return isinstance(value, types.FunctionType) and \
        module.split(".")[0] not in LIBRARY_MODULES


def unitless(func: types.FunctionType, wrap: Callable = lambda f: f,
             replace: Callable = lambda value: value) -> types.FunctionType:
    """``func`` rebound to read SI values without units.

    Parameters
    ----------
    func : function
        A Python function.
    wrap : callable
        Applied to every rebound helper function it calls (Numba: ``njit``).
    replace : callable
        Applied to every other global or closure value it reads (JAX: NumPy → jax.numpy).

    Returns
    -------
    function
        A new function with the same code whose globals, closure and defaults hold, in
        place of each quantity, its SI value (a float, or an array without units), and in
        place of each helper function of the user's code, that helper rebound the same way.
    """
    return _rebind(func, wrap, replace, {}, top=True)


def _rebind(func, wrap, replace, memo: dict, top: bool = False):
    if id(func) in memo:
        return memo[id(func)][0]
    namespace = dict(func.__globals__)
    cells = tuple(types.CellType() for _ in func.__closure__ or ())
    rebound = types.FunctionType(func.__code__, namespace, func.__name__, None,
                                 cells or None)
    result = rebound if top else wrap(rebound)
    # registered before its globals are converted: a helper may call this function back
    memo[id(func)] = (result, func)

    def convert(value):
        return _without_units(value, wrap, replace, memo)

    for name in referenced_names(func.__code__) & namespace.keys():
        namespace[name] = convert(namespace[name])
    rebound.__defaults__ = tuple(convert(v) for v in func.__defaults__ or ()) or None
    for new, old in zip(cells, func.__closure__ or ()):
        new.cell_contents = convert(_cell_value(old))
    return result


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell (a name assigned after the function was defined)
        return None


def _without_units(value, wrap, replace, memo):
    if isinstance(value, Quantity):
        si = np.asarray(si_value(value), dtype=np.float64)
        return float(si) if si.ndim == 0 else np.array(si)
    from .functions import Function

    if isinstance(value, Function):  # a user function calling another one
        value = as_python_function(value.python_body(), len(value.arg_dims))
        return _rebind(value, wrap, replace, memo)
    if is_user_function(value):
        return _rebind(value, wrap, replace, memo)
    return replace(value)


# -- fingerprints -------------------------------------------------------------------------------
def fingerprint(func: Callable, extra: str = "") -> str:
    """24 hex digits of a SHA-256 over ``func``'s code and every value it reads.

    Covers its name, its bytecode and constants (and those of the functions defined in it),
    its defaults, its closure, and each global it names: numbers, arrays and quantities by
    value, modules and library functions by name, helper functions by their own fingerprint.
    Two functions that could compile differently never share a fingerprint.
    """
    digest = hashlib.sha256(extra.encode())
    _feed_function(digest, func, set())
    return digest.hexdigest()[:24]


def _feed_function(digest, func, seen: set) -> None:
    if id(func) in seen:
        digest.update(b"<recursion>")
        return
    seen.add(id(func))
    if not isinstance(func, types.FunctionType):
        digest.update(_token(func, digest, seen))
        return
    digest.update(f"{func.__module__}.{func.__qualname__}".encode())
    _feed_code(digest, func.__code__)
    for value in func.__defaults__ or ():
        digest.update(_token(value, digest, seen))
    for cell in func.__closure__ or ():
        digest.update(_token(_cell_value(cell), digest, seen))
    for name in sorted(referenced_names(func.__code__)):
        if name in func.__globals__:
            digest.update(name.encode() + _token(func.__globals__[name], digest, seen))


def _feed_code(digest, code: types.CodeType) -> None:
    digest.update(code.co_code)
    digest.update(repr((code.co_argcount, code.co_names, code.co_varnames,
                        code.co_freevars)).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(digest, const)
        else:
            digest.update(repr((type(const).__name__, const)).encode())


def _token(value, digest, seen: set) -> bytes:
    """What ``value`` contributes to a fingerprint (nested functions are fed to ``digest``)."""
    from .functions import Function

    if isinstance(value, Quantity):
        array = np.ascontiguousarray(si_value(value), dtype=np.float64)
        return b"Q" + str(get_dim(value)).encode() + array.tobytes() + str(array.shape).encode()
    if isinstance(value, np.ndarray | np.generic):
        array = np.ascontiguousarray(value)
        return f"A{array.dtype}{array.shape}".encode() + array.tobytes()
    if isinstance(value, bool | int | float | complex | str | bytes | type(None)):
        return repr((type(value).__name__, value)).encode()
    if isinstance(value, tuple | list):
        return b"(" + b",".join(_token(v, digest, seen) for v in value) + b")"
    if isinstance(value, types.ModuleType):
        return b"M" + value.__name__.encode()
    if isinstance(value, Function):
        _feed_function(digest, value.python_body(), seen)
        return b"F"
    if is_user_function(value):
        _feed_function(digest, value, seen)
        return b"U"
    py_func = getattr(value, "py_func", None)  # a Numba dispatcher
    if isinstance(py_func, types.FunctionType):
        _feed_function(digest, py_func, seen)
        return b"N"
    module = getattr(value, "__module__", None) or type(value).__module__
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if name is not None:  # library functions, ufuncs, classes
        return f"L{module}.{name}".encode()
    return f"O{type(value).__module__}.{type(value).__qualname__}:{value!r}".encode()
