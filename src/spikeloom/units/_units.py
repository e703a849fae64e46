"""The few conversions the simulator needs between quantities and SI arrays.

spikeloom stores every state variable as a float64 array of SI values together with its
:class:`Dimension`; these helpers move between that representation and :class:`Quantity`.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._dimensions import DIMENSIONLESS, Dimension
from ._quantity import Quantity, get_dim, unscaled_unit
from ._registry import ALL_UNITS, STANDARD_UNITS

#: Every unit by name: Brian2's ``allunits`` and its short forms (``ms``, ``mV``, ``cm2``...).
UNITS: dict[str, Quantity] = {**ALL_UNITS, **STANDARD_UNITS}


def dim_string(dim: Dimension) -> str:
    """A readable name for a dimension in messages: ``'volt'``, ``'1'`` for dimensionless,
    else its SI form (``'m^-2 kg^-1 s^3 A^2'``)."""
    if dim is DIMENSIONLESS:
        return "1"
    unit = unscaled_unit(dim)
    return unit.name if unit is not None else str(dim)


def si_value(value) -> np.ndarray | float:
    """Return the SI value of ``value`` as float or ndarray (plain values pass through).

    >>> from spikeloom.units import mV
    >>> float(si_value(3 * mV))
    0.003
    """
    if isinstance(value, Quantity):
        values = value.view(np.ndarray)
        return values[()] if values.ndim == 0 else values
    if isinstance(value, list | tuple) and value and isinstance(value[0], Quantity):
        return np.asarray(Quantity(value))
    return value


def as_quantity(values, dim: Dimension):
    """Wrap SI ``values`` with dimension ``dim``; dimensionless values come back as arrays."""
    if dim is DIMENSIONLESS:
        return values
    return Quantity(values, dim)


def is_number(value) -> bool:
    return isinstance(value, numbers.Number | np.number | np.bool_)


def timestep(t, dt):
    """Integer time step of time ``t`` on a grid of step ``dt``, rounding as Brian2 does.

    Brian2 defines it as ``int64((t + 1e-3*dt)/dt)`` so that times that are a whole number
    of steps minus a rounding error still land on their step.

    >>> from spikeloom.units import ms
    >>> int(timestep(0.3 * ms, 0.1 * ms))
    3
    """
    t_si = np.asarray(si_value(t), dtype=np.float64)
    dt_si = float(si_value(dt))
    return np.asarray((t_si + 1e-3 * dt_si) / dt_si).astype(np.int64)


__all__ = ["UNITS", "as_quantity", "dim_string", "get_dim", "is_number", "si_value", "timestep"]
