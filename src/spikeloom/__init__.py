"""spikeloom: spiking neural networks written as in Brian2, compiled into one loop.

``from spikeloom import *`` gives a script what ``from brian2 import *`` gives it: units,
``NeuronGroup``, ``Synapses``, ``PoissonGroup``, ``SpikeGeneratorGroup``, ``TimedArray``,
monitors, ``Network``, ``run``, ``defaultclock``, ``seed``, ``np`` and ``plt`` (matplotlib is
imported only when ``plt`` is first used, so a headless ``import spikeloom`` stays fast).
"""

import numpy as np

from . import backends as _backends
from .backends import numba as _numba_backend
from .core import (
    Clock,
    Network,
    NeuronGroup,
    PoissonGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Subgroup,
    Synapses,
    TimedArray,
    collect,
    defaultclock,
    get_device,
    prefs,
    restore,
    run,
    run_batch,
    seed,
    set_device,
    start_scope,
    store,
)
from .equations import Equations
from .exceptions import (
    BuildError,
    EquationError,
    SimulationError,
    UnitError,
    UnresolvedNameError,
    UnsupportedEquationsError,
)
from .units import UNITS as _UNITS
from .units import DimensionMismatchError, Quantity, get_dim
from .units import timestep as _timestep

__version__ = "0.1.0"

globals().update(_UNITS)
get_dimensions = get_dim

_NUMPY_NAMES = [n for n in getattr(np, "__all__", dir(np))
                if not n.startswith("_") and n not in _UNITS and n not in globals()]
for _name in _NUMPY_NAMES:  # Brian2's star import brings NumPy's functions (linspace, exp...)
    try:
        globals()[_name] = getattr(np, _name)
    except AttributeError:
        pass

__all__ = sorted(
    set(_UNITS) | set(_NUMPY_NAMES) | {
        "np", "plt", "Clock", "Network", "NeuronGroup", "PoissonGroup", "PopulationRateMonitor",
        "SpikeGeneratorGroup", "SpikeMonitor", "StateMonitor", "Subgroup", "Synapses",
        "TimedArray", "collect", "defaultclock", "get_device", "prefs", "restore", "run",
        "run_batch", "seed", "set_device", "start_scope", "store", "Equations", "BuildError",
        "EquationError", "SimulationError", "UnitError", "UnresolvedNameError",
        "UnsupportedEquationsError", "DimensionMismatchError", "Quantity", "get_dimensions",
    })


def __getattr__(name):
    if name == "plt":
        import matplotlib.pyplot as plt

        globals()["plt"] = plt
        return plt
    raise AttributeError(f"module 'spikeloom' has no attribute {name!r}")
