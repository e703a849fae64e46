"""Shared expression printing: sympy → target source text, differing only by a table.

Each backend subclasses :class:`ExprPrinter` and overrides :attr:`FUNCTIONS` (how a model
function is spelled in the target) and a few methods, as Brian2's C++ renderer differs from
its Python one by an operator table.
"""

from __future__ import annotations

from sympy.printing.pycode import PythonCodePrinter


class ExprPrinter(PythonCodePrinter):
    """Prints model expressions as Python-syntax source (the base of every target)."""

    #: model function name → target spelling (a format string over the printed arguments)
    FUNCTIONS: dict[str, str] = {
        "clip": "_clip({0}, {1}, {2})",
        "int_": "int({0})",
        "timestep": "_timestep({0}, {1})",
        "log10": "math.log10({0})",
        "exprel": "_exprel({0})",
        "floor": "np.floor({0})",
        "ceiling": "np.ceil({0})",
        "sign": "np.sign({0})",
    }

    def __init__(self, lookups: dict[str, str] | None = None) -> None:
        super().__init__({"fully_qualified_modules": True, "strict": True})
        #: name of a lookup function (TimedArray) → format string over its arguments
        self.lookups = lookups or {}

    def _print_Float(self, expr) -> str:
        return repr(float(expr))

    def _print_Integer(self, expr) -> str:
        return str(int(expr))

    def _print_BooleanTrue(self, expr) -> str:
        return "True"

    def _print_BooleanFalse(self, expr) -> str:
        return "False"

    def _format(self, name: str, expr) -> str | None:
        template = self.lookups.get(name) or self.FUNCTIONS.get(name)
        if template is None:
            return None
        return template.format(*(self._print(a) for a in expr.args))

    def _print_Function(self, expr) -> str:
        printed = self._format(type(expr).__name__, expr)
        if printed is None:
            raise NotImplementedError(f"no rendering for function {type(expr).__name__!r}")
        return printed

    def _print_floor(self, expr) -> str:
        return self._format("floor", expr)

    def _print_ceiling(self, expr) -> str:
        return self._format("ceiling", expr)

    def _print_sign(self, expr) -> str:
        return self._format("sign", expr)


def lookup_templates(lookups) -> dict[str, str]:
    """Name of each lookup table (TimedArray) → how a call to it is spelled: the helpers
    ``_ta1(values, t, dt, K)`` / ``_ta2(values, t, i, dt, K)`` each backend provides."""
    out = {}
    for table in lookups:
        if table.ndim == 1:
            out[table.name] = f"_ta1({table.values}, {{0}}, {table.dt}, {table.K})"
        else:
            out[table.name] = f"_ta2({table.values}, {{0}}, {{1}}, {table.dt}, {table.K})"
    return out


def function_templates(functions) -> dict[str, str]:
    """Name of each user function → how a call to it is spelled: a call of the global of
    that name, which the generated module binds to the compiled function."""
    return {f.name: f"{f.name}(" + ", ".join(f"{{{k}}}" for k in range(f.n_args)) + ")"
            for f in functions}


def call_templates(plan) -> dict[str, str]:
    """Templates of the TimedArrays and user functions ``plan`` calls."""
    return {**lookup_templates(plan.lookups), **function_templates(plan.functions)}


class _Writer:
    """Collects indented source lines (``with w.indent():`` opens a level)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def indent(self) -> _Writer:
        self.depth += 1
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.depth -= 1


class _Dedent:
    """Closes ``levels`` indentation levels on exit (for helpers that open several)."""

    def __init__(self, writer: _Writer, levels: int) -> None:
        self.writer, self.levels = writer, levels

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.writer.depth -= self.levels
