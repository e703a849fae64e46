"""Physical units as Brian2 has them: :class:`Quantity` is a NumPy array of SI values with a
:class:`Dimension`, and every unit Brian2 names is here (``spikeloom.units.mV``,
``from spikeloom.units import *`` gives the same names as ``from brian2.units import *``).
"""

from ._decorators import check_units as check_units
from ._dimensions import DIMENSIONLESS as DIMENSIONLESS
from ._dimensions import Dimension as Dimension
from ._dimensions import DimensionMismatchError as DimensionMismatchError
from ._dimensions import get_or_create_dimension as get_or_create_dimension
from ._quantity import Quantity as Quantity
from ._quantity import Unit as Unit
from ._quantity import best_unit as best_unit
from ._quantity import fail_for_dimension_mismatch as fail_for_dimension_mismatch
from ._quantity import get_dim as get_dim
from ._quantity import have_same_dimensions as have_same_dimensions
from ._quantity import in_unit as in_unit
from ._quantity import is_dimensionless as is_dimensionless
from ._registry import ALL_UNITS as ALL_UNITS
from ._registry import STANDARD_UNITS as STANDARD_UNITS
from ._units import UNITS as UNITS
from ._units import as_quantity as as_quantity
from ._units import dim_string as dim_string
from ._units import is_number as is_number
from ._units import si_value as si_value
from ._units import timestep as timestep

globals().update(ALL_UNITS)
globals().update(STANDARD_UNITS)
get_dimensions = get_dim

#: What ``from spikeloom.units import *`` binds: Brian2's standard unit names and helpers.
__all__ = sorted(STANDARD_UNITS) + [
    "DIMENSIONLESS", "Dimension", "DimensionMismatchError", "Quantity", "Unit",
    "get_dimensions", "get_or_create_dimension", "have_same_dimensions", "in_unit",
    "is_dimensionless", "check_units"]
