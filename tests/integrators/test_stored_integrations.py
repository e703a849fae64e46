"""Integrated systems kept on disk (``integrators._stored``): reused by a later process, and
never trusted when damaged, made for another system, or made by other integrator code."""

import os

import pytest
import sympy

from spikeloom import integrators
from spikeloom.integrators import ODESystem, _stored, sym

V, M, TAU, A = sym("v"), sym("m"), sym("tau"), sym("alpha")
#: a conditionally linear system (exponential Euler, a simplification of HH's gates)
SYSTEM = ODESystem(("v", "m"), {"v": (M - V) / TAU,
                                "m": A * (1 - M) - sympy.exp(-V) * M})


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """A fresh cache directory and an empty in-process cache, restored afterwards."""
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(integrators, "_INTEGRATED", {})
    return tmp_path / "integrations"


def _forget_in_process(monkeypatch):
    """As in a new process: the in-memory cache empty, integration itself forbidden."""
    monkeypatch.setattr(integrators, "_INTEGRATED", {})

    def must_not_integrate(system, method):
        raise AssertionError("integrated again instead of reading the stored result")

    monkeypatch.setattr(integrators, "_integrate", must_not_integrate)


def test_a_later_process_reads_the_stored_statements(cache, monkeypatch):
    name, fresh = integrators.integrate(SYSTEM, "exponential_euler")
    assert name == "exponential_euler" and len(list(cache.glob("*.pkl"))) == 1
    _forget_in_process(monkeypatch)
    name_again, stored = integrators.integrate(SYSTEM, "exponential_euler")
    assert name_again == name
    assert [(s.target, s.expr, s.op, s.declare, s.guard) for s in stored] == \
        [(s.target, s.expr, s.op, s.declare, s.guard) for s in fresh]


def test_another_method_or_system_is_not_read_from_the_store(cache, monkeypatch):
    integrators.integrate(SYSTEM, "exponential_euler")
    _forget_in_process(monkeypatch)
    with pytest.raises(AssertionError, match="integrated again"):
        integrators.integrate(SYSTEM, "rk4")
    other = ODESystem(("v", "m"), {"v": (M - V) / (2 * TAU), "m": SYSTEM.drift["m"]})
    with pytest.raises(AssertionError, match="integrated again"):
        integrators.integrate(other, "exponential_euler")


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_a_damaged_file_counts_as_absent_and_is_replaced(cache, damage):
    integrators.integrate(SYSTEM, "euler")
    (path,) = cache.glob("*.pkl")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 3] ^= 0x40
    else:
        data = bytearray(b"not a pickle at all" * 10)
    path.write_bytes(bytes(data))
    text = _stored.describe(integrators._cache_key(SYSTEM, "euler"))
    assert _stored.load(text) is None
    integrators._INTEGRATED.clear()
    integrators.integrate(SYSTEM, "euler")  # integrates again, writes a whole file
    assert _stored.load(text) is not None


def test_a_file_made_for_another_system_is_not_used(cache):
    """The file holds the structure it was made for: the same name with another system's
    result (a collision, a copied file) is refused."""
    integrators.integrate(SYSTEM, "euler")
    text = _stored.describe(integrators._cache_key(SYSTEM, "euler"))
    (path,) = cache.glob("*.pkl")
    _stored.save(text + "\nsomething else", ("euler", ()))
    (other,) = set(cache.glob("*.pkl")) - {path}
    os.replace(other, path)
    assert _stored.load(text) is None


def test_other_integrator_code_never_reads_old_results(cache, monkeypatch):
    integrators.integrate(SYSTEM, "euler")
    text = _stored.describe(integrators._cache_key(SYSTEM, "euler"))
    assert _stored.load(text) is not None
    monkeypatch.setattr(_stored, "_fingerprint", lambda: b"an edited integrator")
    assert _stored.load(text) is None


def test_an_unwritable_directory_only_skips_storing(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    monkeypatch.setenv("SPIKELOOM_CACHE_DIR", str(blocker))
    monkeypatch.setattr(integrators, "_INTEGRATED", {})
    name, statements = integrators.integrate(SYSTEM, "euler")
    assert name == "euler" and statements


def test_method_objects_are_not_stored(cache):
    integrators.integrate(SYSTEM, integrators.get_method("euler"))
    assert not cache.exists() or not list(cache.glob("*.pkl"))


X_REAL, X_ANY = sympy.Symbol("x", real=True), sympy.Symbol("x")


@pytest.mark.parametrize("first, second", [
    (X_REAL, X_ANY),                                          # assumptions
    (sympy.Float(0.1), sympy.Float(0.1, 30)),                 # precision
    (sympy.Integer(1), sympy.Float(1)),                       # exact against float
    (sympy.Rational(1, 3), sympy.Float(1 / 3)),
    (sympy.Function("f", real=True)(X_REAL), sympy.Function("f")(X_REAL)),  # srepr: equal
    (X_REAL > 0, X_REAL >= 0),
    (sympy.exp(X_REAL), sympy.Function("exp")(X_REAL)),       # sympy's exp, a user's exp
])
def test_the_structure_of_unequal_expressions_differs(first, second):
    """Catches a stored integration being read for another system whose difference the
    file's key does not see (an assumption, a number's precision, a function's kind)."""
    assert first != second
    assert _stored.structure(first) != _stored.structure(second)


def test_the_structure_of_equal_expressions_is_the_same():
    """Catches a key that depends on how an expression was written, not on what it is
    (a later process would integrate again instead of reading the stored result)."""
    y = sympy.Symbol("y", real=True)
    assert _stored.structure(X_REAL * 2 + y) == _stored.structure(y + 2 * X_REAL)
