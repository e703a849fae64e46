"""A graph exported by snnTorch, run by ``from_nir``: the same spikes as snnTorch's.

The graph, the input and snnTorch's spikes were made by ``tests/data/nir/make_snntorch_graph.py``
(in an environment of its own: snnTorch is no dependency of spikeloom).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spikeloom import StateMonitor, second

nir = pytest.importorskip("nir")
from spikeloom.nir import from_nir

DATA = Path(__file__).parents[1] / "data" / "nir"


def test_snntorch_leaky_export_gives_snntorchs_spikes():
    graph = nir.read(DATA / "snntorch_leaky.nir")
    ref = np.load(DATA / "snntorch_leaky_spikes.npz")
    assert [type(graph.nodes[k]).__name__ for k in ("0", "1", "2", "3")] == \
        ["Affine", "LIF", "Affine", "LIF"]
    net = from_nir(graph, dt=1e-4 * second)  # snnTorch's export assumes dt = 0.1 ms
    network = net.build(ref["input"])
    hidden = StateMonitor(net.groups["1"], "s", record=True, when="end")
    network.add(hidden)
    network.run(ref["input"].shape[0] * 1e-4 * second)
    np.testing.assert_array_equal(hidden.s.T > 0.5, ref["hidden"])
    out = net.run(ref["input"])["output"]
    assert ref["output"].sum() > 20  # the check is not vacuous
    np.testing.assert_array_equal(out, ref["output"])


def test_the_peer_graph_fails_with_the_wrong_dt():
    graph = nir.read(DATA / "snntorch_leaky.nir")
    ref = np.load(DATA / "snntorch_leaky_spikes.npz")
    out = from_nir(graph, dt=2e-4 * second).run(ref["input"])["output"]
    assert not np.array_equal(out, ref["output"])
