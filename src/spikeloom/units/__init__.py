"""Units: brainunit's units and Quantity re-exported, plus SI helpers (nothing home-made)."""

from ._units import (
    DIMENSIONLESS as DIMENSIONLESS,
)
from ._units import (
    UNITS as UNITS,
)
from ._units import (
    Dimension as Dimension,
)
from ._units import (
    DimensionMismatchError as DimensionMismatchError,
)
from ._units import (
    Quantity as Quantity,
)
from ._units import (
    as_quantity as as_quantity,
)
from ._units import (
    dim_string as dim_string,
)
from ._units import (
    get_dim as get_dim,
)
from ._units import (
    is_number as is_number,
)
from ._units import (
    si_value as si_value,
)
from ._units import (
    timestep as timestep,
)
