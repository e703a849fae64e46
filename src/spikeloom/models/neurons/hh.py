"""The Hodgkin–Huxley squid-axon model (``HH``)."""

from __future__ import annotations

from ... import units
from ._base import NeuronModel

_MS_CM2 = units.msiemens / units.cm ** 2


class HH(NeuronModel):
    r"""Hodgkin–Huxley neuron (Hodgkin & Huxley 1952, rest shifted to -65 mV; BrainPy's ``HH``).

    .. math::

        C \frac{dV}{dt} &= -\bar g_{Na} m^3 h (V - E_{Na}) - \bar g_K n^4 (V - E_K)
                           - g_L (V - E_L) + I_{syn} + I_{ext} \\
        \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V)\,x, \qquad x \in \{m, h, n\}

    Equations (``HH.EQUATIONS``; rates in 1/ms with V in mV)::

        dV/dt = (-gNa*m**3*h*(V - ENa) - gK*n**4*(V - EK) - gL*(V - EL)
                 + I_syn + I_ext)/C : volt
        dm/dt = alpha_m*(1 - m) - beta_m*m : 1
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        dn/dt = alpha_n*(1 - n) - beta_n*n : 1
        alpha_m = 1/exprel(-(V + 40*mV)/(10*mV))/ms : Hz
        beta_m = 4*exp(-(V + 65*mV)/(18*mV))/ms : Hz
        alpha_h = 0.07*exp(-(V + 65*mV)/(20*mV))/ms : Hz
        beta_h = 1/(1 + exp(-(V + 35*mV)/(10*mV)))/ms : Hz
        alpha_n = 0.1/exprel(-(V + 55*mV)/(10*mV))/ms : Hz
        beta_n = 0.125*exp(-(V + 65*mV)/(80*mV))/ms : Hz

    Everything is per unit membrane area, so the input hook is a current density
    (amp/metre**2; 1 uA/cm**2 = 0.01 A/m**2).

    Parameters
    ----------
    N : int
        Number of neurons.
    ENa, EK, EL : Quantity, volt
        Reversal potentials (50, -77, -54.387 mV).
    gNa, gK, gL : Quantity, siemens/metre**2
        Maximal conductances (120, 36, 0.3 mS/cm**2: Hodgkin & Huxley's values, which with
        ``EL`` put the rest at -65 mV; BrainPy's ``HH`` defaults to ``gL = 0.03``).
    C : Quantity, farad/metre**2
        Membrane capacitance (1 uF/cm**2).
    V_th : Quantity, volt
        Spike detection level (20 mV): a spike when ``V`` crosses it upwards (the neuron is
        "refractory" while ``V > V_th``, so each crossing counts once).
    I_ext : Quantity (amp/metre**2) or str
        External current density (default 0).
    method : str
        Integration method (default ``'exponential_euler'``).
    init : dict, optional
        ``V`` starts at -65 mV and the gates at their steady state there.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    References
    ----------
    .. [1] Hodgkin, A. L., Huxley, A. F. (1952). A quantitative description of membrane
       current and its application to conduction and excitation in nerve. J. Physiol. 117,
       500-544.
    """

    _default_name = "hh"
    EQUATIONS = """
dV/dt = (-gNa*m**3*h*(V - ENa) - gK*n**4*(V - EK) - gL*(V - EL) + I_syn + I_ext)/C : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
alpha_m = 1/exprel(-(V + 40*mV)/(10*mV))/ms : Hz
beta_m = 4*exp(-(V + 65*mV)/(18*mV))/ms : Hz
alpha_h = 0.07*exp(-(V + 65*mV)/(20*mV))/ms : Hz
beta_h = 1/(1 + exp(-(V + 35*mV)/(10*mV)))/ms : Hz
alpha_n = 0.1/exprel(-(V + 55*mV)/(10*mV))/ms : Hz
beta_n = 0.125*exp(-(V + 65*mV)/(80*mV))/ms : Hz
"""
    PARAMETERS = {
        "ENa": 50.0 * units.mV, "EK": -77.0 * units.mV, "EL": -54.387 * units.mV,
        "gNa": 120.0 * _MS_CM2, "gK": 36.0 * _MS_CM2, "gL": 0.3 * _MS_CM2,
        "C": 1.0 * units.ufarad / units.cm ** 2, "V_th": 20.0 * units.mV,
    }
    INITIAL = {"V": "-65*mV", "m": "alpha_m/(alpha_m + beta_m)",
               "h": "alpha_h/(alpha_h + beta_h)", "n": "alpha_n/(alpha_n + beta_n)"}
    THRESHOLD = "V > V_th"
    REFRACTORY = "V > V_th"
    METHOD = "exponential_euler"
    INPUT_UNIT = "amp/metre**2"
