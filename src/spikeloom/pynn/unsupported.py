"""PyNN standard models that pyNN.spikeloom does not implement.

Each name exists, so that a script fails where it uses one, with a message naming the
model and the nearest supported alternative, never silently.
"""

from __future__ import annotations

#: PyNN name -> the nearest supported alternative.
ALTERNATIVES = {
    "IF_cond_exp_gsfa_grr": "EIF_cond_exp_isfa_ista (adaptation through w and b)",
    "IF_facets_hardware1": "IF_cond_exp",
    "GIF_cond_exp": "EIF_cond_exp_isfa_ista",
    "PointNeuron": "the fixed standard cell types (IF_cond_exp, IF_curr_alpha, ...)",
    "LIF": "IF_curr_exp / IF_cond_exp",
    "AdExp": "EIF_cond_exp_isfa_ista",
    "MultiCompartmentNeuron": "a point neuron type (spikeloom has no multicompartment models)",
    "SpikeSourcePoissonRefractory": "SpikeSourcePoisson, or SpikeSourceArray with times "
                                    "drawn in Python",
    "SpikeSourceGamma": "SpikeSourceArray with gamma-distributed intervals drawn in Python",
    "SpikeSourceInhGamma": "SpikeSourceArray with times drawn in Python",
    "TsodyksMarkramSynapse": "StaticSynapse (short-term plasticity: spikeloom.models."
                             "synapses with spikeloom's own API)",
    "SimpleStochasticSynapse": "StaticSynapse",
    "StochasticTsodyksMarkramSynapse": "StaticSynapse",
    "MultiQuantalSynapse": "StaticSynapse",
    "ElectricalSynapse": "a chemical StaticSynapse (gap junctions are not supported)",
    "AdditivePotentiationMultiplicativeDepression": "AdditiveWeightDependence or "
                                                    "MultiplicativeWeightDependence",
    "GutigWeightDependence": "MultiplicativeWeightDependence (Gutig's mu = 1)",
    "Vogels2011Rule": "SpikePairRule",
    "ACSource": "StepCurrentSource with the sine sampled at the steps you need",
    "NoisyCurrentSource": "StepCurrentSource with amplitudes drawn in Python",
    "CurrExpPostSynapticResponse": "IF_curr_exp's built-in receptors",
    "CondExpPostSynapticResponse": "IF_cond_exp's built-in receptors",
    "CondAlphaPostSynapticResponse": "IF_cond_alpha's built-in receptors",
    "CondBetaPostSynapticResponse": "IF_cond_alpha's built-in receptors",
}


def _unsupported(name: str, alternative: str) -> type:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{name} is not supported by pyNN.spikeloom; the nearest "
                                  f"supported alternative is {alternative}")

    doc = (f"Not supported by pyNN.spikeloom (raises NotImplementedError).\n\n"
           f"    The nearest supported alternative: {alternative}.\n")
    return type(name, (), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


for _name, _alternative in ALTERNATIVES.items():
    globals()[_name] = _unsupported(_name, _alternative)

__all__ = list(ALTERNATIVES)
