"""Derivative-free Milstein method for SDEs with diagonal noise."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement, randn_symbol
from ._common import (
    MethodBase,
    final_assignments,
    new_name,
    normalized_diffusion,
    normalized_drift,
    state_symbols,
    structural_problem,
    substitute_stage,
    temporary,
    wiener_increment,
)

__all__ = ["Milstein", "milstein"]


class Milstein(MethodBase):
    r"""Derivative-free (Runge–Kutta type) Milstein scheme.

    .. math::

        \bar x &= x_n + f(x_n)\,\Delta t + g(x_n)\,\sqrt{\Delta t} \\
        x_{n+1} &= x_n + f(x_n)\,\Delta t + g(x_n)\,\Delta W
                   + \frac{g(\bar x) - g(x_n)}{2\sqrt{\Delta t}}\,(\Delta W^2 - \Delta t)

    with :math:`\Delta W = \sqrt{\Delta t}\,\xi`, so the last term is written
    :math:`(g(\bar x) - g(x_n))\sqrt{\Delta t}\,(\xi^2 - 1)/2` (no division by
    :math:`\sqrt{\Delta t}`). The support :math:`\bar x` is formed for every state
    variable at once and :math:`g` is evaluated at the old time, as Brian2 does.

    Strong order 1 and deterministic order 1, for *Itô* equations with diagonal noise:
    every equation has at most one noise symbol and every noise symbol appears in at most
    one equation (Brian2's condition).

    ``Milstein(calculus='stratonovich')`` integrates the equations in the Stratonovich
    sense (as ``heun`` does): the same scheme applied to the equivalent Itô drift
    :math:`f + \tfrac12 g\,\partial g/\partial x` (the derivative taken symbolically),
    still strong order 1. Brian2's ``milstein`` uses :math:`\Delta W^2` instead of
    :math:`\Delta W^2 - \Delta t`, which amounts to the derivative-free estimate of that
    correction; it converges to the Stratonovich solution too, but its :math:`O(\Delta
    t^{1.5})` bias per step limits it to strong order 0.5.

    Parameters
    ----------
    calculus : {'ito', 'stratonovich'}
        The sense of the stochastic equations (default ``'ito'``).

    References
    ----------
    P. E. Kloeden and E. Platen, *Numerical Solution of Stochastic Differential
    Equations*, Springer, 1992, section 11.1 (eq. 11.1.5).
    """

    name = "milstein"
    order = 1
    strong_order: float | None = 1.0

    def __init__(self, calculus: str = "ito") -> None:
        if calculus not in ("ito", "stratonovich"):
            raise ValueError(f"calculus must be 'ito' or 'stratonovich', not {calculus!r}")
        self.calculus = calculus

    def can_integrate(self, system: ODESystem) -> str | None:
        problem = structural_problem(system)
        if problem is not None:
            return problem
        owner: dict[str, str] = {}
        for var, terms in normalized_diffusion(system).items():
            if len(terms) > 1:
                return (
                    f"'milstein' needs diagonal noise, but the equation of '{var}' has "
                    f"several noise terms ({', '.join(terms)}); use 'heun'"
                )
            for noise in terms:
                if noise in owner:
                    return (
                        f"'milstein' needs diagonal noise, but '{noise}' appears in the "
                        f"equations of both '{owner[noise]}' and '{var}'; use 'heun'"
                    )
                owner[noise] = var
        return None

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        diffusion = normalized_diffusion(system)
        xs = state_symbols(system)
        if self.calculus == "stratonovich":  # use the equivalent Itô drift
            for v, terms in diffusion.items():
                for g in terms.values():
                    drift[v] = drift[v] + g * sympy.diff(g, xs[v]) / 2
        dt = system.dt
        sqrt_dt = sympy.sqrt(dt)
        state = set(xs.values())
        # only variables some noise term depends on need a support value
        needed = {
            x.name
            for terms in diffusion.values()
            for g in terms.values()
            for x in g.free_symbols & state
        }
        statements = []
        for v in (v for v in xs if v in needed):
            support = xs[v] + dt * drift[v]
            for g in diffusion[v].values():
                support += sqrt_dt * g
            statements.append(Statement(temporary("support", v).name, support, declare=True))
        shifts = {v: temporary("support", v) - xs[v] for v in needed}
        for v, x in xs.items():
            new = x + dt * drift[v]
            for noise, g in diffusion[v].items():
                g_support = substitute_stage(g, system, shifts)
                new += g * wiener_increment(system, noise)
                new += (g_support - g) * sqrt_dt * (randn_symbol(noise) ** 2 - 1) / 2
            statements.append(Statement(new_name(v), new, declare=True))
        return statements + final_assignments(system)

    def __repr__(self) -> str:
        return f"<integration method '{self.name}' ({self.calculus})>"


#: The derivative-free Milstein method (Itô).
#: The registered ``'milstein'``: Stratonovich, like Brian2's ``milstein`` and ``heun``, so
#: that every stochastic method of the registry converges to the same solution.
milstein = Milstein("stratonovich")
