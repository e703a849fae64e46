"""``prefs.core.default_float_dtype = float32`` (Brian2's preference) on the CPU loop.

Groups created while the preference is float32 store their floating-point model variables
in float32; the loop still computes each step in float64 and rounds when it stores. The
closed form of an exponential decay bounds what that rounding may cost, and an error above
float64's shows the variables really are float32 (a loop that ignored the preference would
pass the bound but not that).
"""

import numpy as np
import pytest

import spikeloom as sl


@pytest.fixture(autouse=True)
def _float64_again():
    yield
    sl.prefs.core.default_float_dtype = np.float64


def _decay(steps: int):
    sl.defaultclock.dt = 0.1 * sl.ms
    group = sl.NeuronGroup(3, "dv/dt = -v/tau : 1\ntau : second", method="exact")
    group.tau = [5, 20, 50] * sl.ms
    group.v = 1.0
    sl.Network(group).run(steps * 0.1 * sl.ms, report=None)
    return group


def test_the_preference_sets_the_dtype_of_groups_created_afterwards():
    before = sl.NeuronGroup(2, "v : volt\nk : integer")
    sl.prefs.core.default_float_dtype = np.float32
    after = sl.NeuronGroup(2, "v : volt\nk : integer")
    assert np.asarray(before.v[:]).dtype == np.float64  # as in Brian2: existing arrays keep theirs
    assert np.asarray(after.v[:]).dtype == np.float32
    assert np.asarray(after.k[:]).dtype == np.int32  # integers are not floats


@pytest.mark.parametrize("value", ["float16", np.int32, 3, "double precision"])
def test_a_dtype_other_than_float32_or_float64_is_refused(value):
    with pytest.raises(ValueError, match="default_float_dtype.*allowed: float32 or float64"):
        sl.prefs.core.default_float_dtype = value


def test_float32_decay_stays_within_its_rounding_bound():
    steps = 2000
    exact = np.exp(-steps * 0.1 / np.array([5.0, 20.0, 50.0]))
    double = np.asarray(_decay(steps).v[:])
    sl.prefs.core.default_float_dtype = "float32"
    single = np.asarray(_decay(steps).v[:])
    assert single.dtype == np.float32
    rel64 = np.abs(double / exact - 1)
    rel32 = np.abs(single / exact - 1)
    # one rounding to float32 per step: at most steps * 2**-24 relative (plus float64's own)
    assert (rel32 <= steps * 2.0**-24 + 1e-12).all()
    assert (rel64 < 1e-11).all()
    assert rel32.max() > 1e-9  # really stored in float32
