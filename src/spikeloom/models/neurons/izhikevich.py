"""Izhikevich's simple model (``Izhikevich``)."""

from __future__ import annotations

from ... import units
from ._base import NeuronModel


class Izhikevich(NeuronModel):
    r"""Izhikevich's simple spiking model (Izhikevich 2003; BrainPy's ``Izhikevich``).

    .. math::

        \frac{dV}{dt} &= p_1 V^2 + p_2 V + p_3 - u + I_{syn} + I_{ext} \\
        \frac{du}{dt} &= a (b V - u) \\
        V \ge V_{th} &\Rightarrow V \leftarrow c,\; u \leftarrow u + d

    Equations (``Izhikevich.EQUATIONS``)::

        dV/dt = p1*V**2 + p2*V + p3 - u + I_syn + I_ext : volt
        du/dt = a*(b*V - u) : volt/second

    Parameters
    ----------
    N : int
        Number of neurons.
    a : Quantity, 1/second
        Recovery rate (default 0.02 /ms; regular spiking).
    b : Quantity, 1/second
        Recovery sensitivity (default 0.2 /ms).
    c : Quantity, volt
        Reset potential (default -65 mV).
    d : Quantity, volt/second
        Recovery increment at a spike (default 8 mV/ms).
    V_th : Quantity, volt
        Spike cut-off (default 30 mV).
    p1 : Quantity, 1/(volt*second)
        Quadratic coefficient (default 0.04 /(mV ms)).
    p2 : Quantity, 1/second
        Linear coefficient (default 5 /ms).
    p3 : Quantity, volt/second
        Constant term (default 140 mV/ms).
    I_ext : Quantity (volt/second) or str
        External input in the paper's units (mV/ms; the paper's ``I = 10`` is 10 mV/ms).
    method : str
        Integration method (default ``'euler'``).
    init : dict, optional
        ``V`` starts at -70 mV (BrainPy) and ``u`` at ``b*V``.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    Notes
    -----
    The input hook is in volt/second (the paper's units), so a COBA output's weight has
    unit 1/second and a CUBA output's weight volt/second. The regular-spiking cell fires
    tonically for ``I_ext = 10 mV/ms`` (the test compares its rate with an independent
    fine-step integration of the paper's equations).

    References
    ----------
    .. [1] Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE Transactions on
       Neural Networks 14(6), 1569-1572.
    """

    _default_name = "izhikevich"
    EQUATIONS = """
dV/dt = p1*V**2 + p2*V + p3 - u + I_syn + I_ext : volt
du/dt = a*(b*V - u) : volt/second
"""
    PARAMETERS = {
        "a": 0.02 / units.ms, "b": 0.2 / units.ms, "c": -65.0 * units.mV,
        "d": 8.0 * units.mV / units.ms,
        "V_th": 30.0 * units.mV, "p1": 0.04 / (units.mV * units.ms), "p2": 5.0 / units.ms,
        "p3": 140.0 * units.mV / units.ms,
    }
    INITIAL = {"V": "-70*mV", "u": "b*V"}
    THRESHOLD = "V >= V_th"
    RESET = "V = c\nu += d"
    METHOD = "euler"
    INPUT_UNIT = "volt/second"
