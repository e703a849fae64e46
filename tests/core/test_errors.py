"""Bad input raises a clear error naming the object, the argument and what is allowed."""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import Hz, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, Synapses, ms, mV
from spikeloom.exceptions import (
    EquationError,
    SimulationError,
    UnitError,
    UnresolvedNameError,
)


def test_unit_mismatch_names_equation_and_both_units():
    G = NeuronGroup(1, "dv/dt = -v : volt", method="euler", name="mismatch")
    with pytest.raises(UnitError) as info:
        sl.Network(G).run(1 * ms)
    message = str(info.value)
    assert "mismatch" in message and "dv/dt = -v : volt" in message
    assert "volt" in message and "expected" in message


def test_unknown_name_in_equations_is_named():
    G = NeuronGroup(1, "dv/dt = -v/tau_undefined_xyz : 1", method="euler")
    with pytest.raises(UnresolvedNameError, match="tau_undefined_xyz"):
        sl.Network(G).run(1 * ms)


def test_undefined_variable_in_on_pre_is_named():
    src = SpikeGeneratorGroup(1, [0], [1] * ms)
    tgt = NeuronGroup(1, "v : 1")
    S = Synapses(src, tgt, on_pre="nonexistent_var += 1")
    S.connect(i=0, j=0)
    with pytest.raises(UnresolvedNameError, match="nonexistent_var"):
        sl.Network(src, tgt, S).run(1 * ms)


def test_reset_writing_a_constant_is_refused():
    G = NeuronGroup(1, "v : 1\nvr : 1 (constant)", threshold="v > 1", reset="vr = 0")
    with pytest.raises(EquationError, match="constant"):
        sl.Network(G).run(1 * ms)


@pytest.mark.parametrize("i, j, bad", [(5, 0, "i=5"), (0, 7, "j=7"), (-1, 0, "i=-1")])
def test_connect_out_of_range_indices(i, j, bad):
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1")
    with pytest.raises(IndexError) as info:
        S.connect(i=i, j=j)
    assert bad in str(info.value) and "allowed 0..2" in str(info.value)


@pytest.mark.parametrize("N", [0, -5, 2.5, True])
def test_neurongroup_rejects_bad_N(N):
    with pytest.raises(ValueError, match="N must be a positive integer"):
        NeuronGroup(N, "v : 1")


def test_negative_dt_is_refused():
    with pytest.raises(ValueError, match="dt must be > 0"):
        sl.defaultclock.dt = -0.1 * ms


def test_dt_without_time_unit_is_refused():
    with pytest.raises(ValueError, match="dt must be a time"):
        NeuronGroup(1, "v : 1", dt=0.1 * mV)


def test_poisson_rates_of_wrong_unit():
    with pytest.raises(UnitError, match="rates must be a rate in Hz"):
        PoissonGroup(10, 5 * mV)


def test_poisson_negative_rate():
    with pytest.raises(ValueError, match="rates must be >= 0"):
        PoissonGroup(2, np.array([1, -1]) * Hz)


def test_setting_value_with_wrong_unit():
    G = NeuronGroup(2, "v : volt")
    with pytest.raises(UnitError, match="cannot set v"):
        G.v = 3 * ms


def test_setting_value_with_nan():
    G = NeuronGroup(2, "v : volt")
    with pytest.raises(ValueError, match="NaN"):
        G.v = np.array([np.nan, 1.0]) * mV


def test_unknown_attribute_is_refused():
    G = NeuronGroup(2, "v : volt")
    with pytest.raises(AttributeError, match="has no variable 'V'"):
        G.V = 3 * mV


def test_nan_in_state_variable_is_detected_when_checked():
    G = NeuronGroup(1, "dv/dt = v/(0.1*ms) : 1", method="euler")
    G.v = 1.0
    net = sl.Network(G)
    with pytest.raises(SimulationError, match=r"NaN or infinite value in v_neurongroup.*step"):
        net.run(200 * ms, check_nan=True)


def test_threshold_must_be_a_condition():
    G = NeuronGroup(1, "v : volt", threshold="v - 10*mV")
    with pytest.raises(UnitError, match="expected a condition"):
        sl.Network(G).run(1 * ms)


def test_spike_generator_index_out_of_range():
    with pytest.raises(IndexError, match="index 4 out of range"):
        SpikeGeneratorGroup(3, [0, 4], [1, 2] * ms)


def test_spike_generator_two_spikes_in_one_step():
    G = SpikeGeneratorGroup(1, [0, 0], [1.0, 1.01] * ms)
    with pytest.raises(ValueError, match="two spikes in time step"):
        sl.Network(G).run(2 * ms)


def test_statemonitor_unknown_variable():
    G = NeuronGroup(1, "v : 1")
    with pytest.raises(KeyError, match="'u' is not a variable"):
        sl.StateMonitor(G, "u", record=True)


def test_run_duration_must_be_a_time():
    G = NeuronGroup(1, "v : 1")
    with pytest.raises(ValueError, match="duration must be a time"):
        sl.Network(G).run(5)


def test_two_summed_variables_into_one_target_are_refused():
    """Each (summed) block zeroes its target, so two would silently overwrite (Brian2 raises)."""
    G = NeuronGroup(2, "x : 1\ns : 1")
    S1 = Synapses(G, G, "s_post = x_pre : 1 (summed)")
    S2 = Synapses(G, G, "s_post = x_pre : 1 (summed)")
    S1.connect(i=0, j=0)
    S2.connect(i=1, j=0)
    with pytest.raises(ValueError, match="already the target of the \\(summed\\) variable"):
        sl.Network(G, S1, S2).run(1 * ms)
