"""Stochastic Heun method (Stratonovich), as Brian2's ``heun``; optional trapezoidal drift."""

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
    r"""Stochastic Heun method for Stratonovich SDEs (any, also multiplicative, noise).

    ``Heun()`` (registered as ``'heun'``) is Brian2's scheme: a predictor for the noise
    only, and an Euler step for the drift,

    .. math::

        \bar x &= x_n + \sum_k g_k(x_n, t_n)\,\Delta W_k \\
        x_{n+1} &= x_n + f(x_n, t_n)\,\Delta t
                   + \sum_k \frac{g_k(x_n, t_n) + g_k(\bar x, t_n + \Delta t)}{2}\,\Delta W_k

    with :math:`\Delta W_k = \sqrt{\Delta t}\,\xi_k`. It keeps Brian2's numbers, but on
    deterministic equations it *is* forward Euler: deterministic order 1.

    ``Heun('trapezoidal')`` predicts and corrects the drift as well (Heun's
    predictor–corrector, i.e. the explicit trapezoidal rule, deterministic order 2):

    .. math::

        k_1 &= f(x_n, t_n)\,\Delta t + \sum_k g_k(x_n, t_n)\,\Delta W_k \\
        k_2 &= f(x_n + k_1, t_n + \Delta t)\,\Delta t
               + \sum_k g_k(x_n + k_1, t_n + \Delta t)\,\Delta W_k \\
        x_{n+1} &= x_n + (k_1 + k_2)/2

    Both converge to the *Stratonovich* solution: strong order 1 for commutative noise
    (e.g. a single noise symbol, or noise terms that do not depend on the state), 0.5
    in general.

    Parameters
    ----------
    drift : {'euler', 'trapezoidal'}
        How the drift is integrated: an Euler step (default, Brian2's ``heun``) or the
        trapezoidal predictor–corrector.

    References
    ----------
    W. Rümelin, "Numerical treatment of stochastic differential equations",
    *SIAM J. Numer. Anal.* 19 (1982) 604–613; P. E. Kloeden and E. Platen, *Numerical
    Solution of Stochastic Differential Equations*, Springer, 1992, section 15.1.
    """

    name = "heun"

    def __init__(self, drift: str = "euler") -> None:
        if drift not in ("euler", "trapezoidal"):
            raise ValueError(f"drift must be 'euler' or 'trapezoidal', not {drift!r}")
        self.drift = drift
        self.order = 1 if drift == "euler" else 2
        self.strong_order: float | None = 0.5

    def can_integrate(self, system: ODESystem) -> str | None:
        return structural_problem(system)

    def _statements(self, system: ODESystem) -> list[Statement]:
        if self.drift == "trapezoidal":
            return self._trapezoidal(system)
        drift = normalized_drift(system)
        diffusion = normalized_diffusion(system)
        xs = state_symbols(system)
        state = set(xs.values())
        needed = {  # the support values that some noise term depends on
            x.name
            for terms in diffusion.values()
            for g in terms.values()
            for x in g.free_symbols & state
        }
        statements = []
        for v in (v for v in xs if v in needed):
            support = xs[v] + sum(
                (g * wiener_increment(system, n) for n, g in diffusion[v].items()),
                sympy.S.Zero,
            )
            statements.append(Statement(temporary("support", v).name, support, declare=True))
        shifts = {v: temporary("support", v) - xs[v] for v in needed}
        for v, x in xs.items():
            new = x + system.dt * drift[v]
            for noise, g in diffusion[v].items():
                g_support = substitute_stage(g, system, shifts, 1)
                new += wiener_increment(system, noise) * (g + g_support) / 2
            statements.append(Statement(new_name(v), new, declare=True))
        return statements + final_assignments(system)

    def _trapezoidal(self, system: ODESystem) -> list[Statement]:
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
            Statement(temporary("k2", v).name, increment(v, predictor, 1), declare=True) for v in xs
        ]
        for v, x in xs.items():
            new = x + (temporary("k1", v) + temporary("k2", v)) / 2
            statements.append(Statement(new_name(v), new, declare=True))
        return statements + final_assignments(system)

    def __repr__(self) -> str:
        return f"<integration method '{self.name}' (drift: {self.drift})>"


#: Brian2's stochastic Heun method.
heun = Heun()
