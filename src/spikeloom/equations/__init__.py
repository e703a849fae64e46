"""Equations: model strings → checked equations and expressions (sympy, with dimensions)."""

from ._equations import (
    DIFF as DIFF,
    PARAM as PARAM,
    SUB as SUB,
    Equations as Equations,
    SingleEquation as SingleEquation,
    parse_unit as parse_unit,
)
from ._expressions import (
    BOOLEAN as BOOLEAN,
    BUILTIN_FUNCTIONS as BUILTIN_FUNCTIONS,
    ExternalFunction as ExternalFunction,
    RandomDraw as RandomDraw,
    functions_in as functions_in,
    infer_dim as infer_dim,
    make_counter as make_counter,
    names_in as names_in,
    parse_ast as parse_ast,
    to_sympy as to_sympy,
)
from ._statements import CodeLine as CodeLine, parse_statements as parse_statements
