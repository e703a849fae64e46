"""Recording for the PyNN backend: spikeloom monitors read through their ``to_neo``.

Monitors are created at the first ``run()`` after ``record()``. A state variable is
sampled at the start of each sampling step (times 0, dt_s, 2 dt_s, ...), and the value
at the current time is appended when the data are read, so that a run of ``T`` ms gives
``T/dt_s + 1`` samples, as PyNN's other backends do. Signals come from
``StateMonitor.to_neo()``, rescaled to PyNN's units (mV, nA, uS); spike times are read from
the ``SpikeMonitor``'s arrays in ms (PyNN builds its own SpikeTrains from them).
"""

from __future__ import annotations

import numpy as np
import quantities as pq
from pyNN import recording

from ..core import SpikeMonitor, StateMonitor
from ..units import ms
from . import simulator
from .simulator import get_si

_PQ_UNITS = {"mV": pq.mV, "nA": pq.nA, "uS": pq.uS, "nS": pq.nS, "mV/ms": pq.mV / pq.ms,
             "": pq.dimensionless, "dimensionless": pq.dimensionless}


class Recorder(recording.Recorder):
    """Records spikes and state variables of one population (PyNN's ``Recorder``)."""

    _simulator = simulator

    def __init__(self, population, file=None):
        recording.Recorder.__init__(self, population, file)
        self._devices = {}
        self._cleared_at = 0.0

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval is not None:
            dt = self._simulator.state.dt
            ratio = sampling_interval / dt
            if sampling_interval <= 0 or abs(ratio - round(ratio)) > 1e-9:
                raise ValueError(f"record: sampling_interval={sampling_interval!r} ms; it must "
                                 f"be a positive multiple of the time step ({dt} ms)")
            self.sampling_interval = float(sampling_interval)
        device = self._devices.get(variable.name)
        if device is not None and variable.name != "spikes" and new_ids:
            raise NotImplementedError(
                f"record({variable.name!r}): adding cells to a recording after the first run "
                "is not supported by pyNN.spikeloom; call record() for all cells before "
                "running (or reset() and record again in a new setup())")

    def _finalize(self):
        group = self.population._group
        for variable, ids in self.recorded.items():
            if variable.name in self._devices or not ids:
                continue
            if variable.name == "spikes":
                device = SpikeMonitor(group)
            else:
                index = np.sort(self.population.id_to_index(np.fromiter(ids, dtype=int)))
                device = StateMonitor(group, variable.name, record=index,
                                      dt=self.sampling_interval * ms, when="start")
            self._devices[variable.name] = device
            self._simulator.state.add(device)

    def _reset(self):
        for device in self._devices.values():
            self._simulator.state.network.remove(device)
        self._devices = {}

    def _clear_simulator(self):
        self._cleared_at = self._simulator.state.t

    def _spikes(self):
        """(element index, time in ms) of the spikes since the last clear, NumPy arrays.

        Read from the monitor's arrays directly: one neo.SpikeTrain per cell (and its
        ``rescale``) costs about 10 ms, 40 s for PyNN's 4000-cell VA benchmark."""
        device = self._devices.get("spikes")
        if device is None or self._simulator.state.t == 0:
            return np.zeros(0, dtype=int), np.zeros(0)
        index = np.asarray(device.i[:], dtype=int)
        # on the time grid: rounded to 1e-9 ms (k*dt in seconds, converted, is not exact)
        times = np.round(np.asarray(device.t[:] / ms, dtype=float), 9)
        kept = times >= self._cleared_at - 1e-9
        return index[kept], times[kept]

    def _get_spiketimes(self, ids, clear=False):
        index, times = self._spikes()
        order = np.argsort(index, kind="stable")
        index, times = index[order], times[order]
        first = int(self.population.first_id)
        wanted = np.asarray([int(i) for i in ids], dtype=int)
        bounds = np.searchsorted(index, np.stack([wanted - first, wanted - first + 1]))
        return {int(i): times[lo:hi] for i, lo, hi in zip(wanted, *bounds)}

    def _get_all_signals(self, variable, ids, clear=False):
        device = self._devices.get(variable.name)
        unit = _PQ_UNITS[self.population.find_units(variable)]
        if device is None or self._simulator.state.t == 0:
            values = np.zeros((0, len(ids)))
        else:
            (signal,) = device.to_neo()
            values = signal.rescale(unit).magnitude
            recorded = list(np.asarray(signal.array_annotations["index"]))
            columns = [recorded.index(k) for k in self.population.id_to_index(
                np.asarray(ids, dtype=int))]
            values = values[:, columns]
        current = self._current_values(variable.name, ids)
        values = np.vstack([values, current])
        skip = int(round(self._cleared_at / self.sampling_interval))
        return values[skip:], None

    def _current_values(self, name, ids):
        """The value at the current time (PyNN's units), if it falls on a sample time."""
        t, every = self._simulator.state.t, self.sampling_interval
        if abs(t / every - round(t / every)) > 1e-9:
            return np.zeros((0, len(ids)))
        index = self.population.id_to_index(np.asarray(ids, dtype=int))
        scale = self.population.celltype.state_scale[name]
        return (get_si(self.population._group, name)[index] / scale)[None, :]

    def _local_count(self, variable, filter_ids=None):
        ids = self.filter_recorded(variable, filter_ids)
        index, _ = self._spikes()
        counts = np.bincount(index, minlength=self.population._group.N)
        first = int(self.population.first_id)
        return {int(i): int(counts[int(i) - first]) for i in ids}
