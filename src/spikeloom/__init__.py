"""spikeloom: spiking neural networks written as in Brian2, compiled into one loop.

``from spikeloom import *`` gives a script what ``from brian2 import *`` gives it: units,
``NeuronGroup``, ``Synapses``, ``PoissonGroup``, ``SpikeGeneratorGroup``, ``TimedArray``,
monitors, ``Network``, ``run``, ``defaultclock``, ``seed``, ``np``, ``numpy``, ``plt`` and,
as Brian2 does, everything ``from pylab import *`` gives (``plot``, ``figure``, ``rand``...).
matplotlib is imported only by a star import or the first use of ``plt``, so a headless
``import spikeloom`` stays fast.
"""

import numpy as np

from . import backends as _backends
from .backends import numba as _numba_backend
from .core import (
    Clock,
    EventMonitor,
    Network,
    NetworkOperation,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Subgroup,
    Synapses,
    TimedArray,
    collect,
    defaultclock,
    device,
    get_device,
    linked_var,
    load_checkpoint,
    network_operation,
    prefs,
    reinit_devices,
    reset_device,
    restore,
    run,
    run_batch,
    seed,
    set_device,
    start_scope,
    stop,
    store,
)
from .core._logging import BrianLogger, get_logger
from .core._morphology import Cylinder, Morphology, Section, Soma
from .core._network import magic_network_view as magic_network  # Brian2's name
from .core._network import profiling_summary, scheduling_summary
from .core._spatialneuron import SpatialNeuron
from .core.functions import DEFAULT_FUNCTIONS, Function, declare_types, implementation
from .equations import Equations
from .exceptions import (
    BuildError,
    CheckpointError,
    EquationError,
    MagicError,
    MemoryEstimateError,
    SimulationError,
    UnitError,
    UnresolvedNameError,
    UnsupportedEquationsError,
)
from .units import (
    DIMENSIONLESS,
    DimensionMismatchError,
    Quantity,
    Unit,
    check_units,
    fail_for_dimension_mismatch,
    get_dim,
    get_or_create_dimension,
    have_same_dimensions,
    in_unit,
    is_dimensionless,
)
from .units import STANDARD_UNITS as _STANDARD_UNITS
from .units import UNITS as _UNITS
from .units import timestep as _timestep

__version__ = "0.1.0"

globals().update(_UNITS)
get_dimensions = get_dim

#: Builtins that pylab (hence Brian2's star import) keeps over NumPy's functions of the same
#: name: ``max(a, b)`` and ``round(x, 2)`` must stay Python's.
_PYLAB_BUILTINS = frozenset({"abs", "bool", "bytes", "max", "min", "pow", "round"})
_NUMPY_NAMES = [n for n in getattr(np, "__all__", dir(np))
                if not n.startswith("_") and n not in _UNITS and n not in globals()
                and n not in _PYLAB_BUILTINS]
for _name in _NUMPY_NAMES:  # Brian2's star import brings NumPy's functions (linspace, exp...)
    try:
        globals()[_name] = getattr(np, _name)
    except AttributeError:
        pass
numpy = np
codegen = prefs.codegen  # Brian2 scripts set codegen.target = 'numpy'; nothing to choose here

_OWN_NAMES = sorted(
    set(_STANDARD_UNITS) | set(_NUMPY_NAMES) | {
        "np", "numpy", "plt", "Clock", "Network", "NeuronGroup", "PoissonGroup",
        "PopulationRateMonitor", "SpikeGeneratorGroup", "SpikeMonitor", "EventMonitor",
        "StateMonitor",
        "Subgroup", "Synapses", "TimedArray", "collect", "defaultclock", "device", "get_device",
        "prefs", "reinit_devices", "reset_device", "restore", "run", "run_batch", "seed",
        "set_device", "start_scope", "store", "Equations",
        "BuildError", "EquationError", "MagicError", "SimulationError", "UnitError",
        "UnresolvedNameError",
        "UnsupportedEquationsError", "DimensionMismatchError", "Quantity", "get_dimensions",
        "DIMENSIONLESS", "Unit", "check_units", "fail_for_dimension_mismatch",
        "get_or_create_dimension", "have_same_dimensions", "in_unit", "is_dimensionless",
        "NetworkOperation", "network_operation", "stop", "linked_var", "PoissonInput",
        "Function", "implementation", "declare_types", "DEFAULT_FUNCTIONS", "magic_network",
        "BrianLogger", "get_logger",
        "profiling_summary", "scheduling_summary", "load_checkpoint", "CheckpointError",
        "MemoryEstimateError",
        "codegen", "Cylinder", "Morphology", "Section", "Soma", "SpatialNeuron",
    })


def _star_names() -> list[str]:
    """What ``from spikeloom import *`` binds: spikeloom's names over pylab's, as in Brian2.

    Brian2's star import starts with ``from pylab import *`` (matplotlib's plotting functions,
    ``numpy.random``'s ``rand``..., ``numpy.fft``, ``numpy.linalg``) and then binds its own
    names over them. Importing pylab costs about 0.7 s, so it happens only here, when a script
    star-imports, never on a plain ``import spikeloom``.
    """
    import types

    import pylab

    for name in dir(pylab):
        if name.startswith("_"):
            continue
        # a submodule imported earlier (``from spikeloom.plot import plot_morphology``) is
        # bound in this namespace under its name; a script's ``plot(...)`` after the star
        # import is pylab's, as in Brian2 (``from spikeloom.plot import ...`` still works).
        # pylab's own modules (``core``, numpy's) never replace a subpackage: ``sl.core``
        # stays spikeloom's
        value = getattr(pylab, name)
        if name not in globals() or (isinstance(globals()[name], types.ModuleType)
                                     and not isinstance(value, types.ModuleType)):
            globals()[name] = value
    names = set(_OWN_NAMES) | {n for n in dir(pylab) if not n.startswith("_")}
    return sorted(names)


def __getattr__(name):
    if name == "__all__":  # asked for by a star import only (PEP 562): pylab comes with it
        globals()["__all__"] = _star_names()
        return globals()["__all__"]
    if name == "plt":
        import matplotlib.pyplot as plt

        globals()["plt"] = plt
        return plt
    raise AttributeError(f"module 'spikeloom' has no attribute {name!r}")
