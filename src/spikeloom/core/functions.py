"""Brian2's ``brian2.core.functions``: user functions callable from model code, and ``timestep``.

A :class:`Function` wraps a Python function so that equations, thresholds, resets, synaptic
statements and string assignments (``G.v = 'f(i)'``) can call it, as in Brian2::

    @implementation('numpy', discard_units=True)
    @check_units(I=amp, result=Hz)
    def rate(I):
        return clip((I - 1*nA) * 50*Hz/nA, 0*Hz, 100*Hz)

    G = NeuronGroup(10, 'dv/dt = -v/tau + rate(I)*mV : volt ...')

The units of the arguments are checked where the model is analysed, as Brian2 checks them.
Inside a run the function takes and returns SI values without units (Brian2's
``discard_units=True``; quantities it reads, such as ``nA`` above, are their SI values), and
it is compiled into the loop: by Numba (``njit``, called for each element) or, on the JAX
backend, traced with ``jax.numpy`` (else called on the host through ``jax.pure_callback``,
which is slow). C++ or Cython code alone cannot run: spikeloom needs the Python/NumPy
implementation.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Mapping

import numpy as np

from ..equations import BOOLEAN, ExternalFunction
from ..units import DIMENSIONLESS, get_dim
from ..units import timestep as timestep
from . import _user_functions as _uf

BRIAN_DTYPES = ["boolean", "integer", "float"]
VALID_ARG_TYPES = BRIAN_DTYPES + ["any"]
VALID_RETURN_TYPES = BRIAN_DTYPES + ["highest"]
#: code generation targets whose code spikeloom cannot run (it compiles Python with Numba)
_FOREIGN_TARGETS = ("cpp", "cython", "weave", "cuda", "genn")


class Function:
    """A function that model code can call (Brian2's ``Function``).

    Parameters
    ----------
    pyfunc : callable
        The Python function. Unless ``arg_units`` and ``return_unit`` are given, it must
        carry them from :func:`~spikeloom.check_units` (``@check_units(x=volt, result=1)``).
    sympy_func : optional
        Accepted for Brian2's signature; not used.
    arg_units : list, optional
        Unit of each argument: a unit, ``1`` (dimensionless), ``bool``, or None (any unit).
    arg_names : list of str, optional
        The arguments' names (Brian2 needs them when a unit names another argument).
    return_unit : unit, ``1`` or ``bool``, optional
        Unit of the result (``bool``: the function is a condition).
    arg_types : list of str, optional
        'float', 'integer', 'boolean' or 'any' (default) per argument.
    return_type : str, optional
        'float' (default), 'integer' or 'boolean'.
    stateless : bool
        Whether the function always returns the same value for the same arguments. spikeloom
        compiles stateless functions only (a stateful one is refused when model code calls
        it: use ``rand()``/``randn()`` for random numbers).
    auto_vectorise : bool
        Brian2's extra vectorisation argument (for random-number functions); refused as
        stateful functions are.

    Examples
    --------
    >>> from spikeloom import check_units, mV
    >>> @check_units(v=mV, result=1)
    ... def half(v):
    ...     return v / (2 * mV)
    >>> f = Function(half)
    >>> float(f(4 * mV))
    2.0
    """

    def __init__(self, pyfunc, sympy_func=None, arg_units=None, arg_names=None,
                 return_unit=None, arg_types=None, return_type=None, stateless=True,
                 auto_vectorise=False) -> None:
        self.pyfunc = pyfunc
        self.sympy_func = sympy_func
        self.stateless = stateless
        self.auto_vectorise = auto_vectorise
        self._arg_names = arg_names if arg_names is not None else \
            getattr(pyfunc, "_arg_names", None)
        self._arg_units = _declared(pyfunc, arg_units, "_arg_units", "arg_units", "the units "
                                    "of all of its arguments")
        self._return_unit = _declared(pyfunc, return_unit, "_return_unit", "return_unit",
                                      "the unit of its return value")
        self._returns_bool = self._return_unit is bool
        self._arg_types = list(arg_types if arg_types is not None else
                               getattr(pyfunc, "_arg_types", ["any"] * len(self._arg_units)))
        self._return_type = return_type if return_type is not None else \
            getattr(pyfunc, "_return_type", "boolean" if self._returns_bool else "float")
        _check_types(self)
        #: target name → implementation (Brian2's ``FunctionImplementationContainer``)
        self.implementations = FunctionImplementationContainer(self)

    @property
    def name(self) -> str:
        return getattr(self.pyfunc, "__name__", None) or "function"

    def __call__(self, *args):
        """Call the Python function with quantities, as Brian2's ``Function`` does."""
        return self.pyfunc(*args)

    def is_locally_constant(self, dt) -> bool:
        """Brian2's hook for functions constant over a time step: never, for a user function."""
        return False

    # -- model analysis ------------------------------------------------------------------------
    @property
    def arg_dims(self) -> tuple:
        """Required dimension of each argument (:data:`ANY` where any unit goes)."""
        return tuple(_arg_dim(unit) for unit in self._arg_units)

    @property
    def result_dim(self):
        """Dimension of the result, or ``'boolean'`` for a condition."""
        unit = self._return_unit
        if unit is bool:
            return BOOLEAN
        if callable(unit) and not hasattr(unit, "dim"):
            raise NotImplementedError(
                f"Function {self.name!r}: a return unit given as a function of the argument "
                "units is not supported by spikeloom; give the unit of the result")
        return DIMENSIONLESS if _is_one(unit) else get_dim(unit)

    def external(self, name: str) -> ExternalFunction:
        """What unit checking needs to know of a call ``name(...)`` in model code; raises
        NotImplementedError when the function cannot run in spikeloom's loop."""
        self._check_compilable(name)
        return ExternalFunction(name, self.arg_dims, self.result_dim)

    def _check_compilable(self, name: str) -> None:
        if not self.stateless or self.auto_vectorise:
            raise NotImplementedError(
                f"Function {name!r} is stateful (stateless=False or auto_vectorise=True); "
                "spikeloom compiles stateless functions only, so that a run gives the same "
                "numbers on every backend and number of threads. For random numbers, call "
                "rand() or randn() in the model code (e.g. 'v += sigma*randn()')")
        self.python_body()  # raises when only C++/Cython code was given

    # -- the Python implementation -------------------------------------------------------------
    def python_body(self) -> Callable:
        """The Python function the loop compiles, still with units where it reads them.

        The 'numpy' implementation if one was added (Brian2's ``@implementation('numpy')``),
        else the Python function itself (unwrapped from ``check_units``).
        """
        numpy_impl = self.implementations._implementations.get("numpy")
        if numpy_impl is not None and callable(numpy_impl.code):
            return _uf.unwrap(numpy_impl.code)
        if _uf.has_body(self.pyfunc):
            return _uf.unwrap(self.pyfunc)
        targets = sorted(self.implementations) or ["none"]
        raise NotImplementedError(
            f"Function {self.name!r} has no Python/NumPy implementation (implementations: "
            f"{', '.join(targets)}); spikeloom compiles the run loop with Numba, from Python: "
            "give the function a Python body that computes the same result with NumPy/math "
            "operations (e.g. @implementation('numpy', discard_units=True) on a Python "
            "function), as Brian2's numpy target needs too")

    def user_code(self) -> _uf.UserCode:
        """This function as a run compiles it now (its fingerprint covers the values of the
        globals it reads, so a changed constant is compiled anew), registered for the
        backends."""
        body = _uf.as_python_function(self.python_body(), len(self._arg_units))
        types = tuple(_numeric_type(t) for t in self._arg_types)
        result = self._result_type()
        key = _uf.fingerprint(body, extra=f"{types}{result}")
        code = _uf.UserCode(key, self.name, body, types, result)
        _uf.register(code)
        return code

    def _result_type(self) -> str:
        if self._return_type == "highest":
            order = ("boolean", "integer", "float")
            return max((_numeric_type(t) for t in self._arg_types), key=order.index,
                       default="float")
        return self._return_type

    def _evaluate_si(self, *args):
        """Values for SI arguments without units, on the Python side (``G.v = 'f(i)'``)."""
        code = self.user_code()
        body = _uf.unitless(code.body)
        dtype = {"float": np.float64, "integer": np.int64, "boolean": np.bool_}[
            code.return_type]
        try:  # Brian2's numpy target calls the function with whole arrays
            result = np.asarray(body(*args), dtype=dtype)
            shape = np.broadcast_shapes(*(np.shape(a) for a in args))
            return np.broadcast_to(result, shape).copy()
        except Exception:  # a function of one value (``if x > 0``): element by element
            return np.vectorize(body, otypes=[dtype])(*args)


#: plain Python functions with units (``@check_units``) → the Function wrapping them
_WRAPPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def as_function(value) -> Function | None:
    """``value`` as a :class:`Function` if model code can call it, else None.

    A Function is itself; a plain Python function that declares its units with
    ``@check_units`` (including ``result=``) is wrapped, as Brian2 wraps it, once. Brian2
    marks such a function stateful; spikeloom takes it as stateless (the same numbers for
    the same arguments), which is what a function of units computes.
    """
    if isinstance(value, Function):
        return value
    if not (inspect.isfunction(value) and hasattr(value, "_arg_units")
            and hasattr(value, "_return_unit")):
        return None
    if value not in _WRAPPED:
        _WRAPPED[value] = Function(value, arg_units=value._arg_units,
                                   arg_names=getattr(value, "_arg_names", None),
                                   return_unit=value._return_unit,
                                   stateless=getattr(value, "stateless", True))
    return _WRAPPED[value]


def _declared(pyfunc, given, attribute: str, keyword: str, what: str):
    """``given``, else what ``check_units`` recorded on ``pyfunc``, else Brian2's error."""
    if given is not None:
        return list(given) if keyword == "arg_units" else given
    name = getattr(pyfunc, "__name__", repr(pyfunc))
    if not hasattr(pyfunc, attribute):
        raise ValueError(f"The Python function '{name}' does not specify how it deals with "
                         f"units, need to specify '{keyword}' or use the '@check_units' "
                         "decorator.")
    value = getattr(pyfunc, attribute)
    if value is None:
        raise ValueError(f"The Python function '{name}' does not specify {what}.")
    return list(value) if keyword == "arg_units" else value


def _check_types(function: Function) -> None:
    if len(function._arg_types) != len(function._arg_units):
        raise ValueError(f"Function {function.name!r}: {len(function._arg_types)} argument "
                         f"types for {len(function._arg_units)} arguments")
    for arg_type, unit in zip(function._arg_types, function._arg_units):
        if arg_type not in VALID_ARG_TYPES:
            raise ValueError(f"Argument type {arg_type} is not valid, must be one of "
                             f"{VALID_ARG_TYPES}, in function '{function.name}'.")
        if arg_type not in ("float", "any") and _arg_dim(unit) not in (DIMENSIONLESS, ANY):
            raise TypeError(f"Non-float arguments must be dimensionless in function "
                            f"{function.name}")
    if function._return_type not in VALID_RETURN_TYPES:
        raise ValueError(f"Return type {function._return_type} is not valid, must be one of "
                         f"{VALID_RETURN_TYPES}, in function '{function.name}'")


def _numeric_type(arg_type: str) -> str:
    return "float" if arg_type == "any" else arg_type


class _AnyDimension(type(DIMENSIONLESS)):
    """An argument of any unit (Brian2's None in ``arg_units``): compares equal to every
    dimension, so the unit check accepts whatever the call passes."""

    def __eq__(self, other) -> bool:
        return True

    def __ne__(self, other) -> bool:
        return False

    __hash__ = type(DIMENSIONLESS).__hash__

    def __str__(self) -> str:
        return "any unit"


#: marker of an argument that takes any unit (an instance made without interning: it is
#: never a real dimension)
ANY = object.__new__(_AnyDimension)
ANY._dims = (float("nan"),) * 7


def _arg_dim(unit):
    if unit is None or isinstance(unit, str):  # any unit; a unit named after another argument
        return ANY
    if unit is bool or _is_one(unit):
        return DIMENSIONLESS
    return get_dim(unit)


def _is_one(unit) -> bool:
    """Whether ``unit`` is Brian2's plain ``1`` for "dimensionless" (not a quantity)."""
    return isinstance(unit, int | float) and not isinstance(unit, bool) and unit == 1


# -- implementations -------------------------------------------------------------------------------
class FunctionImplementation:
    """One target's implementation of a :class:`Function` (Brian2's container object).

    Parameters
    ----------
    name : str, optional
        Name of the function in the target language.
    code : callable or str, optional
        A Python function for 'numpy'; code text for other targets (kept, not run).
    """

    def __init__(self, name=None, code=None, namespace=None, dependencies=None,
                 availability_check=None, dynamic=False, compiler_kwds=None) -> None:
        self.name = name
        self.code = code
        self.namespace = namespace
        self.dependencies = dependencies or {}
        self.availability_check = availability_check
        self.dynamic = dynamic
        self.compiler_kwds = compiler_kwds or {}

    def get_code(self, owner=None):
        return self.code(owner) if self.dynamic else self.code

    def get_namespace(self, owner=None):
        return self.namespace(owner) if self.dynamic else self.namespace


class FunctionImplementationContainer(Mapping):
    """A :class:`Function`'s implementations by target name ('numpy', 'cpp', 'cython'...)."""

    def __init__(self, function: Function) -> None:
        self._function = function
        self._implementations: dict[str, FunctionImplementation] = {}

    def __getitem__(self, key) -> FunctionImplementation:
        name = getattr(key, "class_name", key)
        if name not in self._implementations:
            raise KeyError(f"No implementation available for target '{name}'. Available "
                           f"implementations: {', '.join(self._implementations)}")
        return self._implementations[name]

    def __iter__(self):
        return iter(self._implementations)

    def __len__(self) -> int:
        return len(self._implementations)

    def add_numpy_implementation(self, wrapped_func, dependencies=None, discard_units=None,
                                 compiler_kwds=None) -> None:
        """The Python function for the 'numpy' target. spikeloom always calls it without
        units (``discard_units=True``): with consistent units, the numbers are the same."""
        self._implementations["numpy"] = FunctionImplementation(
            code=wrapped_func, dependencies=dependencies, compiler_kwds=compiler_kwds)

    def add_implementation(self, target, code, namespace=None, dependencies=None,
                           availability_check=None, name=None, compiler_kwds=None) -> None:
        self._implementations[target] = FunctionImplementation(
            name=name, code=code, namespace=namespace, dependencies=dependencies,
            availability_check=availability_check, compiler_kwds=compiler_kwds)

    def add_dynamic_implementation(self, target, code, namespace=None, dependencies=None,
                                   availability_check=None, name=None,
                                   compiler_kwds=None) -> None:
        if not callable(code):
            raise TypeError(f"code argument has to be a callable, is type {type(code)} "
                            "instead")
        self._implementations[target] = FunctionImplementation(
            name=name, code=code, namespace=namespace, dependencies=dependencies,
            availability_check=availability_check, dynamic=True, compiler_kwds=compiler_kwds)


def implementation(target, code=None, namespace=None, dependencies=None, discard_units=None,
                   name=None, **compiler_kwds):
    """Decorator adding a target's implementation to a function (Brian2's ``implementation``).

    ``@implementation('numpy', discard_units=True)`` (with or without ``discard_units``) on a
    Python function makes it the function's implementation; spikeloom compiles it with
    Numba (or traces it with JAX). Code for other targets (``'cpp'``, ``'cython'``) is kept
    but never run: a function needs its Python body as well.

    Parameters
    ----------
    target : str
        'numpy' (or 'python'), or a target whose code spikeloom keeps but does not run.
    code : callable or str, optional
        For 'numpy', a Python function to use instead of the decorated one.
    namespace : dict, optional
        Names the code of another target uses (kept with it).
    dependencies : dict, optional
        Other functions the implementation calls (Brian2's), kept with it.
    discard_units : bool, optional
        Brian2's option; spikeloom's loop always works without units.
    name : str, optional
        The function's name in the code of another target (kept with it).
    **compiler_kwds
        Compiler options of another target: kept, never used.
    """
    def decorator(func):
        function = func if isinstance(func, Function) else Function(func)
        if target in ("numpy", "python"):
            if discard_units and code is not None:
                raise TypeError("'discard_units' can only be set for code generation target "
                                "'numpy', without providing any code.")
            body = code if callable(code) else func.pyfunc if isinstance(func, Function) \
                else func
            function.implementations.add_numpy_implementation(body, dependencies,
                                                              discard_units, compiler_kwds)
        else:
            if discard_units:
                raise TypeError("'discard_units' can only be set for code generation target "
                                "'numpy', without providing any code.")
            function.implementations.add_implementation(target, code, namespace, dependencies,
                                                        name=name, compiler_kwds=compiler_kwds)
        return function

    return decorator


def declare_types(**types):
    """Decorator declaring argument and result types (Brian2's ``declare_types``).

    Types are 'boolean', 'integer', 'float' or 'any' for arguments (default 'any'), and
    'boolean', 'integer', 'float' or 'highest' for ``result`` (default 'float').
    """
    def annotate(func):
        names = getattr(func, "_orig_arg_names", None) or \
            func.__code__.co_varnames[:func.__code__.co_argcount]
        unknown = set(types) - set(names) - {"result"}
        if unknown:
            raise ValueError(f"Type specified for unknown argument {sorted(unknown)[0]}")
        arg_types = [types.get(n, "any") for n in names]
        for n, t in zip(names, arg_types):
            if t not in VALID_ARG_TYPES:
                raise ValueError(f"Argument type {t} is not valid, must be one of "
                                 f"{VALID_ARG_TYPES}, for argument {n}")
        result = types.get("result", "float")
        if result not in VALID_RETURN_TYPES:
            raise ValueError(f"Result type {result} is not valid, must be one of "
                             f"{VALID_RETURN_TYPES}")
        func._arg_types, func._return_type, func._orig_arg_names = arg_types, result, names
        return func

    return annotate


# -- Brian2's default functions --------------------------------------------------------------
def _default_functions() -> dict[str, Function]:
    """The functions every model string may call, as Brian2's ``DEFAULT_FUNCTIONS`` lists
    them (model code runs its own versions of these; the objects are for scripts that read
    them, e.g. ``DEFAULT_FUNCTIONS['exp'].pyfunc``)."""
    from ..units import second

    same = lambda u: u  # Brian2's unit rule: the unit of the argument
    table = {name: Function(getattr(np, name), arg_units=[1], return_unit=1)
             for name in ("exp", "log", "log10", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                          "arcsin", "arccos", "arctan")}
    table.update({
        "sqrt": Function(np.sqrt, arg_units=[None], return_unit=lambda u: u ** 0.5),
        "abs": Function(np.abs, arg_units=[None], return_unit=same),
        "floor": Function(np.floor, arg_units=[None], return_unit=same),
        "ceil": Function(np.ceil, arg_units=[None], return_unit=same),
        "sign": Function(np.sign, arg_units=[None], return_unit=1),
        "clip": Function(np.clip, arg_units=[None, "a", "a"], arg_names=["a", "a_min", "a_max"],
                         return_unit=same),
        "int": Function(lambda x: np.asarray(x).astype(np.int64), arg_units=[1],
                        return_unit=1, return_type="integer"),
        "exprel": Function(lambda x: np.expm1(x) / x, arg_units=[1], return_unit=1),
        "timestep": Function(timestep, arg_units=[second, second], return_unit=1,
                             return_type="integer"),
        "rand": Function(np.random.rand, arg_units=[], return_unit=1, stateless=False,
                         auto_vectorise=True),
        "randn": Function(np.random.randn, arg_units=[], return_unit=1, stateless=False,
                          auto_vectorise=True),
    })
    return table


#: Brian2's ``DEFAULT_FUNCTIONS``. A Function a script adds here under a new name is found
#: by every model string, as in Brian2 (the built-in names keep their compiled versions).
DEFAULT_FUNCTIONS: dict[str, Function] = _default_functions()


__all__ = ["DEFAULT_FUNCTIONS", "Function", "declare_types", "implementation", "timestep"]
