"""``from_nir`` refuses what it cannot run, naming the node and the alternative."""

from __future__ import annotations

import numpy as np
import pytest

from spikeloom import second

nir = pytest.importorskip("nir")
from spikeloom.nir import _graph, from_nir


def a(*values):
    return np.array(values, dtype=float)


def lif(n=2):
    return nir.LIF(tau=np.full(n, 1e-3), r=np.ones(n), v_leak=np.zeros(n),
                   v_threshold=np.ones(n))


def graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


class Spline:
    """A node type that spikeloom does not know (NIR 1.0's own types are all imported)."""

    input_type = output_type = {"input": None}


def test_unknown_node_type_is_refused_with_the_alternative(monkeypatch):
    g = graph({"in": nir.Input(a(2)), "odd": Spline(), "lif": lif(), "out": nir.Output(a(2))},
              [("in", "odd"), ("odd", "lif"), ("lif", "out")])
    with pytest.raises(NotImplementedError,
                       match=r"'odd' has type Spline.*one of the supported types.*Conv2d"):
        from_nir(g, dt=1e-4 * second)
    monkeypatch.setitem(_graph.ALTERNATIVES, "Spline", "sample the spline into a Linear node")
    with pytest.raises(NotImplementedError, match=r"'odd' has type Spline.*sample the spline"):
        from_nir(g, dt=1e-4 * second)


def test_edge_to_an_unknown_node_raises():
    g = graph({"in": nir.Input(a(2)), "lif": lif(), "out": nir.Output(a(2))},
              [("in", "lif"), ("lif", "ghost"), ("lif", "out")])
    with pytest.raises(ValueError, match=r"edge \('lif', 'ghost'\).*'ghost'.*not in the graph"):
        from_nir(g, dt=1e-4 * second)


def test_a_node_leading_nowhere_is_not_dropped_silently():
    g = graph({"in": nir.Input(a(2)), "lif": lif(), "dangling": nir.Linear(np.eye(2)),
               "out": nir.Output(a(2))},
              [("in", "lif"), ("lif", "dangling"), ("lif", "out")])
    with pytest.raises(ValueError, match=r"\['dangling'\] lead to no neuron"):
        from_nir(g, dt=1e-4 * second)


def test_size_mismatch_and_bad_arguments():
    g = graph({"in": nir.Input(a(3)), "w": nir.Linear(np.ones((2, 2))), "lif": lif(),
               "out": nir.Output(a(2))},
              [("in", "w"), ("w", "lif"), ("lif", "out")])
    with pytest.raises(ValueError, match=r"'w' expects 2 inputs but 'in' gives 3"):
        from_nir(g, dt=1e-4 * second)
    ok = nir.NIRGraph.from_list(nir.Input(a(2)), lif(), nir.Output(a(2)))
    with pytest.raises(ValueError, match=r"spikes='jump' is not allowed.*'pulse', 'dirac'"):
        from_nir(ok, dt=1e-4 * second, spikes="jump")
    with pytest.raises(ValueError, match="dt must be a positive time"):
        from_nir(ok, dt=1e-4)
    net = from_nir(ok, dt=1e-4 * second)
    with pytest.raises(ValueError, match=r"input 'input' must have the shape \(n_steps, 2\)"):
        net.run(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="graph's Input nodes are"):
        net.run({"x": np.zeros((10, 2))})


def test_dirac_reading_refuses_continuous_nodes():
    g = nir.NIRGraph.from_list(nir.Input(a(2)),
                               nir.LI(tau=np.full(2, 1e-3), r=np.ones(2), v_leak=np.zeros(2)),
                               nir.Output(a(2)))
    with pytest.raises(NotImplementedError, match=r"type LI.*use spikes='pulse'"):
        from_nir(g, dt=1e-4 * second, spikes="dirac")


def test_delay_must_be_a_multiple_of_dt():
    g = nir.NIRGraph.from_list(nir.Input(a(1)), nir.Delay(a(1.5e-4)), nir.Output(a(1)))
    with pytest.raises(ValueError, match="multiple of dt"):
        from_nir(g, dt=1e-4 * second).run(np.ones((5, 1)))
