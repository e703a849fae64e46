"""Synapse kinetics (state equations driven by presynaptic spikes) and synaptic outputs.

A projection combines one kinetics model (what ``g`` does), a weight, and one output (how
``w*g`` becomes a current): ``Projection(pre, post, synapse=AMPA(), weight=1*uS,
output=COBA(E=0*mV))``.
"""

from ._base import Kinetics as Kinetics
from .alpha import Alpha as Alpha
from .ampa import AMPA as AMPA
from .ampa import GABAa as GABAa
from .delta import Delta as Delta
from .dual_expon import DualExpon as DualExpon
from .expon import Expon as Expon
from .nmda import NMDA as NMDA
from .outputs import COBA as COBA
from .outputs import CUBA as CUBA
from .outputs import MgBlock as MgBlock
from .outputs import Output as Output
from .stp import STP as STP

__all__ = ["Kinetics", "Expon", "DualExpon", "Alpha", "AMPA", "GABAa", "NMDA", "STP",
           "Delta", "Output", "COBA", "CUBA", "MgBlock"]
