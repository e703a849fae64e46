"""Single-exponential synapse (``Expon``)."""

from __future__ import annotations

from ... import units
from ._base import Kinetics


class Expon(Kinetics):
    r"""Exponentially decaying conductance (BrainPy's ``Expon``).

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau}, \qquad g \leftarrow g + 1 \text{ at each spike}

    so the impulse response of one synapse is ``g(t) = exp(-t/tau)`` for ``t >= 0``.

    Equations (per synapse)::

        dg/dt = -g/tau : 1
        # on a presynaptic spike:
        g += 1

    Parameters
    ----------
    tau : Quantity, second
        Decay time constant (default 8 ms, BrainPy's).

    Notes
    -----
    Linear and driven only by presynaptic spikes: every alignment is exact ('post' is the
    cheapest and the default; there ``g`` holds the weighted sum and jumps by ``w``).
    Integrated exactly.

    References
    ----------
    .. [1] Sterratt, D., Graham, B., Gillies, A., Willshaw, D. (2011). Principles of
       Computational Modelling in Neuroscience, ch. 7.2. Cambridge University Press.
    """

    EQUATIONS = "dg/dt = -g/tau : {u}"
    PARAMETERS = {"tau": 8.0 * units.ms}
    ON_SPIKE = "g += {q}"
    LINEAR = True
    METHOD = "exact"
