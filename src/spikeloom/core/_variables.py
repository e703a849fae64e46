"""Variables of groups and synapses, and the Brian2-style views ``G.v[...]``.

Values are stored as NumPy arrays of SI values; a view converts to and from Quantities and
evaluates string expressions (``G.v = 'El + rand()*5*mV'``, ``S.w['i > j'] = 0.5``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import UnitError
from ..units import DIMENSIONLESS, Dimension, as_quantity, dim_string, get_dim, si_value

NUMPY_DTYPES = {"float": np.float64, "integer": np.int32, "boolean": np.bool_}


@dataclass(eq=False)
class Variable:
    """One variable of a group.

    Parameters
    ----------
    name : str
    dim : Dimension
    dtype : numpy dtype
    values : ndarray or None
        Storage (SI values); None for subexpressions.
    shared : bool
        One value for the whole group (stored with length 1).
    constant : bool
        Model code may not write it (parameters flagged ``constant``, ``i``...).
    read_only : bool
        Not even the user may set it from Python (``i``, ``N``, ``lastupdate``...).
    expr : str or None
        Definition of a subexpression.
    linked : bool
        A ``(linked)`` variable: no storage of its own, it reads ``link = (group, Variable)``
        set by ``G.x = linked_var(source, 'y')``.
    link_index : Variable or None
        With ``linked_var(..., index=...)``: the integer variable of this group that holds,
        per element, the storage index of the source element it reads (None: element k
        reads element k, or element 0 of a source of size 1).
    conditional_write : str or None
        Name of a boolean variable of the same group (``'not_refractory'``): code other than
        the reset writes this variable only where that one is true, as Brian2 does for
        ``(unless refractory)`` variables (synaptic input during refractoriness is lost).
    """

    name: str
    dim: Dimension
    dtype: type
    values: np.ndarray | None = None
    shared: bool = False
    constant: bool = False
    read_only: bool = False
    expr: str | None = None
    where: str = ""
    conditional_write: str | None = None
    #: a ``(linked)`` variable reads another group's variable: (group, Variable) once linked
    linked: bool = False
    link: tuple | None = None
    link_index: Variable | None = None

    @property
    def is_subexpression(self) -> bool:
        return self.expr is not None

    @property
    def is_boolean(self) -> bool:
        return self.dtype == np.bool_



class DerivedVariable(Variable):
    """A read-only variable whose values are recomputed on first read after a change.

    ``Synapses.N_incoming``/``N_outgoing`` are one int per synapse derived from the
    connectivity; recomputing them on every ``connect`` call costs a 32 M-element gather at
    400 000 neurons, so they are computed only when something (a user, a code block) reads
    them. ``refresh`` is called on every read and must return quickly when nothing changed.
    """

    def __init__(self, *args, refresh, **kwargs) -> None:
        self._refresh = refresh
        super().__init__(*args, **kwargs)

    @property
    def values(self) -> np.ndarray:
        self._refresh(self)
        return self._values

    @values.setter
    def values(self, new: np.ndarray) -> None:
        self._values = new


def to_si_array(value, var: Variable, owner: str):
    """Check the unit of ``value`` against ``var`` and return plain SI numbers."""
    if isinstance(value, str):
        raise TypeError("string values are handled by the caller")
    got = get_dim(value)
    # a plain 0 fits any unit (G.v = 0), as in Brian2
    zero_for_any_unit = got == DIMENSIONLESS and _all_zero(value)
    if got != var.dim and not zero_for_any_unit:
        raise UnitError(f"{owner}: cannot set {var.name} (unit {dim_string(var.dim)}) to a "
                        f"value with unit {dim_string(got)}: {value!r}")
    values = np.asarray(si_value(value))
    if var.dtype != np.bool_ and np.issubdtype(values.dtype, np.floating) and \
            np.isnan(values).any():
        raise ValueError(f"{owner}: value for {var.name} contains NaN")
    return values


def _all_zero(value) -> bool:
    try:
        return bool(np.all(np.asarray(si_value(value)) == 0))
    except Exception:
        return False


class ArrayView:
    """What Brian2 hands out for a group's or a monitor's variable: not an array, but one
    that behaves like the Quantity it holds in indexing, arithmetic and comparisons.

    As in Brian2, NumPy sees the Quantity through ``__array__``: ``np.mean(G.v)`` keeps
    the unit, while reductions that go through ``np.asarray`` (``np.max``, ``np.sum``)
    give plain SI numbers, and the view has no reduction methods of its own. Scripts rely
    on that (``T = np.max(M.t) - np.min(M.t)`` is a float there).
    """

    def __getitem__(self, item):
        raise NotImplementedError

    def _q(self):
        return self[:]

    def __array__(self, dtype=None, copy=None):
        return np.array(self[:], dtype=dtype, subok=True)

    def __len__(self) -> int:
        return len(self._q())

    def __iter__(self):
        return iter(self._q())

    @property
    def shape(self):
        return np.shape(self._q())

    @property
    def ndim(self) -> int:
        return np.ndim(self._q())

    def __add__(self, o): return self._q() + o
    def __radd__(self, o): return o + self._q()
    def __sub__(self, o): return self._q() - o
    def __rsub__(self, o): return o - self._q()
    def __mul__(self, o): return self._q() * o
    def __rmul__(self, o): return o * self._q()
    def __truediv__(self, o): return self._q() / o
    def __rtruediv__(self, o): return o / self._q()
    def __floordiv__(self, o): return self._q() // o
    def __mod__(self, o): return self._q() % o
    def __pow__(self, o): return self._q() ** o
    def __matmul__(self, o): return self._q() @ o
    def __rmatmul__(self, o): return o @ self._q()
    def __neg__(self): return -self._q()
    def __pos__(self): return self._q()
    def __abs__(self): return abs(self._q())
    def __lt__(self, o): return self._q() < o
    def __le__(self, o): return self._q() <= o
    def __gt__(self, o): return self._q() > o
    def __ge__(self, o): return self._q() >= o
    def __eq__(self, o): return self._q() == o
    def __ne__(self, o): return self._q() != o

    __hash__ = object.__hash__


class RecordedView(ArrayView):
    """A monitor's recorded array (``M.t``, ``M.i``, ``M.count``, ``R.rate``): read-only.

    Parameters
    ----------
    owner : str
        The monitor, for messages.
    name : str
        The attribute's name.
    values : Callable[[], numpy.ndarray]
        Gives the recorded SI values (a copy).
    dim : Dimension
        Their unit; dimensionless and integer arrays come back as plain arrays.
    """

    def __init__(self, owner: str, name: str, values, dim=DIMENSIONLESS) -> None:
        self._owner, self._name, self._values, self._dim = owner, name, values, dim

    def __getitem__(self, item):
        values = self._values()[item]
        if self._dim == DIMENSIONLESS or not np.issubdtype(np.asarray(values).dtype,
                                                          np.floating):
            return values
        return as_quantity(values, self._dim)

    def __setitem__(self, item, value) -> None:
        raise TypeError(f"{self._owner}: {self._name} is recorded data and cannot be set")

    @property
    def dtype(self):
        return self._values().dtype

    @property
    def dim(self):
        return self._dim

    def __repr__(self) -> str:
        return f"<{self._owner}.{self._name}: {self[:]!r}>"


class VariableView(ArrayView):
    """``group.var``: indexable, assignable, and usable like the Quantity array it holds."""

    def __init__(self, group, var: Variable) -> None:
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "variable", var)

    def __hash__(self) -> int:  # a dict key, as in Brian2 ({G.v: values} for run_args)
        return hash((id(self.group), self.variable.name))

    # -- reading ---------------------------------------------------------------------------
    def _si(self, item=slice(None)) -> np.ndarray:
        return self.group._get_values(self.variable, item)

    def __getitem__(self, item):
        if isinstance(item, tuple) and len(item) > 1 and all(x is None for x in item[1:]):
            # NumPy's new axes after the index (matplotlib plots G.v as y[:, None])
            return self[item[0]][(slice(None),) + item[1:]]
        values = self._si(item)
        if self.variable.is_boolean or self.variable.dtype == np.int32:
            return values
        return as_quantity(values, self.variable.dim)

    def get_item(self, item, level: int = 0):
        return self[item]

    @property
    def value(self):
        return self[:]

    def __len__(self) -> int:
        return len(self._si())

    def __repr__(self) -> str:
        return f"<{self.group.name}.{self.variable.name}: {self[:]!r}>"

    def __setitem__(self, item, value) -> None:
        self.group._set_values(self.variable, item, value)

    @property
    def shape(self):
        return self._si().shape

    @property
    def dtype(self):
        return self.variable.dtype

    @property
    def dim(self):
        return self.variable.dim

    @property
    def unit(self):
        return as_quantity(1.0, self.variable.dim)


class LinkedVariable:
    """What :func:`linked_var` returns: the source a ``(linked)`` variable will read."""

    def __init__(self, group, name: str, index=None) -> None:
        self.group = group
        self.name = name
        self.index = index


def linked_var(group_or_variable, name: str | None = None, index=None) -> LinkedVariable:
    """Link a ``(linked)`` variable to another group's variable (Brian2's ``linked_var``).

    Parameters
    ----------
    group_or_variable : group or variable (``input.x``)
    name : str, optional
        The variable's name when a group is given.
    index : array of int or str, optional
        Which source element each target element reads (Brian2's ``index``): an array with
        one index into the source per target element, or the name of an integer variable
        of the target group holding them (read at every step, so code may change it).
        Without it the source must have as many elements as the target (element k reads
        element k) or a single one (all read it).

    Examples
    --------
    >>> from spikeloom import NeuronGroup, linked_var
    >>> source = NeuronGroup(1, 'x : 1')
    >>> target = NeuronGroup(3, 'y : 1 (linked)')
    >>> target.y = linked_var(source, 'x')
    >>> many = NeuronGroup(3, 'x : 1')
    >>> target.y = linked_var(many, 'x', index=[2, 0, 0])
    """
    if isinstance(group_or_variable, VariableView):
        group, name = group_or_variable.group, group_or_variable.variable.name
    else:
        group = group_or_variable
    if name is None:
        raise TypeError("linked_var: give a variable (input.x) or a group and a name")
    if name not in group.variables:
        raise KeyError(f"linked_var: {group.owner} has no variable {name!r}")
    return LinkedVariable(group, name, index)


def checked_link_indices(var: Variable, owner: str) -> np.ndarray:
    """The storage indices into the source that the elements of linked ``var`` read.

    Checked on every use: an index variable named by ``linked_var(..., index='k')`` may
    have been changed since the link was made, and the compiled loop does not check bounds.
    """
    group, source = var.link
    values = np.asarray(var.link_index.values)
    start = group._storage_offset()
    size = group.N
    bad = values[(values < start) | (values >= start + size)]
    if bad.size:
        raise IndexError(
            f"{owner}: {var.name} reads {group.owner}.{source.name} through the index "
            f"{var.link_index.name!r}, which holds {int(bad[0]) - start}; allowed are "
            f"0..{size - 1} (the source's elements)")
    return values
