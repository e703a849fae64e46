"""Every unit Brian2 names, built by rule: SI base and derived units with their prefixes and powers.

:data:`ALL_UNITS` holds Brian2's ``brian2.units.allunits`` (each of 36 units with 20 prefixes,
and squared and cubed: ``mvolt``, ``cmetre2``, ``umetre3``...); :data:`STANDARD_UNITS` the
names ``from brian2 import *`` binds (the prefixes p, n, u, m, k, M, G, T of the common units,
``kilogram``, ``kelvin``, and the short forms ``mV``, ``ms``, ``nS``, ``cm2``, ``Hz``...).
Names and sizes are SI's; ``tests/units`` checks them against a table made with Brian2.
"""

from __future__ import annotations

from ._dimensions import DIMENSIONLESS, get_or_create_dimension
from ._quantity import Unit, register_display_units

#: SI prefixes: symbol -> power of ten.
PREFIXES = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6, "m": -3,
            "c": -2, "d": -1, "da": 1, "h": 2, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18, "Z": 21, "Y": 24}

_d = get_or_create_dimension
# name: (symbol, size in SI, dimension); the order sets which name a dimension prints with.
_BASES = {
    "metre": ("m", 1.0, _d(m=1)), "meter": ("m", 1.0, _d(m=1)),
    "gram": ("g", 1e-3, _d(kg=1)), "gramme": ("g", 1e-3, _d(kg=1)),
    "second": ("s", 1.0, _d(s=1)),
    "amp": ("A", 1.0, _d(A=1)), "ampere": ("A", 1.0, _d(A=1)),
    "kelvin": ("K", 1.0, _d(K=1)),
    "mole": ("mol", 1.0, _d(mol=1)), "mol": ("mol", 1.0, _d(mol=1)),
    "candle": ("cd", 1.0, _d(cd=1)),
    "radian": ("rad", 1.0, DIMENSIONLESS), "steradian": ("sr", 1.0, DIMENSIONLESS),
    "hertz": ("Hz", 1.0, _d(s=-1)),
    "newton": ("N", 1.0, _d(m=1, kg=1, s=-2)),
    "pascal": ("Pa", 1.0, _d(m=-1, kg=1, s=-2)),
    "joule": ("J", 1.0, _d(m=2, kg=1, s=-2)),
    "watt": ("W", 1.0, _d(m=2, kg=1, s=-3)),
    "coulomb": ("C", 1.0, _d(s=1, A=1)),
    "volt": ("V", 1.0, _d(m=2, kg=1, s=-3, A=-1)),
    "farad": ("F", 1.0, _d(m=-2, kg=-1, s=4, A=2)),
    "ohm": ("ohm", 1.0, _d(m=2, kg=1, s=-3, A=-2)),
    "siemens": ("S", 1.0, _d(m=-2, kg=-1, s=3, A=2)),
    "weber": ("Wb", 1.0, _d(m=2, kg=1, s=-2, A=-1)),
    "tesla": ("T", 1.0, _d(kg=1, s=-2, A=-1)),
    "henry": ("H", 1.0, _d(m=2, kg=1, s=-2, A=-2)),
    "lumen": ("lm", 1.0, _d(cd=1)),
    "lux": ("lx", 1.0, _d(m=-2, cd=1)),
    "becquerel": ("Bq", 1.0, _d(s=-1)),
    "gray": ("Gy", 1.0, _d(m=2, s=-2)),
    "sievert": ("Sv", 1.0, _d(m=2, s=-2)),
    "katal": ("kat", 1.0, _d(s=-1, mol=1)),
    "liter": ("l", 1e-3, _d(m=3)), "litre": ("l", 1e-3, _d(m=3)),
    "molar": ("M", 1e3, _d(m=-3, mol=1)),
}
#: Units ``from brian2 import *`` binds with the prefixes p, n, u, m, k, M, G, T.
_STANDARD_PREFIXED = ("amp", "coulomb", "farad", "gram", "gramme", "hertz", "joule", "liter",
                      "litre", "meter", "metre", "molar", "mole", "ohm", "pascal", "second",
                      "siemens", "volt", "watt")
_STANDARD_PREFIXES = ("", "p", "n", "u", "m", "k", "M", "G", "T")
#: Short names ``from brian2 import *`` binds, with the long name they stand for.
_SHORT = {"cmetre": "cmetre", "cmeter": "cmeter", "cm": "cmetre", "cm2": "cmetre2",
          "cm3": "cmetre3", "mm": "mmetre", "mm2": "mmetre2", "mm3": "mmetre3", "um": "umetre",
          "um2": "umetre2", "um3": "umetre3", "Hz": "hertz",
          "kHz": "khertz", "MHz": "Mhertz", "mA": "mamp", "nA": "namp", "pA": "pamp",
          "uA": "uamp", "mM": "mmolar", "uM": "umolar", "nM": "nmolar", "mS": "msiemens",
          "nS": "nsiemens", "uS": "usiemens", "mV": "mvolt", "ms": "msecond", "us": "usecond",
          "nF": "nfarad", "pF": "pfarad", "uF": "ufarad"}


def _make_all() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for name, (symbol, size, dim) in _BASES.items():
        for prefix in ("", *PREFIXES):
            scale = size * 10.0 ** PREFIXES.get(prefix, 0)
            for power in (1, 2, 3):
                suffix = "" if power == 1 else str(power)
                shown = symbol if power == 1 else f"{symbol}^{power}"
                units[f"{prefix}{name}{suffix}"] = Unit(scale ** power, dim ** power,
                                                        f"{prefix}{name}{suffix}",
                                                        f"{prefix}{shown}")
    kilogram = units["kgram"]
    for power, suffix in ((1, ""), (2, "2"), (3, "3")):
        units[f"kilogram{suffix}"] = Unit(kilogram.scale ** power, kilogram.dim ** power,
                                          f"kilogram{suffix}", units[f"kgram{suffix}"].dispname)
    units.update(kilogramme=units["kilogram"], kilogramme2=units["kilogram2"],
                 kilogramme3=units["kilogram3"])
    return units


ALL_UNITS: dict[str, Unit] = _make_all()
STANDARD_UNITS: dict[str, Unit] = {
    f"{prefix}{name}": ALL_UNITS[f"{prefix}{name}"]
    for name in _STANDARD_PREFIXED for prefix in _STANDARD_PREFIXES}
STANDARD_UNITS.update(kilogram=ALL_UNITS["kilogram"], kelvin=ALL_UNITS["kelvin"])
#: The short names alone (Brian2's ``stdunits``).
SHORT_UNITS: dict[str, Unit] = {short: ALL_UNITS[long] for short, long in _SHORT.items()}
STANDARD_UNITS.update(SHORT_UNITS)

# Quantities print in a registered unit of their dimension (Brian2's choice of units: no
# c, d, da, h prefixes, no aliases such as meter, litre, becquerel); see best_unit.
_DISPLAYED = ("metre", "gram", "second", "amp", "kelvin", "mole", "candle", "hertz", "newton",
              "pascal", "joule", "watt", "coulomb", "volt", "farad", "ohm", "siemens", "weber",
              "tesla", "henry", "lux", "gray", "katal", "molar")
_DISPLAY_PREFIXES = [""] + [p for p in PREFIXES if p not in ("c", "d", "da", "h")]
register_display_units(ALL_UNITS[f"{prefix}{name}{power}"] for power in ("", "2", "3")
                       for name in _DISPLAYED for prefix in _DISPLAY_PREFIXES)
