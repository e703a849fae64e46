"""Equations: model strings → checked equations and expressions (sympy, with dimensions)."""

from ._equations import (
    DIFF as DIFF,
)
from ._equations import (
    PARAM as PARAM,
)
from ._equations import (
    SUB as SUB,
)
from ._equations import (
    Equations as Equations,
)
from ._equations import (
    SingleEquation as SingleEquation,
)
from ._equations import (
    parse_unit as parse_unit,
)
from ._expressions import (
    BOOLEAN as BOOLEAN,
)
from ._expressions import (
    BUILTIN_FUNCTIONS as BUILTIN_FUNCTIONS,
)
from ._expressions import (
    ExternalFunction as ExternalFunction,
)
from ._expressions import (
    RandomDraw as RandomDraw,
)
from ._expressions import (
    functions_in as functions_in,
)
from ._expressions import (
    infer_dim as infer_dim,
)
from ._expressions import (
    make_counter as make_counter,
)
from ._expressions import (
    names_in as names_in,
)
from ._expressions import (
    parse_ast as parse_ast,
)
from ._expressions import (
    to_sympy as to_sympy,
)
from ._statements import CodeLine as CodeLine
from ._statements import parse_statements as parse_statements
