"""Difference-of-exponentials synapse (``DualExpon``)."""

from __future__ import annotations

import numpy as np

from ... import units
from ._base import Kinetics


class DualExpon(Kinetics):
    r"""Dual-exponential conductance with its peak normalised to 1 (BrainPy's ``DualExpon``).

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau_{decay}} + h, \qquad
        \frac{dh}{dt} = -\frac{h}{\tau_{rise}}, \qquad h \leftarrow h + a \text{ at a spike}

    with :math:`a = \frac{1}{\tau_{rise}} (\tau_{rise}/\tau_{decay})^{\tau_{rise}/(\tau_{rise}
    - \tau_{decay})}` (``e/tau`` when the two are equal), so that the impulse response

    .. math::

        g(t) = a\,\frac{\tau_d \tau_r}{\tau_d - \tau_r}\left(e^{-t/\tau_d} - e^{-t/\tau_r}\right)

    peaks at 1 at :math:`t^* = \frac{\tau_d\tau_r}{\tau_d - \tau_r}\ln(\tau_d/\tau_r)`.

    Equations (per synapse)::

        dg/dt = -g/tau_decay + h : 1
        dh/dt = -h/tau_rise : 1/second
        # on a presynaptic spike:
        h += a_norm

    Parameters
    ----------
    tau_decay : Quantity, second
        Decay time constant (default 10 ms).
    tau_rise : Quantity, second
        Rise time constant (default 1 ms).

    Notes
    -----
    Linear: every alignment is exact. Integrated exactly (per synapse or per presynaptic
    neuron); per postsynaptic neuron it follows the neuron's method.

    References
    ----------
    .. [1] Roth, A., van Rossum, M. C. W. (2009). Modeling synapses. In: Computational
       Modeling Methods for Neuroscientists, MIT Press.
    """

    EQUATIONS = """
dg/dt = -g/tau_decay + h : {u}
dh/dt = -h/tau_rise : ({u})/second
"""
    PARAMETERS = {"tau_decay": 10.0 * units.ms, "tau_rise": 1.0 * units.ms}
    STATE = ("g", "h")
    ON_SPIKE = "h += a_norm*{q}"
    LINEAR = True
    METHOD = "exact"

    def __init__(self, **parameters) -> None:
        super().__init__(**parameters)
        p = self.parameters
        if not (float(p["tau_decay"] / units.ms) > 0 and float(p["tau_rise"] / units.ms) > 0):
            raise ValueError(f"DualExpon: tau_decay and tau_rise must be > 0, got {p}")

    @property
    def a_norm(self):
        """The jump of ``h`` per spike that normalises the peak of ``g`` to 1 (1/second)."""
        tr = float(self.parameters["tau_rise"] / units.second)
        td = float(self.parameters["tau_decay"] / units.second)
        if tr == td:
            return np.e / tr / units.second
        return (tr / td) ** (tr / (tr - td)) / tr / units.second

    def namespace(self) -> dict:
        return {**self.parameters, "a_norm": self.a_norm}
