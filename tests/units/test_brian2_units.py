"""spikeloom's units against Brian2's own behaviour, recorded in ``data/brian2_units.json``
by ``make_brian2_units_reference.py`` (run under Brian2).

Catches: a missing or mis-sized unit name; a quantity that NumPy cannot take as an array
(``np.asarray(v)``, ``float(0.5*Hz)``); a ufunc that drops, keeps or checks a unit where
Brian2 does otherwise; a dimensionless result that stays a quantity; printing in another
unit than Brian2's.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import spikeloom.units as units
from spikeloom.units import ALL_UNITS, Dimension, Quantity, get_dim

pytestmark = pytest.mark.backend_independent

DATA = json.loads((Path(__file__).with_name("data") / "brian2_units.json").read_text())


@pytest.mark.parametrize("table", ["star_units", "all_units"])
def test_every_brian2_unit_exists_with_its_dimension_and_size(table):
    wrong = []
    for name, (dims, size) in DATA[table].items():
        if name == "unit":  # allunits.unit is Brian2's dimensionless placeholder, not a name
            continue
        unit = getattr(units, name, None)
        if unit is None or unit.dim is not Dimension(dims) or not np.isclose(float(unit), size,
                                                                              rtol=1e-12):
            wrong.append(name)
    assert not wrong, f"{len(wrong)} units differ from Brian2's: {wrong[:20]}"


def test_physical_constants_are_brian2s():
    import spikeloom.units.constants as constants

    for name, (dims, value) in DATA["constants"].items():
        ours = getattr(constants, name)
        assert ours.dim is Dimension(dims), name
        assert float(ours) == pytest.approx(value, rel=1e-15), name


def test_brian2_module_paths_import():
    """Scripts import from Brian2's submodules; with only 'brian2' swapped they must work."""
    from spikeloom.units.allunits import cmetre2, mvolt2  # noqa: F401
    from spikeloom.units.fundamentalunits import get_unit, in_best_unit
    from spikeloom.units.stdunits import mV, nS  # noqa: F401

    assert get_unit(mV.dim) is units.volt
    assert in_best_unit(3 * mV) == DATA["expressions"]["(3*mV).in_best_unit()"]["value"]


def test_star_import_binds_brian2s_unit_names():
    namespace = {}
    exec("from spikeloom import *", namespace)
    missing = sorted(set(DATA["star_units"]) - set(namespace))
    assert not missing


def _evaluate(code: str):
    """``code``'s last value, as in a fresh process (no unit made by earlier arithmetic)."""
    units._quantity._COMPOUND_UNITS.clear()
    namespace = {}
    exec("from spikeloom import *\nimport numpy as np", namespace)
    *statements, last = code.split("\n")
    for statement in statements:
        exec(statement, namespace)
    return eval(last, namespace)


@pytest.mark.parametrize("code", sorted(DATA["expressions"]))
def test_expression_behaves_as_in_brian2(code):
    expected = DATA["expressions"][code]
    if expected["kind"] == "error":
        with pytest.raises(Exception) as info:
            _evaluate(code)
        assert type(info.value).__name__ == expected["error"], code
        return
    value = _evaluate(code)
    if expected["kind"] == "dimension":
        assert isinstance(value, Dimension) and value.dims == tuple(expected["dims"])
        assert str(value) == expected["str"]
        return
    if expected["kind"] == "python":
        got = list(value) if isinstance(value, tuple) else value
        assert got == expected["value"], code
        return
    assert get_dim(value) is Dimension(expected["dims"]), code
    np.testing.assert_allclose(np.asarray(value, dtype=float), expected["value"], rtol=1e-12,
                               err_msg=code)
    dimensionless = Dimension(expected["dims"]).is_dimensionless
    if expected["kind"] == "plain" or dimensionless:
        # a dimensionless result is a plain number or array, never a quantity
        assert not isinstance(value, Quantity) or type(value) is not Quantity or dimensionless
    if "str" in expected:
        assert str(value) == expected["str"], code
        assert repr(value) == expected["repr"], code


def test_all_units_table_is_brian2s():
    assert set(DATA["all_units"]) - {"unit"} <= set(ALL_UNITS)
