"""A rule's Brian2 expressions evaluated with NumPy: the closed form *is* the code.

:meth:`PlasticityRule.delta_w` evaluates the very factor and kernel strings that
:func:`~._pairing.pairing_code` writes into the synapses, and the rule's clip expression. A
rule therefore states each formula once; a check of ``delta_w`` against numbers computed
elsewhere (a paper, a hand calculation) is a check of the code that runs, and no second copy
can agree with the first by repeating its mistake.
"""

from __future__ import annotations

import numpy as np

from ...core._evaluate import Evaluator
from ...equations import BUILTIN_FUNCTIONS, parse_ast
from ...equations._expressions import functions_in
from ...exceptions import EquationError
from ...units import si_value

#: Constants every model string may use (the simulator's defaults).
CONSTANTS = {"pi": np.pi, "e": np.e, "inf": np.inf}
#: Functions that only mean something inside a run (random draws, the time grid).
RUN_ONLY = frozenset({"rand", "randn", "timestep"})


class _NameEvaluator(Evaluator):
    """The simulator's Python-side evaluator (the one behind ``S.w = '...'``), with names read
    from a dict instead of a group's scope, so that operators and functions mean exactly what
    they mean there."""

    def __init__(self, names: dict) -> None:
        super().__init__(scope=None, indices={"_idx": np.zeros(1, dtype=np.int64)})
        self.names = names

    def _name(self, name: str, scope, where: str):
        try:
            return self.names[name]
        except KeyError:
            known = ", ".join(sorted(self.names))
            raise EquationError(f"{where}: the name {name!r} is neither a rule parameter nor a "
                                f"pair variable; known names: {known}") from None


def evaluate(text: str, names: dict, where: str) -> np.ndarray:
    """Value of the Brian2 expression ``text`` with ``names`` (SI floats or arrays).

    Parameters
    ----------
    text : str
        Expression in model syntax, e.g. ``'A_plus*exp(-stdp_dt/tau_plus)'``.
    names : dict
        Name → value in SI units (floats or NumPy arrays, broadcast together).
    where : str
        Owner named in error messages.

    Returns
    -------
    ndarray of float64
        Overflow to inf and 0*inf = nan are allowed: the caller selects the branch that
        applies and the other branch's value (e.g. ``exp(-Δt/τ)`` at a large negative Δt) is
        discarded.
    """
    node = parse_ast(text, where)
    unknown = functions_in(node) - (BUILTIN_FUNCTIONS - RUN_ONLY)
    if unknown:
        raise EquationError(f"{where}: {text!r} calls {', '.join(sorted(unknown))}, which has "
                            "no closed form outside a run (allowed: the deterministic built-in "
                            "functions)")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = _NameEvaluator({**CONSTANTS, **names})._eval(node, None, where)
    return np.asarray(value, dtype=np.float64)


def si_names(params: dict) -> dict:
    """Parameters as SI floats, the numbers the compiled code computes with."""
    return {name: float(si_value(value)) for name, value in params.items()}
