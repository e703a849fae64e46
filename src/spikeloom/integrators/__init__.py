"""Integrators: turn an :class:`ODESystem` into the statements of one time step.

The method instances are ``METHODS[name]`` (the package attributes ``euler``,
``exact``... are the modules that define them).

Each method lives in its own module and provides ``name``, ``order``, ``strong_order``,
``can_integrate(system) -> None | reason`` and ``__call__(system) -> list[Statement]``
(see :class:`IntegrationMethod`).

* :func:`get_method` looks a method up by name (``'linear'`` is an alias of ``'exact'``).
* :func:`choose_method` implements Brian2's automatic choice: the first of
  ``('exact', 'euler', 'heun')`` that can integrate the system.
* :func:`integrate` applies a named method, or chooses one when the method is ``None``.
* :class:`Substeps` (not a registered name) applies a method in several sub-steps per step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from . import _stored
from ._base import ODESystem, Statement, randn_symbol, sym
from ._common import EXACT_ORDER, IntegrationMethod
from .euler import Euler
from .euler import euler as _euler
from .exact import Exact
from .exact import exact as _exact
from .exponential_euler import ExponentialEuler
from .exponential_euler import exponential_euler as _exponential_euler
from .heun import Heun
from .heun import heun as _heun
from .milstein import Milstein
from .milstein import milstein as _milstein
from .rk2 import RK2
from .rk2 import rk2 as _rk2
from .rk4 import RK4
from .rk4 import rk4 as _rk4
from .substeps import Substeps

__all__ = [
    "DEFAULT_METHODS",
    "EXACT_ORDER",
    "METHODS",
    "RK2",
    "RK4",
    "Euler",
    "Exact",
    "ExponentialEuler",
    "Heun",
    "IntegrationMethod",
    "Milstein",
    "ODESystem",
    "Statement",
    "Substeps",
    "choose_method",
    "get_method",
    "integrate",
    "randn_symbol",
    "sym",
]

logger = logging.getLogger("spikeloom.integrators")

#: Every registered method by name; ``'linear'`` is Brian2's alias of ``'exact'``.
METHODS: dict[str, IntegrationMethod] = {
    "exact": _exact,
    "linear": _exact,
    "euler": _euler,
    "rk2": _rk2,
    "rk4": _rk4,
    "heun": _heun,
    "milstein": _milstein,
    "exponential_euler": _exponential_euler,
}

#: Brian2's candidates for the automatic choice, in order (``NeuronGroup(method=...)``).
DEFAULT_METHODS: tuple[str, ...] = ("exact", "euler", "heun")
DEFAULT_CHOICE = DEFAULT_METHODS  # older name


def get_method(name: str | IntegrationMethod) -> IntegrationMethod:
    """Return the method registered as ``name``.

    A method object (anything with ``can_integrate`` and ``__call__``) is returned as is.

    Parameters
    ----------
    name : str or IntegrationMethod
        A registered name ('exact', 'linear', 'euler', 'rk2', 'rk4', 'heun', 'milstein',
        'exponential_euler') or a method object.

    Raises
    ------
    ValueError
        If ``name`` is not a registered name; the message lists the allowed names.
    """
    if not isinstance(name, str):
        if callable(name) and hasattr(name, "can_integrate"):
            return name
        raise ValueError(
            f"integration method must be a name, got {name!r}; allowed names: {', '.join(METHODS)}"
        )
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(
            f"unknown integration method {name!r}; allowed names: {', '.join(METHODS)}"
        ) from None


def choose_method(
    system: ODESystem, methods: Iterable[str | IntegrationMethod] | None = None
) -> tuple[str, list[Statement]]:
    """Brian2's automatic choice: the first of ``methods`` that can integrate ``system``.

    Parameters
    ----------
    system : ODESystem
    methods : iterable of str or methods, optional
        Candidates in order of preference; default :data:`DEFAULT_METHODS`.

    Returns
    -------
    (name, statements)

    Raises
    ------
    ValueError
        If no candidate can integrate ``system`` (the message gives every reason), or a
        candidate name is unknown.
    """
    start = time.perf_counter()
    if methods is None:
        methods = DEFAULT_METHODS
    elif isinstance(methods, str) or not isinstance(methods, Iterable):
        methods = (methods,)  # get_method says why a single non-name is refused
    candidates = [get_method(m) for m in methods]
    if not candidates:
        raise ValueError("no integration method to choose from")
    reasons = []
    for method in candidates:
        reason = method.can_integrate(system)
        if reason is None:
            statements = method(system)
            logger.info(
                "integration method %r chosen for %s (%.3f s)",
                method.name,
                ", ".join(system.variables),
                time.perf_counter() - start,
            )
            return method.name, statements
        logger.debug("integration method %r rejected: %s", method.name, reason)
        reasons.append(f"{method.name}: {reason}")
    raise ValueError(
        f"no integration method can integrate the equations of "
        f"{', '.join(system.variables)}:\n  " + "\n  ".join(reasons)
    )


def integrate(
    system: ODESystem,
    method: str | IntegrationMethod | Iterable[str | IntegrationMethod] | None = None,
) -> tuple[str, list[Statement]]:
    """The statements that advance ``system`` by one step.

    Parameters
    ----------
    system : ODESystem
    method : str, method, sequence of them, or None
        A method name (``'exact'``, ``'linear'``, ``'euler'``, ``'rk2'``, ``'rk4'``,
        ``'heun'``, ``'milstein'``, ``'exponential_euler'``) or method object; a
        sequence of candidates to choose from (as Brian2's ``method=('exact', ...)``);
        ``None`` for the automatic choice (:func:`choose_method`).

    Returns
    -------
    (name, statements)
        The canonical name of the method used (``'exact'`` for ``'linear'``).

    Raises
    ------
    ValueError
        If the method is unknown or cannot integrate ``system`` (with the reason).
    """
    key = _cache_key(system, method)
    if key is not None and key in _INTEGRATED:
        name, statements = _INTEGRATED[key]
        return name, list(statements)
    text = _stored.describe(key) if key is not None else None
    stored = _stored.load(text) if text is not None else None
    if stored is not None:  # integrated by an earlier process (see _stored)
        name, statements = stored[0], list(stored[1])
        if method is None or isinstance(method, tuple | list):  # a choice was made
            logger.info("integration method %r chosen for %s (stored result)", name,
                        ", ".join(system.variables))
    else:
        name, statements = _integrate(system, method)
        if text is not None:
            _stored.save(text, (name, tuple(statements)))
    if key is not None:
        if len(_INTEGRATED) >= _CACHE_SIZE:
            _INTEGRATED.pop(next(iter(_INTEGRATED)))
        _INTEGRATED[key] = (name, tuple(statements))
    return name, statements


#: Integrated systems, so that runs chunked by network operations (one lowering per
#: chunk, thousands per run) do not derive the same update again: symbolic integration is
#: the slowest part of lowering.
_INTEGRATED: dict = {}
_CACHE_SIZE = 512


def _cache_key(system: ODESystem, method) -> tuple | None:
    """A hashable description of ``(system, method)`` (a method object by its identity), or
    None when ``method`` cannot be hashed."""
    methods = tuple(method) if isinstance(method, tuple | list) else method
    try:
        hash(methods)
    except TypeError:
        return None
    drift = tuple(sorted(system.drift.items()))
    diffusion = tuple(sorted((var, tuple(sorted(terms.items())))
                             for var, terms in system.diffusion.items()))
    return (methods, system.variables, drift, diffusion, system.dt, system.t)


def _integrate(system: ODESystem, method) -> tuple[str, list[Statement]]:
    if method is None:
        return choose_method(system)
    if not isinstance(method, str) and not hasattr(method, "can_integrate"):
        return choose_method(system, method)
    chosen = get_method(method)
    reason = chosen.can_integrate(system)
    if reason is not None:
        raise ValueError(f"integration method {chosen.name!r} cannot be used: {reason}")
    return chosen.name, chosen(system)
