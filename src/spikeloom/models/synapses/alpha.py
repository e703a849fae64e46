"""Alpha-function synapse (``Alpha``)."""

from __future__ import annotations

from ... import units
from ._base import Kinetics


class Alpha(Kinetics):
    r"""Alpha-function conductance (BrainPy's ``Alpha``).

    .. math::

        \frac{dg}{dt} = \frac{h - g}{\tau_{decay}}, \qquad
        \frac{dh}{dt} = -\frac{h}{\tau_{decay}}, \qquad h \leftarrow h + 1 \text{ at a spike}

    so that the impulse response is ``g(t) = (t/tau_decay)*exp(-t/tau_decay)``, peaking at
    ``1/e`` at ``t = tau_decay`` (BrainPy's normalisation).

    Equations (per synapse)::

        dg/dt = (h - g)/tau_decay : 1
        dh/dt = -h/tau_decay : 1
        # on a presynaptic spike:
        h += 1

    Parameters
    ----------
    tau_decay : Quantity, second
        Time constant (default 10 ms).

    Notes
    -----
    Linear: every alignment is exact.

    References
    ----------
    .. [1] Rall, W. (1967). Distinguishing theoretical synaptic potentials computed for
       different soma-dendritic distributions of synaptic input. J. Neurophysiol. 30,
       1138-1168.
    """

    EQUATIONS = """
dg/dt = (h - g)/tau_decay : {u}
dh/dt = -h/tau_decay : {u}
"""
    PARAMETERS = {"tau_decay": 10.0 * units.ms}
    STATE = ("g", "h")
    ON_SPIKE = "h += {q}"
    LINEAR = True
    METHOD = "exact"
