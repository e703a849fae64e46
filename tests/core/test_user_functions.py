"""User functions (Brian2's ``Function``, ``@implementation``, ``@check_units``) in model code.

The models of ``tests/reference/user_functions/models.py`` are a Brian2 script; here its text
runs with only the import line swapped, on both backends, against the numbers Brian2 2.9
gave (``make_brian2_user_functions.py``, numpy target).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import types
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import spikeloom as sl
from spikeloom import NeuronGroup, StateMonitor, check_units, ms, mV, run

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "user_functions"
MODELS = ("fi_threshold", "ode_function", "on_pre_two_args")


def _script_module() -> types.ModuleType:
    """``models.py`` executed with ``from spikeloom import *`` in place of Brian2's."""
    text = (REFERENCE / "models.py").read_text()
    assert "from brian2 import *" in text
    module = types.ModuleType("user_function_models")
    exec(compile(text.replace("from brian2 import *", "from spikeloom import *", 1),
                 str(REFERENCE / "models.py"), "exec"), module.__dict__)
    return module


@pytest.fixture(params=["numba", "jax"])
def backend(request):
    sl.set_device(request.param)
    yield request.param
    sl.set_device("numba")


@pytest.mark.parametrize("name", MODELS)
def test_models_match_brian2(backend, name):
    """Spike trains equal and traces to 1e-12 (relative) against Brian2's numpy target:
    a function in the ODE, the threshold, on_pre and string assignments, with and without
    units inside, given by name lookup and by namespace=."""
    with np.load(REFERENCE / f"{name}.npz") as data:
        expected = {k: data[k] for k in data.files}
    got = getattr(_script_module(), name)()
    assert set(got) == set(expected)
    for key, ref in expected.items():
        value = np.asarray(got[key])
        assert value.shape == ref.shape, key
        if ref.dtype.kind in "iu":
            np.testing.assert_array_equal(value, ref, err_msg=key)
        else:
            np.testing.assert_allclose(value, ref, rtol=1e-12, atol=1e-15 * np.abs(ref).max(),
                                       err_msg=key)


# -- the cache key: a function's code and the values it reads ----------------------------------
_SAME_NAME = """
from spikeloom import *

start_scope()
scale = {scale}


@implementation('numpy', discard_units=True)
@check_units(x=1, result=1)
def f(x):
    return x * scale{extra}


G = NeuronGroup(1, 'dv/dt = f(1)/second : 1', method='euler')
run(1*ms)
result = float(G.v[0])
"""


def _run_script(text: str) -> float:
    namespace = {"__name__": "user_script"}
    exec(compile(text, "<user script>", "exec"), namespace)
    return namespace["result"]


def test_same_name_other_code_or_constant_gets_its_own_loop(tmp_path, monkeypatch):
    """Three functions called ``f`` in one process with one disk cache: other code, or the
    same code reading another global value, must not reuse the loop compiled first."""
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))
    first = _run_script(_SAME_NAME.format(scale=2.0, extra=""))
    constant = _run_script(_SAME_NAME.format(scale=3.0, extra=""))
    code = _run_script(_SAME_NAME.format(scale=2.0, extra=" + 1"))
    assert first == pytest.approx(2e-3, rel=1e-12)
    assert constant == pytest.approx(3e-3, rel=1e-12)
    assert code == pytest.approx(3e-3, rel=1e-12)
    assert _run_script(_SAME_NAME.format(scale=2.0, extra="")) == first


def test_same_name_in_two_processes_sharing_the_disk_cache(tmp_path):
    """A second process whose ``f`` differs only in a global constant computes its own
    numbers; a third, identical to the first, loads the first's loop from the disk cache
    without a warning (the user function's module is importable there too)."""
    env = {**os.environ, "SPIKELOOM_CACHE_DIR": str(tmp_path / "cache")}
    results = []
    for k, scale in enumerate((2.0, 5.0, 2.0)):
        script = tmp_path / f"script{k}.py"
        script.write_text(_SAME_NAME.format(scale=scale, extra="") + "\nprint(result)\n")
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              env=env, timeout=300, check=True)
        results.append(float(done.stdout.split()[-1]))
        assert "cache" not in done.stderr, done.stderr
    assert results == pytest.approx([2e-3, 5e-3, 2e-3], rel=1e-12)
    assert len(list((tmp_path / "cache").glob("spikeloom_loop_*.py"))) == 2


# -- what is refused, and how ---------------------------------------------------------------------
@check_units(v=mV, result=1)
def _of_voltage(v):
    return v / mV


def test_argument_with_the_wrong_unit_raises():
    """Brian2 checks each argument's unit at model analysis (DimensionMismatchError there;
    spikeloom's unit error in model code is UnitError)."""
    f = sl.Function(_of_voltage)
    G = NeuronGroup(1, "dx/dt = f(x)/ms : 1", namespace={"f": f})
    with pytest.raises(sl.UnitError, match=r"argument 'x' of f\(\) has unit 1, expected volt"):
        sl.Network(G).run(1 * ms)
    H = NeuronGroup(1, "x : 1")
    with pytest.raises(sl.UnitError, match="expected volt"):
        H.x = "f(i)"
    with pytest.raises(sl.DimensionMismatchError):  # a Python call checks as Brian2's does
        f(3 * sl.nA)
    assert float(f(3 * mV)) == pytest.approx(3.0)


def test_function_without_units_raises_as_in_brian2():
    with pytest.raises(ValueError, match="does not specify how it deals with units"):
        sl.Function(abs)
    G = NeuronGroup(1, "v : 1", namespace={"g": abs})
    with pytest.raises(sl.EquationError, match="unknown function 'g'"):
        G.v = "g(-1)"


@check_units(x=1, result=1)
def _not_numba(x):
    return float(Fraction(x).limit_denominator(10))


def test_function_numba_cannot_compile_names_itself(caplog):
    """A clear BuildError before the loop is compiled (no Numba traceback, no warning about
    the disk cache on the way)."""
    G = NeuronGroup(1, "dv/dt = f(v)/second : 1", namespace={"f": sl.Function(_not_numba)})
    with caplog.at_level(logging.INFO, logger="spikeloom"), \
            pytest.raises(sl.BuildError) as info:
        sl.Network(G).run(1 * ms)
    assert "cache" not in caplog.text
    message = str(info.value)
    assert "'_not_numba'" in message and "Numba cannot compile" in message
    assert "NumPy/math operations" in message and "Traceback" not in message
    assert len(message) < 1200


implementation_cpp = sl.implementation("cpp", "double cpp_only(double x) { return x; }")


def _three_values(x):
    return np.ones(3) * x


def test_loop_that_numba_cannot_type_names_the_function():
    """The function compiles on its own, but returns an array where the model needs one
    number: the loop's typing error becomes a BuildError naming the function."""
    f = sl.Function(_three_values, arg_units=[1], return_unit=1)
    G = NeuronGroup(2, "v : 1", namespace={"f": f})
    G.run_regularly("v = f(v)", dt=1 * ms)
    with pytest.raises(sl.BuildError, match=r"user function\(s\) '_three_values'") as info:
        sl.Network(G).run(1 * ms)
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 1500


def test_cpp_only_implementation_is_refused():
    @implementation_cpp
    @check_units(x=1, result=1)
    def cpp_only(x):
        pass

    G = NeuronGroup(1, "dv/dt = f(v)/second : 1", namespace={"f": cpp_only})
    with pytest.raises(NotImplementedError, match="compiles the run loop with Numba"):
        sl.Network(G).run(1 * ms)
    bare = sl.Function(None, arg_units=[1], return_unit=1)
    bare.implementations.add_implementation("cython", "cdef double f(double x): return x")
    G = NeuronGroup(1, "v : 1", namespace={"f": bare})
    with pytest.raises(NotImplementedError, match="Python/NumPy implementation"):
        G.v = "f(1)"


def test_cpp_code_beside_a_python_body_runs_the_body():
    """As Brian2's numpy target does: the C++ code is kept, the Python body runs."""
    @sl.implementation("cpp", "double twice(double x) { return 2*x; }")
    @check_units(x=1, result=1)
    def twice(x):
        return 2 * x

    G = NeuronGroup(2, "v : 1", namespace={"twice": twice})
    G.v = "twice(i + 1)"
    G.run_regularly("v = twice(v)", dt=1 * ms)
    sl.Network(G).run(1 * ms)
    np.testing.assert_array_equal(G.v[:], [4.0, 8.0])


def test_stateful_function_is_refused():
    f = sl.Function(lambda: np.random.rand(), arg_units=[], return_unit=1, stateless=False)
    G = NeuronGroup(1, "v : 1", threshold="f() < 0.5", namespace={"f": f})
    with pytest.raises(NotImplementedError, match=r"stateful.*rand\(\)"):
        sl.Network(G).run(1 * ms)


# -- the forms Brian2 scripts use --------------------------------------------------------------
def test_boolean_result_any_unit_argument_and_helpers(backend):
    """``return_unit=bool`` is a condition (a threshold); ``None`` in ``arg_units`` takes any
    unit; a user function may call a helper of the user's code and another Function, and
    read quantities from a closure: all are compiled without units."""
    limit = 2 * mV

    def helper(x):
        return x * 1000.0

    doubled = sl.Function(lambda x: 2 * x, arg_units=[None], return_unit=1)

    def above(v):
        return helper(doubled(v) / 2) > limit / mV

    crossed = sl.Function(above, arg_units=[sl.volt], return_unit=bool)
    scaled = sl.Function(lambda x: x * 3.0, arg_units=[None], return_unit=1)
    G = NeuronGroup(3, """dv/dt = scaled(1*mV/ms)*mV/ms : volt
                          n : 1""",
                    threshold="crossed(v)", reset="v = 0*mV; n += 1", method="euler",
                    namespace={"crossed": crossed, "scaled": scaled})
    sl.Network(G).run(10 * ms)
    # v grows 0.3 mV a step; it passes 2 mV at the 7th step and restarts from 0: 14 times
    np.testing.assert_array_equal(G.n[:], [14, 14, 14])


def test_host_callback_on_jax_for_a_function_of_one_value(caplog):
    """A function with a Python ``if`` on its value does not trace with jax.numpy: the JAX
    backend calls it on the host (a warning says so) and gets the Numba loop's numbers."""
    @check_units(v=sl.volt, result=1)
    def gain(v):
        if v > -60 * mV:
            return 2.0
        return 1.0

    def simulate():
        G = NeuronGroup(3, "dv/dt = gain(v)*mV/ms : volt", method="euler",
                        namespace={"gain": gain})
        G.v = [-70, -62, -58] * mV
        M = StateMonitor(G, "v", record=True)
        sl.Network(G, M).run(3 * ms)
        return np.asarray(M.v[:] / sl.volt)

    numba_v = simulate()
    sl.set_device("jax")
    with caplog.at_level(logging.WARNING, logger="spikeloom"):
        jax_v = simulate()
    assert "pure_callback" in caplog.text
    np.testing.assert_array_equal(jax_v, numba_v)
    np.testing.assert_allclose(np.diff(numba_v[:, :2]) / 1e-4, [[1.0], [1.0], [2.0]])


def test_global_constant_changed_between_runs_is_read_again():
    """Numba freezes the globals a function reads into its machine code: a constant changed
    between two runs must give a new compilation (the fingerprint covers its value)."""
    namespace = {"__name__": "user_script"}
    exec(textwrap.dedent("""
        from spikeloom import check_units
        offset = 1.0

        @check_units(x=1, result=1)
        def shifted(x):
            return x + offset
    """), namespace)
    G = NeuronGroup(1, "v : 1", namespace={"shifted": namespace["shifted"]})
    G.run_regularly("v = shifted(0)", dt=1 * ms)
    net = sl.Network(G)
    net.run(1 * ms)
    assert G.v[0] == 1.0
    namespace["offset"] = 5.0
    net.run(1 * ms)
    assert G.v[0] == 5.0


def test_function_in_an_implicit_namespace_and_in_python():
    """Found by name in the caller's namespace, as any identifier; callable in Python with
    units."""
    @sl.implementation("numpy", discard_units=True)
    @check_units(v=sl.volt, result=sl.volt)
    def halved(v):
        return v / 2

    G = NeuronGroup(2, "v : volt")
    G.v = [2, 4] * mV
    G.v = "halved(v)"
    np.testing.assert_allclose(np.asarray(G.v[:] / mV), [1.0, 2.0], rtol=1e-15)
    M = StateMonitor(G, "v", record=True)
    G.run_regularly("v = halved(v)", dt=1 * ms)
    run(2 * ms)
    np.testing.assert_allclose(np.asarray(G.v[:] / mV), [0.25, 0.5], rtol=1e-15)
    assert float(halved(4 * mV) / mV) == pytest.approx(2.0)
    assert M.v.shape == (2, 20)


def test_declare_types_and_a_function_added_to_default_functions():
    """Brian2's ``declare_types`` (an integer function of an integer) and
    ``DEFAULT_FUNCTIONS[name] = Function(...)``, which every model string then finds."""
    @sl.declare_types(k="integer", result="integer")
    @check_units(k=1, result=1)
    def parity(k):
        return k % 2

    sl.DEFAULT_FUNCTIONS["parity"] = sl.Function(parity)
    try:
        G = NeuronGroup(5, "p : integer", namespace={})
        G.p = "parity(i)"
        G.run_regularly("p = parity(i + 1)", dt=1 * ms)
        np.testing.assert_array_equal(G.p[:], [0, 1, 0, 1, 0])
        sl.Network(G).run(1 * ms)
        np.testing.assert_array_equal(G.p[:], [1, 0, 1, 0, 1])
    finally:
        del sl.DEFAULT_FUNCTIONS["parity"]
    assert sl.DEFAULT_FUNCTIONS["exp"].pyfunc is np.exp
