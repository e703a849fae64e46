"""pyNN.spikeloom: spikeloom as a PyNN simulator backend.

``import pyNN.spikeloom as sim`` (after ``python -m spikeloom.pynn.install``, which
writes the one-line module ``pyNN/spikeloom.py``), or ``import spikeloom.pynn as sim``
without installing anything: the same module. It offers PyNN 0.13's API —
``setup``/``run``/``reset``/``end``, ``Population``, ``PopulationView``, ``Assembly``,
``Projection`` with PyNN's connectors, standard cell types, ``StaticSynapse``,
``STDPMechanism``, ``DCSource``/``StepCurrentSource``, recording into Neo blocks — over
spikeloom's core: every population is a ``NeuronGroup`` (or a ``SpikeGeneratorGroup``),
every projection ``Synapses``, every recording a monitor, and ``run`` compiles the whole
network into one loop. See ``docs/pynn.md`` for what is supported and what is not.

Needs the optional packages PyNN and neo (``pip install "spikeloom[pynn]"``).
"""

try:
    import pyNN as _pyNN
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError('spikeloom.pynn needs PyNN: pip install "spikeloom[pynn]"') from error

from pyNN import errors, random, space
from pyNN.connectors import *  # noqa: F403
from pyNN.network import Network
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution
from pyNN.recording import *  # noqa: F403
from pyNN.space import Space
from pyNN.standardmodels import StandardCellType as _StandardCellType

from . import simulator
from .cells import (
    EIF_cond_alpha_isfa_ista,
    EIF_cond_exp_isfa_ista,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_delta,
    IF_curr_exp,
    Izhikevich,
    SpikeSourceArray,
    SpikeSourcePoisson,
)
from .control import (
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from .electrodes import DCSource, StepCurrentSource
from .populations import Assembly, Population, PopulationView
from .procedural_api import connect, create, record, record_gsyn, record_v, set
from .projections import Projection
from .synapses import (
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
    SpikePairRule,
    StaticSynapse,
    STDPMechanism,
)
from .unsupported import *  # noqa: F403


def list_standard_models():
    """The names of the standard cell types this backend supports.

    Returns
    -------
    list of str
    """
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, _StandardCellType)]
