"""The model library: neurons, synapse kinetics, outputs, inputs, connectivity, projections.

Everything here is written as equations over :mod:`spikeloom.core` (NeuronGroup, Synapses);
nothing compiles code of its own. See ``docs/models.md``.
"""

# Neurons, synapses, inputs, projections and run_steps (docs/models.md); plasticity rules and
# memristive devices (docs/plasticity.md).
from . import devices as devices
from . import plasticity as plasticity
from ._runner import run_steps as run_steps
from .devices import Memristor as Memristor
from .inputs import PoissonSpikes as PoissonSpikes
from .inputs import SpikeTimeGroup as SpikeTimeGroup
from .inputs import dc_generator as dc_generator
from .inputs import poisson_generator as poisson_generator
from .inputs import spike_generator as spike_generator
from .neurons import HH as HH
from .neurons import LIF as LIF
from .neurons import AdEx as AdEx
from .neurons import ExpIF as ExpIF
from .neurons import Izhikevich as Izhikevich
from .neurons import LifRef as LifRef
from .neurons import NeuronModel as NeuronModel
from .neurons import aeif_cond_alpha as aeif_cond_alpha
from .neurons import aeif_cond_exp as aeif_cond_exp
from .neurons import hh_psc_alpha as hh_psc_alpha
from .neurons import iaf_cond_alpha as iaf_cond_alpha
from .neurons import iaf_cond_exp as iaf_cond_exp
from .neurons import iaf_psc_alpha as iaf_psc_alpha
from .neurons import iaf_psc_exp as iaf_psc_exp
from .neurons import izhikevich as izhikevich
from .plasticity import NanocompositeSTDP as NanocompositeSTDP
from .plasticity import PairSTDP as PairSTDP
from .plasticity import ParyleneSTDP as ParyleneSTDP
from .plasticity import PlasticityRule as PlasticityRule
from .plasticity import TripletSTDP as TripletSTDP
from .plasticity import plot_stdp_window as plot_stdp_window
from .plasticity import stdp_nn_symm_synapse as stdp_nn_symm_synapse
from .plasticity import stdp_synapse as stdp_synapse
from .plasticity import stdp_window as stdp_window
from .plasticity import tsodyks2_synapse as tsodyks2_synapse
from .projections import AllToAll as AllToAll
from .projections import Connectivity as Connectivity
from .projections import FixedPostNum as FixedPostNum
from .projections import FixedPreNum as FixedPreNum
from .projections import FixedProb as FixedProb
from .projections import FromIJ as FromIJ
from .projections import FromSparse as FromSparse
from .projections import GaussianProb as GaussianProb
from .projections import OneToOne as OneToOne
from .projections import Projection as Projection
from .synapses import AMPA as AMPA
from .synapses import COBA as COBA
from .synapses import CUBA as CUBA
from .synapses import NMDA as NMDA
from .synapses import STP as STP
from .synapses import Alpha as Alpha
from .synapses import Delta as Delta
from .synapses import DualExpon as DualExpon
from .synapses import Expon as Expon
from .synapses import GABAa as GABAa
from .synapses import Kinetics as Kinetics
from .synapses import MgBlock as MgBlock
from .synapses import Output as Output
