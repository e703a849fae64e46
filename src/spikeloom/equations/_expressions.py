"""Expressions: Brian2's Python-like expression syntax → sympy, with dimension inference.

An expression string is parsed with Python's :mod:`ast` (so its syntax is Python's), checked
against a small grammar (no attribute access, no lambdas...), its dimension is inferred from
the dimensions of the names it uses, and it is converted to sympy. Each ``rand()``/``randn()``
call becomes its own symbol (``_rand_0``, ``_randn_1``...) so that sympy never merges two
independent draws.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy

# sympy imports these inside Add.flatten, on the first sum it builds (0.05 s for the tensor
# and combinatorics packages): load them with spikeloom, not inside the user's first run()
import sympy.calculus.accumulationbounds
import sympy.matrices.expressions
import sympy.tensor.tensor

from ..exceptions import EquationError, UnitError
from ..units import DIMENSIONLESS, Dimension, dim_string


# Functions that sympy does not evaluate and every renderer must know.
class clip(sympy.Function):
    """``clip(x, low, high)``, kept unevaluated for the renderers; its derivative (needed by
    the Stratonovich correction of 'milstein') is 1 inside the bounds, else 0."""

    nargs = 3

    def fdiff(self, argindex=1):
        x, low, high = self.args
        inside = sympy.Piecewise((1, sympy.And(x > low, x < high)), (0, True))
        if argindex == 1:
            return inside
        if argindex == 2:
            return sympy.Piecewise((1, x <= low), (0, True))
        return sympy.Piecewise((1, x >= high), (0, True))


class int_(sympy.Function):
    """``int(x)``, kept unevaluated for the renderers (``int(v > 0)`` is 1 or 0). Its
    derivative stays unevaluated: sympy cannot differentiate a condition (it raised
    AttributeError), and 'exact' then sees an equation with ``int()`` as not linear."""

    nargs = 1
    is_integer = True  # (else sympy takes int(False) for a non-real number, not comparable)

    def _eval_derivative(self, symbol):
        return sympy.Derivative(self, symbol, evaluate=False)


timestep_fn = sympy.Function("timestep")
log10 = sympy.Function("log10")
exprel = sympy.Function("exprel")

_DIMENSIONLESS_FUNCS = {
    "exp": sympy.exp, "log": sympy.log, "log10": log10, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan, "exprel": exprel,
}
#: Names of the functions every model string may call.
BUILTIN_FUNCTIONS = frozenset(
    set(_DIMENSIONLESS_FUNCS)
    | {"sqrt", "abs", "clip", "int", "floor", "ceil", "sign", "rand", "randn", "timestep"}
)


@dataclass(frozen=True)
class ExternalFunction:
    """A user function callable from model code (e.g. a :class:`TimedArray`).

    Parameters
    ----------
    name : str
        Name under which the expression calls it.
    arg_dims : tuple of Dimension
        Required dimension of each argument.
    result_dim : Dimension
        Dimension of the result.
    """

    name: str
    arg_dims: tuple[Dimension, ...]
    result_dim: Dimension


@dataclass(frozen=True)
class RandomDraw:
    """One ``rand()`` (uniform in [0, 1)) or ``randn()`` (standard normal) call site."""

    symbol: str
    kind: str  # 'uniform' | 'normal'


class _Counter:
    def __init__(self) -> None:
        self.draws: list[RandomDraw] = []

    def new(self, kind: str) -> sympy.Symbol:
        prefix = "_rand_" if kind == "uniform" else "_randn_"
        name = f"{prefix}{len(self.draws)}"
        self.draws.append(RandomDraw(name, kind))
        return sympy.Symbol(name, real=True)


#: How deeply model code may nest calls, brackets and operators (a chain ``a + b - c`` of
#: one operator family counts once), and how many levels its syntax tree may have in all:
#: parsing, unit inference, sympy and the code printers recurse once or more per level, and
#: Python's recursion limit is 1000. Real models nest less than ten levels.
MAX_NESTING = 40
MAX_TREE_DEPTH = 300


def parse_ast(text: str, where: str) -> ast.expr:
    """Parse ``text`` as one expression; raise :class:`EquationError` naming ``where``."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise EquationError(f"{where}: cannot parse expression {_short(text)}: "
                            f"{exc.msg}") from None
    except (RecursionError, MemoryError):  # Python's parser gives up on deep nesting
        tree = None
    if tree is None or not _shallow(tree.body):
        raise EquationError(f"{where}: expression {_short(text)} is nested too deeply; "
                            f"allowed: {MAX_NESTING} levels of calls, brackets and operators "
                            f"and {MAX_TREE_DEPTH} levels in all (a sum counts one per term); "
                            "split it into subexpressions") from None
    return tree.body


def _short(text: str, limit: int = 200) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters."""
    text = text.strip()
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def _family(node: ast.AST) -> type | None:
    if not isinstance(node, ast.BinOp):
        return None
    return {ast.Sub: ast.Add, ast.Div: ast.Mult}.get(type(node.op), type(node.op))


def _shallow(root: ast.AST) -> bool:
    """Whether ``root`` stays within :data:`MAX_NESTING` and :data:`MAX_TREE_DEPTH` (walked
    without recursion: the tree may be arbitrarily deep)."""
    stack = [(root, 1, 1)]
    while stack:
        node, nesting, depth = stack.pop()
        if nesting > MAX_NESTING or depth > MAX_TREE_DEPTH:
            return False
        for child in ast.iter_child_nodes(node):
            chained = child is getattr(node, "left", None) and \
                _family(child) is not None and _family(child) is _family(node)
            stack.append((child, nesting if chained else nesting + 1, depth + 1))
    return True


def names_in(node: ast.AST) -> set[str]:
    """Names read by an expression (function names excluded)."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called}


def functions_in(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


BOOLEAN = "boolean"  # marker returned by infer_dim for logical expressions


def _fmt(dim) -> str:
    return "boolean" if dim == BOOLEAN else dim_string(dim)


def _is_zero_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0 and not isinstance(node.value, bool)


def infer_dim(node: ast.AST, dim_of: Callable[[str], Dimension | str],
              func_of: Callable[[str], ExternalFunction | None], where: str):
    """Infer the dimension of an expression (or :data:`BOOLEAN` for a condition).

    ``dim_of(name)`` returns a variable's dimension (or ``'boolean'``); ``func_of(name)``
    returns an :class:`ExternalFunction` or None. Raises :class:`UnitError` on mismatch.
    """

    def rec(n):
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool):
                return BOOLEAN
            if isinstance(n.value, int | float):
                return DIMENSIONLESS
            raise EquationError(f"{where}: unsupported constant {n.value!r}")
        if isinstance(n, ast.Name):
            return dim_of(n.id)
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.Invert):
                raise EquationError(f"{where}: unsupported operator '~' in '{ast.unparse(n)}'; "
                                    "write 'not' to negate a condition")
            d = rec(n.operand)
            if isinstance(n.op, ast.Not):
                return BOOLEAN
            return d
        if isinstance(n, ast.BinOp):
            left, right = rec(n.left), rec(n.right)
            left = DIMENSIONLESS if left == BOOLEAN else left
            right = DIMENSIONLESS if right == BOOLEAN else right
            if isinstance(n.op, ast.Add | ast.Sub | ast.Mod):
                if left != right:
                    if _is_zero_literal(n.left):
                        return right
                    if _is_zero_literal(n.right):
                        return left
                    sym = {ast.Add: "+", ast.Sub: "-", ast.Mod: "%"}[type(n.op)]
                    raise UnitError(
                        f"{where}: the operands of '{ast.unparse(n)}' have different units "
                        f"({_fmt(left)} {sym} {_fmt(right)}); both sides of {sym} must have "
                        "the same unit")
                return left
            if isinstance(n.op, ast.Mult):
                return left * right
            if isinstance(n.op, ast.Div):
                return left / right
            if isinstance(n.op, ast.FloorDiv):
                if left != right:
                    raise UnitError(f"{where}: '{ast.unparse(n)}' floor-divides {_fmt(left)} by "
                                    f"{_fmt(right)}; both must have the same unit")
                return DIMENSIONLESS
            if isinstance(n.op, ast.Pow):
                if right != DIMENSIONLESS:
                    raise UnitError(f"{where}: exponent in '{ast.unparse(n)}' has unit "
                                    f"{_fmt(right)}; exponents must be dimensionless")
                if left == DIMENSIONLESS:
                    return DIMENSIONLESS
                exponent = _literal_number(n.right)
                if exponent is None:
                    raise UnitError(f"{where}: '{ast.unparse(n)}' raises a quantity with unit "
                                    f"{_fmt(left)} to a non-constant power")
                if not math.isfinite(exponent):
                    raise UnitError(f"{where}: '{ast.unparse(n)}' raises a quantity with unit "
                                    f"{_fmt(left)} to the power {exponent}; the exponent of "
                                    "a quantity must be a finite number")
                return left ** exponent
            raise EquationError(f"{where}: unsupported operator in '{ast.unparse(n)}'")
        if isinstance(n, ast.BoolOp):
            for v in n.values:
                d = rec(v)
                if d not in (BOOLEAN, DIMENSIONLESS):
                    raise UnitError(f"{where}: '{ast.unparse(v)}' in a logical expression has "
                                    f"unit {_fmt(d)}; expected a condition")
            return BOOLEAN
        if isinstance(n, ast.Compare):
            operands = [n.left, *n.comparators]
            dims = [rec(o) for o in operands]
            for (a, da), (b, db) in zip(zip(operands, dims), zip(operands[1:], dims[1:])):
                da_ = DIMENSIONLESS if da == BOOLEAN else da
                db_ = DIMENSIONLESS if db == BOOLEAN else db
                if da_ != db_ and not (_is_zero_literal(a) or _is_zero_literal(b)):
                    raise UnitError(
                        f"{where}: comparison '{ast.unparse(n)}' compares {_fmt(da)} with "
                        f"{_fmt(db)}; both sides must have the same unit")
            return BOOLEAN
        if isinstance(n, ast.Call):
            return _call_dim(n, rec, func_of, where)
        raise EquationError(f"{where}: unsupported syntax '{ast.unparse(n)}' "
                            f"({type(n).__name__}); model code is arithmetic, comparisons, "
                            "and/or/not and function calls")

    return rec(node)


def _literal_number(node: ast.AST) -> float | None:
    """The value of a number written out (``2``, ``-0.5``, ``1/3``), as a float (inf or nan
    for ``1/0``, ``0/0``, or an integer too large for a float); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return _as_float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _literal_number(node.operand)
        return None if v is None else -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        a, b = _literal_number(node.left), _literal_number(node.right)
        if a is None or b is None:
            return None
        if b == 0:  # as C and NumPy divide: inf, or nan for 0/0
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    return None


def _as_float(value: int | float) -> float:
    """``float(value)``, with ±inf for an integer beyond the float range."""
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _call_dim(n: ast.Call, rec, func_of, where: str):
    if not isinstance(n.func, ast.Name) or n.keywords:
        raise EquationError(f"{where}: unsupported call '{ast.unparse(n)}'")
    name = n.func.id
    args = [rec(a) for a in n.args]
    args_ = [DIMENSIONLESS if a == BOOLEAN else a for a in args]

    def need(count: int) -> None:
        if len(args) != count:
            raise EquationError(f"{where}: {name}() takes {count} argument(s), got {len(args)} "
                                f"in '{ast.unparse(n)}'")

    external = func_of(name)
    if external is not None:
        need(len(external.arg_dims))
        for a_node, got, expected in zip(n.args, args_, external.arg_dims):
            if got != expected:
                raise UnitError(f"{where}: argument '{ast.unparse(a_node)}' of {name}() has unit "
                                f"{_fmt(got)}, expected {_fmt(expected)}")
        return external.result_dim
    if name in _DIMENSIONLESS_FUNCS:
        need(1)
        if args_[0] != DIMENSIONLESS:
            raise UnitError(f"{where}: argument of {name}() in '{ast.unparse(n)}' has unit "
                            f"{_fmt(args_[0])}; {name}() needs a dimensionless argument")
        return DIMENSIONLESS
    if name == "sqrt":
        need(1)
        return args_[0] ** 0.5
    if name in ("abs", "floor", "ceil"):
        need(1)
        return args_[0]
    if name in ("sign", "int"):
        need(1)
        if name == "int" and args_[0] != DIMENSIONLESS:
            raise UnitError(f"{where}: int() of '{ast.unparse(n.args[0])}' with unit "
                            f"{_fmt(args_[0])}; divide by a unit first")
        return DIMENSIONLESS
    if name == "clip":
        need(3)
        for a_node, d in zip(n.args[1:], args_[1:]):
            if d != args_[0] and not _is_zero_literal(a_node):
                raise UnitError(f"{where}: bound '{ast.unparse(a_node)}' of clip() has unit "
                                f"{_fmt(d)}, expected {_fmt(args_[0])} like its first argument")
        return args_[0]
    if name in ("rand", "randn"):
        need(0)
        return DIMENSIONLESS
    if name == "timestep":
        need(2)
        if args_[0] != args_[1]:
            raise UnitError(f"{where}: timestep(t, dt) needs two times, got {_fmt(args_[0])} "
                            f"and {_fmt(args_[1])}")
        return DIMENSIONLESS
    raise EquationError(f"{where}: unknown function '{name}' in '{ast.unparse(n)}'; known "
                        f"functions are {', '.join(sorted(BUILTIN_FUNCTIONS))} and "
                        "TimedArray/Function objects in the namespace")


def _power(a, b):
    """``a**b``; a rational number to a large integer power is computed in floating point,
    as C's ``pow`` computes it, not exactly (``9**9**9`` has 370 million digits)."""
    if isinstance(a, sympy.Rational) and isinstance(b, sympy.Integer) and abs(a.p) != a.q \
            and abs(int(b)) * max(abs(a.p), a.q).bit_length() > 64:
        return sympy.Float(a) ** b
    return a ** b


def _mod(a, b):
    """``a % b``; ``x % 0`` is nan, as NumPy computes it (sympy raises ZeroDivisionError)."""
    return sympy.nan if b.is_zero else sympy.Mod(a, b)


_BINOPS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: _power,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b), ast.Mod: _mod,
}
#: sympy's conditions: they are not numbers to sympy, but are to Brian2 (True is 1)
_LOGICAL = (sympy.logic.boolalg.BooleanAtom | sympy.logic.boolalg.BooleanFunction
            | sympy.core.relational.Relational)
_INT64 = (-2**63, 2**63 - 1)


def _number(value):
    """``value`` usable in arithmetic: a condition becomes ``int(condition)``, 1 where it
    holds, else 0 (as an unevaluated call: sympy's Piecewise recurses without end on some
    conditions, e.g. ``-3.2*x < 0.07*x``)."""
    if isinstance(value, _LOGICAL):
        return int_(value)
    return value


def _compared(op: ast.cmpop, a, b) -> tuple:
    """The operands of one comparison: sympy orders numbers only, so conditions compared
    with ``<``, ``<=``, ``>``, ``>=`` become 1 or 0; ``==`` and ``!=`` take them as they are."""
    if isinstance(op, ast.Eq | ast.NotEq):
        return a, b
    return _number(a), _number(b)


def _condition(value):
    """``value`` usable as a condition: a number is true where it is not 0 (a variable is
    left as it is: sympy takes a symbol as a condition)."""
    if isinstance(value, _LOGICAL | sympy.Symbol):
        return value
    return sympy.Ne(value, 0)


def _machine_number(value):
    """``value`` as the compiled code computes it: a constant that is not real
    (``sqrt(-1)``) is nan, and a rational beyond 64-bit integers is a float."""
    if not isinstance(value, sympy.Expr) or not value.is_number:
        return value
    if isinstance(value, sympy.Rational):
        if _INT64[0] <= value.p <= _INT64[1] and value.q <= _INT64[1]:
            return value
        value = sympy.Float(value)
    if isinstance(value, sympy.Float):  # sympy's floats go beyond 1e308, C's do not
        number = float(value)
        return value if math.isfinite(number) else (sympy.oo if number > 0 else -sympy.oo)
    if value.is_extended_real is False and value is not sympy.zoo:  # zoo: 1/0, inf in C
        return sympy.nan
    return value


_COMPARE = {
    ast.Lt: sympy.StrictLessThan, ast.LtE: sympy.LessThan, ast.Gt: sympy.StrictGreaterThan,
    ast.GtE: sympy.GreaterThan, ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne,
}


def to_sympy(node: ast.AST, draws: _Counter | None = None,
             external_functions: frozenset[str] = frozenset()) -> sympy.Basic:
    """Convert a checked expression AST to sympy (all symbols real)."""
    counter = draws if draws is not None else _Counter()

    def rec(n):
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool):
                return sympy.true if n.value else sympy.false
            if isinstance(n.value, int):
                return _machine_number(sympy.Integer(n.value))
            return sympy.Float(n.value)
        if isinstance(n, ast.Name):
            if n.id == "True":
                return sympy.true
            if n.id == "False":
                return sympy.false
            return sympy.Symbol(n.id, real=True)
        if isinstance(n, ast.UnaryOp):
            operand = rec(n.operand)
            if isinstance(n.op, ast.USub):
                return _machine_number(-_number(operand))
            if isinstance(n.op, ast.UAdd):
                return operand
            if isinstance(n.op, ast.Not):
                return sympy.Not(_condition(operand))
        if isinstance(n, ast.BinOp):
            left, right = _number(rec(n.left)), _number(rec(n.right))
            return _machine_number(_BINOPS[type(n.op)](left, right))
        if isinstance(n, ast.BoolOp):
            values = [_condition(rec(v)) for v in n.values]
            return sympy.And(*values) if isinstance(n.op, ast.And) else sympy.Or(*values)
        if isinstance(n, ast.Compare):
            operands = [rec(n.left)] + [rec(c) for c in n.comparators]
            parts = [_COMPARE[type(op)](*_compared(op, a, b), evaluate=False)
                     for op, a, b in zip(n.ops, operands, operands[1:])]
            return parts[0] if len(parts) == 1 else sympy.And(*parts)
        if isinstance(n, ast.Call):
            name = n.func.id
            args = [rec(a) for a in n.args]
            if name == "rand":
                return counter.new("uniform")
            if name == "randn":
                return counter.new("normal")
            if name in external_functions:
                return sympy.Function(name)(*args)
            if name in _DIMENSIONLESS_FUNCS:
                return _machine_number(_DIMENSIONLESS_FUNCS[name](*map(_number, args)))
            if name in ("int", "timestep"):  # kept as calls: the printers know them
                return {"int": int_, "timestep": timestep_fn}[name](*args)
            return _machine_number({
                "sqrt": sympy.sqrt, "abs": sympy.Abs, "floor": sympy.floor,
                "ceil": sympy.ceiling, "sign": sympy.sign, "clip": clip,
            }[name](*map(_number, args)))
        raise EquationError(f"unsupported syntax '{ast.unparse(n)}'")

    return rec(node)


def make_counter() -> _Counter:
    """A fresh counter for the ``rand()``/``randn()`` symbols of one code block."""
    return _Counter()
