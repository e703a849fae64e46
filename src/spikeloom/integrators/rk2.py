"""Second-order Runge–Kutta method (midpoint rule)."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement
from ._common import (
    MethodBase,
    deterministic_only,
    final_assignments,
    new_name,
    normalized_drift,
    state_symbols,
    substitute_stage,
    temporary,
)

__all__ = ["RK2", "rk2"]


class RK2(MethodBase):
    r"""Explicit midpoint method (second-order Runge–Kutta).

    .. math::

        k_1 = \Delta t\, f(x_n, t_n), \qquad
        x_{n+1} = x_n + \Delta t\, f\!\left(x_n + \tfrac{k_1}{2},
                                            t_n + \tfrac{\Delta t}{2}\right)

    Deterministic order 2; deterministic equations only (Brian2's ``rk2``).

    References
    ----------
    E. Hairer, S. P. Nørsett and G. Wanner, *Solving Ordinary Differential Equations I*,
    2nd ed., Springer, 1993, section II.1.
    """

    name = "rk2"
    order = 2
    strong_order: float | None = None

    def can_integrate(self, system: ODESystem) -> str | None:
        return deterministic_only(system, self.name)

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        xs = state_symbols(system)
        half = sympy.Rational(1, 2)
        statements = [
            Statement(temporary("k1", v).name, system.dt * drift[v], declare=True) for v in xs
        ]
        shifts = {v: half * temporary("k1", v) for v in xs}
        for v, x in xs.items():
            f_mid = substitute_stage(drift[v], system, shifts, half)
            statements.append(Statement(new_name(v), x + system.dt * f_mid, declare=True))
        return statements + final_assignments(system)


#: The midpoint method.
rk2 = RK2()
