"""Statement blocks: ``reset``, ``on_pre``, ``on_post``... in Brian2's abstract-code syntax.

One statement per line (or separated by ``;``): ``var = expr`` or an augmented assignment
``var += expr`` (``-=``, ``*=``, ``/=``). Assigning a name that is not a model variable
declares a temporary for the rest of the block (as ``delta_t`` in the memristor seed).

A spikeloom extension, invisible to Brian2 (for which it is a comment): a line ending in
``# spikeloom: if <condition>`` assigns temporaries that are computed only where the
condition holds and are 0 elsewhere. It skips costly code (a random draw, ``exp``) for the
many elements whose result is not used, e.g. a device update of zero pulses. Brian2 computes
such a line everywhere, so the block must give the same result either way: the value of the
temporary where the condition is false must not matter (multiply it by ``int(condition)``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..exceptions import EquationError
from ._expressions import parse_ast

_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*(\+=|-=|\*=|/=|=)(?!=)\s*(.+?)\s*$")
_GUARD = re.compile(r"^\s*spikeloom:\s*if\s+(.+?)\s*$")


@dataclass(frozen=True)
class CodeLine:
    """One statement: ``target op expr``, with the source line for messages."""

    target: str
    op: str
    expr: str
    line: str
    guard: str | None = None  # '# spikeloom: if <guard>': computed only where it holds

    @property
    def expr_ast(self) -> ast.expr:
        return parse_ast(self.expr, f"statement '{self.line}'")


def parse_statements(code: str, where: str) -> list[CodeLine]:
    """Split and parse a statement block; ``where`` names its owner for error messages."""
    if not isinstance(code, str):
        raise TypeError(f"{where}: code must be a string, got {type(code).__name__}")
    lines: list[CodeLine] = []
    for raw in code.splitlines():
        code_part, _, comment = raw.partition("#")
        guard = _guard(comment, raw, where)
        for part in code_part.split(";"):
            text = part.strip()
            if not text:
                continue
            match = _ASSIGN.match(text)
            if not match:
                raise EquationError(f"{where}: cannot parse statement {text!r}; statements "
                                    "have the form 'var = expr' or 'var += expr'")
            target, op, expr = match.groups()
            parse_ast(expr, f"{where}: statement '{text}'")
            if guard is not None and op != "=":
                raise EquationError(f"{where}: statement {text!r} has the annotation "
                                    f"'# spikeloom: if {guard}', which applies to assignments "
                                    f"of temporaries ('x = expr') only, not to '{op}'")
            lines.append(CodeLine(target, op, expr, text, guard))
    return lines


def _guard(comment: str, raw: str, where: str) -> str | None:
    """The condition of a ``# spikeloom: if <condition>`` annotation, or None."""
    match = _GUARD.match(comment)
    if match is None:
        if comment.strip().startswith("spikeloom:"):
            raise EquationError(f"{where}: cannot read the annotation in {raw.strip()!r}; "
                                "the only one is '# spikeloom: if <condition>'")
        return None
    parse_ast(match.group(1), f"{where}: annotation of {raw.strip()!r}")
    return match.group(1)
