"""Phase-change-memory statistics of IBM aihwkit's ``PCMLikeNoiseModel``, as data and formulas.

The fits are those of Nandakumar et al. 2019 (ICECS) as aihwkit's
``src/aihwkit/inference/noise/pcm.py`` publishes them (values copied, never code). ``g`` is
a conductance as a fraction of the device's ``G_max`` (aihwkit's ``g_target/g_max``).

* programming noise: ``σ_prog(g) = Σ_k c_k g^k`` (a fraction of ``G_max``; aihwkit gives
  ``c_k`` in µS for its reference ``g_max`` of 25 µS: ``c_k``/25 here);
* drift exponent: ``ν = |μ_ν(g) + σ_ν(g)·ξ|``, ``μ_ν = clip(-0.0155 ln g + 0.0244, 0.049,
  0.1)``, ``σ_ν = clip(-0.0125 ln g - 0.0059, 0.008, 0.045)``, ``g >= 1e-7``;
* 1/f read noise: ``σ_read = Q_s(g_prog) sqrt(ln((t + t_read)/(2 t_read)))`` relative to the
  drifted conductance, ``Q_s = min(0.0088/max(g_prog^0.65, 1e-3), 0.2)``.

Each formula exists twice, from the same constants: a NumPy function (initialisation,
tests) and a Brian2 expression (the synaptic code).
"""

from __future__ import annotations

import numpy as np

#: aihwkit's programming-noise polynomial (µS at g_max = 25 µS) as fractions of G_max.
PROG_COEFF = (0.26348 / 25.0, 1.9650 / 25.0, -1.1731 / 25.0)
#: Drift exponent: (slope on ln g, intercept, lower clip, upper clip) of its mean and std.
NU_MEAN = (-0.0155, 0.0244, 0.049, 0.1)
NU_STD = (-0.0125, -0.0059, 0.008, 0.045)
#: Smallest |g| of the drift-exponent fit (aihwkit's _ZERO_CLIP).
G_FLOOR = 1e-7
#: 1/f read noise: Q_s = min(QS_A/max(g^QS_EXP, QS_FLOOR), QS_MAX).
QS_A, QS_EXP, QS_FLOOR, QS_MAX = 0.0088, 0.65, 1e-3, 0.2
#: aihwkit's defaults: t_read (s) of the 1/f fit and t_0 (s) of the drift fit.
T_READ, T_0 = 250e-9, 20.0


def _line(coef: tuple, log_g):
    slope, intercept, low, high = coef
    return np.clip(slope * log_g + intercept, low, high)


def nu_moments(g) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the Gaussian whose modulus is ν, at conductances g."""
    log_g = np.log(np.maximum(np.abs(np.asarray(g, dtype=np.float64)), G_FLOOR))
    return _line(NU_MEAN, log_g), _line(NU_STD, log_g)


def prog_sigma(g, coeff=PROG_COEFF) -> np.ndarray:
    """σ_prog(g) = Σ_k c_k g^k, a fraction of G_max."""
    g = np.asarray(g, dtype=np.float64)
    return sum(c * g**k for k, c in enumerate(coeff))


def q_s(g_prog) -> np.ndarray:
    """Q_s of the 1/f read noise at programmed conductances ``g_prog``."""
    g = np.abs(np.asarray(g_prog, dtype=np.float64))
    return np.minimum(QS_A / np.maximum(g**QS_EXP, QS_FLOOR), QS_MAX)


def read_sigma(g_prog, t, t_read: float = T_READ) -> np.ndarray:
    """Relative 1/f read noise σ_read at ``t`` seconds (aihwkit's time since programming)."""
    return q_s(g_prog) * np.sqrt(np.log((np.asarray(t) + t_read) / (2 * t_read)))


# -- the same formulas as Brian2 expressions ---------------------------------------------------
def _line_expr(coef: tuple, log_g: str) -> str:
    slope, intercept, low, high = coef
    return f"clip({slope!r}*{log_g} + {intercept!r}, {low!r}, {high!r})"


def nu_expr(g: str) -> str:
    """Expression of one drift-exponent draw at the fraction ``g`` of G_max (one randn)."""
    log_g = f"log(clip(abs({g}), {G_FLOOR!r}, inf))"
    return (f"abs({_line_expr(NU_MEAN, log_g)} + {_line_expr(NU_STD, log_g)}*randn())")


def prog_sigma_expr(g: str, names: list[str]) -> str:
    """Σ_k c_k g^k with the coefficients held in the constants ``names`` (Horner's form)."""
    expr = names[-1]
    for name in reversed(names[:-1]):
        expr = f"{name} + {g}*({expr})"
    return expr


def q_s_expr(g: str) -> str:
    """Expression of Q_s at the programmed fraction ``g`` of G_max."""
    return (f"clip({QS_A!r}/clip(abs({g})**{QS_EXP!r}, {QS_FLOOR!r}, inf), 0, "
            f"{QS_MAX!r})")
