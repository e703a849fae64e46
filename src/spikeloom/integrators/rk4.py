"""Classical fourth-order Runge–Kutta method."""

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

__all__ = ["RK4", "rk4"]


class RK4(MethodBase):
    r"""The classical Runge–Kutta method.

    .. math::

        k_1 &= \Delta t\, f(x_n, t_n) \\
        k_2 &= \Delta t\, f(x_n + k_1/2,\ t_n + \Delta t/2) \\
        k_3 &= \Delta t\, f(x_n + k_2/2,\ t_n + \Delta t/2) \\
        k_4 &= \Delta t\, f(x_n + k_3,\ t_n + \Delta t) \\
        x_{n+1} &= x_n + (k_1 + 2 k_2 + 2 k_3 + k_4)/6

    Deterministic order 4; deterministic equations only (Brian2's ``rk4``).

    References
    ----------
    E. Hairer, S. P. Nørsett and G. Wanner, *Solving Ordinary Differential Equations I*,
    2nd ed., Springer, 1993, section II.1.
    """

    name = "rk4"
    order = 4
    strong_order: float | None = None

    def can_integrate(self, system: ODESystem) -> str | None:
        return deterministic_only(system, self.name)

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        xs = state_symbols(system)
        half = sympy.Rational(1, 2)
        # (stage, the stage whose k shifts the state, weight of that k, time fraction)
        stages = [
            ("k1", None, 0, 0),
            ("k2", "k1", half, half),
            ("k3", "k2", half, half),
            ("k4", "k3", 1, 1),
        ]
        statements = []
        for stage, previous, weight, c in stages:
            shifts = {} if previous is None else {v: weight * temporary(previous, v) for v in xs}
            for v in xs:
                f = substitute_stage(drift[v], system, shifts, c)
                statements.append(Statement(temporary(stage, v).name, system.dt * f, declare=True))
        for v, x in xs.items():
            k1, k2, k3, k4 = (temporary(s, v) for s in ("k1", "k2", "k3", "k4"))
            new = x + (k1 + 2 * k2 + 2 * k3 + k4) / 6
            statements.append(Statement(new_name(v), new, declare=True))
        return statements + final_assignments(system)


#: The classical Runge–Kutta method.
rk4 = RK4()
