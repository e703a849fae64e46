"""Parameter checks shared by the model library: plasticity rules, devices, task encoders.

One job per function; every message names the owner, the argument, what is allowed and the
value that was given, e.g. ``PairSTDP: tau_plus must be positive (e.g. 20*ms), got -5. * msecond``.
Also the printing of parameter values as Brian2 source (:func:`format_value`,
:func:`parameter_lines`), which must read back exactly the checked values.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import units
from ..units import Quantity, dim_string, get_dim, si_value

SECOND = get_dim(units.second)
SIEMENS = get_dim(units.siemens)


def check_real(owner: str, name: str, value, low: float | None = None,
               high: float | None = None, low_open: bool = False,
               high_open: bool = False) -> float:
    """A finite real number in [low, high] (open ends where asked); returns it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, Quantity):
            raise TypeError(f"{owner}: {name} must be a plain (dimensionless) number, got "
                            f"{value!r} with unit {dim_string(get_dim(value))}")
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r} "
                        f"({type(value).__name__})")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    bad_low = low is not None and (x < low or (low_open and x == low))
    bad_high = high is not None and (x > high or (high_open and x == high))
    if bad_low or bad_high:
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise ValueError(f"{owner}: {name} must be in {interval}, got {value!r}")
    return x


def check_quantity(owner: str, name: str, value, dim, example: str,
                   positive: bool = False, nonnegative: bool = False):
    """A scalar Quantity of dimension ``dim``; returns (value, SI float)."""
    if get_dim(value) != dim or not isinstance(value, Quantity):
        raise TypeError(f"{owner}: {name} must be a {dim_string(dim)} quantity (e.g. "
                        f"{example}), got {value!r}")
    si = np.asarray(si_value(value), dtype=np.float64)
    if si.ndim != 0:
        raise ValueError(f"{owner}: {name} must be a scalar, got shape {si.shape}")
    x = float(si)
    if not np.isfinite(x):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    if positive and x <= 0:
        raise ValueError(f"{owner}: {name} must be positive (e.g. {example}), got {value!r}")
    if nonnegative and x < 0:
        raise ValueError(f"{owner}: {name} must be >= 0 (e.g. {example}), got {value!r}")
    return value, x


def check_time(owner: str, name: str, value, positive: bool = True,
               nonnegative: bool = False):
    """A scalar time; returns (value, seconds)."""
    return check_quantity(owner, name, value, SECOND, "20*ms", positive=positive,
                          nonnegative=nonnegative)


def check_choice(owner: str, name: str, value, choices) -> str:
    """One of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{owner}: {name} must be one of {allowed}, got {value!r}")
    return value


def check_bool(owner: str, name: str, value) -> bool:
    """True or False (NumPy booleans accepted; 0/1 and strings are not, to catch typos)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_int(owner: str, name: str, value, low: int) -> int:
    """An integer >= low."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _short(x: float) -> str:
    """Shortest of '%.15g' and repr that reads back as ``x``."""
    text = f"{x:.15g}"
    return text if float(text) == x else repr(x)


def _scaled(si: float, scale: float, unit: str, base: str) -> str:
    """``si`` written in ``unit`` if that evaluates back to exactly ``si``, else in ``base``."""
    for digits in (15, 16, 17):
        text = f"{si / scale:.{digits}g}"
        if float(text) * scale == si:
            return f"{text}*{unit}"
    return f"{si!r}*{base}"


def format_value(value) -> str:
    """Brian2 source text for a parameter value (``20*ms``, ``0.074``, ``10*uS``).

    The text evaluates (number times unit) to exactly the parameter's SI value.
    """
    if isinstance(value, Quantity):
        dim = get_dim(value)
        si = float(si_value(value))
        if dim == SECOND:
            if abs(si) >= 1:
                return _scaled(si, 1.0, "second", "second")
            return _scaled(si, 1e-3, "ms", "second")
        if dim == SIEMENS:
            return _scaled(si, 1e-6, "uS", "siemens")
        return f"{si!r}*{dim_string(dim)}"
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, float | np.floating):
        return _short(float(value))
    if isinstance(value, int | np.integer):
        return repr(int(value))
    return repr(value)


def unit_name(value) -> str:
    """Brian2 unit of a parameter's model line: '1', 'second' or 'siemens'."""
    dim = get_dim(value)
    if dim == SECOND:
        return "second"
    if dim == SIEMENS:
        return "siemens"
    if isinstance(value, Quantity) and dim != get_dim(1.0):
        raise TypeError(f"unsupported parameter unit {dim_string(dim)} for {value!r}")
    return "1"


def parameter_lines(params: dict) -> list[str]:
    """Model lines declaring each parameter as a constant subexpression (``tau = 20*ms : second``).

    The Brian2 form of a rule's parameters, for printing (``SynapseCode.brian2_model``); in
    spikeloom they travel as the constants of the model's ``Equations`` instead, so that
    they can be set between runs without a new compilation.
    """
    return [f"{name} = {format_value(value)} : {unit_name(value)}"
            for name, value in params.items()]
