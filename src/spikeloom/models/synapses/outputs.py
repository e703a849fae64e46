"""Synaptic outputs: how a projection's conductance ``G`` becomes a current into the neuron.

``G`` is the weighted conductance of the projection onto one neuron, ``sum_syn w*g`` (its
unit is the weight's). The output turns it into a current in the neuron's input unit,
evaluated with the neuron's membrane potential ``V`` at the start of each step.
"""

from __future__ import annotations

from typing import ClassVar

from ... import units
from ...units import DIMENSIONLESS, get_dim
from ..neurons._params import check_parameters, rename

VOLT = get_dim(units.volt)


class Output:
    """Base class: ``CURRENT`` is the expression of the current in ``G`` and ``V``."""

    CURRENT: ClassVar[str] = "G"
    PARAMETERS: ClassVar[dict] = {}
    #: dimension of weight*g relative to the input unit (COBA: input/volt)
    PER_VOLT: ClassVar[bool] = False

    def __init__(self, **parameters) -> None:
        self.parameters = check_parameters(type(self).__name__, self.PARAMETERS, parameters)

    def current(self, G: str, V: str, suffix: str) -> tuple[str, dict]:
        """The current expression and its constants, with parameters renamed by ``suffix``."""
        mapping = {name: f"{name}_{suffix}" for name in self.parameters}
        expr = rename(self.CURRENT, mapping)
        expr = rename(expr, {"G": G, "V": V})
        return expr, {mapping[k]: v for k, v in self.parameters.items()}

    def weight_dim(self, input_dim):
        """The unit the weight needs so that the current has the neuron's input unit."""
        return input_dim / VOLT if self.PER_VOLT else input_dim

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({args})"


class COBA(Output):
    r"""Conductance-based output (BrainPy's ``COBA``): :math:`I = G\,(E - V)`.

    With ``G = g_max*g`` (the weight is BrainPy's ``g_max``) this is BrainPy's sign
    convention: a positive current depolarises, so ``E`` above ``V`` excites.

    Parameters
    ----------
    E : Quantity, volt
        Reversal potential (default 0 mV).

    References
    ----------
    .. [1] Brette, R. et al. (2007). Simulation of networks of spiking neurons: a review of
       tools and strategies. J. Comput. Neurosci. 23, 349-398 (benchmark 1, COBA).
    """

    CURRENT = "G*(E - V)"
    PARAMETERS = {"E": 0.0 * units.mV}
    PER_VOLT = True

    def __init__(self, E=0.0 * units.mV) -> None:
        super().__init__(E=E)


class CUBA(Output):
    r"""Current-based output (BrainPy's ``CUBA``): :math:`I = G`.

    The weight has the neuron's input unit (amp for the LIF family).

    References
    ----------
    .. [1] Brette, R. et al. (2007). Simulation of networks of spiking neurons: a review of
       tools and strategies. J. Comput. Neurosci. 23, 349-398 (benchmark 2, CUBA).
    """

    CURRENT = "G"


class MgBlock(Output):
    r"""Conductance output with a magnesium block (BrainPy's ``MgBlock``, for ``NMDA``).

    .. math::

        I = \frac{G\,(E - V)}{1 + \frac{[Mg^{2+}]_o}{\beta} e^{\alpha (V_{offset} - V)}}

    Parameters
    ----------
    E : Quantity, volt
        Reversal potential (default 0 mV).
    cc_Mg : Quantity, molar
        Extracellular magnesium concentration (default 1.2 mM).
    alpha : Quantity, 1/volt
        Steepness of the voltage dependence (default 0.062 /mV).
    beta : Quantity, molar
        Dissociation constant (default 3.57 mM).
    V_offset : Quantity, volt
        Offset of the voltage dependence (default 0 mV).

    References
    ----------
    .. [1] Jahr, C. E., Stevens, C. F. (1990). Voltage dependence of NMDA-activated
       macroscopic conductances predicted by single-channel kinetics. J. Neurosci. 10,
       3178-3182.
    """

    CURRENT = "G*(E - V)/(1 + cc_Mg/beta*exp(alpha*(V_offset - V)))"
    PARAMETERS = {"E": 0.0 * units.mV, "cc_Mg": 1.2 * units.mM, "alpha": 0.062 / units.mV,
                  "beta": 3.57 * units.mM, "V_offset": 0.0 * units.mV}
    PER_VOLT = True


del DIMENSIONLESS
