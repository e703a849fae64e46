"""Groups of elements with variables: attribute access, value setting, subgroups."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import sympy

from ..equations import BOOLEAN
from ..exceptions import EquationError, UnitError
from ..units import DIMENSIONLESS, Quantity, dim_string, get_dim, si_value
from ._base import SimObject
from ._codegen import Namespace, Scope
from ._evaluate import Evaluator
from ._variables import (
    DerivedVariable,
    LinkedVariable,
    Variable,
    VariableView,
    checked_link_indices,
    to_si_array,
)

#: The most elements a group may have: element indices are stored as int32.
MAX_SIZE = 2**31 - 1


def check_size(N, owner: str, argument: str = "N") -> int:
    """``N`` as an int; a float with an integral value (``12500.0``) is accepted, as in Brian2."""
    integral = isinstance(N, numbers.Integral) or (
        isinstance(N, numbers.Real) and not isinstance(N, Quantity) and float(N).is_integer())
    if isinstance(N, bool) or not integral or N <= 0:
        raise ValueError(f"{owner}: {argument} must be a positive integer, got {N!r}")
    if N > MAX_SIZE:
        raise ValueError(f"{owner}: {argument}={N!r}; allowed: at most 2**31 - 1 elements "
                         "(indices are 32-bit integers)")
    return int(N)


def has_compartments(item) -> bool:
    """Whether ``item`` is a morphology item (Brian2: ``neuron.v[morpho.dend[5*um]]``,
    ``record=morpho.axon``, ``connect(j=morpho[20*um])``): its ``_indices()`` are the
    absolute indices of its compartments."""
    return callable(getattr(type(item), "_indices", None))


def as_indices(item):
    """``item``, with a morphology item replaced by its compartments' absolute indices."""
    return np.atleast_1d(item._indices()) if has_compartments(item) else item


def check_namespace(namespace, owner: str) -> Mapping | None:
    """``namespace``, a mapping of names to values (Brian2's ``namespace=``), or None."""
    if namespace is not None and not isinstance(namespace, Mapping):
        raise TypeError(f"{owner}: namespace={namespace!r}; allowed: a dict mapping the names "
                        "that model code uses to their values, or None")
    return namespace


def is_run_time_constant(value) -> bool:
    """Whether an equations constant is passed to the compiled loop as an argument.

    Numbers and quantities are (changing them needs no new compilation); booleans are
    written into the code, and TimedArrays are functions.
    """
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, Quantity | numbers.Real) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")


def replacement_constant(owner: str, name: str, old, new):
    """``new`` checked against the constant it replaces: same dimension, a finite scalar.

    The replacement keeps the old value's number type (an int set on a float constant is
    stored as a float), so the compiled loop's argument types and its code stay the same.
    """
    where = f"{owner}: setting the constant {name} (was {old!r})"
    number = isinstance(new, Quantity | numbers.Real | np.ndarray)
    if isinstance(new, bool | np.bool_) or not number:
        raise TypeError(f"{where}: expected a number or a quantity, got {new!r}")
    if get_dim(new) != get_dim(old):
        raise UnitError(f"{where}: {new!r} has unit {dim_string(get_dim(new))}, the constant "
                        f"has {dim_string(get_dim(old))}")
    si = np.asarray(si_value(new))
    if si.ndim != 0:
        raise ValueError(f"{where}: expected one value, got an array of shape {si.shape}; "
                         "per-element values belong in a parameter (e.g. 'tau : second')")
    if not np.isfinite(si):
        raise ValueError(f"{where}: got {new!r}; the value must be finite")
    old_si = np.asarray(si_value(old)).item()
    if isinstance(old_si, int | np.integer):
        if si.item() != int(si.item()):
            raise ValueError(f"{where}: the constant is an integer, got {new!r}")
        return int(si.item()) if not isinstance(old, Quantity) else new
    if isinstance(old, Quantity):
        return new if isinstance(new, Quantity) else float(si.item())
    return float(si.item())


class Group(SimObject):
    """A simulated object owning per-element variables (neurons, inputs, synapses)."""

    _frozen = False

    def __init__(self, **kwargs) -> None:
        object.__setattr__(self, "variables", {})
        super().__init__(**kwargs)
        self.namespace = None

    # -- regular operations -------------------------------------------------------------------
    def run_regularly(self, code: str, dt=None, clock=None, when: str = "start",
                      order: int = 0, name: str | None = None, codeobj_class=None):
        """Run ``code`` for every element (neuron, Poisson source, synapse) at each multiple
        of ``dt`` (Brian2's API).

        Parameters
        ----------
        code : str
            Statements over the group's variables, e.g. ``'v = E_L'`` or ``'rates = 5*Hz'``.
        dt : Quantity (time), optional
            Interval (a whole multiple of the network's dt); default: the group's clock.
        clock : Clock, optional
            Instead of ``dt``.
        when : str
            Schedule slot (default ``'start'``).
        order : int
        name : str, optional
        codeobj_class : ignored
            Accepted for Brian2 scripts; spikeloom compiles every run into one loop.

        Returns
        -------
        RegularOperation
            Contained in the group: a Network with the group runs it.
        """
        from ._regular import RegularOperation

        op = RegularOperation(self, code, dt=dt, clock=clock, when=when, order=order,
                              name=name)
        self._operation_owner().__dict__.setdefault("_regular_operations", []).append(op)
        return op

    def _operation_owner(self) -> Group:
        """The group whose network entry runs this group's regular operations."""
        return self

    @property
    def contained_objects(self) -> list:
        return list(self.__dict__.get("_regular_operations", ()))

    # -- states (Brian2's get_states/set_states) ---------------------------------------------
    def get_states(self, vars=None, units: bool = True, format: str = "dict",
                   subexpressions: bool = False, read_only_variables: bool = True,
                   level: int = 0):
        """All (or ``vars``) variables as ``{name: values}`` (Quantities; SI arrays with
        ``units=False``), or a pandas DataFrame with ``format='pandas'``."""
        from ._states import get_group_states

        return get_group_states(self, vars, units, format, subexpressions,
                                read_only_variables)

    def set_states(self, values, units: bool = True, format: str = "dict",
                   level: int = 0) -> None:
        """Assign ``{name: values}`` (or a DataFrame's columns), with the unit checks of
        ``G.name = values`` (SI values with ``units=False``)."""
        from ._states import set_group_states

        set_group_states(self, values, units, format)

    # -- variables -----------------------------------------------------------------------------
    @property
    def owner(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    def _size(self) -> int:
        return self.N

    def add_array(self, name: str, dim=DIMENSIONLESS, dtype=np.float64, value=0,
                  shared: bool = False, constant: bool = False, read_only: bool = False,
                  where: str = "") -> Variable:
        size = 1 if shared else self._size()
        values = np.full(size, value, dtype=dtype)
        var = Variable(name, dim, dtype, values, shared=shared, constant=constant,
                       read_only=read_only, where=where)
        self.variables[name] = var
        return var

    def add_subexpression(self, name: str, dim, expr: str, where: str,
                          dtype=np.float64) -> Variable:
        var = Variable(name, dim, dtype, None, constant=True, read_only=True, expr=expr,
                       where=where)
        self.variables[name] = var
        return var

    def array_name(self, var: Variable) -> str:
        return f"{var.name}_{self.name}"

    def _extra_names(self, index: str = "_idx") -> dict:
        return {"i": (sympy.Symbol(index, integer=True), DIMENSIONLESS),
                "N": (sympy.Integer(self.N), DIMENSIONLESS)}

    def scope(self, run_namespace: dict | None, index: str = "_idx", suffix: str = "") -> Scope:
        return Scope(self.owner, self.variables, self.array_name, index, suffix,
                     Namespace(self.namespace, run_namespace, getattr(self, "_eq_namespace",
                                                                      None)),
                     extra=self._extra_names(index))

    @property
    def t(self):
        """The time the group's clock has reached (Brian2's ``G.t``)."""
        return self.clock.t

    @property
    def t_(self) -> float:
        return self.clock.t_

    def __getattr__(self, name: str):
        variables = self.__dict__.get("variables", {})
        if name in variables:
            return VariableView(self, variables[name])
        if name.endswith("_") and name[:-1] in variables:
            return self._get_values(variables[name[:-1]], slice(None))
        constants = self.__dict__.get("_eq_namespace") or {}
        if name in constants and is_run_time_constant(constants[name]):
            return constants[name]
        raise AttributeError(f"{type(self).__name__} object {self.__dict__.get('name', '')!r} "
                             f"has no attribute or variable {name!r}")

    def __setattr__(self, name: str, value) -> None:
        variables = self.__dict__.get("variables", {})
        if name in variables:
            self._set_values(variables[name], slice(None), value)
        elif name.endswith("_") and name[:-1] in variables:
            self._set_values(variables[name[:-1]], slice(None), value, si=True)
        elif name in (self.__dict__.get("_eq_namespace") or {}) and \
                is_run_time_constant(self.__dict__["_eq_namespace"][name]):
            self._eq_namespace[name] = replacement_constant(
                self.owner, name, self._eq_namespace[name], value)
        elif self._frozen and not name.startswith("_") and name not in self.__dict__ \
                and not hasattr(type(self), name):
            raise AttributeError(
                f"{self.owner} has no variable {name!r}; its variables are "
                f"{', '.join(sorted(n for n in variables if not n.startswith('_')))}")
        else:
            object.__setattr__(self, name, value)

    # -- element selection -----------------------------------------------------------------------
    def _element_indices(self, item) -> np.ndarray:
        """Relative element indices selected by ``item`` (int, slice, array, mask, string,
        or a morphology item such as ``morpho.dend[10*um]`` for a SpatialNeuron)."""
        size = self._size()
        if has_compartments(item):  # absolute compartment indices, made relative
            item = as_indices(item) - self._storage_offset()
        if isinstance(item, str):
            mask = self._evaluator(np.arange(size))(item, f"{self.owner}: index {item!r}",
                                                     expected=BOOLEAN)
            return np.flatnonzero(mask)
        if isinstance(item, slice):
            return np.arange(size)[item]
        array = np.asarray(item)
        if array.dtype == np.bool_:
            if array.shape != (size,):
                raise IndexError(f"{self.owner}: boolean index of shape {array.shape}, "
                                 f"expected ({size},)")
            return np.flatnonzero(array)
        if not np.issubdtype(array.dtype, np.integer):
            raise IndexError(f"{self.owner}: index {item!r} must be integers, a slice, a "
                             "boolean mask or a string condition")
        flat = array.reshape(-1)
        bad = flat[(flat < -size) | (flat >= size)]
        if bad.size:
            raise IndexError(f"{self.owner}: index {bad[0]} out of range for {size} elements "
                             f"(allowed 0..{size - 1})")
        return np.where(flat < 0, flat + size, flat)

    def _storage_offset(self) -> int:
        return 0

    def _evaluator(self, relative: np.ndarray) -> Evaluator:
        offset = self._storage_offset()
        net_t = getattr(self, "_t", 0.0)
        return Evaluator(self.scope(_caller_namespace()), {"_idx": relative + offset},
                         t=net_t, dt=self.clock.dt_)

    def _get_values(self, var: Variable, item) -> np.ndarray:
        if var.linked:
            if var.link is None:
                raise EquationError(f"{self.owner}: {var.name} is (linked) but not linked yet")
            group, source = var.link
            values = np.asarray(group._get_values(source, slice(None)))
            if var.link_index is not None and not source.shared:
                indices = checked_link_indices(var, self.owner) - group._storage_offset()
                values = values[indices[self._storage_offset():][:self._size()]]
            values = np.broadcast_to(values, (self._size(),))
            return values[self._element_indices(item)] if not isinstance(
                item, numbers.Integral) else values[self._element_indices(item)[0]]
        if var.is_subexpression:
            rel = self._element_indices(item)
            values = self._evaluator(rel)(var.expr, var.where)
            return values[0] if np.isscalar(item) or isinstance(item, numbers.Integral) else values
        if var.shared:
            return var.values.copy()[0] if not isinstance(item, slice) else var.values.copy()
        offset = self._storage_offset()
        if isinstance(item, numbers.Integral) and not isinstance(item, bool):
            return var.values[offset + self._element_indices(item)[0]]
        return var.values[offset + self._element_indices(item)].copy()

    def _link(self, var: Variable, value) -> None:
        """``G.x = linked_var(source, 'y')``: ``x`` reads ``source.y`` from now on."""
        where = f"{self.owner}: linking {var.name}"
        if not isinstance(value, LinkedVariable):
            raise TypeError(f"{where}: {var.name} is a (linked) variable; assign "
                            f"linked_var(group, 'name'), got {value!r}")
        source = value.group.variables[value.name]
        if source.dim != var.dim:
            raise UnitError(f"{where}: {value.group.owner}.{value.name} has unit "
                            f"{dim_string(source.dim)}, {var.name} has {dim_string(var.dim)}")
        size, index = value.group.N, value.index
        if index is None and value.group._storage_offset() != 0 and size == self._size():
            index = np.arange(size)  # a subgroup of the same size: element k reads its k
        if index is None:
            if size not in (1, self._size()):
                raise ValueError(
                    f"{where}: the source has {size} elements and this group "
                    f"{self._size()}; link a group of the same size (element k reads element "
                    "k) or of size 1 (all read it), or give linked_var(..., index=...)")
            var.link, var.link_index = (value.group, source), None
            return
        link_index = self._link_index(var, value.group, index, where)
        var.link, var.link_index = (value.group, source), link_index
        if not source.shared:
            checked_link_indices(var, where)

    def _link_index(self, var: Variable, source_group, index, where: str) -> Variable:
        """The integer variable holding, per element, the source element ``var`` reads
        (Brian2's ``linked_var(..., index=)``): the named variable, or a new hidden one
        ``_<var>_indices`` holding the array (in storage indices of the source)."""
        if isinstance(self, Subgroup):
            raise NotImplementedError(f"{where}: link the variable through the whole group "
                                      f"{self.parent.owner}, not a subgroup of it")
        if isinstance(index, str):
            return self._named_link_index(index, source_group, where)
        if hasattr(self, "connect"):  # Synapses: the number of elements changes
            raise TypeError(f"{where}: index={index!r}; Synapses cannot link through an "
                            "index array (their number changes): name an integer synaptic "
                            "variable instead")
        array = np.asarray(index)
        if not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"{where}: index={index!r}; allowed: an array of integers or "
                            "the name of an integer variable of this group")
        if array.shape != (self._size(),):
            raise TypeError(f"{where}: index has shape {array.shape}; allowed: one source "
                            f"index per element, shape ({self._size()},)")
        if array.size and (array.min() < 0 or array.max() >= source_group.N):
            bad = array[(array < 0) | (array >= source_group.N)][0]
            raise ValueError(f"{where}: index holds {bad}; allowed are 0.."
                             f"{source_group.N - 1} (the elements of {source_group.owner})")
        name = f"_{var.name}_indices"
        values = (array + source_group._storage_offset()).astype(np.int32)
        self.variables[name] = Variable(name, DIMENSIONLESS, np.int32, values, constant=True,
                                        read_only=True, where=where)
        return self.variables[name]

    def _named_link_index(self, name: str, source_group, where: str) -> Variable:
        index_var = self.variables.get(name)
        if index_var is None or name.startswith("_"):
            known = sorted(n for n in self.variables if not n.startswith("_"))
            raise ValueError(f"{where}: index={name!r} is not a variable of {self.owner}; "
                             f"allowed: one of its integer variables ({', '.join(known)}) "
                             "or an array of source indices")
        if not np.issubdtype(index_var.dtype, np.integer) or index_var.values is None or \
                index_var.shared or index_var.linked:
            raise TypeError(f"{where}: index={name!r} must name an integer parameter of "
                            f"{self.owner} (one value per element, e.g. '{name} : integer')")
        if source_group._storage_offset() != 0:
            raise NotImplementedError(f"{where}: index={name!r} into a subgroup; link to the "
                                      f"whole group {source_group.parent.owner} and add the "
                                      f"subgroup's start {source_group.start} to {name}")
        return index_var

    def _set_values(self, var: Variable, item, value, si: bool = False) -> None:
        where = f"{self.owner}: setting {var.name}"
        if var.linked:
            if not (isinstance(item, slice) and item == slice(None)):
                raise EquationError(f"{where}: a linked variable is linked as a whole "
                                    f"({var.name} = linked_var(...))")
            self._link(var, value)
            return
        if var.read_only or var.is_subexpression:
            raise EquationError(f"{where}: {var.name} is read-only")
        if var.shared:
            rel = np.zeros(1, dtype=np.int64)
        else:
            rel = self._element_indices(item)
        if isinstance(value, str):
            if var.shared:
                raise EquationError(f"{where}: string expressions for shared variables are not "
                                    "supported; assign a value")
            expected = BOOLEAN if var.is_boolean else var.dim
            values = self._evaluator(rel)(value, f"{where} = {value!r}", expected=expected)
        elif si:
            values = np.asarray(value)
        else:
            values = to_si_array(value, var, self.owner)
        values = np.asarray(values)
        if values.dtype.kind not in "biuf":  # (NumPy's conversion error would not say where)
            raise TypeError(f"{where}: got {value!r}; allowed: numbers, quantities with unit "
                            f"{dim_string(var.dim)}, or a string expression")
        if values.ndim > 1:
            raise ValueError(f"{where}: got an array of shape {values.shape}; allowed: one "
                             f"value or {len(rel)} values (one per element)")
        if values.ndim == 1 and values.shape[0] not in (1, len(rel)):
            raise ValueError(f"{where}: got {values.shape[0]} values for {len(rel)} elements")
        if var.dtype != np.bool_ and np.issubdtype(values.dtype, np.floating):
            if np.isnan(values).any():
                raise ValueError(f"{where}: value contains NaN")
            if var.dtype == np.int32:  # Brian2 truncates towards zero (a C cast, as its code)
                values = np.trunc(values)
        offset = 0 if var.shared else self._storage_offset()
        var.values[offset + rel] = values

    def __len__(self) -> int:
        return self._size()

    def _lower_storage(self, lctx) -> tuple[int, str, dict]:
        """Register the group's arrays; return (steps per update, dt scalar, namespace)."""
        for var in self.variables.values():
            # derived arrays (N_incoming...) are registered by the code that reads them
            if not isinstance(var, DerivedVariable) and var.values is not None:
                lctx.array(self.array_name(var), var.values)
        every = lctx.every(self.clock, self.owner)
        return every, lctx.scalar(f"dt_{self.name}", self.clock.dt_), lctx.run_namespace


class SpikeSource:
    """Mixin of groups that emit spikes: the per-step spike list and the after-spike code."""

    start = 0

    @property
    def stop(self) -> int:
        return self.N

    @property
    def spike_source(self):
        return self

    def __getitem__(self, item):
        return slice_group(self, item)

    @property
    def _spikes_name(self) -> str:
        return f"_spikes_{self.name}"

    @property
    def _count_name(self) -> str:
        return f"_nspikes_{self.name}"

    def _spike_arrays(self, lctx) -> None:
        if getattr(self, "_spike_storage", None) is None or len(self._spike_storage) != self.N:
            self._spike_storage = np.zeros(self.N, np.int32)
            self._count_storage = np.zeros(1, np.int64)
        lctx.array(self._spikes_name, self._spike_storage)
        lctx.array(self._count_name, self._count_storage)

    def _event_arrays(self, lctx, event: str = "spike") -> tuple[str, str]:
        """Register the per-step list of elements that had ``event`` (and its length);
        return their plan names. ``'spike'`` is the threshold's event."""
        if event == "spike":
            self._spike_arrays(lctx)
            return self._spikes_name, self._count_name
        if event not in getattr(self, "events", {}):
            raise ValueError(f"{self.owner}: no event named {event!r}; its events are "
                             f"{['spike'] + list(getattr(self, 'events', {}))}")
        storage = self.__dict__.setdefault("_event_storage", {})
        if event not in storage or len(storage[event][0]) != self.N:
            storage[event] = [np.zeros(self.N, np.int32), np.zeros(1, np.int64)]
        names = (f"_events_{event}_{self.name}", f"_nevents_{event}_{self.name}")
        lctx.array(names[0], storage[event][0])
        lctx.array(names[1], storage[event][1])
        return names

    def _has_event(self, event: str) -> bool:
        if event == "spike":
            return getattr(self, "threshold", "") is not None
        return event in getattr(self, "events", {})

    @property
    def _auto_lastspike(self) -> bool:
        return True

    def _after_spike(self, lctx, ns):
        from ..equations import parse_statements
        from ._codegen import KernelBuilder

        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        code = []
        if "lastspike" in self.variables and self._auto_lastspike:
            code.append("lastspike = t")
        if "not_refractory" in self.variables:
            code.append("not_refractory = False")
        if code:
            builder.add_code(parse_statements("\n".join(code), self.owner), self.owner)
        return builder.build()


def _caller_namespace() -> dict:
    """Names visible where the user's code called us (for string expressions)."""
    import inspect

    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_globals.get("__name__", "").startswith("spikeloom"):
            frame = frame.f_back
        if frame is None:
            return {}
        namespace = dict(frame.f_globals)
        namespace.update(frame.f_locals)
        return namespace
    finally:
        del frame


class Subgroup(Group):
    """A contiguous slice ``G[start:stop]`` of a group, sharing its variables and spikes.

    Made by slicing a group (``G[10:20]``) rather than called directly.

    Parameters
    ----------
    parent : Group
        The group sliced (a NeuronGroup or an input group).
    start, stop : int
        First element and one past the last, in the parent's indices.
    """

    _default_name = "subgroup"

    def __init__(self, parent, start: int, stop: int) -> None:
        object.__setattr__(self, "variables", parent.variables)
        SimObject.__init__(self, name=None, when=parent.when, order=parent.order,
                           clock=parent.clock)
        self._default_name = f"{parent.name}_subgroup"
        self.parent = parent
        self.start = start
        self.stop = stop
        self.N = stop - start
        self.namespace = parent.namespace
        self._frozen = True

    @property
    def owner(self) -> str:
        return f"Subgroup {self.parent.name}[{self.start}:{self.stop}]"

    def _storage_offset(self) -> int:
        return self.start

    def array_name(self, var: Variable) -> str:
        return self.parent.array_name(var)

    def _extra_names(self, index: str = "_idx") -> dict:
        return {"i": (sympy.Symbol(index, integer=True) - self.start, DIMENSIONLESS),
                "N": (sympy.Integer(self.N), DIMENSIONLESS)}

    def scope(self, run_namespace, index="_idx", suffix=""):
        scope = self.parent.scope(run_namespace, index, suffix)
        scope.extra = self._extra_names(index)
        scope.owner = self.owner
        return scope

    @property
    def spike_source(self):
        return self.parent

    def _operation_owner(self) -> Group:
        # ``i`` in a subgroup's code counts from the slice's start, as in Brian2; the parent
        # group runs the operation over the slice.
        return self.parent

    def __getattr__(self, name):
        return Group.__getattr__(self, name)


def slice_group(group, item) -> Subgroup:
    """``group[a:b]`` → a :class:`Subgroup` (contiguous, step 1, non-empty)."""
    if isinstance(item, numbers.Integral):
        item = slice(item, item + 1)
    if not isinstance(item, slice):
        raise TypeError(f"{group.owner}: subgroups are made with a slice, e.g. G[:100]; got "
                        f"{item!r}")
    start, stop, step = item.indices(group.N)
    if step != 1 or stop <= start:
        raise IndexError(f"{group.owner}: subgroup slice {item} must be contiguous and "
                         "non-empty")
    offset = getattr(group, "start", 0)
    parent = getattr(group, "parent", group)
    return Subgroup(parent, offset + start, offset + stop)
