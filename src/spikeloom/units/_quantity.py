"""Quantities with units, as Brian2 has them: NumPy arrays of SI values that carry a dimension.

A :class:`Quantity` is an ``ndarray`` subclass, so NumPy takes it wherever it takes an array:
``np.asarray(v)`` gives the SI values, ``float(0.5*Hz)`` is 0.5, ``np.linspace(0*mV, 10*mV,
5)`` and ``np.mean`` keep the unit, and ``plot(M.t/ms, ...)`` works. Every ufunc checks and
propagates dimensions (:data:`_SAME`, :data:`_KEEP`...): adding volts to seconds raises
:class:`DimensionMismatchError`, ``exp`` of a voltage raises, ``sqrt`` halves the exponents.
A result without dimension is a plain array or float, as in Brian2. Functions that are not
ufuncs (``np.dot``, ``np.where``, ``np.concatenate``) return plain SI arrays, as in Brian2.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._dimensions import DIMENSIONLESS, Dimension, DimensionMismatchError

# -- how each ufunc treats dimensions ----------------------------------------------------------
# Ufuncs by name (np.clip's ufunc is not public).
#: Inputs must share one dimension; the result has it.
_SAME = {"add", "subtract", "maximum", "minimum", "fmax", "fmin", "hypot", "remainder", "fmod",
         "clip", "nextafter"}
#: Inputs must share one dimension; the result is dimensionless (comparisons, arctan2).
_SAME_TO_PLAIN = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
                  "arctan2"}
#: The result has the dimension of the first input, whatever the others are.
_KEEP = {"negative", "positive", "absolute", "fabs", "rint", "floor", "ceil", "trunc",
         "conjugate", "spacing", "copysign"}
#: Any input; a dimensionless result (tests and signs).
_ANY_TO_PLAIN = {"sign", "isnan", "isinf", "isfinite", "signbit", "logical_and", "logical_or",
                 "logical_xor", "logical_not"}
_POWERS = {"sqrt": 0.5, "square": 2.0, "cbrt": 1.0 / 3.0, "reciprocal": -1.0}


def get_dim(value) -> Dimension:
    """The dimension of ``value``: a Quantity's, a Unit's, DIMENSIONLESS for plain numbers.

    Lists and tuples of quantities have the dimension their elements share. Exported as
    ``get_dimensions`` (Brian2's name).

    Parameters
    ----------
    value : Quantity, Unit, Dimension, number, array, list or tuple
        Anything that has (or is) a dimension.

    Returns
    -------
    Dimension
    """
    if isinstance(value, Quantity):
        return value.dim
    if isinstance(value, Dimension):
        return value
    dim = getattr(value, "dim", None)
    if isinstance(dim, Dimension):
        return dim
    if isinstance(value, list | tuple) and value:
        return _common_dim(value, "get_dim")
    return DIMENSIONLESS


def _common_dim(items, where: str) -> Dimension:
    dims = {get_dim(item) for item in items}
    if len(dims) > 1:
        raise DimensionMismatchError(f"{where}: the elements do not share one unit", *dims)
    return dims.pop()


def _is_zero(value) -> bool:
    """A plain (unitless) zero combines with any unit, as in Brian2 (``v > 0``, ``0 + v``)."""
    if isinstance(value, Quantity):
        return False
    try:
        return bool(np.all(np.asarray(value) == 0))
    except (TypeError, ValueError):
        return False


_COMPARISONS = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal"}


def _is_plain_infinity(value) -> bool:
    """A unitless scalar ±inf compares with a quantity of any unit (Brian2's rule)."""
    return (not isinstance(value, Quantity) and np.ndim(value) == 0
            and isinstance(value, numbers.Real) and np.isinf(value))


def _shared_dim(ufunc, inputs, dims) -> Dimension:
    """The one dimension of inputs that must agree (unitless zeros agree with anything)."""
    relevant = [d for x, d in zip(inputs, dims) if not (d is DIMENSIONLESS and _is_zero(x))]
    if not relevant:
        return DIMENSIONLESS
    if any(d is not relevant[0] for d in relevant):
        shown = " ".join(_short(x) for x in inputs)
        raise DimensionMismatchError(f"Cannot calculate {ufunc.__name__}({shown}), the units "
                                     "do not match", *dims)
    return relevant[0]


def _short(value) -> str:
    text = str(value)
    return text if len(text) < 40 else text[:37] + "..."


def _power_dim(inputs, dims) -> Dimension:
    base_dim, exponent_dim = dims
    if exponent_dim is not DIMENSIONLESS:
        raise DimensionMismatchError("The exponent of a power must be dimensionless",
                                     exponent_dim)
    if base_dim is DIMENSIONLESS:
        return DIMENSIONLESS
    exponent = np.asarray(inputs[1])
    if exponent.size != 1 and not np.all(exponent == exponent.flat[0]):
        raise TypeError("A quantity with units can only be raised to one exponent, not to an "
                        f"array of different ones ({_short(inputs[1])})")
    return base_dim ** float(exponent.flat[0])


def _call_dim(ufunc, inputs, dims) -> Dimension:
    """The dimension of ``ufunc(*inputs)``; raises when the inputs' dimensions do not fit."""
    name = ufunc.__name__
    if name in _SAME:
        return _shared_dim(ufunc, inputs, dims)
    if name in _SAME_TO_PLAIN:
        if name in _COMPARISONS and any(_is_plain_infinity(x) for x in inputs):
            return DIMENSIONLESS  # v < inf holds for any unit, as in Brian2
        _shared_dim(ufunc, inputs, dims)
        return DIMENSIONLESS
    if name in _KEEP:
        return dims[0]
    if name in _ANY_TO_PLAIN:
        return DIMENSIONLESS
    if name in ("multiply", "matmul"):
        return dims[0] * dims[1]
    if name in ("divide", "true_divide", "floor_divide"):
        return dims[0] / dims[1]
    if name in _POWERS:
        return dims[0] ** _POWERS[name]
    if name in ("power", "float_power"):
        return _power_dim(inputs, dims)
    for x, dim in zip(inputs, dims):  # exp, log, sin...: only for dimensionless arguments
        if dim is not DIMENSIONLESS:
            raise DimensionMismatchError(f"{ufunc.__name__} expects a dimensionless argument "
                                         f"but got {_short(x)}", dim)
    return DIMENSIONLESS


def _method_dim(ufunc, method: str, inputs, dims) -> Dimension:
    """The dimension of ``ufunc.reduce/accumulate/outer/at/reduceat(...)``."""
    if method == "outer":
        return _call_dim(ufunc, inputs, dims)
    if method == "at":  # np.add.at(q, indices, values): the values must fit the array
        values = inputs[2:3]
        _call_dim(ufunc, (inputs[0], *values), (dims[0], *dims[2:3]))
        return dims[0]
    if ufunc.__name__ in _SAME or ufunc.__name__ in _KEEP:
        return dims[0]
    if ufunc.__name__ in _ANY_TO_PLAIN:
        return DIMENSIONLESS
    if dims[0] is not DIMENSIONLESS:
        raise DimensionMismatchError(f"{ufunc.__name__}.{method} of a quantity with units is "
                                     "not defined", dims[0])
    return DIMENSIONLESS


def _plain(value):
    return value.view(np.ndarray) if isinstance(value, Quantity) else value


def _wrap(result, dim: Dimension):
    """Attach ``dim`` to a ufunc result; a dimensionless result stays a plain array or float."""
    if dim is DIMENSIONLESS or isinstance(result, bool | np.bool_):
        return result
    if isinstance(result, np.ndarray) and result.dtype == bool:
        return result
    return Quantity(result, dim)


class Quantity(np.ndarray):
    """An array of SI values with a physical dimension (Brian2's ``Quantity``).

    Parameters
    ----------
    arr : array_like
        Values in SI units, or quantities (then their unit is kept and ``dim`` must agree).
    dim : Dimension, optional
        The dimension; default: that of ``arr``.
    dtype : data-type, optional
    copy : bool
        Copy the values even when ``arr`` is already an array.
    force_quantity : bool
        Accepted for Brian2 compatibility (a Quantity is always returned).

    Examples
    --------
    >>> from spikeloom.units import mV, ms
    >>> v = Quantity([1, 2], dim=mV.dim) * 1e-3
    >>> print(v)
    [1. 2.] mV
    >>> float(v[0] / mV)
    1.0
    """

    __array_priority__ = 1000

    def __new__(cls, arr, dim: Dimension | None = None, dtype=None, copy: bool = False,
                force_quantity: bool = False):
        if isinstance(arr, list | tuple) and arr and any(isinstance(x, Quantity) for x in arr):
            arr_dim = _common_dim(arr, "Quantity")
            arr = np.array([np.asarray(x) for x in arr], dtype=dtype)
        else:
            arr_dim = get_dim(arr)  # a Quantity's, or a variable view's (G.v, M.t)
        if dim is None:
            dim = arr_dim
        elif not isinstance(dim, Dimension):
            raise TypeError(f"Quantity: dim={dim!r} is not a Dimension (use e.g. mV.dim)")
        elif arr_dim is not DIMENSIONLESS and arr_dim is not dim:
            raise DimensionMismatchError("Quantity: dim differs from the values' unit",
                                         arr_dim, dim)
        values = np.array(arr, dtype=dtype, copy=True) if copy else np.asarray(arr, dtype=dtype)
        if values.dtype.kind in "biu" and dtype is None:
            values = values.astype(np.float64)
        obj = values.view(cls)
        obj.dim = dim
        return obj

    def __array_finalize__(self, obj) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)

    # -- NumPy protocol ------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        dims = [get_dim(x) for x in inputs]
        if method == "__call__":
            dim = _call_dim(ufunc, inputs, dims)
        else:
            dim = _method_dim(ufunc, method, inputs, dims)
        plain_inputs = tuple(_plain(x) for x in inputs)
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*plain_inputs, **kwargs)
        if method == "at":
            return None
        if out is not None:
            for target in out:
                if isinstance(target, Quantity) and not isinstance(target, Unit):
                    target.dim = dim
            return out[0] if len(out) == 1 else out
        if isinstance(result, tuple):  # divmod, modf, frexp
            return tuple(_wrap(r, dim if k else DIMENSIONLESS) for k, r in enumerate(result))
        return _wrap(result, dim)

    def __reduce__(self):
        return _rebuild, (np.asarray(self), self.dim)

    # -- comparing with a non-number is False (as for any object), not a unit error ------------
    def __eq__(self, other):
        if not isinstance(other, numbers.Number | np.ndarray | np.generic | list | tuple):
            return NotImplemented
        return super().__eq__(other)

    def __ne__(self, other):
        if not isinstance(other, numbers.Number | np.ndarray | np.generic | list | tuple):
            return NotImplemented
        return super().__ne__(other)

    __hash__ = None

    # -- indexing keeps the unit ---------------------------------------------------------------
    def __getitem__(self, key):
        item = super().__getitem__(key)
        if isinstance(item, np.ndarray):
            return item
        return _wrap(np.asarray(item), self.dim)

    def __setitem__(self, key, value) -> None:
        dim = get_dim(value)
        if dim is not self.dim and not (dim is DIMENSIONLESS and _is_zero(value)):
            raise DimensionMismatchError("Cannot assign to a quantity, the units do not match",
                                         self.dim, dim)
        super().__setitem__(key, np.asarray(value) if isinstance(value, Quantity) else value)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d quantity")
        return (self[k] for k in range(len(self)))

    # -- Brian2's methods ----------------------------------------------------------------------
    @property
    def dimensions(self) -> Dimension:
        return self.dim

    @property
    def is_dimensionless(self) -> bool:
        return self.dim.is_dimensionless

    def has_same_dimensions(self, other) -> bool:
        return self.dim is get_dim(other)

    def in_unit(self, unit, precision: int | None = None) -> str:
        """The values as text in ``unit``: ``(3*mV).in_unit(uvolt)`` is ``'3000. uV'``."""
        return in_unit(self, unit, precision)

    def in_best_unit(self, precision: int | None = None) -> str:
        return in_unit(self, best_unit(self), precision)

    def get_best_unit(self):
        return best_unit(self)

    def round(self, decimals: int = 0, out=None):
        """Round the SI values (as Brian2 does: ``np.round(3.66*mV, 1)`` is 0 V)."""
        return Quantity(np.round(np.asarray(self), decimals), self.dim)

    def __str__(self) -> str:
        if self.dim is DIMENSIONLESS:
            return _array_text(np.asarray(self), str)
        unit = best_unit(self)
        return f"{_array_text(np.asarray(self) / float(unit), str)} {unit.dispname}"

    def __repr__(self) -> str:
        if self.dim is DIMENSIONLESS:
            return _array_text(np.asarray(self), repr)
        unit = best_unit(self)
        return f"{_array_text(np.asarray(self) / float(unit), repr)} * {unit.name}"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(np.asarray(self).item(), spec)


def _rebuild(values, dim):
    return Quantity(values, dim)


def _array_text(values: np.ndarray, style) -> str:
    if values.ndim == 0:
        return np.array2string(values)
    return np.array_repr(values) if style is repr else np.array_str(values)


class Unit(Quantity):
    """A named unit (``mV``, ``siemens / (metre ** 2)``): a Quantity with a name.

    Its value is its size in SI units (``float(mV) == 0.001``). Products, quotients and
    powers of units are units (``mV/ms``); a number times a unit is a :class:`Quantity`.

    Parameters
    ----------
    scale : float
        The size in SI units.
    dim : Dimension
        Its dimension (default: dimensionless).
    name : str
        The long name used by ``repr`` (``'mvolt'``).
    dispname : str
        The short name used by ``str`` (``'mV'``).
    iscompound : bool
        Whether the name is a product or quotient of other units (``'mV/ms'``), as Brian2
        marks it.
    """

    def __new__(cls, scale: float = 1.0, dim: Dimension = DIMENSIONLESS, name: str = "",
                dispname: str | None = None, iscompound: bool = False):
        obj = np.asarray(float(scale)).view(cls)
        obj.dim = dim
        obj.name = name or str(dim)
        obj.dispname = dispname or obj.name
        obj.iscompound = iscompound
        return obj

    def __array_finalize__(self, obj) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)

    @property
    def scale(self) -> float:
        return float(np.asarray(self))

    def __hash__(self) -> int:
        return hash((self.dim, self.scale, self.name))

    def __reduce__(self):
        return Unit, (self.scale, self.dim, self.name, self.dispname, self.iscompound)

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.dispname

    def _part(self, text: str) -> str:
        return f"({text})" if self.iscompound else text

    def _combine(self, other: Unit, multiply: bool) -> Unit:
        scale = self.scale * other.scale if multiply else self.scale / other.scale
        dim = self.dim * other.dim if multiply else self.dim / other.dim
        name = f"{self._part(self.name)} {'*' if multiply else '/'} {other._part(other.name)}"
        shown = (f"{self._part(self.dispname)}{' ' if multiply else '/'}"
                 f"{other._part(other.dispname)}")
        return _registered(Unit(scale, dim, name, shown, iscompound=True))

    def __mul__(self, other):
        if isinstance(other, Unit):
            return self._combine(other, multiply=True)
        return super().__mul__(other)

    def __truediv__(self, other):
        if isinstance(other, Unit):
            return self._combine(other, multiply=False)
        return super().__truediv__(other)

    def __rtruediv__(self, other):
        if isinstance(other, numbers.Real) and other == 1:  # 1/ms is the unit ms**-1
            return self ** -1
        return super().__rtruediv__(other)

    def __pow__(self, power):
        if isinstance(power, numbers.Real) and not isinstance(power, Quantity):
            shown = int(power) if float(power).is_integer() else power
            return _registered(Unit(self.scale ** power, self.dim ** power,
                                    f"{self._part(self.name)} ** {shown}",
                                    f"{self._part(self.dispname)}^{shown}", iscompound=True))
        return super().__pow__(power)

    # a unit is a constant: in-place operators make a new object instead of changing it
    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other

    def __ipow__(self, other):
        return self ** other


# -- display -----------------------------------------------------------------------------------
_BEST_UNITS: dict[Dimension, list[Unit]] = {}
# Units made by arithmetic (mV/ms), used for printing when no named unit has their dimension.
_COMPOUND_UNITS: dict[Dimension, list[Unit]] = {}


def _registered(unit: Unit) -> Unit:
    """Remember a unit made by arithmetic (as Brian2 does) so quantities can print in it."""
    known = _COMPOUND_UNITS.setdefault(unit.dim, [])
    if all(u.scale != unit.scale for u in known):
        known.append(unit)
    return unit


def register_display_units(units) -> None:
    """Make ``units`` candidates for printing quantities of their dimension."""
    for unit in units:
        candidates = _BEST_UNITS.setdefault(unit.dim, [])
        if all(u.scale != unit.scale for u in candidates):  # the first name of a size stays
            candidates.append(unit)


def best_unit(value) -> Unit:
    """The display unit for ``value``, chosen as Brian2 does.

    Among the registered units of its dimension, the one that brings the nonzero magnitudes
    closest to 10 (least sum of squared deviations of log10); for zeros the unscaled unit;
    the SI form when no unit is registered for the dimension.
    """
    dim = get_dim(value)
    candidates = _BEST_UNITS.get(dim) or _COMPOUND_UNITS.get(dim)
    if not candidates:
        return Unit(1.0, dim, repr(dim), str(dim), iscompound=not dim.is_dimensionless)
    magnitudes = np.abs(np.asarray(value, dtype=float)).ravel()
    magnitudes = magnitudes[np.isfinite(magnitudes) & (magnitudes > 0)]
    if magnitudes.size == 0:
        return min(candidates, key=lambda u: abs(np.log10(u.scale)))
    scales = np.array([u.scale for u in candidates])
    deviations = ((np.log10(magnitudes[:, None] / scales[None, :]) - 1) ** 2).sum(axis=0)
    return candidates[int(deviations.argmin())]


def unscaled_unit(dim: Dimension) -> Unit | None:
    """The registered unit of size 1 for ``dim`` (``volt``, ``siemens``), or None."""
    return next((u for u in _BEST_UNITS.get(dim, ()) if u.scale == 1.0), None)


def display_dimension(dim: Dimension) -> str:
    """The short unit name for a dimension (``'V'``, ``'1'``), as Brian2 prints errors."""
    if dim.is_dimensionless:
        return "1"
    candidates = _BEST_UNITS.get(dim)
    if candidates:
        return min(candidates, key=lambda u: abs(np.log10(u.scale))).dispname
    return str(dim)


def in_unit(value, unit, precision: int | None = None) -> str:
    """``value`` as text in ``unit`` (Brian2's ``in_unit``); raises if the units differ.

    Parameters
    ----------
    value : Quantity
        The value (scalar or array).
    unit : Unit
        The unit to show it in, of the same dimension (``mV/ms``).
    precision : int, optional
        Decimals to round to (default: no rounding).

    Returns
    -------
    str
        E.g. ``'-6.5 mV/ms'``.

    Examples
    --------
    >>> from spikeloom import mV, ms
    >>> in_unit(-65*mV/(10*ms), mV/ms)
    '-6.5 mV/ms'
    """
    if get_dim(value) is not get_dim(unit):
        raise DimensionMismatchError(f"in_unit: cannot show {value} in {unit!r}",
                                     get_dim(value), get_dim(unit))
    values = np.asarray(value, dtype=float) / float(unit)
    if precision is not None:
        values = np.round(values, precision)
    return f"{_array_text(values, str)} {getattr(unit, 'dispname', unit)}"


def have_same_dimensions(a, b) -> bool:
    """Whether ``a`` and ``b`` have the same dimension (Brian2's ``have_same_dimensions``).

    Parameters
    ----------
    a, b : Quantity, Unit, number or array
        The values compared (plain numbers are dimensionless).
    """
    return get_dim(a) is get_dim(b)


def is_dimensionless(value) -> bool:
    """Whether ``value`` is a pure number (Brian2's ``is_dimensionless``).

    Parameters
    ----------
    value : Quantity, Unit, Dimension, number or array
        The value tested (plain numbers are dimensionless).
    """
    return get_dim(value) is DIMENSIONLESS


def fail_for_dimension_mismatch(a, b=None, error_message: str | None = None):
    """Raise :class:`DimensionMismatchError` unless ``a`` and ``b`` share a dimension.

    A zero is compatible with any dimension, as in Brian2.

    Parameters
    ----------
    a, b : Quantity, Unit, number or array
        The values compared; without ``b``, ``a`` must be dimensionless.
    error_message : str, optional
        The message of the error (default ``'Dimension mismatch'``).

    Returns
    -------
    (Dimension, Dimension)
        The dimensions of ``a`` and ``b``.
    """
    dim_a, dim_b = get_dim(a), get_dim(b) if b is not None else DIMENSIONLESS
    if dim_a is not dim_b and not (_is_zero(a) or (b is not None and _is_zero(b))):
        raise DimensionMismatchError(error_message or "Dimension mismatch", dim_a, dim_b)
    return dim_a, dim_b
