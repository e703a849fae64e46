"""Divergence is caught by default: a state variable that becomes NaN or infinite stops
the run with a SimulationError naming the variable, the group, the element and the time;
``prefs.spikeloom.divergence_check = False`` (or ``check_nan=False``) switches it off."""

from __future__ import annotations

import re

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import SimulationError, ms, prefs


@pytest.fixture(autouse=True)
def _default_prefs():
    prefs.reset_to_defaults()
    yield
    prefs.reset_to_defaults()



def _runaway(v0):
    """dv/dt = v/(10 ms): from v = 1 it overflows to inf after about 7.1 s."""
    G = sl.NeuronGroup(len(v0), "dv/dt = v / (10*ms) : 1", method="exact", name="runaway")
    G.v = v0
    return sl.Network(G), G


def test_diverging_group_raises_by_default_naming_variable_group_element_time(backend):
    sl.set_device(backend)
    net, G = _runaway([0.0, 0.0, 1.0])
    with pytest.raises(SimulationError) as info:
        net.run(10_000 * ms)
    message = str(info.value)
    assert "variable 'v' of NeuronGroup 'runaway', element 2" in message
    step = int(re.search(r"\(element 2\) at step (\d+) \(t = ", message).group(1))
    t = float(re.search(r"\(t = ([0-9.e+-]+) s\)", message).group(1))
    assert t == pytest.approx(step * 1e-4, abs=1e-9)
    overflow = 10e-3 * np.log(np.finfo(float).max)  # 7.098 s
    # found within a check interval (Numba: 16 steps; JAX: a chunk of 2000 steps)
    assert overflow <= t <= overflow + 0.2001
    assert net.t_ == pytest.approx(t + 1e-4, abs=1e-9)  # stopped there, not at 10 s
    assert np.isinf(G.v[2]) and G.v[0] == 0.0


def test_divergence_in_the_last_steps_of_a_short_run_is_caught():
    """Overflow at step 58 of a 60-step run: no multiple of the check interval (16) lies
    between it and the end, so only the check after the run's last step finds it."""
    net, G = _runaway([1e308])
    with pytest.raises(SimulationError, match=r"at step 59 \(t = 0\.0059 s\): variable 'v' "
                                              r"of NeuronGroup 'runaway', element 0"):
        net.run(6 * ms)


def test_preference_switches_the_check_off():
    prefs.spikeloom.divergence_check = False
    net, G = _runaway([1e308])
    net.run(6 * ms)  # no error: the user asked for none
    assert np.isinf(G.v[0])


def test_preference_by_item_and_interval():
    prefs["spikeloom.divergence_check_every"] = 1  # every step: the exact step is reported
    net, G = _runaway([1e308])
    with pytest.raises(SimulationError, match=r"at step 58 \(t = 0\.0058 s\)"):
        net.run(6 * ms)


def test_preferences_read_by_item_give_the_default_until_set():
    """``prefs['spikeloom.x']`` before anything touched ``prefs.spikeloom`` returned None;
    it is the default, then the value set, whichever way it was set."""
    prefs.reset_to_defaults()
    assert prefs["spikeloom.divergence_check_every"] == 16
    assert prefs["spikeloom.divergence_check"] is True
    prefs.spikeloom.divergence_check_every = 3
    assert prefs["spikeloom.divergence_check_every"] == 3
    prefs["spikeloom.divergence_check"] = False
    assert prefs.spikeloom.divergence_check is False
    assert prefs["codegen.target"] is None  # a Brian2 setting never set


def test_check_nan_false_overrides_the_default():
    net, G = _runaway([1e308])
    net.run(6 * ms, check_nan=False)
    assert np.isinf(G.v[0])


@pytest.mark.parametrize("name, value", [("divergence_check", "yes"),
                                         ("divergence_check_every", 0),
                                         ("divergence_check_every", 2.5)])
def test_preference_values_are_validated(name, value):
    with pytest.raises(ValueError, match=rf"prefs\.spikeloom\.{name} = .*allowed"):
        setattr(prefs.spikeloom, name, value)


def test_finite_runs_are_unaffected_and_checked_arrays_are_state_variables():
    """A model that stays finite runs to the end; the plan checks its ODE variable."""
    G = sl.NeuronGroup(5, "dv/dt = -v / (10*ms) : 1\nI : 1", method="exact")
    G.v = 1.0
    net = sl.Network(G)
    net.run(5 * ms)
    assert net.t_ == pytest.approx(0.005)
    plan = net._prepare(1 * ms, {}, None)[0]
    assert plan.check_nan == (f"v_{G.name}",) and plan.check_every == 16


def test_the_diverging_array_is_named_when_earlier_checked_arrays_stay_finite(backend):
    """Three checked arrays scanned in one call: the report names the third (the group
    built last, its second variable), not the first or a neighbour."""
    sl.set_device(backend)
    calm = sl.NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact", name="calm")
    calm.v = 1.0
    wild = sl.NeuronGroup(4, "du/dt = -u/(10*ms) : 1\ndx/dt = x/(10*ms) : 1",
                          method="exact", name="wild")
    wild.x = [0.0, 0.0, 0.0, 1e308]
    net = sl.Network(calm, wild)
    assert len(net._prepare(1 * ms, {}, None)[0].check_nan) == 3
    with pytest.raises(SimulationError, match=r"variable 'x' of NeuronGroup 'wild', "
                                              r"element 3"):
        net.run(6 * ms)


def test_divergence_is_caught_in_float32():
    """float32 state has other exponent bits (0x7f800000): its overflow at ~3.4e38 is
    caught as well, where a float64 mask over its bits would see none."""
    prefs.core.default_float_dtype = np.float32
    net, G = _runaway([1e38])  # 3.4e38 after 10 ms * ln(3.4) = 12.2 ms
    assert G.v[:].dtype == np.float32
    with pytest.raises(SimulationError, match=r"variable 'v' of NeuronGroup 'runaway', "
                                              r"element 0"):
        net.run(20 * ms)
    assert 0.0122 <= net.t_ <= 0.0122 + 0.0017  # within a check interval of 16 steps
