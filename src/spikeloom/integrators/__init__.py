"""Integrators: an ODE/SDE system → update statements for one step.

Each method is one small file holding its formula, ``order``/``strong_order`` and
``can_integrate(system) -> None | reason``. :func:`integrate` applies a named method or,
like Brian2, picks the first of ('exact', 'euler', 'heun') that can integrate the system.
"""

from __future__ import annotations

import logging
import time

from ._base import ODESystem as ODESystem
from ._base import Statement as Statement
from ._base import randn_symbol as randn_symbol
from ._base import sym as sym
from .euler import Euler as Euler
from .exact import Exact as Exact
from .exponential_euler import ExponentialEuler as ExponentialEuler
from .heun import Heun as Heun
from .milstein import Milstein as Milstein
from .rk2 import RK2 as RK2
from .rk4 import RK4 as RK4

logger = logging.getLogger("spikeloom.integrators")

METHODS = {
    "exact": Exact(), "linear": Exact(), "euler": Euler(), "rk2": RK2(), "rk4": RK4(),
    "heun": Heun(), "milstein": Milstein(), "exponential_euler": ExponentialEuler(),
}
#: Brian2's default candidates for automatic choice, in order.
DEFAULT_CHOICE = ("exact", "euler", "heun")


def get_method(name: str):
    """The method called ``name``; ValueError naming the allowed names otherwise."""
    if name not in METHODS:
        raise ValueError(f"unknown integration method {name!r}; allowed: "
                         f"{', '.join(sorted(METHODS))}")
    return METHODS[name]


def choose_method(system: ODESystem, methods=DEFAULT_CHOICE) -> tuple[str, list[Statement]]:
    """Brian2's automatic choice: the first method of ``methods`` that can integrate."""
    reasons = []
    for name in methods:
        method = get_method(name)
        reason = method.can_integrate(system)
        if reason is None:
            return method.name, method(system)
        reasons.append(f"{name}: {reason}")
    raise ValueError("no integration method can integrate these equations: "
                     + "; ".join(reasons))


def integrate(system: ODESystem, method: str | None = None) -> tuple[str, list[Statement]]:
    """Statements advancing ``system`` by one step with ``method`` (None: automatic)."""
    start = time.perf_counter()
    if method is None:
        name, statements = choose_method(system)
        logger.info("no integration method given, using %r (took %.2f s)", name,
                    time.perf_counter() - start)
        return name, statements
    if isinstance(method, list | tuple):
        return choose_method(system, tuple(method))
    chosen = get_method(method)
    reason = chosen.can_integrate(system)
    if reason is not None:
        raise ValueError(f"method {method!r} cannot integrate these equations: {reason}")
    return chosen.name, chosen(system)
