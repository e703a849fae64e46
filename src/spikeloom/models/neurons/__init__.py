"""Library neurons, written as equations over :class:`spikeloom.NeuronGroup`.

Every model exposes ``EQUATIONS`` (a readable model string), ``PARAMETERS`` (defaults with
units), the full string after projections were attached (``model.equations``) and the
synaptic-input hook ``I_syn`` described in :mod:`spikeloom.models.neurons._base`.
"""

from ._base import NeuronModel as NeuronModel
from ._base import NeuronSlice as NeuronSlice
from .adex import AdEx as AdEx
from .expif import ExpIF as ExpIF
from .hh import HH as HH
from .izhikevich import Izhikevich as Izhikevich
from .lif import LIF as LIF
from .lif import LifRef as LifRef
from .nest import aeif_cond_alpha as aeif_cond_alpha
from .nest import aeif_cond_exp as aeif_cond_exp
from .nest import hh_psc_alpha as hh_psc_alpha
from .nest import iaf_cond_alpha as iaf_cond_alpha
from .nest import iaf_cond_exp as iaf_cond_exp
from .nest import iaf_psc_alpha as iaf_psc_alpha
from .nest import iaf_psc_exp as iaf_psc_exp
from .nest import izhikevich as izhikevich

__all__ = ["NeuronModel", "NeuronSlice", "LIF", "LifRef", "ExpIF", "AdEx", "Izhikevich",
           "HH", "iaf_psc_exp", "iaf_cond_exp", "iaf_psc_alpha", "iaf_cond_alpha",
           "aeif_cond_exp", "izhikevich", "aeif_cond_alpha", "hh_psc_alpha"]
