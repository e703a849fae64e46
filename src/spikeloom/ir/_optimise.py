"""Loop-invariant hoisting: compute scalar-only subexpressions once per block, not per element.

``ge*(Erev - v)*dt/taum`` becomes ``_lio0 = dt/taum`` before the loop and
``ge*(Erev - v)*_lio0`` inside it, so a division by a constant turns into a multiplication.
Brian2 does the same ("loop-invariant optimisations"); results differ from the naive order
only by rounding. Products and sums are split into their invariant and varying factors, so
``a*b*x`` with invariant a, b hoists ``a*b`` even though the whole product varies.
"""

from __future__ import annotations

from dataclasses import replace

import sympy
from sympy.core.relational import Relational

from ._plan import Kernel, Statement


def hoist_invariants(kernel: Kernel, is_invariant, prefix: str) -> Kernel:
    """Move scalar-only subexpressions of ``kernel`` into ``kernel.invariants``.

    Parameters
    ----------
    kernel : Kernel
    is_invariant : callable
        ``is_invariant(name) -> bool`` for symbols that do not change within one block
        execution (scalar arguments, ``t``, ``dt``).
    prefix : str
        Prefix of the new locals (unique per kernel).
    """
    hoisted: dict[sympy.Expr, sympy.Symbol] = {}
    invariants: list[Statement] = list(kernel.invariants)

    def invariant(expr) -> bool:
        if expr.is_Number or expr in (sympy.true, sympy.false):
            return True
        symbols = expr.free_symbols
        return bool(symbols) and all(is_invariant(s.name) for s in symbols)

    def name_for(expr) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        if expr not in hoisted:
            symbol = sympy.Symbol(f"{prefix}{len(hoisted)}", real=True)
            hoisted[expr] = symbol
            invariants.append(Statement(symbol.name, expr, "=", True))
        return hoisted[expr]

    def visit(expr):
        if expr.is_Atom:
            return expr
        if invariant(expr):
            return name_for(expr)
        if isinstance(expr, sympy.Mul | sympy.Add) and len(expr.args) > 2:
            fixed = [a for a in expr.args if invariant(a)]
            if len(fixed) > 1 or (fixed and not all(a.is_Atom for a in fixed)):
                rest = [visit(a) for a in expr.args if not invariant(a)]
                combined = name_for(expr.func(*fixed, evaluate=False)) if len(fixed) > 1 \
                    else name_for(fixed[0])
                return expr.func(combined, *rest, evaluate=False)
        args = [visit(a) for a in expr.args]
        if all(a is b for a, b in zip(args, expr.args)):
            return expr
        # a comparison rebuilt with evaluation asks sympy's assumptions whether it holds
        # (about a millisecond each, the first time in a process) and cannot decide one
        # between variables: both are kept as they are
        return expr.func(*args, evaluate=False) if isinstance(
            expr, sympy.Mul | sympy.Add | Relational) else expr.func(*args)

    statements = tuple(replace(st, expr=visit(st.expr)) for st in kernel.statements)
    if not hoisted:
        return kernel
    return replace(kernel, statements=statements, invariants=tuple(invariants))


def eliminate_common_subexpressions(kernel: Kernel, prefix: str) -> Kernel:
    """Compute subexpressions shared by consecutive statements once (sympy's ``cse``).

    An integration step such as exponential Euler on Hodgkin–Huxley gating variables repeats
    the same rate functions (``exp``, ``exprel``) in several updates; Brian2 leaves that to
    the C compiler's ``-ffast-math``, which LLVM without fast-math does not do for calls it
    cannot see through. Only runs of plain assignments whose targets none of them reads are
    grouped (the ``_new_x = ...`` lines of an integrator), so every temporary is computed
    from the values the statements would have read. Values can differ from the unshared form
    only by rounding where sympy regroups sums or products.
    """
    statements: list[Statement] = []
    group: list[Statement] = []
    names = sympy.numbered_symbols(prefix, real=True)  # shared: unique across groups

    def flush() -> None:
        if len(group) > 1:
            temps, reduced = sympy.cse([st.expr for st in group], symbols=names,
                                       order="none")
            statements.extend(Statement(s.name, e, "=", True) for s, e in temps)
            statements.extend(replace(st, expr=e) for st, e in zip(group, reduced))
        else:
            statements.extend(group)
        group.clear()

    for st in kernel.statements:
        # a guarded statement runs only where its guard holds: never shared with others
        numeric = st.op == "=" and isinstance(st.expr, sympy.Expr) and st.guard is None
        reads = st.expr.free_symbols if numeric else set()
        clash = any(s.name in {g.target for g in group} for s in reads) or any(
            st.target in {s.name for s in g.expr.free_symbols} for g in group)
        if not numeric or clash:
            flush()
        if numeric and not any(s.name == st.target for s in reads):
            group.append(st)
        else:
            flush()
            statements.append(st)
    flush()
    if len(statements) == len(kernel.statements):
        return kernel
    return replace(kernel, statements=tuple(statements))

