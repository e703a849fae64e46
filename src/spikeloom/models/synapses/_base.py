"""What a synapse kinetics model declares, so that a Projection can place its state.

A kinetics model is a small set of equations with one output variable ``g`` (dimensionless
for one synapse; the weight multiplies it) and a rule for what a presynaptic spike does:

* **jump** kinetics (``Expon``, ``DualExpon``, ``Alpha``, ``NMDA``, ``STP``) run statements
  on the state when a spike arrives (``g += 1``); the statements use ``{q}`` for the
  quantum, ``1`` when the state is per synapse or per presynaptic neuron, and the weight
  ``w`` when the state is summed per postsynaptic neuron;
* **pulse** kinetics (``AMPA``, ``GABAa``) see a transmitter pulse of length ``T_dur``
  that starts when the spike arrives (``t_arrival``); a new spike restarts it.

Which alignments are valid follows from two declared properties: ``linear`` (the summed
state of many synapses obeys the same equations, so per-postsynaptic state is exact) and
``presynaptic`` (the state depends only on the presynaptic spike train, so one state per
presynaptic neuron is exact).
"""

from __future__ import annotations

from typing import ClassVar

from ..neurons._params import check_parameters

ALIGNMENTS = ("post", "pre", "synapse")


class Kinetics:
    """Base class of synapse kinetics (see the module docstring).

    Subclasses set ``EQUATIONS`` (using ``{u}`` for the unit of ``g`` and the parameter
    names), ``PARAMETERS`` (defaults with units), ``STATE`` (state variable names),
    ``ON_SPIKE`` (statements with ``{q}``) or ``PULSE = True``, ``LINEAR``,
    ``PRESYNAPTIC``, ``METHOD``, ``INITIAL`` (initial state values, SI numbers) and
    ``REFERENCE``.
    """

    EQUATIONS: ClassVar[str] = ""
    PARAMETERS: ClassVar[dict] = {}
    STATE: ClassVar[tuple[str, ...]] = ("g",)
    INITIAL: ClassVar[dict] = {}
    ON_SPIKE: ClassVar[str | None] = None
    PULSE: ClassVar[bool] = False
    LINEAR: ClassVar[bool] = False
    PRESYNAPTIC: ClassVar[bool] = True
    METHOD: ClassVar[str] = "exact"
    OUTPUT: ClassVar[str] = "g"
    #: why the per-post alignment is invalid (shown in the error)
    NONLINEAR_REASON: ClassVar[str] = ""

    def __init__(self, **parameters) -> None:
        self.parameters = check_parameters(type(self).__name__, self.PARAMETERS, parameters)
        for name, value in self.parameters.items():
            if isinstance(value, str):
                raise ValueError(f"{type(self).__name__}: parameter {name} must be a value "
                                 f"with unit, got the string {value!r}")

    # -- what the projection asks ----------------------------------------------------------
    @property
    def valid_alignments(self) -> tuple[str, ...]:
        out = []
        if self.LINEAR:
            out.append("post")
        if self.PRESYNAPTIC:
            out.append("pre")
        out.append("synapse")
        return tuple(out)

    def why_invalid(self, alignment: str) -> str:
        """Why ``alignment`` cannot hold this kinetics' state exactly ('' if it can)."""
        name = type(self).__name__
        if alignment == "post" and not self.LINEAR:
            return (f"{name}'s kinetics are not linear in their input "
                    f"({self.NONLINEAR_REASON or 'the state is not a sum over spikes'}), so "
                    "the synapses onto one neuron cannot share one state")
        if alignment == "pre" and not self.PRESYNAPTIC:
            return (f"{name}'s state depends on more than the presynaptic spike train, so "
                    "the synapses of one presynaptic neuron cannot share one state")
        return ""

    def equations(self, unit: str = "1") -> str:
        """The state equations with ``g`` in ``unit`` (``'1'`` per synapse)."""
        return self.EQUATIONS.format(u=unit).strip("\n")

    def on_spike(self, quantum: str = "1") -> str | None:
        """Statements run on the state when a spike arrives (None for pulse kinetics)."""
        if self.ON_SPIKE is None:
            return None
        return self.ON_SPIKE.format(q=quantum).strip("\n")

    def namespace(self) -> dict:
        """Constants of the equations (parameters and derived values)."""
        return dict(self.parameters)

    def key(self) -> tuple:
        """Identity for ``share=True``: same class and same parameter values."""
        items = []
        for name in sorted(self.parameters):
            value = self.parameters[name]
            items.append((name, repr(value)))
        return (type(self).__name__, tuple(items))

    @property
    def equations_text(self) -> str:
        """The equations as a user reads them (per synapse)."""
        text = self.equations("1")
        spike = self.on_spike("1")
        if spike:
            text += "\n# on a presynaptic spike:\n" + spike
        if self.PULSE:
            text += "\n# t_arrival: time the latest presynaptic spike arrived"
        return text

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({args})"
