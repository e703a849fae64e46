"""Heun's method (trapezoidal predictor–corrector), stochastic Heun for Stratonovich SDEs."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement
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

__all__ = ["Heun", "heun"]


class Heun(MethodBase):
    r"""Heun's method; the stochastic Heun scheme when the equations have noise.

    .. math::

        k_1 &= f(x_n, t_n)\,\Delta t + \sum_k g_k(x_n, t_n)\,\Delta W_k \\
        k_2 &= f(x_n + k_1, t_n + \Delta t)\,\Delta t
               + \sum_k g_k(x_n + k_1, t_n + \Delta t)\,\Delta W_k \\
        x_{n+1} &= x_n + (k_1 + k_2)/2

    with :math:`\Delta W_k = \sqrt{\Delta t}\,\xi_k`. Without noise this is the explicit
    trapezoidal rule, deterministic order 2. With noise it converges to the
    *Stratonovich* solution, for any (multiplicative, several noise symbols) noise:
    strong order 0.5 in general, 1 for commutative noise (e.g. one noise symbol).

    Brian2's ``heun`` uses the same corrector for the noise term but an Euler step for
    the drift (``x + dt*f(x, t) + ...``), i.e. deterministic order 1; here the drift is
    averaged as well. Both converge to the same Stratonovich solution.

    References
    ----------
    W. Rümelin, "Numerical treatment of stochastic differential equations",
    *SIAM J. Numer. Anal.* 19 (1982) 604–613; P. E. Kloeden and E. Platen, *Numerical
    Solution of Stochastic Differential Equations*, Springer, 1992, section 15.1.
    """

    name = "heun"
    order = 2
    strong_order: float | None = 0.5

    def can_integrate(self, system: ODESystem) -> str | None:
        return structural_problem(system)

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        diffusion = normalized_diffusion(system)
        xs = state_symbols(system)

        def increment(var: str, shifts: dict, c) -> sympy.Expr:
            total = system.dt * substitute_stage(drift[var], system, shifts, c)
            for noise, g in diffusion[var].items():
                g_stage = substitute_stage(g, system, shifts, c)
                total += g_stage * wiener_increment(system, noise)
            return total

        statements = [
            Statement(temporary("k1", v).name, increment(v, {}, 0), declare=True) for v in xs
        ]
        predictor = {v: temporary("k1", v) for v in xs}
        statements += [
            Statement(temporary("k2", v).name, increment(v, predictor, 1), declare=True)
            for v in xs
        ]
        for v, x in xs.items():
            new = x + (temporary("k1", v) + temporary("k2", v)) / 2
            statements.append(Statement(new_name(v), new, declare=True))
        return statements + final_assignments(system)


#: Heun's method / stochastic Heun.
heun = Heun()
