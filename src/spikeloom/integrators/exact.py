"""Exact integration of linear equations with constant coefficients."""

from __future__ import annotations

import functools

import sympy

from ._base import ODESystem, Statement, sym
from ._common import (
    EXACT_ORDER,
    MethodBase,
    deterministic_only,
    final_assignments,
    is_zero,
    new_name,
    normalized_drift,
    short,
    stateful_calls,
)

__all__ = ["Exact", "exact", "MAX_BLOCK", "MAX_COUPLED"]

#: Largest group of mutually coupled variables (a cycle in the dependency graph) solved
#: with the matrix exponential. Beyond 2 the eigenvalues are roots of a symbolic cubic
#: (or worse) and sympy may not finish.
MAX_BLOCK = 2
#: Largest set of interdependent variables handed to ``Matrix.exp`` at once.
MAX_COUPLED = 4

_UNSAFE = (sympy.re, sympy.im, sympy.arg, sympy.atan2, sympy.conjugate)


class Exact(MethodBase):
    r"""Exact solution of linear equations with constant coefficients.

    The system must read :math:`dX/dt = A X + b` with :math:`A` and :math:`b` free of
    state variables and of ``t`` (parameters are treated as constants over a step).
    The step is then exact:

    .. math::

        X_{n+1} = e^{A\,\Delta t} X_n + \int_0^{\Delta t} e^{A s}\,b\,ds,

    i.e. the first rows of :math:`\exp\left(\begin{bmatrix} A & b \\ 0 & 0
    \end{bmatrix}\Delta t\right) \begin{bmatrix} X_n \\ 1 \end{bmatrix}`.

    * A variable that depends on no other variable gets
      :math:`x_{n+1} = -b/a + (x_n + b/a)\,e^{a\,\Delta t}` (:math:`x_n + b\,\Delta t`
      when :math:`a` is symbolically zero).
    * Variables that depend on others without feedback (:math:`A` triangular after
      reordering) are solved one after the other in dependency order, as sums of
      (polynomial ×) exponential terms: any number of inputs (e.g. conductances feeding
      a membrane), dependency chains of at most :data:`MAX_COUPLED` variables.
    * Truly coupled variables (feedback loops of at most :data:`MAX_BLOCK` variables,
      at most :data:`MAX_COUPLED` interdependent variables in all) use sympy's
      ``Matrix.exp`` of the augmented matrix; oscillatory solutions are rewritten with
      ``cos``/``sin``. When the nature of the eigenvalues (real or complex) depends on
      parameter values, no single closed form exists and the method refuses.

    Coefficients are treated as distinct unless sympy proves them equal, so e.g. a
    bi-exponential synapse with ``tau_1 == tau_2`` at run time divides by zero (as in
    Brian2); give equal time constants the same name to get the ``t*exp(-t/tau)`` form.
    Refuses stochastic equations. Brian2's ``exact`` (alias ``linear``).

    References
    ----------
    C. Moler and C. Van Loan, "Nineteen dubious ways to compute the exponential of a
    matrix, twenty-five years later", *SIAM Review* 45 (2003) 3–49; S. Rotter and
    M. Diesmann, "Exact digital simulation of time-invariant linear systems with
    applications to neuronal modeling", *Biol. Cybern.* 81 (1999) 381–402.
    """

    name = "exact"
    order = EXACT_ORDER
    strong_order: float | None = None

    def can_integrate(self, system: ODESystem) -> str | None:
        reason = deterministic_only(system, self.name)
        if reason is not None:
            return reason
        result = _solve(*_key(system))
        return result if isinstance(result, str) else None

    def _statements(self, system: ODESystem) -> list[Statement]:
        new_values = _solve(*_key(system))
        assert not isinstance(new_values, str)
        statements = [
            Statement(new_name(var), expr, declare=True)
            for var, expr in zip(system.variables, new_values, strict=True)
        ]
        return statements + final_assignments(system)


#: The exact integrator for linear systems.
exact = Exact()


# ---------------------------------------------------------------------------- solving


def _key(system: ODESystem) -> tuple:
    drift = normalized_drift(system)
    return (tuple(system.variables), tuple(drift[v] for v in system.variables), system.dt, system.t)


@functools.lru_cache(maxsize=256)
def _solve(variables: tuple, drifts: tuple, dt: sympy.Expr, t: sympy.Symbol):
    """New values (tuple of expressions in ``variables`` order) or a reason (str)."""
    xs = [sym(v) for v in variables]
    linear = _linear_form(variables, drifts, xs, t)
    if isinstance(linear, str):
        return linear
    A, b = linear
    n = len(xs)
    deps = {i: {j for j in A[i] if j != i} for i in range(n)}
    plan = []
    for component in _weak_components(n, deps):
        blocks = _strong_components(component, deps)
        reason = _too_hard(component, blocks, deps, variables)
        if reason is not None:
            return reason
        plan.append((component, blocks))
    for _component, blocks in plan:  # cheap checks first, then the sympy work
        for block in blocks:
            if len(block) == 2:
                reason = _check_oscillation(block, A, variables)
                if reason is not None:
                    return reason
    s = sympy.Dummy("s", positive=True)  # the step, replaced by dt at the end
    new: dict[int, sympy.Expr] = {}
    for component, blocks in plan:
        if all(len(block) == 1 for block in blocks):
            new.update(_solve_triangular(blocks, A, b, xs, s))
            continue
        result = _solve_coupled(component, A, b, xs, s, variables)
        if isinstance(result, str):
            return result
        new.update(result)
    return tuple(new[i].xreplace({s: dt}) for i in range(n))


def _too_hard(component, blocks, deps, variables) -> str | None:
    """The reason a connected group of variables is beyond the limits, or ``None``."""
    largest = max(blocks, key=len)
    if len(largest) > MAX_BLOCK:
        loop = ", ".join(variables[i] for i in sorted(largest))
        return (
            f"'exact' solves feedback loops of at most {MAX_BLOCK} variables, but "
            f"{loop} are coupled in both directions"
        )
    if len(largest) > 1:
        if len(component) > MAX_COUPLED:
            names = ", ".join(variables[i] for i in sorted(component))
            return (
                f"'exact' solves at most {MAX_COUPLED} interdependent variables with a "
                f"matrix exponential, but {names} are coupled"
            )
        return None
    # without feedback the cost grows with the length of dependency chains
    chain: dict[int, list[int]] = {}
    for (i,) in blocks:  # upstream blocks come first
        longest = max((chain[j] for j in deps[i]), key=len, default=[])
        chain[i] = [*longest, i]
        if len(chain[i]) > MAX_COUPLED:
            path = " -> ".join(variables[k] for k in chain[i])
            return (
                f"'exact' solves dependency chains of at most {MAX_COUPLED} variables, "
                f"but {path} is longer"
            )
    return None


def _linear_form(variables, drifts, xs, t):
    """``A`` (dict row -> {col: coefficient}) and ``b`` (list), or a reason."""
    state = set(xs)
    A: dict[int, dict[int, sympy.Expr]] = {}
    b = []
    for i, (var, f) in enumerate(zip(variables, drifts, strict=True)):
        calls = stateful_calls(f)
        if calls:
            return (
                f"'exact' needs coefficients that are constant over a time step, but "
                f"d{var}/dt calls {', '.join(calls)}()"
            )
        row = {}
        for j, x in enumerate(xs):
            if x not in f.free_symbols:
                continue
            coefficient = sympy.diff(f, x)
            if coefficient.free_symbols & state:
                coefficient = sympy.cancel(sympy.expand(coefficient))
                if coefficient.free_symbols & state:
                    return (
                        f"'exact' needs linear equations, but d{var}/dt = {short(f)} "
                        f"is not linear in the state variables"
                    )
            if not is_zero(coefficient):
                row[j] = coefficient
        constant = f.xreplace({x: sympy.S.Zero for x in xs})
        if constant.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            constant = sympy.expand(f - sum(c * xs[j] for j, c in row.items()))
        if constant.free_symbols & state:
            return (
                f"'exact' needs linear equations, but d{var}/dt = {short(f)} is not "
                f"linear in the state variables"
            )
        for term in [*row.values(), constant]:
            if t in term.free_symbols:
                return (
                    f"'exact' needs coefficients that are constant over a time step, "
                    f"but d{var}/dt = {short(f)} depends on time {t}"
                )
        A[i] = row
        b.append(constant)
    return A, b


def _weak_components(n: int, deps: dict[int, set[int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, js in deps.items():
        for j in js:
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _strong_components(nodes: list[int], deps: dict[int, set[int]]) -> list[list[int]]:
    """Tarjan's algorithm; the result lists every block after the blocks it depends on."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    blocks: list[list[int]] = []

    def visit(v: int) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            block = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                block.append(w)
                if w == v:
                    break
            blocks.append(sorted(block))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return blocks


# A trajectory over the step is a list of (rate, [c0, c1, ...]) standing for
# sum_k (c0 + c1*s + c2*s**2 + ...) * exp(rate*s), with distinct rates.


def _merge(terms):
    merged: list[tuple[sympy.Expr, list[sympy.Expr]]] = []
    for rate, coefficients in terms:
        for k, (other, existing) in enumerate(merged):
            if is_zero(rate - other):
                size = max(len(existing), len(coefficients))
                padded = [*existing, *[sympy.S.Zero] * (size - len(existing))]
                for m, c in enumerate(coefficients):
                    padded[m] += c
                merged[k] = (other, padded)
                break
        else:
            merged.append((rate, list(coefficients)))
    return merged


def _solve_triangular(blocks, A, b, xs, s) -> dict[int, sympy.Expr]:
    """Solve variables without feedback one after the other (``blocks`` is in order)."""
    trajectories = {}
    result = {}
    for (i,) in blocks:
        a = A[i].get(i, sympy.S.Zero)
        forcing = [(sympy.S.Zero, [b[i]])] if not is_zero(b[i]) else []
        for j in sorted(A[i]):
            if j != i:
                forcing += [(rate, [A[i][j] * c for c in cs]) for rate, cs in trajectories[j]]
        terms = []
        initial = xs[i]
        for rate, p in _merge(forcing):
            difference = rate - a
            if is_zero(difference):
                # resonance: the particular solution is the polynomial's antiderivative
                terms.append((rate, [sympy.S.Zero] + [c / (m + 1) for m, c in enumerate(p)]))
                continue
            # q' + difference*q = p, solved from the highest power down
            q = [sympy.S.Zero] * len(p)
            q[-1] = _tidy_linear(p[-1] / difference, xs)
            for m in range(len(p) - 2, -1, -1):
                q[m] = _tidy_linear((p[m] - (m + 1) * q[m + 1]) / difference, xs)
            terms.append((rate, q))
            initial -= q[0]
        terms.append((a, [initial]))
        merged = _merge(terms)
        if any(j != i for j in A[i]):  # keep the plain scalar form otherwise
            merged = [(rate, [_tidy_linear(c, xs) for c in cs]) for rate, cs in merged]
        trajectories[i] = merged
        result[i] = sympy.Add(
            *[
                sympy.Add(*[c * s**m for m, c in enumerate(cs)]) * sympy.exp(rate * s)
                for rate, cs in merged
            ]
        )
    return result


def _tidy_linear(expr: sympy.Expr, xs) -> sympy.Expr:
    """Factor the coefficient of every state variable (and the constant) separately."""
    present = [x for x in xs if x in expr.free_symbols]
    parts = sympy.collect(sympy.expand(expr, power_exp=False), present, evaluate=False)
    return sympy.Add(*[_factor(c) * (1 if x == 1 else x) for x, c in parts.items()])


def _factor(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` over one denominator with numerator and denominator factored."""
    if sympy.count_ops(expr) > 2000:
        return expr
    return sympy.factor(sympy.cancel(expr))


def _sign_decidable(expr: sympy.Expr) -> bool:
    """Whether the sign of ``expr`` is known, taking parameters as non-zero reals."""
    if is_zero(expr):
        return True
    nonzero = {p: sympy.Dummy(p.name, real=True, nonzero=True) for p in expr.free_symbols}
    probe = sympy.factor(expr.xreplace(nonzero))
    return probe.is_positive is True or probe.is_negative is True


def _check_oscillation(block, A, variables) -> str | None:
    """Refuse a 2-variable loop whose eigenvalues are real or complex depending on values."""
    i, j = block
    a, d = A[i].get(i, sympy.S.Zero), A[j].get(j, sympy.S.Zero)
    discriminant = (a - d) ** 2 + 4 * A[i][j] * A[j][i]
    if _sign_decidable(discriminant):
        return None
    return (
        f"'exact': whether {variables[i]} and {variables[j]} oscillate depends on the "
        f"parameter values (sign of {short(sympy.factor(discriminant))}), so there is "
        f"no single closed form"
    )


def _solve_coupled(component, A, b, xs, s, variables):
    """Matrix exponential of the augmented matrix of ``component``, or a reason."""
    order = sorted(component)
    n = len(order)
    M = sympy.zeros(n + 1, n + 1)
    for r, i in enumerate(order):
        for c, j in enumerate(order):
            M[r, c] = A[i].get(j, sympy.S.Zero)
        M[r, n] = b[i]
    try:
        E = (M * s).exp()
    except Exception as exc:  # sympy raises several kinds here
        names = ", ".join(variables[i] for i in order)
        return f"'exact': sympy could not exponentiate the matrix of {names} ({exc})"
    result = {}
    for r, i in enumerate(order):
        expr = E[r, n] + sum(E[r, c] * xs[j] for c, j in enumerate(order))
        if expr.has(sympy.I):
            expr = sympy.expand(sympy.expand_complex(expr))
            if expr.has(sympy.I):
                real, imaginary = expr.as_real_imag()
                if not is_zero(imaginary):
                    return (
                        f"'exact': the solution for {variables[i]} could not be "
                        f"written with real arithmetic"
                    )
                expr = real
        if expr.has(*_UNSAFE) or expr.has(sympy.nan, sympy.zoo):
            return (
                f"'exact': the solution for {variables[i]} could not be written with "
                f"real arithmetic"
            )
        result[i] = _tidy_exponentials(expr, s, xs)
    return result


def _tidy_exponentials(expr: sympy.Expr, s: sympy.Symbol, xs) -> sympy.Expr:
    """Group ``expr`` by the functions of the step ``s`` it contains.

    The result reads ``sum_k basis_k(s) * (sum_j c_kj * x_j + c_k)`` with every
    coefficient factored: the steady state and the decaying/oscillating parts stay
    separate instead of being spread over one large fraction.
    """
    groups: dict[sympy.Expr, sympy.Expr] = {}
    for term in sympy.Add.make_args(sympy.expand(expr)):
        numerator, denominator = term.as_numer_denom()
        term = sympy.factor_terms(numerator) / sympy.factor_terms(denominator)
        coefficient, basis = term.as_independent(s, as_Add=False)
        basis = sympy.powsimp(basis)
        groups[basis] = groups.get(basis, sympy.S.Zero) + coefficient
    out = []
    for basis, coefficient in groups.items():
        present = [x for x in xs if x in coefficient.free_symbols]
        parts = sympy.collect(sympy.expand(coefficient), present, evaluate=False)
        total = sympy.Add(
            *[
                (sympy.factor(c) if sympy.count_ops(c) < 300 else c) * (1 if x == 1 else x)
                for x, c in parts.items()
            ]
        )
        out.append(basis * total)
    return sympy.Add(*out)
