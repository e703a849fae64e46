"""Pair-based STDP with exponential windows (Bi & Poo 1998; Song, Miller & Abbott 2000).

For Δt = t_post - t_pre::

    Δw = A_plus  · f_+(w) · exp(-Δt/tau_plus)     (Δt > 0)
    Δw = A_minus · f_-(w) · exp(+Δt/tau_minus)    (Δt < 0, A_minus < 0 depresses)

with the weight dependence of Gütig et al. (2003),
``f_+(w) = ((w_max - w)/(w_max - w_min))^mu_plus``,
``f_-(w) = ((w - w_min)/(w_max - w_min))^mu_minus``: additive (mu = 0), multiplicative
(mu = 1) or in between. With all-to-all pairing the sums over pairs are kept in traces (Morrison,
Diesmann & Gerstner 2008), as in Brian2's Song 2000 example.
"""

from __future__ import annotations

from ... import units
from .._validation import check_choice, check_real, check_time
from ._pairing import Branch
from ._rule import PlasticityRule

WEIGHT_DEPENDENCES = ("additive", "multiplicative")
BOUNDS = ("hard", "soft")


class PairSTDP(PlasticityRule):
    """Trace-based pair STDP: additive or multiplicative, any pairing scheme, hard or soft bounds.

    Parameters
    ----------
    A_plus : float
        Potentiation amplitude (weight units, dimensionless; > 0 for Hebbian STDP).
    A_minus : float
        Depression amplitude (weight units; < 0 depresses).
    tau_plus, tau_minus : Quantity (time)
        Time constants of the potentiation and depression windows (> 0).
    w_min, w_max : float
        Weight bounds (w_max > w_min).
    weight_dependence : {'additive', 'multiplicative'}, float or (float, float)
        Exponents (mu_plus, mu_minus) of the weight dependence: 'additive' = (0, 0),
        'multiplicative' = (1, 1), a number mu in [0, 1] = (mu, mu) (Gütig et al. 2003).
    bounds : {'hard', 'soft'}
        'hard' clips every update to [w_min, w_max]; 'soft' does not clip and relies on a
        weight dependence with mu > 0 (the steps vanish at the bounds, so weights stay
        inside as long as one step is smaller than the distance to the bound; no
        :class:`UnboundedWeightWarning`).
    pairing : str
        'all-to-all' (default), 'nn_symm' (alias 'nearest'), 'nn_pre_centered', 'nn_restr';
        see :mod:`spikeloom.models.plasticity`.
    device : Memristor, optional
        Device model under the weight.
    n_history : int
        Unused by this rule (its kernels are exponential); kept for a uniform interface.
    coincident : {'discard', 'potentiate'}
        A pre and a post spike in the same time step: discarded as a pair (NEST, default) or
        a Δt = 0 potentiation pair (Brian2's trace idiom, e.g. its Song 2000 example).

    Examples
    --------
    Song, Miller & Abbott (2000) as in Brian2's example (gmax = 0.01):

    >>> from spikeloom import ms
    >>> rule = PairSTDP(A_plus=1e-4, A_minus=-1.05e-4, tau_plus=20*ms, tau_minus=20*ms,
    ...                 w_max=0.01)
    >>> print(rule.equations.on_pre.splitlines()[0])
    stdp_dwd = (A_minus)*kpost
    """

    def __init__(self, A_plus: float = 0.01, A_minus: float = -0.0105,
                 tau_plus=20 * units.ms, tau_minus=20 * units.ms, w_min: float = 0.0,
                 w_max: float = 1.0, *, weight_dependence="additive", bounds: str = "hard",
                 pairing: str = "all-to-all", device=None, n_history: int = 8,
                 coincident: str = "discard") -> None:
        super().__init__(pairing=pairing, device=device, n_history=n_history,
                         coincident=coincident)
        owner = "PairSTDP"
        self.A_plus = check_real(owner, "A_plus", A_plus)
        self.A_minus = check_real(owner, "A_minus", A_minus)
        self.tau_plus, _ = check_time(owner, "tau_plus", tau_plus)
        self.tau_minus, _ = check_time(owner, "tau_minus", tau_minus)
        self.w_min = check_real(owner, "w_min", w_min)
        self.w_max = check_real(owner, "w_max", w_max)
        if self.w_max <= self.w_min:
            raise ValueError(f"{owner}: w_max must be larger than w_min, got w_min={w_min!r}, "
                             f"w_max={w_max!r}")
        self.weight_dependence = weight_dependence
        self.mu_plus, self.mu_minus = _exponents(owner, weight_dependence)
        self.bounds = check_choice(owner, "bounds", bounds, BOUNDS)
        if self.bounds == "soft" and (self.mu_plus == 0 or self.mu_minus == 0):
            raise ValueError(f"{owner}: bounds='soft' needs a weight dependence with mu > 0 on "
                             f"both sides (got weight_dependence={weight_dependence!r}); use "
                             "'multiplicative' or bounds='hard'")

    def _parameters(self) -> dict:
        ns = {"A_plus": self.A_plus, "A_minus": self.A_minus, "tau_plus": self.tau_plus,
              "tau_minus": self.tau_minus, "w_min": self.w_min, "w_max": self.w_max}
        if self.mu_plus not in (0.0, 1.0):
            ns["mu_plus"] = self.mu_plus
        if self.mu_minus not in (0.0, 1.0):
            ns["mu_minus"] = self.mu_minus
        return ns

    def _repr_items(self) -> dict:
        items = {k: v for k, v in self._parameters().items() if not k.startswith("mu_")}
        items["weight_dependence"] = self.weight_dependence
        items["bounds"] = self.bounds
        return items

    def _branches(self) -> tuple[Branch, Branch]:
        up = _factor("A_plus", "(w_max - {w})/(w_max - w_min)", self.mu_plus, "mu_plus")
        down = _factor("A_minus", "({w} - w_min)/(w_max - w_min)", self.mu_minus, "mu_minus")
        return (Branch(up, "exp(-{dt}/tau_plus)", "tau_plus"),
                Branch(down, "exp({dt}/tau_minus)", "tau_minus"))

    def _bounds(self) -> tuple[str, str] | None:
        return ("w_min", "w_max") if self.bounds == "hard" else None

    def _unbounded(self) -> str | None:
        return None  # 'soft': the weight dependence (mu > 0, checked) is the bound


def _exponents(owner: str, dependence) -> tuple[float, float]:
    if isinstance(dependence, str):
        check_choice(owner, "weight_dependence", dependence, WEIGHT_DEPENDENCES)
        return (0.0, 0.0) if dependence == "additive" else (1.0, 1.0)
    if isinstance(dependence, tuple | list) and len(dependence) == 2:
        return (check_real(owner, "weight_dependence[0]", dependence[0], 0.0),
                check_real(owner, "weight_dependence[1]", dependence[1], 0.0))
    try:
        mu = check_real(owner, "weight_dependence", dependence, 0.0)
    except TypeError:
        raise ValueError(f"{owner}: weight_dependence must be 'additive', 'multiplicative', an "
                         f"exponent mu >= 0 or a pair (mu_plus, mu_minus), got "
                         f"{dependence!r}") from None
    return mu, mu


def _factor(amplitude: str, base: str, mu: float, name: str) -> str:
    if mu == 0:
        return amplitude
    if mu == 1:
        return f"{amplitude}*{base}"
    return f"{amplitude}*clip({base}, 0, inf)**{name}"
