"""Adaptive exponential integrate-and-fire neuron (``AdEx``)."""

from __future__ import annotations

import numpy as np

from ... import units
from ._base import NeuronModel


class AdEx(NeuronModel):
    r"""Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005; BrainPy's ``AdEx``).

    .. math::

        \tau \frac{dV}{dt} &= -(V - V_{rest}) + \Delta_T e^{(V - V_T)/\Delta_T}
                             - R\,w + R\,(I_{syn} + I_{ext}) \\
        \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w \\
        V > V_{th} &\Rightarrow V \leftarrow V_{reset},\; w \leftarrow w + b

    Equations (``AdEx.EQUATIONS``)::

        dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T) - R*w
                 + R*(I_syn + I_ext))/tau : volt (unless refractory)
        dw/dt = (a*(V - V_rest) - w)/tau_w : amp

    Parameters
    ----------
    N : int
        Number of neurons.
    V_rest, V_reset, V_th, V_T : Quantity, volt
        Rest (-65 mV), reset (-68 mV), numerical threshold (-55 mV) and soft threshold
        (-59.9 mV); BrainPy's defaults.
    delta_T : Quantity, volt
        Slope factor (default 3.48 mV).
    a : Quantity, siemens
        Subthreshold adaptation (default 1 uS, i.e. BrainPy's ``a = 1`` with ``R = 1``).
    b : Quantity, amp
        Spike-triggered adaptation increment (default 1 nA).
    tau : Quantity, second
        Membrane time constant (default 10 ms).
    tau_w : Quantity, second
        Adaptation time constant (default 30 ms).
    R : Quantity, ohm
        Membrane resistance (default 1 Mohm).
    tau_ref : Quantity, second
        Absolute refractory period (default 0 ms).
    I_ext : Quantity (amp) or str
        External current (default 0).
    method : str
        Integration method (default ``'euler'``).
    init : dict, optional
        Initial values of state variables (Quantity or string expression), applied after
        the model's own.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    Notes
    -----
    Rheobase (:attr:`rheobase`), with ``g_L = 1/R`` (Touboul 2008): the rest state of the
    equations loses stability at

    * a saddle-node bifurcation when ``a/g_L < tau/tau_w``:
      ``I_SN = (g_L + a)*(V_T - V_rest - delta_T + delta_T*ln(1 + a/g_L))``;
    * an Andronov-Hopf bifurcation otherwise (BrainPy's defaults: ``a/g_L = 1 > 1/3``):
      ``I_H = (g_L + a)*(V_H - V_rest) - g_L*delta_T*(1 + tau/tau_w)`` with
      ``V_H = V_T + delta_T*ln(1 + tau/tau_w)`` (7.56 nA with the defaults).

    Euler's method keeps the fixed points exactly (so ``I_SN``); the Hopf point of the
    discrete map moves by O(dt).

    References
    ----------
    .. [1] Brette, R., Gerstner, W. (2005). Adaptive exponential integrate-and-fire model as
       an effective description of neuronal activity. J. Neurophysiol. 94, 3637-3642.
    .. [2] Touboul, J. (2008). Bifurcation analysis of a general class of nonlinear
       integrate-and-fire neurons. SIAM J. Appl. Math. 68(4), 1045-1079.
    """

    _default_name = "adex"
    EQUATIONS = """
dV/dt = (-(V - V_rest) + delta_T*exp((V - V_T)/delta_T) - R*w
         + R*(I_syn + I_ext))/tau : volt (unless refractory)
dw/dt = (a*(V - V_rest) - w)/tau_w : amp
"""
    PARAMETERS = {
        "V_rest": -65.0 * units.mV, "V_reset": -68.0 * units.mV, "V_th": -55.0 * units.mV,
        "V_T": -59.9 * units.mV, "delta_T": 3.48 * units.mV, "a": 1.0 * units.uS,
        "b": 1.0 * units.nA, "tau": 10.0 * units.ms, "tau_w": 30.0 * units.ms,
        "R": 1.0 * units.Mohm, "tau_ref": 0.0 * units.ms,
    }
    INITIAL = {"V": "V_rest", "w": "0*amp"}
    THRESHOLD = "V > V_th"
    RESET = "V = V_reset\nw += b"
    REFRACTORY = "tau_ref"
    METHOD = "euler"
    INPUT_UNIT = "amp"

    @property
    def rheobase(self):
        """Closed-form current at which the rest state disappears or loses stability (amp)."""
        p = self.parameters
        g_l = 1 / p["R"]
        a_ratio = float(p["a"] / g_l)
        t_ratio = float(p["tau"] / p["tau_w"])
        if a_ratio < t_ratio:  # saddle-node
            dist = p["V_T"] - p["V_rest"] - p["delta_T"] + p["delta_T"] * np.log(1 + a_ratio)
            return (g_l + p["a"]) * dist
        v_h = p["V_T"] + p["delta_T"] * np.log(1 + t_ratio)
        return (g_l + p["a"]) * (v_h - p["V_rest"]) - g_l * p["delta_T"] * (1 + t_ratio)
