"""A memristive device under a plasticity rule's weight: conductance map and non-idealities.

The rule decides *how much* the weight should change (Δw); the device decides what the
conductance actually does. Every non-ideality is off by default, and a device with all of them
off adds no statement to the rule's code (its trajectory is bit-identical to the bare rule's).

State and units. The synaptic variable ``w`` keeps the rule's (dimensionless) weight. The
nominal linear map ``G = G_min + (w - w_min)/(w_max - w_min)*(G_max - G_min)`` (w_min/w_max are
the rule's) gives the conductance, exposed as the subexpression ``G_mem`` (siemens). A device's
normalised state is ``x = (w - w_lo)/(w_hi - w_lo)`` in [0, 1], where ``[w_lo, w_hi]`` is the
weight range of *this* device's conductance range (equal to ``[w_min, w_max]`` unless
``G_min``/``G_max`` vary from device to device).

References for the device models are given in ``docs/plasticity.md`` and in the docstring of
:class:`Memristor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import units
from ...units import get_dim, si_value
from ._validation import (
    SIEMENS,
    check_choice,
    check_int,
    check_quantity,
    check_real,
    check_time,
    format_value,
)
from ._variability import D2D_PARAMETERS, initialize_devices

DRIFTS = (None, "exponential", "power-law")
ROUNDINGS = ("nearest", "stochastic")
C2C_MODES = ("relative", "absolute")


@dataclass
class DeviceCode:
    """What a device adds to a rule's Synapses (lists of Brian2 lines)."""

    weight: str = "w"              # name under which rule code reads the current weight
    update_path: bool = False      # True: increments go through :meth:`Memristor._apply`
    model: list[str] = field(default_factory=list)
    constants: dict = field(default_factory=dict)  # written as constant subexpressions
    prologue: list[str] = field(default_factory=list)   # start of every pathway
    read: list[str] = field(default_factory=list)       # right before the transmission code
    read_name: str = "w"


class Memristor:
    r"""Memristive device model wrapping a plasticity rule's weight.

    Pass it to any rule, ``NanocompositeSTDP(device=Memristor(n_levels=32))``; the rule's
    ``attach``/``initialize`` then draw the per-device quantities. All non-idealities are off
    by default.

    Parameters
    ----------
    G_min, G_max : Quantity (siemens)
        Conductance range (``G_max > G_min >= 0``); ``w_min``/``w_max`` of the rule map onto
        it linearly. Exposed as the synaptic subexpression ``G_mem``.
    n_levels : int, optional
        Number of programmable conductance levels, equally spaced in [G_min, G_max]
        (>= 2). After every update the state is rounded to a level. None: analog.
    rounding : {'nearest', 'stochastic'}
        Rounding to a level: to the nearest (updates smaller than half a level are lost), or
        up with probability equal to the remainder (unbiased).
    nl_ltp, nl_ltd : float
        Nonlinearity ν of potentiation and depression, NeuroSim's form
        ``G(P) = G_min + B(1 - exp(-P/A))`` with ``ν = P_max/A`` (dimensionless, 0 = linear,
        negative = the opposite curvature). An update of Δw moves the state along the curve by
        ``Δp = Δw/(w_max - w_min)`` of the full pulse range.
    soft_bounds : bool
        State-dependent linear steps ``Δx = Δp(1 - x)`` (potentiation) and ``Δx = Δp·x``
        (depression), as in IBM's aihwkit ``SoftBoundsDevice``. Excludes ``nl_ltp/nl_ltd``.
    c2c : float
        Cycle-to-cycle noise of every update (>= 0), see ``c2c_mode``.
    c2c_mode : {'relative', 'absolute'}
        ``'relative'``: the device's step is multiplied by ``1 + c2c·ξ`` (aihwkit's
        ``dw_min_std``; no update, no noise); ``'absolute'``: ``c2c·ξ`` (a fraction of the
        device's range) is added at every nonzero update (NeuroSim's ``sigmaCtoC``). ξ ~ N(0, 1)
        is drawn anew at each update.
    d2d : dict, optional
        Device-to-device variability: parameter name → standard deviation, drawn once per
        synapse when the synapses are initialised. Relative (a log-normal with that relative
        standard deviation and the nominal value as mean) for ``G_min``, ``G_max``, ``c2c``,
        ``drift_tau``, ``drift_nu``, ``read_noise``; absolute (normal) for ``nl_ltp``,
        ``nl_ltd``. Only parameters of enabled features may vary.
    p_stuck_min, p_stuck_max : float
        Probability that a device is stuck at G_min (resp. G_max); a stuck device never
        changes (no update, no drift).
    drift : {None, 'exponential', 'power-law'}
        Retention drift since the last programming (the last update that changed the state):
        ``'exponential'``: ``G(t) = G_rest + (G_prog - G_rest) exp(-Δt_prog/drift_tau)``;
        ``'power-law'``: ``G(t) = G_prog (max(Δt_prog, drift_t0)/drift_t0)^(-drift_nu)``.
        Weights count as programmed at t = 0. The drifted weight is the subexpression
        ``w_now``; the rule and the transmission see it.
    drift_tau : Quantity (time)
        Relaxation time constant of exponential drift.
    drift_G_rest : Quantity (siemens), optional
        Relaxation target of exponential drift (default: the device's G_min).
    drift_nu : float
        Power-law drift exponent (>= 0; ~0.005-0.1 for phase-change memory).
    drift_t0 : Quantity (time)
        Reference time of power-law drift (no drift before it).
    read_noise : float
        Relative standard deviation of the conductance read at each transmission,
        ``G_read = G (1 + read_noise·ξ)``, ξ ~ N(0, 1); applied to every ``w`` in the
        transmission (``on_pre``) code only.

    Examples
    --------
    >>> from spikeloom import uS
    >>> Memristor(G_min=1*uS, G_max=10*uS).is_ideal
    True
    >>> Memristor(n_levels=16, c2c=0.01).is_ideal
    False
    """

    def __init__(self, G_min=10 * units.uS, G_max=100 * units.uS, *, n_levels: int | None = None,
                 rounding: str = "nearest", nl_ltp: float = 0.0, nl_ltd: float = 0.0,
                 soft_bounds: bool = False, c2c: float = 0.0, c2c_mode: str = "relative",
                 d2d: dict | None = None,
                 p_stuck_min: float = 0.0, p_stuck_max: float = 0.0, drift: str | None = None,
                 drift_tau=1000 * units.second, drift_G_rest=None, drift_nu: float = 0.05,
                 drift_t0=1 * units.second, read_noise: float = 0.0) -> None:
        owner = "Memristor"
        self.G_min, g_lo = check_quantity(owner, "G_min", G_min, SIEMENS, "1*uS",
                                          nonnegative=True)
        self.G_max, g_hi = check_quantity(owner, "G_max", G_max, SIEMENS, "100*uS",
                                          positive=True)
        if g_hi <= g_lo:
            raise ValueError(f"{owner}: G_max must be larger than G_min, got G_min={G_min!r}, "
                             f"G_max={G_max!r}")
        self.n_levels = None if n_levels is None else check_int(owner, "n_levels", n_levels, 2)
        self.rounding = check_choice(owner, "rounding", rounding, ROUNDINGS)
        self.nl_ltp = check_real(owner, "nl_ltp", nl_ltp)
        self.nl_ltd = check_real(owner, "nl_ltd", nl_ltd)
        if not isinstance(soft_bounds, bool | np.bool_):
            raise TypeError(f"{owner}: soft_bounds must be True or False, got {soft_bounds!r}")
        self.soft_bounds = bool(soft_bounds)
        if self.soft_bounds and (self.nl_ltp or self.nl_ltd):
            raise ValueError(f"{owner}: soft_bounds=True and nl_ltp/nl_ltd != 0 are two "
                             "different update models; choose one")
        self.c2c = check_real(owner, "c2c", c2c, 0.0)
        self.c2c_mode = check_choice(owner, "c2c_mode", c2c_mode, C2C_MODES)
        self.p_stuck_min = check_real(owner, "p_stuck_min", p_stuck_min, 0.0, 1.0)
        self.p_stuck_max = check_real(owner, "p_stuck_max", p_stuck_max, 0.0, 1.0)
        if self.p_stuck_min + self.p_stuck_max > 1:
            raise ValueError(f"{owner}: p_stuck_min + p_stuck_max must be <= 1, got "
                             f"{p_stuck_min!r} + {p_stuck_max!r}")
        if drift not in DRIFTS:
            raise ValueError(f"{owner}: drift must be None, 'exponential' or 'power-law', got "
                             f"{drift!r}")
        self.drift = drift
        self.drift_tau, _ = check_time(owner, "drift_tau", drift_tau)
        self.drift_t0, _ = check_time(owner, "drift_t0", drift_t0)
        self.drift_nu = check_real(owner, "drift_nu", drift_nu, 0.0)
        if drift_G_rest is not None:
            check_quantity(owner, "drift_G_rest", drift_G_rest, SIEMENS, "1*uS",
                           nonnegative=True)
            if drift != "exponential":
                raise ValueError(f"{owner}: drift_G_rest applies to drift='exponential' only, "
                                 f"got drift={drift!r}")
        self.drift_G_rest = drift_G_rest
        self.read_noise = check_real(owner, "read_noise", read_noise, 0.0)
        self.d2d = self._check_d2d(d2d)

    # -- validation -----------------------------------------------------------------------------
    def _enabled(self, name: str) -> bool:
        return {"G_min": True, "G_max": True,
                "nl_ltp": self.nonlinear, "nl_ltd": self.nonlinear,
                "c2c": self.c2c > 0, "drift_tau": self.drift == "exponential",
                "drift_nu": self.drift == "power-law", "read_noise": self.read_noise > 0}[name]

    def _check_d2d(self, d2d) -> dict[str, float]:
        if d2d is None:
            return {}
        if not isinstance(d2d, dict):
            raise TypeError(f"Memristor: d2d must be a dict {{parameter: std}}, got {d2d!r}")
        out = {}
        for key, value in d2d.items():
            if key not in D2D_PARAMETERS:
                raise ValueError(f"Memristor: d2d has an unknown parameter {key!r}; allowed: "
                                 f"{', '.join(D2D_PARAMETERS)}")
            std = check_real("Memristor", f"d2d[{key!r}]", value, 0.0)
            if std and not self._enabled(key):
                raise ValueError(f"Memristor: d2d[{key!r}] = {value!r} but that feature is "
                                 f"off; enable it (e.g. a nonzero {key.split('_')[0]}...) or "
                                 "remove the entry")
            if std:
                out[key] = std
        return out

    # -- properties -----------------------------------------------------------------------------
    @property
    def nonlinear(self) -> bool:
        return bool(self.nl_ltp or self.nl_ltd)

    @property
    def update_path(self) -> bool:
        """True if updates go through the device model (anything but drift/read noise on)."""
        return bool(self.n_levels or self.nonlinear or self.soft_bounds or self.c2c
                    or any(k in self.d2d for k in ("G_min", "G_max", "nl_ltp", "nl_ltd",
                                                   "c2c"))
                    or self.p_stuck_min or self.p_stuck_max)

    @property
    def is_ideal(self) -> bool:
        """True if every non-ideality is off (the rule's code is left unchanged)."""
        return not (self.update_path or self.drift or self.read_noise)

    @property
    def stuck(self) -> bool:
        return bool(self.p_stuck_min or self.p_stuck_max)

    def __repr__(self) -> str:
        defaults = Memristor.__new__(Memristor)
        Memristor.__init__(defaults)
        parts = []
        for name in ("G_min", "G_max", "n_levels", "rounding", "nl_ltp", "nl_ltd",
                     "soft_bounds", "c2c", "c2c_mode", "d2d", "p_stuck_min", "p_stuck_max", "drift",
                     "drift_tau", "drift_G_rest", "drift_nu", "drift_t0", "read_noise"):
            value, default = getattr(self, name), getattr(defaults, name)
            same = (value == default) if not isinstance(value, units.Quantity) else (
                get_dim(value) == get_dim(default)
                and float(si_value(value)) == float(si_value(default)))
            if name in ("G_min", "G_max") or not same:
                parts.append(f"{name}={format_value(value)}")
        return f"Memristor({', '.join(parts)})"

    # -- weight <-> conductance -------------------------------------------------------------------
    def _map(self, w_min: float, w_max: float) -> tuple[float, float]:
        """(weight per siemens, weight at G = 0) of the nominal linear map."""
        g_lo, g_hi = float(si_value(self.G_min)), float(si_value(self.G_max))
        scale = (w_max - w_min) / (g_hi - g_lo)
        return scale, w_min - g_lo * scale

    def conductance(self, w, w_min: float, w_max: float):
        """Conductance (Quantity, siemens) of weights ``w`` under the nominal map."""
        scale, w_zero = self._map(w_min, w_max)
        return (np.asarray(w, dtype=np.float64) - w_zero) / scale * units.siemens

    # -- code ------------------------------------------------------------------------------------
    def _per_synapse(self, name: str) -> bool:
        return name in self.d2d

    def code(self, w_min: float, w_max: float) -> DeviceCode:
        """Model lines, namespace and statements for a rule whose weights span [w_min, w_max]."""
        scale, w_zero = self._map(w_min, w_max)
        ns = {"mem_G_min": self.G_min, "mem_w_min": w_min,
              "mem_G_per_w": (1.0 / scale) * units.siemens}
        dev = DeviceCode(constants=ns)
        dev.model.append("G_mem = mem_G_min + (WNOW - mem_w_min)*mem_G_per_w : siemens")
        if self.is_ideal:
            dev.model[0] = dev.model[0].replace("WNOW", "w")
            return dev
        ranged = self._per_synapse("G_min") or self._per_synapse("G_max")
        if ranged:
            dev.model += ["mem_wlo : 1 (constant)", "mem_whi : 1 (constant)"]
        else:
            ns.update(mem_wlo=float(w_min), mem_whi=float(w_max))
        for name, var, unit in (("nl_ltp", "mem_nlp", "1"), ("nl_ltd", "mem_nld", "1"),
                                ("c2c", "mem_c2c", "1"), ("drift_tau", "mem_tau", "second"),
                                ("drift_nu", "mem_nu", "1"), ("read_noise", "mem_read", "1")):
            if not self._enabled(name):
                continue
            if self._per_synapse(name):
                dev.model.append(f"{var} : {unit} (constant)")
            else:
                ns[var] = getattr(self, name)
        if self.stuck:
            dev.model.append("mem_ok : 1 (constant)")
        ns["mem_wspan"] = float(w_max - w_min)
        ns["mem_wzero"] = float(w_zero)
        if self.n_levels:
            ns["mem_nlev"] = float(self.n_levels - 1)
        dev.update_path = self.update_path
        weight = "w"
        if self.drift:
            weight = "mem_w"
            if self.drift == "exponential":
                if self.drift_G_rest is None:
                    rest = "mem_wlo"
                else:
                    rest = "mem_wrest"
                    ns["mem_wrest"] = float(w_zero + scale * float(si_value(self.drift_G_rest)))
                decay = "exp(-(t - mem_tprog)/mem_tau)"
            else:
                rest = "mem_wzero"
                ns["mem_t0"] = self.drift_t0
                decay = "clip((t - mem_tprog)/mem_t0, 1, inf)**(-mem_nu)"
            drifted = f"{rest} + (w - {rest})*{decay}"
            if self.stuck:
                drifted = f"mem_ok*({drifted}) + (1 - mem_ok)*w"
            dev.model += ["mem_tprog : second", f"w_now = {drifted} : 1"]
            dev.model[0] = dev.model[0].replace("WNOW", "w_now")
            dev.prologue = ["mem_w = w_now"]
        else:
            dev.model[0] = dev.model[0].replace("WNOW", "w")
        dev.weight = weight
        if self.read_noise:
            dev.read = [f"mem_wr = {weight} + mem_read*randn()*({weight} - mem_wzero)"]
            dev.read_name = "mem_wr"
        else:
            dev.read_name = weight
        return dev

    def apply(self, weight: str, dw: str) -> list[str]:
        """Statements adding the rule's increment ``dw`` to ``weight`` through the device."""
        lines = [f"mem_x = ({weight} - mem_wlo)/(mem_whi - mem_wlo)",
                 f"mem_dp = {dw}/mem_wspan"]
        if self.nonlinear:
            lines += [
                "mem_up = int(mem_dp > 0)",
                "mem_xn = mem_x + mem_up*mem_dp*exprel(-mem_nlp*mem_dp)*(1/exprel(-mem_nlp)"
                " - mem_nlp*mem_x) + (1 - mem_up)*mem_dp*exprel(mem_nld*mem_dp)"
                "*(1/exprel(-mem_nld) - mem_nld*(1 - mem_x))"]
        elif self.soft_bounds:
            lines += ["mem_up = int(mem_dp > 0)",
                      "mem_xn = mem_x + mem_dp*(mem_up*(1 - mem_x) + (1 - mem_up)*mem_x)"]
        else:
            lines.append("mem_xn = mem_x + mem_dp")
        if self.c2c and self.c2c_mode == "relative":
            lines.append("mem_xn = mem_x + (mem_xn - mem_x)*(1 + mem_c2c*randn())")
        elif self.c2c:
            lines.append("mem_xn = mem_xn + int(mem_dp != 0)*mem_c2c*randn()")
        lines.append("mem_xn = clip(mem_xn, 0, 1)")
        if self.n_levels:
            offset = "0.5" if self.rounding == "nearest" else "rand()"
            lines.append(f"mem_xn = floor(mem_xn*mem_nlev + {offset})/mem_nlev")
        changed = "int(mem_dp != 0)*mem_ok" if self.stuck else "int(mem_dp != 0)"
        lines += [f"mem_chg = {changed}",
                  f"{weight} = mem_chg*(mem_wlo + mem_xn*(mem_whi - mem_wlo))"
                  f" + (1 - mem_chg)*{weight}"]
        return lines

    def epilogue(self, dw: str) -> list[str]:
        """Statements closing a pathway: store the programmed weight and time (drift)."""
        if not self.drift:
            return []
        return [f"mem_p = int({dw} != 0)",
                "w = mem_p*mem_w + (1 - mem_p)*w",
                "mem_tprog = mem_p*t + (1 - mem_p)*mem_tprog"]

    # -- per-synapse initialisation -----------------------------------------------------------
    def initialize(self, synapses, w_min: float, w_max: float,
                   rng: np.random.Generator) -> None:
        """Draw the per-device parameters and faults of ``synapses`` and place the weights.

        See :func:`spikeloom.models.devices._variability.initialize_devices`.
        """
        initialize_devices(self, synapses, w_min, w_max, rng)
