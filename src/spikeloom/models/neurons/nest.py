"""NEST-compatible integrate-and-fire neurons: ``iaf_psc_exp`` and ``iaf_cond_exp``.

Parameter names, defaults and update rules follow NEST (``models/iaf_psc_exp.cpp``,
``models/iaf_cond_exp.cpp``), so that a NEST network translates line by line:

========================================  ===================================================
NEST                                       spikeloom
========================================  ===================================================
``nest.Create('iaf_psc_exp', n, p)``      ``iaf_psc_exp(n, **p_with_units)``
``nest.Connect(a, b, conn, {'weight': w,  ``Projection(a, b, connectivity=..., weight=w*pA,
'delay': d})``                            delay=d*ms)`` (``synapse=None``: NEST's built-in
                                           exponential receptors)
positive / negative weight                excitatory / inhibitory receptor, as in NEST
========================================  ===================================================

Refractoriness: NEST holds ``V_m`` at ``V_reset`` for ``t_ref/h`` steps *after* the step of
the spike; with Brian2's refractory rule that is ``refractory = t_ref + dt``. NEST time-stamps
a spike at the end of its step, spikeloom at the start (``t`` of the step).
"""

from __future__ import annotations

from ... import units
from ._base import NeuronModel


class iaf_psc_exp(NeuronModel):
    r"""Leaky integrate-and-fire neuron with exponential postsynaptic currents (NEST).

    .. math::

        \frac{dV_m}{dt} &= -\frac{V_m - E_L}{\tau_m}
            + \frac{I_{syn,ex} + I_{syn,in} + I_e + I_{syn}}{C_m} \\
        \frac{dI_{syn,X}}{dt} &= -\frac{I_{syn,X}}{\tau_{syn,X}},
        \qquad V_m \ge V_{th} \Rightarrow V_m \leftarrow V_{reset}

    Equations (``iaf_psc_exp.EQUATIONS``)::

        dV_m/dt = -(V_m - E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I_syn)/C_m
                  : volt (unless refractory)
        dI_syn_ex/dt = -I_syn_ex/tau_syn_ex : amp
        dI_syn_in/dt = -I_syn_in/tau_syn_in : amp

    integrated exactly (``method='exact'``, NEST's propagators), ``threshold='V_m >= V_th'``,
    ``reset='V_m = V_reset'``, ``refractory='t_ref + dt'`` (see the module docstring).

    Parameters
    ----------
    N : int
        Number of neurons.
    E_L : Quantity, volt
        Resting potential (default -70 mV).
    C_m : Quantity, farad
        Capacitance (default 250 pF).
    tau_m : Quantity, second
        Membrane time constant (default 10 ms).
    t_ref : Quantity, second
        Refractory period (default 2 ms).
    V_th : Quantity, volt
        Threshold (default -55 mV).
    V_reset : Quantity, volt
        Reset potential (default -70 mV).
    tau_syn_ex, tau_syn_in : Quantity, second
        Time constants of the excitatory and inhibitory currents (default 2 ms each).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA); the external-current hook.

    Notes
    -----
    A projection with ``synapse=None`` adds its weight (amp) to ``I_syn_ex`` when it is
    >= 0 and to ``I_syn_in`` when it is < 0, as NEST's ``handle(SpikeEvent)`` does. Library
    kinetics with an output (CUBA/COBA) add to ``I_syn`` instead. Rheobase:
    ``C_m*(V_th - E_L)/tau_m`` = 375 pA. NEST's escape noise (``rho``, ``delta``) is not
    implemented.

    References
    ----------
    .. [1] Tsodyks, M., Uziel, A., Markram, H. (2000). Synchrony generation in recurrent
       networks with frequency-dependent synapses. J. Neurosci. 20, RC50.
    .. [2] Rotter, S., Diesmann, M. (1999). Exact digital simulation of time-invariant linear
       systems with applications to neuronal modeling. Biol. Cybern. 81, 381-402.
    .. [3] NEST Simulator, ``models/iaf_psc_exp.cpp``.
    """

    _default_name = "iaf_psc_exp"
    EQUATIONS = """
dV_m/dt = (-(V_m - E_L)/tau_m
           + (I_syn_ex + I_syn_in + I_e + I_syn)/C_m) : volt (unless refractory)
dI_syn_ex/dt = -I_syn_ex/tau_syn_ex : amp
dI_syn_in/dt = -I_syn_in/tau_syn_in : amp
"""
    PARAMETERS = {
        "E_L": -70.0 * units.mV, "C_m": 250.0 * units.pF, "tau_m": 10.0 * units.ms,
        "t_ref": 2.0 * units.ms, "V_th": -55.0 * units.mV, "V_reset": -70.0 * units.mV,
        "tau_syn_ex": 2.0 * units.ms, "tau_syn_in": 2.0 * units.ms, "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_m": "E_L"}
    THRESHOLD = "V_m >= V_th"
    RESET = "V_m = V_reset"
    REFRACTORY = "t_ref + dt"
    METHOD = "exact"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = ("I_syn_ex_post += weight*int(weight >= 0)\n"
                       "I_syn_in_post += weight*int(weight < 0)")
    NATIVE_WEIGHT_UNIT = "amp"

    @property
    def rheobase(self):
        """``C_m*(V_th - E_L)/tau_m`` (Quantity, amp)."""
        p = self.parameters
        return p["C_m"] * (p["V_th"] - p["E_L"]) / p["tau_m"]


class iaf_cond_exp(NeuronModel):
    r"""Integrate-and-fire neuron with exponential conductances (NEST), optional adaptive threshold.

    .. math::

        C_m \frac{dV_m}{dt} &= -g_L (V_m - E_L) - g_{ex} (V_m - E_{ex})
            - g_{in} (V_m - E_{in}) + I_e + I_{syn} \\
        \frac{dg_X}{dt} &= -\frac{g_X}{\tau_{syn,X}},
        \qquad V_m \ge V_{th} + \theta \Rightarrow V_m \leftarrow V_{reset}

    Equations (``iaf_cond_exp.EQUATIONS``)::

        dV_m/dt = (-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in) + I_e
                   + I_syn)/C_m : volt (unless refractory)
        dg_ex/dt = -g_ex/tau_syn_ex : siemens
        dg_in/dt = -g_in/tau_syn_in : siemens

    and, with ``adaptive_threshold=True`` (Diehl & Cook 2015's homeostasis, used by the
    memristive-STDP networks)::

        dtheta/dt = -theta/tau_theta : volt

    with threshold ``V_m >= V_th + theta`` and ``theta += theta_plus`` at each spike.

    Parameters
    ----------
    N : int
        Number of neurons.
    V_th : Quantity, volt
        Threshold (default -55 mV).
    V_reset : Quantity, volt
        Reset potential (default -60 mV).
    t_ref : Quantity, second
        Refractory period (default 2 ms).
    g_L : Quantity, siemens
        Leak conductance (default 16.6667 nS).
    C_m : Quantity, farad
        Capacitance (default 250 pF).
    E_ex, E_in, E_L : Quantity, volt
        Reversal potentials (0, -85, -70 mV).
    tau_syn_ex, tau_syn_in : Quantity, second
        Conductance time constants (0.2 ms, 2 ms).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA).
    adaptive_threshold : bool
        Add the threshold variable ``theta`` (default False).
    theta_plus : Quantity, volt
        Threshold increment per spike (default 0.05 mV; only with ``adaptive_threshold``).
    tau_theta : Quantity, second
        Decay time of ``theta`` (default 1e7 ms; only with ``adaptive_threshold``).
    method : str
        Integration method (default ``'rk4'``, which reproduces NEST's adaptive RKF45 to
        1e-3 mV and its spike times on the 0.1 ms grid; ``'exponential_euler'`` is 1/4 of
        the work but overestimates EPSPs when ``tau_syn`` is a few steps).

    Notes
    -----
    A projection with ``synapse=None`` adds a positive weight (siemens) to ``g_ex`` and the
    magnitude of a negative weight to ``g_in``, as NEST does. Rheobase:
    ``g_L*(V_th - E_L)`` = 250 pA.

    References
    ----------
    .. [1] Meffin, H., Burkitt, A. N., Grayden, D. B. (2004). An analytical model for the
       large, fluctuating synaptic conductance state. J. Comput. Neurosci. 16, 159-175.
    .. [2] Diehl, P. U., Cook, M. (2015). Unsupervised learning of digit recognition using
       spike-timing-dependent plasticity. Front. Comput. Neurosci. 9, 99.
    .. [3] NEST Simulator, ``models/iaf_cond_exp.cpp``.
    """

    _default_name = "iaf_cond_exp"
    EQUATIONS = """
dV_m/dt = (-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
           + I_e + I_syn)/C_m : volt (unless refractory)
dg_ex/dt = -g_ex/tau_syn_ex : siemens
dg_in/dt = -g_in/tau_syn_in : siemens
"""
    PARAMETERS = {
        "V_th": -55.0 * units.mV, "V_reset": -60.0 * units.mV, "t_ref": 2.0 * units.ms,
        "g_L": 16.6667 * units.nS, "C_m": 250.0 * units.pF, "E_ex": 0.0 * units.mV,
        "E_in": -85.0 * units.mV, "E_L": -70.0 * units.mV, "tau_syn_ex": 0.2 * units.ms,
        "tau_syn_in": 2.0 * units.ms, "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_m": "E_L"}
    THRESHOLD = "V_m >= V_th"
    RESET = "V_m = V_reset"
    REFRACTORY = "t_ref + dt"
    # NEST integrates with adaptive RKF45. With tau_syn_ex = 0.2 ms (two steps of 0.1 ms),
    # fixed-step exponential Euler (which freezes g_ex over a step) overestimated each EPSP
    # by 27 % (2.633 mV against NEST's 2.080 mV for 40 nS); RK4 gives NEST's numbers.
    METHOD = "rk4"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = "g_ex_post += weight*int(weight > 0)\ng_in_post -= weight*int(weight < 0)"
    NATIVE_WEIGHT_UNIT = "siemens"

    def __init__(self, N, *, adaptive_threshold: bool = False, **kwargs) -> None:
        if adaptive_threshold:
            d = self.__dict__
            d["EQUATIONS"] = self.EQUATIONS + "dtheta/dt = -theta/tau_theta : volt\n"
            d["PARAMETERS"] = {**self.PARAMETERS, "theta_plus": 0.05 * units.mV,
                               "tau_theta": 1e7 * units.ms}
            d["THRESHOLD"] = "V_m >= V_th + theta"
            d["RESET"] = "V_m = V_reset\ntheta += theta_plus"
        self.__dict__["adaptive_threshold"] = bool(adaptive_threshold)
        super().__init__(N, **kwargs)

    @property
    def rheobase(self):
        """``g_L*(V_th - E_L)`` (Quantity, amp), without adaptation."""
        p = self.parameters
        return p["g_L"] * (p["V_th"] - p["E_L"])
