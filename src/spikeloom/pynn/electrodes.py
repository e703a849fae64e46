"""Current sources of the PyNN backend: ``DCSource`` and ``StepCurrentSource``.

Both are piecewise constant: the simulator state splits each run at the times at which
an amplitude changes and writes the sum of the sources into the targets' ``i_inj``
between the pieces, so the current enters the cells exactly (no per-step Python).
``ACSource`` and ``NoisyCurrentSource`` are not supported (see :mod:`.unsupported`).
"""

from __future__ import annotations

import numpy as np
from pyNN import common
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import build_translations, electrodes

from . import simulator
from .populations import root_of


def _cells_of(cells) -> list:
    """(root population, indices) for each part of ``cells``."""
    if isinstance(cells, common.Assembly):
        return [root_of(p) for p in cells.populations]
    if isinstance(cells, (common.Population, common.PopulationView)):
        return [root_of(cells)]
    parts = {}
    for cell in cells:
        root, index = root_of(cell.parent)
        parts.setdefault(id(root), (root, []))[1].append(int(index[cell.parent.id_to_index(
            cell)]))
    return [(root, np.array(index)) for root, index in parts.values()]


class _PiecewiseConstantSource:
    """Mix-in: parameters kept in PyNN's units (ms, nA), injection into ``i_inj``."""

    def __getattr__(self, name):
        native = self.__dict__.get("_native", {})
        if name in native:  # PyNN's backends give numbers and arrays, not lazy arrays
            value = native[name]
            return np.array(value, dtype=float) if np.ndim(value) else float(value)
        return super().__getattr__(name)

    def set_native_parameters(self, parameters):
        """Store parameters (PyNN's units; called by ``set_parameters``).

        Parameters
        ----------
        parameters : ParameterSpace
        """
        parameters.evaluate(simplify=True)
        for name, value in parameters.items():
            self._native[name] = value.value if isinstance(value, Sequence) else value

    def get_native_parameters(self):
        """The parameters, as a ParameterSpace (PyNN's units).

        Returns
        -------
        ParameterSpace
        """
        values = {name: Sequence(value) if np.ndim(value) else value
                  for name, value in self._native.items()}
        return ParameterSpace(values, shape=(1,))

    def inject_into(self, cells):
        """Inject this current into ``cells``.

        Parameters
        ----------
        cells : Population, PopulationView, Assembly or list of ID
            The target cells; their cell type must accept current (not a spike source).
        """
        for root, index in _cells_of(cells):
            if not root.celltype.injectable:
                raise TypeError(f"{type(self).__name__}.inject_into: the cells of "
                                f"{root.label!r} ({type(root.celltype).__name__}) cannot "
                                "receive current")
            self._targets.append((root, np.asarray(index, dtype=int)))
        if self not in simulator.state.current_sources:
            simulator.state.current_sources.append(self)

    def _get_data(self):
        raise NotImplementedError(
            f"{type(self).__name__}.record/get_data is not supported by pyNN.spikeloom; "
            "the amplitude is known in advance (amplitude_at(t) gives it, in nA)")

    def record(self):
        """Not supported (the amplitude is known in advance: use :meth:`amplitude_at`)."""
        self._get_data()


class DCSource(_PiecewiseConstantSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__ + """
    spikeloom: the current acts in the time steps in ``[start, stop)``.
    """
    translations = build_translations(("amplitude", "amplitude"), ("start", "start"),
                                      ("stop", "stop"))

    def __init__(self, **parameters):
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_targets", [])
        electrodes.DCSource.__init__(self, **parameters)
        self.set_parameters(**{**self.default_parameters, **parameters})

    def amplitude_at(self, t: float) -> float:
        """The amplitude (nA) in the step that starts at ``t`` (ms).

        Parameters
        ----------
        t : float
            Time in ms.

        Returns
        -------
        float
        """
        p = self._native
        half = simulator.state.dt / 2
        return float(p["amplitude"]) if p["start"] - half <= t < p["stop"] - half else 0.0

    def _change_times(self):
        return [self._native["start"], self._native["stop"]]


class StepCurrentSource(_PiecewiseConstantSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__ + """
    spikeloom: amplitude ``amplitudes[k]`` from the step of ``times[k]`` on.
    """
    translations = build_translations(("amplitudes", "amplitudes"), ("times", "times"))

    def __init__(self, **parameters):
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_targets", [])
        electrodes.StepCurrentSource.__init__(self, **parameters)
        self.set_parameters(**{**{"amplitudes": Sequence([]), "times": Sequence([])},
                               **parameters})

    def amplitude_at(self, t: float) -> float:
        """The amplitude (nA) in the step that starts at ``t`` (ms).

        Parameters
        ----------
        t : float
            Time in ms.

        Returns
        -------
        float
        """
        times = np.asarray(self._native["times"], dtype=float)
        amplitudes = np.asarray(self._native["amplitudes"], dtype=float)
        if len(times) != len(amplitudes):
            raise ValueError(f"StepCurrentSource: times ({len(times)} values) and amplitudes "
                             f"({len(amplitudes)} values) must have the same length")
        before = np.flatnonzero(times - simulator.state.dt / 2 <= t)
        return float(amplitudes[before[-1]]) if len(before) else 0.0

    def _change_times(self):
        return list(np.asarray(self._native["times"], dtype=float))

    def set_native_parameters(self, parameters):
        """Store ``times`` (ms) and ``amplitudes`` (nA), checked and put on the time grid.

        Times are rounded to the nearest step; of several times that fall in one step the
        last amplitude is kept (as PyNN's other backends do).

        Parameters
        ----------
        parameters : ParameterSpace

        Raises
        ------
        ValueError
            If a time is negative, the times decrease, or the lengths differ.
        """
        super().set_native_parameters(parameters)
        times = np.asarray(self._native.get("times", []), dtype=float)
        amplitudes = np.asarray(self._native.get("amplitudes", []), dtype=float)
        if np.any(times < 0) or np.any(np.diff(times) <= 0):
            raise ValueError(f"StepCurrentSource: times={times.tolist()} ms; they must be "
                             ">= 0 and increasing")
        if len(times) != len(amplitudes) and "times" in self._native \
                and "amplitudes" in self._native:
            raise ValueError(f"StepCurrentSource: times ({len(times)} values) and "
                             f"amplitudes ({len(amplitudes)}) must have the same length")
        dt = simulator.state.dt
        grid = np.round(np.rint(times / dt) * dt, 9)
        keep = np.append(grid[1:] != grid[:-1], True) if len(grid) else np.zeros(0, bool)
        self._native["times"] = grid[keep]
        if len(amplitudes) == len(times):
            self._native["amplitudes"] = amplitudes[keep]


def apply_currents(t: float) -> None:
    """Write the sum of all current sources into their targets' ``i_inj`` for time ``t``.

    Parameters
    ----------
    t : float
        The time (ms) at which the next piece of the run starts.
    """
    totals = {}
    for source in simulator.state.current_sources:
        amplitude = source.amplitude_at(t)
        for root, index in source._targets:
            total = totals.setdefault(id(root), (root, np.zeros(root.size)))[1]
            np.add.at(total, index, amplitude)
    for root, total in totals.values():
        root._group.i_inj_ = total * 1e-9
