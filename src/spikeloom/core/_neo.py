"""Monitors and networks as Neo objects, and NWB files written through Neo.

Neo (``neo``, with its unit library ``quantities``) is the field's common in-memory
representation of recorded data; Elephant analyses it, and Neo's ``NWBIO`` writes it as
Neurodata Without Borders files (with ``pynwb``). Both are optional: they are imported
inside the functions here, so ``import spikeloom`` never needs them, and a missing one
raises an ``ImportError`` naming the extra to install (``pip install "spikeloom[neo]"``).

What goes where:

- :class:`SpikeMonitor` (and :class:`EventMonitor`) → one ``neo.SpikeTrain`` per element
  of the monitored group, in seconds, over the window ``[0, t]`` of the run (``t`` the time
  the network reached);
- :class:`StateMonitor` → one ``neo.AnalogSignal`` per recorded variable, of shape
  ``(n_times, n_recorded)``, in a unit of ``quantities`` (mV, nA, nS...);
- :class:`PopulationRateMonitor` → one ``neo.AnalogSignal`` in Hz;
- :class:`Network` → a ``neo.Block`` with one ``neo.Segment`` holding all of them.
"""

from __future__ import annotations

import copy
import datetime
import warnings
from pathlib import Path

import numpy as np

from .. import units
from ..units import get_dim
from ._monitors import (
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    monitored_variable,
    spikes_by_element,
)

#: The ``quantities`` unit each dimension is exported in (electrophysiology's conventions),
#: as (spikeloom unit, name of the quantities unit); a dimension not listed is written in
#: its SI form (``m**-2*kg**-1*s**3*A**2``).
_PREFERRED = [
    (units.mV, "mV"), (units.nA, "nA"), (units.nS, "nS"), (units.pF, "pF"),
    (units.Mohm, "MOhm"), (units.Hz, "Hz"), (units.second, "s"), (units.mM, "mM"),
    (units.um, "um"),
]
_SI_NAMES = ("m", "kg", "s", "A", "K", "mol", "cd")
_EXTRA = 'pip install "spikeloom[neo]"'


def require_neo(what: str, nwb: bool = False):
    """Import and return ``neo`` (and check ``quantities``; with ``nwb``, ``pynwb``).

    Parameters
    ----------
    what : str
        The call that needs them, for the message.
    nwb : bool
        Also require ``pynwb`` (writing NWB files).

    Raises
    ------
    ImportError
        Naming the missing package and the extra that installs it.
    """
    needed = ["neo", "quantities"] + (["pynwb"] if nwb else [])
    for name in needed:
        try:
            __import__(name)
        except ImportError as err:
            raise ImportError(f"{what} needs the package {name!r}, which is not installed: "
                              f"{_EXTRA} (it installs neo, quantities and pynwb)") from err
    import neo

    return neo


def quantities_unit(dim, owner: str, variable: str):
    """The ``quantities`` unit values of dimension ``dim`` are exported in, and the SI value
    of one of that unit.

    Parameters
    ----------
    dim : Dimension
        The variable's dimension.
    owner : str
        The monitor, for messages.
    variable : str
        The variable's name, for messages.

    Returns
    -------
    (quantities unit, float)
        The unit (``pq.mV``, ``pq.dimensionless``...) and its size in SI units (0.001 for
        mV): exported values are the SI values divided by it.

    Raises
    ------
    ValueError
        For a dimension with a non-integer exponent (``volt*second**0.5``, as noise
        amplitudes have): no unit, in SI or in ``quantities``, is named for it, so
        spikeloom does not export it. The message names the variable and its unit.
    """
    import quantities as pq

    if dim.is_dimensionless:
        return pq.dimensionless, 1.0
    for unit, name in _PREFERRED:
        if get_dim(unit) is dim:
            return getattr(pq, name), float(unit.scale)
    if any(not float(e).is_integer() for e in dim.dims):
        raise ValueError(f"{owner}: variable {variable!r} has the unit {dim}, a non-integer "
                         f"power of SI units, which has no named equivalent in quantities; "
                         f"to export it, record a subexpression of it in an integer-power "
                         f"unit (e.g. multiplied by sqrt(ms))")
    unit = pq.dimensionless
    for name, exponent in zip(_SI_NAMES, dim.dims):
        if exponent:
            unit = unit * getattr(pq, name) ** int(exponent)
    return unit, 1.0


def _name(monitor) -> str:
    return f"{type(monitor).__name__} {monitor.name!r}"


def _end_time(monitor) -> float:
    """The time the network that ran ``monitor`` reached (s); raises if it never ran."""
    t_end = getattr(monitor, "_t", None)
    if t_end is None:
        raise ValueError(f"{_name(monitor)} has not been run yet: to_neo() exports what a run "
                         f"recorded; run the network first")
    return float(t_end)


def _seconds(value, owner: str, argument: str) -> float:
    if isinstance(value, units.Quantity) and get_dim(value) is get_dim(units.second):
        return float(np.asarray(value))
    raise TypeError(f"{owner}: {argument} must be a time (e.g. 100*ms), got {value!r}")


def _source_annotations(monitor) -> tuple[dict, int]:
    """Annotations naming the monitored group, and the offset of the monitor's indices in
    it (a subgroup's element 0 is element ``start`` of its group)."""
    source = monitor.source
    parent = getattr(source, "parent", None)
    group = parent if parent is not None and hasattr(source, "start") else source
    notes = {"source": group.name, "monitor": monitor.name, "simulator": "spikeloom"}
    offset = int(getattr(source, "start", 0)) if group is not source else 0
    if group is not source:
        notes["subgroup"] = f"{group.name}[{source.start}:{source.stop}]"
    return notes, offset


def spike_monitor_to_neo(monitor: SpikeMonitor, t_start=None, t_stop=None) -> list:
    """One ``neo.SpikeTrain`` per element of ``monitor``'s source (see
    :meth:`SpikeMonitor.to_neo`)."""
    neo = require_neo(f"{_name(monitor)}.to_neo()")
    import quantities as pq

    owner = f"{_name(monitor)}.to_neo"
    end = _end_time(monitor)
    t0 = 0.0 if t_start is None else _seconds(t_start, owner, "t_start")
    t1 = end if t_stop is None else _seconds(t_stop, owner, "t_stop")
    if t1 < t0:
        raise ValueError(f"{owner}: t_stop ({t1} s) is before t_start ({t0} s)")
    notes, offset = _source_annotations(monitor)
    if monitor.event != "spike":
        notes["event"] = monitor.event
    i, t = monitor._spike_indices(), monitor._spike_times()
    keep = (t >= t0) & (t <= t1)
    i, t = i[keep], t[keep]
    columns = {}
    for name in monitor.record_variables:
        var = monitored_variable(monitor.source, name)
        values = monitor._columns[name][: monitor.num_spikes][keep]
        if var.is_boolean:
            columns[name] = values.astype(bool)
        else:
            unit, scale = quantities_unit(var.dim, _name(monitor), name)
            columns[name] = (values / scale) * unit
    order, bounds = spikes_by_element(i, monitor.source.N)
    t = t[order]
    columns = {name: values[order] for name, values in columns.items()}
    trains = []
    for k in range(monitor.source.N):
        part = slice(bounds[k], bounds[k + 1])
        index = offset + k
        trains.append(neo.SpikeTrain(
            t[part] * pq.s, t_start=t0 * pq.s, t_stop=t1 * pq.s,
            sampling_rate=(1.0 / monitor.clock.dt_) * pq.Hz,
            name=f"{notes['source']}[{index}]",
            array_annotations={name: values[part] for name, values in columns.items()},
            index=index, **notes))
    return trains


def _signal(neo, pq, values, times, dt: float, unit, name: str, notes: dict,
            array_annotations: dict):
    """An AnalogSignal when the recordings are evenly spaced by ``dt``, else an
    IrregularlySampledSignal (a monitor switched off between runs)."""
    if times.size < 2 or np.allclose(np.diff(times), dt, rtol=1e-9, atol=1e-12 * dt):
        return neo.AnalogSignal(values, units=unit, t_start=times[0] * pq.s,
                                sampling_period=dt * pq.s, name=name,
                                array_annotations=array_annotations, **notes)
    return neo.IrregularlySampledSignal(times * pq.s, values, units=unit, time_units=pq.s,
                                        name=name, array_annotations=array_annotations,
                                        **notes)


def state_monitor_to_neo(monitor: StateMonitor) -> list:
    """One ``neo.AnalogSignal`` per variable of ``monitor`` (see :meth:`StateMonitor.to_neo`)."""
    neo = require_neo(f"{_name(monitor)}.to_neo()")
    import quantities as pq

    _end_time(monitor)
    if not monitor.record_variables:
        raise ValueError(f"{_name(monitor)} records no variable: nothing to export")
    if not len(monitor.record):
        raise ValueError(f"{_name(monitor)} records no element (record=False): nothing to "
                         f"export")
    n = int(monitor._fill[0])
    if n == 0:
        raise ValueError(f"{_name(monitor)} has no recording yet (its runs were shorter "
                         f"than one step of its clock)")
    notes, offset = _source_annotations(monitor)
    times = monitor._recorded_times()
    indices = monitor.record + offset
    signals = []
    for name in monitor.record_variables:
        var = monitored_variable(monitor.source, name)
        values = monitor._columns[name][:n]
        if var.is_boolean:
            unit, scale = pq.dimensionless, 1.0
            values = values.astype(np.float64)
        else:
            unit, scale = quantities_unit(var.dim, _name(monitor), name)
            values = values / scale
        signals.append(_signal(neo, pq, values, times, monitor.clock.dt_, unit, name,
                               {**notes, "variable": name},
                               {"index": indices.astype(np.int64)}))
    return signals


def rate_monitor_to_neo(monitor: PopulationRateMonitor):
    """The rate of ``monitor`` as one ``neo.AnalogSignal`` (see
    :meth:`PopulationRateMonitor.to_neo`)."""
    neo = require_neo(f"{_name(monitor)}.to_neo()")
    import quantities as pq

    _end_time(monitor)
    rate = monitor._rates()
    if rate.size == 0:
        raise ValueError(f"{_name(monitor)} has no recording yet (its runs were shorter "
                         f"than one step of its clock)")
    notes, _ = _source_annotations(monitor)
    times = monitor._recorded_times()[: rate.size]
    return _signal(neo, pq, rate[:, None], times, monitor.clock.dt_, pq.Hz, "rate",
                   notes, {})


def network_to_neo(network, name: str | None = None):
    """A ``neo.Block`` with one Segment of every monitor of ``network`` (see
    :meth:`Network.to_neo`)."""
    neo = require_neo(f"Network {network.name!r}.to_neo()")
    block = neo.Block(name=name or network.name, description=f"spikeloom network "
                      f"{network.name!r}", simulator="spikeloom")
    segment = neo.Segment(name=f"{block.name} run")
    block.segments.append(segment)
    for obj in network.objects:
        if isinstance(obj, SpikeMonitor):
            segment.spiketrains.extend(obj.to_neo())
        elif isinstance(obj, StateMonitor | PopulationRateMonitor):
            signals = obj.to_neo()
            for signal in signals if isinstance(signals, list) else [signals]:
                (segment.analogsignals if isinstance(signal, neo.AnalogSignal)
                 else segment.irregularlysampledsignals).append(signal)
    return block


def write_nwb(source, path, session_start_time=None, identifier: str | None = None,
              session_description: str | None = None):
    """Write a network's recordings (or a Neo Block) to an NWB file, through Neo's ``NWBIO``.

    Parameters
    ----------
    source : Network or neo.Block
        A network that has run (its monitors are converted with :meth:`Network.to_neo`),
        or a Block (written as it is; a copy is written, since ``NWBIO`` renames objects).
    path : str or os.PathLike
        The file to write (``.nwb``); an existing file is replaced.
    session_start_time : datetime.datetime, optional
        NWB's ``session_start_time`` (default: now, in UTC; a naive datetime is taken as
        UTC).
    identifier : str, optional
        NWB's ``identifier`` (default: the file name).
    session_description : str, optional
        NWB's ``session_description`` (default: the Block's description).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ImportError
        Without neo or pynwb (``pip install "spikeloom[neo]"``).
    """
    neo = require_neo("write_nwb", nwb=True)
    from neo.io import NWBIO

    if isinstance(source, neo.Block):
        block = copy.deepcopy(source)
    elif hasattr(source, "to_neo") and hasattr(source, "objects"):
        block = source.to_neo()
    else:
        raise TypeError(f"write_nwb: source must be a Network or a neo.Block, got "
                        f"{type(source).__name__}")
    start = session_start_time or datetime.datetime.now(datetime.UTC)
    if not isinstance(start, datetime.datetime):
        raise TypeError(f"write_nwb: session_start_time must be a datetime, got {start!r}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=datetime.UTC)
    path = Path(path)
    block.annotations["session_start_time"] = start
    block.annotations["identifier"] = identifier or path.name
    block.annotations["session_description"] = (session_description or block.description
                                                or "spikeloom simulation")
    with warnings.catch_warnings():  # NWBIO's own call of pynwb.validate, not the caller's
        warnings.filterwarnings("ignore", "validate: Using positional", FutureWarning)
        NWBIO(str(path), mode="w").write_all_blocks([block])
    return path

