"""Plasticity fitted to memristor conductance changes (Sboev et al. 2021, Demin et al. 2021).

* :class:`NanocompositeSTDP` -- the (CoFeB)x(LiNbO3)1-x nanocomposite (NC) rule,
  NEST ``stdp_tanh_synapse`` of the Kurchatov group; Brian2 form by M. Stimberg (forum seed).
* :class:`ParyleneSTDP` -- the poly-p-xylylene (PPX) rule, NEST
  ``stdp_gaussian_times_linear_with_separate_exp_r_dependence_synapse``.

Both default to symmetric nearest-neighbour pairing and to weights clipped to
[w_min, w_max], as the NEST models (a device's conductance is bounded); ``clip=False`` is the
explicit choice of the unclipped forum script.
"""

from __future__ import annotations

from ... import units
from .._validation import check_bool, check_real, check_time
from ._pairing import Branch
from ._rule import PlasticityRule


class NanocompositeSTDP(PlasticityRule):
    r"""Nanocomposite (NC) memristor STDP, multiplicative with a sigmoidal window.

    For Δt = t_post - t_pre::

        Δw = A_plus  · w · (1 + tanh(-(Δt - mu_plus)/tau_plus))    (Δt > 0)
        Δw = A_minus · w · (1 + tanh((Δt - mu_minus)/tau_minus))   (Δt < 0)

    and ``w`` is clipped to [0, w_max] after each update (``clip=True``, the default).

    The amplitudes and windows default to the Brian2 forum example (Sboev et al. 2021,
    Mathematics 9:3237); :meth:`nest_fit` gives the group's NEST ``stdp_tanh_synapse``
    defaults (Demin et al. 2021, Neural Networks 134:64), which differ mainly in A_minus
    (-0.04964). The forum script does not clip: reproduce it with ``clip=False``.

    Parameters
    ----------
    A_plus, A_minus : float
        Relative amplitudes (dimensionless; A_minus < 0 depresses).
    mu_plus, mu_minus : Quantity (time)
        Centres of the potentiation and depression windows (mu_minus < 0).
    tau_plus, tau_minus : Quantity (time)
        Widths of the windows (> 0; NEST stores tau_minus with a negative sign, here it is
        the magnitude).
    w_max : float
        Upper weight bound (the lower one is 0); maps to the device's G_max.
    clip : bool
        True (default, as NEST): clip every update to [0, w_max]. False: no clip, as the
        forum script; potentiation then grows w without bound (Δw ∝ w), and the first such
        rule of a process issues an :class:`UnboundedWeightWarning`.
    pairing : str
        'nn_symm' (default, as NEST) or any other scheme.
    device : Memristor, optional
    n_history : int
        Spikes remembered per side for 'all-to-all' and 'nn_pre_centered' pairing.
    coincident : {'discard', 'potentiate'}
        Same-step pre and post spikes: no pair (NEST, default) or a Δt = 0 potentiation pair.

    Examples
    --------
    >>> from spikeloom import ms
    >>> rule = NanocompositeSTDP()
    >>> round(float(rule.delta_w(10*ms, 0.4)), 4)
    0.0576
    >>> round(float(rule.delta_w(10*ms, 0.95)), 6)  # clipped at w_max = 1
    0.05
    """

    def __init__(self, A_plus: float = 0.074, A_minus: float = -0.047,
                 mu_plus=26.7 * units.ms, mu_minus=-22.3 * units.ms, tau_plus=9.3 * units.ms,
                 tau_minus=10.8 * units.ms, w_max: float = 1.0, *, clip: bool = True,
                 pairing: str = "nn_symm", device=None, n_history: int = 8,
                 coincident: str = "discard") -> None:
        super().__init__(pairing=pairing, device=device, n_history=n_history,
                         coincident=coincident)
        owner = "NanocompositeSTDP"
        self.A_plus = check_real(owner, "A_plus", A_plus)
        self.A_minus = check_real(owner, "A_minus", A_minus)
        self.mu_plus, _ = check_time(owner, "mu_plus", mu_plus, positive=False)
        self.mu_minus, _ = check_time(owner, "mu_minus", mu_minus, positive=False)
        self.tau_plus, _ = check_time(owner, "tau_plus", tau_plus)
        self.tau_minus, _ = check_time(owner, "tau_minus", tau_minus)
        self.w_max = check_real(owner, "w_max", w_max, 0.0, low_open=True)
        self.w_min = 0.0
        self.clip = check_bool(owner, "clip", clip)

    @classmethod
    def nest_fit(cls, **overrides) -> NanocompositeSTDP:
        """The defaults of NEST's ``stdp_tanh_synapse`` (clipped to [0, w_max]).

        a+ = 0.07376001, a- = -0.04963700, mu+ = 26.730657 ms, mu- = -22.325266 ms,
        tau+ = 9.300597 ms, tau- = 10.811802 ms (stored as -10.811802 ms in NEST),
        Wmax = 1 (``sag111/Sparse-WTA-SNN``, from Demin et al. 2021).
        """
        params = dict(A_plus=0.07376001, A_minus=-0.04963700, mu_plus=26.730657 * units.ms,
                      mu_minus=-22.325266 * units.ms, tau_plus=9.300597 * units.ms,
                      tau_minus=10.811802 * units.ms, w_max=1.0, clip=True)
        params.update(overrides)
        return cls(**params)

    def _parameters(self) -> dict:
        return {"A_plus": self.A_plus, "A_minus": self.A_minus, "mu_plus": self.mu_plus,
                "mu_minus": self.mu_minus, "tau_plus": self.tau_plus,
                "tau_minus": self.tau_minus, "w_max": self.w_max}

    def _repr_items(self) -> dict:
        return {**self._parameters(), "clip": self.clip}

    def _branches(self) -> tuple[Branch, Branch]:
        return (Branch("A_plus*{w}", "1 + tanh(-({dt} - mu_plus)/tau_plus)"),
                Branch("A_minus*{w}", "1 + tanh(({dt} - mu_minus)/tau_minus)"))

    def _bounds(self) -> tuple[str, str] | None:
        return ("0", "w_max") if self.clip else None


class ParyleneSTDP(PlasticityRule):
    r"""Parylene (PPX) memristor STDP: linear × Gaussian window, exponential weight dependence.

    With d = w_max - w_min and Δt = t_post - t_pre::

        Δw = +alpha_plus  · exp(-beta_plus ·(w_max - w)/d) · (Δt/tau_plus)
                          · exp(-gamma_plus ·(Δt/tau_plus)²)      (0 < Δt <= dt_max)
        Δw = -alpha_minus · exp(-beta_minus·(w - w_min)/d) · (|Δt|/tau_minus)
                          · exp(-gamma_minus·(Δt/tau_minus)²)     (-dt_max <= Δt < 0)

    no change for ``|Δt|`` > dt_max, and w is clipped to [w_min, w_max]. Defaults: NEST
    ``stdp_gaussian_times_linear_with_separate_exp_r_dependence_synapse`` of the Kurchatov
    group (Sboev et al. 2021); :meth:`legacy_fit` gives the module's older fit.

    Parameters
    ----------
    alpha_plus, alpha_minus : float
        Amplitudes (weight units, >= 0).
    beta_plus, beta_minus : float
        Weight-dependence exponents (dimensionless; beta_minus < 0 makes depression grow
        steeply with w).
    gamma_plus, gamma_minus : float
        Widths of the Gaussian factors (dimensionless, >= 0).
    tau_plus, tau_minus : Quantity (time)
        Time scales of the window (> 0).
    dt_max : Quantity (time)
        Largest ``|Δt|`` that changes the weight (> 0).
    w_min, w_max : float
        Weight bounds (w_max > w_min).
    clip : bool
        Clip to [w_min, w_max] after each update (True, as NEST); False leaves the weights
        unbounded (an :class:`UnboundedWeightWarning`, once per process).
    pairing : str
        'nn_symm' (default, as NEST) or any other scheme.
    device : Memristor, optional
    n_history : int
        Spikes remembered per side for 'all-to-all' and 'nn_pre_centered' pairing.
    coincident : {'discard', 'potentiate'}
        Same-step pre and post spikes: no pair (NEST, default) or a Δt = 0 potentiation pair.
    """

    def __init__(self, alpha_plus: float = 0.316198, alpha_minus: float = 0.011298,
                 beta_plus: float = 2.213043, beta_minus: float = -5.969397,
                 gamma_plus: float = 0.031839, gamma_minus: float = 0.145683,
                 tau_plus=10 * units.ms, tau_minus=10 * units.ms, dt_max=500 * units.ms,
                 w_min: float = 0.0, w_max: float = 1.0, *, clip: bool = True,
                 pairing: str = "nn_symm", device=None, n_history: int = 8,
                 coincident: str = "discard") -> None:
        super().__init__(pairing=pairing, device=device, n_history=n_history,
                         coincident=coincident)
        owner = "ParyleneSTDP"
        self.alpha_plus = check_real(owner, "alpha_plus", alpha_plus, 0.0)
        self.alpha_minus = check_real(owner, "alpha_minus", alpha_minus, 0.0)
        self.beta_plus = check_real(owner, "beta_plus", beta_plus)
        self.beta_minus = check_real(owner, "beta_minus", beta_minus)
        self.gamma_plus = check_real(owner, "gamma_plus", gamma_plus, 0.0)
        self.gamma_minus = check_real(owner, "gamma_minus", gamma_minus, 0.0)
        self.tau_plus, _ = check_time(owner, "tau_plus", tau_plus)
        self.tau_minus, _ = check_time(owner, "tau_minus", tau_minus)
        self.dt_max, _ = check_time(owner, "dt_max", dt_max)
        self.w_min = check_real(owner, "w_min", w_min)
        self.w_max = check_real(owner, "w_max", w_max)
        if self.w_max <= self.w_min:
            raise ValueError(f"{owner}: w_max must be larger than w_min, got w_min={w_min!r}, "
                             f"w_max={w_max!r}")
        self.clip = check_bool(owner, "clip", clip)

    @classmethod
    def nest_fit(cls, **overrides) -> ParyleneSTDP:
        """The NEST module's defaults (the same as the constructor's)."""
        return cls(**overrides)

    @classmethod
    def legacy_fit(cls, **overrides) -> ParyleneSTDP:
        """The NEST module's older ("_old") PPX fit, Δt normalised by Δt_max = 500 ms.

        alpha+ = 29, alpha- = 14, beta+ = -3, beta- = -3.5, gamma+ = 14.5, gamma- = 41.5,
        w_min = 1e-5, w_max = 1e-2; here tau_plus = tau_minus = dt_max = 500 ms (our reading
        of "normalised by Δt_max"; unconfirmed).
        """
        params = dict(alpha_plus=29.0, alpha_minus=14.0, beta_plus=-3.0, beta_minus=-3.5,
                      gamma_plus=14.5, gamma_minus=41.5, tau_plus=500 * units.ms,
                      tau_minus=500 * units.ms, dt_max=500 * units.ms, w_min=1e-5, w_max=1e-2)
        params.update(overrides)
        return cls(**params)

    def _parameters(self) -> dict:
        return {name: getattr(self, name) for name in (
            "alpha_plus", "alpha_minus", "beta_plus", "beta_minus", "gamma_plus",
            "gamma_minus", "tau_plus", "tau_minus", "dt_max", "w_min", "w_max")}

    def _repr_items(self) -> dict:
        return {**self._parameters(), "clip": self.clip}

    def _branches(self) -> tuple[Branch, Branch]:
        return (Branch("alpha_plus*exp(-beta_plus*(w_max - {w})/(w_max - w_min))",
                       "({dt}/tau_plus)*exp(-gamma_plus*({dt}/tau_plus)**2)"
                       "*int({dt} <= dt_max)"),
                Branch("-alpha_minus*exp(-beta_minus*({w} - w_min)/(w_max - w_min))",
                       "(-{dt}/tau_minus)*exp(-gamma_minus*({dt}/tau_minus)**2)"
                       "*int(-{dt} <= dt_max)"))

    def _bounds(self) -> tuple[str, str] | None:
        return ("w_min", "w_max") if self.clip else None
