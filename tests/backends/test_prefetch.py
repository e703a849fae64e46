"""Rows prefetched ahead of delivery (``_layout.prefetched_pathways``, the renderer's
``_prefetch_rows``).

Pathways whose rows outgrow the caches ask the CPU to load the rows of the spikes (or delay
groups) a few entries ahead. The hints must change no number on any of the three delivery
paths (no queue, a queue of sources, a queue of delay groups through ``order``), and only
pathways with large rows may get them (elsewhere they cost compile time only).
"""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom.backends.numba import _layout, _run


def _network(kind: str, seed: int = 3):
    """80 sources firing at random onto 60 targets; ``kind``: ``"none"`` (no delay),
    ``"shared"`` (one delay for all) or ``"per_synapse"`` (random delays, synapses created
    in random order, so delivery goes through ``order``). A small second pathway (3
    synapses) shares the sources."""
    sl.defaultclock.dt = 0.1 * sl.ms
    rng = np.random.default_rng(seed)
    sources = sl.NeuronGroup(80, "p : 1", threshold="rand() < p", name="pf_src")
    sources.p = 0.2  # ~16 spikes per step: more than the prefetch distance ahead
    targets = sl.NeuronGroup(60, "v : 1\nu : 1", name="pf_tgt")
    big = sl.Synapses(sources, targets, "w : 1", on_pre="v_post += w", name="pf_big")
    small = sl.Synapses(sources, targets, on_pre="u_post += 1", name="pf_small")
    if kind == "per_synapse":
        big.connect(i=rng.integers(0, 80, 3000), j=rng.integers(0, 60, 3000))
        big.delay = rng.integers(0, 15, len(big)) * 0.1 * sl.ms
    else:
        big.connect(p=0.5)
        if kind == "shared":
            big.delay = 0.7 * sl.ms
    big.w = rng.uniform(0.5, 1.5, len(big))
    small.connect(i=[3, 40, 79], j=[0, 1, 59])
    spikes = sl.SpikeMonitor(sources)
    return sl.Network(sources, targets, big, small, spikes), targets, spikes


def _run_with(monkeypatch, kind: str, min_bytes: int) -> tuple[tuple, tuple[str, ...], str]:
    """(values after 20 ms, pathways prefetched, loop source) with the given threshold."""
    monkeypatch.setattr(_layout, "PREFETCH_MIN_BYTES", min_bytes)
    chosen = []

    def spy(plan, arrays):
        chosen.append(_layout.prefetched_pathways(plan, arrays))
        return chosen[-1]

    monkeypatch.setattr(_run, "prefetched_pathways", spy)
    sl.seed(7)
    net, targets, spikes = _network(kind)
    net.run(20 * sl.ms, report=None)
    source = _run._LAST[2][1].source()
    values = (np.asarray(targets.v[:]), np.asarray(targets.u[:]), np.asarray(spikes.i[:]))
    return values, chosen[-1], source


@pytest.mark.parametrize("kind", ["none", "shared", "per_synapse"])
def test_prefetching_changes_no_number(monkeypatch, kind):
    hinted, chosen, source = _run_with(monkeypatch, kind, 0)
    assert len(chosen) >= 2 and source.count("_prefetch_row(") >= 2  # both pathways hint
    plain, none_chosen, plain_source = _run_with(monkeypatch, kind, 2**62)
    assert none_chosen == () and "_prefetch(" not in plain_source
    assert hinted[2].size > 1000  # the sources spiked: the comparison means something
    for a, b in zip(hinted, plain, strict=True):
        np.testing.assert_array_equal(a, b)
    # every target got what its synapses carry: 3 synapses of one event per spike of
    # their source
    counts = np.bincount(hinted[2], minlength=80)
    np.testing.assert_array_equal(hinted[1][[0, 1, 59]], counts[[3, 40, 79]])


def test_only_pathways_with_large_rows_prefetch(monkeypatch):
    # pf_big: ~2 400 synapses, int32 targets and float64 weights (~29 kB of rows);
    # pf_small: 3 synapses. A threshold between them picks the big one alone.
    _, chosen, source = _run_with(monkeypatch, "none", 10_000)
    assert chosen == ("pf_big_pre",)
    assert source.count("_prefetch_row(") == 2  # pf_big's rows: target index and weight


def test_row_arrays_are_those_at_the_row_position():
    """Without ``order`` the synapses' own arrays (at ``_idx = _p``), written ones too;
    with it, ``order`` and the copies read at ``_p``, never an array reached through
    ``_idx = order[_p]``; never a target's array."""
    from spikeloom import ir

    kernel = ir.Kernel(indices=(("_post", "post_index", "_idx"),),
                       loads=(("w", ir.Ref("weight", "_idx")), ("v", ir.Ref("v", "_post"))),
                       stores=(("v", ir.Ref("v", "_post")), ("t0", ir.Ref("last", "_idx"))))
    sorted_rows = ir.Pathway(name="p", every=1, dt="dt", ptr="ptr", kernel=kernel)
    assert _layout.row_arrays(sorted_rows) == ["post_index", "weight", "last"]
    copies = ir.Kernel(indices=(("_post", "post_copy", "_p"),),
                       loads=(("w", ir.Ref("weight", "_idx")),))
    through_order = ir.Pathway(name="p", every=1, dt="dt", ptr="ptr", order="order",
                               kernel=copies)
    assert _layout.row_arrays(through_order) == ["order", "post_copy"]


def test_a_row_only_written(monkeypatch):
    """A pathway that writes a synaptic variable and reads nothing per synapse (its rows
    are prefetched for the write): each synapse holds the time of its source's last spike,
    and a pathway that touches no synapse at all gets no hint."""
    monkeypatch.setattr(_layout, "PREFETCH_MIN_BYTES", 0)
    sl.defaultclock.dt = 0.1 * sl.ms
    sources = sl.NeuronGroup(50, "p : 1", threshold="rand() < p", name="wo_src")
    sources.p = 0.3
    targets = sl.NeuronGroup(1, "v : 1", name="wo_tgt")
    syn = sl.Synapses(sources, targets, "last : second", on_pre="last = t", name="wo_syn")
    syn.connect()
    syn.last = -1 * sl.second
    spikes = sl.SpikeMonitor(sources)
    sl.seed(2)
    net = sl.Network(sources, targets, syn, spikes)
    net.run(5 * sl.ms, report=None)
    assert "_prefetch_row(" in _run._LAST[2][1].source()
    trains = spikes.spike_trains()
    expected = [trains[k][-1] / sl.ms if len(trains[k]) else -1000.0 for k in range(50)]
    np.testing.assert_allclose(np.asarray(syn.last[:] / sl.ms),
                               np.asarray(expected)[np.asarray(syn.i[:])], rtol=0, atol=1e-9)
