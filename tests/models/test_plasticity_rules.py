"""Plasticity rules: the seed's numbers, closed-form windows, printed code, validation, docs.

References, all independent of the rules' own code: the Brian2 forum seed script's output
(``tests/reference/data/seed_memristor_stdp.npz``, Brian2 2.9); the numbers of Sboev et al.
2021 (Mathematics 9:3237) and the group's NEST module, hard-coded below; and each rule's
window for one isolated pair written out in the test with explicit numbers. ``rule.delta_w``
is derived from the rule's Brian2 expressions, so it is checked against these numbers too,
never against the rule's code.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import spikeloom
from spikeloom import Network, NeuronGroup, SpikeGeneratorGroup, Synapses, ms, second
from spikeloom.models.devices import Memristor
from spikeloom.models.plasticity import (
    NanocompositeSTDP,
    PairSTDP,
    ParyleneSTDP,
    PlasticityRule,
    STDPWindow,
    TripletSTDP,
    UnboundedWeightWarning,
    _rule,
    plot_stdp_window,
    set_pairing_delay,
    stdp_window,
)
from spikeloom.models.plasticity._pairing import Branch

ROOT = Path(__file__).resolve().parents[2]
SEED_DATA = ROOT / "tests" / "reference" / "data" / "seed_memristor_stdp.npz"
DOCS = ROOT / "docs" / "plasticity.md"
DEVICE_DOCS = ROOT / "docs" / "devices.md"
EXAMPLE = ROOT / "examples" / "memristor_stdp_window.py"
UNBOUNDED_OK = pytest.mark.filterwarnings("ignore::spikeloom.models.plasticity."
                                          "UnboundedWeightWarning")


@UNBOUNDED_OK
def test_nanocomposite_window_equals_seed_script():
    """NC rule through stdp_window = the forum seed run by Brian2 (pre at 100 ms, w0 = 0.4).

    Reference: ``seed_memristor_stdp.npz`` (``w`` and ``spike_when_ms``), tolerance 1e-9.
    The seed does not clip: ``clip=False``.
    """
    with np.load(SEED_DATA) as npz:
        w_ref, when = npz["w"], npz["spike_when_ms"]
    res = stdp_window(NanocompositeSTDP(clip=False), (when[1:] - when[0]) * ms, w0=0.4,
                      t_start=when[0] * ms)
    assert res.w.shape == (1, 100)
    np.testing.assert_allclose(res.w[0], w_ref, rtol=1e-9, atol=1e-12)
    assert np.sum(res.dw_mean > 0) > 20 and np.sum(res.dw_mean < 0) > 20


e = np.exp
# Each rule with its window for one isolated pair at w0 written out by hand (Δt in ms), from
# the equations of the rule's paper, not from the rule's code.
WINDOWS = [
    # Gütig et al. 2003, mu = 1: A+ (w_max - w) e^{-Δt/τ+}, A- (w - w_min) e^{Δt/τ-}
    (PairSTDP(A_plus=0.05, A_minus=-0.04, weight_dependence="multiplicative"), 0.5,
     lambda x: np.where(x > 0, 0.05 * 0.5 * e(-x / 20), -0.04 * 0.5 * e(x / 20))),
    # mu = 1/2, soft bounds: the factors are sqrt(0.5)
    (PairSTDP(A_plus=0.05, A_minus=-0.04, weight_dependence=0.5, bounds="soft",
              pairing="nn_restr"), 0.5,
     lambda x: np.where(x > 0, 0.05 * np.sqrt(0.5) * e(-x / 20),
                        -0.04 * np.sqrt(0.5) * e(x / 20))),
    # Pfister & Gerstner 2006 for one pair (no earlier spike): the pair terms A2 only
    (TripletSTDP(A2_plus=0.01, A3_plus=0.02, A2_minus=0.015, A3_minus=0.01), 0.5,
     lambda x: np.where(x > 0, 0.01 * e(-x / 16.8), -0.015 * e(x / 33.7))),
    # NEST stdp_tanh_synapse defaults (Demin et al. 2021), w = 0.5
    (NanocompositeSTDP.nest_fit(pairing="nn_pre_centered"), 0.5,
     lambda x: np.where(x > 0, 0.07376001 * 0.5 * (1 + np.tanh(-(x - 26.730657) / 9.300597)),
                        -0.04963700 * 0.5 * (1 + np.tanh((x + 22.325266) / 10.811802)))),
    # NEST PPX module defaults (Sboev et al. 2021), w = 0.5, d = 1, |Δt| <= 500 ms
    (ParyleneSTDP(), 0.5,
     lambda x: np.where(
         x > 0, 0.316198 * e(-2.213043 * 0.5) * (x / 10) * e(-0.031839 * (x / 10) ** 2),
         -0.011298 * e(5.969397 * 0.5) * (-x / 10) * e(-0.145683 * (x / 10) ** 2))),
    # the module's "_old" PPX fit: Δt/500 ms, w in [1e-5, 1e-2]; its LTP overshoots w_max
    (ParyleneSTDP.legacy_fit(pairing="all-to-all"), 0.005005,
     lambda x: np.clip(0.005005 + np.where(
         x > 0, 29 * e(3 * 0.004995 / 0.00999) * (x / 500) * e(-14.5 * (x / 500) ** 2),
         -14 * e(3.5 * 0.004995 / 0.00999) * (-x / 500) * e(-41.5 * (x / 500) ** 2)),
         1e-5, 1e-2) - 0.005005),
]
RULES = [rule for rule, _, _ in WINDOWS]


@pytest.mark.parametrize("rule, w0, window", WINDOWS,
                         ids=[type(r).__name__ + "_" + r.pairing for r, _, _ in WINDOWS])
def test_rule_window_matches_independent_closed_form_with_delay(rule, w0, window):
    """One pair per synapse with a 1.5 ms delay: Δw(Δt) = the window written out above.

    Reference: the hand-written window at the realised Δt, which includes the delay (NEST's
    convention); tolerance 1e-12 relative. ``delta_w`` gives the same numbers.
    """
    dts = np.array([-60.0, -25.0, -7.3, -0.2, 0.3, 4.0, 21.0, 55.0]) * ms
    res = stdp_window(rule, dts, w0=w0, delay=1.5 * ms)
    np.testing.assert_allclose(np.asarray(res.delta_t / ms), np.asarray(dts / ms), atol=1e-9)
    expected = window(np.asarray(res.delta_t / ms))
    np.testing.assert_allclose(res.dw_mean, expected, rtol=1e-12, atol=1e-15 * rule.w_max)
    np.testing.assert_allclose(rule.delta_w(res.delta_t, w0), expected, rtol=1e-12,
                               atol=1e-15 * rule.w_max)
    assert np.all(res.dw_std == 0)
    assert np.any(expected > 0) and np.any(expected < 0)


def test_pair_stdp_one_pair_in_synapses_gives_the_textbook_numbers():
    """A real Synapses run of one pre/post pair per synapse against A·exp(-|Δt|/τ) by hand.

    Synapse 0: pre 10 ms, post 20 ms (Δt = +10 ms); synapse 1: post 5 ms, pre 15 ms
    (Δt = -10 ms); synapse 2: as 0 from w = 0.999 (hard bound: lands on w_max = 1).
    Reference: 0.01·e^{-1/2} = 0.006065306597126334, -0.0105·e^{-1/2} = -0.006368571926982651.
    """
    pre = SpikeGeneratorGroup(3, [0, 1, 2], [10, 15, 10] * ms)
    post = SpikeGeneratorGroup(3, [0, 1, 2], [20, 5, 20] * ms)
    rule = PairSTDP(A_plus=0.01, A_minus=-0.0105, tau_plus=20 * ms, tau_minus=20 * ms)
    S = rule.attach(pre, post, connect={"condition": "i == j"}, w=[0.5, 0.5, 0.999])
    Network(pre, post, S).run(30 * ms)
    expected = [0.006065306597126334, -0.006368571926982651, 0.001]
    np.testing.assert_allclose(S.w[:] - [0.5, 0.5, 0.999], expected, rtol=1e-12)
    dw = rule.delta_w([10, -10, 10] * ms, [0.5, 0.5, 0.999])
    np.testing.assert_allclose(dw, expected, rtol=1e-12)


def test_pair_stdp_delta_w_weight_dependence_by_hand():
    """Gütig et al. (2003) factors at w = 0.25, Δt = ±10 ms, written with explicit numbers.

    Reference: additive 0.01·e^{-1/2}; multiplicative 0.01·0.75·e^{-1/2} and
    -0.0105·0.25·e^{-1/2}; mu = 0.5: 0.01·0.75^{1/2}·e^{-1/2} and -0.0105·0.25^{1/2}·e^{-1/2};
    w_min = -1, w_max = 3 (span 4), multiplicative: 0.01·(3 - 0.25)/4·e^{-1/2}.
    """
    dts = [10, -10] * ms
    k = np.exp(-0.5)
    cases = [
        (PairSTDP(), [0.01 * k, -0.0105 * k]),
        (PairSTDP(weight_dependence="multiplicative"), [0.01 * 0.75 * k, -0.0105 * 0.25 * k]),
        (PairSTDP(weight_dependence=0.5, bounds="soft"),
         [0.01 * np.sqrt(0.75) * k, -0.0105 * 0.5 * k]),
        (PairSTDP(w_min=-1.0, w_max=3.0, weight_dependence="multiplicative"),
         [0.01 * 2.75 / 4 * k, -0.0105 * 1.25 / 4 * k]),
    ]
    for rule, expected in cases:
        np.testing.assert_allclose(rule.delta_w(dts, 0.25), expected, rtol=1e-14,
                                   err_msg=repr(rule))
    assert float(PairSTDP().delta_w(0 * ms, 0.25)) == 0.0  # Δt = 0: discarded (NEST)


def test_delta_w_is_derived_from_the_branches_of_a_new_rule():
    """A rule that writes only its Brian2 branches and bounds gets delta_w for free: the closed
    form is the code (one source per rule).

    Reference: 0.2·w·e^{-|Δt|/5 ms} by hand, clipped to [0, 0.55].
    """

    class Toy(PlasticityRule):
        def __init__(self, pairing="nn_symm"):
            super().__init__(pairing=pairing, device=None, n_history=2)
            self.w_min, self.w_max = 0.0, 0.55

        def _parameters(self):
            return {"a": 0.2, "tau": 5 * ms, "w_top": 0.55}

        def _branches(self):
            return (Branch("a*{w}", "exp(-abs({dt})/tau)"),
                    Branch("-a*{w}", "exp(-abs({dt})/tau)"))

        def _bounds(self):
            return ("0", "w_top")

    rule = Toy()
    dw = rule.delta_w([5, -5, 5] * ms, [0.5, 0.5, 0.54])
    np.testing.assert_allclose(dw, [0.1 * np.exp(-1), -0.1 * np.exp(-1), 0.01], rtol=1e-14)
    assert "w = clip(w + stdp_dwp, 0, w_top)" in rule.equations.on_post


# -- the memristive rules against the paper's numbers --------------------------------------------
# Sboev et al. 2021 (Mathematics 9:3237) and the group's NEST module, as evaluated
# independently in the paper notes, section 2.1 (NC table, w = 1, three decimals) and
# section 2.2 (PPX example values). The notes' numbers are the rules' formulas without the
# clip at w_max; they are printed to 3 decimals (NC) or 2 significant digits (PPX), so the
# tolerance is half a unit of the last printed digit.
NC_DT_MS = [1.0, 10.0, 20.0, 26.7, 30.0, 40.0, 60.0, -1.0, -10.0, -22.3, -30.0, -40.0]
NC_CODE = [.147, .144, .119, .074, .049, .008, .000, -.097, -.090, -.050, -.019, -.004]
NC_FORUM = [.147, .144, .120, .074, .049, .008, .000, -.092, -.085, -.047, -.018, -.003]


@UNBOUNDED_OK
@pytest.mark.parametrize("fit, table", [("forum", NC_FORUM), ("nest", NC_CODE)])
def test_nanocomposite_window_matches_the_paper_notes_table(backend, fit, table):
    """NC rule at w = 1: Δw(Δt) as tabulated in the notes (Sboev et al. 2021; forum values
    A- = -0.047 ..., and the NEST stdp_tanh_synapse defaults of Demin et al. 2021); at
    w = 0.1 / 0.5 / 0.9 the table times w (the rule is multiplicative, Δw ∝ w), and with the
    default clip to [0, w_max = 1] the weight stops at 1.

    Reference: the notes' table (section 2.1), ±0.5e-3·w; measured in the simulator with one
    pair per synapse, and by delta_w.
    """
    make = NanocompositeSTDP if fit == "forum" else NanocompositeSTDP.nest_fit
    table = np.array(table)
    for w0, clip in ((1.0, False), (0.1, True), (0.5, True), (0.9, True)):
        rule = make(clip=clip)
        expected = w0 * table
        if clip:
            expected = np.clip(w0 + expected, 0.0, 1.0) - w0
        res = stdp_window(rule, NC_DT_MS * ms, w0=w0)
        np.testing.assert_allclose(np.asarray(res.delta_t / ms), NC_DT_MS, atol=1e-9)
        tol = 0.5e-3 * w0 + 1e-12
        np.testing.assert_allclose(res.dw_mean, expected, atol=tol, err_msg=f"w0={w0}")
        np.testing.assert_allclose(rule.delta_w(NC_DT_MS * ms, w0), expected, atol=tol)
    # clipped exactly at w_max (the default): 0.9 + 0.9·0.147 > 1
    assert float(make().delta_w(1 * ms, 0.9)) == pytest.approx(0.1, abs=1e-15)
    # the notes' summary: the depression plateau (Δt -> 0-) is about -9.4 % of w (forum)
    # or -9.9 % (NEST fit)
    plateau = {"forum": -0.094, "nest": -0.099}[fit]
    assert abs(float(make().delta_w(-0.1 * ms, 1.0)) - plateau) < 0.002


@UNBOUNDED_OK
def test_parylene_window_matches_the_paper_notes_values(backend):
    """PPX rule: Δw at w = 0.1 / 0.5 / 0.9 is +0.10 / +0.25 / +0.61 at Δt = +40 ms and
    -0.023 / -0.25 / -2.7 at Δt = -20 ms (notes, section 2.2: NEST module defaults,
    unclipped); with the NEST clip to [0, 1] the last ones become +0.1 (to w_max) and -0.9
    ("the last one clips to 0"). The window peaks at Δt = tau/sqrt(2 gamma+) = 39.6 ms
    (LTP) and -18.5 ms (LTD).

    Reference: the notes' numbers (Sboev et al. 2021, Mathematics 9:3237, and the group's
    NEST module), ± half a unit of their last digit; measured in the simulator (one pair per
    synapse) and by delta_w.
    """
    w0s = [0.1, 0.5, 0.9]
    notes = {40.0: ([0.10, 0.25, 0.61], 0.005), -20.0: ([-0.023, -0.25, -2.7], [5e-4, 5e-3, 0.05])}
    clipped = {40.0: [0.10, 0.25, 0.1], -20.0: [-0.023, -0.25, -0.9]}
    for clip in (False, True):
        rule = ParyleneSTDP(clip=clip)
        for k, w0 in enumerate(w0s):
            res = stdp_window(rule, [40.0, -20.0] * ms, w0=w0)
            for j, dt in enumerate((40.0, -20.0)):
                values, tol = notes[dt]
                tol = tol[k] if isinstance(tol, list) else tol
                expected = (clipped if clip else {d: v[0] for d, v in notes.items()})[dt][k]
                assert abs(res.dw_mean[j] - expected) <= tol + 1e-12, (clip, w0, dt)
                assert abs(float(rule.delta_w(dt * ms, w0)) - expected) <= tol + 1e-12
    # exact at the clipped entries: the weight lands on the bound
    rule = ParyleneSTDP()
    assert float(rule.delta_w(40 * ms, 0.9)) == pytest.approx(0.1, abs=1e-15)
    assert float(rule.delta_w(-20 * ms, 0.9)) == pytest.approx(-0.9, abs=1e-15)
    grid = np.arange(1.0, 100.0, 0.01)
    ltp = ParyleneSTDP(clip=False).delta_w(grid * ms, 0.5)
    ltd = ParyleneSTDP(clip=False).delta_w(-grid * ms, 0.5)
    assert abs(grid[np.argmax(ltp)] - 39.6) < 0.05 and abs(grid[np.argmin(ltd)] - 18.5) < 0.05


# -- parameters stay valid ------------------------------------------------------------------------
VALIDATED = [NanocompositeSTDP, NanocompositeSTDP.nest_fit, ParyleneSTDP,
             ParyleneSTDP.legacy_fit, PairSTDP, TripletSTDP]


@pytest.mark.parametrize("make", VALIDATED, ids=lambda m: getattr(m, "__qualname__", str(m)))
def test_rule_parameters_stay_valid_after_construction(make):
    """``rule.tau_plus = -5*ms`` raises the constructor's error (naming the argument and the
    value) and leaves the rule as it was; a valid value is accepted and used."""
    rule = make()
    name = type(rule).__name__
    before, code = repr(rule), rule.synapse_code().constants
    with pytest.raises(ValueError, match=rf"{name}: tau_plus must be positive .*got -5"):
        rule.tau_plus = -5 * ms
    with pytest.raises(TypeError, match=r"tau_plus must be a second quantity .*got 5.0"):
        rule.tau_plus = 5.0
    with pytest.raises(ValueError, match="pairing must be one of"):
        rule.pairing = "nearest-ish"
    with pytest.raises(TypeError, match="device must be a Memristor"):
        rule.device = "memristor"
    with pytest.raises(AttributeError, match="'typo' is not a parameter"):
        rule.typo = 1.0
    assert repr(rule) == before
    assert rule.synapse_code().constants.keys() == code.keys()
    rule.tau_plus = 12 * ms
    assert rule.synapse_code().constants["tau_plus"] == 12 * ms
    rule.pairing = "nearest"  # aliases are canonicalised as in the constructor
    assert rule.pairing == "nn_symm"


def test_rules_and_devices_share_one_validation_module():
    """Rules and devices check their parameters with the same functions (one module of the
    model library), so their messages have one form."""
    from spikeloom.models import _validation
    from spikeloom.models.devices import _memristor
    from spikeloom.models.plasticity import _memristive, _pair

    assert _pair.check_real is _memristive.check_real is _memristor.check_real
    assert _memristor.check_real is _validation.check_real
    assert importlib.util.find_spec("spikeloom.models.devices._validation") is None
    with pytest.raises(ValueError, match=r"^NanocompositeSTDP: w_max must be in \(0.0, inf\), "
                                         r"got -1.0$"):
        NanocompositeSTDP(w_max=-1.0)


def test_memristive_rules_are_bounded_by_default(monkeypatch):
    """Physical devices are bounded: NanocompositeSTDP() and ParyleneSTDP() clip to
    [w_min, w_max] and build without a warning, as do the other rules' defaults and soft
    bounds.

    Reference: at w = 1 and Δt = +1 ms the NC rule asks for +0.147 (notes' table, Sboev et al.
    2021); clipped, the weight stays at 1; unclipped, it grows by 0.147.
    """
    monkeypatch.setattr(_rule, "_WARNED_UNBOUNDED", set())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nc = NanocompositeSTDP()
        bounded = [nc, NanocompositeSTDP.nest_fit(), ParyleneSTDP(), ParyleneSTDP.legacy_fit(),
                   PairSTDP(), PairSTDP(weight_dependence="multiplicative", bounds="soft"),
                   TripletSTDP()]
    assert all(rule._unbounded() is None for rule in bounded)
    assert nc.clip is True and "clip=True" in repr(nc)
    assert "w = clip(w + stdp_dwp, 0, w_max)" in nc.equations.on_post
    assert float(nc.delta_w(1 * ms, 1.0)) == 0.0
    with pytest.warns(UnboundedWeightWarning):
        assert abs(float(NanocompositeSTDP(clip=False).delta_w(1 * ms, 1.0)) - 0.147) < 5e-4


@pytest.mark.parametrize("make, owner", [
    (lambda: NanocompositeSTDP(clip=False), "NanocompositeSTDP"),
    (lambda: NanocompositeSTDP.nest_fit(clip=False), "NanocompositeSTDP"),
    (lambda: ParyleneSTDP(clip=False), "ParyleneSTDP"),
    (lambda: TripletSTDP(bounds="none"), "TripletSTDP"),
])
def test_unbounded_rule_warns_once_per_process(monkeypatch, make, owner):
    """An unbounded rule issues an UnboundedWeightWarning pointing at the caller's line, once
    per rule class and process: a second construction, a rebuild by a parameter set, does
    not warn again."""
    monkeypatch.setattr(_rule, "_WARNED_UNBOUNDED", set())
    with pytest.warns(UnboundedWeightWarning, match=rf"^{owner}: its updates are not clipped, "
                                                    r"so the weights can leave") as record:
        rule = make()
    assert len(record) == 1 and record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make()
        rule.tau_plus = 12 * ms
    assert rule._bounds() is None


def test_rule_cross_checks_and_derived_values_follow_a_set():
    """Checks between parameters run on a set; values derived from a parameter follow it;
    derived attributes cannot be set."""
    ppx = ParyleneSTDP()
    with pytest.raises(ValueError, match="w_max must be larger than w_min"):
        ppx.w_max = -1.0
    nc = NanocompositeSTDP()
    with pytest.raises(ValueError, match=r"A_plus must be finite, got nan"):
        nc.A_plus = float("nan")
    with pytest.raises(AttributeError, match="'w_min' is not a parameter"):
        nc.w_min = 0.5  # fixed at 0 for this rule
    pair = PairSTDP()
    pair.weight_dependence = "multiplicative"
    assert (pair.mu_plus, pair.mu_minus) == (1.0, 1.0)
    with pytest.raises(AttributeError, match="'mu_plus' is not a parameter"):
        pair.mu_plus = 0.5
    nc.device = Memristor(dw_min=0.05)
    assert "mem_dwn" in nc.synapse_code().constants


def test_pair_window_repeated_pairs_add_up():
    """Additive pair STDP, 4 pairings 1 s apart: 4 times the single-pair change.

    Reference: 4·A·exp(-|Δt|/tau) (the pairs are 1 s apart, exp(-50) ≈ 0).
    """
    rule = PairSTDP(A_plus=0.01, A_minus=-0.012, tau_plus=20 * ms, tau_minus=20 * ms)
    res = stdp_window(rule, [-10.0, 10.0] * ms, w0=0.5, n_pairs=4, period=1 * second)
    np.testing.assert_allclose(res.dw_mean, [4 * -0.012 * np.exp(-0.5), 4 * 0.01 * np.exp(-0.5)],
                               rtol=1e-9)
    assert res.n_pairs == 4


def test_plot_stdp_window_returns_axes_without_showing(monkeypatch):
    """Mean line and a band over devices; plt.show is never called."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("show() was called"))
    rule = NanocompositeSTDP(device=Memristor(c2c=0.1, d2d={"G_max": 0.1}))
    res = stdp_window(rule, np.linspace(-40, 40, 9) * ms, w0=0.4, n_devices=30, seed=2)
    assert isinstance(res, STDPWindow) and res.w.shape == (30, 9)
    assert np.all(res.dw_std[[0, -1]] >= 0) and np.any(res.dw_std > 0)
    for band in ("std", "percentile", None):
        ax = plot_stdp_window(res, band=band, label="NC")
        assert isinstance(ax, matplotlib.axes.Axes)
        assert len(ax.collections) == (0 if band is None else 1)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), res.dw_mean)
        plt.close(ax.figure)


def test_printed_brian2_code_builds_the_same_synapses():
    """``str(rule)`` is complete Brian2 source: executed with the spikeloom module standing in
    for brian2 it builds synapses that evolve exactly like ``rule.attach``'s."""
    rule = PairSTDP(A_plus=0.02, A_minus=-0.03, pairing="nn_restr",
                    weight_dependence="multiplicative", device=Memristor(drift="exponential"))
    rng = np.random.default_rng(0)
    steps = [np.flatnonzero(rng.random(300) < 0.05) for _ in range(6)]
    idx = np.concatenate([np.full(len(s), k % 3) for k, s in enumerate(steps)])
    t = np.concatenate(steps) * ms
    half = sum(len(s) for s in steps[:3])
    source = SpikeGeneratorGroup(3, idx[:half], t[:half])
    target = NeuronGroup(3, "x : 1\nspike_at : second (constant)",
                         threshold="timestep(t, dt) == timestep(spike_at, dt)")
    target.spike_at = [20, 40, 60] * ms
    text = rule.to_brian2("source", "target", on_pre="x_post += w")
    assert text == rule.to_brian2("source", "target", on_pre="x_post += w")
    scope = {name: getattr(spikeloom, name) for name in spikeloom.__all__}
    scope.update(source=source, target=target)
    exec(compile(text, "<to_brian2>", "exec"), scope)
    printed = scope["S"]
    printed.connect(condition="i == j")
    printed.w = 0.5
    attached = rule.attach(source, target, connect={"condition": "i == j"}, w=0.5,
                           on_pre="x_post += w")
    Network(source, target, printed, attached).run(310 * ms)
    assert np.array_equal(printed.w[:], attached.w[:])
    assert not np.allclose(attached.w[:], 0.5)


def test_rule_equations_expose_code():
    """The equations are plain Brian2 strings; the parameters travel as the model's constants
    (set at run time), printed for Brian2 as constant lines."""
    eq = NanocompositeSTDP().equations
    assert eq.constants["A_minus"] == -0.047 and eq.constants["plastic"] == 1.0
    assert "A_minus" not in eq.model
    assert "A_minus = -0.047 : 1" in eq.brian2_model
    assert "mu_plus = 26.7*ms : second" in eq.brian2_model
    assert "plastic : boolean (shared)" in eq.brian2_model
    assert "tanh" in eq.on_pre and "tanh" in eq.on_post and eq.namespace is None
    eq = PairSTDP().equations
    assert "(event-driven)" in eq.model and "clip(w + stdp_dwd, w_min, w_max)" in eq.on_pre
    kwargs = PairSTDP().synapse_kwargs(on_pre="ge_post += w", namespace={"k": 2})
    assert set(kwargs) == {"model", "on_pre", "on_post", "namespace"}
    assert kwargs["on_pre"].splitlines()[0] == "ge_post += w"
    assert "(event-driven)" in TripletSTDP().equations.model
    assert "exp(-(t - lastpre)/tau_x)" in TripletSTDP(pairing="nearest").equations.on_pre
    assert repr(NanocompositeSTDP.nest_fit()).startswith("NanocompositeSTDP(A_plus=0.07376001")


def test_transmit_after_sends_the_updated_weight():
    """transmit='after' (NEST): the depressed weight is transmitted; 'before': the old one.

    Reference: closed form w0 + A_minus·exp(-10/20) for a post spike 10 ms before the pre.
    """
    pre = SpikeGeneratorGroup(1, [0], [30] * ms)
    post = NeuronGroup(1, "x : 1\ny : 1", threshold="t > 19.95*ms and t < 20.05*ms")
    rule = PairSTDP(A_plus=0.1, A_minus=-0.1, pairing="nn_symm")
    after = rule.attach(pre, post, w=0.5, on_pre="x_post += w", transmit="after")
    before = rule.attach(pre, post, w=0.5, on_pre="y_post += w")
    Network(pre, post, after, before).run(40 * ms)
    expected = 0.5 - 0.1 * np.exp(-10 / 20)
    np.testing.assert_allclose([post.x[0], post.y[0]], [expected, 0.5], rtol=1e-12)


@pytest.mark.parametrize("make, match", [
    (lambda: PairSTDP(tau_plus=-5 * ms), "tau_plus must be positive"),
    (lambda: PairSTDP(tau_plus=5), "tau_plus must be a second quantity"),
    (lambda: PairSTDP(w_min=1.0, w_max=0.5), "w_max must be larger"),
    (lambda: PairSTDP(bounds="soft"), "bounds='soft' needs"),
    (lambda: PairSTDP(bounds="sticky"), "bounds must be one of"),
    (lambda: PairSTDP(weight_dependence="quadratic"), "weight_dependence must be one of"),
    (lambda: PairSTDP(A_plus=np.nan), "finite"),
    (lambda: PairSTDP(coincident="maybe"), "coincident must be one of"),
    (lambda: TripletSTDP(A2_minus=-1.0), "A2_minus must be in"),
    (lambda: NanocompositeSTDP(clip="yes"), "clip must be True or False"),
    (lambda: NanocompositeSTDP(n_history=0), "n_history"),
    (lambda: ParyleneSTDP(dt_max=0 * ms), "dt_max must be positive"),
    (lambda: NanocompositeSTDP(device="memristor"), "device must be a Memristor"),
    (lambda: PairSTDP().synapse_kwargs(transmit="later"), "transmit must be one of"),
    (lambda: PairSTDP().synapse_kwargs(namespace={"A_plus": 1}), "rename your constant"),
    (lambda: stdp_window(PairSTDP(), [1, 2]), "delta_t must be a time array"),
    (lambda: stdp_window("stdp", [1, 2] * ms), "rule must be a plasticity rule"),
    (lambda: stdp_window(PairSTDP(), [1, 2] * ms, n_pairs=0), "n_pairs"),
    (lambda: stdp_window(PairSTDP(), [-1, 2] * ms, t_start=0 * ms), "too early"),
    (lambda: stdp_window(PairSTDP(), [1, 2] * ms, n_pairs=2, period=1 * ms), "period"),
])
def test_rules_reject_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_set_pairing_delay_sets_both_pathways():
    G = NeuronGroup(2, "v : 1", threshold="v > 1")
    S = Synapses(G, G, **PairSTDP().synapse_kwargs())
    S.connect()
    set_pairing_delay(S, 2 * ms)
    np.testing.assert_allclose(np.asarray(S.delay[:] / ms), 2)
    np.testing.assert_allclose(np.asarray(S.post.delay[:] / ms), 4)
    with pytest.raises(TypeError, match="delay must be a time"):
        set_pairing_delay(S, 2)


MODULES = ["spikeloom.models.plasticity", "spikeloom.models.plasticity._pair",
           "spikeloom.models.plasticity._memristive", "spikeloom.models.plasticity._window",
           "spikeloom.models.devices", "spikeloom.models.devices._memristor"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_docs_describe_every_rule_and_device_option():
    """docs/plasticity.md names every rule's constructor parameter (with an equation section
    each); docs/devices.md every parameter of the Memristor."""
    text = DOCS.read_text()
    devices = DEVICE_DOCS.read_text()
    for cls in (PairSTDP, TripletSTDP, NanocompositeSTDP, ParyleneSTDP, Memristor):
        assert f"## {cls.__name__}" in text or f"### {cls.__name__}" in text, cls.__name__
        where = devices if cls is Memristor else text
        for param in inspect.signature(cls).parameters:
            assert f"`{param}`" in where, f"{cls.__name__}.{param} is not documented"
    for section in ("Programming events", "Pulses", "Drift", "Closed forms"):
        assert section in devices, section
    assert len(re.findall(r"\$\$|```math", devices)) >= 6, "device equations are missing"
    for scheme in ("all-to-all", "nn_symm", "nn_pre_centered", "nn_restr"):
        assert f"`{scheme}`" in text
    for func in ("stdp_window", "plot_stdp_window", "set_pairing_delay", "attach",
                 "synapse_kwargs", "initialize", "to_brian2"):
        assert func in text
    assert len(re.findall(r"\$\$|```math", text)) >= 8, "equations are missing"


@pytest.mark.slow  # the documentation build (CI) runs this example too, shortened
def test_example_script_writes_png(tmp_path):
    spec = importlib.util.spec_from_file_location("memristor_stdp_window", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "window.png"
    assert module.main(["--out", str(out), "--devices", "10"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rules_are_plasticity_rules():
    for rule in RULES:
        assert isinstance(rule, PlasticityRule)
