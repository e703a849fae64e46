"""Test helpers for the integrators: run a list of Statement with numpy.

The ``run_statements`` fixture executes the abstract code the integrators produce, the
way a backend would: every statement is evaluated in order in one namespace holding
the state, the parameters, ``t``, ``dt`` and the standard-normal draws ``_randn_<noise>``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

_OPS = {
    "=": lambda old, value: value,
    "+=": lambda old, value: old + value,
    "-=": lambda old, value: old - value,
    "*=": lambda old, value: old * value,
    "/=": lambda old, value: old / value,
}


class NumpyStepper:
    """Compile statements once (``sympy.lambdify``), then apply them step after step."""

    def __init__(self, statements):
        self.compiled = []
        for statement in statements:
            args = sorted(statement.expr.free_symbols, key=lambda s: s.name)
            names = [s.name for s in args]
            function = sympy.lambdify(args, statement.expr, modules="numpy")
            self.compiled.append((statement.target, _OPS[statement.op], names, function))

    def step(self, namespace: dict) -> None:
        for target, op, names, function in self.compiled:
            value = function(*(namespace[n] for n in names))
            namespace[target] = op(namespace.get(target), value)

    def run(self, state, params, dt, n_steps, t0=0.0, noise=None, time_name="t"):
        """Advance ``state`` by ``n_steps`` steps of length ``dt``.

        ``noise`` maps a noise name to an array of standard-normal draws whose first
        axis is the step index. Returns the final state (dict of arrays/floats).
        """
        namespace = {**params, "dt": dt}
        namespace.update({k: np.array(v, dtype=float) for k, v in state.items()})
        for n in range(n_steps):
            namespace[time_name] = t0 + n * dt
            for name, draws in (noise or {}).items():
                namespace["_randn_" + name] = draws[n]
            self.step(namespace)
        return {k: namespace[k] for k in state}


@pytest.fixture
def run_statements():
    """``run_statements(statements, state, params, dt, n_steps, ...)`` -> final state."""

    def run(statements, state, params, dt, n_steps, **kwargs):
        return NumpyStepper(statements).run(state, params, dt, n_steps, **kwargs)

    return run


@pytest.fixture
def stepper():
    """The :class:`NumpyStepper` class, for tests that reuse compiled statements."""
    return NumpyStepper


def fit_order(step_sizes, errors) -> float:
    """Slope of log(error) against log(step size)."""
    return float(np.polyfit(np.log(step_sizes), np.log(errors), 1)[0])


@pytest.fixture
def slope():
    """``slope(step_sizes, errors)``: the fitted convergence order."""
    return fit_order
