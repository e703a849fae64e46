"""``from_nir``: closed forms of each node type in the 'pulse' and 'dirac' readings."""

from __future__ import annotations

import numpy as np
import pytest

from spikeloom import ms, second

nir = pytest.importorskip("nir")
from spikeloom.nir import from_nir

DT = 1e-4  # s


def a(*values):
    return np.array(values, dtype=float)


def chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def lif_graph(weight, bias, tau, r, v_th, v_reset=0.0, v_leak=0.0):
    n = len(tau)
    return chain(nir.Input(a(1)), nir.Affine(np.array(weight, float).reshape(n, 1), a(*bias)),
                 nir.LIF(tau=a(*tau), r=a(*r), v_leak=np.full(n, v_leak),
                         v_threshold=a(*v_th), v_reset=np.full(n, v_reset)),
                 nir.Output(a(n)))


def first_crossing(v_inf, threshold, decay):
    """Smallest n >= 1 with v_inf*(1 - decay**n) > threshold (v from 0)."""
    n = 1
    while not v_inf * (1 - decay ** n) > threshold:
        n += 1
    return n


def test_lif_constant_input_through_affine_matches_the_closed_form():
    # I = w*1 + b held every step; Euler: v_n = r*I*(1 - beta**n), beta = 1 - dt/tau
    tau, r, w, b = [2e-3, 5e-3, 1e-3], [1.0, 2.0, 3.0], [0.9, 0.6, 0.0], [0.3, 0.05, 0.7]
    graph = lif_graph(w, b, tau, r, v_th=[1.0, 1.0, 1.5])
    out = from_nir(graph, dt=DT * second).run(np.ones((400, 1)))["output"]
    for k in range(3):
        v_inf = r[k] * (w[k] + b[k])
        period = first_crossing(v_inf, [1.0, 1.0, 1.5][k], 1 - DT / tau[k])
        expected = np.arange(period - 1, 400, period)
        np.testing.assert_array_equal(np.flatnonzero(out[:, k]), expected)
    assert out.dtype == bool


def test_exact_method_uses_the_exponential_step():
    tau, r, w = 1e-3, 1.0, 1.05
    graph = lif_graph([w], [0.0], [tau], [r], v_th=[1.0])
    out = from_nir(graph, dt=DT * second, method="exact").run(np.ones((200, 1)))["output"]
    period = first_crossing(r * w, 1.0, np.exp(-DT / tau))
    np.testing.assert_array_equal(np.flatnonzero(out[:, 0]), np.arange(period - 1, 200, period))
    euler = first_crossing(r * w, 1.0, 1 - DT / tau)
    assert euler != period  # the two methods are distinguishable here


def test_if_and_integrator_and_leaky_integrator():
    n_steps = 50
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(a(1)),
               "w": nir.Linear(np.ones((1, 1)) * 2.0),
               "if": nir.IF(r=a(100.0), v_threshold=a(0.05)),
               "int": nir.I(r=a(100.0)),
               "li": nir.LI(tau=a(1e-3), r=a(1.0), v_leak=a(0.0)),
               "o_if": nir.Output(a(1)), "o_int": nir.Output(a(1)), "o_li": nir.Output(a(1))},
        edges=[("in", "w"), ("w", "if"), ("w", "int"), ("w", "li"), ("if", "o_if"),
               ("int", "o_int"), ("li", "o_li")])
    out = from_nir(graph, dt=DT * second).run(np.ones((n_steps, 1)))
    n = np.arange(1, n_steps + 1)
    np.testing.assert_allclose(out["o_int"][:, 0], n * DT * 100.0 * 2.0, rtol=1e-12)
    np.testing.assert_allclose(out["o_li"][:, 0], 2.0 * (1 - 0.9 ** n), rtol=1e-12)
    # IF: v grows by 0.02 a step, > 0.05 at the third step, then reset to 0
    np.testing.assert_array_equal(np.flatnonzero(out["o_if"][:, 0]), np.arange(2, n_steps, 3))


def test_cubalif_matches_the_discrete_recursion():
    # snnTorch's Synaptic written in NIR: w_in = tau_syn/dt, r = tau_mem/dt
    alpha, beta = 0.8, 0.9
    tau_syn, tau_mem = DT / (1 - alpha), DT / (1 - beta)
    graph = chain(nir.Input(a(1)), nir.Linear(np.array([[0.3]])),
                  nir.CubaLIF(tau_syn=a(tau_syn), tau_mem=a(tau_mem), r=a(tau_mem / DT),
                              v_leak=a(0.0), v_threshold=a(1.0), w_in=a(tau_syn / DT)),
                  nir.Output(a(1)))
    x = (np.arange(300) % 7 < 3).astype(float)
    out = from_nir(graph, dt=DT * second).run(x[:, None])["output"][:, 0]
    cur = v = 0.0
    expected = []
    for xi in x:
        cur = alpha * cur + 0.3 * xi
        v = beta * v + cur
        expected.append(v > 1.0)
        v = 0.0 if v > 1.0 else v
    np.testing.assert_array_equal(out, expected)
    assert out.sum() > 5


def test_threshold_scale_and_delay():
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(a(2)), "scale": nir.Scale(a(2.0, 0.5)),
               "thr": nir.Threshold(a(1.5, 1.5)), "delay": nir.Delay(a(0.0, 3 * DT)),
               "out": nir.Output(a(2))},
        edges=[("in", "scale"), ("scale", "thr"), ("thr", "delay"), ("delay", "out")])
    x = np.zeros((20, 2))
    x[[2, 5, 9], 0] = 1.0
    x[[4, 6], 1] = [4.0, 1.0]  # 0.5*4 > 1.5, 0.5*1 is not
    out = from_nir(graph, dt=DT * second).run(x)["out"]
    np.testing.assert_array_equal(np.flatnonzero(out[:, 0]), [2, 5, 9])
    np.testing.assert_array_equal(np.flatnonzero(out[:, 1]), [7])


def test_recurrent_subgraph_uses_the_previous_step():
    # snnTorch's RLeaky export: a nested graph lif -> w_rec -> lif
    inner = nir.NIRGraph(
        nodes={"input": nir.Input(a(2)),
               "lif": nir.LIF(tau=a(1e-3, 1e-3), r=a(10.0, 10.0), v_leak=a(0.0, 0.0),
                              v_threshold=a(1.0, 1.0), v_reset=a(0.0, 0.0)),
               "w_rec": nir.Linear(np.array([[0.0, 0.0], [0.8, 0.0]])),
               "output": nir.Output(a(2))},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(a(2)), "fc": nir.Linear(np.diag([1.2, 0.0])), "rec": inner,
               "out": nir.Output(a(2))},
        edges=[("in", "fc"), ("fc", "rec"), ("rec", "out")])
    x = np.zeros((30, 2))
    x[[0, 10], 0] = 1.0
    out = from_nir(graph, dt=DT * second).run(x)["out"]
    # neuron 0 fires where its input arrives; neuron 1 gets 0.8 one step later, 0.8 < 1
    # alone, so it needs both: it never fires... unless two spikes accumulate
    v = np.zeros(2)
    spikes = np.zeros(2)
    expected = []
    for xi in x:
        v = 0.9 * v + np.array([1.2 * xi[0], 0.8 * spikes[0]])
        spikes = (v > 1.0).astype(float)
        v[spikes > 0] = 0.0
        expected.append(spikes > 0)
    np.testing.assert_array_equal(out, np.array(expected))
    assert out[:, 0].sum() == 2


def test_dirac_reading_jumps_by_r_w_over_tau():
    tau, r, w = 2e-3, 4.0, 1.3e-3  # jump r*w/tau = 2.6 > 2: one input spike, one output spike
    graph = lif_graph([w], [0.0], [tau], [r], v_th=[2.0])
    x = np.zeros((40, 1))
    x[[3, 20], 0] = 1
    out = from_nir(graph, dt=0.1 * ms, spikes="dirac").run(x)["output"][:, 0]
    # the jump lands after the threshold of the input's step: the spike is one step later
    np.testing.assert_array_equal(np.flatnonzero(out), [4, 21])


def test_graph_file_and_repr(tmp_path):
    graph = lif_graph([1.0], [0.0], [1e-3], [10.0], v_th=[1.5])
    nir.write(tmp_path / "g.nir", graph)
    net = from_nir(tmp_path / "g.nir", dt=DT * second)
    assert "inputs=['input']" in repr(net)
    out = net.run(np.ones((10, 1)))["output"][:, 0]
    np.testing.assert_array_equal(np.flatnonzero(out), [1, 3, 5, 7, 9])
    assert set(net.groups) == {"input", "lif", "output"}
