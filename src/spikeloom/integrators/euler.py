"""Forward Euler (Euler–Maruyama for additive noise)."""

from __future__ import annotations

from ._base import ODESystem, Statement
from ._common import (
    MethodBase,
    depends_on,
    final_assignments,
    new_name,
    normalized_diffusion,
    normalized_drift,
    short,
    state_symbols,
    structural_problem,
    wiener_increment,
)

__all__ = ["Euler", "euler"]


class Euler(MethodBase):
    r"""Forward Euler; Euler–Maruyama when the equations have additive noise.

    .. math::

        x_{n+1} = x_n + f(x_n, t_n)\,\Delta t + \sum_k g_k\,\Delta W_k,
        \qquad \Delta W_k = \sqrt{\Delta t}\,\xi_k,\quad \xi_k \sim N(0, 1)

    Deterministic order 1. As Brian2's ``euler``, only additive noise is accepted: a
    noise term ``g`` may depend on parameters but not on a state variable nor on ``t``.
    For additive noise the scheme coincides with Milstein's and has strong order 1
    (Euler–Maruyama is only of strong order 0.5 for the multiplicative noise it refuses).

    References
    ----------
    P. E. Kloeden and E. Platen, *Numerical Solution of Stochastic Differential
    Equations*, Springer, 1992, sections 9.1 and 10.2.

    Examples
    --------
    >>> from spikeloom.integrators import ODESystem, sym
    >>> from spikeloom.integrators.euler import euler
    >>> v, tau = sym("v"), sym("tau")
    >>> for statement in euler(ODESystem(("v",), {"v": -v / tau})):
    ...     print(statement)
    _new_v = -dt*v/tau + v
    v = _new_v
    """

    name = "euler"
    order = 1
    strong_order: float | None = 1.0

    def can_integrate(self, system: ODESystem) -> str | None:
        problem = structural_problem(system)
        if problem is not None:
            return problem
        forbidden = set(state_symbols(system).values()) | {system.t}
        for var, terms in normalized_diffusion(system).items():
            for noise, g in terms.items():
                if depends_on(g, forbidden):
                    return (
                        f"'euler' cannot integrate multiplicative noise: the noise term "
                        f"of '{var}' for '{noise}' ({short(g)}) depends on a state "
                        f"variable or on time t (use 'heun' or 'milstein')"
                    )
        return None

    def _statements(self, system: ODESystem) -> list[Statement]:
        drift = normalized_drift(system)
        diffusion = normalized_diffusion(system)
        statements = []
        for var, x in state_symbols(system).items():
            increment = system.dt * drift[var]
            for noise, g in diffusion[var].items():
                increment += g * wiener_increment(system, noise)
            statements.append(Statement(new_name(var), x + increment, declare=True))
        return statements + final_assignments(system)


#: The forward Euler / Euler–Maruyama method.
euler = Euler()
