"""Physical units: brainunit's, plus the few conversions the simulator needs.

spikeloom stores every state variable as a float64 array of SI values together with its
:class:`brainunit.Dimension`. These helpers move between that representation and
:class:`brainunit.Quantity`.
"""

from __future__ import annotations

import numbers

import brainunit as bu
import jax
import numpy as np

# brainunit stores a list times a unit ([1.5]*mV) as a JAX array, float32 unless JAX's x64
# mode is on; spikeloom is float64 throughout, so quantities must be created in float64.
jax.config.update("jax_enable_x64", True)

Dimension = bu.Dimension
Quantity = bu.Quantity
DIMENSIONLESS = bu.DIMENSIONLESS
DimensionMismatchError = bu.DimensionMismatchError


def _named_units() -> dict[str, bu.Unit]:
    return {name: obj for name, obj in vars(bu).items()
            if isinstance(obj, bu.Unit) and not name.startswith("_")}


#: Every unit brainunit names (``ms``, ``mV``, ``nS``, ``metre``, ``cm2``...), by name.
UNITS: dict[str, bu.Unit] = _named_units()

# Units used to display quantities of a given dimension (SI base or derived, never scaled),
# so that ``G.v`` prints in volt rather than in ``m^2 kg s^-3 A^-1``.
_DISPLAY = [bu.volt, bu.amp, bu.siemens, bu.farad, bu.second, bu.hertz, bu.ohm, bu.metre,
            bu.kilogram, bu.mole, bu.molar, bu.coulomb, bu.joule, bu.watt, bu.kelvin,
            bu.metre ** 2, bu.siemens / bu.metre ** 2, bu.farad / bu.metre ** 2,
            bu.amp / bu.metre ** 2, bu.volt / bu.second, bu.second ** -0.5]
_DISPLAY_BY_DIM = {u.dim: u for u in _DISPLAY}


def get_dim(value) -> Dimension:
    """Return the physical dimension of ``value`` (a Quantity, Unit, number or array)."""
    return bu.get_dim(value)


def dim_string(dim: Dimension) -> str:
    """A readable name for a dimension: ``'volt'``, ``'1'`` for dimensionless, else SI form."""
    if dim == DIMENSIONLESS:
        return "1"
    unit = _DISPLAY_BY_DIM.get(dim)
    if unit is not None:
        return str(unit.name) if getattr(unit, "name", None) else str(unit)
    return str(dim)


def si_value(value) -> np.ndarray | float:
    """Return the SI value of ``value`` as float or ndarray (dimensionless values pass through).

    >>> float(si_value(3 * bu.mV))
    0.003
    """
    if isinstance(value, bu.Unit):
        value = 1 * value
    if isinstance(value, bu.Quantity):
        dim = value.dim
        if dim == DIMENSIONLESS:
            return value.to_decimal()
        return value.to_decimal(bu.Unit(dim=dim, scale=0))
    return value


def as_quantity(values, dim: Dimension):
    """Wrap SI ``values`` with dimension ``dim``; dimensionless values come back as arrays."""
    if dim == DIMENSIONLESS:
        return values
    unit = _DISPLAY_BY_DIM.get(dim) or bu.Unit(dim=dim, scale=0)
    return bu.Quantity(values, unit=unit)


def is_number(value) -> bool:
    return isinstance(value, numbers.Number | np.number | np.bool_)


def timestep(t, dt):
    """Integer time step of time ``t`` on a grid of step ``dt``, rounding as Brian2 does.

    Brian2 defines it as ``int64((t + 1e-3*dt)/dt)`` so that times that are a whole number
    of steps minus a rounding error still land on their step.

    >>> int(timestep(0.3 * bu.ms, 0.1 * bu.ms))
    3
    """
    t_si = np.asarray(si_value(t), dtype=np.float64)
    dt_si = float(si_value(dt))
    return np.asarray((t_si + 1e-3 * dt_si) / dt_si).astype(np.int64)
