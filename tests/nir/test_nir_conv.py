"""Convolutions and pooling unrolled into dense maps: closed forms, errors, and snnTorch.

The maps are checked against independent computations (``scipy.signal.correlate2d``,
``np.correlate``, a hand-written grouped case, NumPy reshape sums); the graph
``tests/data/nir/snntorch_conv.nir`` and snnTorch's spikes were made by
``tests/data/nir/make_snntorch_conv_graph.py`` (in an environment of its own: snnTorch is
no dependency of spikeloom).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spikeloom import StateMonitor, second

nir = pytest.importorskip("nir")
from spikeloom.nir import _graph, from_nir

DATA = Path(__file__).parents[1] / "data" / "nir"


def conv2d(weight, hw, stride=1, padding=0, dilation=1, groups=1, bias=None):
    weight = np.asarray(weight, float)
    bias = np.zeros(weight.shape[0]) if bias is None else np.asarray(bias, float)
    return nir.Conv2d(input_shape=hw, weight=weight, stride=stride, padding=padding,
                      dilation=dilation, groups=groups, bias=bias)


def dense(node, n_in, upstream=None):
    return _graph.linear_map("node", node, n_in, upstream)


# -- convolutions against scipy / numpy ------------------------------------------------------

def _dilate(kernel, d):
    """The kernel with d - 1 zeros between its taps (dilation d = (d_h, d_w))."""
    out = np.zeros(((kernel.shape[0] - 1) * d[0] + 1, (kernel.shape[1] - 1) * d[1] + 1))
    out[::d[0], ::d[1]] = kernel
    return out


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", [
    ((7, 6), (3, 3), 1, 0, 1),
    ((7, 6), (3, 2), 2, 0, 1),
    ((7, 6), (3, 3), (2, 1), 1, 1),
    ((8, 9), (2, 3), 1, (2, 1), 1),
    ((9, 8), (3, 3), 1, 0, 2),
    ((9, 8), (2, 3), (1, 3), 2, (2, 1)),
    ((6, 7), (3, 3), 1, "valid", 1),
])
def test_single_channel_conv2d_is_scipys_correlation(shape, kernel, stride, padding,
                                                      dilation):
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(1)
    k = rng.normal(size=kernel)
    x = rng.normal(size=shape)
    node = conv2d(k[None, None], shape, stride, padding, dilation, bias=[0.25])
    weight, bias = dense(node, x.size)
    s = np.broadcast_to(stride, 2)
    p = (0, 0) if padding == "valid" else np.broadcast_to(padding, 2)
    d = np.broadcast_to(dilation, 2)
    padded = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    expected = signal.correlate2d(padded, _dilate(k, d), mode="valid")[::s[0], ::s[1]] + 0.25
    assert weight.shape == (expected.size, x.size)
    np.testing.assert_allclose(weight @ x.ravel() + bias, expected.ravel(), atol=1e-12)
    if kernel[0] == kernel[1]:  # nir 1.0.8 reads every Conv2d kernel as square
        assert tuple(node.output_type["output"]) == (1, *expected.shape)


def test_same_padding_with_an_odd_kernel_is_scipys_same_correlation():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(2)
    k, x = rng.normal(size=(3, 5)), rng.normal(size=(6, 7))
    weight, _ = dense(conv2d(k[None, None], (6, 7), padding="same"), x.size)
    expected = signal.correlate2d(x, k, mode="same")
    np.testing.assert_allclose(weight @ x.ravel(), expected.ravel(), atol=1e-12)


def test_same_padding_with_an_even_kernel_pads_the_extra_at_the_end():
    # PyTorch: total padding d*(k - 1) = 1, none before, one after
    weight, _ = dense(nir.Conv1d(input_shape=3, weight=np.array([[[1.0, 10.0]]]), stride=1,
                                 padding="same", dilation=1, groups=1, bias=np.zeros(1)), 3)
    np.testing.assert_array_equal(weight, [[1, 10, 0], [0, 1, 10], [0, 0, 1]])


def test_multichannel_conv1d_is_a_sum_of_numpy_correlations():
    rng = np.random.default_rng(3)
    k, x, bias = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 11)), rng.normal(size=3)
    node = nir.Conv1d(input_shape=11, weight=k, stride=2, padding=1, dilation=1, groups=1,
                      bias=bias)
    weight, b = dense(node, x.size)
    padded = np.pad(x, ((0, 0), (1, 1)))
    expected = np.array([sum(np.correlate(padded[c], k[o, c], mode="valid") for c in range(2))
                         for o in range(3)])[:, ::2] + bias[:, None]
    assert tuple(node.output_type["output"]) == expected.shape
    np.testing.assert_allclose(weight @ x.ravel() + b, expected.ravel(), atol=1e-12)


def test_grouped_conv2d_by_hand():
    # 4 input channels of 1 x 3, 2 output channels, groups=2, kernel 1 x 2, stride 1:
    # output channel 0 reads channels 0, 1; output channel 1 reads channels 2, 3
    k = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]],
                  [[[5.0, 6.0]], [[7.0, 8.0]]]])  # (C_out=2, C_in/groups=2, 1, 2)
    weight, bias = dense(conv2d(k, (1, 3), groups=2, bias=[0.5, -1.0]), 12)
    # columns: channel c, position x -> 3*c + x; rows: channel o, position j -> 2*o + j
    expected = np.array([
        [1, 2, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 2, 0, 3, 4, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 5, 6, 0, 7, 8, 0],
        [0, 0, 0, 0, 0, 0, 0, 5, 6, 0, 7, 8],
    ], dtype=float)
    np.testing.assert_array_equal(weight, expected)
    np.testing.assert_array_equal(bias, [0.5, 0.5, -1.0, -1.0])


# -- pooling against reshape sums ---------------------------------------------------------

@pytest.mark.parametrize("kind", ["SumPool2d", "AvgPool2d"])
@pytest.mark.parametrize("kernel, padding", [((2, 2), (0, 0)), ((2, 3), (0, 0)),
                                             ((2, 2), (1, 1)), ((3, 2), (1, 0))])
def test_pooling_is_a_reshape_sum(kind, kernel, padding):
    rng = np.random.default_rng(4)
    c, h, w = 3, 6, 6
    x = rng.normal(size=(c, h, w))
    node = getattr(nir, kind)(kernel_size=np.array(kernel), stride=np.array(kernel),
                              padding=np.array(padding))
    node.input_type = {"input": np.array([c, h, w])}
    weight, bias = dense(node, x.size)
    (kh, kw), (ph, pw) = kernel, padding
    padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    oh, ow = padded.shape[1] // kh, padded.shape[2] // kw  # floor: PyTorch's ceil_mode=False
    expected = padded[:, :oh * kh, :ow * kw].reshape(c, oh, kh, ow, kw).sum(axis=(2, 4))
    if kind == "AvgPool2d":
        expected = expected / (kh * kw)  # padding counted (count_include_pad=True)
    np.testing.assert_allclose(weight @ x.ravel() + bias, expected.ravel(), atol=1e-12)


def test_overlapping_pooling_is_a_sliding_window_sum():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 5, 7))
    node = nir.AvgPool2d(kernel_size=np.array([3, 2]), stride=np.array([1, 2]),
                         padding=np.array([0, 0]))
    node.input_type = {"input": np.array(x.shape)}
    weight, _ = dense(node, x.size)
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 2), axis=(1, 2))[:, :, ::2]
    np.testing.assert_allclose(weight @ x.ravel(), windows.mean(axis=(3, 4)).ravel(),
                               atol=1e-12)


def test_pooling_takes_its_input_shape_from_the_upstream_node():
    # a 3 x 1 kernel: nir's inference says (2, 6, 4), PyTorch's formula (2, 6, 6)
    conv = conv2d(np.ones((2, 1, 3, 1)), (6, 6), padding=(1, 0))
    pool = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                         padding=np.array([0, 0]))
    assert tuple(conv.output_type["output"]) == (2, 6, 4)
    weight, _ = dense(pool, 72, upstream={"conv": conv})
    assert weight.shape == (18, 72)
    x = np.arange(72.0)
    np.testing.assert_array_equal(weight @ x,
                                  x.reshape(2, 3, 2, 3, 2).sum(axis=(2, 4)).ravel())


# -- errors -----------------------------------------------------------------------------------

def test_conv_without_input_shape_asks_for_it():
    node = nir.Conv2d(input_shape=None, weight=np.ones((1, 1, 2, 2)), stride=1, padding=0,
                      dilation=1, groups=1, bias=np.zeros(1))
    with pytest.raises(ValueError, match=r"'node' \(Conv2d\) has no input_shape.*"
                                         r"infer_types\(\)"):
        dense(node, 16)


def test_conv_input_size_must_match_the_upstream_size():
    with pytest.raises(ValueError, match=r"'node' \(Conv2d\) expects an input of 2 channel"
                                         r"\(s\) x 16 positions = 32 elements but its input "
                                         r"has 16"):
        dense(conv2d(np.ones((3, 2, 2, 2)), (4, 4)), 16)


def test_pooling_without_a_known_input_shape_is_refused():
    pool = nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                         padding=np.array([0, 0]))
    with pytest.raises(ValueError, match=r"'node' \(AvgPool2d\) needs the \(C, H, W\) shape.*"
                                         r"input_type"):
        dense(pool, 16, upstream={"w": nir.Linear(np.eye(16))})


def test_a_too_large_dense_map_is_refused_before_allocation():
    with pytest.raises(ValueError, match=r"'node' \(Conv2d\).*dense 40000 x 40000 matrix"):
        dense(conv2d(np.ones((1, 1, 3, 3)), (200, 200), padding=1), 40000)


def test_same_padding_with_a_stride_and_bad_geometry_are_refused():
    with pytest.raises(ValueError, match="'same' needs stride 1"):
        dense(conv2d(np.ones((1, 1, 3, 3)), (5, 5), stride=2, padding="same"), 25)
    node = conv2d(np.ones((1, 1, 3, 3)), (5, 5))
    node.stride = (1, 0)  # nir's constructor itself fails on it
    with pytest.raises(ValueError, match=r"stride=\(1, 0\); expected a whole number >= 1"):
        dense(node, 25)
    with pytest.raises(ValueError, match=r"gives an output of size \[-1, -1\]"):
        dense(conv2d(np.ones((1, 1, 3, 3)), (1, 1)), 1)
    with pytest.raises(ValueError, match="3 output channels, which 2 groups do not divide"):
        dense(conv2d(np.ones((3, 1, 1, 1)), (2, 2), groups=2), 8)


def test_pooling_in_a_graph_without_shapes():
    pool = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                         padding=np.array([0, 0]))
    lif = nir.LIF(tau=np.full(4, 1e-3), r=np.ones(4), v_leak=np.zeros(4),
                  v_threshold=np.ones(4))
    g = nir.NIRGraph(nodes={"in": nir.Input(np.array([16])), "pool": pool, "lif": lif,
                            "out": nir.Output(np.array([4]))},
                     edges=[("in", "pool"), ("pool", "lif"), ("lif", "out")], type_check=False)
    with pytest.raises(ValueError, match=r"'pool' \(SumPool2d\) needs the \(C, H, W\) shape"):
        from_nir(g, dt=1e-4 * second)
    g.nodes["in"] = nir.Input(np.array([1, 4, 4]))  # now the Input says the shape
    out = from_nir(g, dt=1e-4 * second).run(np.ones((3, 16)))["out"]
    # each neuron gets 4 per step: v = 0.4 after one step (tau = 10 dt), > 1 after three
    np.testing.assert_array_equal(out, [[0] * 4, [0] * 4, [1] * 4])


# -- snnTorch's export --------------------------------------------------------------------

@pytest.mark.parametrize("type_check", [True, False])
def test_snntorch_conv_export_gives_snntorchs_spikes(type_check):
    # type_check=False: no shape inference on reading, the pooling takes its input's shape
    # from the LIF before it
    graph = nir.read(DATA / "snntorch_conv.nir", type_check=type_check)
    ref = np.load(DATA / "snntorch_conv_spikes.npz")
    assert {k: type(v).__name__ for k, v in graph.nodes.items()} == {
        "input": "Input", "0": "Conv2d", "1": "LIF", "2": "AvgPool2d", "3": "Flatten",
        "4": "Affine", "5": "LIF", "output": "Output"}
    net = from_nir(graph, dt=1e-4 * second)  # snnTorch's export assumes dt = 0.1 ms
    network = net.build(ref["input"])
    hidden = StateMonitor(net.groups["1"], "s", record=True, when="end")
    network.add(hidden)
    network.run(ref["input"].shape[0] * 1e-4 * second)
    assert ref["hidden"].shape == (100, 96) and ref["hidden"].sum() > 500
    np.testing.assert_array_equal(hidden.s.T > 0.5, ref["hidden"])
    out = net.run(ref["input"])["output"]
    assert ref["output"].sum() > 40 and ref["output"].sum(axis=0).min() > 0  # not vacuous
    np.testing.assert_array_equal(out, ref["output"])
