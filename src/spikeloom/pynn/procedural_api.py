"""PyNN's procedural API (``create``, ``connect``, ``record``...) for the spikeloom backend."""

from __future__ import annotations

from pyNN import common
from pyNN.connectors import FixedProbabilityConnector

from . import simulator
from .populations import Population
from .projections import Projection
from .synapses import StaticSynapse

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)
set = common.set


def record_v(source, filename):
    """Record the membrane potential of ``source`` into ``filename`` at ``end()``.

    Parameters
    ----------
    source : Population, PopulationView or Assembly
    filename : str
    """
    return record(["v"], source, filename)


def record_gsyn(source, filename):
    """Record the synaptic conductances of ``source`` into ``filename`` at ``end()``.

    Parameters
    ----------
    source : Population, PopulationView or Assembly
    filename : str
    """
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
