"""A memristive device under a plasticity rule's weight: conductance map and non-idealities.

The rule decides *how much* the weight should change (Δw); the device decides what the
conductance actually does. Every non-ideality is off by default, and a device with all of them
off adds no statement to the rule's code (its trajectory is bit-identical to the bare rule's).

State and units. The synaptic variable ``w`` keeps the rule's (dimensionless) weight: the
*programmed* weight, the one the last programming event left. The nominal linear map
``G = G_min + (w - w_min)/(w_max - w_min)*(G_max - G_min)`` (w_min/w_max are the rule's)
gives the conductance, exposed as the subexpression ``G_mem`` (siemens). A device's
normalised state is ``x = (w - w_lo)/(w_hi - w_lo)`` in [0, 1], where ``[w_lo, w_hi]`` is the
weight range of *this* device's conductance range (equal to ``[w_min, w_max]`` unless
``G_min``/``G_max`` vary from device to device). Pulse sizes (``dw_min``) are fractions of
that range.

The full model, with the closed forms the tests check, is ``docs/devices.md``; the references
are given there and in the docstring of :class:`Memristor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import units
from ...units import get_dim, si_value
from .._validation import (
    SIEMENS,
    check_bool,
    check_choice,
    check_int,
    check_quantity,
    check_real,
    check_time,
    format_value,
)
from . import _pcm, _readwrite
from ._steps import P_LIMIT, STEP_MODELS, StepModel
from ._variability import D2D_PARAMETERS, initialize_devices, reset_devices

DRIFTS = (None, "exponential", "power-law")
ROUNDINGS = ("nearest", "stochastic")
C2C_MODES = ("relative", "absolute")
PULSE_NOISE_MODES = ("multiplicative", "additive")
DRIFT_NU_MODELS = (None, "pcm")
#: Constructor parameters, in the order ``repr`` writes them.
PARAMETERS = ("G_min", "G_max", "n_levels", "dw_min", "rounding", "dw_min_std",
              "dw_min_std_mode", "up_down", "nl_ltp", "nl_ltd", "soft_bounds", "step_model",
              "c2c", "c2c_mode", "d2d", "p_stuck_min", "p_stuck_max", "drift", "drift_tau",
              "drift_G_rest", "drift_nu", "drift_t0", "read_noise", "write_noise_std",
              "reset", "reset_std", "lifetime", "diffusion", "corrupt_devices_prob",
              "corrupt_devices_range", "read_noise_scale", "t_read", "prog_noise_scale",
              "prog_coeff", "drift_nu_model", "drift_compensation", "differential",
              "refresh_upper_thres", "refresh_lower_thres")
#: Features a pair of devices (``differential=True``) does not model.
NOT_DIFFERENTIAL = ("p_stuck_min", "p_stuck_max", "corrupt_devices_prob", "write_noise_std",
                    "diffusion", "prog_noise_scale", "read_noise_scale", "drift_nu_model")
#: Parameters that depend on drift: an override ``drift=None`` of a preset turns them off.
DRIFT_DEPENDENT = {"drift_nu_model": None, "drift_compensation": False}
#: A level index within this of an integer counts as on that level (the state is computed
#: as (w - w_lo)/(w_hi - w_lo), which puts a level a few ulps off its integer).
LEVEL_TOLERANCE = 1e-9


@dataclass
class DeviceCode:
    """What a device adds to a rule's Synapses (lists of Brian2 lines)."""

    weight: str = "w"              # name under which rule code reads the current weight
    update_path: bool = False      # True: increments go through :meth:`Memristor.apply`
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

    **Programming events.** Every update the rule asks for, Δw, is a request of
    ``Δp = Δw/(w_max - w_min)`` (a fraction of the range). With pulses (``dw_min`` or
    ``n_levels`` given) the request becomes a whole number of pulses
    ``n = round(|Δp|/dw_min)`` (``rounding``); in analog mode (neither given) a nonzero
    request is one pulse of size ``|Δp|``. A *programming event* is an update of one pulse or
    more (n >= 1): the device starts from its present state -- the drifted state if there is
    drift --, applies the n pulses through its update model (each pulse with its own
    cycle-to-cycle noise), clips to its range, puts the result on a level (``n_levels``), and
    stores it as the new programmed weight ``w`` at time ``mem_tprog = t``. With n = 0
    nothing happens: the weight is not rewritten and the drift clock runs on.

    **Drift** (``drift``) never changes the programmed weight; it is what the device reads
    since then: ``w_now = drift(w, t - mem_tprog)``, in closed form. The rule and the
    transmission see ``w_now``; a programming event starts from it. So an update can only
    move the read weight in its own direction (a depression never raises it), and between
    events ``w_now`` follows the closed form of a device programmed to ``w`` at ``mem_tprog``.

    Parameters
    ----------
    G_min, G_max : Quantity (siemens)
        Conductance range (``G_max > G_min >= 0``); ``w_min``/``w_max`` of the rule map onto
        it linearly. Exposed as the synaptic subexpression ``G_mem``.
    n_levels : int, optional
        Number of programmable conductance levels, equally spaced in [G_min, G_max]
        (>= 2). A pulse moves the state by one level (``dw_min = 1/(n_levels - 1)``), and
        every programming event ends on the level nearest to where its pulses went, but
        never past its starting state against the direction of the pulses (a drifted state
        is off the levels). ``initialize`` rounds the initial weights to the nearest level.
        None: no levels. Excludes ``dw_min``.
    dw_min : float, optional
        Size of one pulse as a fraction of the device's range, in (0, 1] (aihwkit's
        ``dw_min`` with its range taken as 1). None: analog (or one level with
        ``n_levels``).
    rounding : {'nearest', 'stochastic'}
        How a request becomes a whole number of pulses: ``floor(|Δp|/dw_min + 1/2)``
        (requests below half a pulse are lost) or ``floor(|Δp|/dw_min + u)``, u ~ U[0, 1)
        (unbiased: the mean of n·dw_min is ``|Δp|``). 'stochastic' needs pulses.
    dw_min_std : float
        Cycle-to-cycle noise of every single pulse (>= 0; aihwkit's ``dw_min_std``), so the
        spread of an event of n pulses grows like sqrt(n). Needs pulses.
    dw_min_std_mode : {'multiplicative', 'additive'}
        'multiplicative': each pulse's step is multiplied by ``1 + dw_min_std·ξ`` (aihwkit's
        ``mult_noise=True``); 'additive': each pulse adds ``dw_min_std·dw_min·ξ``, whatever
        the state (``mult_noise=False``). ξ ~ N(0, 1), one per pulse.
    up_down : float
        Up/down asymmetry of the pulse, in (-1, 1), as aihwkit's ``up_down``: the up step
        is ``dw_min·(1 + min(up_down, 0))``, the down step ``dw_min·(1 - max(up_down, 0))``
        (analog mode: the request is scaled by the same factors). Its device-to-device
        spread is ``d2d['up_down']`` (aihwkit's ``up_down_dtod``).
    nl_ltp, nl_ltd : float
        Nonlinearity ν of potentiation and depression, NeuroSim's form
        ``G(P) = G_min + B(1 - exp(-P/A))`` with ``ν = P_max/A`` (dimensionless, 0 = linear,
        negative = the opposite curvature). Pulses move the state along the curve by
        ``Δp = n·step`` of the full pulse range.
    soft_bounds : bool
        State-dependent steps: a pulse of size s moves ``Δx = s(1 - x)`` up or ``Δx = -s·x``
        down (IBM aihwkit's ``SoftBoundsDevice``), so n pulses give
        ``1 - x_n = (1 - x_0)(1 - s)^n`` (resp. ``x_n = x_0(1 - s)^n``). Excludes
        ``nl_ltp/nl_ltd``. With neither (nor ``step_model``): the constant-step model
        ``x_n = x_0 ± n·s`` (aihwkit's ``ConstantStepDevice``).
    step_model : ExpStep, PowStep or PiecewiseStep, optional
        A state-dependent step law ``f_up(x)``, ``f_down(x)`` (exponential, power, or
        interpolated in a measured table; aihwkit's ``ExpStepDevice``, ``PowStepDevice``,
        ``PiecewiseStepDevice``/``LinearStepDevice``), applied as the conductance-versus-pulse
        curve ``dx/dP = ±f(x)``: n pulses advance P by ``n·s``, in closed form (analog mode:
        by the request). Excludes ``soft_bounds`` and ``nl_ltp/nl_ltd``; additive pulse noise
        only with a linear law. See :mod:`spikeloom.models.devices._steps`.
    c2c : float
        Cycle-to-cycle noise of every programming event (>= 0), see ``c2c_mode``; applied
        once per event, after its pulses.
    c2c_mode : {'relative', 'absolute'}
        ``'relative'``: the event's change is multiplied by ``1 + c2c·ξ`` (no event, no
        noise); ``'absolute'``: ``c2c·ξ`` (a fraction of the device's range) is added at every
        event (NeuroSim's ``sigmaCtoC`` of a one-pulse update). ξ ~ N(0, 1), drawn anew at
        each event.
    d2d : dict, optional
        Device-to-device variability: parameter name → standard deviation, drawn once per
        synapse when the synapses are initialised. Relative (a log-normal with that relative
        standard deviation and the nominal value as mean) for ``G_min``, ``G_max``, ``c2c``,
        ``drift_tau``, ``drift_nu``, ``read_noise``, ``dw_min`` (aihwkit's ``dw_min_dtod``);
        absolute (normal) for ``nl_ltp``, ``nl_ltd``, ``up_down`` (aihwkit's
        ``up_down_dtod``: r ~ N(0, std²) is added to the up factor and subtracted from the
        down factor). Only parameters of enabled features may vary.
    p_stuck_min, p_stuck_max : float
        Probability that a device is stuck at G_min (resp. G_max), in [0, 1]; a stuck device
        never changes (no update, no drift).
    drift : {None, 'exponential', 'power-law'}
        Retention drift of the read weight since the last programming event:
        ``'exponential'``: ``G(t) = G_rest + (G_prog - G_rest) exp(-Δt_prog/drift_tau)``;
        ``'power-law'``: ``G(t) = G_prog (max(Δt_prog, drift_t0)/drift_t0)^(-drift_nu)``.
        Weights count as programmed at t = 0. The drifted weight is the subexpression
        ``w_now``; the rule and the transmission see it.
    drift_tau : Quantity (time)
        Relaxation time constant of exponential drift (> 0).
    drift_G_rest : Quantity (siemens), optional
        Relaxation target of exponential drift (default: the device's G_min).
    drift_nu : float
        Power-law drift exponent (>= 0; ~0.005-0.1 for phase-change memory).
    drift_t0 : Quantity (time)
        Reference time of power-law drift (no drift before it, > 0).
    read_noise : float
        Relative standard deviation of the conductance read at each transmission,
        ``G_read = G (1 + read_noise·ξ)``, ξ ~ N(0, 1); applied to every ``w`` in the
        transmission (``on_pre``) code only.
    write_noise_std : float
        Write noise (aihwkit's ``write_noise_std``, >= 0, needs pulses): after every
        programming event (and at initialisation) the device reads ``w + mem_wn``,
        ``mem_wn = write_noise_std·dw_min·ξ`` of its range, kept until the next event; the
        rule and the transmission read it, the pulses move the programmed ``w``.
    reset, reset_std : float
        Reset state (a fraction of the range in [0, 1]; 0 is G_min) and its cycle-to-cycle
        spread (>= 0), aihwkit's ``reset``/``reset_std``; its device spread is
        ``d2d['reset']`` (absolute, aihwkit's ``reset_dtod``). Used by :meth:`reset_devices`,
        ``lifetime`` and the refresh of a pair.
    lifetime : Quantity (time), optional
        Decay toward the reset state (aihwkit's ``lifetime``, counted in seconds here):
        ``w_now = w_r + (w - w_r) exp(-Δt_prog/lifetime)``, before drift; not with
        exponential drift. Device spread ``d2d['lifetime']`` (relative).
    diffusion : float
        Random walk of the state (aihwkit's ``diffusion``, >= 0): at each synaptic event a
        step of standard deviation ``diffusion·sqrt(Δt/1 s)`` of the range, Δt since the
        synapse's last event (so its variance grows as ``diffusion²·t/s``); the walk is
        ``mem_dif``, part of ``w_now`` and of the next programmed state. Device spread
        ``d2d['diffusion']`` (relative).
    corrupt_devices_prob, corrupt_devices_range : float
        Probability (in [0, 1]) that a working device is corrupt (aihwkit's names): fixed at
        a uniform state in ``[0.5 - range, 0.5 + range]`` ∩ [0, 1] of its range and never
        changing, like a stuck device.
    read_noise_scale : float
        Scale of the PCM 1/f read noise of aihwkit's ``PCMLikeNoiseModel`` (>= 0; 1 = the
        fit): each transmission reads ``G + |G|·scale·Q_s(g_prog)·sqrt(ln((Δt + t_read)/(2
        t_read)))·ξ`` (clamped at G = 0), Δt since programming but not below ``drift_t0``,
        ``Q_s = min(0.0088/max(g_prog^0.65, 1e-3), 0.2)``, ``g_prog = G_prog/G_max``.
    t_read : Quantity (time)
        Read time of the 1/f fit (aihwkit's ``t_read``, 250 ns).
    prog_noise_scale : float
        Scale of the PCM programming noise (>= 0): every programming event (and the
        initial weights) adds ``scale·σ_prog(g_T)·G_max·ξ`` to its target conductance,
        ``σ_prog(g) = Σ_k prog_coeff[k]·g^k``; the state is clipped to the range.
    prog_coeff : sequence of float
        Coefficients of σ_prog as fractions of G_max (aihwkit's ``prog_coeff`` in µS divided
        by its ``g_max`` reference of 25 µS).
    drift_nu_model : {None, 'pcm'}
        'pcm': every programming event (and initialisation) draws the drift exponent from
        the target conductance, ``ν = |μ(g) + σ(g)·ξ|`` (aihwkit's
        ``generate_drift_coefficients``); needs power-law drift, excludes
        ``d2d['drift_nu']``. None: the constant ``drift_nu``.
    drift_compensation : bool
        Global drift compensation (aihwkit's ``GlobalDriftCompensation``): a transmission
        reads ``G·(max(Δt_prog, t0)/t0)^drift_nu``, the inverse of the nominal drift (the
        spread of ν stays). Needs power-law drift.
    differential : bool
        A pair of devices per synapse (aihwkit's ``OneSidedUnitCell``): ``w = (w_min +
        w_max)/2 + (G+ - G-)/2`` in weight units, potentiation pulses G+, depression G-
        (each in its own up direction, with the same update model); states ``mem_gp``,
        ``mem_gm``, conductances ``G_plus``, ``G_minus``, ``G_mem = G+ - G-``. Not with
        stuck or corrupt devices, write noise, diffusion or the PCM noise models.
    refresh_upper_thres, refresh_lower_thres : float
        Refresh of a pair after an event (aihwkit's names): if the larger state is above the
        upper and the smaller above the lower threshold (fractions of the range), both are
        reset and their difference is written onto the larger. None (upper): no refresh.

    Notes
    -----
    An event of n pulses is computed in closed form (the code has no loop): noise-free,
    ``x_n = x_0 ± n·s`` (constant step), ``b_n = b_0 (1 - s)^n`` with b the distance to the
    bound approached (soft bounds), or the NeuroSim curve or the step model's curve advanced
    by ``n·s``. The pulse
    noise is one Gaussian draw with the exact mean and variance of the n-pulse sum:
    ``n(s·σ)²`` (constant step, multiplicative), ``n(σ·dw_min)²`` (constant step,
    additive), ``σ_a² Σ_k r^{2k}`` with r the per-pulse contraction (additive, soft bounds
    and curves), the exact second moment of ``Π(1 - s(1 + σξ_k))`` (soft bounds,
    multiplicative; Gaussian shape approximated), and exactly (Gaussian) for the curves
    with multiplicative noise (the pulses add up along the curve). See ``docs/devices.md``.

    :meth:`preset` returns a device configured as a published one (the NC and PPX devices
    of the memristive-STDP papers, IBM aihwkit's device presets). :meth:`reset_devices`
    resets devices between runs.

    The write side, the read chain and pairs are coded in ``_readwrite.py``; the PCM fits
    are in ``_pcm.py``. Every one of them is evaluated at a synaptic event, in closed form
    over the time since the synapse's last programming (or event, for diffusion).

    Parameters are validated when set, also after construction (``dev.dw_min = -1`` raises).

    Examples
    --------
    >>> from spikeloom import uS
    >>> Memristor(G_min=1*uS, G_max=10*uS).is_ideal
    True
    >>> Memristor(n_levels=16, c2c=0.01).is_ideal
    False
    >>> Memristor(dw_min=0.01, dw_min_std=0.3, soft_bounds=True).pulsed
    True
    """

    def __init__(self, G_min=10 * units.uS, G_max=100 * units.uS, *, n_levels: int | None = None,
                 dw_min: float | None = None, rounding: str = "nearest",
                 dw_min_std: float = 0.0, dw_min_std_mode: str = "multiplicative",
                 up_down: float = 0.0, nl_ltp: float = 0.0, nl_ltd: float = 0.0,
                 soft_bounds: bool = False, step_model: StepModel | None = None,
                 c2c: float = 0.0, c2c_mode: str = "relative",
                 d2d: dict | None = None,
                 p_stuck_min: float = 0.0, p_stuck_max: float = 0.0, drift: str | None = None,
                 drift_tau=1000 * units.second, drift_G_rest=None, drift_nu: float = 0.05,
                 drift_t0=1 * units.second, read_noise: float = 0.0,
                 write_noise_std: float = 0.0, reset: float = 0.0, reset_std: float = 0.0,
                 lifetime=None, diffusion: float = 0.0, corrupt_devices_prob: float = 0.0,
                 corrupt_devices_range: float = 0.5, read_noise_scale: float = 0.0,
                 t_read=_pcm.T_READ * units.second, prog_noise_scale: float = 0.0,
                 prog_coeff=_pcm.PROG_COEFF, drift_nu_model: str | None = None,
                 drift_compensation: bool = False, differential: bool = False,
                 refresh_upper_thres: float | None = 0.75,
                 refresh_lower_thres: float = 0.25) -> None:
        # checks run while unsealed; afterwards __setattr__ re-runs this constructor
        object.__setattr__(self, "_sealed", False)
        owner = "Memristor"
        self.G_min, g_lo = check_quantity(owner, "G_min", G_min, SIEMENS, "1*uS",
                                          nonnegative=True)
        self.G_max, g_hi = check_quantity(owner, "G_max", G_max, SIEMENS, "100*uS",
                                          positive=True)
        if g_hi <= g_lo:
            raise ValueError(f"{owner}: G_max must be larger than G_min, got G_min={G_min!r}, "
                             f"G_max={G_max!r}")
        self.n_levels = None if n_levels is None else check_int(owner, "n_levels", n_levels, 2)
        self.dw_min = None if dw_min is None else check_real(
            owner, "dw_min (a fraction of the device's range)", dw_min, 0.0, 1.0,
            low_open=True)
        if self.n_levels is not None and self.dw_min is not None:
            raise ValueError(f"{owner}: n_levels={n_levels!r} already sets the pulse to one "
                             f"level (dw_min = 1/(n_levels - 1)); got dw_min={dw_min!r} too. "
                             "Give one of them")
        self.rounding = check_choice(owner, "rounding", rounding, ROUNDINGS)
        if self.rounding == "stochastic" and not self.pulsed:
            raise ValueError(f"{owner}: rounding='stochastic' rounds requests to whole pulses, "
                             "but the device is analog; set dw_min (or n_levels)")
        self.dw_min_std = check_real(owner, "dw_min_std", dw_min_std, 0.0)
        if self.dw_min_std and not self.pulsed:
            raise ValueError(f"{owner}: dw_min_std={dw_min_std!r} is the noise of one pulse, "
                             "but the device is analog; set dw_min (or n_levels), or use c2c")
        self.dw_min_std_mode = check_choice(owner, "dw_min_std_mode", dw_min_std_mode,
                                            PULSE_NOISE_MODES)
        self.up_down = check_real(owner, "up_down", up_down, -1.0, 1.0, low_open=True,
                                  high_open=True)
        self.nl_ltp = check_real(owner, "nl_ltp", nl_ltp)
        self.nl_ltd = check_real(owner, "nl_ltd", nl_ltd)
        if not isinstance(soft_bounds, bool | np.bool_):
            raise TypeError(f"{owner}: soft_bounds must be True or False, got {soft_bounds!r}")
        self.soft_bounds = bool(soft_bounds)
        if self.soft_bounds and (self.nl_ltp or self.nl_ltd):
            raise ValueError(f"{owner}: soft_bounds=True and nl_ltp/nl_ltd != 0 are two "
                             "different update models; choose one")
        if step_model is not None and not isinstance(step_model, StepModel):
            allowed = ", ".join(f"{cls.__name__}(...)" for cls in STEP_MODELS)
            raise TypeError(f"{owner}: step_model must be None or one of {allowed}, got "
                            f"{step_model!r}")
        if step_model is not None:
            other = ("soft_bounds=True" if self.soft_bounds
                     else "nl_ltp/nl_ltd != 0" if self.nonlinear else None)
            if other:
                raise ValueError(f"{owner}: step_model={step_model!r} and {other} are two "
                                 "different update models; choose one")
            if (self.dw_min_std and self.dw_min_std_mode == "additive"
                    and not step_model.supports_additive):
                raise ValueError(
                    f"{owner}: dw_min_std_mode='additive' has no closed form with step_model="
                    f"{step_model!r}; allowed with it: 'multiplicative' (additive pulse noise "
                    "needs a linear law: a PiecewiseStep of two values per table)")
        self.step_model = step_model
        self.c2c = check_real(owner, "c2c", c2c, 0.0)
        self.c2c_mode = check_choice(owner, "c2c_mode", c2c_mode, C2C_MODES)
        self.p_stuck_min = check_real(owner, "p_stuck_min (a probability)", p_stuck_min,
                                      0.0, 1.0)
        self.p_stuck_max = check_real(owner, "p_stuck_max (a probability)", p_stuck_max,
                                      0.0, 1.0)
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
        self._check_write_side(write_noise_std, reset, reset_std, lifetime, diffusion,
                               corrupt_devices_prob, corrupt_devices_range)
        self._check_read_side(read_noise_scale, t_read, prog_noise_scale, prog_coeff,
                              drift_nu_model, drift_compensation)
        self._check_pair(differential, refresh_upper_thres, refresh_lower_thres)
        self.d2d = self._check_d2d(d2d)
        object.__setattr__(self, "_sealed", True)

    def __setattr__(self, name: str, value) -> None:
        """Setting a parameter after construction validates it as the constructor does.

        The device is rebuilt with the new value (every check, including those between
        parameters, runs again) and takes the rebuilt state; nothing changes if it raises.
        """
        if name.startswith("_") or not self.__dict__.get("_sealed", False):
            object.__setattr__(self, name, value)
            return
        if name not in PARAMETERS:
            raise AttributeError(f"Memristor: {name!r} is not a parameter; parameters: "
                                 f"{', '.join(PARAMETERS)}")
        kwargs = {p: getattr(self, p) for p in PARAMETERS}
        kwargs[name] = value
        rebuilt = Memristor(**kwargs)
        self.__dict__.update(rebuilt.__dict__)

    # -- validation -----------------------------------------------------------------------------
    def _enabled(self, name: str) -> bool:
        return {"G_min": True, "G_max": True,
                "nl_ltp": self.nonlinear, "nl_ltd": self.nonlinear,
                "c2c": self.c2c > 0, "drift_tau": self.drift == "exponential",
                "drift_nu": self.drift == "power-law" and self.drift_nu_model is None,
                "read_noise": self.read_noise > 0,
                "dw_min": self.pulsed, "up_down": True, "reset": True,
                "lifetime": self.lifetime is not None, "diffusion": self.diffusion > 0}[name]

    def _check_write_side(self, write_noise_std, reset, reset_std, lifetime, diffusion,
                          corrupt_devices_prob, corrupt_devices_range) -> None:
        """Write noise, reset and decay, diffusion, corrupt devices (aihwkit's names)."""
        owner = "Memristor"
        self.write_noise_std = check_real(owner, "write_noise_std (in units of dw_min)",
                                          write_noise_std, 0.0)
        if self.write_noise_std and not self.pulsed:
            raise ValueError(f"{owner}: write_noise_std={write_noise_std!r} is in units of "
                             "dw_min, but the device is analog; set dw_min (or n_levels)")
        self.reset = check_real(owner, "reset (a fraction of the device's range)", reset,
                                0.0, 1.0)
        self.reset_std = check_real(owner, "reset_std (a fraction of the device's range)",
                                    reset_std, 0.0)
        self.lifetime = None if lifetime is None else check_time(owner, "lifetime",
                                                                 lifetime)[0]
        if self.lifetime is not None and self.drift == "exponential":
            raise ValueError(f"{owner}: lifetime={format_value(self.lifetime)} and "
                             "drift='exponential' are both an exponential decay of the state; "
                             "use one (lifetime decays toward reset, exponential drift toward "
                             "drift_G_rest)")
        self.diffusion = check_real(owner, "diffusion (a fraction of the range per "
                                    "sqrt(second))", diffusion, 0.0)
        self.corrupt_devices_prob = check_real(owner, "corrupt_devices_prob (a probability)",
                                               corrupt_devices_prob, 0.0, 1.0)
        self.corrupt_devices_range = check_real(
            owner, "corrupt_devices_range (a fraction of the range)", corrupt_devices_range,
            0.0, low_open=True)

    def _check_read_side(self, read_noise_scale, t_read, prog_noise_scale, prog_coeff,
                         drift_nu_model, drift_compensation) -> None:
        """PCM read and programming noise, drift exponents, drift compensation."""
        owner = "Memristor"
        self.read_noise_scale = check_real(owner, "read_noise_scale", read_noise_scale, 0.0)
        self.t_read = check_time(owner, "t_read", t_read)[0]
        self.prog_noise_scale = check_real(owner, "prog_noise_scale", prog_noise_scale, 0.0)
        if (isinstance(prog_coeff, str) or not hasattr(prog_coeff, "__len__")
                or len(prog_coeff) == 0):
            raise TypeError(f"{owner}: prog_coeff must be a non-empty sequence of numbers "
                            f"(polynomial coefficients, fractions of G_max), got {prog_coeff!r}")
        self.prog_coeff = tuple(check_real(owner, f"prog_coeff[{k}]", c)
                                for k, c in enumerate(prog_coeff))
        self.drift_nu_model = check_choice(owner, "drift_nu_model", drift_nu_model,
                                           DRIFT_NU_MODELS[1:]) if drift_nu_model else None
        self.drift_compensation = check_bool(owner, "drift_compensation", drift_compensation)
        for name, on in (("drift_nu_model", self.drift_nu_model),
                         ("drift_compensation", self.drift_compensation)):
            if on and self.drift != "power-law":
                raise ValueError(f"{owner}: {name}={on!r} needs drift='power-law', got "
                                 f"drift={self.drift!r}")

    def _check_pair(self, differential, refresh_upper_thres, refresh_lower_thres) -> None:
        """A differential pair and its refresh thresholds (aihwkit's ``OneSidedUnitCell``)."""
        owner = "Memristor"
        self.differential = check_bool(owner, "differential", differential)
        self.refresh_upper_thres = None if refresh_upper_thres is None else check_real(
            owner, "refresh_upper_thres (a fraction of the range)", refresh_upper_thres,
            0.0, 1.0, low_open=True)
        self.refresh_lower_thres = check_real(
            owner, "refresh_lower_thres (a fraction of the range)", refresh_lower_thres,
            0.0, 1.0)
        upper = self.refresh_upper_thres
        if upper is not None and self.refresh_lower_thres > upper:
            raise ValueError(f"{owner}: refresh_lower_thres must be <= refresh_upper_thres, "
                             f"got {refresh_lower_thres!r} > {refresh_upper_thres!r}")
        if self.differential:
            for name in NOT_DIFFERENTIAL:
                if getattr(self, name):
                    raise ValueError(
                        f"{owner}: differential=True does not model {name}="
                        f"{getattr(self, name)!r}; a pair supports the update models, levels, "
                        "c2c, d2d, drift, lifetime, read_noise, drift_compensation and reset")

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
            if std and key == "drift_nu" and self.drift_nu_model:
                raise ValueError(f"Memristor: d2d['drift_nu'] = {value!r} but "
                                 f"drift_nu_model={self.drift_nu_model!r} draws every drift "
                                 "exponent from its own fit; remove the entry")
            if std and not self._enabled(key):
                hint = ("set dw_min or n_levels" if key == "dw_min"
                        else f"e.g. a nonzero {key.split('_')[0]}...")
                raise ValueError(f"Memristor: d2d[{key!r}] = {value!r} but that feature is "
                                 f"off; enable it ({hint}) or remove the entry")
            if std:
                out[key] = std
        return out

    # -- presets --------------------------------------------------------------------------------
    @classmethod
    def preset(cls, name: str, **overrides) -> Memristor:
        """A device configured as a published one; ``overrides`` replace any of its arguments.

        Presets (name -- device: source; step model):

        * ``'nc'`` -- (CoFeB)x(LiNbO3)1-x nanocomposite: Sboev et al. 2021, Mathematics
          9:3237, NC rule Δw ∝ w (fit of Demin et al. 2021, Neural Networks 134:64);
          ``PiecewiseStep(up=(0, 1), down=(0, 1))``, analog, G_min = 0.
        * ``'ppx'`` -- poly-p-xylylene (parylene): Sboev et al. 2021, PPX rule
          Δw ∝ exp(-β·distance/d), β+ = 2.213043, β- = -5.969397 (the group's NEST PPX
          synapse); ``ExpStep(base=0)``, analog, G_min = 0.
        * ``'reram_es'`` -- aihwkit ``ReRamESPresetDevice`` (Gong et al. 2018, Nat. Commun.
          9:2102); ExpStep.
        * ``'reram_sb'`` -- aihwkit ``ReRamSBPresetDevice`` (Gong et al. 2018); soft bounds.
        * ``'reram_array_om'`` -- aihwkit ``ReRamArrayOMPresetDevice`` (Gong, Rasch et al.
          2022, IEDM); soft bounds.
        * ``'reram_array_hfo2'`` -- aihwkit ``ReRamArrayHfO2PresetDevice`` (Gong, Rasch et
          al. 2022, IEDM); soft bounds.
        * ``'capacitor'`` -- aihwkit ``CapacitorPresetDevice`` (Li et al. 2018, VLSI
          Technology); two-value PiecewiseStep (LinearStep), additive pulse noise.
        * ``'ecram'`` -- aihwkit ``EcRamPresetDevice`` (Tang et al. 2018, IEDM); two-value
          PiecewiseStep (LinearStep).
        * ``'ecram_mo'`` -- aihwkit ``EcRamMOPresetDevice`` (Kim et al. 2019, IEDM); two-value
          PiecewiseStep (LinearStep).
        * ``'idealized'`` -- aihwkit ``IdealizedPresetDevice`` (Gokmen & Vlasov 2016, Front.
          Neurosci. 10:333); constant step.
        * ``'gokmen_vlasov'`` -- aihwkit ``GokmenVlasovPresetDevice`` (Gokmen & Vlasov 2016);
          constant step.
        * ``'pcm'`` -- aihwkit ``PCMPresetDevice`` (Nandakumar et al. 2020, Front. Neurosci.
          14:406), ExpStep, with aihwkit's ``PCMLikeNoiseModel`` (g_max 25 µS, t_0 20 s):
          power-law drift with conductance-dependent exponents, programming noise, 1/f
          read noise; reset 0.005 ± 0.01 of the range.

        aihwkit values are converted from its weight units to the normalised state by
        :func:`spikeloom.models.devices.from_aihwkit`; what spikeloom does not model (bound
        spread, reference devices) or counts differently (write noise, leakage in
        mini-batches: not converted) is left out and
        listed per preset in ``PRESETS[name].omitted`` and ``docs/devices.md``. The NC and
        PPX presets carry the weight dependence of their fits as the device's step law (for
        a rule without its own weight dependence, e.g. additive ``PairSTDP``;
        ``NanocompositeSTDP``/``ParyleneSTDP`` already contain it); nothing else about those
        devices is published: they are analog, with ``G_min = 0`` (w = G/G_max).

        Parameters
        ----------
        name : str
            One of the names above (``PRESETS``).
        **overrides
            Memristor arguments that replace the preset's (e.g. ``d2d=None``,
            ``dw_min_std=0``, ``rounding='stochastic'``). One that turns a feature off
            (``drift=None``) also drops the preset's device spread of that feature (and,
            for drift, ``drift_nu_model`` and ``drift_compensation``).

        Examples
        --------
        >>> dev = Memristor.preset("ecram", dw_min_std=0.0)
        >>> dev.dw_min, dev.dw_min_std
        (0.001, 0.0)
        >>> Memristor.preset("nc").step_model
        PiecewiseStep(up=(0.0, 1.0), down=(0.0, 1.0), nodes=None)
        """
        from ._presets import PRESETS

        if not isinstance(name, str) or name not in PRESETS:
            raise ValueError(f"Memristor.preset: name must be one of "
                             f"{', '.join(repr(k) for k in PRESETS)}, got {name!r}")
        unknown = [k for k in overrides if k not in PARAMETERS]
        if unknown:
            raise TypeError(f"Memristor.preset: unknown argument {unknown[0]!r}; Memristor "
                            f"arguments: {', '.join(PARAMETERS)}")
        kwargs = PRESETS[name].make()
        kwargs.update(overrides)
        if "drift" in overrides and overrides["drift"] != "power-law":
            # drift turned off (or changed): what needs power-law drift goes with it
            kwargs.update({k: v for k, v in DRIFT_DEPENDENT.items() if k not in overrides})
        if "d2d" not in overrides and kwargs.get("d2d"):
            # an override that turns a feature off (drift=None) drops its preset spread
            enabled = cls(**{**kwargs, "d2d": None})._enabled
            kwargs["d2d"] = {k: v for k, v in kwargs["d2d"].items() if enabled(k)}
        return cls(**kwargs)

    # -- properties -----------------------------------------------------------------------------
    @property
    def nonlinear(self) -> bool:
        return bool(self.nl_ltp or self.nl_ltd)

    @property
    def pulsed(self) -> bool:
        """True if updates are whole numbers of pulses (``dw_min`` or ``n_levels`` given)."""
        return self.dw_min is not None or self.n_levels is not None

    @property
    def step(self) -> float | None:
        """Nominal size of one pulse (fraction of the range): ``dw_min``, one level, or None."""
        if self.dw_min is not None:
            return self.dw_min
        if self.n_levels is not None:
            return 1.0 / (self.n_levels - 1)
        return None

    @property
    def update_path(self) -> bool:
        """True if updates go through the device model (anything but drift/read noise on)."""
        return bool(self.pulsed or self.nonlinear or self.soft_bounds or self.c2c
                    or self.up_down or self.step_model is not None
                    or any(k in self.d2d for k in ("G_min", "G_max", "nl_ltp", "nl_ltd",
                                                   "c2c", "dw_min", "up_down"))
                    or self.p_stuck_min or self.p_stuck_max or self._wrapped
                    or self.corrupt_devices_prob)

    @property
    def is_ideal(self) -> bool:
        """True if every non-ideality is off (the rule's code is left unchanged)."""
        return not (self.update_path or self.drift or self.read_noise or self._stateful
                    or "reset" in self.d2d)

    @property
    def stuck(self) -> bool:
        """True if some devices never change (stuck at a bound, or corrupt)."""
        return bool(self.p_stuck_min or self.p_stuck_max or self.corrupt_devices_prob)

    @property
    def _timed(self) -> bool:
        """True if the read depends on the time since programming (clock ``mem_tprog``)."""
        return bool(self.drift or self.lifetime is not None or self.read_noise_scale)

    @property
    def _stateful(self) -> bool:
        """True if the weight read differs from the programmed ``w`` (the rule reads
        ``mem_w``, a programming event stores ``w``)."""
        return bool(self._timed or self.write_noise_std or self.diffusion
                    or self.differential)

    @property
    def _wrapped(self) -> bool:
        """True if :meth:`apply` runs its core inside the write-side statements."""
        return bool(self.differential or self.write_noise_std or self.prog_noise_scale
                    or self.drift_nu_model)

    @property
    def _reset_stored(self) -> bool:
        """True if the code reads the reset weight ``mem_wrst`` (decay target, refresh)."""
        return self.lifetime is not None or self.differential

    def __repr__(self) -> str:
        defaults = Memristor()
        parts = []
        for name in PARAMETERS:
            value, default = getattr(self, name), getattr(defaults, name)
            if value is None or default is None:
                same = value is default
            elif isinstance(value, units.Quantity):
                same = (get_dim(value) == get_dim(default)
                        and float(si_value(value)) == float(si_value(default)))
            else:
                same = value == default
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

    def pulse_steps(self, gain=1.0, up_down=None) -> tuple[np.ndarray, np.ndarray]:
        """Up and down step of one pulse (fractions of the range) for per-device draws.

        Parameters
        ----------
        gain : float or array
            The device's ``dw_min`` relative to the nominal one (1: nominal).
        up_down : float or array, optional
            The device's asymmetry (default: the nominal ``up_down``).

        Returns
        -------
        (ndarray, ndarray)
            ``step·gain·(1 + min(ud, 0) + r)`` and ``step·gain·(1 - max(ud, 0) - r)`` with
            ``r = up_down - ud`` the device's deviation from the nominal ``ud``, as aihwkit
            draws ``up_down_dtod``. In analog mode the step is 1: the factors that scale a
            request.
        """
        base = self.step if self.pulsed else 1.0
        ud = self.up_down
        r = 0.0 if up_down is None else np.asarray(up_down, dtype=np.float64) - ud
        g = np.asarray(gain, dtype=np.float64)
        return base * g * (1 + min(ud, 0.0) + r), base * g * (1 - max(ud, 0.0) - r)

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
        if self.step_model is not None:
            ns.update(self.step_model.constants())
        ns["mem_wspan"] = float(w_max - w_min)
        ns["mem_wzero"] = float(w_zero)
        if self.n_levels:
            ns["mem_nlev"] = float(self.n_levels - 1)
        if self.pulsed:
            ns["mem_dwn"] = float(self.step)
            if self.dw_min_std:
                ns["mem_pstd"] = self.dw_min_std
        if self._asymmetric:
            if self._per_synapse("dw_min") or self._per_synapse("up_down"):
                dev.model += ["mem_sup : 1 (constant)", "mem_sdn : 1 (constant)"]
            else:
                s_up, s_dn = self.pulse_steps()
                ns.update(mem_sup=float(s_up), mem_sdn=float(s_dn))
        dev.update_path = self.update_path
        _readwrite.declare(self, dev, ns, w_min, w_max, scale, w_zero)
        _readwrite.read_side(self, dev, ns, scale, w_zero)
        return dev

    @property
    def _asymmetric(self) -> bool:
        """True if the code needs the per-direction steps ``mem_sup``/``mem_sdn``.

        Pulsed devices always use them; an analog device only with an up/down asymmetry
        (so that an analog device without one keeps its former, bit-identical code).
        """
        return self.pulsed or bool(self.up_down) or self._per_synapse("up_down")

    def apply(self, weight: str, dw: str) -> list[str]:
        """Statements adding the rule's increment ``dw`` to ``weight`` through the device.

        They leave ``mem_chg`` = 1 if the update was a programming event (>= 1 pulse, device
        not stuck), else 0; :meth:`epilogue` reads it. With write noise, programming noise,
        PCM drift exponents or a differential pair, the statements below (the core) act on
        the true state of one device, inside those of :func:`_readwrite.wrapped_apply`.
        """
        if self._wrapped and weight not in _readwrite.CORE_WEIGHTS:
            return _readwrite.wrapped_apply(self, weight, dw)
        lines = [f"mem_dp = {dw}/mem_wspan"]
        if self.pulsed:
            offset = "0.5" if self.rounding == "nearest" else "rand()"
            lines.append(f"mem_n = floor(abs(mem_dp)/mem_dwn + {offset})")
            event, guard = "int(mem_n > 0)", "mem_n > 0"
        else:
            if self._asymmetric:  # analog: the asymmetry scales the request
                lines.append("mem_dp = mem_dp*(int(mem_dp > 0)*mem_sup + int(mem_dp < 0)*mem_sdn)")
            event, guard = "int(mem_dp != 0)", "mem_dp != 0"
        # the device's work is done only for a programming event (most STDP requests are
        # below half a pulse); where there is none its temporaries are 0 and unused
        lines += _readwrite.guarded(self._event(weight, event), guard)
        changed = f"{event}*mem_ok" if self.stuck else event
        lines += [f"mem_chg = {changed}",
                  f"{weight} = mem_chg*(mem_wlo + mem_xn*(mem_whi - mem_wlo))"
                  f" + (1 - mem_chg)*{weight}"]
        return lines

    def _event(self, weight: str, event: str) -> list[str]:
        """Statements of one programming event: the new state ``mem_xn`` in [0, 1]."""
        lines = [f"mem_x = ({weight} - mem_wlo)/(mem_whi - mem_wlo)"]
        lines += self._pulses() if self.pulsed else self._analog()
        if self.c2c and self.c2c_mode == "relative":
            lines.append("mem_xn = mem_x + (mem_xn - mem_x)*(1 + mem_c2c*randn())")
        elif self.c2c:
            lines.append(f"mem_xn = mem_xn + {event}*mem_c2c*randn()")
        lines.append("mem_xn = clip(mem_xn, 0, 1)")
        if self.n_levels:
            # nearest level, but not past the start against the pulses: from a drifted
            # (off-level) state a depression must not round up above where it began
            tol = format_value(LEVEL_TOLERANCE)
            lines += ["mem_k = floor(mem_xn*mem_nlev + 0.5)",
                      f"mem_k = mem_up*clip(mem_k, ceil(mem_x*mem_nlev - {tol}), inf)"
                      f" + (1 - mem_up)*clip(mem_k, -inf, floor(mem_x*mem_nlev + {tol}))",
                      "mem_xn = mem_k/mem_nlev"]
        return lines

    def _analog(self) -> list[str]:
        """One pulse of the requested size |Δp| (the model before pulses existed)."""
        if self.nonlinear:
            return [
                "mem_up = int(mem_dp > 0)",
                "mem_xn = mem_x + mem_up*mem_dp*exprel(-mem_nlp*mem_dp)*(1/exprel(-mem_nlp)"
                " - mem_nlp*mem_x) + (1 - mem_up)*mem_dp*exprel(mem_nld*mem_dp)"
                "*(1/exprel(-mem_nld) - mem_nld*(1 - mem_x))"]
        if self.soft_bounds:
            return ["mem_up = int(mem_dp > 0)",
                    "mem_xn = mem_x + mem_dp*(mem_up*(1 - mem_x) + (1 - mem_up)*mem_x)"]
        if self.step_model is not None:
            # the request is the advance along the device's curve
            return ["mem_up = int(mem_dp > 0)", "mem_sg = 2*mem_up - 1",
                    f"mem_P = clip(abs(mem_dp), 0, {P_LIMIT!r})", *self.step_model.lines()]
        return ["mem_up = int(mem_dp > 0)", "mem_xn = mem_x + mem_dp"]

    def _pulses(self) -> list[str]:
        """n = round(|Δp|/dw_min) pulses (``mem_n``, from :meth:`apply`) of the device's step,
        in closed form.

        Temporaries: ``mem_up`` (1 up, 0 down), ``mem_n`` (pulses), ``mem_s`` (this
        device's step in that direction), ``mem_sg`` (+1/-1), ``mem_xn`` (new state).
        """
        lines = ["mem_up = int(mem_dp > 0)",
                 "mem_s = mem_up*mem_sup + (1 - mem_up)*mem_sdn",
                 "mem_sg = 2*mem_up - 1"]
        mult = bool(self.dw_min_std) and self.dw_min_std_mode == "multiplicative"
        add = bool(self.dw_min_std) and self.dw_min_std_mode == "additive"
        # additive pulse noise: a kick of std sigma_a = dw_min_std*dw_min per pulse, which
        # the later pulses contract by r each: variance sigma_a^2 * sum_{k<n} r^(2k)
        if self.step_model is not None:
            # the pulses add up along the curve: multiplicative noise is one Gaussian advance
            noise = " + mem_pstd*sqrt(mem_n)*randn()" if mult else ""
            lines.append(f"mem_P = clip(mem_s*(mem_n{noise}), {-P_LIMIT!r}, {P_LIMIT!r})")
            lines += self.step_model.lines()
            if add:
                lines += self.step_model.additive_lines()
        elif self.nonlinear:
            # the pulses add up along the curve (p-space): multiplicative noise is exact there
            noise = " + mem_pstd*sqrt(mem_n)*randn()" if mult else ""
            lines += [
                f"mem_P = mem_sg*mem_s*(mem_n{noise})",
                "mem_xn = mem_x + mem_up*mem_P*exprel(-mem_nlp*mem_P)*(1/exprel(-mem_nlp)"
                " - mem_nlp*mem_x) + (1 - mem_up)*mem_P*exprel(mem_nld*mem_P)"
                "*(1/exprel(-mem_nld) - mem_nld*(1 - mem_x))"]
            if add:
                # per-pulse contraction r = exp(-nu*s): sum = n*exprel(-2 nu s n)/exprel(-2 nu s)
                lines += ["mem_a = 2*(mem_up*mem_nlp + (1 - mem_up)*mem_nld)*mem_s",
                          "mem_xn = mem_xn + mem_pstd*mem_dwn*sqrt(mem_n*exprel(-mem_a*mem_n)"
                          "/exprel(-mem_a))*randn()"]
        elif self.soft_bounds:
            # b = distance to the bound the pulses approach; each pulse multiplies it by 1 - s
            lines += ["mem_b = mem_up*(1 - mem_x) + (1 - mem_up)*mem_x",
                      "mem_r = (1 - mem_s)**mem_n"]
            if mult:
                # exact mean and variance of b*prod_k (1 - s(1 + sigma xi_k)): the variance
                # A^n - r^2 (A = (1 - s)^2 + (s sigma)^2) as -A^n expm1(L), L = n log(1 - c),
                # c = (s sigma)^2/A: the difference of two nearly equal powers would magnify
                # their last-bit errors ~1/(n c) times. log1p(-c) = -c/exprel(log(1 - c))
                # (Goldberg's log1p, the rounding of 1 - c cancels), expm1(L) = L exprel(L)
                lines += ["mem_A = (1 - mem_s)**2 + (mem_s*mem_pstd)**2",
                          "mem_c = (mem_s*mem_pstd)**2/mem_A",
                          "mem_L = clip(-mem_n*mem_c/exprel(log(1 - mem_c)), -745, 0)",
                          "mem_bn = mem_b*(mem_r + sqrt(-mem_A**mem_n*mem_L*exprel(mem_L))"
                          "*randn())"]
            else:
                lines.append("mem_bn = mem_b*mem_r")
            lines.append("mem_xn = mem_x + mem_sg*(mem_b - mem_bn)")
            if add:
                lines.append("mem_xn = mem_xn + mem_pstd*mem_dwn*sqrt((1 - mem_r**2)"
                             "/(mem_s*(2 - mem_s)))*randn()")
        else:
            if mult:
                lines.append("mem_xn = mem_x + mem_sg*mem_s*(mem_n + mem_pstd*sqrt(mem_n)*randn())")
            else:
                lines.append("mem_xn = mem_x + mem_sg*mem_s*mem_n")
            if add:
                lines.append("mem_xn = mem_xn + mem_pstd*mem_dwn*sqrt(mem_n)*randn()")
        return lines

    def epilogue(self, dw: str) -> list[str]:
        """Statements closing a pathway: store the programmed weight and time (drift).

        Only a programming event (``mem_chg`` of :meth:`apply`; without the update path, a
        nonzero request, which the rule adds in one go) rewrites ``w``, restarts the
        clock ``mem_tprog`` and takes the diffusion walk into the programmed state (a pair
        stores its devices in :meth:`apply`).
        """
        return _readwrite.epilogue(self, dw)

    # -- per-synapse initialisation -----------------------------------------------------------
    def initialize(self, synapses, w_min: float, w_max: float,
                   rng: np.random.Generator) -> None:
        """Draw the per-device parameters and faults of ``synapses`` and place the weights.

        See :func:`spikeloom.models.devices._variability.initialize_devices`.
        """
        initialize_devices(self, synapses, w_min, w_max, rng)

    def reset_devices(self, synapses, *, indices=None, t=None,
                      seed: int | None = None) -> None:
        """Reset devices of ``synapses`` between runs, as aihwkit's ``reset``.

        Each selected device that is not stuck or corrupt goes to its reset state
        ``x = clip(reset_i + reset_std·ξ, 0, 1)`` (a fraction of its range; ``reset_i`` the
        nominal ``reset`` plus its device spread ``d2d['reset']``, drawn at initialisation;
        with ``n_levels`` the nearest level), counts as programmed at ``t`` (the drift,
        decay and diffusion clocks restart, the diffusion walk is cleared) and draws
        a new write-noise offset and, with ``drift_nu_model``, a new drift exponent. Both
        devices of a pair are reset, each with its own ξ.

        Parameters
        ----------
        synapses : Synapses
            Built by a rule with this device and initialised.
        indices : array of int or bool, optional
            Synapses to reset (default: all).
        t : Quantity (time), optional
            Time of the reset (default: ``synapses.t``, the end of the last run of the
            synapses' network; the clock is shared, so pass ``t`` if another network ran
            since).
        seed : int, optional
            Seed of the draws (ξ, write noise, drift exponents); None: NumPy's global
            generator.
        """
        if seed is None:
            seed = int(np.random.randint(0, 2**62))
        now = check_time("Memristor.reset_devices", "t", synapses.t if t is None else t,
                         positive=False, nonnegative=True)[1]
        reset_devices(self, synapses, np.random.default_rng(seed), indices, now)


