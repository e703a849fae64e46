"""Statement blocks: ``reset``, ``on_pre``, ``on_post``... in Brian2's abstract-code syntax.

One statement per line (or separated by ``;``): ``var = expr`` or an augmented assignment
``var += expr`` (``-=``, ``*=``, ``/=``). Assigning a name that is not a model variable
declares a temporary for the rest of the block (as ``delta_t`` in the memristor seed).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..exceptions import EquationError
from ._expressions import parse_ast

_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*(\+=|-=|\*=|/=|=)(?!=)\s*(.+?)\s*$")


@dataclass(frozen=True)
class CodeLine:
    """One statement: ``target op expr``, with the source line for messages."""

    target: str
    op: str
    expr: str
    line: str

    @property
    def expr_ast(self) -> ast.expr:
        return parse_ast(self.expr, f"statement '{self.line}'")


def parse_statements(code: str, where: str) -> list[CodeLine]:
    """Split and parse a statement block; ``where`` names its owner for error messages."""
    if not isinstance(code, str):
        raise TypeError(f"{where}: code must be a string, got {type(code).__name__}")
    lines: list[CodeLine] = []
    for raw in code.splitlines():
        for part in raw.split("#", 1)[0].split(";"):
            text = part.strip()
            if not text:
                continue
            match = _ASSIGN.match(text)
            if not match:
                raise EquationError(f"{where}: cannot parse statement {text!r}; statements "
                                    "have the form 'var = expr' or 'var += expr'")
            target, op, expr = match.groups()
            parse_ast(expr, f"{where}: statement '{text}'")
            lines.append(CodeLine(target, op, expr, text))
    return lines
