"""Device models under plastic weights: :class:`Memristor` (conductance map, non-idealities).

>>> from spikeloom.models.devices import Memristor
>>> Memristor(n_levels=8).is_ideal
False
"""

from ._memristor import Memristor as Memristor
from ._variability import D2D_PARAMETERS as D2D_PARAMETERS

__all__ = ["D2D_PARAMETERS", "Memristor"]
