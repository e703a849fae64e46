"""Brian2's ``check_units`` decorator."""

from __future__ import annotations

import functools
import inspect

from ._dimensions import DIMENSIONLESS, DimensionMismatchError
from ._quantity import _is_zero, get_dim


def _expected_dim(spec):
    if spec is None or isinstance(spec, str):  # None: any unit; 'T': checked elsewhere
        return None
    if spec is bool:
        return bool
    if isinstance(spec, int | float) and spec == 1:  # a unit compares by value, not as 1
        return DIMENSIONLESS
    return get_dim(spec)


def check_units(**units):
    """Check the units of a function's arguments (and of its result with ``result=``).

    Parameters
    ----------
    **units
        Argument name -> unit (``v=volt``), ``1`` for dimensionless, ``None`` for any,
        ``bool`` for a boolean; ``result=`` the unit of the return value.

    Examples
    --------
    >>> from spikeloom.units import mV, volt
    >>> @check_units(v=volt, result=volt)
    ... def double(v):
    ...     return 2 * v
    >>> print(double(3 * mV))
    6. mV
    """
    def decorator(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            for name, value in bound.arguments.items():
                _check(function.__name__, name, value, units.get(name))
            result = function(*args, **kwargs)
            if "result" in units:
                _check(function.__name__, "result", result, units["result"])
            return result

        # what Brian2's check_units records: Function() reads the units from here
        names = getattr(function, "_orig_arg_names", None) or tuple(
            p.name for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        checked._orig_func = function
        checked._arg_names = checked._orig_arg_names = names
        checked._arg_units = [units.get(name) for name in names]
        checked._return_unit = units.get("result")
        checked._returns_bool = units.get("result") is bool
        return checked

    return decorator


def _check(function: str, name: str, value, spec) -> None:
    expected = _expected_dim(spec)
    if expected is None or value is None:
        return
    if expected is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{function}: argument {name}={value!r} must be a boolean")
        return
    if get_dim(value) is not expected and not _is_zero(value):
        raise DimensionMismatchError(f"Function {function!r} expected a quantity with unit "
                                     f"{spec} for argument {name!r} but got {value}",
                                     get_dim(value))
