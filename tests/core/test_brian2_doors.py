"""Brian2 features that spikeloom refuses must say so, naming the alternative (never a bare
NameError/AttributeError); small doors checked against Brian2's documented behaviour."""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Equations, NeuronGroup, Synapses, mV


@pytest.mark.parametrize("make, words", [
    (lambda: sl.Soma(10 * sl.um), "NeuronGroup"),
    (lambda: sl.SpatialNeuron(None, "v : volt"), "multicompartment"),
    (lambda: Equations("I_inj : amp (point current)"), "membrane equation"),
    (lambda: NeuronGroup(2, "v : 1", events={"up": "v > 1"}), "run_regularly"),
    (lambda: Synapses(NeuronGroup(1, "v : 1"),
                      Synapses(NeuronGroup(1, "v : 1"), NeuronGroup(1, "v : 1"))),
     "on_pre/on_post"),
    (lambda: sl.device.run(run_args={"x": 1}), "call run()"),
    (lambda: sl.Function(abs), "TimedArray"),
])
def test_refused_features_name_the_alternative(make, words):
    with pytest.raises(NotImplementedError, match=words):
        make()


def test_synaptic_pre_and_post_views_follow_i_and_j():
    """Brian2: S.v_pre[k] is v of source neuron i[k], S.v_post[k] of target j[k]."""
    G = NeuronGroup(3, "v : volt")
    G.v = [1, 2, 3] * mV
    S = Synapses(G, G, "w : 1")
    S.connect("i != j")
    np.testing.assert_array_equal(np.asarray(S.v_pre / mV), np.array([1, 2, 3])[S.i[:]])
    np.testing.assert_array_equal(np.asarray(S.v_post / mV), np.array([1, 2, 3])[S.j[:]])
    np.testing.assert_array_equal(S.j[1, :], [0, 2])  # Brian2's synaptic indexing of j


def test_standalone_device_runs_on_the_numba_loop_and_says_so_once():
    sl.core._device._told_standalone.clear()
    with pytest.warns(UserWarning, match="Numba loop"):
        sl.set_device("cpp_standalone", directory=None, build_on_run=False)
    try:
        G = NeuronGroup(1, "dv/dt = 1/second : 1", name="standalone_probe")
        sl.Network(G).run(1 * sl.ms)
        sl.device.build(directory=None)
        assert G.v[0] == pytest.approx(1e-3)
        assert sl.get_device().name == "numba"
    finally:
        sl.reset_device()
