"""Branch-free float64 ``exp``, ``expm1``, ``exprel``, ``log``, ``log1p``, ``tanh``,
``sinh``, ``cosh``, ``sqrt`` and ``pow`` that vectorise inside Numba loops.

Numba compiles ``math.exp``/``math.log`` to the LLVM intrinsics and ``math.expm1``,
``math.tanh``, ``math.sqrt`` to libm calls; without a vector math library (Intel SVML) LLVM
turns each into one scalar call per element, which stops the loop around it from
vectorising. These functions are made of multiplications, FMAs, integer bit operations and
selects only, so a loop over elements that calls them compiles to SIMD code (AVX2: four
doubles at a time). The generated run loop calls them in its element loops when
``prefs.spikeloom.vector_math`` is True (docs/backends.md, "Vectorised transcendental
functions").

They are plain ``@njit`` functions, which LLVM inlines into the loop; ``inline='always'``
(inlining in Numba's own IR, as ``_rng`` does) gives the same machine code but made the
COBAHH loop compile in 37 s instead of 14 s.

Algorithms
----------
* ``exp``/``expm1``: ``x = n ln2 + r`` with ``|r| <= ln2/2`` (Cody--Waite, ``ln2`` split so
  that ``n ln2_hi`` is exact), ``expm1(r) = r + r^2 Q(r)`` with a degree-10 minimax ``Q``
  (fitted with mpmath, Remez, |error of Q| < 1.4e-18), then ``2^n (1 + r + r^2 Q)`` with
  one FMA, or ``2^n - 1 + 2^n (r + r^2 Q)`` summed exactly up to the last rounding
  (Fast2Sum). ``2^n`` is applied as two factors ``2^(n//2)``,
  ``2^(n - n//2)`` built from the exponent bits, so that overflow to ``inf`` and gradual
  underflow to subnormals and 0 come out of the multiplication itself.
* ``log``: ``x = 2^k z`` with ``z`` in ``[sqrt(1/2), sqrt(2))`` by integer arithmetic on the
  bits (subnormals pre-scaled by ``2^52``), ``s = (z - 1)/(z + 1)`` and
  ``log z = 2s + s R(s^2)`` with a degree-6 minimax ``R`` (mpmath, Remez), assembled as in
  fdlibm's ``e_log.c``.
* ``log1p(x) = log(u) - ((u - 1) - x)/u`` with ``u = 1 + x`` (the correction recovers the
  rounding of ``u``); ``tanh(|x|) = t/(t + 2)`` with ``t = expm1(2|x|)``;
  ``sinh``/``cosh`` from one shared ``exp``/``expm1`` reduction as in fdlibm.
* ``sqrt``: ``llvm.sqrt`` (correctly rounded like libm's ``sqrt``: bit-identical).
* ``pow(x, y) = exp(y log|x|)``, with C's sign and special cases by selects; ``log|x|`` is
  carried in double-double (about ``2^-62`` relative) and ``y log|x|`` as an exact product,
  so the error stays near ``exp``'s: ``POW_ULPS_BASE + POW_ULPS_PER_LOG * |y ln x|`` ulps
  (measured at most 0.85 ulp where ``|y ln x| < 2``, 1.14 up to overflow; libm's ``pow``,
  which carries ``log`` in extended precision too: 0.72).

Special values (``inf``, ``-inf``, NaN, ``-0``, 0, overflow, underflow, subnormals) are
handled by clamps and selects, never by branches; they match libm (tests pin them).

Accuracy
--------
Measured over 10^6 points per function, a third spread over the whole finite domain, the
rest over the ranges neuron models use and near 0, against 80-bit long double (itself
checked against 40-digit mpmath; tests/backends/test_vecmath.py): the bounds of
:data:`ULP_BOUNDS` hold, in units in the last place of the correctly rounded result. libm
is not exact either (NumPy's float64 functions on the same points: exp 0.51, expm1 0.83,
log 0.51, tanh 1.18, sinh 1.74 ulp); results of a model change by these few ulps per call,
far below any integration error.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit
from numba.core import types
from numba.extending import intrinsic

__all__ = ["POW_ULPS_BASE", "POW_ULPS_PER_LOG", "ULP_BOUNDS", "vcosh", "vexp", "vexpm1",
           "vexprel", "vlog", "vlog1p", "vpow", "vsinh", "vsqrt", "vtanh"]

#: Error bounds in ulps of the correctly rounded result (normal results; subnormal results of
#: ``exp`` are within 1 ulp of the subnormal spacing): the largest error measured over 10^6
#: points per function (tests/backends/test_vecmath.py) plus at least 0.1, rounded up to a
#: half ulp. Measured: exp 0.85, expm1 1.13, exprel 1.72, log 0.78, log1p 1.44, tanh 1.45,
#: sinh 1.72, cosh 1.28.
ULP_BOUNDS = {"exp": 1.0, "expm1": 1.5, "exprel": 2.0, "log": 1.0, "log1p": 2.0,
              "tanh": 2.0, "sinh": 2.0, "cosh": 1.5}

#: ``vpow``'s bound in ulps: ``POW_ULPS_BASE + POW_ULPS_PER_LOG * |y ln x|`` (measured in
#: tests/backends/test_vecmath.py: ``exp``'s error, plus the residual error of the
#: double-double logarithm magnified by ``|y ln x|``: at most 1.14 ulp at ``|y ln x| = 708``)
POW_ULPS_BASE = 1.0
POW_ULPS_PER_LOG = 0.001

_JIT = {"cache": True, "nogil": True}


# -- LLVM primitives (no calls, no error branches) ---------------------------------------------
@intrinsic
def _fma(typingctx, a, b, c):
    """``a*b + c`` with one rounding (``llvm.fma``: one instruction on FMA3 CPUs)."""
    if not all(isinstance(v, types.Float) for v in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [double],
                                              ir.FunctionType(double, [double] * 3))
        return builder.call(fn, list(args))

    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def _fdiv(typingctx, x, y):
    """IEEE division without Numba's ZeroDivisionError branch (0/0 is NaN, x/0 is inf)."""
    if not (isinstance(x, types.Float) and isinstance(y, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        return builder.fdiv(args[0], args[1])

    return types.float64(types.float64, types.float64), codegen


@intrinsic
def vsqrt(typingctx, x):
    """Square root via ``llvm.sqrt``: correctly rounded, so bit-identical to ``math.sqrt``
    (which Numba compiles to a libm call that blocks vectorisation)."""
    if not isinstance(x, (types.Float, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        (value,) = args
        if isinstance(signature.args[0], types.Integer):
            value = builder.sitofp(value, ir.DoubleType())
        elif value.type != ir.DoubleType():
            value = builder.fpext(value, ir.DoubleType())
        fn = builder.module.declare_intrinsic("llvm.sqrt", [ir.DoubleType()])
        return builder.call(fn, [value])

    return types.float64(x), codegen


@intrinsic
def _bits(typingctx, x):
    """The IEEE bits of a float64 as an int64 (a bitcast, no conversion)."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _float(typingctx, i):
    """The float64 whose IEEE bits are the int64 ``i`` (a bitcast)."""
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


# -- constants ----------------------------------------------------------------------------------
_SIGN = np.int64(-(2**63))  # the sign bit
_INV_LN2 = 1.4426950408889634
# ln2 = _LN2_HI + _LN2_LO, _LN2_HI with 32 trailing zero bits (n * _LN2_HI exact for |n| < 2^20)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# adding 1.5 * 2^52 rounds to an integer, which then sits in the low bits of the mantissa
_SHIFT = 6755399441055744.0
_SHIFT_BITS = np.int64(0x4338000000000000)
# beyond these exp overflows / underflows to 0 for sure; the clamp keeps 2^n's exponent valid
_EXP_HI = 712.0
_EXP_LO = -746.0
# exp(x) - 1 == -1 in float64 below this (e^x < 2^-54), and expm1(x) == x above -this
_EXPM1_TINY = 2.0**-54
# Q(r) = (expm1(r) - r)/r^2 on |r| <= 0.3468, degree-10 minimax (Remez in mpmath, 60
# digits); highest degree first. |Q - fit| < 1.4e-18.
_EXPM1_Q = (2.0921632600755162926e-9, 2.5105268256083867571e-8, 2.7557252784509023725e-7,
            2.7557255276818291026e-6, 0.000024801587347472010241, 0.00019841269874918140752,
            0.0013888888888874342479, 0.0083333333333261071463, 0.041666666666666683878,
            0.16666666666666671012, 0.5)
# R(z) = (log((1+s)/(1-s)) - 2s)/(s z), z = s^2 <= 0.02944 (|s| <= 3 - 2 sqrt 2),
# degree-6 minimax (Remez in mpmath); highest degree first. |R - fit| < 3.1e-16.
_LOG_R = (0.14617872783015873593, 0.1533159695010694412, 0.18182893219087538548,
          0.22222211072835128426, 0.28571428626399281477, 0.39999999999898444664,
          0.66666666666666697291)
_SQRT_HALF_BITS = np.int64(0x3FE6A09E667F3BCD)  # bits of sqrt(1/2)
_EXP_ONE = np.int64(0x3FF0000000000000)  # bits of 1.0 (biased exponent 1023)
_SMALLEST_NORMAL = 2.2250738585072014e-308
_TWO52 = 4503599627370496.0
_MAX = 1.7976931348623157e308
_TANH_ONE = 22.0  # tanh(x) rounds to 1 above this (1 - tanh(22) < 2^-60)
_SINH_BIG = 22.0  # above this sinh(x) = cosh(x) = e^x/2 in float64


@njit(**_JIT)
def _horner(coef, x):
    p = coef[0]
    for i in range(1, len(coef)):
        p = _fma(p, x, coef[i])
    return p


@njit(**_JIT)
def _estrin_q(r, r2):
    """``Q(r)`` (:data:`_EXPM1_Q`) by Estrin's scheme: the same FMAs as Horner's but in four
    dependent levels instead of ten, so that the loops calling ``exp`` are less bound by
    the FMA latency (a vectorised loop of ``exp``: 1.68 instead of 1.94 ns per element)."""
    c = _EXPM1_Q  # highest degree first: c[10 - k] multiplies r^k
    r4 = r2 * r2
    p01 = _fma(c[9], r, c[10])
    p23 = _fma(c[7], r, c[8])
    p45 = _fma(c[5], r, c[6])
    p67 = _fma(c[3], r, c[4])
    p89 = _fma(c[1], r, c[2])
    p0_3 = _fma(p23, r2, p01)
    p4_7 = _fma(p67, r2, p45)
    p8_10 = _fma(c[0], r2, p89)
    return _fma(p8_10, r4 * r4, _fma(p4_7, r4, p0_3))


# -- exp family ---------------------------------------------------------------------------------
@njit(**_JIT)
def _exp_reduce(x):
    """``(r, q, s1, s2)`` with ``e^x = s1 s2 (1 + r + q)``, ``s1 s2 = 2^n``: ``r`` is the
    exact leading part of ``x - n ln2`` (``|r| <~ ln2/2``) and ``q`` the rest of
    ``expm1(x - n ln2)``, kept apart so that the rounding of ``r + q`` can be avoided.

    ``x`` is first clamped to [_EXP_LO, _EXP_HI] (NaN passes: both compares are false), so
    that ``n`` stays within [-1077, 1028] and both power-of-two factors are normal numbers.
    """
    x = _EXP_HI if x > _EXP_HI else x
    x = _EXP_LO if x < _EXP_LO else x
    k = _fma(x, _INV_LN2, _SHIFT)
    n = k - _SHIFT  # round(x / ln2), exactly
    ni = _bits(k) - _SHIFT_BITS  # the same integer, from the mantissa bits (NaN: harmless)
    r_hi = _fma(-n, _LN2_HI, x)  # exact: n * _LN2_HI is, and so is the difference (Sterbenz)
    r_lo = -n * _LN2_LO
    r = r_hi + r_lo
    r2 = r * r
    q = _fma(r2, _estrin_q(r, r2), r_lo)
    n1 = ni >> 1
    s1 = _float((n1 << 52) + _EXP_ONE)
    s2 = _float(((ni - n1) << 52) + _EXP_ONE)
    return r_hi, q, s1, s2


@njit(**_JIT)
def vexp(x):
    """``e^x`` (float64; NaN in, NaN out; overflow to ``inf``, gradual underflow).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['exp']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)  # also an integer literal of a model (exp(8)), or a float32
    r, q, s1, s2 = _exp_reduce(x)
    return _fma(s1, r + q, s1) * s2


@njit(**_JIT)
def _expm1_from(r, q, s1, s2):
    """``2^n (1 + r + q) - 1`` as ``s2 (s1 r + (s1 - 1/s2) + s1 q)``, summed exactly."""
    # c = s1 - 1/s2 is exact whenever 2^n - 1 is representable (1/s2 is a power of two);
    # t = s1 r is exact; |t| <= |c| unless c = 0, so Fast2Sum gives the rounding error of
    # t + c, which joins the small term: one rounding of consequence is left (rounding
    # r + q or t + c first costs up to 0.7 ulp more at n = +-1)
    c = s1 - _float(_EXP_ONE + _EXP_ONE - _bits(s2))
    t = s1 * r
    hi = t + c
    err = t - (hi - c)
    return (hi + _fma(s1, q, err)) * s2


@njit(**_JIT)
def vexpm1(x):
    """``e^x - 1`` accurate near 0 (``expm1(-0) = -0``; ``-1`` for large negative ``x``).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['expm1']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    r, q, s1, s2 = _exp_reduce(x)
    y = _expm1_from(r, q, s1, s2)
    # tiny x: expm1(x) rounds to x (and the sign of -0 survives)
    return x if abs(x) < _EXPM1_TINY else y


@njit(**_JIT)
def vexprel(x):
    """``(e^x - 1)/x``, 1 at ``|x| < 1e-16`` (Brian2's ``exprel``; ``inf`` once ``e^x``
    overflows, as Brian2's ``expm1(x)/x``).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['exprel']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    y = _fdiv(vexpm1(x), x)
    return 1.0 if abs(x) < 1e-16 else y


@njit(**_JIT)
def _copysign(y, x):
    return _float((_bits(y) & ~_SIGN) | (_bits(x) & _SIGN))


@njit(**_JIT)
def vtanh(x):
    """Hyperbolic tangent: ``t/(t + 2)`` with ``t = expm1(2|x|)``, signed like ``x``.

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['tanh']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    a = abs(x)
    a = _TANH_ONE if a > _TANH_ONE else a  # keeps t finite; tanh is 1.0 there anyway
    t = vexpm1(2.0 * a)
    # t/d for the exact d = t + 2: e is the rounding error of d (TwoSum), rem the exact
    # remainder of the first quotient; the correction takes the error from ~2.3 to 1.5 ulp
    d = t + 2.0
    e = (t - (d - 2.0)) + (2.0 - (d - (d - 2.0)))
    inv = _fdiv(1.0, d)
    y0 = t * inv
    rem = _fma(-y0, d, t)
    y = _fma(rem - y0 * e, inv, y0)
    return _copysign(y, x)


@njit(**_JIT)
def _exp_pair(a):
    """``(e^a - 1, e^a / 2)`` from one reduction (``a >= 0``; the half keeps ``cosh``
    and ``sinh`` finite up to their own overflow threshold, above ``exp``'s)."""
    r, q, s1, s2 = _exp_reduce(a)
    return _expm1_from(r, q, s1, s2), _fma(s1, r + q, s1) * (s2 * 0.5)


@njit(**_JIT)
def vsinh(x):
    """Hyperbolic sine (fdlibm's formulas, chosen by selects).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['sinh']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    a = abs(x)
    t, half = _exp_pair(a)
    ratio = _fdiv(t, t + 1.0)
    small = 0.5 * (2.0 * t - t * ratio)  # a < 1: fdlibm's form, more accurate there
    middle = 0.5 * (t + ratio)
    y = small if a < 1.0 else middle
    y = half if a >= _SINH_BIG else y
    y = a if a < _EXPM1_TINY else y  # tiny (and -0 below)
    return _copysign(y, x)


@njit(**_JIT)
def vcosh(x):
    """Hyperbolic cosine (fdlibm's formulas, chosen by selects).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['cosh']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    a = abs(x)
    t, half = _exp_pair(a)
    w = 1.0 + t
    small = 1.0 + _fdiv(t * t, w + w)  # a < ln2/2: 1 + t^2/(2 e^a)
    middle = half + _fdiv(0.25, half)
    y = small if a < 0.34657359027997264 else middle
    return half if a >= _SINH_BIG else y


# -- log family ---------------------------------------------------------------------------------
@njit(**_JIT)
def _log_reduce(x):
    """``(k, f)`` with ``x = 2^k (1 + f)`` and ``1 + f`` in ``[sqrt(1/2), sqrt(2))`` (``x > 0``
    finite; ``k`` as a float, ``f`` exact), by integer arithmetic on the bits (subnormals
    pre-scaled by ``2^52``)."""
    subnormal = x < _SMALLEST_NORMAL
    xs = x * _TWO52 if subnormal else x
    ix = _bits(xs)
    # k = exponent of x relative to sqrt(1/2): z = x / 2^k lands in [sqrt(1/2), sqrt(2))
    k = (ix - _SQRT_HALF_BITS) >> 52
    z = _float(ix - (k << 52))
    # float of the small integer k by the 1.5 * 2^52 trick: no AVX2 instruction converts a
    # 64-bit integer, LLVM would convert lane by lane (exact both ways)
    kf = (_float(k + _SHIFT_BITS) - _SHIFT) - (52.0 if subnormal else 0.0)
    return kf, z - 1.0  # z - 1 exact (Sterbenz: z in [1/2, 2])


@njit(**_JIT)
def vlog(x):
    """Natural logarithm (``log(0) = -inf``, NaN below 0, ``log(inf) = inf``).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['log']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    kf, f = _log_reduce(x)
    s = _fdiv(f, 2.0 + f)
    w = s * s
    r = w * _horner(_LOG_R, w)
    hfsq = 0.5 * f * f
    y = kf * _LN2_HI - ((hfsq - (s * (hfsq + r) + kf * _LN2_LO)) - f)
    # selects for what the bit arithmetic does not cover
    y = x if (x > _MAX) | (x != x) else y  # inf, NaN
    y = -np.inf if x == 0.0 else y
    return np.nan if x < 0.0 else y


@njit(**_JIT)
def vlog1p(x):
    """``log(1 + x)`` accurate near 0 (``log1p(-0) = -0``, ``log1p(-1) = -inf``).

    Parameters
    ----------
    x : float

    Returns
    -------
    float
        Within :data:`ULP_BOUNDS` ``['log1p']`` ulps of the correctly rounded value.
    """
    x = np.float64(x)
    u = 1.0 + x
    corr = _fdiv((u - 1.0) - x, u)  # the rounding error of u, relative to u
    corr = 0.0 if corr != corr else corr  # inf - inf, 0/0 at x = inf, -1: no correction
    y = vlog(u) - corr
    return x if abs(x) < _EXPM1_TINY else y


# -- pow ----------------------------------------------------------------------------------------
_TWO53 = 9007199254740992.0
# 2/3 = _C1_HI + _C1_LO: the first coefficient of log's series, carried in two doubles
_C1_HI = 0.6666666666666666
_C1_LO = 3.700743415417188e-17  # 0x1.5555555555555p-55
# the rest of the series: (log((1+s)/(1-s)) - 2s - (2/3) s^3)/s^5 = sum 2 w^j/(2j + 5),
# w = s^2 <= 0.02944; ten terms leave 2e-16 relative of a part that is 3e-4 of log z at most
_LOG_REST = tuple(2.0 / (2 * j + 5) for j in range(9, -1, -1))


@njit(**_JIT)
def _log_hi_lo(x):
    """``log(x) = hi + lo`` to about ``2^-62`` relative (``x > 0`` finite; the caller
    handles the rest).

    The reduction of :func:`vlog` (:func:`_log_reduce`), then
    ``log z = 2s + (2/3) s^3 + s^5 P(s^2)`` with ``s`` carried as ``s + s_lo`` (the remainder
    of the division, by FMA) and ``(2/3) s^3`` as a double-double product; the sums of the
    large terms are exact (Fast2Sum), so only the small terms are rounded.
    """
    kf, f = _log_reduce(x)
    d = 2.0 + f  # z + 1 = d + d_lo (Fast2Sum: |f| < 2)
    d_lo = (2.0 - d) + f
    s = _fdiv(f, d)  # s + s_lo = f / (d + d_lo)
    s_lo = _fdiv(_fma(-s, d, f) - s * d_lo, d)
    w = s * s
    w_lo = _fma(s, s, -w) + 2.0 * s * s_lo
    u = s * w  # s^3 = u + u_lo
    u_lo = _fma(s, w, -u) + (s * w_lo + s_lo * w)
    v = _C1_HI * u  # (2/3) s^3 = v + v_lo
    v_lo = _fma(_C1_HI, u, -v) + (_C1_HI * u_lo + _C1_LO * u)
    rest = u * w * _horner(_LOG_REST, w)
    a = kf * _LN2_HI  # exact
    b = 2.0 * s  # exact
    hi = a + b  # Fast2Sum: |a| >= 0.69 > |b| unless a = 0
    e1 = b - (hi - a)
    hi2 = hi + v  # Fast2Sum: |v| < |b| / 100 < |hi|
    e2 = v - (hi2 - hi)
    lo = (e1 + e2) + (((v_lo + rest) + 2.0 * s_lo) + kf * _LN2_LO)
    h = hi2 + lo
    return h, lo - (h - hi2)


# inlined in Numba's IR: as a call (LLVM finds it too large to inline) it keeps the loop
# around it scalar
@njit(inline="always", **_JIT)
def vpow(x, y):
    """``x**y`` (float64) with C's ``pow`` special cases: ``pow(x, 0) = pow(1, y) = 1`` even
    for NaN, ``pow(x, 1) = x``, a negative ``x`` gives NaN unless ``y`` is an integer (then
    the sign of an odd power), ``pow(-1, +-inf) = 1``, ``pow(+-0, y < 0) = inf``.

    ``e^(y log|x|)`` with ``log|x|`` in double-double (:func:`_log_hi_lo`), the product
    ``y log|x| = z + z_lo`` by FMA, and ``e^z (1 + z_lo)`` from :func:`vexp`'s reduction,
    so that the rounding of the logarithm is not magnified by ``|y ln x|``.

    Parameters
    ----------
    x, y : float

    Returns
    -------
    float
        Within ``POW_ULPS_BASE + POW_ULPS_PER_LOG * |y ln x|`` ulps of the correctly
        rounded value.
    """
    x = np.float64(x)
    y = np.float64(y)
    ax = abs(x)
    h, lo = _log_hi_lo(ax)
    z = y * h
    z_lo = _fma(y, h, -z) + y * lo
    z_lo = z_lo if abs(z) < _EXP_HI else 0.0  # NaN from inf - inf beyond exp's range
    r, q, s1, s2 = _exp_reduce(z)
    # e^z (1 + z_lo) = s1 s2 (1 + r + q) (1 + z_lo): the product's small part joins q
    q = q + _fma(z_lo, r + q, z_lo)
    p = _fma(s1, r + q, s1) * s2
    # log|x| of 0, inf, NaN: what exp(y log|x|) gives there
    p = (0.0 if y > 0.0 else np.inf) if ax == 0.0 else p
    p = (np.inf if y > 0.0 else 0.0) if ax == np.inf else p
    p = np.nan if (ax != ax) | (y != y) else p
    fraction = np.floor(y) != y  # NaN too
    odd = (abs(y) < _TWO53) & (np.floor(0.5 * y) != 0.5 * y) & (np.floor(y) == y)
    p = -p if odd & (_bits(x) < 0) else p  # -0.0 too: pow(-0, -3) = -inf
    p = np.nan if (x < 0.0) & (x > -np.inf) & fraction else p
    p = 1.0 if (abs(x) == 1.0) & (abs(y) == np.inf) else p
    p = x if y == 1.0 else p
    return 1.0 if (y == 0.0) | (x == 1.0) else p
