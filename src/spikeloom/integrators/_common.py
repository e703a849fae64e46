"""Helpers shared by the integration methods (not part of the public contract).

Everything here works on the sympy expressions of an :class:`ODESystem`; nothing here
renders code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

import sympy

from ._base import ODESystem, Statement, randn_symbol, sym

#: ``order`` of a method without truncation error (the exact integrator).
EXACT_ORDER = 1000

#: Functions whose value changes at every call: an expression that calls one of them is
#: never constant over a time step.
STATEFUL_FUNCTIONS = frozenset({"rand", "randn", "poisson", "binomial"})

#: Above this many operations, optional simplifications are skipped.
_TIDY_MAX_OPS = 150

#: Above this many operations ``sympy.cancel`` is not tried: its multivariate gcd grows
#: steeply with the size of the rational function. On Brian2's Wang-Buzsaki equations a
#: 60-operation expression takes 0.15 s and a 125-operation one 1 s (where it simplifies
#: nothing), while every ``cancel`` that shortened an update in the test models worked on
#: fewer than 40 operations.
_CANCEL_MAX_OPS = 50


@runtime_checkable
class IntegrationMethod(Protocol):
    """What every integration method provides.

    Attributes
    ----------
    name : str
        The registered name (``'euler'``...).
    order : int
        Order of the global error for deterministic equations
        (:data:`EXACT_ORDER` for the exact integrator).
    strong_order : float or None
        Strong order of convergence for the stochastic equations it accepts,
        ``None`` when it refuses stochastic equations.
    """

    name: str
    order: int
    strong_order: float | None

    def can_integrate(self, system: ODESystem) -> str | None:
        """``None`` if the method can integrate ``system``, else the reason why not."""

    def __call__(self, system: ODESystem) -> list[Statement]:
        """The statements that advance ``system`` by one step."""


# ----------------------------------------------------------------------------- symbols


def state_symbols(system: ODESystem) -> dict[str, sympy.Symbol]:
    """The canonical symbol of every state variable, by name."""
    return {name: sym(name) for name in system.variables}


def _canonical_map(system: ODESystem, exprs: Iterable[sympy.Expr]) -> dict:
    """Map symbols that carry a state-variable name (or ``t``'s name) to the canonical one.

    The contract says state variables are ``sym(name)``; a symbol with the same name but
    other assumptions would silently be treated as a parameter, so it is replaced.
    """
    wanted = state_symbols(system)
    wanted[system.t.name] = system.t
    mapping = {}
    for expr in exprs:
        for s in sympy.sympify(expr).free_symbols:
            canonical = wanted.get(s.name)
            if canonical is not None and s != canonical:
                mapping[s] = canonical
    return mapping


def normalized_drift(system: ODESystem) -> dict[str, sympy.Expr]:
    """``f`` for every state variable, with canonical symbols (0 where missing)."""
    drift = {v: sympy.sympify(system.drift.get(v, sympy.S.Zero)) for v in system.variables}
    mapping = _canonical_map(system, drift.values())
    if mapping:
        drift = {v: f.xreplace(mapping) for v, f in drift.items()}
    return drift


def normalized_diffusion(system: ODESystem) -> dict[str, dict[str, sympy.Expr]]:
    """``{var: {noise: g}}`` with canonical symbols and zero terms dropped."""
    result: dict[str, dict[str, sympy.Expr]] = {}
    for var in system.variables:
        terms = {}
        for noise, g in system.diffusion.get(var, {}).items():
            g = sympy.sympify(g)
            if g != 0:
                terms[noise] = g
        result[var] = terms
    everything = [g for terms in result.values() for g in terms.values()]
    mapping = _canonical_map(system, everything)
    if mapping:
        result = {v: {n: g.xreplace(mapping) for n, g in t.items()} for v, t in result.items()}
    return result


def structural_problem(system: ODESystem) -> str | None:
    """A reason if ``system`` does not follow the contract's shape, else ``None``."""
    if not system.variables:
        return "the system has no state variables"
    if len(set(system.variables)) != len(system.variables):
        return f"state variables are repeated: {system.variables}"
    missing = [v for v in system.variables if v not in system.drift]
    if missing:
        return f"no drift given for state variable(s) {', '.join(missing)}"
    unknown = [v for v in system.diffusion if v not in system.variables and system.diffusion[v]]
    if unknown:
        return f"noise terms given for unknown variable(s) {', '.join(unknown)}"
    return None


def is_stochastic(system: ODESystem) -> bool:
    """Whether any noise term is non-zero (``ODESystem.is_stochastic`` keeps zero terms)."""
    return any(normalized_diffusion(system).values())


def wiener_increment(system: ODESystem, noise: str) -> sympy.Expr:
    """``dW = sqrt(dt) * _randn_<noise>``."""
    return sympy.sqrt(system.dt) * randn_symbol(noise)


def depends_on(expr: sympy.Expr, symbols: Iterable[sympy.Symbol]) -> bool:
    """Whether ``expr`` contains any of ``symbols``."""
    return not sympy.sympify(expr).free_symbols.isdisjoint(set(symbols))


def stateful_calls(expr: sympy.Expr) -> list[str]:
    """Names of the stateful functions (``rand()``...) that ``expr`` calls."""
    names = {type(f).__name__ for f in sympy.sympify(expr).atoms(sympy.Function)}
    return sorted(names & STATEFUL_FUNCTIONS)


def is_zero(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is zero symbolically (``False`` when it cannot be decided).

    Tries the cheap tests first: sympy's assumptions, then ``expand``. What is left is
    decided by ``cancel`` on small expressions and, on larger ones (where ``cancel`` takes
    seconds), by expanding the numerator of ``together``: a sum of fractions is zero when
    the numerator over the common denominator expands to zero.
    """
    expr = sympy.sympify(expr)
    if expr.is_zero:
        return True
    if expr.is_zero is False or expr.is_number:
        return bool(expr == 0)
    expanded = sympy.expand(expr)
    if expanded == 0:
        return True
    if sympy.count_ops(expr) > _TIDY_MAX_OPS:
        return False
    if sympy.count_ops(expanded) > _CANCEL_MAX_OPS:
        numerator, _ = sympy.fraction(sympy.together(expanded))
        return bool(sympy.expand(numerator) == 0)
    return bool(sympy.cancel(expanded) == 0)


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """A cheap simplification: cancel a small rational expression when it gets smaller.

    Expressions of more than :data:`_CANCEL_MAX_OPS` operations are returned unchanged
    (as Brian2 leaves every expression), so that the analysis of large Hodgkin-Huxley
    models stays well under a second.
    """
    ops = sympy.count_ops(expr)
    if ops > _CANCEL_MAX_OPS:
        return expr
    candidate = sympy.factor_terms(sympy.cancel(expr))
    if sympy.count_ops(candidate) <= ops + 2:
        return candidate
    return expr


def short(expr: sympy.Expr, limit: int = 80) -> str:
    """``expr`` as text, shortened for error messages."""
    text = sympy.sstr(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------- linearity


@functools.lru_cache(maxsize=256)  # asked by can_integrate (twice) and by the step itself
def split_conditionally_linear(f: sympy.Expr,
                               x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr] | None:
    """Split ``f`` into ``(A, B)`` with ``f = A*x + B`` as Brian2's exponential Euler does.

    ``f`` is expanded and its terms collected by powers of ``x``: it qualifies when only
    ``x`` itself and terms without a factor ``x`` remain. ``A`` and ``B`` may still depend on
    ``x`` through functions (``tanh(x)*x``): they are frozen at the step's old values, which
    is Brian2's "conditionally linear" rule -- needed to give its numbers on models such as
    Morris-Lecar, and cheap (no ``cancel``), so large Hodgkin-Huxley models start at once.
    Returns ``None`` when another power of ``x`` (``x**2``, ``1/x``) appears.
    """
    expanded = sympy.expand(f)
    if x not in expanded.free_symbols:
        return sympy.S.Zero, f
    terms = sympy.collect(expanded, x, evaluate=False)
    if len(terms) > 2 or x not in terms or (len(terms) == 2 and sympy.S.One not in terms):
        return None
    return terms[x], terms.get(sympy.S.One, sympy.S.Zero)


# ------------------------------------------------------------------------ statements


def substitute_stage(
    expr: sympy.Expr,
    system: ODESystem,
    shifts: Mapping[str, sympy.Expr],
    time_fraction: sympy.Expr | int = 0,
) -> sympy.Expr:
    """``expr`` evaluated at ``x + shift[x]`` and ``t + time_fraction*dt``.

    The replacement is simultaneous, so a shift may itself mention state variables.
    """
    mapping: dict = {sym(var): sym(var) + shift for var, shift in shifts.items()}
    if time_fraction != 0:
        mapping[system.t] = system.t + sympy.sympify(time_fraction) * system.dt
    return expr.xreplace(mapping) if mapping else expr


def new_name(var: str) -> str:
    """The temporary that holds the new value of ``var``."""
    return "_new_" + var


def temporary(stage: str, var: str) -> sympy.Symbol:
    """The symbol of the temporary ``_<stage>_<var>``."""
    return sym(f"_{stage}_{var}")


def final_assignments(system: ODESystem) -> list[Statement]:
    """``var = _new_var`` for every state variable, in declaration order."""
    return [Statement(var, sym(new_name(var))) for var in system.variables]


def cannot(method_name: str, reason: str) -> ValueError:
    """The error raised when a method is called on a system it cannot integrate."""
    return ValueError(f"integration method '{method_name}' cannot be used: {reason}")


def deterministic_only(system: ODESystem, method_name: str) -> str | None:
    """The reason a deterministic-only method refuses ``system``, or ``None``."""
    problem = structural_problem(system)
    if problem is not None:
        return problem
    if is_stochastic(system):
        noises = sorted({n for terms in normalized_diffusion(system).values() for n in terms})
        return f"'{method_name}' cannot integrate stochastic equations (noise: {', '.join(noises)})"
    return None


class MethodBase:
    """Shared plumbing: ``__call__`` checks :meth:`can_integrate` then builds statements."""

    name: str = ""
    order: int = 1
    strong_order: float | None = None

    def can_integrate(self, system: ODESystem) -> str | None:  # pragma: no cover
        raise NotImplementedError

    def _statements(self, system: ODESystem) -> list[Statement]:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, system: ODESystem) -> list[Statement]:
        reason = self.can_integrate(system)
        if reason is not None:
            raise cannot(self.name, reason)
        return self._statements(system)

    def __repr__(self) -> str:
        return f"<integration method '{self.name}'>"
