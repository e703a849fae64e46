"""``PoissonInput``: N independent Poisson sources added to one variable, without Synapses.

Each step every target neuron receives ``k * weight`` with ``k ~ Binomial(N, rate*dt)``,
drawn as Brian2 draws it: a normal approximation ``N*p + sqrt(N*p*(1-p))*randn()`` when
``N*p > 5`` and ``N*(1-p) > 5``, else the exact binomial by inverting its distribution
function with one ``rand()`` (the number of k whose cumulative probability is below it).
"""

from __future__ import annotations

import math

from ..units import DIMENSIONLESS, get_dim, si_value
from ._regular import RegularOperation

#: Terms of the exact sampler beyond this many are treated as probability zero (< 1e-20).
_TAIL_SIGMAS = 10


def binomial_sample_expression(n: int, p: float) -> str:
    """Model code for one Binomial(n, p) draw per element (see the module docstring)."""
    q = 1.0 - p
    if n * p > 5 and n * q > 5:
        return f"({n * p!r} + {math.sqrt(n * p * q)!r}*randn())"
    if p > 0.5:  # few failures: count them instead
        return f"({n} - {binomial_sample_expression(n, q)})"
    bound = int(min(n, n * p + _TAIL_SIGMAS * math.sqrt(n * p * q + 1)))
    terms, probability, cumulative = [], q ** n, 0.0
    for k in range(bound):
        cumulative += probability
        terms.append(f"int(_u > {cumulative!r})")
        probability *= (n - k) / (k + 1) * p / q
    if not terms:
        return "0"
    return "(" + " + ".join(terms) + ")"


class PoissonInput(RegularOperation):
    """Poisson input to a group's variable (Brian2's ``PoissonInput``).

    Parameters
    ----------
    target : NeuronGroup or Subgroup
    target_var : str
        The variable that receives the input (e.g. ``'v'`` or ``'ge'``).
    N : int
        Number of independent sources per target neuron.
    rate : Quantity (Hz)
        Rate of each source.
    weight : Quantity or str
        Added per input spike, in ``target_var``'s unit (a string is model code).
    when : str
        Schedule slot (default ``'synapses'``, as in Brian2).
    order : int
    """

    _default_name = "poissoninput"

    def __init__(self, target, target_var: str, N: int, rate, weight, when: str = "synapses",
                 order: int = 0) -> None:
        owner = "PoissonInput"
        if target_var not in target.variables:
            raise KeyError(f"{owner}: target_var={target_var!r} is not a variable of "
                           f"{target.owner}")
        if isinstance(N, bool) or int(N) != N or N < 0:
            raise ValueError(f"{owner}: N must be a non-negative integer, got {N!r}")
        if get_dim(rate) != get_dim(1 / target.clock.dt):
            raise ValueError(f"{owner}: rate must be a frequency (e.g. 5*Hz), got {rate!r}")
        p = float(si_value(rate)) * target.clock.dt_
        if not 0 <= p <= 1:
            raise ValueError(f"{owner}: rate*dt = {p} must be in [0, 1]")
        self.N, self.rate, self.weight, self.target_var = int(N), rate, weight, target_var
        sample = binomial_sample_expression(int(N), p)
        code = f"{target_var} += {sample}*{_weight_code(weight, target, target_var)}"
        if "_u" in sample:
            code = f"_u = rand()\n{code}"
        super().__init__(target, code, when=when, order=order)

    @property
    def owner(self) -> str:
        return f"PoissonInput {self.name!r} onto {self.group.owner}.{self.target_var}"


def _weight_code(weight, target, target_var: str) -> str:
    if isinstance(weight, str):
        return f"({weight})"
    dim = get_dim(weight)
    expected = target.variables[target_var].dim
    if dim != expected:
        raise ValueError(f"PoissonInput: weight={weight} does not have the unit of "
                         f"{target_var}")
    value = float(si_value(weight))
    return repr(value) if dim is DIMENSIONLESS else f"({value!r}*{_si_unit(dim)})"


def _si_unit(dim) -> str:
    """The dimension as a product of SI base units, valid in model code."""
    names = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candle")
    return "*".join(f"{n}**{e!r}" for n, e in zip(names, dim.dims) if e) or "1"
