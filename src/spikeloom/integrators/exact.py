"""Exact integration of linear systems with constant coefficients."""

from __future__ import annotations

import sympy

from ._base import ODESystem, Statement, sym
from ._explicit import finish

MAX_COUPLED = 4


def _linear_system(system: ODESystem):
    xs = [sym(v) for v in system.variables]
    A = sympy.zeros(len(xs), len(xs))
    b = sympy.zeros(len(xs), 1)
    for row, v in enumerate(system.variables):
        expr = sympy.expand(system.drift[v])
        rest = expr
        for col, x in enumerate(xs):
            coeff = sympy.diff(expr, x)
            A[row, col] = coeff
            rest = rest - coeff * x
        b[row] = sympy.expand(rest)
    return xs, A, b


class Exact:
    """Exact solution of ``dX/dt = A X + b`` (A, b free of state variables and of t).

    Uncoupled equations (and triangular systems, solved in dependency order) give
    ``x_new = -b/a + (x + b/a)*exp(a*dt)``; coupled ones use the matrix exponential of the
    augmented matrix ``[[A, b], [0, 0]]*dt``. Brian2's ``exact`` (alias ``linear``).
    """

    name = "exact"
    order = float("inf")
    strong_order = None

    def can_integrate(self, system: ODESystem) -> str | None:
        if system.is_stochastic:
            return "'exact' cannot integrate stochastic equations (they contain xi)"
        xs, A, b = _linear_system(system)
        state = set(xs)
        for row, v in enumerate(system.variables):
            for entry in list(A.row(row)) + [b[row]]:
                if entry.free_symbols & state:
                    return f"'exact' needs linear equations; d{v}/dt = {system.drift[v]} is " \
                           "not linear in the state variables"
                if system.t in entry.free_symbols:
                    return f"'exact' needs constant coefficients; d{v}/dt depends on t"
                if entry.atoms(sympy.Function) - set():
                    if any(f.func.__name__ in ("rand", "randn") for f in entry.atoms(
                            sympy.Function)):
                        return "'exact' cannot handle random terms"
        if self._order(A) is None and len(xs) > MAX_COUPLED:
            return f"'exact' handles at most {MAX_COUPLED} coupled equations"
        return None

    @staticmethod
    def _order(A: sympy.Matrix) -> list[int] | None:
        """An order in which each variable depends only on earlier ones (None if cyclic)."""
        n = A.shape[0]
        deps = {r: {c for c in range(n) if c != r and A[r, c] != 0} for r in range(n)}
        order, done = [], set()
        while len(order) < n:
            ready = [r for r in range(n) if r not in done and deps[r] <= done]
            if not ready:
                return None
            order.extend(ready)
            done.update(ready)
        return order

    def __call__(self, system: ODESystem) -> list[Statement]:
        xs, A, b = _linear_system(system)
        dt = system.dt
        order = self._order(A)
        if order is not None and all(A[r, c] == 0 for r in range(len(xs))
                                     for c in range(len(xs)) if c != r):
            new = {}
            for r, v in enumerate(system.variables):
                a, x = A[r, r], xs[r]
                if a == 0:
                    new[v] = x + b[r] * dt
                else:
                    new[v] = -b[r] / a + (x + b[r] / a) * sympy.exp(a * dt)
            return finish(system, new)
        n = len(xs)
        M = sympy.zeros(n + 1, n + 1)
        M[:n, :n] = A * dt
        M[:n, n] = b * dt
        E = (M).exp()
        vec = sympy.Matrix(xs + [1])
        result = E * vec
        new = {v: sympy.expand(result[r]) for r, v in enumerate(system.variables)}
        return finish(system, new)
