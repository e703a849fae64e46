"""Make ``data/brian2_units.json``: Brian2's unit names and how its quantities behave.

Run under Brian2 (its own environment, not spikeloom's)::

    python tests/units/make_brian2_units_reference.py

Records every unit of ``brian2.units.allunits``, every unit ``from brian2 import *`` binds
and every constant of ``brian2.units.constants`` (dimension exponents and size in SI), and,
for each expression of ``EXPRESSIONS``, what Brian2 gives: the SI value, the dimension,
``str`` and ``repr`` -- or the type of the error raised.
``test_brian2_units.py`` evaluates the same expressions with spikeloom and compares.
"""

import json
import platform
from pathlib import Path

#: Python statements; the last line's value is recorded ('x' after in-place operations).
EXPRESSIONS = [
    "3*mV", "array([1, 2])*mV", "array([1.5, 2])*mV", "0.5*Hz", "1e-12*farad", "0*mV",
    "300*metre", "0.05*metre", "50*ms", "3e-4*second", "20*volt", "5*mM", "1e-3*kilogram",
    "3*nS*mV", "array([1e-3, 5])*second", "1.5*kHz", "1e4*Hz", "25*Hz", "2/ms",
    "0.1*mole", "7*uA", "2*Mohm", "3*pF", "4*nS", "1234*mV", "array([[1, 2], [3, 4]])*mV",
    "np.asarray(3*mV)", "float(0.5*Hz)", "int(3*mV/mV)", "3*mV/mV", "3*ms*Hz",
    "np.linspace(0*mV, 10*mV, 5)", "linspace(0*mV, 10*mV, 5)", "np.mean(array([1, 2])*mV)",
    "np.std(array([1, 2])*mV)", "np.var(array([1, 2])*mV)", "np.sum(array([1, 2])*mV)",
    "np.max(array([1, 2])*mV)", "np.min(array([1, 2])*mV)", "(array([1, 2])*mV).mean()",
    "np.cumsum(array([1, 2])*mV)", "np.diff(array([1, 2, 4])*ms)", "np.abs(-2*mV)",
    "abs(-3*mV)", "-(3*mV)", "(3*mV)**2", "sqrt(4*mV**2)", "np.sqrt(4*mV**2)",
    "np.exp(2*mV/mV)", "2**(3*mV/mV)", "5*ms % (2*ms)", "(array([1, 2])*mV)[0]",
    "np.clip(array([1, 5])*mV, 2*mV, 4*mV)", "np.sort(array([3, 1])*mV)",
    "np.tile(array([3, 1])*mV, 2)", "np.ones(2)*mV", "np.array([3*mV, 4*mV])",
    "Quantity([1*mV, 2*mV])", "[1, 2]*mV", "3*mV + 0", "3*mV > 0", "3*mV > 2*mV",
    "array([1, 2])*mV >= 1.5*mV", "np.where(array([True, False]), array([1, 2])*mV, 0*mV)",
    "np.dot(array([1, 2])*mV, array([1, 2]))",
    "np.concatenate([array([1, 2])*mV, array([3])*mV])",
    "x = 5*mV\nx /= 2\nx", "x = array([1., 2.])*mV\nx += 1*mV\nx",
    "x = array([1., 2.])*mV\nx[0] = 5*mV\nx",
    "x = array([1., 2.])*mV\nx *= 2\nx",
    "3*mV + 2", "3*mV + 2*ms", "3*mV > 1", "exp(3*mV)", "np.exp(3*mV)", "np.log(2*ms)",
    "(3*mV)**(2*ms)", "x = array([1., 2.])*mV\nx[0] = 5*ms\nx", "x = 5*mV\nx *= mV\nx",
    "mV", "ms", "mV**2", "siemens/meter**2", "uF/cm**2", "mV/ms", "mV*ms", "(mV/ms)**2",
    "mV*ms/nS", "1/ms", "mV**0.5", "unit = mV/ms\n2*mV/ms", "3*mV*ms",
    # a unit made by arithmetic is remembered and used to print quantities of its dimension
    "unit = siemens/meter**2\n1*siemens/meter**2", "unit = uA/cm**2\n3*uA/cm**2",
    "(3*mV).in_unit(uvolt)", "in_unit(3*mV, uvolt)", "(3*mV).in_best_unit()",
    "have_same_dimensions(mV, volt)", "have_same_dimensions(mV, ms)", "get_dimensions(mV)",
    "is_dimensionless(3*mV/mV)", "len(array([1, 2])*mV)", "(array([1, 2])*mV).shape",
    "float(mV)", "np.round(3.66*mV, 1)", "np.median(array([1, 2, 3])*mV)",
    "np.maximum(array([1, 5])*mV, 3*mV)", "np.isnan(3*mV)", "np.sign(-3*mV)",
]


def _describe(value) -> dict:
    import numpy as np
    from brian2 import Quantity, get_dimensions
    from brian2.units.fundamentalunits import Dimension

    if isinstance(value, Dimension):
        return {"kind": "dimension", "dims": [float(d) for d in value._dims], "str": str(value)}
    if isinstance(value, str | bool | int | tuple) and not isinstance(value, np.generic):
        return {"kind": "python", "value": value if not isinstance(value, tuple) else list(value)}
    dims = get_dimensions(value)
    entry = {"kind": "quantity" if isinstance(value, Quantity) else "plain",
             "dims": [float(d) for d in dims._dims],
             "value": np.asarray(value, dtype=float).tolist()}
    if isinstance(value, Quantity) and not dims.is_dimensionless:
        entry["str"], entry["repr"] = str(value), repr(value)
    return entry


def _evaluate(code: str) -> dict:
    namespace = {}
    exec("from brian2 import *\nimport numpy as np", namespace)
    *statements, last = code.split("\n")
    try:
        for statement in statements:
            exec(statement, namespace)
        return _describe(eval(last, namespace))
    except Exception as error:  # the error's type is the record
        return {"kind": "error", "error": type(error).__name__}


def _units(names: dict) -> dict:
    from brian2.units.fundamentalunits import Unit

    return {name: [[float(d) for d in unit.dim._dims], float(unit)]
            for name, unit in names.items() if isinstance(unit, Unit)}


def main() -> None:
    import brian2
    import brian2.units.allunits as allunits
    import brian2.units.constants as constants
    from brian2 import Quantity
    from brian2.units.fundamentalunits import Unit

    star = {}
    exec("from brian2 import *", star)
    data = {
        "made_by": f"brian2 {brian2.__version__}, Python {platform.python_version()}",
        "star_units": _units(star),
        "all_units": _units(vars(allunits)),
        "constants": {name: [[float(d) for d in value.dim._dims], float(value)]
                      for name, value in vars(constants).items() if isinstance(value, Quantity)
                      and not isinstance(value, Unit)},
        "expressions": {code: _evaluate(code) for code in EXPRESSIONS},
    }
    out = Path(__file__).with_name("data") / "brian2_units.json"
    out.write_text(json.dumps(data, indent=0, sort_keys=True))
    print(f"wrote {out}: {len(data['all_units'])} units, {len(EXPRESSIONS)} expressions")


if __name__ == "__main__":
    main()
