"""Leaky integrate-and-fire neurons: ``LIF`` and ``LifRef`` (with absolute refractoriness)."""

from __future__ import annotations

from ... import units
from ._base import NeuronModel

_LIF_PARAMETERS = {
    "V_rest": 0.0 * units.mV,
    "V_reset": -5.0 * units.mV,
    "V_th": 20.0 * units.mV,
    "R": 1.0 * units.Mohm,
    "tau": 10.0 * units.ms,
}


class LIF(NeuronModel):
    r"""Leaky integrate-and-fire neuron (BrainPy's ``Lif``; Lapicque 1907, Abbott 1999).

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R\,(I_{syn} + I_{ext}),
        \qquad V > V_{th} \Rightarrow V \leftarrow V_{reset}

    Equations (``LIF.EQUATIONS``)::

        dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt

    Parameters
    ----------
    N : int
        Number of neurons.
    V_rest : Quantity, volt
        Resting potential (default 0 mV).
    V_reset : Quantity, volt
        Reset potential (default -5 mV).
    V_th : Quantity, volt
        Threshold (default 20 mV); a spike when ``V > V_th`` after the step's update.
    R : Quantity, ohm
        Membrane resistance (default 1 Mohm: BrainPy's dimensionless ``R = 1`` with
        currents in nA and potentials in mV).
    tau : Quantity, second
        Membrane time constant (default 10 ms).
    I_ext : Quantity (amp) or str
        External current, per neuron, or an expression such as ``'stim(t)'`` (default 0).
    method : str or tuple of str
        Integration method (default ``('exact', 'exponential_euler')``: the first that
        applies; both are exact for an input that is constant over the step, as BrainPy's
        ``exp_auto``, and 'exact' also integrates linear per-postsynaptic synapse states
        such as ``Alpha`` exactly).
    init : dict, optional
        Initial values; ``V`` starts at ``V_rest`` by default.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    Notes
    -----
    BrainPy's defaults are kept (in physical units) so that models translate one to one;
    BrainPy's threshold test is ``V >= V_th``, spikeloom's ``V > V_th`` (they differ only when
    ``V`` lands exactly on the threshold). Synaptic currents enter through ``I_syn`` (see
    :mod:`spikeloom.models.neurons`).

    References
    ----------
    .. [1] Abbott, L. F. (1999). Lapicque's introduction of the integrate-and-fire model
       neuron (1907). Brain Research Bulletin 50(5-6), 303-304.

    Examples
    --------
    >>> from spikeloom.models import LIF
    >>> from spikeloom import mV
    >>> print(LIF(10, V_th=15*mV).EQUATIONS.strip())
    dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt
    """

    _default_name = "lif"
    EQUATIONS = """
dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt
"""
    PARAMETERS = dict(_LIF_PARAMETERS)
    INITIAL = {"V": "V_rest"}
    THRESHOLD = "V > V_th"
    RESET = "V = V_reset"
    METHOD = ("exact", "exponential_euler")
    INPUT_UNIT = "amp"


class LifRef(NeuronModel):
    r"""Leaky integrate-and-fire neuron with absolute refractoriness (BrainPy's ``LifRef``).

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + R\,(I_{syn} + I_{ext})
        \quad\text{(held while refractory)},
        \qquad V > V_{th} \Rightarrow V \leftarrow V_{reset}

    Equations (``LifRef.EQUATIONS``)::

        dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt (unless refractory)

    with ``refractory='tau_ref'``, ``threshold='V > V_th'``, ``reset='V = V_reset'``.

    Parameters
    ----------
    N : int
        Number of neurons.
    V_rest : Quantity, volt
        Resting potential (default 0 mV).
    V_reset : Quantity, volt
        Reset potential (default -5 mV).
    V_th : Quantity, volt
        Threshold (default 20 mV).
    R : Quantity, ohm
        Membrane resistance (default 1 Mohm, i.e. BrainPy's ``R = 1`` with nA and mV).
    tau : Quantity, second
        Membrane time constant (default 10 ms).
    tau_ref : Quantity, second
        Absolute refractory period (default 0 ms, as BrainPy). ``V`` is held for
        ``tau_ref`` after a spike with Brian2's rule: integration resumes at the first step
        whose ``timestep(t - lastspike) >= timestep(tau_ref)``.
    I_ext : Quantity (amp) or str
        External current (default 0).
    method : str or tuple of str
        Integration method (default ``('exact', 'exponential_euler')``, see :class:`LIF`).
    init : dict, optional
        Initial values; ``V`` starts at ``V_rest`` by default.
    name : str, optional
        A unique name (default: the model's, numbered).
    order : int
        Position of the group's update within the ``groups`` slot (default 0).

    Notes
    -----
    BrainPy holds ``V`` while ``t - t_last_spike <= tau_ref`` (one step longer than Brian2's
    rule used here); with the COBA benchmark's 5 ms this is 50 held steps here and 51 in
    BrainPy. The f–I curve with exact integration is
    ``ISI = (n_ref - 1 + m*)*dt`` with ``n_ref = timestep(tau_ref)`` and ``m*`` the first step
    count at which ``V_inf + (V_reset - V_inf)*exp(-m*dt/tau)`` exceeds ``V_th``.

    References
    ----------
    .. [1] Abbott, L. F. (1999). Lapicque's introduction of the integrate-and-fire model
       neuron (1907). Brain Research Bulletin 50(5-6), 303-304.
    .. [2] Gerstner, W., Kistler, W. M., Naud, R., Paninski, L. (2014). Neuronal Dynamics,
       ch. 1.3. Cambridge University Press.

    Examples
    --------
    >>> from spikeloom.models import LifRef
    >>> from spikeloom import mV, ms
    >>> n = LifRef(2, V_rest=-60*mV, V_th=-50*mV, V_reset=-60*mV, tau=20*ms, tau_ref=5*ms)
    >>> print(n.parameters['tau_ref'])
    5. ms
    >>> print(n.equations.splitlines()[0])
    dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt (unless refractory)
    """

    _default_name = "lifref"
    EQUATIONS = """
dV/dt = (-(V - V_rest) + R*(I_syn + I_ext))/tau : volt (unless refractory)
"""
    PARAMETERS = {**_LIF_PARAMETERS, "tau_ref": 0.0 * units.ms}
    INITIAL = {"V": "V_rest"}
    THRESHOLD = "V > V_th"
    RESET = "V = V_reset"
    REFRACTORY = "tau_ref"
    METHOD = ("exact", "exponential_euler")
    INPUT_UNIT = "amp"
