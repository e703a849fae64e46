"""State-dependent step models of a memristive device: exponential, power and table steps.

A step model is the law ``f(x)`` of the step of one unit pulse at the normalised state x
(the pulse of size s = ``dw_min`` moves the state by about ``s·f(x)``), one law per direction.
spikeloom applies the law as a *conductance-versus-pulse curve*: the state follows
``dx/dP = +f_up(x)`` (potentiation) or ``dx/dP = -f_down(x)`` (depression), and a programming
event of n pulses advances P by ``n·s``. The curve is evaluated in closed form, so an event of
n pulses costs as much as one and gives the same state as n events of one pulse (the curves
compose: ``X(X(x, P1), P2) = X(x, P1 + P2)``); multiplicative pulse noise, which scales each
pulse's advance by ``1 + σξ``, is one Gaussian advance ``s(n + σ√n ξ)``, exactly.

IBM aihwkit applies its laws once per pulse, ``x ← x + s·f(x)`` (``ExpStepDevice``,
``PowStepDevice``, ``PiecewiseStepDevice``); the curve's first pulse differs from that by
``(s²/2)·f·f'`` + O(s³), a relative ``(s/2)|f'(x)|`` per pulse: negligible for the small
steps of most devices, and largest where the law changes fast within one pulse
(``docs/devices.md`` lists the worst case of every preset).

Models (dimensionless parameters; x = 0 is G_min, x = 1 is G_max):

* :class:`ExpStep` -- ``f = max(base - A·e^{±γ z}, 0)``, ``z = a(2x - 1) + b`` (aihwkit's
  ``ExpStepDevice``, ``base = 1``);
* :class:`PowStep` -- ``f_up = (1 - x)^γ_up``, ``f_down = x^γ_down`` (aihwkit's
  ``PowStepDevice``; Fusi & Abbott 2007, Nat. Neurosci. 10:485; Frascaroli et al. 2018,
  Sci. Rep. 8:7178);
* :class:`PiecewiseStep` -- ``f`` linearly interpolated in a table of values at nodes in
  [0, 1] (aihwkit's ``PiecewiseStepDevice``; with two nodes its ``LinearStepDevice``).

Each model writes Brian2 statements that read ``mem_x`` (state), ``mem_up`` (1 up, 0 down),
``mem_sg`` (+1/-1) and ``mem_P`` (the advance along the curve, a fraction of the range) and
set ``mem_xn``; every intermediate value stays finite (no NaN reaches the blended results).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .._validation import check_real

#: |log|A| ± γ z| over the range must stay below this (e^300 ~ 1e130 keeps every product of
#: the closed form finite; physical laws are far below it).
EXP_LIMIT = 300.0
#: Advances along the curve are clipped to this many full ranges (an event moving the state
#: over more than a thousand ranges has long reached a bound or a fixed point).
P_LIMIT = 1000.0
#: Smallest distance kept from an end node where a table law vanishes (its curve coordinate
#: is infinite there).
TINY = 1e-300


class StepModel:
    """Base class of the state-dependent step laws (see the module docstring).

    Subclasses are frozen dataclasses; ``rate`` and ``advance`` are their NumPy forms (used
    for plots and the comparison with aihwkit's per-pulse update), ``constants`` and ``lines``
    their code.
    """

    #: True if additive pulse noise has an exact closed form (an affine curve).
    supports_additive: bool = False

    def rate(self, x, up: bool):
        """The step law f(x) >= 0 of one direction (step of a unit pulse at x)."""
        raise NotImplementedError

    def advance(self, x, p, up: bool):
        """State after advancing the curve by ``p`` from ``x`` (NumPy, not clipped)."""
        raise NotImplementedError

    def constants(self) -> dict[str, float]:
        """Namespace entries the statements of :meth:`lines` read."""
        raise NotImplementedError

    def lines(self) -> list[str]:
        """Statements setting ``mem_xn`` from ``mem_x``, ``mem_up``, ``mem_sg``, ``mem_P``."""
        raise NotImplementedError

    def replace(self, **changes):
        """A copy with some parameters changed (validated like the constructor)."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self)}
        kwargs.update(changes)
        return type(self)(**kwargs)


def _blend(up: str, down: str) -> str:
    """``mem_up*up + (1 - mem_up)*down`` (both finite, so the product never makes a NaN)."""
    return f"(mem_up*{up} + (1 - mem_up)*{down})"


# -- exponential step ------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpStep(StepModel):
    r"""Exponential step law (aihwkit's ``ExpStepDevice``; CMOS-like saturating steps).

    With ``z = a(2x - 1) + b``::

        f_up(x)   = max(base - A_up·exp(gamma_up·z), 0)
        f_down(x) = max(base - A_down·exp(-gamma_down·z), 0)

    aihwkit writes ``z = 2a·w/(w_max - w_min) + b`` for its weight w; both agree for a
    weight range symmetric about 0. For an aihwkit range [w_min, w_max], use
    ``b + a(1 + 2·w_min/(w_max - w_min))`` as ``b`` (``Memristor.preset`` does).

    Closed form (direction d, u = x up, u = 1 - x down, ``du/dP = c - C·e^{k u}`` with
    ``c = base``, ``k = 2a·gamma_d``): ``e^{-k Δu} = 1 - f(x0)·k·P·exprel(-k·c·P)``; with
    k = 0 the law is constant, ``Δu = f(x0)·P``. A state where f <= 0 does not move; f > 0
    approaches the zero of f without crossing it.

    Parameters
    ----------
    A_up, A_down : float
        Amplitudes of the exponential terms (aihwkit's ``A_up``, ``A_down``).
    gamma_up, gamma_down : float
        Exponents (aihwkit's ``gamma_up``, ``gamma_down``).
    a, b : float
        Slope and offset of z (aihwkit's ``a``, ``b``; see above for b).
    base : float
        Constant term of the law, >= 0 (aihwkit: 1; 0 gives a pure exponential law, as
        the PPX fit's ``exp(-β·distance)``).

    Defaults are aihwkit's ``ExpStepDevice`` defaults. Every parameter must keep
    ``|ln|A| ± γz| <= 300`` on the whole range (the error names the parameters otherwise).

    Examples
    --------
    >>> law = ExpStep(A_up=-1.18445, A_down=-0.081404, gamma_up=5.0, gamma_down=5.0,
    ...               a=-0.5, b=-0.5)
    >>> round(float(law.rate(0.0, up=True)), 5)   # 1 + 1.18445·e^0
    2.18445
    """

    A_up: float = 0.00081
    A_down: float = 0.36833
    gamma_up: float = 12.44625
    gamma_down: float = 12.78785
    a: float = 0.244
    b: float = 0.2425
    base: float = 1.0

    def __post_init__(self) -> None:
        owner = "ExpStep"
        for f in fields(self):
            low = 0.0 if f.name == "base" else None
            object.__setattr__(self, f.name, check_real(owner, f.name, getattr(self, f.name),
                                                        low))
        for amp, gamma, sign in (("A_up", "gamma_up", 1.0), ("A_down", "gamma_down", -1.0)):
            A, g = getattr(self, amp), getattr(self, gamma)
            log_a = math.log(abs(A)) if A else 0.0  # A = 0 still evaluates e^{γz}
            # the exponent at the two ends of the range (it is linear in x)
            worst = max(abs(log_a + sign * g * (self.b - self.a)),
                        abs(log_a + sign * g * (self.a + self.b)))
            if worst > EXP_LIMIT:
                raise ValueError(
                    f"{owner}: |ln|{amp}| {'+' if sign > 0 else '-'} {gamma}*z| must be <= "
                    f"{EXP_LIMIT:g} on the whole range (z = a(2x - 1) + b), got {worst:.4g} "
                    f"with {amp}={A!r}, {gamma}={g!r}, a={self.a!r}, b={self.b!r}")

    # coefficients of the direction's law in its own coordinate u
    def _k(self, up: bool) -> float:
        return 2.0 * self.a * (self.gamma_up if up else self.gamma_down)

    def _z(self, x):
        return self.a * (2.0 * np.asarray(x, dtype=np.float64) - 1.0) + self.b

    def rate(self, x, up: bool):
        z = self._z(x)
        if up:
            return np.maximum(self.base - self.A_up * np.exp(self.gamma_up * z), 0.0)
        return np.maximum(self.base - self.A_down * np.exp(-self.gamma_down * z), 0.0)

    def advance(self, x, p, up: bool):
        x = np.asarray(x, dtype=np.float64)
        p = np.asarray(p, dtype=np.float64)
        f0 = self.rate(x, up)
        k = self._k(up)
        if k == 0:
            du = f0 * p
        else:
            arg = -k * self.base * p
            ex = np.where(arg == 0, 1.0, np.expm1(arg) / np.where(arg == 0, 1.0, arg))
            with np.errstate(divide="ignore"):
                du = -np.log(np.maximum(1.0 - f0 * k * p * ex, 0.0)) / k
        return x + du if up else x - du

    def constants(self) -> dict[str, float]:
        return {"mem_es_Au": self.A_up, "mem_es_Ad": self.A_down, "mem_es_gu": self.gamma_up,
                "mem_es_gd": -self.gamma_down, "mem_es_a": self.a, "mem_es_b": self.b,
                "mem_es_c": self.base, "mem_es_ku": self._k(True), "mem_es_kd": self._k(False),
                # reciprocals (a product costs less than a division by a blended value)
                "mem_es_iku": 1 / self._k(True) if self._k(True) else 0.0,
                "mem_es_ikd": 1 / self._k(False) if self._k(False) else 0.0}

    def _du(self, f0: str, k: str, ik: str, k_value: float) -> str:
        """Δu of one direction (or of the blended one when ``k`` is a blended expression);
        ``ik`` is 1/k."""
        if k_value == 0:
            return f"clip({f0}*mem_P, -1, 1)"
        growth = "" if self.base == 0 else \
            f"*exprel(clip(-{k}*mem_es_c*mem_P, -inf, 700))"
        return f"clip(-log(clip(1 - {f0}*{k}*mem_P{growth}, 0, inf))*{ik}, -1, 1)"

    def lines(self) -> list[str]:
        out = ["mem_z = mem_es_a*(2*mem_x - 1) + mem_es_b"]
        k_up, k_dn = self._k(True), self._k(False)
        if k_up != 0 and k_dn != 0:
            # one evaluation with the direction's coefficients
            out += [f"mem_ek = {_blend('mem_es_ku', 'mem_es_kd')}",
                    f"mem_eik = {_blend('mem_es_iku', 'mem_es_ikd')}",
                    f"mem_f0 = clip(mem_es_c - {_blend('mem_es_Au', 'mem_es_Ad')}"
                    f"*exp({_blend('mem_es_gu', 'mem_es_gd')}*mem_z), 0, inf)",
                    f"mem_du = {self._du('mem_f0', 'mem_ek', 'mem_eik', 1.0)}"]
        else:
            # a direction with a constant law (k = 0) has its own closed form
            out += ["mem_f0u = clip(mem_es_c - mem_es_Au*exp(mem_es_gu*mem_z), 0, inf)",
                    "mem_f0d = clip(mem_es_c - mem_es_Ad*exp(mem_es_gd*mem_z), 0, inf)",
                    "mem_du = " + _blend(self._du("mem_f0u", "mem_es_ku", "mem_es_iku", k_up),
                                         self._du("mem_f0d", "mem_es_kd", "mem_es_ikd", k_dn))]
        out.append("mem_xn = mem_x + mem_sg*mem_du")
        return out


# -- power step ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowStep(StepModel):
    r"""Power step law (aihwkit's ``PowStepDevice``; Fusi & Abbott 2007).

    With b the distance to the bound a pulse approaches (``1 - x`` up, ``x`` down)::

        f_up(x) = (1 - x)^gamma_up,   f_down(x) = x^gamma_down
        gamma_up = gamma·(1 + min(up_down, 0)),   gamma_down = gamma·(1 - max(up_down, 0))

    (aihwkit's ``pow_gamma`` and ``pow_up_down``). gamma = 0 is the constant step, gamma = 1
    the soft bound, larger gamma steps that fall faster near the bound.

    Closed form, ``db/dP = -b^γ``: ``b^{1-γ} = b0^{1-γ} - (1 - γ)·P`` (γ ≠ 1; for γ < 1
    the bound is reached at ``P = b0^{1-γ}/(1 - γ)``), ``b = b0·e^{-P}`` (γ = 1).

    Parameters
    ----------
    gamma : float
        Exponent, >= 0 (aihwkit's ``pow_gamma``, default 1).
    up_down : float
        Up/down bias of the exponent, in (-1, 1) (aihwkit's ``pow_up_down``; 0: the same
        exponent both ways).

    Examples
    --------
    >>> float(PowStep(gamma=2.0).rate(0.5, up=True))
    0.25
    """

    gamma: float = 1.0
    up_down: float = 0.0

    def __post_init__(self) -> None:
        owner = "PowStep"
        object.__setattr__(self, "gamma", check_real(owner, "gamma", self.gamma, 0.0))
        object.__setattr__(self, "up_down", check_real(owner, "up_down", self.up_down, -1.0,
                                                       1.0, low_open=True, high_open=True))

    @property
    def gamma_up(self) -> float:
        return self.gamma * (1.0 + min(self.up_down, 0.0))

    @property
    def gamma_down(self) -> float:
        return self.gamma * (1.0 - max(self.up_down, 0.0))

    def rate(self, x, up: bool):
        x = np.asarray(x, dtype=np.float64)
        b = np.clip(1.0 - x if up else x, 0.0, None)
        return b ** (self.gamma_up if up else self.gamma_down)

    def advance(self, x, p, up: bool):
        x = np.asarray(x, dtype=np.float64)
        p = np.asarray(p, dtype=np.float64)
        b0 = np.clip(1.0 - x if up else x, TINY, 1.0)
        eps = 1.0 - (self.gamma_up if up else self.gamma_down)
        with np.errstate(divide="ignore", over="ignore"):
            if eps == 0:
                b = b0 * np.exp(np.minimum(-p, 700.0))
            else:
                b = np.maximum(b0**eps - eps * p, 0.0) ** (1.0 / eps)
        return 1.0 - b if up else b

    def constants(self) -> dict[str, float]:
        e_up, e_dn = 1.0 - self.gamma_up, 1.0 - self.gamma_down
        return {"mem_ps_eu": e_up, "mem_ps_ed": e_dn,
                "mem_ps_ieu": 1 / e_up if e_up else 0.0, "mem_ps_ied": 1 / e_dn if e_dn else 0.0}

    @staticmethod
    def _bn(eps: str | float) -> str:
        """The new distance to the bound from ``mem_b0`` and ``mem_P``:
        ``(b0^ε - εP)^{1/ε}`` (ε = 1 - γ), or ``b0·e^{-P}`` for ε = 0. A number ε that
        reads back exactly is written as a literal, so that powers such as -1, 0.5 or 2
        compile to divisions, square roots and products."""
        if isinstance(eps, float):
            if eps == 0:
                return "mem_b0*exp(clip(-mem_P, -inf, 700))"
            inv = 1.0 / eps
            if float(f"{eps:.12g}") == eps and float(f"{inv:.12g}") == inv:
                e, i = f"({eps:.12g})", f"({inv:.12g})"
            else:
                e, i = "mem_pe", "mem_pie"
        else:
            e, i = eps, "mem_pie"
        return f"clip(mem_b0**{e} - {e}*mem_P, 0, inf)**{i}"

    def lines(self) -> list[str]:
        e_up, e_dn = 1.0 - self.gamma_up, 1.0 - self.gamma_down
        out = [f"mem_b0 = clip({_blend('(1 - mem_x)', 'mem_x')}, {TINY!r}, 1)"]
        if e_up == e_dn:
            if e_up != 0:
                out += ["mem_pe = mem_ps_eu", "mem_pie = mem_ps_ieu"]
            out.append(f"mem_bn = {self._bn(e_up)}")
        elif e_up != 0 and e_dn != 0:
            out += [f"mem_pe = {_blend('mem_ps_eu', 'mem_ps_ed')}",
                    f"mem_pie = {_blend('mem_ps_ieu', 'mem_ps_ied')}",
                    f"mem_bn = {self._bn('mem_pe')}"]
        else:
            d = "u" if e_up != 0 else "d"
            out += [f"mem_pe = mem_ps_e{d}", f"mem_pie = mem_ps_ie{d}",
                    f"mem_bn = {_blend(self._bn(e_up), self._bn(e_dn))}"]
        out.append("mem_xn = mem_x + mem_sg*(mem_b0 - mem_bn)")
        return out


# -- piecewise-linear step from a table ---------------------------------------------------------
class _Segment(NamedTuple):
    """One segment of a table law in the direction's coordinate u: ends, value and slope of
    f at ``lo``, anchor ``a`` (where f > 0), f(a), and the curve coordinate
    P(u) = ∫_{1/2}^{u} du'/f at a, lo and hi (±inf at an end node where f vanishes)."""

    lo: float
    hi: float
    v: float
    m: float
    a: float
    fa: float
    pa: float
    plo: float
    phi: float


def _table(owner: str, name: str, values) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise TypeError(f"{owner}: {name} must be a sequence of step sizes (e.g. [1.2, 1.0, "
                        f"0.6]), got {values!r}")
    out = []
    for k, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise TypeError(f"{owner}: {name}[{k}] must be a finite real number, got {v!r}")
        out.append(float(v))
    if len(out) == 0:
        raise ValueError(f"{owner}: {name} must have at least one value, got {values!r}")
    return tuple(out)


@dataclass(frozen=True)
class PiecewiseStep(StepModel):
    r"""Step law interpolated linearly in a (measured) table (aihwkit's ``PiecewiseStepDevice``).

    ``f_up`` and ``f_down`` are the values of ``up`` and ``down`` at the nodes, linear in
    between; the nodes are equally spaced over [0, 1] (first value at G_min, last at G_max,
    as in aihwkit) unless ``nodes`` gives them. Two values are aihwkit's
    ``LinearStepDevice``. A measured table of conductance G_k with the conductance change
    ΔG_k of one pulse becomes ``nodes = (G_k - G_min)/(G_max - G_min)`` and values
    ``ΔG_k/(dw_min·(G_max - G_min))``.

    Closed form: on a segment where ``f = v_j + m_j(u - u_j)`` the curve is
    ``u(P) = u0 + f(u0)·P·exprel(m_j P)``, and it takes ``ln(f_end/f(u0))/m_j`` (or
    ``Δu/v_j`` when m_j = 0) to cross it; the code sums the segments' parts (no loop).

    Parameters
    ----------
    up, down : sequence of float
        Step sizes relative to ``dw_min`` (>= 0). A value may be 0 only at an end node (the
        state approaches it without reaching it, a soft bound; e.g. ``up=[1, 0]``); at least
        one value of each table is > 0.
    nodes : sequence of float, optional
        Node positions in [0, 1], strictly increasing from 0 to 1, one per value (then
        ``up`` and ``down`` have the same length). Default: equally spaced, per table.

    Examples
    --------
    >>> law = PiecewiseStep(up=[1.2, 1.0, 0.4], down=[0.5, 1.0, 1.5])
    >>> float(law.rate(0.25, up=True))
    1.1
    """

    up: tuple = (1.0,)
    down: tuple = (1.0,)
    nodes: tuple | None = None

    def __post_init__(self) -> None:
        owner = "PiecewiseStep"
        up = _table(owner, "up", self.up)
        down = _table(owner, "down", self.down)
        nodes = None
        if self.nodes is not None:
            nodes = _table(owner, "nodes", self.nodes)
            if len(nodes) < 2 or nodes[0] != 0.0 or nodes[-1] != 1.0 or any(
                    b <= a for a, b in zip(nodes, nodes[1:])):
                raise ValueError(f"{owner}: nodes must increase strictly from 0 to 1, got "
                                 f"{self.nodes!r}")
            if len(up) != len(nodes) or len(down) != len(nodes):
                raise ValueError(f"{owner}: up, down and nodes must have the same length, got "
                                 f"{len(up)}, {len(down)} and {len(nodes)}")
        for name, table in (("up", up), ("down", down)):
            if any(v < 0 for v in table):
                raise ValueError(f"{owner}: {name} must hold step sizes >= 0, got {table!r}")
            if not any(v > 0 for v in table):
                raise ValueError(f"{owner}: {name} must have a value > 0, got {table!r}")
            if any(v == 0 for v in table[1:-1]):
                raise ValueError(f"{owner}: {name} may be 0 only at its first or last node (a "
                                 f"zero inside the range stops the state there), got {table!r}")
        object.__setattr__(self, "up", up)
        object.__setattr__(self, "down", down)
        object.__setattr__(self, "nodes", nodes)

    def _nodes(self, table) -> np.ndarray:
        if self.nodes is not None:
            return np.asarray(self.nodes)
        if len(table) == 1:
            return np.array([0.0, 1.0])
        return np.linspace(0.0, 1.0, len(table))

    def _values(self, table) -> np.ndarray:
        return np.asarray(table * 2 if len(table) == 1 else table, dtype=np.float64)

    @property
    def linear(self) -> bool:
        """True if both laws are linear (one segment each: the curve is affine)."""
        return len(self.up) <= 2 and len(self.down) <= 2

    @property
    def supports_additive(self) -> bool:  # type: ignore[override]
        return self.linear

    def rate(self, x, up: bool):
        table = self.up if up else self.down
        return np.interp(np.asarray(x, dtype=np.float64), self._nodes(table),
                         self._values(table))

    def _segments(self, up: bool):
        """Nodes u_j, values v_j and slopes m_j in the direction's coordinate u (x up,
        1 - x down), where the state moves with du/dP = +f."""
        table = self.up if up else self.down
        u, v = self._nodes(table), self._values(table)
        if not up:
            u, v = 1.0 - u[::-1], v[::-1]
        m = np.diff(v) / np.diff(u)
        return u, v, m

    def _plan(self, up: bool) -> list[_Segment]:
        """The segments of one direction, anchored at ``a = clip(1/2, lo, hi)``."""
        u, v, m = self._segments(up)

        def f(j, y):
            return v[j] + m[j] * (y - u[j])

        def integral(y1, y2):  # ∫_{y1}^{y2} du/f, y1 <= y2
            total = 0.0
            for j in range(len(m)):
                lo, hi = max(u[j], y1), min(u[j + 1], y2)
                if hi <= lo:
                    continue
                if m[j] == 0:
                    total += (hi - lo) / v[j]
                elif f(j, lo) <= 0 or f(j, hi) <= 0:
                    return math.inf
                else:
                    total += math.log(f(j, hi) / f(j, lo)) / m[j]
            return total

        def P(y):
            return integral(0.5, y) if y >= 0.5 else -integral(y, 0.5)

        plan = []
        for j in range(len(m)):
            lo, hi = float(u[j]), float(u[j + 1])
            a = min(max(0.5, lo), hi)
            plan.append(_Segment(lo, hi, float(v[j]), float(m[j]), a, float(f(j, a)), P(a),
                                 P(lo), P(hi)))
        return plan

    def advance(self, x, p, up: bool):
        x = np.asarray(x, dtype=np.float64)
        p = np.asarray(p, dtype=np.float64)
        u0 = x if up else 1.0 - x
        u0 = np.clip(u0, TINY, 1.0 - 2.0**-53)
        pos = np.zeros(np.broadcast(u0, p).shape)
        plan = self._plan(up)
        for g in plan:
            y = np.clip(u0, g.lo, g.hi)
            if g.m == 0:
                pos = pos + (y - g.a) / g.v
            else:
                with np.errstate(divide="ignore"):
                    pos = pos + np.log(np.maximum(g.v + g.m * (y - g.lo), 0.0) / g.fa) / g.m
        target = pos + p
        u = np.full(target.shape, 0.5)
        for g in plan:
            d = np.clip(target, g.plo, g.phi) - g.pa
            arg = g.m * d
            with np.errstate(over="ignore", invalid="ignore"):
                ex = np.where(arg == 0, 1.0, np.expm1(arg) / np.where(arg == 0, 1.0, arg))
            u = u + g.fa * d * ex
        return u if up else 1.0 - u

    def constants(self) -> dict[str, float]:
        if self.linear:
            ns = {}
            for name, table in (("u", self.up), ("d", self.down)):
                v = self._values(table)
                ns[f"mem_pw_v{name}"] = float(v[0])
                ns[f"mem_pw_m{name}"] = float(v[1] - v[0])
            return ns
        ns = {}
        for d, up in (("u", True), ("d", False)):
            for j, g in enumerate(self._plan(up)):
                ns.update({f"mem_pw{d}{j}_{field}": float(value)
                           for field, value in g._asdict().items()})
        return ns

    def _direction_lines(self, d: str, up: bool) -> list[str]:
        """The new u of one direction (multi-segment tables), as ``mem_u{d}``."""
        u0 = "mem_x" if up else "(1 - mem_x)"
        plan = self._plan(up)
        lines = [f"mem_u0{d} = clip({u0}, {TINY!r}, {1.0 - 2.0**-53!r})"]
        pos, moved = [], []
        for j, g in enumerate(plan):
            c = f"mem_pw{d}{j}_"
            y = f"clip(mem_u0{d}, {c}lo, {c}hi)"
            if g.m == 0:
                pos.append(f"({y} - {c}a)/{c}v")
            else:
                pos.append(f"log(clip({c}v + {c}m*({y} - {c}lo), 0, inf)/{c}fa)/{c}m")
            dist = f"(clip(mem_T{d}, {c}plo, {c}phi) - {c}pa)"
            moved.append(f"{c}fa*{dist}" + ("" if g.m == 0 else
                                              f"*exprel(clip({c}m*{dist}, -inf, 700))"))
        lines.append(f"mem_T{d} = " + " + ".join(pos) + " + mem_P")
        lines.append(f"mem_u{d} = 0.5 + " + " + ".join(moved))
        return lines

    def lines(self) -> list[str]:
        if self.linear:
            return [f"mem_pm = {_blend('mem_pw_mu', '(-mem_pw_md)')}",
                    "mem_v0 = clip(" + _blend("(mem_pw_vu + mem_pw_mu*mem_x)",
                                              "(mem_pw_vd + mem_pw_md*mem_x)") + ", 0, inf)",
                    "mem_xn = mem_x + mem_sg*mem_v0*mem_P*exprel(clip(mem_pm*mem_P, -inf, 700))"]
        return (self._direction_lines("u", True) + self._direction_lines("d", False)
                + ["mem_xn = " + _blend("mem_uu", "(1 - mem_ud)")])

    def additive_lines(self) -> list[str]:
        """Additive pulse noise of a linear law: a kick after pulse k is scaled by
        ``e^{λ s (n - k)}`` by the later pulses (λ = du/dP slope: m_up up, -m_down down), so
        Var = σ_a² Σ_{j<n} e^{2λsj} = σ_a² n·exprel(2λsn)/exprel(2λs)."""
        return ["mem_a = 2*mem_pm*mem_s",
                "mem_xn = mem_xn + mem_pstd*mem_dwn*sqrt(mem_n*exprel(clip(mem_a*mem_n, -inf, "
                "700))/exprel(mem_a))*randn()"]


STEP_MODELS = (ExpStep, PowStep, PiecewiseStep)
