"""``# spikeloom: if <cond>``: temporaries computed only where the condition holds.

The annotation is an optimisation a device model uses to skip its costly code (a normal
draw, ``exp``) for the elements whose update is zero pulses. Its meaning is fixed so that
both backends agree: where the guard is false the temporary is 0 (if the statement declares
it) or keeps its value; a draw that only guarded statements use is the same number whether
or not other elements skipped theirs (counter-based streams).
"""

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import ms
from spikeloom.exceptions import EquationError

GUARDED = """a = k*randn()  # spikeloom: if k > 0
b = a + 1  # spikeloom: if k > 0
b = b*2  # spikeloom: if k > 1
v = b
u = int(k > 0)*a"""

PLAIN = """a = k*randn()
u = int(k > 0)*a"""


def _run(code: str, device: str = "numba") -> dict:
    sl.start_scope()
    sl.set_device(device)
    try:
        sl.defaultclock.dt = 0.1 * ms
        G = sl.NeuronGroup(6, "v : 1\nu : 1\nk : 1", name="guarded")
        G.k = [0, 1, 2, 0, 3, -1]
        G.run_regularly(code, dt=0.1 * ms)
        sl.seed(11)
        sl.run(0.3 * ms)
        return {"v": np.asarray(G.v[:]), "u": np.asarray(G.u[:])}
    finally:
        sl.set_device("numba")


def test_guarded_temporaries_are_zero_where_the_guard_is_false():
    out = _run(GUARDED)
    k = np.array([0, 1, 2, 0, 3, -1])
    a = out["u"]
    # b declared under k > 0: 0 where k <= 0; doubled only where k > 1
    expected_v = np.where(k > 0, a + 1, 0.0) * np.where(k > 1, 2.0, 1.0)
    np.testing.assert_array_equal(out["v"], expected_v)
    assert np.all(a[k <= 0] == 0) and np.all(a[k > 0] != 0)


def test_a_guarded_draw_equals_the_unguarded_one():
    """Skipping the draw of some elements leaves every other element's number unchanged."""
    np.testing.assert_array_equal(_run(GUARDED)["u"], _run(PLAIN)["u"])


def test_guarded_code_gives_the_same_numbers_on_jax():
    pytest.importorskip("jax")
    numba = _run(GUARDED)
    jax_ = _run(GUARDED, "jax")
    for key in numba:
        np.testing.assert_array_equal(numba[key], jax_[key], err_msg=key)


def test_guard_on_a_model_variable_or_with_a_draw_is_refused():
    G = sl.NeuronGroup(2, "v : 1\nk : 1")
    G.run_regularly("v = 1  # spikeloom: if k > 0", dt=0.1 * ms)
    with pytest.raises(EquationError, match="guards temporaries only; 'v' is a variable"):
        sl.Network(G).run(0.1 * ms)
    sl.start_scope()
    G = sl.NeuronGroup(2, "v : 1\nk : 1")
    G.run_regularly("a = 1  # spikeloom: if rand() < 0.5\nv = a", dt=0.1 * ms)
    with pytest.raises(EquationError, match="draws random numbers"):
        sl.Network(G).run(0.1 * ms)
