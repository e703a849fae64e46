"""Exponential Euler for equations conditionally linear in their own variable."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement
from ._common import (
    MethodBase,
    deterministic_only,
    final_assignments,
    is_zero,
    new_name,
    normalized_drift,
    short,
    split_conditionally_linear,
    state_symbols,
    tidy,
)

__all__ = ["ExponentialEuler", "exponential_euler"]


class ExponentialEuler(MethodBase):
    r"""Exponential Euler for conditionally linear equations.

    Every equation must read :math:`dx/dt = A\,x + B` once expanded and collected in
    :math:`x` (Brian2's "conditionally linear" rule: :math:`A` and :math:`B` may depend on
    other state variables, on ``t``, and on :math:`x` itself through functions such as
    ``tanh(x)``). Freezing :math:`A` and :math:`B` at their old values, the step is solved
    exactly:

    .. math::

        x_{n+1} = -\frac{B}{A} + \left(x_n + \frac{B}{A}\right) e^{A\,\Delta t},
        \qquad x_{n+1} = x_n + B\,\Delta t \ \text{ when } A = 0 \text{ (symbolically).}

    All variables are advanced from the old values. Order 1 in general, exact for a
    scalar linear equation with constant coefficients; unconditionally stable for
    :math:`A < 0` (Hodgkin–Huxley gating variables). Deterministic equations only
    (Brian2's ``exponential_euler``).

    References
    ----------
    M. Hochbruck and A. Ostermann, "Exponential integrators", *Acta Numerica* 19 (2010)
    209–286; M. Rotter and M. Diesmann, *Biol. Cybern.* 81 (1999) 381–402.
    """

    name = "exponential_euler"
    order = 1
    strong_order: float | None = None

    def can_integrate(self, system: ODESystem) -> str | None:
        reason = deterministic_only(system, self.name)
        if reason is not None:
            return reason
        drift = normalized_drift(system)
        for var, x in state_symbols(system).items():
            if split_conditionally_linear(drift[var], x) is None:
                return (
                    f"'{self.name}' needs every equation to be linear in its own variable, "
                    f"but d{var}/dt = {short(drift[var])} is not linear in {var}"
                )
        return None

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        statements = []
        for var, x in state_symbols(system).items():
            A, B = split_conditionally_linear(drift[var], x)
            if is_zero(A):
                new = x + B * system.dt
            else:
                ratio = tidy(B / A)
                new = -ratio + (x + ratio) * sympy.exp(A * system.dt)
            statements.append(Statement(new_name(var), new, declare=True))
        return statements + final_assignments(system)


#: The exponential Euler method.
exponential_euler = ExponentialEuler()
