"""Model equations in Brian2's syntax.

Three kinds of line, each ending in ``: unit`` and optional ``(flags)``::

    dv/dt = (El - v)/tau : volt (unless refractory)   # differential equation
    I = g*(E - v) : amp                                # subexpression
    tau : second (constant)                            # parameter

An expression may continue over several lines; a line belongs to the next equation until a
``:`` at bracket depth 0 closes it. ``#`` starts a comment.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from ..exceptions import EquationError
from ..units import DIMENSIONLESS, UNITS, Dimension, get_dim
from ._expressions import _literal_number, names_in, parse_ast

DIFF, SUB, PARAM = "differential equation", "subexpression", "parameter"
KNOWN_FLAGS = frozenset({
    "constant", "shared", "constant over dt", "unless refractory", "event-driven",
    "clock-driven", "summed", "linked", "point current",
})
_NAME = re.compile(r"^[A-Za-z_]\w*$")
RESERVED = frozenset({"t", "dt", "i", "j", "N", "xi", "rand", "randn", "True", "False",
                      "and", "or", "not", "lastupdate"})


@dataclass(frozen=True)
class SingleEquation:
    """One line of a model.

    Parameters
    ----------
    kind : str
        ``DIFF``, ``SUB`` or ``PARAM``.
    name : str
        The variable defined.
    dim : Dimension
        Its physical dimension (for ``DIFF``: of the variable, not of its derivative).
    var_type : str
        ``'float'``, ``'integer'`` or ``'boolean'``.
    expr : str or None
        Right-hand side (None for parameters).
    flags : frozenset of str
    line : str
        The source line, quoted in error messages.
    """

    kind: str
    name: str
    dim: Dimension
    var_type: str
    expr: str | None
    flags: frozenset[str]
    line: str

    @property
    def expr_ast(self) -> ast.expr:
        return parse_ast(self.expr, self.where)

    @property
    def where(self) -> str:
        return f"equation '{self.line.strip()}'"


def _split_flags(unit_part: str, line: str) -> tuple[str, frozenset[str]]:
    unit_part = unit_part.strip()
    flags: frozenset[str] = frozenset()
    match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", unit_part)
    if match and match.group(1).strip():
        unit_part = match.group(1).strip()
        flags = frozenset(f.strip() for f in match.group(2).split(",") if f.strip())
        unknown = flags - KNOWN_FLAGS
        if unknown:
            raise EquationError(f"equation '{line.strip()}': unknown flag(s) "
                                f"{', '.join(sorted(unknown))}; allowed flags are "
                                f"{', '.join(sorted(KNOWN_FLAGS))}")
    return unit_part, flags


def parse_unit(text: str, where: str) -> tuple[Dimension, str]:
    """Return (dimension, var_type) for a unit specification such as ``volt/second``."""
    text = text.strip()
    if text == "boolean":
        return DIMENSIONLESS, "boolean"
    if text == "integer":
        return DIMENSIONLESS, "integer"
    value = _unit_value(text)
    if value is None:
        raise EquationError(f"{where}: unknown unit {text!r}; use a unit name such as volt, "
                            "second, siemens, amp, metre, 1, boolean or integer, or units "
                            "combined with *, / and ** with a number as exponent")
    return get_dim(value), "float"


def _unit_value(text: str):
    """The value of a unit expression such as ``metre/second**2`` or ``1``, or None if
    ``text`` is not one. The text is checked before it is evaluated, so that nothing but
    units and numbers combined with ``*``, ``/`` and ``**`` runs (not ``9**9**9``, which
    would compute for hours)."""
    try:
        node = parse_ast(text, "unit")
    except EquationError:
        return None
    if not _is_unit_expression(node):
        return None
    try:
        return eval(compile(ast.Expression(node), "<unit>", "eval"), {"__builtins__": {}},
                    UNITS)
    except Exception:  # e.g. volt/0
        return None


def _is_unit_expression(node: ast.AST) -> bool:
    """Unit names and numbers combined with ``*`` and ``/``; ``**`` raises a unit to a
    number written out (``second**-0.5``)."""
    if isinstance(node, ast.Name):
        return node.id in UNITS
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if not isinstance(node, ast.BinOp):
        return False
    if isinstance(node.op, ast.Mult | ast.Div):
        return _is_unit_expression(node.left) and _is_unit_expression(node.right)
    if isinstance(node.op, ast.Pow):
        exponent = _literal_number(node.right)
        named = any(isinstance(n, ast.Name) for n in ast.walk(node.left))
        return named and exponent is not None and math.isfinite(exponent) \
            and _is_unit_expression(node.left)
    return False


def _top_level_colon(text: str) -> int:
    """Position of the first ':' outside brackets (the one before the unit), or -1."""
    depth = 0
    for pos, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ":" and depth == 0:
            return pos
    return -1


def _logical_lines(text: str) -> list[str]:
    """Join physical lines into equations: each ends at a ':' outside brackets."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        pending = f"{pending} {line.strip()}" if pending else line.strip()
        if _top_level_colon(pending) >= 0:
            out.append(pending)
            pending = ""
    if pending:
        depth = sum(pending.count(c) for c in "([{") - sum(pending.count(c) for c in ")]}")
        if depth:
            raise EquationError(f"equation '{pending}': cannot parse, unbalanced brackets")
        raise EquationError(f"equation '{pending}': missing ': unit' (every line of a model "
                            "ends with ': unit', e.g. 'dv/dt = -v/tau : volt')")
    return out


def parse_line(line: str) -> SingleEquation:
    """Parse one logical equation line."""
    where = f"equation '{line.strip()}'"
    colon = _top_level_colon(line)
    lhs_expr, unit_part = line[:colon], line[colon + 1:]
    unit_text, flags = _split_flags(unit_part, line)
    dim, var_type = parse_unit(unit_text, where)
    match = re.match(r"^\s*d\s*([A-Za-z_]\w*)\s*/\s*dt\s*=(.*)$", lhs_expr)
    if match:
        kind, name, expr = DIFF, match.group(1), match.group(2).strip()
    elif "=" in lhs_expr:
        name, expr = (s.strip() for s in lhs_expr.split("=", 1))
        kind = SUB
    else:
        kind, name, expr = PARAM, lhs_expr.strip(), None
    if not _NAME.match(name):
        raise EquationError(f"{where}: {name!r} is not a valid variable name")
    if name in RESERVED:
        raise EquationError(f"{where}: {name!r} is a reserved name and cannot be defined by "
                            f"a model; reserved names are {', '.join(sorted(RESERVED))}")
    if expr is not None:
        if not expr:
            raise EquationError(f"{where}: empty right-hand side")
        parse_ast(expr, where)  # syntax check now, with the line in the message
    if kind == DIFF and var_type != "float":
        raise EquationError(f"{where}: a differential equation needs a float unit, "
                            f"got {unit_text!r}")
    return SingleEquation(kind, name, dim, var_type, expr, flags, line)


def _check_subexpression_cycles(equations: tuple[SingleEquation, ...]) -> None:
    """Raise if subexpressions are defined in terms of each other in a circle (``a = b``,
    ``b = a``): they would be substituted into each other without end."""
    uses = {eq.name: names_in(eq.expr_ast) for eq in equations if eq.kind == SUB}
    done: set[str] = set()
    for start in uses:
        path, stack = [start], [iter(sorted(uses[start] & uses.keys()))]
        while stack:  # depth-first, without recursion: the chain may be long
            name = next(stack[-1], None)
            if name is None:
                done.add(path.pop())
                stack.pop()
            elif name in path:
                cycle = " -> ".join(path[path.index(name):] + [name])
                raise EquationError(f"Equations: the subexpressions {cycle} are defined in "
                                    "terms of each other in a cycle; define one of them "
                                    "without the others (as a parameter or an equation)")
            elif name not in done:
                path.append(name)
                stack.append(iter(sorted(uses[name] & uses.keys())))


@dataclass(frozen=True)
class Equations:
    """A parsed model: an ordered collection of :class:`SingleEquation`.

    Parameters
    ----------
    text : str
        The model in Brian2 syntax.
    **substitutions
        ``name=value`` replaces a constant by a value (a Quantity or number) for this model
        only; ``name='new_name'`` renames a variable or constant.

    Examples
    --------
    >>> eqs = Equations('dv/dt = (El - v)/tau : volt')
    >>> eqs.diff_eq_names
    ('v',)
    """

    equations: tuple[SingleEquation, ...]
    namespace: dict = field(default_factory=dict, compare=False)

    def __init__(self, text: str | Equations | list = "", **substitutions) -> None:
        if isinstance(text, Equations):
            equations = text.equations
            namespace = dict(text.namespace)
        elif isinstance(text, list | tuple):
            equations = tuple(text)
            namespace = {}
        else:
            if not isinstance(text, str):
                raise TypeError(f"Equations: model must be a string, got {type(text).__name__}")
            renames = {k: v for k, v in substitutions.items() if isinstance(v, str)}
            for old, new in renames.items():
                text = re.sub(rf"\bd{re.escape(old)}(\s*/\s*dt\b)", rf"d{new}\1", text)
                text = re.sub(rf"\b{re.escape(old)}\b", new, text)
            equations = tuple(parse_line(line) for line in _logical_lines(text))
            namespace = {k: v for k, v in substitutions.items() if not isinstance(v, str)}
        names = [eq.name for eq in equations]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise EquationError(f"Equations: variable(s) {', '.join(duplicates)} defined more "
                                "than once")
        _check_subexpression_cycles(equations)
        object.__setattr__(self, "equations", equations)
        object.__setattr__(self, "namespace", namespace)

    def __add__(self, other: Equations | str) -> Equations:
        other = other if isinstance(other, Equations) else Equations(other)
        result = Equations(list(self.equations) + list(other.equations))
        result.namespace.update(self.namespace)
        result.namespace.update(other.namespace)
        return result

    __radd__ = __add__

    def __iter__(self):
        return iter(self.equations)

    def __len__(self) -> int:
        return len(self.equations)

    def __getitem__(self, name: str) -> SingleEquation:
        for eq in self.equations:
            if eq.name == name:
                return eq
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(eq.name == name for eq in self.equations)

    def __str__(self) -> str:
        return "\n".join(eq.line for eq in self.equations)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(eq.name for eq in self.equations)

    def _of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(eq.name for eq in self.equations if eq.kind == kind)

    @property
    def diff_eq_names(self) -> tuple[str, ...]:
        return self._of_kind(DIFF)

    @property
    def subexpr_names(self) -> tuple[str, ...]:
        return self._of_kind(SUB)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return self._of_kind(PARAM)
