"""Tsodyks–Markram short-term plasticity (``STP``), alone or scaling another kinetics."""

from __future__ import annotations

from ... import units
from ._base import Kinetics


class STP(Kinetics):
    r"""Short-term facilitation and depression (Tsodyks & Markram 1997; BrainPy's ``STP``).

    .. math::

        \frac{du}{dt} = -\frac{u}{\tau_f}, \qquad \frac{dx}{dt} = \frac{1 - x}{\tau_d}

    At a presynaptic spike, first ``u <- u + U*(1 - u)``, then the released fraction
    ``r = u*x`` leaves: ``x <- x - u*x``. Alone, the output is BrainPy's efficacy
    ``g = u*x`` (after the spike's update). With ``synapse=`` another jump kinetics
    (``Expon``, ``DualExpon``, ``Alpha``) receives ``r`` instead of 1 at each spike:
    ``STP(synapse=Expon(tau=5*ms))`` is a depressing/facilitating exponential synapse.

    Equations (per synapse, alone)::

        du/dt = -u/tau_f : 1
        dx/dt = (1 - x)/tau_d : 1
        g = u*x : 1
        # on a presynaptic spike:
        u += U*(1 - u)
        x -= u*x

    Parameters
    ----------
    U : float
        Utilisation increment (default 0.15).
    tau_f : Quantity, second
        Facilitation time constant (default 1500 ms).
    tau_d : Quantity, second
        Depression (recovery) time constant (default 200 ms).
    synapse : Kinetics, optional
        A jump kinetics to drive with the released fraction.

    Notes
    -----
    Initial state: ``u = U``, ``x = 1`` (BrainPy's). Between spikes ``u`` and ``x`` relax
    exactly, so for a regular train of interval ``D`` the values just before spike ``n+1``
    are ``u_{n+1} = u_n^+ exp(-D/tau_f)`` and ``x_{n+1} = 1 - (1 - x_n^+) exp(-D/tau_d)``.
    The state depends only on the presynaptic train: per presynaptic neuron (default) or
    per synapse.

    References
    ----------
    .. [1] Tsodyks, M., Markram, H. (1997). The neural code between neocortical pyramidal
       neurons depends on neurotransmitter release probability. PNAS 94(2), 719-723.
    .. [2] Tsodyks, M., Pawelzik, K., Markram, H. (1998). Neural networks with dynamic
       synapses. Neural Computation 10, 821-835.
    """

    PARAMETERS = {"U": 0.15, "tau_f": 1500.0 * units.ms, "tau_d": 200.0 * units.ms}
    LINEAR = False
    NONLINEAR_REASON = "the released fraction u*x depends on the history of each train"

    def __init__(self, synapse: Kinetics | None = None, **parameters) -> None:
        super().__init__(**parameters)
        if synapse is not None:
            if not isinstance(synapse, Kinetics) or synapse.ON_SPIKE is None or \
                    isinstance(synapse, STP):
                raise ValueError(f"STP: synapse must be a jump kinetics (Expon, DualExpon, "
                                 f"Alpha), got {synapse!r}")
            clash = sorted({"u", "x"} & set(synapse.STATE))
            if clash:
                raise ValueError(f"STP: synapse={synapse!r} uses the state name(s) "
                                 f"{', '.join(clash)}, which STP needs for itself; allowed "
                                 "inner kinetics: Expon, DualExpon, Alpha")
        self.synapse = synapse
        self.INITIAL = {"x": 1.0, "u": float(self.parameters["U"])}

    @property
    def STATE(self):
        inner = self.synapse.STATE if self.synapse is not None else ()
        return ("u", "x") + tuple(inner)

    @property
    def METHOD(self):
        return self.synapse.METHOD if self.synapse is not None else "exact"

    def equations(self, unit: str = "1") -> str:
        lines = ["du/dt = -u/tau_f : 1", "dx/dt = (1 - x)/tau_d : 1"]
        if self.synapse is None:
            lines.append(f"g = u*x : {unit}")
        else:
            lines.append(self.synapse.equations(unit))
        return "\n".join(lines)

    def on_spike(self, quantum: str = "1") -> str:
        lines = ["u += U*(1 - u)"]
        if self.synapse is not None:
            q = "u*x" if quantum == "1" else f"({quantum})*u*x"
            lines.append(self.synapse.on_spike(q))
        lines.append("x -= u*x")
        return "\n".join(lines)

    def namespace(self) -> dict:
        ns = dict(self.parameters)
        if self.synapse is not None:
            ns.update(self.synapse.namespace())
        return ns

    def key(self) -> tuple:
        inner = self.synapse.key() if self.synapse is not None else None
        return super().key() + (inner,)

    def __repr__(self) -> str:
        base = super().__repr__()
        return base if self.synapse is None else base[:-1] + f", synapse={self.synapse!r})"
