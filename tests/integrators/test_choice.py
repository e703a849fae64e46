"""Automatic choice of the method, the registry and the error messages."""

from __future__ import annotations

import logging

import pytest
import sympy

from spikeloom.integrators import (
    DEFAULT_METHODS,
    EXACT_ORDER,
    METHODS,
    IntegrationMethod,
    ODESystem,
    choose_method,
    get_method,
    integrate,
    sym,
)

v, w, tau, sigma, t = sym("v"), sym("w"), sym("tau"), sym("sigma"), sym("t")

LINEAR = ODESystem(("v",), {"v": -v / tau})
NONLINEAR = ODESystem(("v",), {"v": -(v**2) / tau})
ADDITIVE = ODESystem(("v",), {"v": -v / tau}, {"v": {"xi": sigma / sympy.sqrt(tau)}})
MULTIPLICATIVE = ODESystem(("v",), {"v": -v / tau}, {"v": {"xi": sigma * v}})
TIME_NOISE = ODESystem(("v",), {"v": -v / tau}, {"v": {"xi": sigma * sympy.sin(t / tau)}})
OTHER_VARIABLE_NOISE = ODESystem(
    ("v", "w"), {"v": -v / tau, "w": -w / tau}, {"v": {"xi": sigma * w}}
)
TWO_NOISES = ODESystem(
    ("v", "w"), {"v": -v / tau, "w": -w / tau}, {"v": {"xi_1": v, "xi_2": sigma}}
)


@pytest.mark.parametrize(
    "system, expected",
    [
        (LINEAR, "exact"),
        (NONLINEAR, "euler"),
        (ADDITIVE, "euler"),
        (MULTIPLICATIVE, "heun"),
        (TIME_NOISE, "heun"),
        (OTHER_VARIABLE_NOISE, "heun"),
        (TWO_NOISES, "heun"),
    ],
    ids=[
        "linear",
        "nonlinear",
        "additive",
        "multiplicative",
        "time-noise",
        "other-variable-noise",
        "two-noises",
    ],
)
def test_automatic_choice(system, expected):
    name, statements = choose_method(system)
    assert name == expected
    assert statements == METHODS[expected](system)
    assert integrate(system, None)[0] == expected


def test_default_candidates_are_brian2s():
    assert DEFAULT_METHODS == ("exact", "euler", "heun")


def test_registry():
    assert set(METHODS) == {
        "exact",
        "linear",
        "euler",
        "rk2",
        "rk4",
        "heun",
        "milstein",
        "exponential_euler",
    }
    assert METHODS["linear"] is METHODS["exact"]
    expected = {
        "exact": (EXACT_ORDER, None),
        "euler": (1, 1.0),
        "rk2": (2, None),
        "rk4": (4, None),
        "heun": (1, 0.5),
        "milstein": (1, 1.0),
        "exponential_euler": (1, None),
    }
    for name, (order, strong) in expected.items():
        method = get_method(name)
        assert isinstance(method, IntegrationMethod)
        assert method.name == name
        assert (method.order, method.strong_order) == (order, strong)


def test_unknown_method_name():
    with pytest.raises(ValueError) as info:
        get_method("bogus")
    message = str(info.value)
    assert "bogus" in message
    for name in METHODS:
        assert name in message
    with pytest.raises(ValueError, match="bogus"):
        integrate(LINEAR, "bogus")


def test_linear_alias_reports_the_canonical_name():
    name, statements = integrate(LINEAR, "linear")
    assert name == "exact"
    assert statements == integrate(LINEAR, "exact")[1]


def test_explicit_method_that_cannot_integrate():
    with pytest.raises(ValueError, match="stochastic") as info:
        integrate(ADDITIVE, "rk4")
    assert "rk4" in str(info.value)
    with pytest.raises(ValueError, match="multiplicative"):
        integrate(MULTIPLICATIVE, "euler")
    with pytest.raises(ValueError, match="linear"):
        integrate(NONLINEAR, "exact")


def test_explicit_method_is_used_even_if_exact_would_do():
    name, statements = integrate(LINEAR, "rk4")
    assert name == "rk4"
    assert any(st.target == "_k4_v" for st in statements)


def test_no_candidate_lists_every_reason():
    with pytest.raises(ValueError) as info:
        choose_method(MULTIPLICATIVE, ("exact", "euler", "rk2"))
    message = str(info.value)
    assert "exact:" in message and "stochastic" in message
    assert "euler:" in message and "multiplicative" in message
    assert "rk2:" in message


def test_candidates_given_as_a_sequence():
    assert integrate(NONLINEAR, ("exact", "rk4"))[0] == "rk4"
    assert choose_method(LINEAR, ["exponential_euler", "exact"])[0] == "exponential_euler"


def test_milstein_needs_diagonal_noise():
    reason = get_method("milstein").can_integrate(TWO_NOISES)
    assert reason is not None and "diagonal" in reason
    shared = ODESystem(("v", "w"), {"v": -v / tau, "w": -w / tau}, {"v": {"xi": v}, "w": {"xi": w}})
    assert "diagonal" in get_method("milstein").can_integrate(shared)
    assert get_method("milstein").can_integrate(MULTIPLICATIVE) is None


def test_zero_noise_terms_do_not_make_a_system_stochastic():
    system = ODESystem(("v",), {"v": -v / tau}, {"v": {"xi": sympy.S.Zero}})
    assert choose_method(system)[0] == "exact"


def test_automatic_choice_is_logged_with_its_duration(caplog):
    with caplog.at_level(logging.INFO, logger="spikeloom.integrators"):
        choose_method(NONLINEAR)
    records = [r for r in caplog.records if r.name == "spikeloom.integrators"]
    assert records, "the automatic choice was not logged"
    message = records[-1].getMessage()
    assert "'euler'" in message and " s)" in message


def test_symbols_with_other_assumptions_are_recognised():
    # a state variable spelled without real=True must still count as the variable
    plain_v = sympy.Symbol("v")
    system = ODESystem(("v",), {"v": -(plain_v**2) / tau})
    assert get_method("exact").can_integrate(system) is not None
    assert choose_method(system)[0] == "euler"
