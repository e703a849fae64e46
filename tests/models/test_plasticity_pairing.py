"""Pairing schemes against an independent event-by-event reference of NEST's documentation.

Reference: the descriptions of NEST's ``stdp_synapse`` (all-to-all), ``stdp_nn_symm_synapse``,
``stdp_nn_pre_centered_synapse`` and ``stdp_nn_restr_synapse`` (NEST 3 user docs), written
below as set operations on the spike times that each synapse has seen (no traces, no state
machine):

* the synapse sees a pre spike at t_pre and a post spike at t_post + d (dendritic delay d);
* a spike with no earlier partner changes nothing; coinciding pairs (Δt = 0) are discarded;
* events are processed in time order, pre before post within one time step (Brian2's
  schedule; see the module docstring of ``spikeloom.models.plasticity._pairing``);
* all-to-all with a non-exponential kernel sums over the ``n_history`` latest partners
  (the documented truncation).
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

from spikeloom import Network, SpikeGeneratorGroup, ms
from spikeloom.models.plasticity import (
    PAIRINGS,
    NanocompositeSTDP,
    PairSTDP,
    TripletSTDP,
)

DT = 1e-4  # s
N_SYN = 24
N_HISTORY = 4


def _trains(rng, n, n_ms=500, p=0.06):
    """Spike steps on a 1 ms grid (so that pre/post coincidences happen), one train each."""
    return [np.flatnonzero(rng.random(n_ms) < p) * 10 + 5 for _ in range(n)]


# -- the rules' factor(w) and kernel(Δt) written out independently ---------------------------
def _pair_fns():
    rule = PairSTDP(A_plus=0.02, A_minus=-0.021, tau_plus=15 * ms, tau_minus=25 * ms,
                    weight_dependence="multiplicative", bounds="hard", w_max=1.0)
    return rule, dict(
        fp=lambda w: 0.02 * (1.0 - w), kp=lambda x: np.exp(-x / 0.015),
        fm=lambda w: -0.021 * w, km=lambda x: np.exp(x / 0.025),
        bound=lambda w: min(max(w, 0.0), 1.0), exp_kernels=True)


def _nc_fns():
    rule = NanocompositeSTDP.nest_fit()
    return rule, dict(
        fp=lambda w: 0.07376001 * w,
        kp=lambda x: 1 + np.tanh(-(x - 0.026730657) / 0.009300597),
        fm=lambda w: -0.04963700 * w,
        km=lambda x: 1 + np.tanh((x + 0.022325266) / 0.010811802),
        bound=lambda w: min(max(w, 0.0), 1.0), exp_kernels=False)


def reference_weight(pre, post, delay_steps, scheme, fns, w0, n_history,
                     coincident="discard"):
    """Final weight of one synapse by set logic on the spike times it has seen.

    ``coincident='potentiate'``: a pre spike in the same step as a post spike counts as an
    earlier partner of that post spike (Δt = 0), Brian2's trace idiom.
    """
    same = 0 if coincident == "discard" else 1
    events = sorted([(int(s), 0) for s in pre] + [(int(s) + delay_steps, 1) for s in post])
    pres, posts, w = [], [], w0
    for step, kind in events:
        t = step * DT
        if kind == 0:  # presynaptic spike: depression
            before = [p for p in posts if p < step]
            prev_pre = max(pres) if pres else None
            if scheme == "all-to-all":
                pairs = before if fns["exp_kernels"] else before[-n_history:]
            elif not before:
                pairs = []
            elif scheme == "nn_restr":
                near = max(before)
                pairs = [near] if prev_pre is None or near >= prev_pre else []
            else:
                pairs = [max(before)]
            if pairs:
                total = sum(fns["km"](p * DT - t) for p in pairs)
                w = fns["bound"](w + fns["fm"](w) * total)
            pres.append(step)
        else:  # postsynaptic spike: potentiation
            before = [p for p in pres if p < step + same]
            prev_post = max(posts) if posts else None
            if scheme == "all-to-all":
                pairs = before if fns["exp_kernels"] else [
                    p for p in pres[-n_history:] if p < step + same]
            elif scheme == "nn_pre_centered":  # (a same-step pre precedes its post spike)
                pairs = [p for p in before if prev_post is None or p >= prev_post + same]
                if not fns["exp_kernels"]:
                    pairs = [p for p in pres[-n_history:] if p in pairs]
            elif not before:
                pairs = []
            elif scheme == "nn_restr":
                near = max(before)
                pairs = [near] if prev_post is None or near >= prev_post + same else []
            else:
                pairs = [max(before)]
            if pairs:
                total = sum(fns["kp"](t - p * DT) for p in pairs)
                w = fns["bound"](w + fns["fp"](w) * total)
            posts.append(step)
    return w


@pytest.mark.parametrize("make", [_pair_fns, _nc_fns], ids=["pair", "nc"])
def test_pairing_schemes_match_nest_reference(make):
    """All four schemes, random trains with coincidences, delays 0-2.5 ms, one network.

    ``pair`` covers exponential kernels (traces), ``nc`` the others (spike history; PPX uses
    the same code with its own kernel, checked in closed form in test_plasticity_rules.py).

    Reference: :func:`reference_weight` (NEST documentation as set logic); tolerance 1e-12
    absolute (weights in [0, 1]; only summation order differs).
    """
    base, fns = make()
    tag = f"pairing_{type(base).__name__}"  # fixed names: the same loop source every session
    gc.collect()
    rng = np.random.default_rng(7)
    pre_trains, post_trains = _trains(rng, N_SYN), _trains(rng, N_SYN)
    delays = rng.choice([0, 5, 10, 25], N_SYN)  # steps
    idx = lambda trains: np.concatenate([np.full(len(s), k) for k, s in enumerate(trains)])
    pre = SpikeGeneratorGroup(N_SYN, idx(pre_trains), np.concatenate(pre_trains) * DT * 1e3 * ms,
                              name=f"{tag}_pre")
    post = SpikeGeneratorGroup(N_SYN, idx(post_trains),
                               np.concatenate(post_trains) * DT * 1e3 * ms, name=f"{tag}_post")
    w0 = rng.uniform(0.2, 0.8, N_SYN)
    synapses = {}
    for scheme in PAIRINGS:
        for coincident in ("discard", "potentiate"):
            rule = type(base)(**{**_init_args(base), "pairing": scheme,
                                 "n_history": N_HISTORY, "coincident": coincident})
            synapses[scheme, coincident] = rule.attach(
                pre, post, connect={"condition": "i == j"}, w=w0, delay=delays * DT * 1e3 * ms,
                name=f"{tag}_{scheme.replace('-', '_')}_{coincident}")
    Network(pre, post, *synapses.values()).run(600 * ms)
    for (scheme, coincident), S in synapses.items():
        expected = [reference_weight(pre_trains[k], post_trains[k], int(delays[k]), scheme, fns,
                                     w0[k], N_HISTORY, coincident) for k in range(N_SYN)]
        assert not np.allclose(expected, w0), f"{scheme}: the trains changed nothing"
        np.testing.assert_allclose(S.w[:], expected, rtol=0, atol=1e-12,
                                   err_msg=f"{type(base).__name__}, pairing={scheme}, "
                                           f"coincident={coincident}")
    for scheme in PAIRINGS:
        assert not np.allclose(synapses[scheme, "discard"].w[:],
                               synapses[scheme, "potentiate"].w[:]), scheme


def _init_args(rule) -> dict:
    if isinstance(rule, PairSTDP):
        return dict(A_plus=rule.A_plus, A_minus=rule.A_minus, tau_plus=rule.tau_plus,
                    tau_minus=rule.tau_minus, w_min=rule.w_min, w_max=rule.w_max,
                    weight_dependence=rule.weight_dependence, bounds=rule.bounds)
    params = rule._parameters()
    return {**params, "clip": rule.clip}


def test_nn_schemes_documented_examples():
    """The coincidence example of NEST's docs and the restriction of nn_restr.

    pre = {10, 20} ms, post = {20} ms gives one potentiation pair 20-to-10 (Δt = 10 ms) in the
    nearest-neighbour schemes; reference: closed form A_plus·exp(-10/20).
    """
    pre = SpikeGeneratorGroup(1, [0, 0], [10, 20] * ms)
    post = SpikeGeneratorGroup(1, [0], [20] * ms)
    S = {}
    for scheme in ("nn_symm", "nn_pre_centered", "nn_restr", "all-to-all"):
        rule = PairSTDP(A_plus=0.1, A_minus=-0.1, w_max=10.0, pairing=scheme)
        S[scheme] = rule.attach(pre, post, w=1.0)
    Network(pre, post, *S.values()).run(30 * ms)
    for scheme, syn in S.items():
        np.testing.assert_allclose(syn.w[0] - 1.0, 0.1 * np.exp(-0.5), rtol=1e-12,
                                   err_msg=scheme)


def test_triplet_all_to_all_and_nearest_closed_form():
    """Triplet rule on the sequence pre(0) post(10 ms) post(20 ms) pre(25 ms).

    Reference: Pfister & Gerstner (2006) eqs. 3-4 evaluated by hand (all-to-all: traces add
    up; nearest-spike: traces are reset to 1).
    """
    rule_a = TripletSTDP(A2_plus=0.01, A3_plus=0.02, A2_minus=0.015, A3_minus=0.005,
                         w_max=10.0)
    rule_n = TripletSTDP(A2_plus=0.01, A3_plus=0.02, A2_minus=0.015, A3_minus=0.005,
                         w_max=10.0, pairing="nearest")
    pre = SpikeGeneratorGroup(1, [0, 0], [0, 25] * ms)
    post = SpikeGeneratorGroup(1, [0, 0], [10, 20] * ms)
    Sa = rule_a.attach(pre, post, w=1.0)
    Sn = rule_n.attach(pre, post, w=1.0)
    Network(pre, post, Sa, Sn).run(30 * ms)
    tp, tm, tx, ty = 16.8, 33.7, 101.0, 125.0
    e = np.exp
    # all-to-all: post@10: r1 = e(-10/tp), o2(10-) = 0; post@20: r1 = e(-20/tp),
    # o2(20-) = e(-10/ty); pre@25: o1 = e(-15/tm) + e(-5/tm), r2(25-) = e(-25/tx)
    dwa = (0.01 * e(-10 / tp) + e(-20 / tp) * (0.01 + 0.02 * e(-10 / ty))
           - (e(-15 / tm) + e(-5 / tm)) * (0.015 + 0.005 * e(-25 / tx)))
    # nearest: same r1 values (one pre), o2(20-) = e(-10/ty), o1 = e(-5/tm), r2 = e(-25/tx)
    dwn = (0.01 * e(-10 / tp) + e(-20 / tp) * (0.01 + 0.02 * e(-10 / ty))
           - e(-5 / tm) * (0.015 + 0.005 * e(-25 / tx)))
    np.testing.assert_allclose(Sa.w[0] - 1.0, dwa, rtol=1e-12)
    np.testing.assert_allclose(Sn.w[0] - 1.0, dwn, rtol=1e-12)


def test_pairing_unknown_scheme_is_rejected():
    with pytest.raises(ValueError, match="pairing must be one of"):
        PairSTDP(pairing="nearest-ish")
