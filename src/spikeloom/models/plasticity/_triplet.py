"""Triplet STDP (Pfister & Gerstner 2006, J. Neurosci. 26:9673, eqs. 3-4).

Pre traces r1 (tau_plus), r2 (tau_x); post traces o1 (tau_minus), o2 (tau_y)::

    pre spike:  w -= o1(t) · (A2_minus + A3_minus · r2(t - ε))
    post spike: w += r1(t) · (A2_plus  + A3_plus  · o2(t - ε))

The pair traces r1/o1 follow the rule's pairing scheme; the slow traces r2/o2 are all-to-all
sums (+1 per spike) with ``pairing='all-to-all'`` and nearest-spike values (set to 1 at each
spike, i.e. ``exp(-(t - t_last)/tau)``) with the nearest-neighbour schemes, so that
``pairing='nn_symm'`` is Pfister & Gerstner's nearest-spike model.
"""

from __future__ import annotations

from ... import units
from .._validation import check_choice, check_real, check_time
from ._pairing import Branch
from ._rule import Extras, PlasticityRule


class TripletSTDP(PlasticityRule):
    """Pfister & Gerstner (2006) triplet rule.

    Defaults: the all-to-all "full" fit to visual cortex data (Sjöström et al. 2001) of
    Pfister & Gerstner's Table 4, as in NESTML's ``stdp_triplet`` model.

    Parameters
    ----------
    A2_plus, A3_plus : float
        Pair and triplet potentiation amplitudes (weight units, >= 0).
    A2_minus, A3_minus : float
        Pair and triplet depression amplitudes (weight units, >= 0; the rule subtracts).
    tau_plus, tau_x : Quantity (time)
        Time constants of the presynaptic traces r1, r2.
    tau_minus, tau_y : Quantity (time)
        Time constants of the postsynaptic traces o1, o2.
    w_min, w_max : float
        Weight bounds.
    bounds : {'hard', 'none'}
        'hard' clips to [w_min, w_max] after each update (as NEST's triplet synapse);
        'none' leaves the weights unbounded (an :class:`UnboundedWeightWarning`, once).
    pairing : str
        'all-to-all' (default) or a nearest-neighbour scheme ('nn_symm' = nearest-spike).
    device : Memristor, optional
    n_history : int
        Unused (exponential kernels); kept for a uniform interface.
    coincident : {'discard', 'potentiate'}
        Same-step pre and post spikes: no pair (NEST, default) or a Δt = 0 potentiation pair.
    """

    def __init__(self, A2_plus: float = 7.5e-10, A3_plus: float = 9.3e-3,
                 A2_minus: float = 7e-3, A3_minus: float = 2.3e-4, tau_plus=16.8 * units.ms,
                 tau_minus=33.7 * units.ms, tau_x=101 * units.ms, tau_y=125 * units.ms,
                 w_min: float = 0.0, w_max: float = 1.0, *, bounds: str = "hard",
                 pairing: str = "all-to-all", device=None, n_history: int = 8,
                 coincident: str = "discard") -> None:
        super().__init__(pairing=pairing, device=device, n_history=n_history,
                         coincident=coincident)
        owner = "TripletSTDP"
        for name, value in (("A2_plus", A2_plus), ("A3_plus", A3_plus),
                            ("A2_minus", A2_minus), ("A3_minus", A3_minus)):
            setattr(self, name, check_real(owner, name, value, 0.0))
        for name, value in (("tau_plus", tau_plus), ("tau_minus", tau_minus),
                            ("tau_x", tau_x), ("tau_y", tau_y)):
            setattr(self, name, check_time(owner, name, value)[0])
        self.w_min = check_real(owner, "w_min", w_min)
        self.w_max = check_real(owner, "w_max", w_max)
        if self.w_max <= self.w_min:
            raise ValueError(f"{owner}: w_max must be larger than w_min, got w_min={w_min!r}, "
                             f"w_max={w_max!r}")
        self.bounds = check_choice(owner, "bounds", bounds, ("hard", "none"))

    def _parameters(self) -> dict:
        return {name: getattr(self, name) for name in (
            "A2_plus", "A3_plus", "A2_minus", "A3_minus", "tau_plus", "tau_minus", "tau_x",
            "tau_y", "w_min", "w_max")}

    def _repr_items(self) -> dict:
        return {**self._parameters(), "bounds": self.bounds}

    def _branches(self) -> tuple[Branch, Branch]:
        return (Branch("A2_plus + A3_plus*stdp_o2", "exp(-{dt}/tau_plus)", "tau_plus"),
                Branch("-(A2_minus + A3_minus*stdp_r2)", "exp({dt}/tau_minus)", "tau_minus"))

    def _extras(self, w: str) -> Extras:
        if self.pairing == "all-to-all":
            return Extras(model=["dr2/dt = -r2/tau_x : 1 (event-driven)",
                                 "do2/dt = -o2/tau_y : 1 (event-driven)"],
                          pre_before=["stdp_r2 = r2"], pre_after=["r2 += 1"],
                          post_before=["stdp_o2 = o2"], post_after=["o2 += 1"])
        return Extras(pre_before=["stdp_r2 = int(npre > 0)*exp(-(t - lastpre)/tau_x)"],
                      post_before=["stdp_o2 = int(npost > 0)*exp(-(t - lastpost)/tau_y)"])

    def _bounds(self) -> tuple[str, str] | None:
        return ("w_min", "w_max") if self.bounds == "hard" else None

    def _pair_state(self) -> dict:
        # one isolated pair has no earlier spike, so the slow traces read before the update
        # are zero and delta_w is the pair term A2 exp(-|Δt|/tau) alone
        return {"stdp_o2": 0.0, "stdp_r2": 0.0}
