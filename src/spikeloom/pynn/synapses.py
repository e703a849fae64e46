"""PyNN's standard synapse types: static synapses and pair-based STDP.

A synapse type gives the projection the spikeloom ``Synapses`` model: the model string,
the pathways (code and the fraction of the connection's delay each waits) and the
initial values of its state variables. Weights are stored in PyNN's units (nA onto
current-based cells, uS onto conductance-based cells, mV onto ``Izhikevich``) and
converted where a spike delivers them; delays are stored in ms by the projection.
"""

from __future__ import annotations

from copy import deepcopy

from pyNN.standardmodels import build_translations, synapses

from .simulator import state


class _SpikeloomSynapse:
    """Mix-in: what a synapse type gives the projection."""

    #: Names of the per-connection variables that are state (reset() restores them).
    state_variables: tuple = ()

    def _get_minimum_delay(self):
        return state.delay_floor

    def spikeloom_model(self, target: str, unit: str) -> dict:
        """The spikeloom ``Synapses`` arguments for a given target variable.

        Parameters
        ----------
        target : str
            The postsynaptic variable a spike increments (``isyn_exc``, ``gsyn_inh``...).
        unit : str
            The unit of the weight (``nA``, ``uS`` or ``mV``).

        Returns
        -------
        dict
            ``model`` (str), ``on_pre`` and ``on_post`` (dicts pathway -> code; ``on_post``
            may be None), ``delays`` (pathway -> the fraction of the connection's delay it
            waits; the pathway with fraction 1 holds the delay) and ``initial`` (variable
            -> value of a new connection).
        """
        raise NotImplementedError


class StaticSynapse(_SpikeloomSynapse, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def spikeloom_model(self, target, unit):
        """See :meth:`_SpikeloomSynapse.spikeloom_model`.

        Parameters
        ----------
        target : str
            The postsynaptic variable a spike increments.
        unit : str
            The unit of the weight.

        Returns
        -------
        dict
        """
        return {"model": "weight : 1", "on_pre": {"pre": f"{target}_post += weight*{unit}"},
                "on_post": None, "delays": {"pre": 1.0}, "initial": {}}


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__ + """
    spikeloom: all-to-all pairing, traces ``P`` (pre) and ``M`` (post) with time constants
    ``tau_plus`` and ``tau_minus``; a pair with ``dt = t_post - t_pre > 0`` potentiates by
    ``A_plus*exp(-dt/tau_plus)`` (times the weight dependence's factor), one with
    ``dt < 0`` depresses by ``A_minus*exp(dt/tau_minus)``.
    """
    translations = build_translations(("A_plus", "A_plus"), ("A_minus", "A_minus"),
                                      ("tau_plus", "tau_plus"), ("tau_minus", "tau_minus"))


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__ + """
    spikeloom: potentiation ``+w_max*A_plus*P``, depression ``-w_max*A_minus*M``, then
    clipped to ``[w_min, w_max]`` (NEST's ``stdp_synapse`` with ``mu = 0``).
    """
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    potentiation = "w_max*A_plus*P"
    depression = "w_max*A_minus*M"


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__ + """
    spikeloom: potentiation ``+(w_max - weight)*A_plus*P``, depression
    ``-(weight - w_min)*A_minus*M``, then clipped to ``[w_min, w_max]``.
    """
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    potentiation = "(w_max - weight)*A_plus*P"
    depression = "(weight - w_min)*A_minus*M"


_STDP_MODEL = """weight : 1
w_max : 1
w_min : 1
A_plus : 1
A_minus : 1
tau_plus : second
tau_minus : second
dP/dt = -P/tau_plus : 1 (event-driven)
dM/dt = -M/tau_minus : 1 (event-driven)"""


class STDPMechanism(_SpikeloomSynapse, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__ + """
    spikeloom: ``SpikePairRule`` with ``AdditiveWeightDependence`` or
    ``MultiplicativeWeightDependence``; no voltage dependence. ``dendritic_delay_fraction``
    ``f`` splits each connection's delay ``d``: the rule sees the presynaptic spike after
    ``(1 - f)*d`` and the postsynaptic spike after ``f*d`` (PyNN's default ``f = 1`` is
    NEST's: a pair is ``t_post + d - t_pre``); the spike reaches the target after ``d``
    with the weight the rule had when it saw the presynaptic spike.
    """
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction",
                                            "dendritic_delay_fraction"))
    state_variables = ("P", "M")

    def __init__(self, timing_dependence=None, weight_dependence=None,
                 voltage_dependence=None, dendritic_delay_fraction=1.0, weight=0.0,
                 delay=None):
        _check_components(timing_dependence, weight_dependence, voltage_dependence)
        super().__init__(timing_dependence, weight_dependence, voltage_dependence,
                         dendritic_delay_fraction, weight, delay)

    def _build_translations(self):
        self.translations = deepcopy(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)

    def spikeloom_model(self, target, unit):
        """See :meth:`_SpikeloomSynapse.spikeloom_model`.

        Parameters
        ----------
        target : str
            The postsynaptic variable a spike increments.
        unit : str
            The unit of the weight.

        Returns
        -------
        dict
        """
        wd = self.weight_dependence
        fraction = float(self.dendritic_delay_fraction)
        return {
            "model": _STDP_MODEL,
            "on_pre": {"pre": f"P += 1\nweight = clip(weight - {wd.depression}, w_min, w_max)",
                       "transmit": f"{target}_post += weight*{unit}"},
            "on_post": {"post": f"M += 1\nweight = clip(weight + {wd.potentiation}, "
                                "w_min, w_max)"},
            "delays": {"pre": 1.0 - fraction, "transmit": 1.0, "post": fraction},
            "initial": {"P": 0.0, "M": 0.0},
        }


def _check_components(timing, weight, voltage) -> None:
    if voltage is not None:
        raise NotImplementedError(
            f"STDPMechanism: voltage_dependence={voltage!r} is not supported by "
            "pyNN.spikeloom; use voltage_dependence=None")
    if not isinstance(timing, SpikePairRule):
        raise NotImplementedError(
            f"STDPMechanism: timing_dependence={timing!r} is not supported by "
            "pyNN.spikeloom; the supported one is SpikePairRule (for other rules use "
            "spikeloom.models.plasticity directly)")
    if not isinstance(weight, (AdditiveWeightDependence, MultiplicativeWeightDependence)):
        raise NotImplementedError(
            f"STDPMechanism: weight_dependence={weight!r} is not supported by "
            "pyNN.spikeloom; the supported ones are AdditiveWeightDependence and "
            "MultiplicativeWeightDependence")
