"""Population, PopulationView and Assembly of the PyNN backend.

A :class:`Population` owns one spikeloom group (``NeuronGroup`` or
``SpikeGeneratorGroup``) whose variables carry PyNN's parameter and state names in SI
units; a :class:`PopulationView` reads and writes the same group at its cells' indices.
"""

from __future__ import annotations

import numpy as np
from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace, Sequence, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .cells import STANDARD_CELL_TYPES, SpikeloomCellType
from .recording import Recorder
from .simulator import get_si


class Assembly(common.Assembly):
    """A group of populations and views, connected and recorded together (PyNN's)."""

    _simulator = simulator


def root_of(population) -> tuple:
    """The population at the root of a view, and the view's cells' indices in it.

    Parameters
    ----------
    population : Population or PopulationView

    Returns
    -------
    tuple
        (Population, array of int).
    """
    if isinstance(population, common.PopulationView):
        return population.grandparent, population.index_in_grandparent(
            np.arange(population.size))
    return population, np.arange(population.size)


class _GroupAccess:
    """What Population and PopulationView share: parameters and state through the group."""

    def _get_parameters(self, *names):
        if not isinstance(self.celltype, StandardCellType):  # pragma: no cover - checked
            raise errors.NotLocalError("pyNN.spikeloom supports standard cell types only")
        if self.celltype.computed_parameters_include(names):
            native_names = self.celltype.get_native_names()
        else:
            native_names = self.celltype.get_native_names(*names)
        return self.celltype.reverse_translate(self._get_native_parameters(*native_names))

    def _get_native_parameters(self, *names):
        root, index = root_of(self)
        values = {}
        for name in names:
            value = root._read(name)[index]
            values[name] = value if name == "spike_times" else simplify(value)
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        root, index = root_of(self)
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            root._write(name, index, value)

    def _set_initial_value_array(self, variable, initial_values):
        root, index = root_of(self)
        root._write_state(variable, index, initial_values)


class PopulationView(_GroupAccess, common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _assembly_class = Assembly
    _simulator = simulator

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    @property
    def initial_values(self):
        """The initial values of the view's cells (a dict of LazyArrays, PyNN's units)."""
        root, index = root_of(self)
        return {name: LazyArray(np.asarray(value.evaluate(simplify=False))[index],
                                shape=(self.size,), dtype=float)
                for name, value in root.initial_values.items()}

    def initialize(self, **initial_values):
        """Set initial values of state variables of the view's cells (PyNN's units).

        Parameters
        ----------
        **initial_values
            Variable name -> a number, a RandomDistribution, an array of the view's
            size, or a function of the cell's index; e.g. ``v=-70.0`` (mV).
        """
        root, index = root_of(self)
        for variable, value in initial_values.items():
            values = LazyArray(value, shape=(self.size,), dtype=float).evaluate(simplify=False)
            root._write_state(variable, index, values)
            full = np.asarray(root.initial_values[variable].evaluate(simplify=False),
                              dtype=float).copy()
            full[index] = values
            root.initial_values[variable] = LazyArray(full, shape=(root.size,), dtype=float)


class Population(_GroupAccess, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        _check_cell_type(self.celltype)
        state = simulator.state
        first = state.id_counter
        self.all_cells = np.array([simulator.ID(n) for n in range(first, first + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), bool)
        self._group = self.celltype.build_group(self.size, state.clock_dt)
        self._spike_times = np.array([Sequence([]) for _ in range(self.size)], dtype=object)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            self._write(name, np.arange(self.size), value)
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        state.add(self._group)
        state.populations.append(self)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    # -- the group's variables (SI values) ---------------------------------------------------
    def _read(self, name: str) -> np.ndarray:
        """All cells' values of a native parameter (SI; ``spike_times``: Sequences, ms)."""
        if name == "spike_times":
            return self._spike_times.copy()
        return get_si(self._group, name)

    def _write(self, name: str, index: np.ndarray, values) -> None:
        """Write a native parameter (SI) at the cells ``index``."""
        if name == "spike_times":
            self._spike_times[index] = _as_sequences(values, len(index))
            self._update_spikes()
            return
        _set_si(self._group, name, index, values)

    def _write_state(self, variable: str, index: np.ndarray, values) -> None:
        """Write a state variable given in PyNN's units at the cells ``index``."""
        scale = self.celltype.state_scale.get(variable)
        if scale is None:
            allowed = sorted(self.celltype.state_scale)
            raise errors.InvalidParameterValueError(
                f"{self.label}.initialize: {variable!r} is not a state variable of "
                f"{self.celltype.__class__.__name__}; allowed: {allowed}")
        values = values.evaluate(simplify=False) if hasattr(values, "evaluate") else values
        _set_si(self._group, variable, index, np.asarray(values, dtype=float) * scale)

    def _update_spikes(self) -> None:
        dt = simulator.state.dt
        now = simulator.state.t
        indices, steps = [], []
        for k, times in enumerate(self._spike_times):
            if np.any(np.diff(np.asarray(times.value, dtype=float)) < 0):
                raise errors.InvalidParameterValueError(
                    f"{self.label}: spike_times of cell {k} are not in increasing order "
                    f"({list(times.value)} ms); give them sorted")
            step = np.round(np.asarray(times.value, dtype=float) / dt).astype(np.int64)
            step = step[step * dt >= now - dt / 2]
            if len(np.unique(step)) != len(step):
                raise errors.InvalidParameterValueError(
                    f"{self.label}: cell {k} has two spike times in one time step "
                    f"(spike_times={list(times.value)} ms, dt = {dt} ms); "
                    "pyNN.spikeloom allows one spike per cell and step")
            indices.append(np.full(len(step), k))
            steps.append(step)
        from ..units import second

        times = np.concatenate(steps) * dt * 1e-3 if steps else np.zeros(0)
        index = np.concatenate(indices).astype(int) if indices else np.zeros(0, int)
        self._group.set_spikes(index, times * second)

    # -- reset -------------------------------------------------------------------------------
    def _native_snapshot(self) -> dict:
        return {name: self._read(name) for name in self.celltype.get_native_names()}

    def _native_restore(self, snapshot: dict) -> None:
        everyone = np.arange(self.size)
        for name, value in snapshot.items():
            self._write(name, everyone, value)

    def _reinitialize(self) -> None:
        for variable, value in self.initial_values.items():
            self._write_state(variable, np.arange(self.size), value)


def _as_sequences(values, n: int) -> np.ndarray:
    if isinstance(values, Sequence):
        values = [values] * n
    out = np.empty(n, dtype=object)
    for k, value in enumerate(values):
        out[k] = value if isinstance(value, Sequence) else Sequence(value)
    return out


def _set_si(group, name: str, index, values) -> None:
    """Write SI values into a group's variable at ``index``."""
    full = get_si(group, name)
    full[np.asarray(index, dtype=int)] = np.asarray(values, dtype=float)
    group.set_states({name: full}, units=False)


def _check_cell_type(celltype) -> None:
    if not isinstance(celltype, SpikeloomCellType):
        supported = ", ".join(c.__name__ for c in STANDARD_CELL_TYPES)
        raise NotImplementedError(
            f"Population: cell type {type(celltype).__name__} is not supported by "
            f"pyNN.spikeloom; the supported standard cell types are {supported} "
            "(for other models use spikeloom.models with spikeloom's own API)")
