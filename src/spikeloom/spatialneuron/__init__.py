"""Brian2's ``brian2.spatialneuron`` module path (``from brian2.spatialneuron import *``)."""

from ..core._morphology import Cylinder, Morphology, Section, Soma
from ..core._spatialneuron import SpatialNeuron

__all__ = ["Cylinder", "Morphology", "Section", "Soma", "SpatialNeuron"]
