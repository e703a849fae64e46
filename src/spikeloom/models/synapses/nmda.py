"""NMDA receptor with second-order kinetics (``NMDA``); use it with ``MgBlock``."""

from __future__ import annotations

from ... import units
from ._base import Kinetics


class NMDA(Kinetics):
    r"""NMDA receptor conductance with second-order kinetics (BrainPy's ``NMDA``).

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau_{decay}} + a\,x\,(1 - g), \qquad
        \frac{dx}{dt} = -\frac{x}{\tau_{rise}}, \qquad x \leftarrow x + 1 \text{ at a spike}

    The voltage dependence (Mg2+ block) is the output's job: ``MgBlock``.

    Equations (per synapse)::

        dg/dt = -g/tau_decay + a*x*(1 - g) : 1
        dx/dt = -x/tau_rise : 1
        # on a presynaptic spike:
        x += 1

    Parameters
    ----------
    a : Quantity, 1/second
        Gating rate (default 0.5 /ms).
    tau_decay : Quantity, second
        Decay time constant (default 100 ms).
    tau_rise : Quantity, second
        Rise time constant of ``x`` (default 2 ms).

    Notes
    -----
    ``g`` saturates (``a*x*(1 - g)``), so the state is per presynaptic neuron (default) or
    per synapse. Integrated with exponential Euler (BrainPy's ``exp_auto``); ``x`` is exact.

    References
    ----------
    .. [1] Wang, X.-J. (2002). Probabilistic decision making by slow reverberation in
       cortical circuits. Neuron 36(5), 955-968.
    .. [2] Jahr, C. E., Stevens, C. F. (1990). Voltage dependence of NMDA-activated
       macroscopic conductances predicted by single-channel kinetics. J. Neurosci. 10,
       3178-3182.
    """

    EQUATIONS = """
dg/dt = -g/tau_decay + a*x*(1 - g) : {u}
dx/dt = -x/tau_rise : 1
"""
    PARAMETERS = {"a": 0.5 / units.ms, "tau_decay": 100.0 * units.ms, "tau_rise": 2.0 * units.ms}
    STATE = ("g", "x")
    ON_SPIKE = "x += {q}"
    LINEAR = False
    NONLINEAR_REASON = "g saturates at 1 (the term a*x*(1 - g))"
    METHOD = "exponential_euler"
