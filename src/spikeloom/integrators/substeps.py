"""A method applied in several equal sub-steps per time step."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement, sym
from ._common import MethodBase, deterministic_only, final_assignments, new_name

__all__ = ["Substeps"]


class Substeps(MethodBase):
    r"""Apply ``method`` ``n`` times with the step ``dt/n`` within each time step.

    For stiff deterministic equations that a method would integrate unstably at the
    network's ``dt``, while the group must still run (threshold, reset, synaptic input,
    recording) on that ``dt``: ``Substeps(rk4, 4)`` is RK4 with ``dt/4``, four times in a
    row in every step. Sub-step ``j`` (from 0) starts at ``t + j*dt/n`` from the state
    the previous sub-step computed; ``(constant over dt)`` subexpressions and the
    synaptic input ``I_syn`` stay at their values at the start of the step, as for any
    method. Deterministic equations only (every sub-step would need its own draws), and
    ``dt`` must be the clock's step (not an event-driven ``t - lastupdate``).

    Not a registered name: give the object itself, ``NeuronGroup(..., method=Substeps(
    get_method('rk4'), 4))`` (its :attr:`name` is ``'rk4_x4'``).

    Parameters
    ----------
    method : IntegrationMethod
        The method of each sub-step (e.g. ``spikeloom.integrators.get_method('rk4')``).
    n : int
        Number of sub-steps (>= 1).
    """

    strong_order: float | None = None

    def __init__(self, method, n: int) -> None:
        if not (callable(method) and hasattr(method, "can_integrate")):
            raise TypeError(f"Substeps: method must be an integration method, got {method!r}")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"Substeps: n={n!r} must be an integer >= 1")
        self.method, self.n = method, n
        self.name = f"{method.name}_x{n}"
        self.order = method.order

    def can_integrate(self, system: ODESystem) -> str | None:
        reason = deterministic_only(system, self.name)
        if reason is not None:
            return reason
        if not isinstance(system.dt, sympy.Symbol):
            return (f"'{self.name}' needs the clock's step dt, not {system.dt} "
                    "(event-driven equations)")
        return self.method.can_integrate(system)

    def _statements(self, system: ODESystem) -> list[Statement]:
        # (``integrate`` caches the result per system and method object)
        n, t, h = self.n, system.t, system.dt / self.n
        new_names = {new_name(v) for v in system.variables}
        start = {sym(v): sym(v) for v in system.variables}  # the state a sub-step starts from
        statements: list[Statement] = []
        for j in range(n):
            # the sub-step's system: step h, time t + j*h
            shifted = {v: sympy.sympify(f).xreplace({t: t + j * h})
                       for v, f in system.drift.items()}
            body = self.method(ODESystem(system.variables, shifted, {}, dt=h, t=t))
            finals = body[len(body) - len(system.variables):]
            if [st.target for st in finals] != list(system.variables):
                raise ValueError(f"'{self.name}': {self.method.name} does not end with the "
                                 "assignments of the new values")
            body = body[:len(body) - len(system.variables)]  # without 'v = _new_v'
            last = j == n - 1

            def renamed(name: str, _j=j, _last=last) -> str:
                # this sub-step's temporaries: _k1_v -> _s0_k1_v (the last keeps _new_v)
                return name if _last and name in new_names else f"_s{_j}{name}"

            mapping = {**start, **{sym(st.target): sym(renamed(st.target))
                                   for st in body if st.declare}}
            for st in body:
                target = renamed(st.target) if st.declare else st.target
                statements.append(Statement(target, st.expr.xreplace(mapping), st.op,
                                            st.declare))
            start = {sym(v): sym(renamed(new_name(v))) for v in system.variables}
        return statements + final_assignments(system)
