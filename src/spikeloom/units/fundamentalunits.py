"""Brian2's ``brian2.units.fundamentalunits``: the unit machinery under its old module name."""

from ._decorators import check_units
from ._dimensions import DIMENSIONLESS, Dimension, DimensionMismatchError, get_or_create_dimension
from ._quantity import (
    Quantity,
    Unit,
    fail_for_dimension_mismatch,
    get_dim,
    have_same_dimensions,
    in_unit,
    is_dimensionless,
)

get_dimensions = get_dim


def in_best_unit(value, precision=None) -> str:
    """``value`` as text in the unit Brian2 would print it in."""
    from ._quantity import best_unit

    return in_unit(value, best_unit(value), precision)


def get_unit(dim):
    """The unscaled unit of a dimension (``get_unit(mV.dim)`` is ``volt``), as in Brian2."""
    from ._quantity import unscaled_unit

    return unscaled_unit(dim) or Unit(1.0, dim, repr(dim), str(dim),
                                      iscompound=not dim.is_dimensionless)


__all__ = ["DIMENSIONLESS", "Dimension", "DimensionMismatchError", "Quantity", "Unit",
           "check_units", "fail_for_dimension_mismatch", "get_dimensions",
           "get_or_create_dimension", "get_unit", "have_same_dimensions", "in_best_unit",
           "in_unit", "is_dimensionless"]
