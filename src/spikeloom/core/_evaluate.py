"""Evaluate model expressions with NumPy on the Python side.

Used where Brian2 runs code outside the loop: ``G.v = 'El + rand()*5*mV'``,
``S.w['i > j'] = 0.5``, ``S.connect(condition=...)``, ``S.delay = 'j*ms'``. Names mean exactly
what they mean in compiled code (the same :class:`~spikeloom.core._codegen.Scope`).
"""

from __future__ import annotations

import ast
import math

import numpy as np
import sympy

from .. import rng
from ..equations import BOOLEAN, infer_dim, parse_ast
from ..exceptions import EquationError, UnitError
from ..units import DIMENSIONLESS, dim_string
from ._base import current_seed, next_init_stream
from ._codegen import KernelBuilder, Scope

INIT_STEP = 2**40 - 1  # the RNG "step" of Python-side draws, outside any simulated step


def _machine_number(value):
    """``value``, but a Python integer beyond 64 bits as a float (inf beyond the float
    range), as the compiled code computes it: NumPy refuses to mix it with arrays."""
    if isinstance(value, int) and not isinstance(value, bool) \
            and not -2**63 <= value < 2**63:
        try:
            return float(value)
        except OverflowError:
            return math.copysign(math.inf, value)
    return value


def _number(value):
    """A condition's values as numbers, 1 or 0, as in compiled code (NumPy refuses
    ``-(v > 0)``, computes ``True + True`` as True, and ``sin(True)`` in half precision)."""
    if isinstance(value, np.ndarray | np.bool_) and value.dtype == np.bool_:
        return value.astype(np.int64)
    return value


class Evaluator:
    """Evaluates expressions of one scope for a set of elements.

    Parameters
    ----------
    scope : Scope
    indices : dict of str to ndarray
        Absolute element indices per index name (``'_idx'``, ``'_pre'``, ``'_post'``).
    t, dt : float
        Time and time step (seconds) that ``t`` and ``dt`` stand for.
    """

    def __init__(self, scope: Scope, indices: dict[str, np.ndarray], t: float = 0.0,
                 dt: float = 1e-4) -> None:
        self.scope = scope
        self.indices = indices
        self.t = t
        self.dt = dt
        self.size = len(indices["_idx"])

    def __call__(self, text: str, where: str, expected=None) -> np.ndarray:
        node = parse_ast(text, where)
        checker = KernelBuilder(self.scope, None, "eval")
        dim = infer_dim(node, checker.dim_of(self.scope, where),
                        checker.func_of(self.scope, where), where)
        compatible = dim == expected or {dim, expected} == {BOOLEAN, DIMENSIONLESS}
        if expected is not None and not compatible:
            want = "boolean" if expected == BOOLEAN else dim_string(expected)
            got = "boolean" if dim == BOOLEAN else dim_string(dim)
            raise UnitError(f"{where}: '{text}' has unit {got}, expected {want}")
        value = self._eval(node, self.scope, where)
        return np.broadcast_to(np.asarray(value), (self.size,)).copy()

    def _name(self, name: str, scope: Scope, where: str):
        res = scope.resolve(name, where)
        if res.kind == "special":
            return {"t": self.t, "dt": self.dt, "_tstep": int(round(self.t / self.dt))}[res.local]
        if res.kind == "value":
            return res.value
        if res.kind == "array":
            values = res.var.values
            if res.index == "0":
                return values[0]
            return values[self._index(res.index, res.scope)]
        if res.kind == "expr":
            if res.var is not None:
                return self._eval(parse_ast(res.var.expr, res.var.where), res.scope, where)
            expr = res.sympy_expr
            symbols = sorted(expr.free_symbols, key=lambda s: s.name)
            fn = sympy.lambdify(symbols, expr, "numpy")
            return fn(*(self._index(s.name, res.scope) for s in symbols))
        raise EquationError(f"{where}: '{name}' is a function; call it")

    def _index(self, name: str, scope: Scope) -> np.ndarray:
        """Absolute element indices called ``name``: given, or (a linked variable's index)
        read from its index array at the index it is based on."""
        if name in self.indices:
            return self.indices[name]
        base, index_var = scope.index_bases[name]
        return np.asarray(index_var.values)[self._index(base, scope)]

    def _eval(self, n, scope: Scope, where: str):
        ev = lambda x: self._eval(x, scope, where)
        if isinstance(n, ast.Constant):
            return _machine_number(n.value)
        if isinstance(n, ast.Name):
            return self._name(n.id, scope, where)
        if isinstance(n, ast.UnaryOp):
            v = ev(n.operand)
            if isinstance(n.op, ast.USub):
                return -_number(v)
            if isinstance(n.op, ast.Not):
                return np.logical_not(v)
            return v
        if isinstance(n, ast.BinOp):
            a, b = _number(ev(n.left)), _number(ev(n.right))
            op = type(n.op)
            if op is ast.Add:
                return _machine_number(a + b)
            if op is ast.Sub:
                return _machine_number(a - b)
            if op is ast.Mult:
                return _machine_number(a * b)
            if op is ast.Div:
                return np.true_divide(a, b)
            if op is ast.FloorDiv:
                return np.floor_divide(a, b)
            if op is ast.Mod:
                return np.mod(a, b)
            if op is ast.Pow:
                return np.power(np.asarray(a, dtype=float), b)
        if isinstance(n, ast.BoolOp):
            values = [ev(v) for v in n.values]
            fn = np.logical_and if isinstance(n.op, ast.And) else np.logical_or
            out = values[0]
            for v in values[1:]:
                out = fn(out, v)
            return out
        if isinstance(n, ast.Compare):
            ops = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater,
                   ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}
            values = [ev(n.left)] + [ev(c) for c in n.comparators]
            out = True
            for op, a, b in zip(n.ops, values, values[1:]):
                out = np.logical_and(out, ops[type(op)](a, b))
            return out
        if isinstance(n, ast.Call):
            return self._call(n, ev, scope, where)
        raise EquationError(f"{where}: unsupported syntax '{ast.unparse(n)}'")

    def _call(self, n: ast.Call, ev, scope: Scope, where: str):
        name = n.func.id
        if name in ("rand", "randn"):
            stream = next_init_stream()
            elements = self.indices["_idx"]
            fn = rng.uniform if name == "rand" else rng.normal
            return fn(current_seed(), INIT_STEP, elements, stream)
        args = [_number(ev(a)) for a in n.args]
        simple = {
            "exp": np.exp, "log": np.log, "log10": np.log10, "sin": np.sin, "cos": np.cos,
            "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
            "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "sqrt": np.sqrt,
            "abs": np.abs, "floor": np.floor, "ceil": np.ceil, "sign": np.sign,
        }
        if name in simple:
            return simple[name](*args)
        if name == "clip":
            return np.minimum(np.maximum(args[0], args[1]), args[2])
        if name == "int":
            return np.trunc(args[0]).astype(np.int64)
        if name == "timestep":
            return np.asarray((np.asarray(args[0]) + 1e-3 * args[1]) / args[1]).astype(np.int64)
        if name == "exprel":
            x = np.asarray(args[0], dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(np.abs(x) < 1e-16, 1.0, np.expm1(x) / x)
        from .functions import as_function

        value = scope.namespace.get(name)
        return (as_function(value) or value)._evaluate_si(*args)
