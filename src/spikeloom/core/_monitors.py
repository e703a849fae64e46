"""Monitors, recording inside the compiled loop into buffers that grow (never drop data)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import ir, units
from ..equations import BOOLEAN
from ..exceptions import EquationError
from ..units import as_quantity, get_dim
from ._base import SimObject
from ._codegen import KernelBuilder
from ._group import as_indices, has_compartments
from ._variables import RecordedView

SECOND = get_dim(units.second)


def _spike_parent(source):
    if not hasattr(source, "spike_source"):
        raise TypeError(f"{source!r} does not emit spikes (it needs a threshold)")
    return source.spike_source



def monitored_variable(source, name: str):
    """The Variable a monitor of ``source`` records as ``name``, or None.

    A synapse monitor may record its target's and source's variables as Brian2 resolves them
    in synaptic code: ``v_post``, ``v_pre``, and a bare target name (``g`` for ``g_post``).
    """
    if name in source.variables:
        return source.variables[name]
    target, origin = getattr(source, "target", None), getattr(source, "source", None)
    if target is None or origin is None:
        return None
    if name.endswith("_post") and name[:-5] in target.variables:
        return target.variables[name[:-5]]
    if name.endswith("_pre") and name[:-4] in origin.variables:
        return origin.variables[name[:-4]]
    return target.variables.get(name)

class _Recorder(SimObject):
    invalidates_magic_network = False
    #: what get_states() reports by default
    _state_names: tuple[str, ...] = ("t",)

    def get_states(self, vars=None, units: bool = True, format: str = "dict",
                   subexpressions: bool = False, read_only_variables: bool = True,
                   level: int = 0):
        """The recorded arrays as ``{name: values}`` (Brian2's ``get_states``): the recorded
        variables, ``t`` and ``N`` (the number of recordings); none of them with
        ``read_only_variables=False``, since Brian2 counts them all as read-only."""
        from ._states import get_monitor_states

        names = self._all_state_names() if read_only_variables else []
        if vars is not None:
            names = [vars] if isinstance(vars, str) else list(vars)
        return get_monitor_states(self, names, units, format)

    def set_states(self, values, units: bool = True, format: str = "dict",
                   level: int = 0) -> None:
        """Refused, as in Brian2: every recorded value is read-only (``TypeError``; a name
        the monitor does not have: ``KeyError``)."""
        from ._states import set_monitor_states

        set_monitor_states(self, values, self._all_state_names(), format)

    def _all_state_names(self) -> list[str]:
        return list(self._state_names) + list(getattr(self, "record_variables", [])) + ["N"]

    def _recorded_times(self) -> np.ndarray:
        """Times of the recordings so far (StateMonitor, PopulationRateMonitor), seconds."""
        return self._times[: int(self._fill[0])].copy()

    def _grow(self, name: str, rows: int) -> None:
        arr = getattr(self, name)
        if arr.shape[0] < rows:
            grown = np.zeros((rows,) + arr.shape[1:], arr.dtype)
            grown[: arr.shape[0]] = arr
            setattr(self, name, grown)

    @staticmethod
    def _grown_bytes(arrays, rows: int) -> int:
        """Bytes that growing ``arrays`` to ``rows`` rows allocates (B): each array that is
        shorter is replaced by a whole new one."""
        return sum(rows * arr.dtype.itemsize * int(np.prod(arr.shape[1:]))
                   for arr in arrays if arr.shape[0] < rows)

    def _register(self, lctx, attr: str) -> str:
        return lctx.array(f"_{attr}_{self.name}", getattr(self, attr), growable=True,
                          setter=lambda arr, a=attr: setattr(self, a, arr))

    def _resolve_variables(self, source, variables) -> list[str]:
        if variables is True:
            variables = [n for n, v in source.variables.items()
                         if not n.startswith("_") and n not in ("lastspike", "not_refractory")
                         and (v.values is not None or v.is_subexpression)]
        elif variables is None or variables is False:
            variables = []
        elif isinstance(variables, str):
            variables = [variables]
        for name in variables:
            if monitored_variable(source, name) is None:
                known = sorted(n for n in source.variables if not n.startswith("_"))
                raise KeyError(f"{type(self).__name__} {self.name!r}: {name!r} is not a variable "
                               f"of {source.owner}; its variables are {', '.join(known)}")
        return list(variables)

    def _column_kernel(self, source, names, lctx, index="_idx"):
        builder = KernelBuilder(source.scope(lctx.run_namespace), lctx, lctx.tag())
        for k, name in enumerate(names):
            var = monitored_variable(source, name)
            expected = BOOLEAN if var.is_boolean else var.dim
            builder.assign_local(f"_rec_{k}", builder.expression(
                name, f"{type(self).__name__} {self.name!r}", expected=expected))
        return builder.build()


def spikes_by_element(indices: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Spikes grouped by element: ``order`` sorts them by element index, keeping their time
    order, and element k's spikes are ``order[bounds[k]:bounds[k + 1]]``.

    Parameters
    ----------
    indices : ndarray of int
        The element index of each spike, in recording order.
    n : int
        The number of elements.

    Returns
    -------
    order : ndarray of int
    bounds : ndarray of int, shape (n + 1,)
    """
    order = np.argsort(indices, kind="stable")
    return order, np.searchsorted(indices[order], np.arange(n + 1))


class SpikeMonitor(_Recorder):
    """Records the index and time of every spike of a group (and optional variables).

    Parameters
    ----------
    source : group
        A group that spikes (or a subgroup of one).
    variables : str or list of str, optional
        Variables recorded at each spike.
    record : bool
        Brian2's switch to keep counts only (False). Accepted; spikeloom derives the counts
        from the recorded spikes, so the spikes are recorded either way (``i`` and ``t``
        stay available; memory use is that of ``record=True``).
    when, order : str and int, optional
        Schedule slot and order (default: right after the source's threshold).
    name : str, optional
        A unique name (default ``'spikemonitor'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.
    event : str
        The event recorded (default ``'spike'``; a custom event of the source's
        ``events``, as :class:`EventMonitor` records it: a spikeloom extension).

    Attributes
    ----------
    i, t : arrays of spike indices and times (Quantity, second)
    count : spikes per neuron
    num_spikes : total number of spikes
    """

    _default_name = "spikemonitor"
    _state_names = ("t", "i", "count")

    def __init__(self, source, variables=None, record=True, when=None, order=None, name=None,
                 codeobj_class=None, event: str = "spike") -> None:
        parent = _spike_parent(source)
        if not parent._has_event(event):
            raise ValueError(f"{type(self).__name__}: {parent.owner} has no event {event!r} "
                             f"(its custom events: {list(getattr(parent, 'events', {}))})")
        slot, slot_order = getattr(parent, "_event_schedule", {}).get(
            event, ("thresholds", parent.order))
        super().__init__(name=name, when=when or slot,
                         order=(slot_order + 1) if order is None else order,
                         clock=source.clock)
        self.event = event
        self.source = source
        self.record = record
        self.record_variables = self._resolve_variables(parent, variables)
        self._i = np.zeros(0, np.int32)
        self._steps = np.zeros(0, np.int64)
        self._columns = {n: np.zeros(0, monitored_variable(parent, n).dtype)
                         for n in self.record_variables}
        self._fill = np.zeros(1, np.int64)

    def lower(self, lctx) -> None:
        parent = self.source.spike_source
        every = lctx.every(self.clock, self.name)
        dt_name = lctx.scalar(f"dt_{self.name}", self.clock.dt_)
        events, n_events = parent._event_arrays(lctx, self.event)
        cols = []
        for k, name in enumerate(self.record_variables):
            arr = lctx.array(f"_col{k}_{self.name}", self._columns[name], growable=True,
                             setter=lambda a, n=name: self._columns.__setitem__(n, a))
            cols.append((f"_rec_{k}", arr))
        kernel = self._column_kernel(parent, self.record_variables, lctx)
        start = self.source.start
        lctx.add_block(self, ir.RecordSpikes(
            self.name, every, dt_name, spikes=events, count=n_events,
            start=start, stop=start + self.source.N, out_index=self._register(lctx, "_i"),
            out_step=self._register(lctx, "_steps"), columns=tuple(cols),
            fill=lctx.array(f"_fill_{self.name}", self._fill), kernel=kernel))

    @property
    def num_spikes(self) -> int:
        return int(self._fill[0])

    # Brian2 hands out views (np.max(M.t) is then a plain float there, too).
    def _spike_indices(self) -> np.ndarray:
        return self._i[: self.num_spikes].copy()

    def _spike_times(self) -> np.ndarray:
        return self._steps[: self.num_spikes] * self.clock.dt_

    def _counts(self) -> np.ndarray:
        return np.bincount(self._spike_indices(), minlength=self.source.N)

    @property
    def i(self) -> RecordedView:
        return RecordedView(self.name, "i", self._spike_indices)

    @property
    def t_(self) -> RecordedView:
        return RecordedView(self.name, "t_", self._spike_times)

    @property
    def t(self) -> RecordedView:
        return RecordedView(self.name, "t", self._spike_times, SECOND)

    @property
    def it(self) -> tuple[RecordedView, RecordedView]:
        return self.i, self.t

    @property
    def it_(self) -> tuple[RecordedView, RecordedView]:
        return self.i, self.t_

    @property
    def count(self) -> RecordedView:
        return RecordedView(self.name, "count", self._counts)

    def values(self, var: str) -> dict:
        """Recorded values of ``var`` at each neuron's spikes: {index: Quantity array}."""
        data = self.__getattr__(var)[:]
        i = self._spike_indices()
        return {k: data[i == k] for k in range(self.source.N)}

    def all_values(self) -> dict:
        return {"t": self.spike_trains(), **{v: self.values(v) for v in self.record_variables}}

    def spike_trains(self) -> dict:
        """Spike times of each neuron: {index: Quantity array of times}."""
        order, bounds = spikes_by_element(self._spike_indices(), self.source.N)
        t = self._spike_times()[order]
        return {k: t[bounds[k]:bounds[k + 1]] * units.second for k in range(self.source.N)}

    def to_neo(self, t_start=None, t_stop=None) -> list:
        """The recorded spikes as Neo spike trains, one per element of the source.

        Needs the optional package ``neo`` (``pip install "spikeloom[neo]"``).

        Parameters
        ----------
        t_start, t_stop : Quantity (time), optional
            The window of the trains (default: 0 s to the time the network reached);
            spikes outside it are left out.

        Returns
        -------
        list of neo.SpikeTrain
            Element ``k`` holds the spikes of the source's element ``k``, in seconds, with
            ``sampling_rate`` 1/dt; annotations ``source`` (the group's name), ``index``
            (the element's index in that group), ``monitor`` (and ``event`` for another
            event than ``'spike'``); the variables recorded at each spike are
            ``array_annotations`` in a unit of ``quantities``.

        Raises
        ------
        ValueError
            If the monitor has not been run yet, or ``t_stop`` is before ``t_start``.
        ImportError
            Without neo.
        """
        from ._neo import spike_monitor_to_neo

        return spike_monitor_to_neo(self, t_start, t_stop)

    def __getattr__(self, name):
        columns = self.__dict__.get("_columns", {})
        if name in columns:
            var = monitored_variable(self.source, name)
            return RecordedView(self.__dict__["name"], name,
                                lambda: columns[name][: self.num_spikes].copy(), var.dim)
        raise AttributeError(f"SpikeMonitor has no attribute {name!r}")


class EventMonitor(SpikeMonitor):
    """Records the index and time of every ``event`` of a group (Brian2's ``EventMonitor``).

    Parameters
    ----------
    source : group
        A group with that event (or a subgroup of one).
    event : str
        ``'spike'`` or a custom event of the group's ``events``.
    variables : str or list of str, optional
        Variables recorded at each event.
    record : bool
        Record each event (True); with False only counts are kept.
    when, order : str and int, optional
        Schedule slot and order (default: right after the event's detection).
    name : str, optional
        A unique name (default ``'eventmonitor'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.

    Attributes
    ----------
    i, t, count, num_events : as :class:`SpikeMonitor`'s ``i``, ``t``, ``count``,
        ``num_spikes``.
    """

    _default_name = "eventmonitor"

    def __init__(self, source, event, variables=None, record=True, when=None, order=None,
                 name=None, codeobj_class=None) -> None:
        super().__init__(source, variables=variables, record=record, when=when, order=order,
                         name=name, event=event)

    @property
    def num_events(self) -> int:
        return self.num_spikes


class StateMonitor(_Recorder):
    """Records variables of a group at every step of its clock (at the start of the step).

    Parameters
    ----------
    source : group
        Neurons or synapses.
    variables : str, list of str or True
        What to record (True: every variable).
    record : bool, int or array of int
        Which elements (True: all, False: none).
    dt : Quantity (time), optional
        Recording interval (a whole multiple of the simulation dt).
    clock : Clock, optional
        The clock of the recordings (instead of ``dt``; default: the source's).
    when : str
        Schedule slot of the recording (default ``'start'``: the state before the step's
        updates, as Brian2).
    order : int
        Order within the slot (default 0).
    name : str, optional
        A unique name (default ``'statemonitor'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.

    Attributes
    ----------
    t : Quantity, times of the recordings
    <var> : Quantity of shape (n_recorded, n_times)
    """

    _default_name = "statemonitor"

    def __init__(self, source, variables, record, dt=None, clock=None, when="start", order=0,
                 name=None, codeobj_class=None) -> None:
        super().__init__(name=name, when=when, order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        self.source = source
        self.record_variables = self._resolve_variables(source, variables)
        if record is True:
            indices = np.arange(len(source))
        elif record is False or record is None:
            indices = np.zeros(0, np.int64)
        else:
            indices = np.atleast_1d(np.asarray(self._relative(record)))
            if indices.size and not np.issubdtype(indices.dtype, np.integer):
                raise TypeError(f"StateMonitor {self.name!r}: record must be True, False or "
                                f"integer indices, got {record!r}")
            bad = indices[(indices < 0) | (indices >= len(source))]
            if bad.size:
                raise IndexError(f"StateMonitor {self.name!r}: record index {bad[0]} out of "
                                 f"range for {source.owner} (allowed 0..{len(source) - 1})")
        self.record = indices.astype(np.int64)
        self._record_abs = np.ascontiguousarray(self.record + getattr(source, "start", 0)
                                                if not hasattr(source, "connect") else
                                                self.record)
        self._times = np.zeros(0, np.float64)
        self._columns = {n: np.zeros((0, len(self.record)), monitored_variable(source, n).dtype)
                         for n in self.record_variables}
        self._fill = np.zeros(1, np.int64)

    def _rows_needed(self, network) -> int:
        """Rows the buffers need for the coming run: one per recording step, plus slack."""
        return int(self._fill[0]) + network._pending_steps // max(
            1, int(round(self.clock.dt_ / network._base_dt))) + 2

    def before_run_bytes(self, network) -> int:
        """Bytes :meth:`before_run` allocates for the coming run (B): the times and every
        recorded variable's column, grown to one row per recording step."""
        return self._grown_bytes([self._times, *self._columns.values()],
                                 self._rows_needed(network))

    def before_run(self, network) -> None:
        rows = self._rows_needed(network)
        self._grow("_times", rows)
        for name in self.record_variables:
            arr = self._columns[name]
            if arr.shape[0] < rows:
                grown = np.zeros((rows, arr.shape[1]), arr.dtype)
                grown[: arr.shape[0]] = arr
                self._columns[name] = grown

    def lower(self, lctx) -> None:
        every = lctx.every(self.clock, self.name)
        dt_name = lctx.scalar(f"dt_{self.name}", self.clock.dt_)
        cols = []
        for k, name in enumerate(self.record_variables):
            arr = lctx.array(f"_col{k}_{self.name}", self._columns[name], growable=True,
                             setter=lambda a, n=name: self._columns.__setitem__(n, a))
            cols.append((f"_rec_{k}", arr))
        source = self.source
        kernel = self._column_kernel(getattr(source, "parent", source), self.record_variables,
                                     lctx)
        lctx.add_block(self, ir.RecordState(
            self.name, every, dt_name,
            record_indices=lctx.array(f"_indices_{self.name}", self._record_abs),
            columns=tuple(cols), times=self._register(lctx, "_times"),
            fill=lctx.array(f"_fill_{self.name}", self._fill), kernel=kernel))

    @property
    def t_(self) -> RecordedView:
        return RecordedView(self.name, "t_", self._recorded_times)

    @property
    def t(self) -> RecordedView:
        return RecordedView(self.name, "t", self._recorded_times, SECOND)

    def __getattr__(self, name):
        columns = self.__dict__.get("_columns", {})
        n = int(self.__dict__["_fill"][0]) if "_fill" in self.__dict__ else 0
        if name in columns:
            var = monitored_variable(self.source, name)
            data = columns[name][:n].T.copy()
            return data if var.is_boolean else as_quantity(data, var.dim)
        if name.endswith("_") and name[:-1] in columns:
            return columns[name[:-1]][:n].T.copy()
        raise AttributeError(f"StateMonitor {self.__dict__.get('name', '')!r} has no attribute "
                             f"or recorded variable {name!r}")

    def to_neo(self) -> list:
        """The recordings as Neo signals, one per recorded variable.

        Needs the optional package ``neo`` (``pip install "spikeloom[neo]"``).

        Returns
        -------
        list of neo.AnalogSignal
            In the order of the recorded variables; each named after its variable, of shape
            (n_times, n_recorded), in a unit of ``quantities`` (mV for volts, nA, nS, pF,
            Hz, dimensionless...; booleans as 0/1), ``t_start`` the first recording,
            ``sampling_period`` the monitor's dt; ``array_annotations['index']`` the
            recorded elements' indices in the group, annotations ``source``, ``monitor``,
            ``variable``. Recordings that are not evenly spaced (a monitor switched off
            between runs) give a ``neo.IrregularlySampledSignal`` instead.

        Raises
        ------
        ValueError
            If the monitor has not been run or recorded nothing (no variable, no element,
            no step), or a variable's unit has no ``quantities`` equivalent (a non-integer
            power, as ``volt*second**0.5``).
        ImportError
            Without neo.
        """
        from ._neo import state_monitor_to_neo

        return state_monitor_to_neo(self)

    def _relative(self, item):
        """``item``, a morphology item's compartments (absolute indices, as in Brian2) made
        relative to the recorded group (a subtree of a SpatialNeuron starts at its first)."""
        if not has_compartments(item):
            return item
        return as_indices(item) - getattr(self.source, "start", 0)

    def __getitem__(self, item):
        if has_compartments(item):  # one compartment of a SpatialNeuron: morpho.dend[5*um]
            indices = self._relative(item)
            item = int(indices[0]) if indices.size == 1 else item
        if not isinstance(item, numbers.Integral):
            raise TypeError(f"StateMonitor {self.name!r}: index with one element index, got "
                            f"{item!r}")
        where = np.flatnonzero(self.record == item)
        if not where.size:
            raise IndexError(f"StateMonitor {self.name!r}: element {item} was not recorded "
                             f"(recorded: {self.record.tolist()[:10]}...)")
        return _StateMonitorView(self, int(where[0]))


class _StateMonitorView:
    def __init__(self, monitor: StateMonitor, column: int) -> None:
        self._monitor = monitor
        self._column = column

    def __getattr__(self, name):
        if name == "t":
            return self._monitor.t[:]
        return getattr(self._monitor, name)[self._column]


class PopulationRateMonitor(_Recorder):
    """The instantaneous firing rate of a group, spikes per neuron per step / dt.

    Parameters
    ----------
    source : group
        A spiking group (or subgroup).
    name : str, optional
        A unique name (default ``'ratemonitor'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.
    dtype : None
        Brian2's dtype of the recorded rate: accepted and ignored (float64).

    Attributes
    ----------
    t : Quantity, time of each step
    rate : Quantity (Hz)
    """

    _default_name = "ratemonitor"
    _state_names = ("t", "rate")

    def __init__(self, source, name=None, codeobj_class=None, dtype=None) -> None:
        parent = _spike_parent(source)
        super().__init__(name=name, when="end", order=0, clock=source.clock)
        del parent
        self.source = source
        self._rate = np.zeros(0, np.float64)
        self._times = np.zeros(0, np.float64)
        self._fill = np.zeros(1, np.int64)

    def _steps_coming(self, network) -> tuple[int, int]:
        """(first recording step, number of recording steps) of the coming run."""
        every = max(1, int(round(self.clock.dt_ / network._base_dt)))
        first = (network._step + every - 1) // every
        return first, (network._step + network._pending_steps + every - 1) // every - first

    def before_run_bytes(self, network) -> int:
        """Bytes :meth:`before_run` allocates for the coming run (B): rates and times, one
        per recording step (an upper bound: times already there are kept)."""
        rows = int(self._fill[0]) + self._steps_coming(network)[1] + 1
        return self._grown_bytes([self._rate, self._times], rows)

    def before_run(self, network) -> None:
        first, n = self._steps_coming(network)
        fill = int(self._fill[0])
        self._grow("_rate", fill + n + 1)
        times = self._times
        if times.size >= fill + n and (n == 0 or times[fill] == first * self.clock.dt_):
            return  # the times of these steps are there already (a chunked run)
        self._times = np.concatenate([times[:fill], np.arange(first, first + n) * self.clock.dt_])

    def lower(self, lctx) -> None:
        parent = self.source.spike_source
        every = lctx.every(self.clock, self.name)
        dt_name = lctx.scalar(f"dt_{self.name}", self.clock.dt_)
        parent._spike_arrays(lctx)
        start = self.source.start
        lctx.add_block(self, ir.RecordRate(
            self.name, every, dt_name, spikes=parent._spikes_name, count=parent._count_name,
            start=start, stop=start + self.source.N, out_rate=self._register(lctx, "_rate"),
            fill=lctx.array(f"_fill_{self.name}", self._fill)))

    def _rates(self) -> np.ndarray:
        return self._rate[: int(self._fill[0])].copy()

    @property
    def rate(self) -> RecordedView:
        return RecordedView(self.name, "rate", self._rates, get_dim(units.Hz))

    @property
    def t(self) -> RecordedView:
        return RecordedView(self.name, "t", self._recorded_times, SECOND)

    def to_neo(self):
        """The rate as a Neo signal (needs ``neo``: ``pip install "spikeloom[neo]"``).

        Returns
        -------
        neo.AnalogSignal
            Named ``'rate'``, of shape (n_times, 1), in Hz, ``sampling_period`` the
            monitor's dt; annotations ``source`` and ``monitor``.

        Raises
        ------
        ValueError
            If the monitor has not been run yet.
        ImportError
            Without neo.
        """
        from ._neo import rate_monitor_to_neo

        return rate_monitor_to_neo(self)

    def smooth_rate(self, window: str = "gaussian", width=None):
        """The rate convolved with a window: 'gaussian' (std ``width``) or 'flat' (``width``).

        Parameters
        ----------
        window : str or array
            'gaussian', 'flat', or explicit weights (an odd-length array).
        width : Quantity (time)
            Standard deviation (gaussian) or total width (flat).
        """
        dt = self.clock.dt_
        if isinstance(window, str):
            if width is None or get_dim(width) != SECOND:
                raise ValueError(f"smooth_rate: width must be a time, got {width!r}")
            w = float(width / units.second)
            if window == "gaussian":
                half = int(np.round(2 * w / dt))
                kernel = np.exp(-np.arange(-half, half + 1) ** 2 / (2 * (w / dt) ** 2))
            elif window == "flat":
                kernel = np.ones(int(np.round(w / (2 * dt))) * 2 + 1)
            else:
                raise ValueError(f"smooth_rate: window must be 'gaussian', 'flat' or an array, "
                                 f"got {window!r}")
        else:
            kernel = np.asarray(window, dtype=float)
            if kernel.ndim != 1 or kernel.size % 2 == 0:
                raise ValueError("smooth_rate: an explicit window must be a 1-D array of odd "
                                 "length")
        rate = self._rate[: int(self._fill[0])]
        return np.convolve(rate, kernel / kernel.sum(), mode="same") * units.Hz


__all__ = ["EquationError", "PopulationRateMonitor", "SpikeMonitor", "StateMonitor"]
