"""Lowering model code to IR kernels: name resolution, unit checks, kernel assembly.

A :class:`Scope` says what a name means inside one object's code (a variable of the group,
of the pre- or postsynaptic group, an index, an external constant, a TimedArray). A
:class:`KernelBuilder` turns statements into an :class:`spikeloom.ir.Kernel`, loading each
array variable once into a local, checking units line by line, and giving every
``rand()`` call a random-number stream of its own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np
import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from .. import ir, units
from ..equations import (
    BOOLEAN,
    CodeLine,
    ExternalFunction,
    infer_dim,
    make_counter,
    parse_ast,
    to_sympy,
)
from ..exceptions import EquationError, UnitError, UnresolvedNameError
from ..integrators._base import Statement, sym
from ..units import DIMENSIONLESS, UNITS, Quantity, dim_string, get_dim, si_value
from ._variables import DerivedVariable, Variable, checked_link_indices

SECOND = get_dim(units.second)
INDEX_NAMES = ("_idx", "_pre", "_post")
DEFAULT_NAMESPACE: dict = dict(UNITS)
DEFAULT_NAMESPACE.update({"pi": np.pi, "e": np.e, "inf": np.inf, "True": True, "False": False})


class Namespace:
    """External names of one object's code: its own namespace, else the run's, then defaults."""

    def __init__(self, own: dict | None, run: dict | None, extra: dict | None = None) -> None:
        self.chain = [d for d in (extra, own if own is not None else run, DEFAULT_NAMESPACE)
                      if d is not None]
        self.run = run

    def get(self, name: str):
        for mapping in self.chain:
            if name in mapping:
                return mapping[name]
        return _added_default_function(name)


def _added_default_function(name: str):
    """A Function a script added to Brian2's ``DEFAULT_FUNCTIONS`` (visible to all model
    code, as in Brian2); the built-in names are not looked up there."""
    from ..equations import BUILTIN_FUNCTIONS
    from .functions import DEFAULT_FUNCTIONS

    if name in BUILTIN_FUNCTIONS or name not in DEFAULT_FUNCTIONS:
        raise KeyError(name)
    return DEFAULT_FUNCTIONS[name]


@dataclass(frozen=True)
class Resolved:
    """What a name means: ``kind`` is 'array', 'expr', 'value', 'function' or 'special'."""

    kind: str
    dim: object
    var: Variable | None = None
    array: str = ""
    index: str = ""
    local: str = ""
    scope: Scope | None = None
    sympy_expr: sympy.Expr | None = None
    value: float | int | bool | None = None
    function: object = None


class Scope:
    """Names visible to the code of one group, with its element index and local suffix.

    ``variables`` maps names to :class:`Variable`; ``array_of(var)`` gives the plan name of a
    variable's storage; ``extra`` maps special names (``i``, ``j``, ``N``...) to
    ``(sympy expression, dim)``; ``links`` maps suffixes (``'_pre'``) to other scopes.
    """

    def __init__(self, owner: str, variables: dict[str, Variable], array_of, index: str,
                 suffix: str, namespace: Namespace, extra: dict | None = None,
                 links: dict[str, Scope] | None = None, fallback: Scope | None = None) -> None:
        self.owner = owner
        self.variables = variables
        self.array_of = array_of
        self.index = index
        self.suffix = suffix
        self.namespace = namespace
        self.extra = extra or {}
        self.links = links or {}
        self.fallback = fallback
        #: index name → array holding it per synapse (``'_pre'`` → ``'_synaptic_pre_S'``)
        self.index_arrays: dict[str, str] = {}
        #: index name → (the index it is read at, its Variable) where that is not ``_idx``:
        #: a linked variable's index array is read at the element's own index
        self.index_bases: dict[str, tuple[str, Variable]] = {}

    def resolve(self, name: str, where: str) -> Resolved:
        if name in ("t", "dt"):
            return Resolved("special", SECOND, local=name)
        if name == "t_in_timesteps":
            return Resolved("special", DIMENSIONLESS, local="_tstep")
        if name in self.extra:
            expr, dim = self.extra[name]
            return Resolved("expr", dim, sympy_expr=expr, scope=self)
        var = self.variables.get(name)
        if var is not None:
            return self._variable(var)
        for suffix, scope in self.links.items():
            if name.endswith(suffix) and len(name) > len(suffix):
                base = name[: -len(suffix)]
                inner = scope.variables.get(base) or (base in scope.extra and base)
                if inner:
                    return scope.resolve(base, where)
        if self.fallback is not None:
            fb = self.fallback.variables.get(name)
            if fb is not None:
                return self.fallback._variable(fb)
        try:
            value = self.namespace.get(name)
        except KeyError:
            raise UnresolvedNameError(
                f"{where}: the name '{name}' is not a variable of {self.owner} and was not "
                "found in the namespace; define it before calling run() or pass it with "
                "namespace={...}") from None
        return external(name, value, where)

    def _link_index(self, var: Variable) -> str:
        """The index name under which ``var`` (linked with ``index=``) reads its source:
        the link's index array read at this scope's element index."""
        checked_link_indices(var, self.owner)
        name = f"_link_{var.name}{self.suffix}"
        self.index_arrays[name] = self.array_of(var.link_index)
        self.index_bases[name] = (self.index, var.link_index)
        return name

    def _variable(self, var: Variable) -> Resolved:
        if var.linked:  # read the source group's array, element k or element 0
            if var.link is None:
                raise EquationError(f"{self.owner}: {var.name} is (linked) but not linked; "
                                    f"set it with {var.name} = linked_var(group, 'name')")
            group, source = var.link
            if source.shared or (group.N == 1 and var.link_index is None):
                index = "0"
            elif var.link_index is not None:
                index = self._link_index(var)
            else:
                index = self.index
            if source.is_subexpression:  # evaluated with the source group's names
                scope = group.scope(self.namespace.run, index=index,
                                    suffix=f"{self.suffix}_link_{group.name}")
                if index in self.index_bases:  # the source's names are read through it
                    scope.index_arrays[index] = self.index_arrays[index]
                    scope.index_bases[index] = self.index_bases[index]
                return Resolved("expr", BOOLEAN if source.is_boolean else source.dim,
                                var=source, scope=scope)
            return Resolved("array", BOOLEAN if source.is_boolean else source.dim, var=source,
                            array=group.array_name(source), index=index,
                            local=var.name + self.suffix, scope=self)
        if var.is_subexpression:
            return Resolved("expr", BOOLEAN if var.is_boolean else var.dim, var=var,
                            scope=self)
        index = "0" if var.shared else self.index
        dim = BOOLEAN if var.is_boolean else var.dim
        return Resolved("array", dim, var=var, array=self.array_of(var), index=index,
                        local=var.name + self.suffix, scope=self)


def external(name: str, value, where: str) -> Resolved:
    """Resolve an external value: a number, a Quantity, a unit, a TimedArray or a Function."""
    from ._timedarray import TimedArray
    from .functions import as_function

    if isinstance(value, TimedArray):
        return Resolved("function", value.dim, function=value)
    function = as_function(value)
    if function is not None:
        return Resolved("function", function.result_dim, function=function)
    if isinstance(value, bool | np.bool_):
        return Resolved("value", BOOLEAN, value=bool(value))
    if isinstance(value, Quantity | units.Unit) or np.isscalar(value) or (
            isinstance(value, np.ndarray) and value.ndim == 0):
        si = np.asarray(si_value(value))
        if si.ndim != 0:
            raise EquationError(f"{where}: '{name}' is an array of shape {si.shape}; model "
                                "code can only use scalar constants from the namespace "
                                "(store per-element values in a parameter)")
        dim = get_dim(value)
        number = si.item()
        if isinstance(number, int | np.integer) and not isinstance(number, bool):
            return Resolved("value", dim, value=int(number))
        return Resolved("value", dim, value=float(number))
    raise EquationError(f"{where}: '{name}' refers to a {type(value).__name__}, which cannot "
                        "be used in model code (allowed: numbers, quantities, TimedArray, "
                        "Function)")


class KernelBuilder:
    """Collects statements of one loop body and resolves them into an IR kernel.

    Parameters
    ----------
    scope : Scope
        Names of the owning object.
    lowering : LoweringContext
        Where scalars, lookup tables and random streams are registered.
    tag : str
        Unique per kernel; appended to locals so kernels never share a local's type.
    """

    def __init__(self, scope: Scope, lowering, tag: str) -> None:
        self.scope = scope
        self.lowering = lowering
        self.tag = tag
        self.indices: list[tuple[str, str, str]] = []
        self.loads: dict[str, ir.Ref] = {}
        self.stores: dict[str, ir.Ref] = {}
        self.statements: list[Statement] = []
        self.draws: list[ir.Draw] = []
        self.temporaries: dict[str, object] = {}
        self._subexpr_cache: dict[tuple[str, int], sympy.Expr] = {}
        self._active: set[tuple[str, int]] = set()

    # -- names -----------------------------------------------------------------------------
    def local(self, name: str) -> str:
        return f"{name}__{self.tag}"

    def dim_of(self, scope: Scope, where: str):
        def lookup(name: str):
            if scope is self.scope and name in self.temporaries:
                return self.temporaries[name]
            return scope.resolve(name, where).dim
        return lookup

    def func_of(self, scope: Scope, where: str):
        def lookup(name: str):
            if name in scope.variables or name in ("rand", "randn"):
                return None
            try:
                value = scope.namespace.get(name)
            except KeyError:
                return None
            from ._timedarray import TimedArray
            from .functions import as_function
            if isinstance(value, TimedArray):
                return ExternalFunction(name, value.arg_dims, value.dim)
            function = as_function(value)
            return None if function is None else function.external(name)
        return lookup

    def _symbol_for(self, name: str, scope: Scope, where: str) -> sympy.Expr:
        if scope is self.scope and name in self.temporaries:
            return sympy.Symbol(self.local(name), real=True)
        res = scope.resolve(name, where)
        if res.kind == "special":
            return sympy.Symbol(res.local, real=True)
        if res.kind == "value":
            if res.dim == BOOLEAN:
                return sympy.true if res.value else sympy.false
            return sympy.Symbol(self.lowering.scalar(name, res.value), real=True)
        if res.kind == "array":
            if isinstance(res.var, DerivedVariable):  # computed only when code reads it
                self.lowering.array(res.array, res.var.values)
            local = self.local(res.local)
            ref = ir.Ref(res.array, res.index)
            self.loads.setdefault(local, ref)
            self._need_index(res.index, res.scope)
            return sympy.Symbol(local, real=True)
        if res.kind == "expr":
            if res.var is not None:  # subexpression: substitute its definition
                return self._subexpression(res.var, res.scope, where)
            return self.resolve_sympy(res.sympy_expr, res.scope, where)
        raise EquationError(f"{where}: '{name}' is a function; call it, e.g. {name}(t)")

    def _need_index(self, index: str, scope: Scope) -> None:
        if index in ("_idx", "0") or any(n == index for n, _, _ in self.indices):
            return
        array = self.scope.index_arrays.get(index) or scope.index_arrays[index]
        bases = scope.index_bases if index in scope.index_bases else self.scope.index_bases
        base = bases.get(index, ("_idx",))[0]
        self._need_index(base, scope)  # a linked variable's index is read at the base's
        self.indices.append((index, array, base))

    def _subexpression(self, var: Variable, scope: Scope, where: str) -> sympy.Expr:
        key = (var.name, id(scope))
        if key not in self._subexpr_cache:
            if key in self._active:
                raise EquationError(f"{where}: subexpression {var.name} refers to itself")
            self._active.add(key)
            node = parse_ast(var.expr, var.where)
            expr = to_sympy(node, make_counter(), self._functions(node, scope))
            self._subexpr_cache[key] = self.resolve_sympy(expr, scope, var.where)
            self._active.discard(key)
        return self._subexpr_cache[key]

    def _functions(self, node, scope: Scope) -> frozenset[str]:
        names = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call)}
        return frozenset(n for n in names if self.func_of(scope, "")(n) is not None)

    def resolve_sympy(self, expr: sympy.Expr, scope: Scope, where: str) -> sympy.Expr:
        """Replace model names by locals, scalar arguments and substituted definitions."""
        mapping = {}
        for symbol in sorted(expr.free_symbols, key=lambda s: s.name):
            name = symbol.name
            if name.startswith("_rand_") or name.startswith("_randn_"):
                continue
            if name in INDEX_NAMES:
                self._need_index(name, scope)
                continue
            mapping[symbol] = self._symbol_for(name, scope, where)
        result = _substituted(expr, mapping) if mapping else expr
        return self._external_calls(result, scope, where)

    def _external_calls(self, expr: sympy.Expr, scope: Scope, where: str) -> sympy.Expr:
        """Register the TimedArrays and user functions ``expr`` calls; each call of a user
        function is renamed to the name the loop knows it by (two functions of one name in
        two groups' namespaces stay apart)."""
        from .functions import as_function

        renamed = {}
        for call in expr.atoms(AppliedUndef):
            name = type(call).__name__
            if name in renamed or self.func_of(scope, where)(name) is None:
                continue
            value = scope.namespace.get(name)
            function = as_function(value)
            if function is not None:
                renamed[name] = sympy.Function(self.lowering.user_function(function))
            else:
                self.lowering.lookup(name, value)
        if not renamed:
            return expr
        return expr.replace(lambda e: isinstance(e, AppliedUndef) and type(e).__name__ in renamed,
                            lambda e: renamed[type(e).__name__](*e.args))

    def _draws(self, expr: sympy.Expr, rename: dict) -> sympy.Expr:
        """Give every rand()/randn() symbol of ``expr`` a stream and a kernel-unique local."""
        mapping = {}
        for symbol in sorted(expr.free_symbols, key=lambda s: s.name):
            name = symbol.name
            if name.startswith("_rand_") or name.startswith("_randn_"):
                if name not in rename:
                    kind = "uniform" if name.startswith("_rand_") else "normal"
                    local = f"_r{len(self.draws)}__{self.tag}"
                    self.draws.append(ir.Draw(local, kind, self.lowering.new_stream()))
                    rename[name] = local
                mapping[symbol] = sympy.Symbol(rename[name], real=True)
        return expr.xreplace(mapping) if mapping else expr

    # -- public API ------------------------------------------------------------------------
    def expression(self, text: str, where: str, expected=None) -> sympy.Expr:
        """Check and resolve an expression; ``expected`` is a dimension or BOOLEAN."""
        node = parse_ast(text, where)
        dim = infer_dim(node, self.dim_of(self.scope, where), self.func_of(self.scope, where),
                        where)
        if expected is not None and dim != expected:
            if expected == BOOLEAN:
                unit = dim_string(dim) if dim != BOOLEAN else "boolean"
                raise UnitError(f"{where}: expected a condition such as 'v > 10*mV', got "
                                f"'{text}' with unit {unit}")
            if not (dim == BOOLEAN and expected == DIMENSIONLESS):
                raise UnitError(f"{where}: '{text}' has unit "
                                f"{'boolean' if dim == BOOLEAN else dim_string(dim)}, expected "
                                f"{'boolean' if expected == BOOLEAN else dim_string(expected)}")
        expr = to_sympy(node, make_counter(), self._functions(node, self.scope))
        return self._draws(self.resolve_sympy(expr, self.scope, where), {})

    def assign_local(self, local: str, expr: sympy.Expr) -> None:
        """Append ``local = expr`` where ``local`` is a renderer-known name (``_cond``...)."""
        self.statements.append(Statement(local, expr, "=", True))

    def add_code(self, lines: list[CodeLine], where: str,
                 conditional_writes: bool = True) -> None:
        """Add user statements (reset, on_pre...), checking targets and units.

        With ``conditional_writes`` (all code but a reset), an assignment to a variable with
        a ``conditional_write`` condition takes effect only where the condition holds:
        ``v_post += w`` becomes ``v_post = v_post + w if not_refractory_post else v_post``,
        Brian2's semantics of ``(unless refractory)``.
        """
        for line in lines:
            loc = f"{where}: statement '{line.line}'"
            expr_dim = infer_dim(line.expr_ast, self.dim_of(self.scope, loc),
                                 self.func_of(self.scope, loc), loc)
            target = line.target
            if target in self.temporaries:
                target_dim = self.temporaries[target]
                res = None
            else:
                try:
                    res = self.scope.resolve(target, loc)
                except UnresolvedNameError:
                    res = None
                if res is None or res.kind == "value" and line.op == "=":
                    if line.op != "=":
                        raise UnresolvedNameError(
                            f"{loc}: '{target}' is not a variable of {self.scope.owner}; "
                            f"'{line.op}' needs an existing variable (use '=' to define a "
                            "temporary)")
                    self.temporaries[target] = expr_dim
                    target_dim = expr_dim
                    res = None
                else:
                    self._check_writable(res, target, loc)
                    target_dim = res.dim
            self._check_assignment_dim(line, target_dim, expr_dim, loc)
            expr = to_sympy(line.expr_ast, make_counter(),
                            self._functions(line.expr_ast, self.scope))
            op = line.op
            condition = res.var.conditional_write if res is not None else None
            if condition and conditional_writes:
                expr, op = _conditional(target, res.var.name, condition, expr, op), "="
            expr = self._draws(self.resolve_sympy(expr, self.scope, loc), {})
            if res is None:
                declare = self.local(target) not in {s.target for s in self.statements}
                guard = None if line.guard is None else self._guard(line.guard, loc)
                if guard is not None and self.local(target) in {
                        s.name for s in guard.free_symbols}:
                    # the backends evaluate a guard once per run of statements (Numba) or
                    # per statement (JAX): it must not change within them
                    raise EquationError(f"{loc}: the statement assigns '{target}', which its "
                                        f"condition '{line.guard}' reads")
                self.statements.append(Statement(self.local(target), expr, line.op, declare,
                                                 guard))
            elif line.guard is not None:
                raise EquationError(f"{loc}: '# spikeloom: if {line.guard}' guards "
                                    f"temporaries only; '{target}' is a variable of "
                                    f"{self.scope.owner}")
            else:
                local = self.local(res.local)
                self.loads.setdefault(local, ir.Ref(res.array, res.index))
                self._need_index(res.index, res.scope)
                self.stores[local] = ir.Ref(res.array, res.index)
                self.statements.append(Statement(local, expr, op))

    def _guard(self, text: str, loc: str) -> sympy.Basic:
        """The condition of a ``# spikeloom: if`` annotation (no random draws in it)."""
        where = f"{loc} (its '# spikeloom: if')"
        guard = self.expression(text, where, BOOLEAN)
        if any(s.name in {d.symbol for d in self.draws} for s in guard.free_symbols):
            raise EquationError(f"{where}: the condition '{text}' draws random numbers; "
                                "compute the draw in a statement before it")
        return guard

    def _check_writable(self, res: Resolved, target: str, loc: str) -> None:
        if res.kind != "array":
            what = {"expr": "a subexpression or index", "special": "the clock's time",
                    "function": "a function", "value": "an external constant"}[res.kind]
            raise EquationError(f"{loc}: cannot assign to '{target}', it is {what}")
        if res.var.constant or res.var.read_only:
            raise EquationError(f"{loc}: cannot assign to '{target}' of {res.scope.owner}: it is "
                                "constant (declared '(constant)' or built in); remove the "
                                "flag or assign another variable")

    @staticmethod
    def _check_assignment_dim(line: CodeLine, target_dim, expr_dim, loc: str) -> None:
        def fmt(d):
            return "boolean" if d == BOOLEAN else dim_string(d)
        if line.op in ("*=", "/="):
            if expr_dim not in (DIMENSIONLESS, BOOLEAN):
                raise UnitError(f"{loc}: '{line.op}' needs a dimensionless right-hand side, got "
                                f"unit {fmt(expr_dim)}")
            return
        t = DIMENSIONLESS if target_dim == BOOLEAN else target_dim
        e = DIMENSIONLESS if expr_dim == BOOLEAN else expr_dim
        if t != e:
            raise UnitError(f"{loc}: the right-hand side has unit {fmt(expr_dim)} but "
                            f"'{line.target}' has unit {fmt(target_dim)}")

    def add_statements(self, statements: list[Statement], where: str) -> None:
        """Add already-checked sympy statements over model names (integrator output).

        Targets starting with ``_`` are temporaries; ``_randn_<noise>`` symbols become one
        normal draw per noise symbol, shared by every statement of this call.
        """
        for st in statements:
            if st.target.startswith("_"):
                self.temporaries.setdefault(st.target, None)
        rename: dict[str, str] = {}
        for st in statements:
            expr = self._draws(self.resolve_sympy(st.expr, self.scope, where), rename)
            if st.target in self.temporaries:
                self.statements.append(Statement(self.local(st.target), expr, st.op, st.declare))
                continue
            res = self.scope.resolve(st.target, where)
            local = self.local(res.local)
            self.loads.setdefault(local, ir.Ref(res.array, res.index))
            self._need_index(res.index, res.scope)
            self.stores[local] = ir.Ref(res.array, res.index)
            self.statements.append(Statement(local, expr, st.op))

    def build(self) -> ir.Kernel:
        return ir.Kernel(indices=tuple(self.indices), loads=tuple(self.loads.items()),
                         draws=tuple(self.draws), statements=tuple(self.statements),
                         stores=tuple(self.stores.items()))


def _substituted(expr: sympy.Basic, mapping: dict) -> sympy.Basic:
    """``expr.xreplace(mapping)``, except that comparisons are rebuilt unevaluated.

    Rebuilding ``t - lastspike >= tau`` with evaluation asks sympy's assumptions whether
    it holds: about a millisecond per comparison the first time in a process, for a
    comparison of variables it cannot decide. Sums, products and calls are rebuilt with
    evaluation, as ``xreplace`` does, so their canonical forms are unchanged.
    """
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = tuple(_substituted(arg, mapping) for arg in expr.args)
    if all(new is old for new, old in zip(args, expr.args)):
        return expr
    if isinstance(expr, Relational):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _conditional(target: str, var_name: str, condition: str, expr: sympy.Expr,
                 op: str) -> sympy.Expr:
    """``target op expr`` applied only where ``condition`` (of target's group) holds."""
    suffix = target[len(var_name):] if target.startswith(var_name) else ""
    old = sym(target)
    new = {"=": expr, "+=": old + expr, "-=": old - expr, "*=": old * expr,
           "/=": old / expr}[op]
    return sympy.Piecewise((new, sym(condition + suffix)), (old, True))
