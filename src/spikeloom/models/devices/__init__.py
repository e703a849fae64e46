"""Device models under plastic weights: :class:`Memristor` (conductance map, non-idealities).

State-dependent step laws (:class:`ExpStep`, :class:`PowStep`, :class:`PiecewiseStep`) are
passed as ``Memristor(step_model=...)``; :meth:`Memristor.preset` configures a published
device (``PRESETS``), converting aihwkit's parameters with :func:`from_aihwkit`. Write noise,
reset/decay/diffusion, corrupt devices, aihwkit's PCM noise models, drift compensation and
differential pairs are ``Memristor`` arguments; :meth:`Memristor.reset_devices` resets
devices between runs.

>>> from spikeloom.models.devices import Memristor
>>> Memristor(n_levels=8).is_ideal
False
"""

from ._memristor import Memristor as Memristor
from ._presets import PRESETS as PRESETS
from ._presets import from_aihwkit as from_aihwkit
from ._steps import ExpStep as ExpStep
from ._steps import PiecewiseStep as PiecewiseStep
from ._steps import PowStep as PowStep
from ._variability import D2D_PARAMETERS as D2D_PARAMETERS

__all__ = ["D2D_PARAMETERS", "PRESETS", "ExpStep", "Memristor", "PiecewiseStep", "PowStep",
           "from_aihwkit"]
