"""State-dependent step models of the memristor: ExpStep, PowStep, PiecewiseStep.

References (docs/devices.md, *Step models*), evaluated in NumPy in this file, written apart
from the library's code:

* each model is a conductance-versus-pulse curve ``dx/dP = f_up(x)`` (potentiation) or
  ``-f_down(x)`` (depression), and a pulse of step s advances P by s, so after k pulses
  ``x_k = X(x_0, k·s)`` (the closed-form trajectory);
* ExpStep: ``f = max(c - A e^{±γ z}, 0)``, ``z = a(2x - 1) + b``; with u the coordinate of the
  motion, ``e^{-kΔu} = 1 - f(x0)(1 - e^{-kcP})/c`` (k = 2aγ; ``1 - f(x0)·kP`` for c = 0);
* PowStep: ``b^{1-γ} = b0^{1-γ} - (1 - γ)P`` for the distance b to the approached bound;
* PiecewiseStep: on a segment ``f = v + m(u - u_j)``, ``u(P) = u0 + f(u0)(e^{mP} - 1)/m``,
  crossing it takes ``ln(f_end/f(u0))/m``; the reference walks the segments one by one;
* multiplicative pulse noise σ: an event of n pulses advances P by ``s(n + σ√n ξ)``
  (exactly); the moments of the state follow by Gauss-Hermite quadrature (1-D for one event,
  2-D for an up event followed by a down event); additive noise on a linear law is Gaussian
  with variance ``σ_a² Σ_{j<n} e^{2λsj}`` (λ the law's slope in the direction of motion).

The closed forms themselves are checked against a numerical ODE solution (scipy, 1e-9).
Statistical checks use 4-sigma bounds from the sample size: σ/√N for a mean,
``sqrt((μ4 - σ⁴(N-3)/(N-1))/N)`` for a variance.
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Network, SpikeGeneratorGroup, StateMonitor, ms, second
from spikeloom.models.devices import ExpStep, Memristor, PiecewiseStep, PowStep
from spikeloom.models.plasticity import PairSTDP, stdp_window

SIGMAS = 4.0
N_DEVICES = 10_000


# -- the closed forms (references) ----------------------------------------------------------------
def exp_law(law, x, up):
    z = law.a * (2 * x - 1) + law.b
    if up:
        return max(law.base - law.A_up * math.exp(law.gamma_up * z), 0.0)
    return max(law.base - law.A_down * math.exp(-law.gamma_down * z), 0.0)


def exp_curve(law, x, P, up):
    """ExpStep: the state after advancing P from x (not clipped)."""
    f0 = exp_law(law, x, up)
    k = 2 * law.a * (law.gamma_up if up else law.gamma_down)
    c = law.base
    if k == 0:
        du = f0 * P
    else:
        inner = 1 - f0 * (-math.expm1(-k * c * P)) / c if c else 1 - f0 * k * P
        du = -math.log(inner) / k if inner > 0 else math.inf
    return x + du if up else x - du


def pow_curve(law, x, P, up):
    """PowStep: distance b to the approached bound, b^(1-γ) = b0^(1-γ) - (1-γ)P."""
    g = law.gamma * (1 + min(law.up_down, 0)) if up else law.gamma * (1 - max(law.up_down, 0))
    b0 = 1 - x if up else x
    if g == 1:
        b = b0 * math.exp(-P)
    else:
        e = 1 - g
        b = max(b0**e - e * P, 0.0) ** (1 / e)
    return 1 - b if up else b


def table_curve(law, x, P, up):
    """PiecewiseStep: walk the segments in the direction of motion (P >= 0)."""
    values = np.asarray(law.up if up else law.down, dtype=float)
    nodes = (np.asarray(law.nodes) if law.nodes is not None
             else np.linspace(0, 1, len(values)))
    if not up:  # coordinate u = 1 - x, table read backwards
        nodes, values = 1 - nodes[::-1], values[::-1]
    u = x if up else 1 - x
    while P > 0 and u < 1:
        j = min(int(np.searchsorted(nodes, u, side="right")) - 1, len(nodes) - 2)
        m = (values[j + 1] - values[j]) / (nodes[j + 1] - nodes[j])
        f = values[j] + m * (u - nodes[j])
        if m == 0:
            t_end = (nodes[j + 1] - u) / f
        else:
            t_end = math.log(values[j + 1] / f) / m if values[j + 1] > 0 else math.inf
        if P < t_end:
            u = u + (f * P if m == 0 else f * math.expm1(m * P) / m)
            P = 0.0
        else:
            u, P = nodes[j + 1], P - t_end
    return u if up else 1 - u


CURVES = {ExpStep: exp_curve, PowStep: pow_curve, PiecewiseStep: table_curve}

LAWS = {
    "exp": ExpStep(A_up=0.3, A_down=0.2, gamma_up=2.0, gamma_down=3.0, a=0.5, b=0.1),
    "pow": PowStep(gamma=1.7, up_down=0.25),
    # a "measured" table: step sizes at five conductances, non-uniform nodes
    "table": PiecewiseStep(up=[1.6, 1.2, 1.0, 0.6, 0.3], down=[0.4, 0.8, 1.0, 1.3, 1.9],
                           nodes=[0.0, 0.2, 0.5, 0.8, 1.0]),
}


def curve(law, x, P, up):
    return min(max(CURVES[type(law)](law, x, P, up), 0.0), 1.0)


@pytest.mark.parametrize("law", [
    LAWS["exp"], LAWS["pow"], LAWS["table"], ExpStep(), PowStep(gamma=0.5),
    PowStep(gamma=1.0), ExpStep(base=0.0, A_up=-1.0, A_down=-2.0, gamma_up=2.0,
                                gamma_down=-3.0, a=0.5, b=-0.5),
    PiecewiseStep(up=[1.0, 1.0, 0.0], down=[0.0, 2.0]), PiecewiseStep(up=[1.2, 0.4],
                                                                      down=[0.5, 1.5])],
    ids=lambda law: repr(law)[:40])
def test_closed_forms_solve_the_step_laws(law):
    """The curve of every model is the solution of dx/dP = ±f(x) (the law's ``rate``).

    Reference: scipy's DOP853 at rtol 1e-12; the closed form of this file and the
    library's NumPy form (``law.advance``) agree with it to 1e-9 from eight states, both
    directions, advances 0.01-0.5 (and -0.05: a noisy pulse may step backwards).
    """
    solve_ivp = pytest.importorskip("scipy.integrate").solve_ivp
    for up in (True, False):
        sign = 1.0 if up else -1.0
        for x0 in (0.02, 0.1, 0.3, 0.45, 0.5, 0.62, 0.8, 0.97):
            for P in (0.01, 0.1, 0.5, -0.05):
                direction = sign * (1.0 if P > 0 else -1.0)

                def rhs(t, y, direction=direction, up=up):
                    return [direction * float(law.rate(min(max(y[0], 0), 1), up))]

                ref = solve_ivp(rhs, (0, abs(P)), [x0], rtol=1e-12, atol=1e-14,
                                method="DOP853").y[0, -1]
                if not 0 <= ref <= 1:
                    continue
                lib = float(np.clip(law.advance(x0, P, up), 0, 1))
                assert abs(lib - ref) < 1e-9, (up, x0, P, lib, ref)
                if P > 0:
                    assert abs(curve(law, x0, P, up) - ref) < 1e-9, (up, x0, P)


# -- N up then N down, noise off ------------------------------------------------------------------
def _pulse_run(device, n_up, n_down, x0, up_pulses=1, down_pulses=1, n_devices=1, seed=1,
               tag="steps", dw=0.02):
    """``n_up`` pairings with Δt = +5 ms (``up_pulses`` pulses each), then ``n_down`` with
    Δt = -5 ms (``down_pulses`` each), one per 50 ms: the weight after each pairing (rows:
    devices). PairSTDP (nn_symm, τ = 5 ms, A± = ±pulses·dw·e) requests exactly that many
    pulses; the cross pairs (|Δt| = 45 ms) request pulses·e^{-8} < 0.003 pulse (none)."""
    gc.collect()
    period, n_pairs = 50.0, n_up + n_down
    base = 20.0 + period * np.arange(n_pairs)
    sign = np.where(np.arange(n_pairs) < n_up, 1.0, -1.0)
    pre = SpikeGeneratorGroup(1, np.zeros(n_pairs, int), base * ms, name=f"{tag}_pre")
    post = SpikeGeneratorGroup(1, np.zeros(n_pairs, int), (base + 5.0 * sign) * ms,
                               name=f"{tag}_post")
    rule = PairSTDP(A_plus=up_pulses * dw * math.e, A_minus=-down_pulses * dw * math.e,
                    tau_plus=5 * ms, tau_minus=5 * ms, pairing="nn_symm", device=device)
    S = rule.attach(pre, post, connect={"n": n_devices}, w=x0, seed=seed, name=f"{tag}_syn")
    mon = StateMonitor(S, "w", record=True, dt=1 * ms, name=f"{tag}_mon")
    Network(pre, post, S, mon).run((base[-1] + period) * ms)
    t = np.asarray(mon.t / ms)
    after = [np.flatnonzero(t >= b + 25.0)[0] for b in base]  # 20 ms after both spikes
    return S, mon.w[:][:, after]


@pytest.mark.parametrize("name", ["exp", "pow", "table"])
def test_n_up_then_n_down_pulses_follow_the_closed_form(backend, name):
    """20 potentiations of one pulse, then 10 depressions of two pulses (20 pulses), noise
    off, dw_min = 0.02, up_down = 0.3 (s_up = 0.02, s_down = 0.014), x0 = 0.3.

    Reference: the closed-form trajectory x_k = X_up(x0, k·s_up) after k pulses up, then
    X_down(x_20, 2j·s_down) after j depressions (the curves compose, so a two-pulse event is
    two pulses); tolerance 1e-12.
    """
    law = LAWS[name]
    dev = Memristor(dw_min=0.02, up_down=0.3, step_model=law)
    _, w = _pulse_run(dev, 20, 10, 0.3, down_pulses=2, tag=f"steps_{name}")
    s_up, s_dn = 0.02, 0.014
    up = [curve(law, 0.3, k * s_up, True) for k in range(1, 21)]
    down = [curve(law, up[-1], 2 * j * s_dn, False) for j in range(1, 11)]
    assert 0.05 < min(up + down) and max(up + down) < 0.95  # interior: no clipping
    assert up[-1] - 0.3 > 0.05 and up[-1] - down[-1] > 0.05  # the law moves the state
    np.testing.assert_allclose(w[0], up + down, rtol=1e-12, atol=1e-14)


# -- noise on --------------------------------------------------------------------------------------
def _moments(values, weights):
    """Mean, variance and centred fourth moment of a quadrature (weights sum to 1)."""
    mean = np.sum(weights * values)
    var = np.sum(weights * (values - mean) ** 2)
    mu4 = np.sum(weights * (values - mean) ** 4)
    return mean, var, mu4


def _check(x, mean, var, mu4, label):
    n = x.size
    assert abs(x.mean() - mean) <= SIGMAS * np.sqrt(var / n), (label, x.mean(), mean)
    se_var = np.sqrt((mu4 - var**2 * (n - 3) / (n - 1)) / n)
    assert abs(x.var(ddof=1) - var) <= SIGMAS * se_var, (label, x.var(ddof=1), var)


@pytest.mark.parametrize("name", ["exp", "pow", "table"])
def test_pulse_noise_gives_the_closed_form_moments(backend, name):
    """10 000 devices, one event of 8 pulses up, then one of 8 pulses down, with
    multiplicative pulse noise σ = 0.3 (dw_min = 0.01, up_down = 0.2, x0 = 0.4).

    Reference: x1 = X_up(x0, s_up(8 + σ√8 ξ1)), x2 = X_down(x1, s_down(8 + σ√8 ξ2)), ξ
    independent N(0, 1); mean, variance and fourth moment by Gauss-Hermite quadrature
    (60 nodes, 60 x 60 for x2); 4-sigma bounds for N = 10 000.
    """
    sl.seed(5)
    law, n, sigma, x0 = LAWS[name], 8, 0.3, 0.4
    dev = Memristor(dw_min=0.01, up_down=0.2, dw_min_std=sigma, step_model=law)
    _, w = _pulse_run(dev, 1, 1, x0, up_pulses=n, down_pulses=n, n_devices=N_DEVICES,
                      seed=5, tag=f"noise_{name}", dw=0.01)
    z, wz = np.polynomial.hermite_e.hermegauss(60)
    wz = wz / wz.sum()
    s_up, s_dn = 0.01, 0.008
    x1 = np.array([curve(law, x0, s_up * (n + sigma * np.sqrt(n) * zi), True) for zi in z])
    _check(w[:, 0], *_moments(x1, wz), f"{name} up")
    x2 = np.array([[curve(law, a, s_dn * (n + sigma * np.sqrt(n) * zj), False) for zj in z]
                   for a in x1])
    _check(w[:, 1], *_moments(x2.ravel(), np.outer(wz, wz).ravel()), f"{name} down")
    assert w[:, 0].std() > 0.002  # the noise is there


def test_additive_pulse_noise_of_a_linear_law(backend):
    """A linear law (two-value PiecewiseStep, aihwkit's LinearStepDevice) with additive
    pulse noise σ = 0.5: one event of 10 pulses up, then 10 down, 10 000 devices.

    Reference: the curve is affine, so a kick σ_a ξ after pulse k is scaled by e^{λs(n-k)}
    by the later pulses: x_n ~ N(X(x0, ns), σ_a² Σ_{j<n} e^{2λsj}) with σ_a = σ·dw_min,
    λ = f_up(1) - f_up(0) up and f_down(0) - f_down(1) down (exact, Gaussian).
    """
    sl.seed(9)
    law = PiecewiseStep(up=[1.5, 0.5], down=[0.4, 1.6])
    dw, n, sigma, x0 = 0.01, 10, 0.5, 0.5
    dev = Memristor(dw_min=dw, dw_min_std=sigma, dw_min_std_mode="additive", step_model=law)
    _, w = _pulse_run(dev, 1, 1, x0, up_pulses=n, down_pulses=n, n_devices=N_DEVICES,
                      seed=9, tag="additive_table", dw=dw)

    def var(lam):
        return (sigma * dw) ** 2 * sum(math.exp(2 * lam * dw * j) for j in range(n))

    mean1, var1 = curve(law, x0, n * dw, True), var(0.5 - 1.5)
    _check(w[:, 0], mean1, var1, 3 * var1**2, "up")
    # the down event starts from a Gaussian state: affine map of it plus new kicks
    lam_dn = 0.4 - 1.6
    mean2 = curve(law, mean1, n * dw, False)
    var2 = var1 * math.exp(2 * lam_dn * n * dw) + var(lam_dn)
    _check(w[:, 1], mean2, var2, 3 * var2**2, "down")


def test_analog_requests_advance_the_curve():
    """Without pulses a request Δp is one advance of |Δp| (times the asymmetry factors)
    along the curve.

    Reference: PairSTDP requests Δp = ±0.2 e^{-|Δt|/20 ms}; up_down = 0.4 scales the
    depression by 0.6; x = X(0.5, |Δp|·factor) for the three laws, 1e-12.
    """
    for name, law in LAWS.items():
        rule = PairSTDP(A_plus=0.2, A_minus=-0.2, tau_plus=20 * ms, tau_minus=20 * ms,
                        device=Memristor(up_down=0.4, step_model=law))
        res = stdp_window(rule, [-12.0, 7.0] * ms, w0=0.5)
        dt = np.asarray(res.delta_t / second)
        dp = 0.2 * np.exp(-np.abs(dt) / 0.02)
        ref = [curve(law, 0.5, dp[0] * 0.6, False), curve(law, 0.5, dp[1], True)]
        np.testing.assert_allclose(res.w[0], ref, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", ["exp", "pow", "table"])
def test_step_models_with_levels_spread_and_drift_stay_finite(name):
    """Every feature around a step model at once (levels, stochastic rounding, device
    spread, stuck devices, c2c, drift, read noise): finite weights, and the
    states of working devices move.

    Reference: no NaN; most devices end away from their start.
    """
    dev = Memristor(n_levels=9, rounding="stochastic", dw_min_std=0.5, step_model=LAWS[name],
                    up_down=-0.2, d2d={"dw_min": 0.3, "up_down": 0.05, "G_max": 0.1},
                    p_stuck_min=0.05, c2c=0.01, drift="exponential", drift_tau=200 * ms,
                    read_noise=0.02)
    rule = PairSTDP(A_plus=0.3, A_minus=-0.3, device=dev)
    res = stdp_window(rule, [-15.0, -3.0, 3.0, 15.0] * ms, w0=0.5, n_pairs=4,
                      period=60 * ms, n_devices=200, seed=3)
    assert np.all(np.isfinite(res.w))
    assert np.mean(res.w != 0.5) > 0.5


BACKEND_DEVICES = {
    "exp": dict(dw_min=0.01, rounding="stochastic", dw_min_std=0.3, up_down=0.1,
                step_model=LAWS["exp"], d2d={"dw_min": 0.2, "up_down": 0.05}),
    "pow": dict(n_levels=17, dw_min_std=0.2, step_model=LAWS["pow"], c2c=0.01),
    "table": dict(dw_min=0.02, dw_min_std=0.3, step_model=LAWS["table"], p_stuck_max=0.1),
    "linear": dict(dw_min=0.01, dw_min_std=0.4, dw_min_std_mode="additive",
                   step_model=PiecewiseStep(up=[1.5, 0.5], down=[0.4, 1.6])),
}


@pytest.mark.parametrize("name", list(BACKEND_DEVICES))
def test_step_models_give_the_same_numbers_on_both_backends(name):
    """Noisy step models (stochastic pulse counts, multiplicative and additive pulse noise,
    device spread, levels, c2c, stuck devices) give the same weights on the Numba and the
    JAX backend.

    Reference: the Numba run; equal to 1e-13 relative (``exp``/``log``/``**`` may differ in
    the last bit between XLA and libm, see docs/backends.md).
    """
    pytest.importorskip("jax")
    dev = Memristor(**BACKEND_DEVICES[name])
    out = {}
    for backend_name in ("numba", "jax"):
        sl.start_scope()
        sl.set_device(backend_name)
        sl.seed(21)
        out[backend_name] = stdp_window(PairSTDP(A_plus=0.2, A_minus=-0.2, device=dev),
                                        [-8.0, 3.0, 12.0] * ms, w0=0.5, n_pairs=3,
                                        period=40 * ms, n_devices=300, seed=5).w
    sl.set_device("numba")
    assert np.std(out["numba"][:, 1]) > 0  # the noise is there
    np.testing.assert_allclose(out["jax"], out["numba"], rtol=1e-13, atol=1e-15)


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: ExpStep(A_up=math.nan), r"ExpStep: A_up must be finite, got nan"),
    (lambda: ExpStep(base=-1.0), r"ExpStep: base must be in \[0.0, inf\), got -1.0$"),
    (lambda: ExpStep(gamma_up="2"), r"ExpStep: gamma_up must be a real number, got '2'"),
    (lambda: ExpStep(A_up=1.0, gamma_up=400.0, a=1.0, b=0.0),
     r"ExpStep: \|ln\|A_up\| \+ gamma_up\*z\| must be <= 300 .* got 400 with A_up=1.0, "
     r"gamma_up=400.0, a=1.0, b=0.0"),
    (lambda: PowStep(gamma=-0.5), r"PowStep: gamma must be in \[0.0, inf\), got -0.5$"),
    (lambda: PowStep(up_down=1.0), r"PowStep: up_down must be in \(-1.0, 1.0\), got 1.0$"),
    (lambda: PiecewiseStep(up=[]), r"PiecewiseStep: up must have at least one value"),
    (lambda: PiecewiseStep(up="abc"), r"PiecewiseStep: up must be a sequence of step sizes"),
    (lambda: PiecewiseStep(up=[1.0, -0.5]), r"up must hold step sizes >= 0, got \(1.0, -0.5\)"),
    (lambda: PiecewiseStep(down=[1.0, 0.0, 1.0]), r"down may be 0 only at its first or last"),
    (lambda: PiecewiseStep(up=[0.0, 0.0]), r"up must have a value > 0"),
    (lambda: PiecewiseStep(up=[1.0, math.inf]), r"up\[1\] must be a finite real number"),
    (lambda: PiecewiseStep(up=[1, 2, 3], down=[1, 2, 3], nodes=[0, 0.7, 0.5]),
     r"nodes must increase strictly from 0 to 1, got \[0, 0.7, 0.5\]"),
    (lambda: PiecewiseStep(up=[1, 2], down=[1, 2, 3], nodes=[0, 1]),
     r"up, down and nodes must have the same length, got 2, 3 and 2"),
    (lambda: Memristor(step_model="exp"),
     r"step_model must be None or one of ExpStep\(...\), PowStep\(...\), "
     r"PiecewiseStep\(...\), got 'exp'"),
    (lambda: Memristor(step_model=PowStep(), soft_bounds=True),
     r"step_model=PowStep\(gamma=1.0, up_down=0.0\) and soft_bounds=True .* choose one"),
    (lambda: Memristor(step_model=ExpStep(), nl_ltp=1.0), r"and nl_ltp/nl_ltd != 0"),
    (lambda: Memristor(dw_min=0.01, dw_min_std=0.1, dw_min_std_mode="additive",
                       step_model=PowStep(2.0)),
     r"dw_min_std_mode='additive' has no closed form with step_model=PowStep.*"
     r"allowed with it: 'multiplicative'"),
])
def test_step_models_reject_bad_parameters(make, match):
    """Every message names the argument, the value given and what is allowed."""
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_step_models_are_values():
    """Frozen: equal parameters compare equal (repr round-trips), a change is a new model
    validated again, and a device's step model is validated when set."""
    law = ExpStep(A_up=0.2)
    assert law == eval(repr(law)) and hash(law) == hash(ExpStep(A_up=0.2))
    with pytest.raises(AttributeError):
        law.A_up = 0.3
    assert law.replace(A_up=0.3).A_up == 0.3
    with pytest.raises(ValueError, match="gamma must be in"):
        PowStep().replace(gamma=-1.0)
    table = PiecewiseStep(up=[1, 2], down=(3,))
    assert table.up == (1.0, 2.0) and table.down == (3.0,)
    dev = Memristor(dw_min=0.01, step_model=law)
    assert "step_model=ExpStep(A_up=0.2" in repr(dev) and not dev.is_ideal
    with pytest.raises(ValueError, match="choose one"):
        dev.soft_bounds = True
    dev.step_model = None
    assert dev.step_model is None and "step_model" not in repr(dev)
