"""Stochastic integrators: stationary statistics and strong convergence orders."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from spikeloom.integrators import Heun, ODESystem, get_method, sym
from spikeloom.integrators.milstein import Milstein

x, tau, sigma, mu, s = sym("x"), sym("tau"), sym("sigma"), sym("mu"), sym("s")

# ------------------------------------------------------------- Ornstein–Uhlenbeck

OU_TAU, OU_SIGMA, OU_DT = 1.0, 0.5, 0.01
OU_PATHS, OU_STEPS = 20_000, 1_000  # 10 tau: the start at x = 0 is forgotten (e^-20)
OU = ODESystem(("x",), {"x": -x / tau}, {"x": {"xi": sigma * sympy.sqrt(2 / tau)}})


def stationary_check(samples: np.ndarray, variance: float, bias: float) -> None:
    """Mean 0 and the given variance, within 5 standard errors (+ discretisation bias)."""
    n = samples.size
    assert abs(samples.mean()) < 5 * np.sqrt(variance / n)
    standard_error = variance * np.sqrt(2 / (n - 1))  # of a Gaussian sample variance
    assert abs(samples.var(ddof=1) - variance) < 5 * standard_error + bias


@pytest.mark.parametrize(
    "method",
    [get_method("euler"), get_method("heun"), Heun("trapezoidal"), get_method("milstein")],
    ids=["euler", "heun", "heun-trapezoidal", "milstein"],
)
def test_ou_stationary_variance(method, stepper):
    statements = method(OU)
    rng = np.random.default_rng(20240601)
    namespace = {"x": np.zeros(OU_PATHS), "tau": OU_TAU, "sigma": OU_SIGMA, "dt": OU_DT}
    run = stepper(statements)
    lag = int(OU_TAU / OU_DT)
    for step in range(OU_STEPS + lag):
        if step == OU_STEPS:
            before = namespace["x"].copy()
        namespace["t"] = step * OU_DT
        namespace["_randn_xi"] = rng.standard_normal(OU_PATHS)
        run.step(namespace)
    after = namespace["x"]
    # Euler–Maruyama's own stationary variance is sigma^2 / (1 - dt/(2 tau)): 0.5 % off
    stationary_check(before, OU_SIGMA**2, bias=OU_SIGMA**2 * OU_DT / OU_TAU)
    # correlation after one tau is exp(-1): checks the drift, not only the noise
    correlation = np.corrcoef(before, after)[0, 1]
    assert correlation == pytest.approx(np.exp(-1), abs=5 / np.sqrt(OU_PATHS) + 0.01)


def test_independent_noises_add_up(stepper):
    """Two noise symbols on one equation are two independent draws."""
    s1, s2 = sym("s1"), sym("s2")
    system = ODESystem(("x",), {"x": -x / tau}, {"x": {"xi_1": s1, "xi_2": s2}})
    statements = get_method("euler")(system)
    rng = np.random.default_rng(7)
    namespace = {"x": np.zeros(OU_PATHS), "tau": OU_TAU, "s1": 0.3, "s2": 0.4, "dt": OU_DT}
    run = stepper(statements)
    for _ in range(OU_STEPS):
        namespace["_randn_xi_1"] = rng.standard_normal(OU_PATHS)
        namespace["_randn_xi_2"] = rng.standard_normal(OU_PATHS)
        run.step(namespace)
    # stationary variance (s1^2 + s2^2) tau / 2; one shared draw would give (s1+s2)^2
    variance = (0.3**2 + 0.4**2) * OU_TAU / 2
    stationary_check(namespace["x"], variance, bias=variance * OU_DT / OU_TAU)


# ------------------------------------------------------ geometric Brownian motion

GBM_MU, GBM_S, GBM_X0, GBM_T = 0.5, 1.0, 1.0, 1.0
GBM_PATHS = 4_000
GBM_FINE = 256  # finest number of steps; coarser paths sum its increments
GBM_LEVELS = [16, 32, 64, 128]
GBM = ODESystem(("x",), {"x": mu * x}, {"x": {"xi": s * x}})


@pytest.fixture(scope="module")
def wiener():
    """Fine Wiener increments, shared by every method and step size."""
    rng = np.random.default_rng(12345)
    return rng.standard_normal((GBM_FINE, GBM_PATHS)) * np.sqrt(GBM_T / GBM_FINE)


def coarse_draws(increments: np.ndarray, n_steps: int) -> np.ndarray:
    """Standard-normal draws of the coarse walk that has the same Wiener path."""
    factor = GBM_FINE // n_steps
    coarse = increments.reshape(n_steps, factor, -1).sum(axis=1)
    return coarse / np.sqrt(GBM_T / n_steps)


def exact_gbm(increments: np.ndarray, calculus: str) -> np.ndarray:
    W = increments.sum(axis=0)
    drift = GBM_MU - GBM_S**2 / 2 if calculus == "ito" else GBM_MU
    return GBM_X0 * np.exp(drift * GBM_T + GBM_S * W)


def strong_errors(statements, increments, calculus, run_statements) -> list[float]:
    reference = exact_gbm(increments, calculus)
    errors = []
    for n in GBM_LEVELS:
        final = run_statements(
            statements,
            {"x": np.full(GBM_PATHS, GBM_X0)},
            {"mu": GBM_MU, "s": GBM_S},
            GBM_T / n,
            n,
            noise={"xi": coarse_draws(increments, n)},
        )
        errors.append(float(np.mean(np.abs(final["x"] - reference))))
    return errors


def euler_maruyama_errors(increments) -> list[float]:
    """The order-0.5 baseline: Euler–Maruyama on the same paths (plain numpy)."""
    reference = exact_gbm(increments, "ito")
    errors = []
    for n in GBM_LEVELS:
        dt, X = GBM_T / n, np.full(GBM_PATHS, GBM_X0)
        for dW in coarse_draws(increments, n) * np.sqrt(GBM_T / n):
            X = X + GBM_MU * X * dt + GBM_S * X * dW
        errors.append(float(np.mean(np.abs(X - reference))))
    return errors


@pytest.mark.parametrize(
    "method, calculus",
    [
        (Milstein("ito"), "ito"),
        (get_method("milstein"), "stratonovich"),
        (get_method("heun"), "stratonovich"),
        (Heun("trapezoidal"), "stratonovich"),
    ],
    ids=["milstein-ito", "milstein-stratonovich", "heun", "heun-trapezoidal"],
)
def test_strong_order_one_on_gbm(method, calculus, wiener, run_statements, slope):
    errors = strong_errors(method(GBM), wiener, calculus, run_statements)
    dts = [GBM_T / n for n in GBM_LEVELS]
    assert slope(dts, errors) == pytest.approx(1.0, abs=0.2), errors
    # dt -> dt/4: an order-1 method divides the error by about 4 (order 0.5: by 2)
    assert 3.0 < errors[0] / errors[2] < 5.5, errors
    baseline = euler_maruyama_errors(wiener)
    assert slope(dts, baseline) == pytest.approx(0.5, abs=0.2), baseline
    assert errors[-1] < baseline[-1] / 2


def test_milstein_and_heun_agree_on_stratonovich_solution(wiener, run_statements):
    """Heun integrates the Stratonovich equation; Itô Milstein does not (drift s^2/2)."""
    heun_errors = strong_errors(get_method("heun")(GBM), wiener, "stratonovich", run_statements)
    ito_errors = strong_errors(Milstein("ito")(GBM), wiener, "stratonovich", run_statements)
    assert heun_errors[-1] < 0.05 * ito_errors[-1]


def test_registered_milstein_is_stratonovich_like_heun(wiener, run_statements):
    """The registry's 'milstein' converges to the solution 'heun' converges to."""
    errors = strong_errors(get_method("milstein")(GBM), wiener, "stratonovich", run_statements)
    ito_errors = strong_errors(Milstein("ito")(GBM), wiener, "stratonovich", run_statements)
    assert errors[-1] < 0.05 * ito_errors[-1]


def test_additive_noise_statement():
    """Euler–Maruyama: dW = sqrt(dt) * _randn_xi, drawn once per noise symbol."""
    statements = get_method("euler")(OU)
    dt, randn = sym("dt"), sym("_randn_xi")
    expected = x - dt * x / tau + sigma * sympy.sqrt(2 / tau) * sympy.sqrt(dt) * randn
    assert sympy.simplify(statements[0].expr - expected) == 0
