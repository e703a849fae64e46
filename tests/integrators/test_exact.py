"""The exact integrator: closed forms for large steps, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from spikeloom.integrators import ODESystem, get_method, sym

exact = get_method("exact")
x, y, g, h, v = sym("x"), sym("y"), sym("g"), sym("h"), sym("v")
tau, tau1, tau2, omega, c, t = (sym(n) for n in ("tau", "tau1", "tau2", "omega", "c", "t"))

N_STEPS = 6


def close(a, b, rel=1e-12):
    return abs(float(a) - b) <= rel * max(abs(b), 1e-300)


@pytest.mark.parametrize("dt", [1e-4, 0.3, 2.5, 40.0])
def test_scalar_decay(dt, run_statements):
    final = run_statements(
        exact(ODESystem(("x",), {"x": -x / tau})), {"x": 1.7}, {"tau": 0.8}, dt, N_STEPS
    )
    assert close(final["x"], 1.7 * np.exp(-N_STEPS * dt / 0.8))


def test_scalar_form_is_the_closed_form():
    statements = exact(ODESystem(("v",), {"v": (c - v) / tau}))
    dt = sym("dt")
    assert sympy.simplify(statements[0].expr - (c + (v - c) * sympy.exp(-dt / tau))) == 0
    assert not statements[0].expr.has(sympy.Symbol("_k1_v", real=True))


def test_zero_coefficient_gives_linear_growth():
    statements = exact(ODESystem(("x",), {"x": c / tau}))
    assert sympy.expand(statements[0].expr - (x + sym("dt") * c / tau)) == 0


@pytest.mark.parametrize("dt", [0.05, 1.0, 7.0])
def test_triangular_biexponential(dt, run_statements):
    """dg/dt = -g/tau1 + h, dh/dt = -h/tau2 (h feeds g, not the other way)."""
    system = ODESystem(("g", "h"), {"g": -g / tau1 + h, "h": -h / tau2})
    p = {"tau1": 1.3, "tau2": 0.4}
    g0, h0 = 0.2, 1.5
    final = run_statements(exact(system), {"g": g0, "h": h0}, p, dt, N_STEPS)
    T = N_STEPS * dt
    k = h0 * p["tau1"] * p["tau2"] / (p["tau2"] - p["tau1"])
    g_exact = k * np.exp(-T / p["tau2"]) + (g0 - k) * np.exp(-T / p["tau1"])
    assert close(final["h"], h0 * np.exp(-T / p["tau2"]))
    assert close(final["g"], g_exact)


def test_triangular_in_any_declaration_order(run_statements):
    system = ODESystem(("h", "g"), {"g": -g / tau1 + h, "h": -h / tau2})
    ref = ODESystem(("g", "h"), {"g": -g / tau1 + h, "h": -h / tau2})
    p, s0 = {"tau1": 1.3, "tau2": 0.4}, {"g": 0.2, "h": 1.5}
    a = run_statements(exact(system), s0, p, 0.7, N_STEPS)
    b = run_statements(exact(ref), s0, p, 0.7, N_STEPS)
    assert close(a["g"], float(b["g"])) and close(a["h"], float(b["h"]))


def test_equal_time_constants_give_the_resonant_form(run_statements):
    """g' = (h - g)/tau, h' = -h/tau: g(t) = (g0 + h0*t/tau) exp(-t/tau), no 0/0."""
    system = ODESystem(("g", "h"), {"g": (h - g) / tau, "h": -h / tau})
    final = run_statements(exact(system), {"g": 0.3, "h": 2.0}, {"tau": 0.9}, 1.1, N_STEPS)
    T = N_STEPS * 1.1
    assert close(final["g"], (0.3 + 2.0 * T / 0.9) * np.exp(-T / 0.9))


@pytest.mark.parametrize("dt", [0.01, 0.9, 5.0])
def test_conductance_driven_membrane(dt, run_statements):
    """v' = (E - v + R*g)/tau, g' = -g/tau1: three exponentials, checked against numpy."""
    E, R = sym("E"), sym("R")
    system = ODESystem(("v", "g"), {"v": (E - v + R * g) / tau, "g": -g / tau1})
    p = {"E": -0.07, "R": 0.5, "tau": 0.02, "tau1": 0.005}
    final = run_statements(exact(system), {"v": -0.05, "g": 0.01}, p, dt, N_STEPS)
    A = np.array([[-1 / p["tau"], p["R"] / p["tau"]], [0.0, -1 / p["tau1"]]])
    b = np.array([p["E"] / p["tau"], 0.0])
    reference = _affine_flow(A, b, np.array([-0.05, 0.01]), N_STEPS * dt)
    assert close(final["v"], reference[0], rel=1e-11)
    assert close(final["g"], reference[1])


def test_coupled_oscillation(run_statements):
    """A damped rotation (complex eigenvalues) is written with real cos/sin."""
    system = ODESystem(("x", "y"), {"x": -x / tau - omega * y, "y": omega * x - y / tau})
    statements = exact(system)
    assert not any(st.expr.has(sympy.I) for st in statements)
    p = {"tau": 2.0, "omega": 3.0}
    dt = 0.77
    final = run_statements(statements, {"x": 1.0, "y": -0.5}, p, dt, N_STEPS)
    T = N_STEPS * dt
    decay, cos, sin = np.exp(-T / 2.0), np.cos(3.0 * T), np.sin(3.0 * T)
    assert close(final["x"], decay * (1.0 * cos + 0.5 * sin))
    assert close(final["y"], decay * (1.0 * sin - 0.5 * cos))


def test_coupled_real_eigenvalues_with_input(run_statements):
    """x' = (-2x + y + c)/tau, y' = (x - 2y)/tau, against numpy's eigen-decomposition."""
    system = ODESystem(("x", "y"), {"x": (-2 * x + y + c) / tau, "y": (x - 2 * y) / tau})
    p = {"tau": 0.5, "c": 0.6}
    final = run_statements(exact(system), {"x": 1.0, "y": 2.0}, p, 0.9, N_STEPS)
    A = np.array([[-2.0, 1.0], [1.0, -2.0]]) / 0.5
    reference = _affine_flow(A, np.array([0.6 / 0.5, 0.0]), np.array([1.0, 2.0]), N_STEPS * 0.9)
    assert close(final["x"], reference[0]) and close(final["y"], reference[1])


def test_event_driven_step(run_statements):
    """The step is whatever ODESystem.dt says, e.g. t - lastupdate."""
    lastupdate = sym("lastupdate")
    system = ODESystem(("x",), {"x": -x / tau}, dt=t - lastupdate)
    statements = exact(system)
    assert sym("dt") not in statements[0].expr.free_symbols
    f = sympy.lambdify([x, tau, t, lastupdate], statements[0].expr)
    assert close(f(2.0, 0.5, 5.0, 2.0), 2.0 * np.exp(-3.0 / 0.5))


def _affine_flow(A, b, x0, T):
    """x(T) for x' = A x + b with diagonalisable A (numpy only)."""
    w, V = np.linalg.eig(A)
    x_eq = -np.linalg.solve(A, b)
    return (V @ np.diag(np.exp(w * T)) @ np.linalg.solve(V, x0 - x_eq)).real + x_eq


# ----------------------------------------------------------------------------- refusals


def test_refuses_nonlinear():
    reason = exact.can_integrate(ODESystem(("v",), {"v": -(v**2) / tau}))
    assert reason is not None and "linear" in reason
    with pytest.raises(ValueError, match="linear"):
        exact(ODESystem(("v",), {"v": -(v**2) / tau}))


@pytest.mark.parametrize(
    "drift", [-v * t / tau**2, -v / tau + sympy.sin(t / tau)], ids=["coefficient", "input"]
)
def test_refuses_time_dependence(drift):
    reason = exact.can_integrate(ODESystem(("v",), {"v": drift}))
    assert reason is not None and "time" in reason


def test_refuses_stochastic():
    system = ODESystem(("v",), {"v": -v / tau}, {"v": {"xi": c}})
    reason = exact.can_integrate(system)
    assert reason is not None and "stochastic" in reason


def test_refuses_random_calls():
    rand = sympy.Function("rand")
    reason = exact.can_integrate(ODESystem(("v",), {"v": -v / tau + rand()}))
    assert reason is not None and "rand" in reason


def test_refuses_parameter_dependent_oscillation_quickly():
    """Real or complex eigenvalues depending on values: no single closed form."""
    import time

    w, a, tau_w = sym("w"), sym("a"), sym("tau_w")
    system = ODESystem(("v", "w"), {"v": (-v - w) / tau, "w": (a * v - w) / tau_w})
    start = time.perf_counter()
    reason = exact.can_integrate(system)
    assert reason is not None and "oscillate" in reason
    assert time.perf_counter() - start < 2.0


def test_refuses_large_feedback_loops():
    z = sym("z")
    system = ODESystem(("x", "y", "z"), {"x": -x / tau + y, "y": -y / tau + z, "z": -z / tau + x})
    reason = exact.can_integrate(system)
    assert reason is not None and "x, y, z" in reason


def test_refuses_long_dependency_chains():
    names = ("a", "b", "d", "e", "f")
    drift = {
        n: -sym(n) / sym("tau_" + n) + (sym(names[i + 1]) if i + 1 < len(names) else 0)
        for i, n in enumerate(names)
    }
    reason = exact.can_integrate(ODESystem(names, drift))
    assert reason is not None and "chain" in reason
