"""Input groups: PoissonGroup and SpikeGeneratorGroup, both with ``lastspike``.

Brian2's input groups have no ``lastspike``, so plastic synapses from them cannot use
``lastspike_pre`` (the memristor seed's second question). Here they do: ``lastspike`` is
set to ``t`` whenever an input neuron fires.
"""

from __future__ import annotations

import numpy as np

from .. import ir, units
from ..equations import BOOLEAN
from ..exceptions import UnitError
from ..units import Quantity, dim_string, get_dim, si_value, timestep
from ._base import check_time
from ._codegen import KernelBuilder
from ._group import Group, SpikeSource, check_size
from ._neurongroup import LASTSPIKE_INIT

HZ = get_dim(units.Hz)
SECOND = get_dim(units.second)


class PoissonGroup(SpikeSource, Group):
    """Independent Poisson spike trains.

    Parameters
    ----------
    N : int
        Number of neurons (> 0).
    rates : Quantity (Hz) or str
        One rate, one rate per neuron, or an expression (``'10*Hz + i*Hz'``, may use ``t``
        and TimedArrays). Each step a neuron fires with probability ``rates*dt``.
    dt : Quantity (time), optional
        Time step of the group (default: that of ``clock``).
    clock : Clock, optional
        The clock to run on (instead of ``dt``; default: ``defaultclock``).
    when : str
        Schedule slot of the spike generation (default ``'thresholds'``, Brian2's).
    order : int
        Order within the slot (default 0).
    namespace : dict, optional
        Names for the external constants of a ``rates`` expression (default: those of the
        run).
    name : str, optional
        A unique name (default ``'poissongroup'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored (there is one code
        generator).

    Notes
    -----
    ``lastspike`` (time of the latest spike, -1e4 s before any) is available to synapses as
    ``lastspike_pre``.
    """

    _default_name = "poissongroup"

    def __init__(self, N, rates, dt=None, clock=None, when="thresholds", order=0,
                 namespace=None, name=None, codeobj_class=None) -> None:
        super().__init__(name=name, when=when, order=order, dt=dt, clock=clock)
        self.N = check_size(N, f"PoissonGroup {self.name!r}")
        self.namespace = namespace
        self._eq_namespace = {}
        if isinstance(rates, str):
            self.add_subexpression("rates", HZ, rates, f"PoissonGroup {self.name!r} rates")
        else:
            if get_dim(rates) != HZ:
                raise UnitError(f"PoissonGroup {self.name!r}: rates must be a rate in Hz (e.g. "
                                f"10*Hz) or a string expression, got {rates!r} with unit "
                                f"{dim_string(get_dim(rates))}")
            values = np.asarray(si_value(rates), dtype=np.float64)
            if values.ndim > 1 or (values.ndim == 1 and values.shape[0] != self.N):
                raise ValueError(f"PoissonGroup {self.name!r}: rates has shape {values.shape}, "
                                 f"expected a scalar or ({self.N},)")
            if np.isnan(values).any() or (values < 0).any():
                raise ValueError(f"PoissonGroup {self.name!r}: rates must be >= 0 and not NaN")
            self.add_array("rates", HZ, np.float64, 0.0)
            self.variables["rates"].values[:] = values
        self.add_array("lastspike", SECOND, np.float64, LASTSPIKE_INIT)
        self._frozen = True

    def lower(self, lctx) -> None:
        every, dt_name, ns = self._lower_storage(lctx)
        self._spike_arrays(lctx)
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        cond = builder.expression("rand() < rates*dt", f"{self.owner}: threshold",
                                  expected=BOOLEAN)
        builder.assign_local("_cond", cond)
        n_name = lctx.scalar(f"N_{self.name}", self.N, "int64")
        lctx.add_block(self, ir.Threshold(f"{self.name}_spike_thresholder", every, dt_name,
                                          start=0, stop=n_name, kernel=builder.build(),
                                          spikes=self._spikes_name, count=self._count_name,
                                          after=self._after_spike(lctx, ns)))


class SpikeGeneratorGroup(SpikeSource, Group):
    """Neurons that fire at given times.

    Parameters
    ----------
    N : int
        Number of neurons (> 0).
    indices : array of int
        Index (0..N-1) of the neuron of each spike.
    times : Quantity (time), array
        Time of each spike (>= 0); a neuron may fire at most once per time step.
    period : Quantity (time)
        If > 0, the pattern repeats with this period (every time must be < period).
    dt : Quantity (time), optional
        Time step of the group (default: that of ``clock``); times are rounded to it.
    clock : Clock, optional
        The clock to run on (instead of ``dt``; default: ``defaultclock``).
    when : str
        Schedule slot of the spike generation (default ``'thresholds'``, Brian2's).
    order : int
        Order within the slot (default 0).
    sorted : bool
        Brian2's promise that the spikes are sorted by time: accepted; spikeloom sorts
        them in any case.
    name : str, optional
        A unique name (default ``'spikegeneratorgroup'``, numbered).
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.

    Notes
    -----
    ``lastspike`` is available as for :class:`PoissonGroup`.
    """

    _default_name = "spikegeneratorgroup"

    def __init__(self, N, indices, times, dt=None, clock=None, period=0 * units.second,
                 when="thresholds", order=0, sorted=False, name=None,
                 codeobj_class=None) -> None:
        super().__init__(name=name, when=when, order=order, dt=dt, clock=clock)
        self.N = check_size(N, f"SpikeGeneratorGroup {self.name!r}")
        self.namespace = None
        self._eq_namespace = {}
        self.add_array("lastspike", SECOND, np.float64, LASTSPIKE_INIT)
        self.pointer = np.zeros(1, np.int64)
        self.set_spikes(indices, times, period)
        self._frozen = True

    def set_spikes(self, indices, times, period=0 * units.second, sorted=False) -> None:
        """Replace the spikes (same arguments as the constructor)."""
        owner = f"SpikeGeneratorGroup {self.name!r}"
        idx = np.asarray(indices)
        if idx.ndim == 0:
            idx = idx.reshape(1)
        if idx.size and not np.issubdtype(idx.dtype, np.integer):
            if not np.all(idx == np.round(idx)):
                raise ValueError(f"{owner}: indices must be integers, got {indices!r}")
            idx = idx.astype(np.int64)
        if isinstance(times, list | tuple) and times and all(
                isinstance(x, Quantity) and get_dim(x) == SECOND for x in times):
            times = np.array([float(si_value(x)) for x in times]) * units.second
        if not isinstance(times, Quantity) or get_dim(times) != SECOND:
            raise UnitError(f"{owner}: times must be a time array (e.g. [1, 2]*ms), got "
                            f"{times!r}")
        t = np.atleast_1d(np.asarray(si_value(times), dtype=np.float64))
        if t.shape != idx.shape:
            raise ValueError(f"{owner}: {idx.size} indices but {t.size} times; give one time "
                             "per index")
        bad = idx[(idx < 0) | (idx >= self.N)]
        if bad.size:
            raise IndexError(f"{owner}: index {bad[0]} out of range (allowed 0..{self.N - 1})")
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError(f"{owner}: times must be >= 0 and not NaN")
        self.period_ = check_time(period, owner, "period")
        if self.period_ > 0 and t.size and t.max() >= self.period_:
            raise ValueError(f"{owner}: all times must be < period ({period!r}); got a spike "
                             f"at {t.max()} s")
        self.spike_indices = idx.astype(np.int32)
        self.spike_times_ = t
        self.period_steps = 0

    def before_run(self, network) -> None:
        dt = self.clock.dt_
        # the same spikes keep their arrays: a run chunked by network operations then
        # reuses its lowering (see Network._reused_lowering)
        key = (id(self.spike_times_), id(self.spike_indices), dt, self.period_)
        if self.__dict__.get("_events_key") != key:
            self._sort_events(dt)
            self.__dict__["_events_key"] = key
        current = int(round(network.t_ / dt))
        local = current % self.period_steps if self.period_steps else current
        self.pointer[0] = np.searchsorted(self._event_steps, local, side="left")

    def _sort_events(self, dt: float) -> None:
        """The spikes as (step, index) arrays in Brian2's emission order; checks them."""
        steps = timestep(self.spike_times_ * units.second, dt * units.second)
        # Brian2 emits spikes of one step in order of their raw time, then of index
        order = np.lexsort((self.spike_indices, self.spike_times_, steps))
        steps, idx = steps[order].astype(np.int64), self.spike_indices[order]
        dup = (np.diff(steps) == 0) & (np.diff(idx) == 0)
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: neuron {idx[k]} has two spikes "
                             f"in time step {steps[k]} (dt={dt} s); use a smaller dt or remove "
                             "one")
        self._event_steps = np.ascontiguousarray(steps)
        self._event_indices = np.ascontiguousarray(idx)
        self.period_steps = int(round(self.period_ / dt)) if self.period_ > 0 else 0
        if self.period_ > 0 and abs(self.period_steps * dt - self.period_) > 1e-9 * dt:
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: period {self.period_} s is "
                             f"not a whole number of steps of dt={dt} s")

    def lower(self, lctx) -> None:
        every, dt_name, ns = self._lower_storage(lctx)
        self._spike_arrays(lctx)
        steps = lctx.array(f"_events_step_{self.name}", self._event_steps)
        idx = lctx.array(f"_events_index_{self.name}", self._event_indices)
        ptr = lctx.array(f"_events_ptr_{self.name}", self.pointer)
        lctx.add_block(self, ir.GeneratorEmit(f"{self.name}_spike_generator", every, dt_name,
                                              event_steps=steps, event_indices=idx,
                                              pointer=ptr, period=self.period_steps,
                                              spikes=self._spikes_name, count=self._count_name,
                                              after=self._after_spike(lctx, ns)))
