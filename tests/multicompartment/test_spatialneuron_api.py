"""SpatialNeuron's Brian2 doors: compartment selection, the linearised membrane step, the
threshold location, errors, the summed-variable schedule, and the two backends agreeing.

The cable's physics (closed forms, Brian2's traces) is tested in
``test_cable_closed_forms.py``; here each test pins one piece of the mechanics a wrong
implementation would get wrong.
"""

import numpy as np
import pytest
import swc_cell  # the Hodgkin-Huxley channels of the SWC cell's test

import spikeloom as sl
from spikeloom import (
    Cylinder,
    Network,
    NeuronGroup,
    Soma,
    SpatialNeuron,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    cm,
    ms,
    mV,
    nA,
    ohm,
    siemens,
    uF,
    um,
)

PASSIVE = """
Im = gL*(EL - v) : amp/meter**2
I : amp (point current)
"""
GL, EL = 1e-4 * siemens / cm**2, -70 * mV


def _tree():
    """Soma, an axon, and a dendrite L with a child: four sections, Brian2's numbering."""
    morpho = Soma(30 * um)
    morpho.axon = Cylinder(diameter=1 * um, length=100 * um, n=10)
    morpho.L = Cylinder(diameter=1 * um, length=50 * um, n=5)
    morpho.L.tip = Cylinder(diameter=0.5 * um, length=20 * um, n=4)
    return morpho


def test_subtrees_sections_and_distances_select_brian2s_compartments():
    """Compartments are numbered depth first (soma 0, axon 1-10, L 11-15, L.tip 16-19):
    ``main`` is one section, a child's name its whole subtree, a distance slice the
    compartments whose midpoints lie in it."""
    morpho = _tree()
    neuron = SpatialNeuron(morpho, PASSIVE, namespace={"gL": GL, "EL": EL})
    assert (neuron.main.start, neuron.main.stop) == (0, 1)
    assert (neuron.axon.start, neuron.axon.stop) == (1, 11)
    assert (neuron.L.start, neuron.L.stop) == (11, 20)  # L and its child
    assert (neuron.L.main.start, neuron.L.main.stop) == (11, 16)
    assert (neuron.L.tip.start, neuron.L.tip.stop) == (16, 20)
    segment = neuron.axon[20 * um:50 * um]  # midpoints at 25, 35, 45 µm
    assert (segment.start, segment.stop) == (3, 6)
    neuron.v[morpho.L[12 * um]] = 5 * mV  # the second compartment of L (10-20 µm)
    assert np.flatnonzero(np.asarray(neuron.v_)).tolist() == [12]
    # distances run from the soma (which adds no length, as in Brian2) to each midpoint
    np.testing.assert_allclose(np.asarray(neuron.L.tip.distance / um),
                               [50 + 2.5, 50 + 7.5, 50 + 12.5, 50 + 17.5])


def test_one_step_of_a_single_compartment_is_the_linearised_backward_euler_step():
    """One compartment, no axial current, Im nonlinear in v (an exponential current): one
    step gives ``v' = (Cm/dt·v + I0)/(Cm/dt + gtot)`` with ``gtot = -∂Im/∂v`` and
    ``I0 = Im + gtot·v`` at the old v (Brian2's scheme). Catches a wrong sign or a missing
    derivative term (explicit Euler would give another number)."""
    dt, cm_, gl, el, ge, vt, dvt = 0.1e-3, 1e-2, 1.0, -0.07, 0.5, -0.05, 0.002
    neuron = SpatialNeuron(Soma(20 * um), """
        Im = gl*(el - v) + ge*exp((v - vt)/dvt) : amp/meter**2
        """, Cm=cm_ * uF / cm**2 * 100, namespace={
        "gl": gl * siemens / sl.meter**2, "el": el * sl.volt, "ge": ge * sl.amp / sl.meter**2,
        "vt": vt * sl.volt, "dvt": dvt * sl.volt})
    v0 = -0.055
    neuron.v = v0 * sl.volt
    sl.Network(neuron).run(dt * sl.second)
    gtot = gl - ge / dvt * np.exp((v0 - vt) / dvt)
    i0 = gl * (el - v0) + ge * np.exp((v0 - vt) / dvt) + gtot * v0
    expected = (cm_ / dt * v0 + i0) / (cm_ / dt + gtot)
    assert float(neuron.v_[0]) == pytest.approx(expected, rel=1e-12)
    # Ic is the capacitive current density of that step
    assert float(neuron.Ic_[0]) == pytest.approx(cm_ * (expected - v0) / dt, rel=1e-9)


def test_the_threshold_is_tested_only_at_its_location():
    morpho = _tree()
    neuron = SpatialNeuron(morpho, PASSIVE, threshold="v > -60*mV", reset="v = EL",
                           threshold_location=morpho.axon[55 * um],
                           namespace={"gL": GL, "EL": EL})
    neuron.v = -50 * mV  # above threshold everywhere
    spikes = SpikeMonitor(neuron)
    Network(neuron, spikes).run(0.1 * ms)
    assert spikes.i[:].tolist() == [6]


@pytest.mark.parametrize("model, error, words", [
    ("I : amp (point current)", sl.EquationError, "must define.*Im"),
    ("Im = gL*(EL - v) : amp", sl.UnitError, "current density"),
    ("Im = gL*(EL - v) : amp/meter**2\nI : volt (point current)", sl.UnitError,
     "point current must be in amp"),
    ("Im = gL*(EL - v) : amp/meter**2\nv : volt", sl.EquationError, "SpatialNeuron defines it"),
])
def test_bad_models_say_what_is_wrong(model, error, words):
    with pytest.raises(error, match=words):
        SpatialNeuron(Soma(10 * um), model, namespace={"gL": GL, "EL": EL})


def test_bad_arguments_name_the_argument():
    with pytest.raises(TypeError, match="morphology must be a Morphology"):
        SpatialNeuron("soma", PASSIVE)
    with pytest.raises(IndexError, match="threshold_location=50.*allowed 0..19"):
        SpatialNeuron(_tree(), PASSIVE, threshold="v > 0*mV", threshold_location=50)
    with pytest.raises(sl.EquationError, match="point current.*SpatialNeuron"):
        NeuronGroup(1, "I : amp (point current)")


def test_a_summed_variable_moved_after_the_groups_sees_this_steps_capacitive_current():
    """Brian2's LFP example moves the (summed) update to 'after_groups' so that it reads
    the Ic of the current step; in its default slot (before the target group) it reads
    the previous step's."""
    values = {}
    for when in ("groups", "after_groups"):
        sl.start_scope()
        neuron = SpatialNeuron(Soma(20 * um), PASSIVE, namespace={"gL": GL, "EL": EL})
        neuron.v = EL
        neuron.I = 0.1 * nA
        probe = NeuronGroup(1, "s : amp/meter**2")
        link = Synapses(neuron, probe, "s_post = Ic_pre : amp/meter**2 (summed)")
        link.connect()
        if when != "groups":
            link.summed_updaters["s_post"].when = when
        Network(neuron, probe, link).run(0.3 * ms)
        values[when] = (float(probe.s_[0]), float(neuron.Ic_[0]))
    assert values["after_groups"][0] == values["after_groups"][1]
    assert values["groups"][0] != values["groups"][1]  # Ic decays: last step's is larger
    assert values["groups"][0] > values["groups"][1] > 0


def test_a_summed_updater_in_an_unknown_slot_names_the_slots():
    neuron = SpatialNeuron(Soma(20 * um), PASSIVE, namespace={"gL": GL, "EL": EL})
    probe = NeuronGroup(1, "s : amp/meter**2")
    link = Synapses(neuron, probe, "s_post = Ic_pre : amp/meter**2 (summed)")
    link.connect()
    link.summed_updaters["s_post"].when = "later"
    with pytest.raises(ValueError, match="later"):
        Network(neuron, probe, link).run(0.1 * ms)




def _hh_tree_run():
    sl.start_scope()
    sl.defaultclock.dt = 0.01 * ms
    ns = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV,
          "gl": 0.3e-3 * siemens / cm**2}
    neuron = SpatialNeuron(_tree(), swc_cell.EQUATIONS, Cm=1 * uF / cm**2,
                           Ri=35.4 * ohm * cm, method="exponential_euler",
                           threshold="v > 50*mV", refractory="v > 20*mV", namespace=ns)
    neuron.v = 0 * mV
    neuron.h = 1
    neuron.n = 0.5
    neuron.gNa = 120e-3 * siemens / cm**2
    neuron.gK = 36e-3 * siemens / cm**2
    neuron.main.I = 2 * nA
    trace = StateMonitor(neuron, "v", record=True)
    spikes = SpikeMonitor(neuron)
    Network(neuron, trace, spikes).run(6 * ms)
    return np.asarray(trace.v_), np.asarray(spikes.i[:]), np.asarray(spikes.t_)


def test_jax_runs_a_branched_hodgkin_huxley_neuron_as_numba_does():
    """Same spikes, voltages within a few ulps of the action potential's scale (the
    backends' exp differ in the last bit; the tree solve is the same operations)."""
    pytest.importorskip("jax")
    v_numba, i_numba, t_numba = _hh_tree_run()
    assert len(i_numba) > 10  # the spike travels through every compartment
    sl.set_device("jax")
    v_jax, i_jax, t_jax = _hh_tree_run()
    np.testing.assert_array_equal(i_jax, i_numba)
    np.testing.assert_array_equal(t_jax, t_numba)
    np.testing.assert_allclose(v_jax, v_numba, rtol=0, atol=1e-12)
