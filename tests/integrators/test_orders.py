"""Deterministic convergence orders, measured against closed-form solutions."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import sympy

from spikeloom.integrators import METHODS, Heun, ODESystem, Statement, get_method, sym

x, y, tau, omega, t = sym("x"), sym("y"), sym("tau"), sym("omega"), sym("t")
TAU, OMEGA, X0, Y0, T_END = 0.5, 3.0, 1.0, -0.5, 2.0
PARAMS = {"tau": TAU, "omega": OMEGA}

# dx/dt = -x/tau + sin(t/tau): the forcing checks that stages use t + c*dt.
FORCED = ODESystem(("x",), {"x": -x / tau + sympy.sin(t / tau)})


def forced_exact(t_end: float) -> dict:
    # particular solution tau/2*(sin - cos) plus the decaying homogeneous part
    s = t_end / TAU
    value = TAU / 2 * (np.sin(s) - np.cos(s)) + (X0 + TAU / 2) * np.exp(-s)
    return {"x": value}


# a damped rotation: two variables coupled both ways
ROTATION = ODESystem(("x", "y"), {"x": -x / tau - omega * y, "y": omega * x - y / tau})


def rotation_exact(t_end: float) -> dict:
    decay = np.exp(-t_end / TAU)
    c, s = np.cos(OMEGA * t_end), np.sin(OMEGA * t_end)
    return {"x": decay * (X0 * c - Y0 * s), "y": decay * (X0 * s + Y0 * c)}


CASES = {
    "forced": (FORCED, {"x": X0}, forced_exact),
    "rotation": (ROTATION, {"x": X0, "y": Y0}, rotation_exact),
}

#: label -> (method, expected order, numbers of steps over T_END)
EXPECTED = {
    "euler": (get_method("euler"), 1, [100, 200, 400, 800]),
    "milstein": (get_method("milstein"), 1, [100, 200, 400, 800]),
    "exponential_euler": (get_method("exponential_euler"), 1, [100, 200, 400, 800]),
    # Brian2's heun takes an Euler step for the drift
    "heun": (get_method("heun"), 1, [100, 200, 400, 800]),
    "heun_trapezoidal": (Heun("trapezoidal"), 2, [50, 100, 200, 400]),
    "rk2": (get_method("rk2"), 2, [50, 100, 200, 400]),
    "rk4": (get_method("rk4"), 4, [20, 40, 80, 160]),
}


CHECKPOINTS = 10  # the error is the largest one at these equally spaced times


def max_error(run_statements, statements, state, exact, n_steps) -> float:
    """Largest deviation from the closed form over the checkpoints up to ``T_END``."""
    assert n_steps % CHECKPOINTS == 0
    dt = T_END / n_steps
    per_segment = n_steps // CHECKPOINTS
    error = 0.0
    for k in range(CHECKPOINTS):
        state = run_statements(statements, state, PARAMS, dt, per_segment, t0=k * per_segment * dt)
        reference = exact((k + 1) * per_segment * dt)
        error = max(error, *(abs(float(state[v]) - reference[v]) for v in reference))
    return error


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_convergence_order(label, case, run_statements, slope):
    system, state, exact = CASES[case]
    method, order, steps = EXPECTED[label]
    assert method.can_integrate(system) is None
    statements = method(system)
    errors = [max_error(run_statements, statements, state, exact, n) for n in steps]
    measured = slope([T_END / n for n in steps], errors)
    assert measured == pytest.approx(order, abs=0.2), (label, case, errors)
    assert method.order == order


@pytest.mark.parametrize("dt", [0.01, 0.5, 3.0])
def test_exponential_euler_exact_for_linear_scalar(dt, run_statements):
    c = sym("c")
    system = ODESystem(("x",), {"x": (c - x) / tau})
    statements = get_method("exponential_euler")(system)
    n_steps = 7
    final = run_statements(statements, {"x": X0}, {"tau": TAU, "c": 0.3}, dt, n_steps)
    expected = 0.3 + (X0 - 0.3) * np.exp(-n_steps * dt / TAU)
    assert abs(float(final["x"]) - expected) < 1e-12


def test_exponential_euler_zero_coefficient_gives_euler_step():
    w = sym("w")
    system = ODESystem(("x", "w"), {"x": w / tau, "w": -w / tau})
    new_x = get_method("exponential_euler")(system)[0]
    assert new_x.target == "_new_x"
    assert sympy.simplify(new_x.expr - (x + sym("dt") * w / tau)) == 0


def test_exponential_euler_refuses_nonlinear_own_variable():
    system = ODESystem(("x",), {"x": -(x**3) / tau})
    reason = get_method("exponential_euler").can_integrate(system)
    assert reason is not None and "linear" in reason and "x" in reason


@pytest.mark.parametrize("method", [get_method("rk2"), get_method("rk4"), Heun("trapezoidal")])
def test_time_substitution_in_stages(method):
    # f = t (no state dependence): every stage must see its own time
    system = ODESystem(("x",), {"x": t})
    statements = method(system)
    dt = sym("dt")
    temporaries = {}
    for st in statements[:-1]:
        temporaries[sym(st.target)] = st.expr.xreplace(temporaries)
    # the integral of t over [t, t + dt] is exact for these methods
    assert sympy.expand(temporaries[sym("_new_x")] - (x + t * dt + dt**2 / 2)) == 0


@pytest.mark.parametrize("name", sorted(set(METHODS) - {"linear"}))
def test_statement_layout(name):
    """Temporaries are declared, state variables are only written at the very end."""
    w = sym("w")
    system = ODESystem(("x", "w"), {"x": (w - x) / tau, "w": -w / tau})
    statements = get_method(name)(system)
    finals = statements[-2:]
    assert finals == [Statement("x", sym("_new_x")), Statement("w", sym("_new_w"))]
    for st in statements[:-2]:
        assert st.declare and st.op == "="
        assert st.target.startswith("_") and st.target not in ("x", "w")
    declared = [st.target for st in statements[:-2]]
    assert len(declared) == len(set(declared))
    assert {"_new_x", "_new_w"} <= set(declared)


def test_event_driven_dt_expression(stepper):
    """With ``dt = t - lastupdate`` no statement may mention a ``dt`` symbol."""
    lastupdate = sym("lastupdate")
    system = ODESystem(("x",), {"x": -x / tau}, dt=t - lastupdate)
    for name in ("euler", "rk2", "rk4", "heun", "exponential_euler", "exact"):
        statements = get_method(name)(system)
        for st in statements:
            assert sym("dt") not in st.expr.free_symbols, (name, st)
    statements = get_method("rk4")(system)
    namespace = {"x": 1.0, "tau": 1.0, "t": 0.3, "lastupdate": 0.1}
    stepper(statements).step(namespace)
    h = 0.2  # RK4 on x' = -x gives the Taylor polynomial of exp(-h) of degree 4
    assert namespace["x"] == pytest.approx(1 - h + h**2 / 2 - h**3 / 6 + h**4 / 24, rel=1e-14)


def test_euler_doctest():
    import spikeloom.integrators.euler as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
