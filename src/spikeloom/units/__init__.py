"""Units: brainunit's units and Quantity, re-exported, plus SI helpers (no home-made unit system)."""

from ._units import (
    DIMENSIONLESS as DIMENSIONLESS,
    UNITS as UNITS,
    Dimension as Dimension,
    DimensionMismatchError as DimensionMismatchError,
    Quantity as Quantity,
    as_quantity as as_quantity,
    dim_string as dim_string,
    get_dim as get_dim,
    is_number as is_number,
    si_value as si_value,
    timestep as timestep,
)
