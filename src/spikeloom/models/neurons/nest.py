"""NEST-compatible neurons: ``iaf_psc_exp``, ``iaf_psc_alpha``, ``iaf_cond_exp``,
``iaf_cond_alpha``, ``aeif_cond_exp``, ``aeif_cond_alpha``, ``izhikevich`` and
``hh_psc_alpha``.

Parameter names, defaults and update rules follow NEST 3 (``models/<name>.cpp``), so that a
NEST network translates line by line:

========================================  ===================================================
NEST                                       spikeloom
========================================  ===================================================
``nest.Create('iaf_psc_exp', n, p)``      ``iaf_psc_exp(n, **p_with_units)``
``nest.Connect(a, b, conn, {'weight': w,  ``Projection(a, b, connectivity=..., weight=w*pA,
'delay': d})``                            delay=d*ms)`` (``synapse=None``: NEST's built-in
                                           receptors)
positive / negative weight                excitatory / inhibitory receptor, as in NEST
========================================  ===================================================

NEST's units carry over: times in ms, potentials in mV, currents in pA, conductances in nS,
capacitances in pF (``izhikevich`` is the exception, see its docstring).

Refractoriness: NEST holds ``V_m`` at ``V_reset`` for ``t_ref/h`` steps *after* the step of
the spike; with Brian2's refractory rule that is ``refractory = t_ref + dt``
(``hh_psc_alpha`` has no reset: ``t_ref`` only blocks its spike detection). NEST time-stamps
a spike at the end of its step, spikeloom at the start (``t`` of the step).

Initial state: NEST's (``V_m`` = -70 mV for the ``iaf`` models, -70.6 mV for ``aeif``, -65 mV
and the gates' steady state there for ``hh_psc_alpha``), also when ``E_L`` is changed
at creation, as ``nest.Create(model, params={'E_L': ...})`` does; give ``init={'V_m': ...}``
for another start (``iaf_psc_exp`` and ``iaf_cond_exp`` too start at -70 mV).

``tests/models/test_nest_reference.py`` compares every model with NEST's own runs; the
agreement is listed in ``docs/nest_models.md``.
"""

from __future__ import annotations

import numpy as np

from ... import units
from ...integrators import Substeps, get_method
from ...units import si_value
from ._base import NeuronModel


def _require(model: NeuronModel, names: tuple[str, ...], condition, text: str) -> None:
    """NEST's ``BadProperty`` checks: a ValueError that names the parameters and values."""
    p = model.parameters
    if any(isinstance(p[n], str) for n in names):
        return
    values = [np.asarray(si_value(p[n]), dtype=float) for n in names]
    if not np.all(condition(*values)):
        given = ", ".join(f"{n}={p[n]}" for n in names)
        raise ValueError(f"{model.owner}: {given}: {text} (NEST refuses it too)")


def _require_common(model: NeuronModel, taus: tuple[str, ...], v_th: str = "V_th") -> None:
    _require(model, ("C_m",), lambda c: c > 0, "C_m must be > 0")
    for tau in taus:
        _require(model, (tau,), lambda t: t > 0, f"{tau} must be > 0")
    _require(model, ("t_ref",), lambda t: t >= 0, "t_ref must be >= 0")
    _require(model, ("V_reset", v_th), lambda r, th: r < th,
             f"V_reset must be smaller than {v_th}")


def _refuse(cls: type, kwargs: dict, names: tuple[str, ...]) -> None:
    """NEST parameters that spikeloom's model does not implement: a clear TypeError."""
    for name in names:
        if name in kwargs:
            raise TypeError(f"{cls.__name__}: NEST's parameter {name}={kwargs[name]!r} is not "
                            f"implemented by spikeloom's {cls.__name__}")


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
    method : str, optional
        Integration method (default: the model's ``METHOD``).
    init : dict, optional
        Initial values of state variables (Quantity or string expression), applied after
        the model's own.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

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
    INITIAL = {"V_m": "-70*mV"}  # NEST starts at -70 mV whatever E_L is given
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
    INITIAL = {"V_m": "-70*mV"}  # NEST starts at -70 mV whatever E_L is given
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


class iaf_psc_alpha(NeuronModel):
    r"""Leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents (NEST).

    .. math::

        \frac{dV_m}{dt} &= -\frac{V_m - E_L}{\tau_m}
            + \frac{I_{syn,ex} + I_{syn,in} + I_e + I_{syn}}{C_m} \\
        \frac{dI_{syn,X}}{dt} &= \frac{h_X - I_{syn,X}}{\tau_{syn,X}}, \qquad
        \frac{dh_X}{dt} = -\frac{h_X}{\tau_{syn,X}},
        \qquad V_m \ge V_{th} \Rightarrow V_m \leftarrow V_{reset}

    A spike of weight ``w`` adds ``e*w`` to ``h_X``, so that the current is
    ``w*(t/tau_syn)*exp(1 - t/tau_syn)``: it peaks at ``w`` at ``t = tau_syn`` (NEST's
    normalisation; NEST's state ``dI_ex`` is ``h_ex/tau_syn_ex``).

    Equations (``iaf_psc_alpha.EQUATIONS``)::

        dV_m/dt = -(V_m - E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I_syn)/C_m
                  : volt (unless refractory)
        dI_syn_ex/dt = (h_ex - I_syn_ex)/tau_syn_ex : amp
        dh_ex/dt = -h_ex/tau_syn_ex : amp
        dI_syn_in/dt = (h_in - I_syn_in)/tau_syn_in : amp
        dh_in/dt = -h_in/tau_syn_in : amp

    integrated exactly (``method='exact'``, the propagators of NEST's exact integration,
    also for ``tau_syn == tau_m``: a ``tau_syn`` within :attr:`SINGULAR_RTOL` of ``tau_m``
    is integrated as equal, as NEST does), ``threshold='V_m >= V_th'``,
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
        Rise times of the excitatory and inhibitory alpha currents (default 2 ms each).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA); the external-current hook.
    init : dict, optional
        Initial values; NEST's are ``V_m = -70 mV`` (whatever ``E_L``), currents 0.

    Notes
    -----
    A projection with ``synapse=None`` feeds the excitatory receptor when its weight (amp,
    the peak current) is > 0 and the inhibitory one otherwise, as NEST's
    ``handle(SpikeEvent)`` does. Library kinetics with an output (CUBA/COBA) add to
    ``I_syn`` instead. Rheobase: ``C_m*(V_th - E_L)/tau_m`` = 375 pA. NEST's lower bound
    ``V_min`` (default -inf, i.e. none) is not implemented: giving it is an error.

    References
    ----------
    .. [1] Rotter, S., Diesmann, M. (1999). Exact digital simulation of time-invariant linear
       systems with applications to neuronal modeling. Biol. Cybern. 81, 381-402.
    .. [2] Diesmann, M., Gewaltig, M.-O., Rotter, S., Aertsen, A. (2001). State space
       analysis of synchronous spiking in cortical neural networks. Neurocomputing 38-40,
       565-571.
    .. [3] NEST Simulator, ``models/iaf_psc_alpha.cpp``.
    """

    _default_name = "iaf_psc_alpha"
    EQUATIONS = """
dV_m/dt = (-(V_m - E_L)/tau_m
           + (I_syn_ex + I_syn_in + I_e + I_syn)/C_m) : volt (unless refractory)
dI_syn_ex/dt = (h_ex - I_syn_ex)/tau_syn_ex : amp
dh_ex/dt = -h_ex/tau_syn_ex : amp
dI_syn_in/dt = (h_in - I_syn_in)/tau_syn_in : amp
dh_in/dt = -h_in/tau_syn_in : amp
"""
    PARAMETERS = {
        "E_L": -70.0 * units.mV, "C_m": 250.0 * units.pF, "tau_m": 10.0 * units.ms,
        "t_ref": 2.0 * units.ms, "V_th": -55.0 * units.mV, "V_reset": -70.0 * units.mV,
        "tau_syn_ex": 2.0 * units.ms, "tau_syn_in": 2.0 * units.ms, "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_m": "-70*mV"}
    THRESHOLD = "V_m >= V_th"
    RESET = "V_m = V_reset"
    REFRACTORY = "t_ref + dt"
    METHOD = "exact"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = ("h_ex_post += e*weight*int(weight > 0)\n"
                       "h_in_post += e*weight*int(weight <= 0)")
    NATIVE_WEIGHT_UNIT = "amp"
    #: ``|tau_syn - tau_m| <= SINGULAR_RTOL*tau_m`` is integrated as ``tau_syn = tau_m``
    #: (measured error below 2e-5 of a PSP on either side of the switch)
    SINGULAR_RTOL = 3e-5

    def __init__(self, N, **kwargs) -> None:
        _refuse(type(self), kwargs, ("V_min",))
        super().__init__(N, **kwargs)
        _require_common(self, ("tau_m", "tau_syn_ex", "tau_syn_in"))
        # tau_syn == tau_m: the general solution divides by tau_m - tau_syn and loses
        # precision as 1e-13/(1 - tau_syn/tau_m)**2 of a PSP when they are close; within
        # SINGULAR_RTOL, writing tau_m for tau_syn lets the exact integrator find the
        # degenerate (t^2 exp) solution, as NEST's propagator does (its own switch is at
        # 1e-7*tau_m/h, i.e. 1e-5 with the defaults)
        p = self.parameters
        tau_m = np.asarray(si_value(p["tau_m"]), dtype=float)
        equations = self.EQUATIONS
        for tau in ("tau_syn_ex", "tau_syn_in"):
            tau_s = np.asarray(si_value(p[tau]), dtype=float)
            equal = np.abs(tau_s - tau_m) <= self.SINGULAR_RTOL * tau_m
            if np.all(equal):
                equations = equations.replace(f"/{tau}", "/tau_m")
            elif np.any(equal):
                raise ValueError(f"{self.owner}: {tau}={p[tau]}, tau_m={p['tau_m']}: "
                                 f"{tau} equals tau_m for some neurons only; the exact "
                                 "integration needs it equal for all neurons or for none")
        self.__dict__["EQUATIONS"] = equations

    @property
    def rheobase(self):
        """``C_m*(V_th - E_L)/tau_m`` (Quantity, amp)."""
        p = self.parameters
        return p["C_m"] * (p["V_th"] - p["E_L"]) / p["tau_m"]


class iaf_cond_alpha(NeuronModel):
    r"""Integrate-and-fire neuron with alpha-shaped conductances (NEST).

    .. math::

        C_m \frac{dV_m}{dt} &= -g_L (V_m - E_L) - g_{ex} (V_m - E_{ex})
            - g_{in} (V_m - E_{in}) + I_e + I_{syn} \\
        \frac{dg_X}{dt} &= \frac{h_X - g_X}{\tau_{syn,X}}, \qquad
        \frac{dh_X}{dt} = -\frac{h_X}{\tau_{syn,X}},
        \qquad V_m \ge V_{th} \Rightarrow V_m \leftarrow V_{reset}

    A spike of weight ``w`` adds ``e*|w|`` to ``h_X``: the conductance
    ``|w|*(t/tau_syn)*exp(1 - t/tau_syn)`` peaks at ``|w|`` at ``t = tau_syn`` (NEST's
    normalisation; NEST's state ``dg_ex`` is ``h_ex/tau_syn_ex``).

    Equations (``iaf_cond_alpha.EQUATIONS``)::

        dV_m/dt = (-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in) + I_e
                   + I_syn)/C_m : volt (unless refractory)
        dg_ex/dt = (h_ex - g_ex)/tau_syn_ex : siemens
        dh_ex/dt = -h_ex/tau_syn_ex : siemens
        dg_in/dt = (h_in - g_in)/tau_syn_in : siemens
        dh_in/dt = -h_in/tau_syn_in : siemens

    ``threshold='V_m >= V_th'``, ``reset='V_m = V_reset'``, ``refractory='t_ref + dt'``.

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
        Rise times of the alpha conductances (0.2 ms, 2 ms).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA).
    method : str
        Integration method (default ``'rk4'``). NEST integrates with GSL's adaptive RKF45
        (absolute tolerance 1e-3), 7e-6 mV from the exact solution. Classic RK4 on NEST's
        0.1 ms grid is within 7e-3 mV of it (0.12 % of the 5.4 mV EPSP of a 40 nS input)
        with the default ``tau_syn_ex`` of 0.2 ms (two steps), within 1e-6 mV with
        ``tau_syn`` >= 1.5 ms, and gives NEST's spike steps (``docs/nest_models.md``);
        ``'rk2'`` (0.2 mV) and ``'exponential_euler'`` (1.4 mV: it freezes the
        conductances over a step) are far off.
    init : dict, optional
        Initial values; NEST's are ``V_m = -70 mV`` (whatever ``E_L``), conductances 0.

    Notes
    -----
    A projection with ``synapse=None`` adds a positive weight (siemens, the peak
    conductance) to the excitatory receptor and the magnitude of a negative weight to the
    inhibitory one, as NEST does. Rheobase: ``g_L*(V_th - E_L)`` = 250 pA.

    References
    ----------
    .. [1] Meffin, H., Burkitt, A. N., Grayden, D. B. (2004). An analytical model for the
       large, fluctuating synaptic conductance state. J. Comput. Neurosci. 16, 159-175.
    .. [2] Kuhn, A., Aertsen, A., Rotter, S. (2004). Neuronal integration of synaptic input
       in the fluctuation-driven regime. J. Neurosci. 24, 2345-2356.
    .. [3] NEST Simulator, ``models/iaf_cond_alpha.cpp``.
    """

    _default_name = "iaf_cond_alpha"
    EQUATIONS = """
dV_m/dt = (-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
           + I_e + I_syn)/C_m : volt (unless refractory)
dg_ex/dt = (h_ex - g_ex)/tau_syn_ex : siemens
dh_ex/dt = -h_ex/tau_syn_ex : siemens
dg_in/dt = (h_in - g_in)/tau_syn_in : siemens
dh_in/dt = -h_in/tau_syn_in : siemens
"""
    PARAMETERS = {
        "V_th": -55.0 * units.mV, "V_reset": -60.0 * units.mV, "t_ref": 2.0 * units.ms,
        "g_L": 16.6667 * units.nS, "C_m": 250.0 * units.pF, "E_ex": 0.0 * units.mV,
        "E_in": -85.0 * units.mV, "E_L": -70.0 * units.mV, "tau_syn_ex": 0.2 * units.ms,
        "tau_syn_in": 2.0 * units.ms, "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_m": "-70*mV"}
    THRESHOLD = "V_m >= V_th"
    RESET = "V_m = V_reset"
    REFRACTORY = "t_ref + dt"
    METHOD = "rk4"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = ("h_ex_post += e*weight*int(weight > 0)\n"
                       "h_in_post -= e*weight*int(weight < 0)")
    NATIVE_WEIGHT_UNIT = "siemens"

    def __init__(self, N, **kwargs) -> None:
        super().__init__(N, **kwargs)
        _require_common(self, ("tau_syn_ex", "tau_syn_in"))

    @property
    def rheobase(self):
        """``g_L*(V_th - E_L)`` (Quantity, amp)."""
        p = self.parameters
        return p["g_L"] * (p["V_th"] - p["E_L"])


class _aeif_cond(NeuronModel):
    """NEST's ``aeif_cond_*`` models: parameters, the ``V_s`` reset, checks and the ``V_m``
    conversion, shared by :class:`aeif_cond_exp` and :class:`aeif_cond_alpha` (which differ
    in their conductances' equations only)."""

    PARAMETERS = {
        "C_m": 281.0 * units.pF, "g_L": 30.0 * units.nS, "E_L": -70.6 * units.mV,
        "V_th": -50.4 * units.mV, "Delta_T": 2.0 * units.mV, "V_peak": 0.0 * units.mV,
        "V_reset": -60.0 * units.mV, "t_ref": 0.0 * units.ms, "a": 4.0 * units.nS,
        "b": 80.5 * units.pA, "tau_w": 144.0 * units.ms, "E_ex": 0.0 * units.mV,
        "E_in": -85.0 * units.mV, "tau_syn_ex": 0.2 * units.ms, "tau_syn_in": 2.0 * units.ms,
        "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_s": "-70.6*mV - Delta_T*log(1 + exp((-70.6*mV - V_th)/Delta_T))",
               "w": "0*pA"}
    THRESHOLD = "V_s >= V_s_peak"
    RESET = """
tau_rem = clip((V_s - V_s_peak)*C_m/(g_L*Delta_T), 0*ms, dt)
w += b + tau_rem*(a*(V_reset - V_peak) - b)/tau_w
r_reset = 1/(1 + exp(-(V_reset - V_th)/Delta_T))
F_reset = -g_L*(V_reset - E_L) - g_ex*(V_reset - E_ex) - g_in*(V_reset - E_in) - w + I_e + I_syn
dV_s_reset = ((1 - r_reset)*F_reset + r_reset*g_L*Delta_T)/C_m
V_s = V_reset - Delta_T*log(1 + exp((V_reset - V_th)/Delta_T))
V_s += int(t_ref < 0.999*dt)*tau_rem*dV_s_reset
"""
    #: the reset with ``Delta_T = 0``: the time left after the crossing of ``V_th``
    #: extrapolated from the slope of ``V_m`` at the end of the step
    RESET_IAF = """
F_end = -g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in) - w + I_e + I_syn
tau_rem = clip((V_m - V_th)*C_m/F_end, 0*ms, dt)
w += b + tau_rem*(a*(V_reset - V_th) - b)/tau_w
F_reset = -g_L*(V_reset - E_L) - g_ex*(V_reset - E_ex) - g_in*(V_reset - E_in) - w + I_e + I_syn
V_m = V_reset + int(t_ref < 0.999*dt)*tau_rem*F_reset/C_m
"""
    REFRACTORY = "t_ref + dt"
    METHOD = "rk4"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_WEIGHT_UNIT = "siemens"

    def __init__(self, N, *, init: dict | None = None, **kwargs) -> None:
        _refuse(type(self), kwargs, ("gsl_error_tol",))
        super().__init__(N, **kwargs)
        _require_common(self, ("tau_syn_ex", "tau_syn_in", "tau_w"), v_th="V_peak")
        _require(self, ("V_peak", "V_th"), lambda peak, th: peak >= th,
                 "V_peak must be >= V_th")
        _require(self, ("Delta_T",), lambda d: d >= 0, "Delta_T must be >= 0")
        max_arg = np.log(np.finfo(float).max / 1e20)
        _require(self, ("V_peak", "V_th", "Delta_T"),
                 lambda peak, th, d: (d == 0) | (peak - th < max_arg * d),
                 "(V_peak - V_th)/Delta_T overflows exp() at the spike; raise Delta_T or "
                 "lower V_peak")
        delta = np.asarray(si_value(self.parameters["Delta_T"]), dtype=float)
        d = self.__dict__
        d["iaf"] = bool(np.any(delta == 0))
        if d["iaf"]:
            if not np.all(delta == 0):
                raise ValueError(f"{self.owner}: Delta_T={self.parameters['Delta_T']}: "
                                 "either every neuron or none may have Delta_T = 0")
            d["EQUATIONS"] = self.EQUATIONS_IAF
            d["INITIAL"] = {"V_m": "-70.6*mV", "w": "0*pA"}
            d["THRESHOLD"] = "V_m >= V_th"
            d["RESET"] = self.RESET_IAF
        d["_init"] = {self._state_name(k): self._state_value(k, v)
                      for k, v in (init or {}).items()}

    def _state_name(self, name: str) -> str:
        return "V_s" if name == "V_m" and not self.__dict__["iaf"] else name

    def _state_value(self, name: str, value):
        """``V_s`` for a ``V_m`` (Quantity or expression); other values unchanged."""
        if name != "V_m" or self.__dict__["iaf"]:
            return value
        if isinstance(value, str):
            return f"({value}) - Delta_T*log(1 + exp((({value}) - V_th)/Delta_T))"
        if not isinstance(value, units.Quantity | units.Unit) or \
                units.get_dim(value) != units.get_dim(units.volt):
            raise ValueError(f"{self.owner}: V_m={value!r} must be a potential (e.g. -65*mV) "
                             "or an expression")
        p = self.parameters
        v, th, delta = (np.asarray(si_value(x), dtype=float)
                        for x in (value, p["V_th"], p["Delta_T"]))
        return (v - delta * np.logaddexp(0.0, (v - th) / delta)) * units.volt

    def __setattr__(self, name: str, value) -> None:
        if name == "V_m" and "iaf" in self.__dict__:
            name, value = self._state_name(name), self._state_value(name, value)
        super().__setattr__(name, value)


class aeif_cond_exp(_aeif_cond):
    r"""Adaptive exponential integrate-and-fire neuron with exponential conductances (NEST).

    .. math::

        C_m \frac{dV_m}{dt} &= -g_L (V - E_L) + g_L \Delta_T e^{(V - V_{th})/\Delta_T}
            - g_{ex} (V - E_{ex}) - g_{in} (V - E_{in}) - w + I_e + I_{syn} \\
        \tau_w \frac{dw}{dt} &= a (V - E_L) - w, \qquad
        \frac{dg_X}{dt} = -\frac{g_X}{\tau_{syn,X}} \\
        V &= \min(V_m, V_{peak}), \qquad
        V_m \ge V_{peak} \Rightarrow V_m \leftarrow V_{reset},\; w \leftarrow w + b

    NEST's model, integrated on NEST's grid through the change of variables

    .. math::

        V_s = V_m - \Delta_T \ln\left(1 + e^{(V_m - V_{th})/\Delta_T}\right), \qquad
        r_s = e^{(V_s - V_{th})/\Delta_T}, \qquad V_m = V_s - \Delta_T \ln(1 - r_s)

    (``V_s < V_th`` always; ``r_s`` is the logistic function of ``(V_m - V_th)/Delta_T``).
    Below threshold ``V_s`` is ``V_m`` to within ``Delta_T*exp((V_m - V_th)/Delta_T)``;
    during the spike's exponential run-away, which ``V_m`` completes within a fraction of a
    step, ``V_s`` approaches ``V_th`` at the finite rate ``g_L*Delta_T/C_m``, so that RK4 on
    the 0.1 ms grid finds the step in which ``V_m`` reaches ``V_peak``, as NEST's adaptive
    RKF45 does. (Integrating ``V_m`` itself, RK4 reaches ``V_peak`` one step late at every
    spike.) Equations (``aeif_cond_exp.EQUATIONS``)::

        dV_s/dt = ((1 - r_s)*(-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
                              - w + I_e + I_syn) + r_s*g_L*Delta_T)/C_m
                  : volt (unless refractory)
        dg_ex/dt = -g_ex/tau_syn_ex : siemens
        dg_in/dt = -g_in/tau_syn_in : siemens
        dw/dt = (a*(V_m - E_L) - w)/tau_w : amp
        V_s_peak = V_th - Delta_T*log(1 + exp(-(V_peak - V_th)/Delta_T)) : volt
        r_s = exp((clip(V_s, -inf*mV, V_s_peak) - V_th)/Delta_T) : 1
        V_m = clip(V_s - Delta_T*log(1 - r_s), -inf*mV, V_peak) : volt

    ``threshold='V_s >= V_s_peak'`` (``V_m`` reached ``V_peak``), ``refractory='t_ref +
    dt'``, and the reset (``aeif_cond_exp.RESET``) sets ``V_m = V_reset``, ``w += b``.
    As in NEST, the right-hand side sees ``V_m`` bounded by ``V_peak`` and, while
    refractory, ``V_m = V_reset`` (``w`` keeps evolving).

    NEST resets inside the step, at the sub-step where ``V_m`` crossed ``V_peak``, and
    integrates the rest of the step from there. The reset reproduces this: ``V_s`` grows
    at the rate ``g_L*Delta_T/C_m`` once ``V_m`` is at ``V_peak``, so its excess over
    ``V_s_peak`` gives the time ``tau_rem`` left in the step after the crossing; ``w`` is
    corrected for that time (NEST integrates it with ``V_m = V_reset``, not ``V_peak``) and,
    when ``t_ref`` is shorter than a step (NEST's default 0), ``V_m`` is advanced from
    ``V_reset`` by ``tau_rem`` with one Euler step.

    With ``Delta_T = 0`` (NEST's integrate-and-fire limit) the state is ``V_m`` itself:
    ``dV_m/dt`` without the exponential term, ``threshold='V_m >= V_th'``, and the same
    reset with the time left after the crossing extrapolated from the slope of ``V_m``
    (``aeif_cond_exp.EQUATIONS_IAF``, ``aeif_cond_exp.RESET_IAF``).

    Parameters
    ----------
    N : int
        Number of neurons.
    C_m : Quantity, farad
        Capacitance (default 281 pF).
    g_L : Quantity, siemens
        Leak conductance (default 30 nS).
    E_L : Quantity, volt
        Leak reversal potential (default -70.6 mV).
    V_th : Quantity, volt
        Spike initiation threshold of the exponential term (default -50.4 mV).
    Delta_T : Quantity, volt
        Slope factor (default 2 mV; 0 gives an integrate-and-fire neuron).
    V_peak : Quantity, volt
        Spike detection threshold (default 0 mV).
    V_reset : Quantity, volt
        Reset potential (default -60 mV).
    t_ref : Quantity, second
        Refractory period (default 0 ms).
    a : Quantity, siemens
        Subthreshold adaptation (default 4 nS).
    b : Quantity, amp
        Spike-triggered adaptation (default 80.5 pA).
    tau_w : Quantity, second
        Adaptation time constant (default 144 ms).
    E_ex, E_in : Quantity, volt
        Synaptic reversal potentials (0 mV, -85 mV).
    tau_syn_ex, tau_syn_in : Quantity, second
        Conductance decay times (0.2 ms, 2 ms).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA).
    method : str
        Integration method (default ``'rk4'``; NEST uses GSL's adaptive RKF45 with an error
        tolerance of 1e-6).
    init : dict, optional
        Initial values, ``V_m`` included (converted to ``V_s``); NEST's are
        ``V_m = -70.6 mV`` (whatever ``E_L``), ``w = 0``. Assigning ``neurons.V_m = ...``
        sets ``V_s`` too.

    Notes
    -----
    A projection with ``synapse=None`` adds a positive weight (siemens) to ``g_ex`` and the
    magnitude of a negative weight to ``g_in``, as NEST does.

    Agreement with NEST 3.10 (``docs/nest_models.md``): below threshold ``V_m`` within
    1e-3 mV; spike times in the same step, except where NEST crosses ``V_peak`` at the very
    end of a step, which can land one step later here (1 spike in 27 in the reference
    protocols). NEST can emit several spikes in one step when ``t_ref = 0``; spikeloom
    emits at most one. ``gsl_error_tol`` is not a parameter.

    References
    ----------
    .. [1] Brette, R., Gerstner, W. (2005). Adaptive exponential integrate-and-fire model as
       an effective description of neuronal activity. J. Neurophysiol. 94, 3637-3642.
    .. [2] NEST Simulator, ``models/aeif_cond_exp.cpp``.
    """

    _default_name = "aeif_cond_exp"
    EQUATIONS = """
dV_s/dt = ((1 - r_s)*(-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
                      - w + I_e + I_syn) + r_s*g_L*Delta_T)/C_m : volt (unless refractory)
dg_ex/dt = -g_ex/tau_syn_ex : siemens
dg_in/dt = -g_in/tau_syn_in : siemens
dw/dt = (a*(V_m - E_L) - w)/tau_w : amp
V_s_peak = V_th - Delta_T*log(1 + exp(-(V_peak - V_th)/Delta_T)) : volt
r_s = exp((clip(V_s, -inf*mV, V_s_peak) - V_th)/Delta_T) : 1
V_m = clip(V_s - Delta_T*log(1 - r_s), -inf*mV, V_peak) : volt
"""
    #: the equations with ``Delta_T = 0`` (no exponential term; the state is ``V_m``)
    EQUATIONS_IAF = """
dV_m/dt = (-g_L*(V_bounded - E_L) - g_ex*(V_bounded - E_ex) - g_in*(V_bounded - E_in)
           - w + I_e + I_syn)/C_m : volt (unless refractory)
dg_ex/dt = -g_ex/tau_syn_ex : siemens
dg_in/dt = -g_in/tau_syn_in : siemens
dw/dt = (a*(V_bounded - E_L) - w)/tau_w : amp
V_bounded = clip(V_m, -inf*mV, V_peak) : volt
"""
    NATIVE_ON_SPIKE = "g_ex_post += weight*int(weight > 0)\ng_in_post -= weight*int(weight < 0)"


class aeif_cond_alpha(_aeif_cond):
    r"""Adaptive exponential integrate-and-fire neuron with alpha-shaped conductances (NEST).

    .. math::

        C_m \frac{dV_m}{dt} &= -g_L (V - E_L) + g_L \Delta_T e^{(V - V_{th})/\Delta_T}
            - g_{ex} (V - E_{ex}) - g_{in} (V - E_{in}) - w + I_e + I_{syn} \\
        \tau_w \frac{dw}{dt} &= a (V - E_L) - w, \qquad
        \frac{dg_X}{dt} = \frac{h_X - g_X}{\tau_{syn,X}}, \qquad
        \frac{dh_X}{dt} = -\frac{h_X}{\tau_{syn,X}} \\
        V &= \min(V_m, V_{peak}), \qquad
        V_m \ge V_{peak} \Rightarrow V_m \leftarrow V_{reset},\; w \leftarrow w + b

    :class:`aeif_cond_exp` with the alpha conductances of :class:`iaf_cond_alpha`: a spike
    adds ``e*|weight|`` to ``h_X``, so that the conductance
    ``|weight|*(t/tau_syn)*exp(1 - t/tau_syn)`` peaks at ``|weight|`` at ``t = tau_syn``
    (NEST's normalisation; NEST's state ``dg_ex`` is ``h_ex/tau_syn_ex``). Everything else is
    :class:`aeif_cond_exp`'s: ``V_m`` is integrated as the transformed potential ``V_s``
    (so that RK4 on the 0.1 ms grid finds the step in which ``V_m`` reaches ``V_peak``,
    as NEST's adaptive RKF45 does), NEST's reset inside the step is reproduced by the
    reset (``aeif_cond_alpha.RESET``), and ``Delta_T = 0`` gives the integrate-and-fire
    limit (``aeif_cond_alpha.EQUATIONS_IAF``). Equations (``aeif_cond_alpha.EQUATIONS``)::

        dV_s/dt = ((1 - r_s)*(-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
                              - w + I_e + I_syn) + r_s*g_L*Delta_T)/C_m
                  : volt (unless refractory)
        dg_ex/dt = (h_ex - g_ex)/tau_syn_ex : siemens
        dh_ex/dt = -h_ex/tau_syn_ex : siemens
        dg_in/dt = (h_in - g_in)/tau_syn_in : siemens
        dh_in/dt = -h_in/tau_syn_in : siemens
        dw/dt = (a*(V_m - E_L) - w)/tau_w : amp
        V_s_peak = V_th - Delta_T*log(1 + exp(-(V_peak - V_th)/Delta_T)) : volt
        r_s = exp((clip(V_s, -inf*mV, V_s_peak) - V_th)/Delta_T) : 1
        V_m = clip(V_s - Delta_T*log(1 - r_s), -inf*mV, V_peak) : volt

    ``threshold='V_s >= V_s_peak'``, ``refractory='t_ref + dt'`` (``V_m = V_reset`` while
    refractory, ``w`` keeps evolving), reset ``V_m = V_reset``, ``w += b`` with the rest
    of the step as in :class:`aeif_cond_exp`.

    Parameters
    ----------
    N : int
        Number of neurons.
    C_m : Quantity, farad
        Capacitance (default 281 pF).
    g_L : Quantity, siemens
        Leak conductance (default 30 nS).
    E_L : Quantity, volt
        Leak reversal potential (default -70.6 mV).
    V_th : Quantity, volt
        Spike initiation threshold of the exponential term (default -50.4 mV).
    Delta_T : Quantity, volt
        Slope factor (default 2 mV; 0 gives an integrate-and-fire neuron).
    V_peak : Quantity, volt
        Spike detection threshold (default 0 mV).
    V_reset : Quantity, volt
        Reset potential (default -60 mV).
    t_ref : Quantity, second
        Refractory period (default 0 ms).
    a : Quantity, siemens
        Subthreshold adaptation (default 4 nS).
    b : Quantity, amp
        Spike-triggered adaptation (default 80.5 pA).
    tau_w : Quantity, second
        Adaptation time constant (default 144 ms).
    E_ex, E_in : Quantity, volt
        Synaptic reversal potentials (0 mV, -85 mV).
    tau_syn_ex, tau_syn_in : Quantity, second
        Rise times of the alpha conductances (0.2 ms, 2 ms).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA).
    method : str
        Integration method (default ``'rk4'``; NEST uses GSL's adaptive RKF45 with an error
        tolerance of 1e-6). As for :class:`iaf_cond_alpha`, RK4 at 0.1 ms misses 0.35 % of
        an alpha conductance's peak with the default ``tau_syn_ex`` of 0.2 ms (two steps).
    init : dict, optional
        Initial values, ``V_m`` included (converted to ``V_s``); NEST's are
        ``V_m = -70.6 mV`` (whatever ``E_L``), ``w = 0``, conductances 0. Assigning
        ``neurons.V_m = ...`` sets ``V_s`` too.

    Notes
    -----
    A projection with ``synapse=None`` adds a positive weight (siemens, the peak
    conductance) to the excitatory receptor and the magnitude of a negative weight to the
    inhibitory one, as NEST does.

    Agreement with NEST 3.10 (``docs/nest_models.md``): before the first spike ``V_m``
    within 1e-3 mV (RK4's error on the 0.2 ms alpha conductance; ``method=Substeps(
    get_method('rk4'), 2)`` brings it to 6e-5 mV for twice the work), between spikes
    within 0.07 mV, ``w`` within 0.11 pA; spike times in NEST's step or one step off: 2
    spikes in 30 in the reference protocols, where ``V_m`` approached ``V_th`` slowly and a
    difference of a few 0.01 mV grew until the crossing fell in the neighbouring step. NEST
    can emit several spikes in one step when ``t_ref = 0``; spikeloom emits at most one.
    ``gsl_error_tol`` is not a parameter.

    References
    ----------
    .. [1] Brette, R., Gerstner, W. (2005). Adaptive exponential integrate-and-fire model as
       an effective description of neuronal activity. J. Neurophysiol. 94, 3637-3642.
    .. [2] NEST Simulator, ``models/aeif_cond_alpha.cpp``.
    """

    _default_name = "aeif_cond_alpha"
    EQUATIONS = """
dV_s/dt = ((1 - r_s)*(-g_L*(V_m - E_L) - g_ex*(V_m - E_ex) - g_in*(V_m - E_in)
                      - w + I_e + I_syn) + r_s*g_L*Delta_T)/C_m : volt (unless refractory)
dg_ex/dt = (h_ex - g_ex)/tau_syn_ex : siemens
dh_ex/dt = -h_ex/tau_syn_ex : siemens
dg_in/dt = (h_in - g_in)/tau_syn_in : siemens
dh_in/dt = -h_in/tau_syn_in : siemens
dw/dt = (a*(V_m - E_L) - w)/tau_w : amp
V_s_peak = V_th - Delta_T*log(1 + exp(-(V_peak - V_th)/Delta_T)) : volt
r_s = exp((clip(V_s, -inf*mV, V_s_peak) - V_th)/Delta_T) : 1
V_m = clip(V_s - Delta_T*log(1 - r_s), -inf*mV, V_peak) : volt
"""
    #: the equations with ``Delta_T = 0`` (no exponential term; the state is ``V_m``)
    EQUATIONS_IAF = """
dV_m/dt = (-g_L*(V_bounded - E_L) - g_ex*(V_bounded - E_ex) - g_in*(V_bounded - E_in)
           - w + I_e + I_syn)/C_m : volt (unless refractory)
dg_ex/dt = (h_ex - g_ex)/tau_syn_ex : siemens
dh_ex/dt = -h_ex/tau_syn_ex : siemens
dg_in/dt = (h_in - g_in)/tau_syn_in : siemens
dh_in/dt = -h_in/tau_syn_in : siemens
dw/dt = (a*(V_bounded - E_L) - w)/tau_w : amp
V_bounded = clip(V_m, -inf*mV, V_peak) : volt
"""
    NATIVE_ON_SPIKE = ("h_ex_post += e*weight*int(weight > 0)\n"
                       "h_in_post -= e*weight*int(weight < 0)")


class izhikevich(NeuronModel):
    r"""Izhikevich's simple model as NEST implements it (NEST's ``izhikevich``).

    .. math::

        \frac{dV_m}{dt} &= 0.04 V_m^2 + 5 V_m + 140 - U_m + I_e + I_{syn} \\
        \frac{dU_m}{dt} &= a (b V_m - U_m), \qquad
        V_m \ge V_{th} \Rightarrow V_m \leftarrow c,\; U_m \leftarrow U_m + d

    in NEST's units (mV, ms; the currents are in pA with ``R = 1``, i.e. 1 pA drives
    1 mV/ms, as a 1 pF membrane would). Equations (``izhikevich.EQUATIONS``)::

        dV_m/dt = (0.04*V_m**2/mV + 5*V_m + 140*mV - U_m)/ms + (I_e + I_syn)/pF : volt
        dU_m/dt = a*(b*V_m - U_m) : volt

    integrated with forward Euler (``method='euler'``), which is NEST's default
    ``consistent_integration=True``: both variables are advanced from their values at the
    start of the step; then ``threshold='V_m >= V_th'``, ``reset='V_m = c; U_m += d'``.
    There is no refractory period.

    Parameters
    ----------
    N : int
        Number of neurons.
    a : Quantity, 1/second
        Time scale of the recovery variable (default 0.02 /ms).
    b : float
        Sensitivity of the recovery variable (default 0.2, dimensionless).
    c : Quantity, volt
        Reset potential (default -65 mV).
    d : Quantity, volt
        Recovery increment at a spike (default 8 mV).
    V_th : Quantity, volt
        Spike cut-off (default 30 mV).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA; 10 pA is the paper's ``I = 10``).
    consistent_integration : bool
        Only NEST's default ``True`` is implemented (``False``, the paper's half-step
        scheme, is an error).
    init : dict, optional
        Initial values; NEST's are ``V_m = -65 mV``, ``U_m = -13 mV`` (whatever ``b``).

    Notes
    -----
    A projection with ``synapse=None`` adds its weight (volt) to ``V_m``, as NEST does (the
    weight of a NEST connection onto ``izhikevich`` is in mV). NEST adds the arriving
    weight before its threshold test, spikeloom in the step's synapse slot, after it: an
    input that alone lifts ``V_m`` over ``V_th`` is detected one step later than in NEST
    (an input arriving in the same step as a spike is lost to the reset in both). NEST's
    lower bound ``V_min`` (default: none) is not implemented: giving it is an error.

    References
    ----------
    .. [1] Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE Transactions on
       Neural Networks 14(6), 1569-1572.
    .. [2] Pauli, R., Weidel, P., Kunkel, S., Morrison, A. (2018). Reproducing
       polychronization: a guide to maximizing the reproducibility of spiking network
       models. Front. Neuroinform. 12, 46.
    .. [3] NEST Simulator, ``models/izhikevich.cpp``.
    """

    _default_name = "izhikevich"
    EQUATIONS = """
dV_m/dt = (0.04*V_m**2/mV + 5*V_m + 140*mV - U_m)/ms + (I_e + I_syn)/pF : volt
dU_m/dt = a*(b*V_m - U_m) : volt
"""
    PARAMETERS = {
        "a": 0.02 / units.ms, "b": 0.2, "c": -65.0 * units.mV, "d": 8.0 * units.mV,
        "V_th": 30.0 * units.mV, "I_e": 0.0 * units.pA,
    }
    INITIAL = {"V_m": "-65*mV", "U_m": "-13*mV"}
    THRESHOLD = "V_m >= V_th"
    RESET = "V_m = c\nU_m += d"
    METHOD = "euler"
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = "V_m_post += weight"
    NATIVE_WEIGHT_UNIT = "volt"

    def __init__(self, N, *, consistent_integration: bool = True, **kwargs) -> None:
        _refuse(type(self), kwargs, ("V_min",))
        if consistent_integration is not True:
            raise ValueError(f"izhikevich: consistent_integration={consistent_integration!r} "
                             "(the paper's half-step scheme) is not implemented; only NEST's "
                             "default True (forward Euler) is")
        super().__init__(N, **kwargs)


def _hh_gates_at(v_mV: float) -> dict:
    """NEST's ``hh_psc_alpha`` gates at their steady state at ``v_mV`` (NEST's formulas)."""
    alpha_n = 0.01 * (v_mV + 55.0) / (1.0 - np.exp(-(v_mV + 55.0) / 10.0))
    beta_n = 0.125 * np.exp(-(v_mV + 65.0) / 80.0)
    alpha_m = 0.1 * (v_mV + 40.0) / (1.0 - np.exp(-(v_mV + 40.0) / 10.0))
    beta_m = 4.0 * np.exp(-(v_mV + 65.0) / 18.0)
    alpha_h = 0.07 * np.exp(-(v_mV + 65.0) / 20.0)
    beta_h = 1.0 / (1.0 + np.exp(-(v_mV + 35.0) / 10.0))
    return {"Act_m": float(alpha_m / (alpha_m + beta_m)),
            "Inact_h": float(alpha_h / (alpha_h + beta_h)),
            "Act_n": float(alpha_n / (alpha_n + beta_n))}


class hh_psc_alpha(NeuronModel):
    r"""Hodgkin–Huxley neuron with alpha-shaped postsynaptic currents (NEST).

    .. math::

        C_m \frac{dV_m}{dt} &= -g_{Na} m^3 h (V_m - E_{Na}) - g_K n^4 (V_m - E_K)
            - g_L (V_m - E_L) + I_{syn,ex} + I_{syn,in} + I_e + I_{syn} \\
        \frac{dx}{dt} &= \alpha_x(V_m)(1 - x) - \beta_x(V_m)\,x,
            \qquad x \in \{m, h, n\} = \{Act\_m, Inact\_h, Act\_n\} \\
        \frac{dI_{syn,X}}{dt} &= \frac{h_X - I_{syn,X}}{\tau_{syn,X}}, \qquad
        \frac{dh_X}{dt} = -\frac{h_X}{\tau_{syn,X}}

    Hodgkin & Huxley's squid axon (rest at -65 mV) on a 100 pF membrane, in NEST's units
    (rates in 1/ms with ``V_m`` in mV). A spike of weight ``w`` adds ``e*w`` to ``h_X``:
    the current ``w*(t/tau_syn)*exp(1 - t/tau_syn)`` peaks at ``w`` at ``t = tau_syn``
    (NEST's normalisation; NEST's state ``dI_ex`` is ``h_ex/tau_syn_ex``). Equations
    (``hh_psc_alpha.EQUATIONS``)::

        dV_m/dt = (-g_Na*Act_m**3*Inact_h*(V_m - E_Na) - g_K*Act_n**4*(V_m - E_K)
                   - g_L*(V_m - E_L) + I_syn_ex + I_syn_in + I_e + I_syn)/C_m : volt
        dAct_m/dt = alpha_m*(1 - Act_m) - beta_m*Act_m : 1
        dInact_h/dt = alpha_h*(1 - Inact_h) - beta_h*Inact_h : 1
        dAct_n/dt = alpha_n*(1 - Act_n) - beta_n*Act_n : 1
        dI_syn_ex/dt = (h_ex - I_syn_ex)/tau_syn_ex : amp
        dh_ex/dt = -h_ex/tau_syn_ex : amp
        dI_syn_in/dt = (h_in - I_syn_in)/tau_syn_in : amp
        dh_in/dt = -h_in/tau_syn_in : amp
        alpha_m = 1/exprel(-(V_m + 40*mV)/(10*mV))/ms : Hz
        beta_m = 4*exp(-(V_m + 65*mV)/(18*mV))/ms : Hz
        alpha_h = 0.07*exp(-(V_m + 65*mV)/(20*mV))/ms : Hz
        beta_h = 1/(1 + exp(-(V_m + 35*mV)/(10*mV)))/ms : Hz
        alpha_n = 0.1/exprel(-(V_m + 55*mV)/(10*mV))/ms : Hz
        beta_n = 0.125*exp(-(V_m + 65*mV)/(80*mV))/ms : Hz
        V_m_old = V_m : volt (constant over dt)

    Spikes as NEST detects them: there is no reset, and a spike is emitted at the end of
    the first step in which ``V_m`` is at or above 0 mV and lower than at the step's
    start (the peak was passed): ``threshold='V_m >= 0*mV and V_m < V_m_old'``
    (``V_m_old`` is ``V_m`` at the start of the step). ``t_ref`` only blocks the
    detection, for ``t_ref/dt`` steps after the step of a spike, as NEST's refractory
    counter does (``refractory='t_ref + dt'``, no ``(unless refractory)``); with a
    ``t_ref`` shorter than the time ``V_m`` takes to fall back below 0 mV a spike is
    detected again, in NEST as here.

    Integration: RK4 in 4 sub-steps of ``dt/4`` per step
    (:class:`spikeloom.integrators.Substeps`; ``hh_psc_alpha.METHOD``). NEST uses GSL's
    adaptive RKF45 (absolute tolerance 1e-3), whose ``V_m`` is within 2e-3 mV of the exact
    solution. At ``dt = 0.1 ms`` classic RK4 is unstable on the upstroke (the sodium
    conductance makes ``V_m`` relax at up to ~50/ms, beyond RK4's bound 2.8/dt) and
    diverges to NaN on the first spike's downstroke. Exponential Euler is stable but first
    order: with ``I_e = 700 pA`` each spike came 0.5 ms late and the period 5 % long (NEST
    2.7, 20.0 ... 88.6 ms; exponential Euler 3.2, 21.4 ... 93.5 ms); in the reference
    protocols ``V_m`` was 1.5 to 2.1 mV off before the first spike, each spike 0.6 to
    0.7 ms late, and 8 of NEST's 22 detections in ``hh_psc_alpha_tref`` were missing (the
    spike's shape differs). Two sub-steps are at the edge of RK4's stability at the
    spike's peak; four keep ``V_m`` within 6e-3 mV of NEST, spikes included, and every
    spike in NEST's step (``docs/nest_models.md``; more sub-steps gain little, NEST's own
    error is 2e-3 mV). They stay stable while ``V_m`` is above about -120 mV (below,
    ``beta_m`` exceeds RK4's bound; NEST, adaptive, has no such limit).

    Parameters
    ----------
    N : int
        Number of neurons.
    t_ref : Quantity, second
        Time after a spike during which no spike is detected (default 2 ms).
    g_Na, g_K, g_L : Quantity, siemens
        Sodium, potassium and leak conductances (12000, 3600, 30 nS).
    C_m : Quantity, farad
        Capacitance (default 100 pF).
    E_Na, E_K, E_L : Quantity, volt
        Reversal potentials (50, -77, -54.402 mV).
    tau_syn_ex, tau_syn_in : Quantity, second
        Rise times of the excitatory and inhibitory alpha currents (0.2 ms, 2 ms).
    I_e : Quantity (amp) or str
        Constant external current (default 0 pA).
    method : str or integration method
        Default: RK4 in 4 sub-steps (see above).
    init : dict, optional
        Initial values; NEST's are ``V_m = -65 mV`` and the gates at their steady state at
        -65 mV (``Act_m`` = 0.0529, ``Inact_h`` = 0.5961, ``Act_n`` = 0.3177), whatever the
        parameters; currents 0. Setting ``V_m`` leaves the gates alone, as in NEST.

    Notes
    -----
    A projection with ``synapse=None`` feeds the excitatory receptor when its weight (amp,
    the peak current) is > 0 and the inhibitory one otherwise, as NEST's
    ``handle(SpikeEvent)`` does. Library kinetics with an output (CUBA/COBA) add to
    ``I_syn`` instead. The rates use ``exprel`` where NEST divides
    ``(V + 40)/(1 - exp(-(V + 40)/10))`` directly (the same values, without NEST's 0/0 at
    exactly -40 and -55 mV).

    References
    ----------
    .. [1] Hodgkin, A. L., Huxley, A. F. (1952). A quantitative description of membrane
       current and its application to conduction and excitation in nerve. J. Physiol. 117,
       500-544.
    .. [2] Gerstner, W., Kistler, W. M. (2002). Spiking neuron models. Cambridge University
       Press.
    .. [3] NEST Simulator, ``models/hh_psc_alpha.cpp``.
    """

    _default_name = "hh_psc_alpha"
    EQUATIONS = """
dV_m/dt = (-g_Na*Act_m**3*Inact_h*(V_m - E_Na) - g_K*Act_n**4*(V_m - E_K) - g_L*(V_m - E_L)
           + I_syn_ex + I_syn_in + I_e + I_syn)/C_m : volt
dAct_m/dt = alpha_m*(1 - Act_m) - beta_m*Act_m : 1
dInact_h/dt = alpha_h*(1 - Inact_h) - beta_h*Inact_h : 1
dAct_n/dt = alpha_n*(1 - Act_n) - beta_n*Act_n : 1
dI_syn_ex/dt = (h_ex - I_syn_ex)/tau_syn_ex : amp
dh_ex/dt = -h_ex/tau_syn_ex : amp
dI_syn_in/dt = (h_in - I_syn_in)/tau_syn_in : amp
dh_in/dt = -h_in/tau_syn_in : amp
alpha_m = 1/exprel(-(V_m + 40*mV)/(10*mV))/ms : Hz
beta_m = 4*exp(-(V_m + 65*mV)/(18*mV))/ms : Hz
alpha_h = 0.07*exp(-(V_m + 65*mV)/(20*mV))/ms : Hz
beta_h = 1/(1 + exp(-(V_m + 35*mV)/(10*mV)))/ms : Hz
alpha_n = 0.1/exprel(-(V_m + 55*mV)/(10*mV))/ms : Hz
beta_n = 0.125*exp(-(V_m + 65*mV)/(80*mV))/ms : Hz
V_m_old = V_m : volt (constant over dt)
"""
    PARAMETERS = {
        "t_ref": 2.0 * units.ms, "g_Na": 12000.0 * units.nS, "g_K": 3600.0 * units.nS,
        "g_L": 30.0 * units.nS, "C_m": 100.0 * units.pF, "E_Na": 50.0 * units.mV,
        "E_K": -77.0 * units.mV, "E_L": -54.402 * units.mV, "tau_syn_ex": 0.2 * units.ms,
        "tau_syn_in": 2.0 * units.ms, "I_e": 0.0 * units.pA,
    }
    # NEST starts at -65 mV with the gates at their steady state there, whatever the
    # parameters (numbers, so that init={'V_m': ...} does not move the gates)
    INITIAL = {"V_m": "-65*mV", **_hh_gates_at(-65.0)}
    THRESHOLD = "V_m >= 0*mV and V_m < V_m_old"
    REFRACTORY = "t_ref + dt"
    METHOD = Substeps(get_method("rk4"), 4)
    POTENTIAL = "V_m"
    INPUT_UNIT = "amp"
    EXTERNAL = "I_e"
    PER_NEURON = ("I_e",)
    NATIVE_ON_SPIKE = ("h_ex_post += e*weight*int(weight > 0)\n"
                       "h_in_post += e*weight*int(weight <= 0)")
    NATIVE_WEIGHT_UNIT = "amp"

    def __init__(self, N, **kwargs) -> None:
        super().__init__(N, **kwargs)
        _require(self, ("C_m",), lambda c: c > 0, "C_m must be > 0")
        _require(self, ("t_ref",), lambda t: t >= 0, "t_ref must be >= 0")
        for tau in ("tau_syn_ex", "tau_syn_in"):
            _require(self, (tau,), lambda t: t > 0, f"{tau} must be > 0")
        for g in ("g_Na", "g_K", "g_L"):
            _require(self, (g,), lambda x: x >= 0, f"{g} must be >= 0")
