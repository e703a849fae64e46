"""PyNN's standard cell types, written as spikeloom equation strings.

Every cell type keeps PyNN's parameter names as the names of its spikeloom variables;
values are stored in SI units (the translations scale PyNN's ms, mV, nA, nF, uS, Hz to
second, volt, ampere, farad, siemens, hertz). The synaptic inputs are the state variables
``isyn_exc``/``isyn_inh`` (current-based, A) or ``gsyn_exc``/``gsyn_inh``
(conductance-based, S); an alpha synapse adds ``y_exc``/``y_inh``, the variable a spike
increments. ``i_inj`` (A) carries the current sources.
"""

from __future__ import annotations

import numpy as np
from pyNN.standardmodels import build_translations, cells

from ..core import NeuronGroup, SpikeGeneratorGroup

_MS, _MV, _NA, _NF, _US, _NS = 1e-3, 1e-3, 1e-9, 1e-9, 1e-6, 1e-9

_LIF_PARAMETERS = (
    ("v_rest", _MV, "volt"), ("cm", _NF, "farad"), ("tau_m", _MS, "second"),
    ("tau_refrac", _MS, "second"), ("tau_syn_E", _MS, "second"),
    ("tau_syn_I", _MS, "second"), ("i_offset", _NA, "amp"), ("v_reset", _MV, "volt"),
    ("v_thresh", _MV, "volt"),
)
_COND_PARAMETERS = (("e_rev_E", _MV, "volt"), ("e_rev_I", _MV, "volt"))

_LEAK = "dv/dt = (v_rest - v)/tau_m + (I_syn + i_offset + i_inj)/cm : volt (unless refractory)"

_SYNAPSES = {
    ("curr", "exp"): """
        disyn_exc/dt = -isyn_exc/tau_syn_E : amp
        disyn_inh/dt = -isyn_inh/tau_syn_I : amp
        I_syn = isyn_exc + isyn_inh : amp""",
    ("curr", "alpha"): """
        disyn_exc/dt = (2.718281828459045*y_exc - isyn_exc)/tau_syn_E : amp
        dy_exc/dt = -y_exc/tau_syn_E : amp
        disyn_inh/dt = (2.718281828459045*y_inh - isyn_inh)/tau_syn_I : amp
        dy_inh/dt = -y_inh/tau_syn_I : amp
        I_syn = isyn_exc + isyn_inh : amp""",
    ("cond", "exp"): """
        dgsyn_exc/dt = -gsyn_exc/tau_syn_E : siemens
        dgsyn_inh/dt = -gsyn_inh/tau_syn_I : siemens
        I_syn = gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v) : amp""",
    ("cond", "alpha"): """
        dgsyn_exc/dt = (2.718281828459045*y_exc - gsyn_exc)/tau_syn_E : siemens
        dy_exc/dt = -y_exc/tau_syn_E : siemens
        dgsyn_inh/dt = (2.718281828459045*y_inh - gsyn_inh)/tau_syn_I : siemens
        dy_inh/dt = -y_inh/tau_syn_I : siemens
        I_syn = gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v) : amp""",
}


def _declarations(parameters) -> str:
    return "\n".join(f"{name} : {unit}" for name, _, unit in parameters) + "\ni_inj : amp"


def _translations(parameters):
    return build_translations(*[(name, name, scale) for name, scale, _ in parameters])


def _targets(kind: str, shape: str) -> dict:
    """receptor type -> (variable a spike increments, the unit of PyNN's weight)."""
    variable = {"curr": "isyn", "cond": "gsyn"}[kind] if shape == "exp" else "y"
    unit = {"curr": "nA", "cond": "uS"}[kind]
    return {"excitatory": (f"{variable}_exc", unit), "inhibitory": (f"{variable}_inh", unit)}


class SpikeloomCellType:
    """What this backend adds to a PyNN standard cell type (a mix-in).

    Attributes
    ----------
    eqs : str
        The spikeloom model string.
    threshold, reset : str
        The spike condition and reset statements.
    refractory : str or bool
        The refractory period (an expression, or False).
    method : str
        The integration method.
    state_scale : dict
        PyNN state variable -> the factor from PyNN's unit to SI.
    targets : dict
        Receptor type -> (variable a spike increments, unit of the weight).
    """

    eqs = ""
    threshold = "v >= v_thresh"
    reset = "v = v_reset"
    refractory = "tau_refrac + dt"
    method = "exact"
    state_scale: dict = {}
    targets: dict = {}

    def build_group(self, size: int, dt):
        """The spikeloom group of ``size`` cells of this type (parameters unset).

        Parameters
        ----------
        size : int
            Number of cells.
        dt : Quantity (time)
            The time step.

        Returns
        -------
        NeuronGroup
        """
        return NeuronGroup(size, self.eqs, threshold=self.threshold, reset=self.reset,
                           refractory=self.refractory, method=self.method, dt=dt,
                           namespace={})


def _lif(kind: str, shape: str, base):
    parameters = _LIF_PARAMETERS + (_COND_PARAMETERS if kind == "cond" else ())
    unit = _NA if kind == "curr" else _US
    prefix = "isyn_" if kind == "curr" else "gsyn_"
    scale = {"v": _MV, prefix + "exc": unit, prefix + "inh": unit}
    if shape == "alpha":
        scale.update(y_exc=unit, y_inh=unit)
    attributes = {
        "__doc__": base.__doc__,
        "eqs": "\n".join([_LEAK, _SYNAPSES[kind, shape], _declarations(parameters)]),
        "translations": _translations(parameters),
        "state_scale": scale,
        "targets": _targets(kind, shape),
        "method": "exact" if kind == "curr" else "rk4",
        "__module__": __name__,
    }
    return type(base.__name__, (SpikeloomCellType, base), attributes)


IF_curr_exp = _lif("curr", "exp", cells.IF_curr_exp)
IF_curr_alpha = _lif("curr", "alpha", cells.IF_curr_alpha)
IF_cond_exp = _lif("cond", "exp", cells.IF_cond_exp)
IF_cond_alpha = _lif("cond", "alpha", cells.IF_cond_alpha)


class IF_curr_delta(SpikeloomCellType, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__ + """
    spikeloom: a spike adds the weight (mV) to ``v`` when it arrives, also during the
    refractory period (where ``v`` stays at ``v_reset``, so it is lost).
    """
    eqs = "\n".join([_LEAK, "I_syn = 0*amp : amp",
                     _declarations(tuple(p for p in _LIF_PARAMETERS
                                         if not p[0].startswith("tau_syn")))])
    translations = _translations(tuple(p for p in _LIF_PARAMETERS
                                       if not p[0].startswith("tau_syn")))
    state_scale = {"v": _MV}
    targets = {"excitatory": ("v", "mV"), "inhibitory": ("v", "mV")}


_EIF_PARAMETERS = (
    ("cm", _NF, "farad"), ("tau_refrac", _MS, "second"), ("v_spike", _MV, "volt"),
    ("v_reset", _MV, "volt"), ("v_rest", _MV, "volt"), ("tau_m", _MS, "second"),
    ("i_offset", _NA, "amp"), ("a", _NS, "siemens"), ("b", _NA, "amp"),
    ("delta_T", _MV, "volt"), ("tau_w", _MS, "second"), ("v_thresh", _MV, "volt"),
    ("e_rev_E", _MV, "volt"), ("tau_syn_E", _MS, "second"), ("e_rev_I", _MV, "volt"),
    ("tau_syn_I", _MS, "second"),
)


def _eif(shape: str, base):
    attributes = {
        "__doc__": base.__doc__ + """
    spikeloom: RK4 on the PyNN/NEST equations, spike at ``v > v_spike``, then
    ``v = v_reset``, ``w += b``; ``w`` is integrated during the refractory period, ``v`` is
    held at ``v_reset``. The exponential is capped at ``v = v_spike`` so that the step
    that crosses ``v_spike`` cannot overflow.
    """,
        "eqs": "\n".join([
            "dv/dt = (-(v - v_rest)*cm/tau_m + cm/tau_m*delta_T*exp((clip(v, -1*volt, "
            "v_spike) - v_thresh)/delta_T) - w + I_syn + i_offset + i_inj)/cm "
            ": volt (unless refractory)",
            "dw/dt = (a*(v - v_rest) - w)/tau_w : amp",
            _SYNAPSES["cond", shape], _declarations(_EIF_PARAMETERS)]),
        "threshold": "v > v_spike",
        "reset": "v = v_reset\nw += b",
        "method": "rk4",
        "translations": _translations(_EIF_PARAMETERS),
        "state_scale": {"v": _MV, "w": _NA, "gsyn_exc": _US, "gsyn_inh": _US,
                        **({"y_exc": _US, "y_inh": _US} if shape == "alpha" else {})},
        "targets": _targets("cond", shape),
        "__module__": __name__,
    }
    return type(base.__name__, (SpikeloomCellType, base), attributes)


EIF_cond_exp_isfa_ista = _eif("exp", cells.EIF_cond_exp_isfa_ista)
EIF_cond_alpha_isfa_ista = _eif("alpha", cells.EIF_cond_alpha_isfa_ista)


_HH_PARAMETERS = (
    ("gbar_Na", _US, "siemens"), ("gbar_K", _US, "siemens"), ("g_leak", _US, "siemens"),
    ("cm", _NF, "farad"), ("v_offset", _MV, "volt"), ("e_rev_Na", _MV, "volt"),
    ("e_rev_K", _MV, "volt"), ("e_rev_leak", _MV, "volt"), ("e_rev_E", _MV, "volt"),
    ("e_rev_I", _MV, "volt"), ("tau_syn_E", _MS, "second"), ("tau_syn_I", _MS, "second"),
    ("i_offset", _NA, "amp"),
)


class HH_cond_exp(SpikeloomCellType, cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__ + """
    spikeloom: the Traub-Miles equations of PyNN's NEST and Brian2 backends, RK4 in 4
    sub-steps per time step; a spike is counted when ``v`` crosses -40 mV upwards (the
    cell stays "refractory" for detection while ``v > -40 mV``). Gap junctions
    (``receptor_type='source_section.gap'``) are not supported.
    """
    eqs = "\n".join([
        "dv/dt = (g_leak*(e_rev_leak - v) - gbar_Na*m**3*h*(v - e_rev_Na)"
        " - gbar_K*n**4*(v - e_rev_K) + I_syn + i_offset + i_inj)/cm : volt",
        "dm/dt = alpham*(1 - m) - betam*m : 1",
        "dn/dt = alphan*(1 - n) - betan*n : 1",
        "dh/dt = alphah*(1 - h) - betah*h : 1",
        "alpham = 0.32/mV*(13*mV - v + v_offset)/(exp((13*mV - v + v_offset)/(4*mV)) - 1)/ms"
        " : Hz",
        "betam = 0.28/mV*(v - v_offset - 40*mV)/(exp((v - v_offset - 40*mV)/(5*mV)) - 1)/ms"
        " : Hz",
        "alphah = 0.128*exp((17*mV - v + v_offset)/(18*mV))/ms : Hz",
        "betah = 4/(1 + exp((40*mV - v + v_offset)/(5*mV)))/ms : Hz",
        "alphan = 0.032/mV*(15*mV - v + v_offset)/(exp((15*mV - v + v_offset)/(5*mV)) - 1)/ms"
        " : Hz",
        "betan = 0.5*exp((10*mV - v + v_offset)/(40*mV))/ms : Hz",
        _SYNAPSES["cond", "exp"], _declarations(_HH_PARAMETERS)])
    threshold = "v > -40*mV"
    reset = None
    refractory = "v > -40*mV"
    method = "rk4"
    translations = _translations(_HH_PARAMETERS)
    state_scale = {"v": _MV, "gsyn_exc": _US, "gsyn_inh": _US, "m": 1.0, "n": 1.0, "h": 1.0}
    targets = _targets("cond", "exp")

    def build_group(self, size, dt):
        """The spikeloom group (RK4 in 4 sub-steps); see :meth:`SpikeloomCellType.build_group`.

        Parameters
        ----------
        size : int
            Number of cells.
        dt : Quantity (time)
            The time step.

        Returns
        -------
        NeuronGroup
        """
        from ..integrators import Substeps, get_method

        return NeuronGroup(size, self.eqs, threshold=self.threshold, reset=None,
                           refractory=self.refractory, method=Substeps(get_method("rk4"), 4),
                           dt=dt, namespace={})


_IZH_PARAMETERS = (
    ("a", 1e3, "1/second"), ("b", 1e3, "1/second"), ("c", _MV, "volt"),
    ("d", 1.0, "volt/second"), ("i_offset", _NA, "amp"),
)


class Izhikevich(SpikeloomCellType, cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__ + """
    spikeloom: forward Euler, as NEST's ``izhikevich``; the input current is in nA with
    NEST's scale (1 pA drives 1 mV/ms); a spike at ``v >= 30 mV`` resets ``v = c`` and
    ``u += d``; a synaptic weight (mV) is added to ``v``.
    """
    eqs = "\n".join([
        "dv/dt = 0.04/ms/mV*v**2 + 5/ms*v + 140*mV/ms - u + (i_offset + i_inj)/pF : volt",
        "du/dt = a*(b*v - u) : volt/second",
        _declarations(_IZH_PARAMETERS)])
    threshold = "v >= 30*mV"
    reset = "v = c\nu += d"
    refractory = False
    method = "euler"
    translations = _translations(_IZH_PARAMETERS)
    state_scale = {"v": _MV, "u": 1.0}
    targets = {"excitatory": ("v", "mV"), "inhibitory": ("v", "mV")}


class SpikeSourcePoisson(SpikeloomCellType, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__ + """
    spikeloom: a spike in each time step with probability ``rate*dt``, in the steps with
    ``start <= t < start + duration``; ``rate``, ``start`` and ``duration`` can be set
    between runs.
    """
    eqs = "rate : Hz\nt_start : second\nduration : second"
    threshold = ("t >= t_start - dt/2 and t < t_start + duration - dt/2"
                 " and rand() < rate*dt")
    reset = None
    refractory = False
    translations = build_translations(("rate", "rate"), ("start", "t_start", _MS),
                                      ("duration", "duration", _MS))

    def build_group(self, size, dt):
        """The spikeloom group; see :meth:`SpikeloomCellType.build_group`.

        Parameters
        ----------
        size : int
            Number of sources.
        dt : Quantity (time)
            The time step.

        Returns
        -------
        NeuronGroup
        """
        return NeuronGroup(size, self.eqs, threshold=self.threshold, dt=dt, namespace={})


class SpikeSourceArray(SpikeloomCellType, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__ + """
    spikeloom: a ``SpikeGeneratorGroup``; each time (ms) is rounded to the time step, and
    ``spike_times`` can be set between runs (times already passed are ignored).
    """
    translations = build_translations(("spike_times", "spike_times"))

    def build_group(self, size, dt):
        """The spikeloom group, without spikes yet; see
        :meth:`SpikeloomCellType.build_group`.

        Parameters
        ----------
        size : int
            Number of sources.
        dt : Quantity (time)
            The time step.

        Returns
        -------
        SpikeGeneratorGroup
        """
        from ..units import second

        return SpikeGeneratorGroup(size, np.zeros(0, int), np.zeros(0) * second, dt=dt)


STANDARD_CELL_TYPES = [IF_curr_exp, IF_curr_alpha, IF_curr_delta, IF_cond_exp, IF_cond_alpha,
                       EIF_cond_exp_isfa_ista, EIF_cond_alpha_isfa_ista, HH_cond_exp,
                       Izhikevich, SpikeSourcePoisson, SpikeSourceArray]
