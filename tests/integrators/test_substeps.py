"""``Substeps(method, n)``: ``method`` applied ``n`` times with ``dt/n`` in every step."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from spikeloom.integrators import ODESystem, Statement, Substeps, get_method, sym

x, w, tau, t = sym("x"), sym("w"), sym("tau"), sym("t")
#: forced (the stages' times matter) and coupled
FORCED = ODESystem(("x", "w"), {"x": (w - x) / tau + sympy.sin(t / tau), "w": -w / tau})
STATE, PARAMS = {"x": 1.0, "w": -0.5}, {"tau": 0.5}


@pytest.mark.parametrize("name, n", [("rk4", 4), ("rk2", 3), ("euler", 2), ("rk4", 1)])
def test_equals_the_method_at_the_smaller_step(name, n, run_statements):
    """N steps of Substeps(method, n) are n*N steps of method, sub-step times included."""
    method = get_method(name)
    coarse = run_statements(Substeps(method, n)(FORCED), STATE, PARAMS, 0.1, 20, t0=0.3)
    fine = run_statements(method(FORCED), STATE, PARAMS, 0.1 / n, 20 * n, t0=0.3)
    for var in STATE:
        assert float(coarse[var]) == pytest.approx(float(fine[var]), rel=1e-12, abs=1e-14)


def test_order_and_name(run_statements, slope):
    method = Substeps(get_method("rk4"), 4)
    assert method.name == "rk4_x4" and method.order == 4
    statements = method(FORCED)
    reference = run_statements(get_method("rk4")(FORCED), STATE, PARAMS, 2.0 / 4000, 4000)
    steps = [5, 10, 20, 40]
    errors = [abs(float(run_statements(statements, STATE, PARAMS, 2.0 / k, k)["x"])
                  - float(reference["x"])) for k in steps]
    assert slope([2.0 / k for k in steps], errors) == pytest.approx(4, abs=0.3), errors


def test_statement_layout():
    """Every temporary declared once; the state written only by the last statements."""
    statements = Substeps(get_method("rk4"), 3)(FORCED)
    assert statements[-2:] == [Statement("x", sym("_new_x")), Statement("w", sym("_new_w"))]
    declared = [st.target for st in statements[:-2]]
    assert all(st.declare and st.op == "=" for st in statements[:-2])
    assert len(declared) == len(set(declared)) and all(d.startswith("_") for d in declared)
    # the second sub-step starts from the first one's new values
    assert {"_s0_new_x", "_s1_k1_x", "_new_x"} <= set(declared)
    assert sym("_s0_new_x") in next(st for st in statements
                                    if st.target == "_s1_k1_x").expr.free_symbols
    assert Substeps(get_method("rk4"), 3)(FORCED) == statements  # cached, same statements


def test_refuses_what_it_cannot_integrate():
    method = Substeps(get_method("rk4"), 2)
    noisy = ODESystem(("x",), {"x": -x / tau}, {"x": {"xi": sympy.sqrt(2 / tau)}})
    assert "stochastic" in method.can_integrate(noisy)
    event = ODESystem(("x",), {"x": -x / tau}, dt=t - sym("lastupdate"))
    assert "event-driven" in method.can_integrate(event)
    assert "linear" in Substeps(get_method("exponential_euler"), 2).can_integrate(
        ODESystem(("x",), {"x": -(x**3) / tau}))
    with pytest.raises(ValueError, match=r"n=0 must be an integer >= 1"):
        Substeps(get_method("rk4"), 0)
    with pytest.raises(ValueError, match=r"n=2.0 must be an integer >= 1"):
        Substeps(get_method("rk4"), 2.0)
    with pytest.raises(TypeError, match=r"method must be an integration method"):
        Substeps("rk4", 2)


def test_stable_where_the_method_at_dt_is_not(run_statements):
    """dx/dt = -x/tau with dt/tau = 4: RK4 amplifies (R(-4) = 5 a step), RK4 in 4
    sub-steps damps as the exact solution does (R(-1)**4 = 0.375**4 against exp(-4))."""
    system = ODESystem(("x",), {"x": -x / tau})
    plain = run_statements(get_method("rk4")(system), {"x": 1.0}, {"tau": 0.25}, 1.0, 10)
    sub = run_statements(Substeps(get_method("rk4"), 4)(system), {"x": 1.0}, {"tau": 0.25},
                         1.0, 10)
    assert float(plain["x"]) == pytest.approx(5.0**10, rel=1e-12)
    assert float(sub["x"]) == pytest.approx(0.375**40, rel=1e-9, abs=0)
    assert 0.375**40 < 3 * np.exp(-40)
