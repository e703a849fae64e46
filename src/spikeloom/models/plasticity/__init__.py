"""Plasticity rules as Brian2 equations: pair and triplet STDP, memristor-fitted rules.

Every rule is a small immutable object that writes the ``model``/``on_pre``/``on_post``
strings and namespace of a :class:`~spikeloom.Synapses`:

>>> from spikeloom import NeuronGroup, ms
>>> from spikeloom.models.plasticity import NanocompositeSTDP
>>> rule = NanocompositeSTDP(pairing="nn_symm")
>>> G = NeuronGroup(2, "v : 1", threshold="v > 1", reset="v = 0")
>>> S = rule.attach(G, G, on_pre="v_post += w", w=0.4)
>>> int(S.N)
4

Pairing schemes (every rule): ``'all-to-all'``, ``'nn_symm'``, ``'nn_pre_centered'``,
``'nn_restr'`` (NEST's), see :mod:`._pairing`. ``stdp_window`` measures a rule's window in
the simulator. The full description, with every equation, is ``docs/plasticity.md``.
"""

from ._memristive import NanocompositeSTDP as NanocompositeSTDP
from ._memristive import ParyleneSTDP as ParyleneSTDP
from ._pair import PairSTDP as PairSTDP
from ._pairing import PAIRINGS as PAIRINGS
from ._rule import PlasticityRule as PlasticityRule
from ._rule import SynapseCode as SynapseCode
from ._rule import UnboundedWeightWarning as UnboundedWeightWarning
from ._rule import set_pairing_delay as set_pairing_delay
from ._triplet import TripletSTDP as TripletSTDP
from ._window import STDPWindow as STDPWindow
from ._window import plot_stdp_window as plot_stdp_window
from ._window import stdp_window as stdp_window
from .nest import NestSynapse as NestSynapse
from .nest import stdp_nn_symm_synapse as stdp_nn_symm_synapse
from .nest import stdp_synapse as stdp_synapse
from .nest import tsodyks2_synapse as tsodyks2_synapse

__all__ = ["PAIRINGS", "NanocompositeSTDP", "PairSTDP", "ParyleneSTDP",
           "PlasticityRule", "STDPWindow", "SynapseCode", "TripletSTDP",
           "UnboundedWeightWarning", "plot_stdp_window", "set_pairing_delay", "stdp_window",
           "NestSynapse", "stdp_nn_symm_synapse", "stdp_synapse", "tsodyks2_synapse"]
