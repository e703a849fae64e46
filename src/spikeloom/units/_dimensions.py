"""Physical dimensions: exponents of the seven SI base units, interned so ``is`` compares them."""

from __future__ import annotations

import numbers

#: Symbols and names of the SI base units, in the order of a dimension's exponents.
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")
BASE_NAMES = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candle")
# Brian2's keyword names for get_or_create_dimension(length=1, ...)
_KEYWORDS = {"length": 0, "mass": 1, "time": 2, "current": 3, "temperature": 4,
             "substance": 5, "luminosity": 6}


def _exponent(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Dimension:
    """The dimension of a quantity: one exponent per SI base unit.

    Instances are interned: two equal dimensions are the same object. Create them with
    :func:`get_or_create_dimension` or by multiplying, dividing and raising dimensions.

    Parameters
    ----------
    dims : sequence of 7 numbers
        The exponents of metre, kilogram, second, ampere, kelvin, mole and candela.
    """

    __slots__ = ("_dims", "__weakref__")
    _interned: dict[tuple, Dimension] = {}

    def __new__(cls, dims) -> Dimension:
        key = tuple(float(d) + 0.0 for d in dims)  # + 0.0 turns -0.0 into 0.0
        if len(key) != 7:
            raise ValueError(f"Dimension: need 7 exponents (m, kg, s, A, K, mol, cd), got {dims!r}")
        found = cls._interned.get(key)
        if found is None:
            found = super().__new__(cls)
            found._dims = key
            cls._interned[key] = found
        return found

    @property
    def dims(self) -> tuple[float, ...]:
        """The exponents of m, kg, s, A, K, mol, cd."""
        return self._dims

    @property
    def is_dimensionless(self) -> bool:
        return not any(self._dims)

    def __mul__(self, other: Dimension) -> Dimension:
        if not isinstance(other, Dimension):
            return NotImplemented
        return Dimension(a + b for a, b in zip(self._dims, other._dims))

    def __truediv__(self, other: Dimension) -> Dimension:
        if not isinstance(other, Dimension):
            return NotImplemented
        return Dimension(a - b for a, b in zip(self._dims, other._dims))

    def __pow__(self, power) -> Dimension:
        if not isinstance(power, numbers.Real):
            return NotImplemented
        return Dimension(a * float(power) for a in self._dims)

    def __eq__(self, other) -> bool:
        return isinstance(other, Dimension) and self._dims == other._dims

    def __hash__(self) -> int:
        return hash(self._dims)

    def __reduce__(self):
        return Dimension, (self._dims,)

    def __str__(self) -> str:
        """Short SI form, as Brian2 prints it: ``'m^2 kg s^-3 A^-1'`` (``'1'`` if none)."""
        parts = [sym if e == 1 else f"{sym}^{_exponent(e)}"
                 for sym, e in zip(BASE_SYMBOLS, self._dims) if e]
        return " ".join(parts) or "1"

    def __repr__(self) -> str:
        """Long form: ``'metre ** 2 * kilogram * second ** -3 * amp ** -1'``."""
        parts = [name if e == 1 else f"{name} ** {_exponent(e)}"
                 for name, e in zip(BASE_NAMES, self._dims) if e]
        return " * ".join(parts) or "Dimension()"


DIMENSIONLESS = Dimension((0,) * 7)


def get_or_create_dimension(*args, **keywords) -> Dimension:
    """A dimension from 7 exponents, or keywords (``m=1, s=-1`` or ``length=1, time=-1``).

    >>> str(get_or_create_dimension(m=1, s=-1))
    'm s^-1'
    """
    if args:
        dims = args[0] if len(args) == 1 else args
        return Dimension(dims)
    exponents = [0.0] * 7
    for key, value in keywords.items():
        if key in BASE_SYMBOLS:
            exponents[BASE_SYMBOLS.index(key)] = value
        elif key in _KEYWORDS:
            exponents[_KEYWORDS[key]] = value
        else:
            raise ValueError(f"get_or_create_dimension: unknown base {key!r}; allowed: "
                             f"{', '.join(BASE_SYMBOLS + tuple(_KEYWORDS))}")
    return Dimension(exponents)


class DimensionMismatchError(Exception):
    """Raised when quantities of different dimensions are combined (as in Brian2).

    Parameters
    ----------
    description : str
        What was attempted.
    *dims : Dimension
        The dimensions involved, shown as units (``'V'``, ``'1'``).
    """

    def __init__(self, description: str, *dims: Dimension) -> None:
        super().__init__(description, *dims)
        self.desc = description
        self.dims = dims

    def __str__(self) -> str:
        from ._quantity import display_dimension

        if not self.dims:
            return self.desc
        shown = " and ".join(display_dimension(d) for d in self.dims)
        return f"{self.desc} ({'unit is' if len(self.dims) == 1 else 'units are'} {shown})."
