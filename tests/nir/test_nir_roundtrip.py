"""``from_nir(to_nir(net))`` reproduces ``net``'s spikes; ``to_nir`` refuses what NIR cannot say."""

from __future__ import annotations

import numpy as np
import pytest

from spikeloom import (
    Mohm,
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    nA,
)
from spikeloom.models import CUBA, LIF, AllToAll, Expon, LifRef, Projection, SpikeTimeGroup

nir = pytest.importorskip("nir")
from spikeloom.nir import from_nir, to_nir

DT = 1e-4
N_STEPS, N_IN = 1500, 6


def network(source_class=SpikeGeneratorGroup):
    rng = np.random.default_rng(3)
    steps, idx = np.nonzero(rng.random((N_STEPS, N_IN)) < 0.05)
    inp = source_class(N_IN, idx, steps * DT * 1000 * ms)
    l1 = LIF(5, tau=rng.uniform(5, 20, 5) * ms, V_th=15 * mV, V_reset=-3 * mV)
    l2 = LifRef(3, V_rest=-2 * mV, R=2 * Mohm,
                I_ext=rng.uniform(0, 4, 3) * nA, tau_ref=0 * ms)
    s1 = Synapses(inp, l1, "w : volt", on_pre="V_post += w")
    s1.connect()
    s1.w = rng.uniform(0, 8, s1.N) * mV
    s2 = Synapses(l1, l2, "w : volt", on_pre="V_post += w")
    s2.connect(p=0.8)
    s2.w = rng.uniform(-2, 12, s2.N) * mV
    x = np.zeros((N_STEPS, N_IN))
    x[steps, idx] = 1
    return (inp, l1, l2, s1, s2), x


def spike_array(mon, n):
    out = np.zeros((N_STEPS, n), bool)
    out[np.round(np.asarray(mon.t_) / DT).astype(int), np.asarray(mon.i)] = True
    return out


@pytest.mark.parametrize("source_class", [SpikeGeneratorGroup, SpikeTimeGroup])
def test_round_trip_reproduces_the_spikes(tmp_path, source_class):
    objects, x = network(source_class)
    inp, l1, l2, *_ = objects
    graph = to_nir(Network(*objects), outputs=[l1, l2])
    nir.write(tmp_path / "net.nir", graph)
    mons = SpikeMonitor(l1), SpikeMonitor(l2)
    Network(*objects, *mons).run(N_STEPS * DT * 1000 * ms)
    back = from_nir(tmp_path / "net.nir", dt=0.1 * ms, spikes="dirac").run({inp.name: x})
    for mon, group in zip(mons, (l1, l2)):
        ref = spike_array(mon, group.N)
        assert ref.sum() > 10
        np.testing.assert_array_equal(back[f"{group.name}_output"], ref)


def test_written_graph_holds_the_lif_parameters():
    objects, _ = network()
    inp, l1, l2, s1, s2 = objects
    graph = to_nir(objects)
    assert list(graph.outputs) == [f"{l2.name}_output"]  # default: no outgoing synapses
    node = graph.nodes[l1.name]
    np.testing.assert_allclose(node.tau, np.asarray(l1.parameters["tau"]))
    np.testing.assert_allclose(node.v_threshold, 15e-3)
    np.testing.assert_allclose(node.v_reset, -3e-3)
    assert type(graph.nodes[s2.name]).__name__ == "Affine"  # carries l2's I_ext
    np.testing.assert_allclose(graph.nodes[s2.name].bias, np.asarray(l2.I_ext_))
    # the weight is the impulse w*tau/R that makes the jump w
    w = np.zeros((5, N_IN))
    w[np.asarray(s1.j), np.asarray(s1.i)] = np.asarray(s1.w_)
    np.testing.assert_allclose(graph.nodes[s1.name].weight,
                               w * (node.tau / node.r)[:, None], rtol=1e-12)


def test_inexpressible_objects_are_named():
    inp = SpikeGeneratorGroup(2, [0], [1] * ms)
    plain = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    with pytest.raises(ValueError, match=r"NeuronGroup .*not expressible.*LIF"):
        to_nir([inp, plain])
    ref = LifRef(2, tau_ref=2 * ms)
    with pytest.raises(ValueError, match=r"tau_ref.*refractory"):
        to_nir([inp, ref])


def test_inexpressible_synapses_are_named():
    inp = SpikeGeneratorGroup(2, [0], [1] * ms)
    lif = LIF(2)
    syn = Synapses(inp, lif, "w : volt", on_pre="V_post += 2*w")
    syn.connect()
    with pytest.raises(ValueError, match=r"on_pre='V_post \+= 2\*w' is not expressible"):
        to_nir([inp, lif, syn])
    inp2, lif2 = SpikeGeneratorGroup(2, [0], [1] * ms), LIF(2)
    delayed = Synapses(inp2, lif2, "w : volt", on_pre="V_post += w", delay=1 * ms)
    delayed.connect()
    with pytest.raises(ValueError, match="delays"):
        to_nir([inp2, lif2, delayed])
    inp3, lif3 = SpikeGeneratorGroup(2, [0], [1] * ms), LIF(2)
    other = Synapses(inp3, lif3, "w : volt", on_pre="V_post += w")
    other.connect()
    with pytest.raises(ValueError, match="both must be written"):
        to_nir([inp3, other])


def test_projections_and_string_currents_are_refused():
    inp = SpikeGeneratorGroup(2, [0], [1] * ms)
    lif = LIF(2)
    Projection(inp, lif, synapse=Expon(), output=CUBA(), weight=1 * nA,
               connectivity=AllToAll(), name="proj_nir")
    with pytest.raises(ValueError, match="Projection inputs"):
        to_nir([inp, lif])
    lif2 = LIF(2, I_ext="5*nA")
    with pytest.raises(ValueError, match="constant current"):
        to_nir([lif2])
