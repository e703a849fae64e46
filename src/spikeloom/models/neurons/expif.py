"""Exponential integrate-and-fire neuron (``ExpIF``)."""

from __future__ import annotations

from ... import units
from ._base import NeuronModel


class ExpIF(NeuronModel):
    r"""Exponential integrate-and-fire neuron (Fourcaud-Trocmé et al. 2003; BrainPy's ``ExpIF``).

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + \Delta_T e^{(V - V_T)/\Delta_T}
                            + R\,(I_{syn} + I_{ext}),
        \qquad V > V_{th} \Rightarrow V \leftarrow V_{reset}

    Equations (``ExpIF.EQUATIONS``)::

        dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T)
                 + R*(I_syn + I_ext))/tau : volt (unless refractory)

    Parameters
    ----------
    N : int
        Number of neurons.
    V_rest : Quantity, volt
        Resting potential (default -65 mV).
    V_reset : Quantity, volt
        Reset potential (default -68 mV).
    V_th : Quantity, volt
        Numerical threshold at which the spike is cut (default -55 mV, BrainPy's).
    V_T : Quantity, volt
        Soft threshold, the inflection of the exponential (default -59.9 mV).
    delta_T : Quantity, volt
        Slope factor (default 3.48 mV).
    R : Quantity, ohm
        Membrane resistance (default 1 Mohm).
    tau : Quantity, second
        Membrane time constant (default 10 ms).
    tau_ref : Quantity, second
        Absolute refractory period (default 0 ms; BrainPy's ``ExpIFRef`` when > 0).
    I_ext : Quantity (amp) or str
        External current (default 0).
    method : str
        Integration method (default ``'euler'``; the exponential term is not conditionally
        linear, so Brian2's exponential Euler does not apply).
    init : dict, optional
        Initial values of state variables (Quantity or string expression), applied after
        the model's own.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    Notes
    -----
    Rheobase (the smallest constant current that makes the neuron fire): the fixed points
    of the membrane equation disappear in a saddle-node bifurcation at ``V = V_T``, giving
    ``R*I_rh = V_T - V_rest - delta_T`` (1.62 nA with the defaults). Euler's method has the
    same fixed points, so it keeps this rheobase exactly.

    References
    ----------
    .. [1] Fourcaud-Trocmé, N., Hansel, D., van Vreeswijk, C., Brunel, N. (2003). How spike
       generation mechanisms determine the neuronal response to fluctuating inputs.
       Journal of Neuroscience 23(37), 11628-11640.
    """

    _default_name = "expif"
    EQUATIONS = """
dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T)
         + R*(I_syn + I_ext))/tau : volt (unless refractory)
"""
    PARAMETERS = {
        "V_rest": -65.0 * units.mV, "V_reset": -68.0 * units.mV, "V_th": -55.0 * units.mV,
        "V_T": -59.9 * units.mV, "delta_T": 3.48 * units.mV, "R": 1.0 * units.Mohm,
        "tau": 10.0 * units.ms, "tau_ref": 0.0 * units.ms,
    }
    INITIAL = {"V": "V_rest"}
    THRESHOLD = "V > V_th"
    RESET = "V = V_reset"
    REFRACTORY = "tau_ref"
    METHOD = "euler"
    INPUT_UNIT = "amp"

    @property
    def rheobase(self):
        """Closed-form rheobase ``(V_T - V_rest - delta_T)/R`` (Quantity, amp)."""
        p = self.parameters
        return (p["V_T"] - p["V_rest"] - p["delta_T"]) / p["R"]
