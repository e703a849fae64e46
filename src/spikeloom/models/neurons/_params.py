"""Parameters, units and names in model strings: the helpers every library model shares."""

from __future__ import annotations

import re

import numpy as np

from ...units import DIMENSIONLESS, UNITS, Quantity, dim_string, get_dim

_NAMED_UNITS = ("volt", "amp", "siemens", "farad", "second", "ohm", "hertz", "molar", "metre",
                "amp/metre**2", "siemens/metre**2", "farad/metre**2", "volt/second",
                "1/second", "1/volt", "1/(molar*second)", "siemens/second", "amp/second",
                "siemens/metre**2/second", "amp/metre**2/second", "volt/second**2")


def unit_dim(text: str):
    """Dimension of a unit written as in an equation (``'amp/metre**2'``)."""
    if text == "1":
        return DIMENSIONLESS
    return get_dim(eval(text, {"__builtins__": {}}, UNITS))


def unit_text(dim) -> str:
    """A unit string the equation parser accepts for ``dim`` (a named SI unit when possible)."""
    if dim == DIMENSIONLESS:
        return "1"
    for text in _NAMED_UNITS:
        if unit_dim(text) == dim:
            return text
    return repr(dim)  # 'metre ** -2 * kilogram ** -1 * ...', valid in an equation


def rename(text: str, mapping: dict[str, str]) -> str:
    """Rename whole words (``g`` → ``g_exc``, also in ``dg/dt``) in model code."""
    for old, new in mapping.items():
        text = re.sub(rf"\bd{re.escape(old)}(\s*/\s*dt\b)", rf"d{new}\1", text)
        text = re.sub(rf"(?<![\w.]){re.escape(old)}\b", new, text)
    return text


def as_float64(value):
    """A Quantity (or number/array) of float64 values (parameters, weights and delays are
    converted here, at the boundary, so that integer or float32 input computes in float64).
    """
    if isinstance(value, Quantity):
        return value if value.dtype == np.float64 else value.astype(np.float64)
    if isinstance(value, list | tuple):
        return np.asarray(value, dtype=np.float64)
    return value


def check_parameters(owner: str, defaults: dict, given: dict, size: int | None = None) -> dict:
    """Validate ``given`` against the defaults' units; return the complete parameter dict.

    A value may be a scalar, an array of ``size`` values (one per element) or, where the
    caller allows it, a string expression (checked later by the equations).
    """
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise TypeError(f"{owner}: unknown parameter(s) {', '.join(unknown)}; the parameters "
                        f"are {', '.join(defaults)}")
    values = dict(defaults)
    for name, value in given.items():
        value = as_float64(value)
        if isinstance(value, str):
            values[name] = value
            continue
        expected, got = get_dim(defaults[name]), get_dim(value)
        if expected != got:
            raise ValueError(f"{owner}: parameter {name}={value} has unit {dim_string(got)}, "
                             f"expected {dim_string(expected)} (default {defaults[name]})")
        shape = np.shape(value)
        if shape not in ((), (1,)) and (size is None or shape != (size,)):
            allowed = "a scalar" if size is None else f"a scalar or {size} values"
            raise ValueError(f"{owner}: parameter {name} has shape {shape}; expected {allowed}")
        values[name] = value
    return values


def is_scalar(value) -> bool:
    if isinstance(value, str):
        return False
    return np.size(value) == 1


def unit_quantity(text: str):
    """The unit object of a unit string (``'amp/metre**2'``)."""
    if text == "1":
        return 1
    return eval(text, {"__builtins__": {}}, UNITS)


def unit_zero(text: str) -> str:
    return "1" if text == "1" else f"({text})"
