"""The branch-free transcendental functions of the Numba backend (``_vecmath``).

Pinned: the error bound in ulps over 10^6 points per function (reference: 80-bit long
double, itself checked against mpmath), exact special values against NumPy's libm, that a
loop calling them vectorises, and that ``prefs.spikeloom.vector_math`` switches the
generated loop over to them.
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest
from numba import njit

from spikeloom.backends.numba import _vecmath as vm
from spikeloom.backends.numba._support import _exprel

#: each function with its NumPy counterpart (applied to long doubles for the reference)
FUNCTIONS = {
    "exp": (vm.vexp, np.exp),
    "expm1": (vm.vexpm1, np.expm1),
    "exprel": (vm.vexprel, lambda x: np.expm1(x) / x),
    "log": (vm.vlog, np.log),
    "log1p": (vm.vlog1p, np.log1p),
    "tanh": (vm.vtanh, np.tanh),
    "sinh": (vm.vsinh, np.sinh),
    "cosh": (vm.vcosh, np.cosh),
}
MPMATH = {"exp": mpmath.exp, "expm1": mpmath.expm1, "exprel": lambda x: mpmath.expm1(x) / x,
          "log": mpmath.log, "log1p": mpmath.log1p, "tanh": mpmath.tanh,
          "sinh": mpmath.sinh, "cosh": mpmath.cosh}
#: long double with at least 64 mantissa bits (x86's 80-bit format, or quad): a reference
#: 2^-11 ulp of float64 or better
LONG_DOUBLE = np.finfo(np.longdouble).nmant >= 63


def _loop(f):
    @njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.shape[0]):
            out[i] = f(x[i])

    return loop


_LOOPS = {name: _loop(f) for name, (f, _) in FUNCTIONS.items()}


def _apply(name: str, x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _LOOPS[name](x, out)
    return out


def _log_uniform(rng, low_exp: float, high_exp: float, n: int, signs=(1.0,)) -> np.ndarray:
    return 10.0 ** rng.uniform(low_exp, high_exp, n) * rng.choice(signs, n)


def sample(name: str, rng, n: int) -> np.ndarray:
    """``n`` arguments: about a third over the whole finite domain, the rest where models
    evaluate the function (rate functions of voltages: |x| up to ~50) and near 0."""
    k = n // 3
    both = (-1.0, 1.0)
    wide = {"exp": rng.uniform(-745.2, 709.78, k), "expm1": rng.uniform(-60.0, 709.78, k),
            "exprel": rng.uniform(-60.0, 709.78, k), "log": _log_uniform(rng, -323, 308, k),
            "log1p": _log_uniform(rng, -20, 308, k), "tanh": rng.uniform(-30.0, 30.0, k),
            "sinh": rng.uniform(-710.4, 710.4, k), "cosh": rng.uniform(-710.4, 710.4, k)}[name]
    if name == "log":
        near = np.concatenate([rng.uniform(0.25, 4.0, k), 1.0 + rng.uniform(-1e-3, 1e-3, k)])
    elif name == "log1p":
        near = np.concatenate([rng.uniform(-1.0, 4.0, k)[1:], [-0.999999],
                               _log_uniform(rng, -20, 0, k, both)])
    else:
        near = np.concatenate([rng.uniform(-50.0, 50.0, k), _log_uniform(rng, -20, 0.5, k, both)])
    return np.concatenate([wide, near, rng.uniform(-2.0, 2.0, n - len(wide) - len(near))])


def ulp_errors(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in units of the last place of ``exact`` rounded to float64 (the
    smaller unit below a power of two; the subnormal spacing below the normal range)."""
    rounded = exact.astype(np.float64)
    unit = np.spacing(np.abs(rounded))
    below_power = ((np.frexp(rounded)[0] == 0.5) & (np.abs(exact) < np.abs(rounded))
                   & (np.abs(rounded) > np.finfo(np.float64).smallest_normal))
    unit = np.where(below_power, unit / 2, unit)
    return (np.abs(got.astype(np.longdouble) - exact) / unit).astype(np.float64)


@pytest.mark.skipif(not LONG_DOUBLE, reason="needs an 80-bit (or wider) long double")
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_error_within_the_stated_bound(name):
    rng = np.random.default_rng(17)
    x = sample(name, rng, 1_000_000)
    with np.errstate(all="ignore"):
        exact = FUNCTIONS[name][1](x.astype(np.longdouble))
    finite = np.isfinite(exact) & (np.abs(exact) <= np.finfo(np.float64).max)
    errors = ulp_errors(_apply(name, x)[finite], exact[finite])
    worst = int(np.argmax(errors))
    assert errors[worst] <= vm.ULP_BOUNDS[name], (name, x[finite][worst], errors[worst])


@pytest.mark.skipif(not LONG_DOUBLE, reason="needs an 80-bit (or wider) long double")
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_long_double_reference_agrees_with_mpmath(name):
    rng = np.random.default_rng(3)
    x = sample(name, rng, 600)
    with np.errstate(all="ignore"):
        exact = FUNCTIONS[name][1](x.astype(np.longdouble))
    with mpmath.workdps(40):
        precise = np.array([MPMATH[name](mpmath.mpf(float(v))) for v in x])
    finite = np.isfinite(exact) & (np.abs(exact) <= np.finfo(np.float64).max)
    with mpmath.workdps(40):
        diff = [abs(mpmath.mpf(np.format_float_scientific(e, unique=True)) - p)
                / np.spacing(abs(float(e))) for e, p in zip(exact[finite], precise[finite])]
    assert max(diff) < 0.01


@pytest.mark.skipif(LONG_DOUBLE, reason="the long double test covers it")
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_error_within_the_stated_bound_mpmath(name):
    """Without an 80-bit long double: fewer points, against mpmath."""
    rng = np.random.default_rng(17)
    x = sample(name, rng, 20_000)
    got = _apply(name, x)
    with mpmath.workdps(40):
        for value, result in zip(x, got):
            exact = MPMATH[name](mpmath.mpf(float(value)))
            rounded = float(exact) if abs(exact) < 1.7976931348623157e308 else None
            if rounded is None or rounded == 0.0:
                continue
            error = abs(mpmath.mpf(float(result)) - exact) / np.spacing(abs(rounded))
            assert error <= vm.ULP_BOUNDS[name], (name, value, float(error))


SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-300,
                    -1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-17, -1e-17, 1e-9,
                    709.782712893384, 709.7827128933841, 710.0, 710.4758600739439,
                    710.475860073944, 711.0, 1000.0, 1e308, -708.3964185322641,
                    -708.4, -745.1332191019411, -745.1332191019412, -746.0, -1000.0, -1e308,
                    22.0, -22.0, 40.0, 1.7976931348623157e308, -1.7976931348623157e308])


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal including the sign of zero, or both NaN."""
    return ((a == b) & (np.signbit(a) == np.signbit(b))) | (np.isnan(a) & np.isnan(b))


@pytest.mark.parametrize("name", ["exp", "expm1", "log", "log1p", "tanh", "sinh", "cosh"])
def test_special_values_are_those_of_libm(name):
    got = _apply(name, SPECIAL)
    with np.errstate(all="ignore"):
        expected = FUNCTIONS[name][1](SPECIAL)
    # where libm's result is finite and nonzero, the bound applies; everything else
    # (inf, NaN, 0, -0, exact values) must be identical
    exact = ~np.isfinite(expected) | (expected == 0) | (expected == 1) | (expected == -1)
    assert _same(got[exact], expected[exact]).all(), list(zip(SPECIAL[exact], got[exact],
                                                              expected[exact]))
    close = np.abs(got[~exact] - expected[~exact]) <= 3 * np.spacing(np.abs(expected[~exact]))
    assert close.all(), list(zip(SPECIAL[~exact], got[~exact], expected[~exact]))


def test_exact_values():
    assert _apply("exp", np.array([0.0, -0.0]))[0] == 1.0
    assert _apply("log", np.array([1.0]))[0] == 0.0
    assert _apply("exp", np.array([-np.inf]))[0] == 0.0
    assert _apply("exp", np.array([710.0]))[0] == np.inf
    tiny = np.array([1e-300, -1e-300, 5e-324, 2.0**-60, -(2.0**-60)])
    assert (_apply("expm1", tiny) == tiny).all()  # expm1(x) rounds to x
    assert (_apply("log1p", tiny) == tiny).all()
    assert (_apply("tanh", tiny) == tiny).all()
    assert np.signbit(_apply("expm1", np.array([-0.0]))[0])
    assert np.signbit(_apply("tanh", np.array([-0.0]))[0])


def test_exprel_special_values_are_those_of_the_libm_helper():
    x = np.concatenate([SPECIAL, [1e-16, -1e-16, 9.9e-17, 1e-15]])
    expected = np.array([_exprel(v) for v in x])
    got = _apply("exprel", x)
    exact = ~np.isfinite(expected) | (expected == 0) | (expected == 1)
    assert _same(got[exact], expected[exact]).all(), list(zip(x[exact], got[exact],
                                                              expected[exact]))
    assert np.allclose(got[~exact], expected[~exact], rtol=4e-16, atol=0)


def test_sqrt_is_bit_identical_to_libm():
    x = np.concatenate([np.random.default_rng(0).uniform(0, 1e3, 10_000), SPECIAL])
    got = np.array([float(v) for v in _sqrt_loop(x)])
    with np.errstate(invalid="ignore"):
        assert _same(got, np.sqrt(x)).all()


@njit(error_model="numpy")
def _sqrt_kernel(x, out):
    for i in range(x.shape[0]):
        out[i] = vm.vsqrt(x[i])


def _sqrt_loop(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _sqrt_kernel(x, out)
    return out


#: libm (or libm-backed intrinsic) calls that stop a loop from vectorising
SCALAR_CALLS = re.compile(r"call [^\n]*@(llvm\.(exp|log|pow)\.f64|exp|expm1|log|log1p|tanh|"
                          r"sinh|cosh|sqrt)\(")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_loop_calling_it_vectorises(name):
    loop = _LOOPS[name]
    _apply(name, np.linspace(0.5, 2.0, 64))
    llvm = loop.inspect_llvm(loop.signatures[0])
    assert re.search(r"<[248] x double>", llvm), f"{name}: no vector code"
    assert re.search(r"@llvm\.fma\.v[248]f64", llvm) or name == "log", name
    assert not SCALAR_CALLS.search(llvm), SCALAR_CALLS.search(llvm).group(0)


# -- pow ----------------------------------------------------------------------------------------
@njit(error_model="numpy")
def _pow_kernel(x, y, out):
    for i in range(x.shape[0]):
        out[i] = vm.vpow(x[i], y[i])


def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _pow_kernel(x, y, out)
    return out


def _pow_sample(rng, n: int):
    """Bases and exponents: the models' uses (drift t^-nu, soft-bound pulse trains
    (1 - s)^n, conductance^0.65) and a wide sweep whose result stays finite."""
    k = n // 4
    x = np.concatenate([1.0 + 10.0 ** rng.uniform(-3, 6, k),
                        1.0 - 10.0 ** rng.uniform(-8, -0.01, k),
                        10.0 ** rng.uniform(-6, 1, k), 10.0 ** rng.uniform(-300, 300, n - 3 * k)])
    y = np.concatenate([-rng.uniform(0.0, 0.2, k), np.floor(rng.uniform(0, 2000, k)),
                        rng.uniform(0.1, 2.0, k), rng.uniform(-1.0, 1.0, n - 3 * k)])
    return x, y


@pytest.mark.skipif(not LONG_DOUBLE, reason="needs an 80-bit (or wider) long double")
def test_pow_error_within_its_bound_in_ulps_growing_with_y_log_x():
    x, y = _pow_sample(np.random.default_rng(5), 400_000)
    with np.errstate(all="ignore"):
        exact = np.power(x.astype(np.longdouble), y.astype(np.longdouble))
    finite = np.isfinite(exact) & (np.abs(exact) <= np.finfo(np.float64).max) & (
        np.abs(exact) >= np.finfo(np.float64).smallest_normal)
    errors = ulp_errors(_pow(x, y)[finite], exact[finite])
    bound = vm.POW_ULPS_BASE + vm.POW_ULPS_PER_LOG * np.abs(y * np.log(x))[finite]
    worst = int(np.argmax(errors - bound))
    assert errors[worst] <= bound[worst], (x[finite][worst], y[finite][worst], errors[worst])
    # the bound is not loose where it matters: drift powers stay within a few ulps
    drift = (np.abs(y * np.log(x)) < 2)[finite]
    assert errors[drift].max() <= vm.POW_ULPS_BASE + 2 * vm.POW_ULPS_PER_LOG


def test_pow_special_values_are_those_of_c():
    values = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, np.inf, -np.inf, np.nan,
                       3.0, -3.0, 2.5, -2.5])
    x, y = (a.ravel() for a in np.meshgrid(values, values))
    got = _pow(x, y)
    expected = np.array([_c_pow(a, b) for a, b in zip(x, y)])
    exact = ~np.isfinite(expected) | (expected == 0) | (np.abs(expected) == 1)
    with np.errstate(all="ignore"):
        ulps = vm.POW_ULPS_BASE + vm.POW_ULPS_PER_LOG * np.abs(y * np.log(np.abs(x)))
        wrong = ~_same(got, expected) & (exact | (np.abs(got - expected)
                                                   > ulps * np.spacing(np.abs(expected))))
    assert not wrong.any(), list(zip(x[wrong], y[wrong], got[wrong], expected[wrong]))


def _c_pow(x: float, y: float) -> float:
    """C99's pow (Python's math.pow, with its errors turned into the C results)."""
    import math

    try:
        return math.pow(x, y)
    except (ValueError, ZeroDivisionError):
        if x != 0.0:  # negative base, non-integer exponent
            return np.nan
        odd = float(y).is_integer() and y % 2 == 1  # pow(+-0, y < 0): inf, signed if odd
        return math.copysign(np.inf, x) if odd else np.inf


def test_a_loop_calling_pow_vectorises():
    _pow(np.linspace(0.5, 2.0, 64), np.linspace(-1.0, 1.0, 64))
    llvm = _pow_kernel.inspect_llvm(_pow_kernel.signatures[0])
    assert re.search(r"<[248] x double>", llvm), "no vector code"
    assert not SCALAR_CALLS.search(llvm), SCALAR_CALLS.search(llvm).group(0)


# -- the preference -------------------------------------------------------------------------------
HH = """
dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_kd*n**4*(v - EK) + I)/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
alpha_m = 1.28/exprel((13*mV - v + VT)/(4*mV))/ms : Hz
beta_m = 1.4/exprel((v - VT - 40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
beta_h = 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
alpha_n = 0.16/exprel((15*mV - v + VT)/(5*mV))/ms : Hz
beta_n = 0.5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
I : amp
"""


@pytest.fixture
def restore_preference():
    import spikeloom as sl

    before = sl.prefs.spikeloom.vector_math
    yield
    sl.prefs.spikeloom.vector_math = before


def _hh_run(vector_math: bool):
    import spikeloom as sl

    sl.prefs.spikeloom.vector_math = vector_math
    area = 20000 * sl.umetre**2
    ns = {"Cm": 1 * sl.ufarad * sl.cm**-2 * area, "gl": 5e-5 * sl.siemens * sl.cm**-2 * area,
          "El": -60 * sl.mV, "EK": -90 * sl.mV, "ENa": 50 * sl.mV, "VT": -63 * sl.mV,
          "g_na": 100 * sl.msiemens * sl.cm**-2 * area,
          "g_kd": 30 * sl.msiemens * sl.cm**-2 * area}
    group = sl.NeuronGroup(64, HH, threshold="v > -20*mV", refractory=3 * sl.ms,
                           method="exponential_euler", namespace=ns)
    group.v = -65 * sl.mV
    group.I = "i * 0.01 * nA"
    spikes = sl.SpikeMonitor(group)
    net = sl.Network(group, spikes)
    net.run(50 * sl.ms)
    return np.array(group.v[:]), np.array(spikes.i[:]), np.array(spikes.t[:])


def _vector_loop_bodies() -> list[str]:
    """The LLVM IR blocks of the vectorised loops of the run loop compiled last."""
    from spikeloom.backends.numba import _run

    loop = _run._LAST[2][0]
    llvm = loop.inspect_llvm(loop.signatures[0])
    blocks = re.split(r"\n(?=[\w.]+:)", llvm)
    return [block for block in blocks if re.match(r"vector\.body[\w.]*:", block)]


def test_preference_switches_the_generated_functions(restore_preference, tmp_path,
                                                     monkeypatch):
    """On: the same spikes and voltages within a few ulps per step as with libm, and the HH
    element loop vectorised, with no libm call inside (invariants such as exp(-dt/tau)
    outside it keep libm)."""
    v_off, i_off, t_off = _hh_run(False)
    # an empty loop cache: Numba inspects only what it compiled in this process
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))
    v_on, i_on, t_on = _hh_run(True)
    bodies = _vector_loop_bodies()
    assert any(re.search(r"@llvm\.fma\.v[248]f64", body) for body in bodies)
    for body in bodies:
        assert not SCALAR_CALLS.search(body), SCALAR_CALLS.search(body).group(0)
    assert len(i_on) > 10 and np.array_equal(i_on, i_off) and np.array_equal(t_on, t_off)
    assert np.allclose(v_on, v_off, rtol=1e-9, atol=0)


def test_preference_is_validated():
    import spikeloom as sl

    with pytest.raises(ValueError, match="vector_math"):
        sl.prefs.spikeloom.vector_math = 1
