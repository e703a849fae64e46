"""Two-state Markov receptors with a transmitter pulse: ``AMPA`` and ``GABAa``."""

from __future__ import annotations

from ... import units
from ._base import Kinetics

_PULSE_EQUATIONS = """
dg/dt = alpha*T_pulse*(1 - g) - beta*g : {u}
T_pulse = T*int(timestep(t - t_arrival, dt) < timestep(T_dur, dt)) : mmolar
"""


class AMPA(Kinetics):
    r"""AMPA receptor: two-state Markov kinetics driven by a transmitter pulse (BrainPy's ``AMPA``).

    .. math::

        \frac{dg}{dt} = \alpha [T] (1 - g) - \beta g,
        \qquad [T] = T \text{ for } T_{dur} \text{ after each presynaptic spike, else } 0

    A new spike restarts the pulse. While the pulse is on, ``g`` relaxes to
    ``g_inf = alpha*T/(alpha*T + beta)`` with time constant ``1/(alpha*T + beta)``; after it,
    ``g`` decays with rate ``beta``.

    Equations (per synapse)::

        dg/dt = alpha*T_pulse*(1 - g) - beta*g : 1
        T_pulse = T*int(timestep(t - t_arrival, dt) < timestep(T_dur, dt)) : mmolar

    where ``t_arrival`` is the arrival time of the latest spike (kept by the projection).

    Parameters
    ----------
    alpha : Quantity, 1/(molar*second)
        Binding rate (default 0.98 /(ms mM)).
    beta : Quantity, 1/second
        Unbinding rate (default 0.18 /ms).
    T : Quantity, molar
        Transmitter concentration during the pulse (default 0.5 mM).
    T_dur : Quantity, second
        Pulse duration (default 0.5 ms), a whole number of steps.

    Notes
    -----
    *Timing.* ``g`` is integrated with exponential Euler, exact while ``[T]`` is constant
    over a step (BrainPy's ``exp_auto``). The pulse covers the steps ``k`` with
    ``0 <= timestep(t_k - t_arrival) < timestep(T_dur)``. For input groups that fire at the
    start of a step (:class:`~spikeloom.models.SpikeTimeGroup`), ``t_arrival`` is the spike
    time, so a spike at 10 ms opens ``[10, 10.5)`` ms exactly as BrainPy; a neuron's spike is
    detected at the end of its step, so its pulse starts with the next step. A delay shifts
    ``t_arrival`` by the delay.

    *Alignment.* ``g`` saturates at 1, so the kinetics are not linear in the input: the
    state may be kept per presynaptic neuron (the default, BrainPy's ``AlignPre``) or per
    synapse, not per postsynaptic neuron.

    References
    ----------
    .. [1] Destexhe, A., Mainen, Z. F., Sejnowski, T. J. (1994). An efficient method for
       computing synaptic conductances based on a kinetic model of receptor binding.
       Neural Computation 6, 14-18.
    .. [2] Vijayan, S., Kopell, N. J. (2012). Thalamic model of awake alpha oscillations and
       implications for stimulus processing. PNAS 109(45), 18553-18558.
    """

    EQUATIONS = _PULSE_EQUATIONS
    PARAMETERS = {"alpha": 0.98 / (units.ms * units.mM), "beta": 0.18 / units.ms,
                  "T": 0.5 * units.mM,
                  "T_dur": 0.5 * units.ms}
    PULSE = True
    LINEAR = False
    NONLINEAR_REASON = "g saturates at 1 (the term -alpha*[T]*g)"
    METHOD = "exponential_euler"

    @property
    def g_inf(self) -> float:
        """Steady state during a pulse, ``alpha*T/(alpha*T + beta)``."""
        p = self.parameters
        rate_on = float(p["alpha"] * p["T"] * units.second)
        return rate_on / (rate_on + float(p["beta"] * units.second))

    @property
    def tau_rise(self):
        """Time constant while the pulse is on, ``1/(alpha*T + beta)`` (Quantity, second)."""
        p = self.parameters
        return 1 / (p["alpha"] * p["T"] + p["beta"])


class GABAa(AMPA):
    r"""GABA_A receptor: the AMPA scheme with GABA_A rates (BrainPy's ``GABAa``).

    .. math::

        \frac{dg}{dt} = \alpha [T] (1 - g) - \beta g

    Equations: as :class:`AMPA` (``T_pulse`` = ``T`` for ``T_dur`` after each spike).

    Parameters
    ----------
    alpha : Quantity, 1/(molar*second)
        Binding rate (default 0.53 /(ms mM)).
    beta : Quantity, 1/second
        Unbinding rate (default 0.18 /ms).
    T : Quantity, molar
        Transmitter concentration (default 1 mM).
    T_dur : Quantity, second
        Pulse duration (default 1 ms).

    Notes
    -----
    Use with ``COBA(E=-80*mV)`` for an inhibitory current. Alignments as :class:`AMPA`.

    References
    ----------
    .. [1] Destexhe, A., Rudolph, M., Fellous, J.-M., Sejnowski, T. J. (2001). Fluctuating
       synaptic conductances recreate in vivo-like activity in neocortical neurons.
       Neuroscience 107(1), 13-24.
    """

    PARAMETERS = {"alpha": 0.53 / (units.ms * units.mM), "beta": 0.18 / units.ms,
                  "T": 1.0 * units.mM,
                  "T_dur": 1.0 * units.ms}
