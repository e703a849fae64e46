"""``run_steps``: BrainPy's ``for_loop`` habit (arrays with a leading time axis) over one run.

``outs = bm.for_loop(net.step_run, indices)`` calls Python once per step. spikeloom compiles
the whole run into one loop, so ``run_steps`` instead adds a monitor per requested quantity,
runs ``n_steps`` steps in one compiled run (progress bar included) and returns the
recordings as arrays of shape ``(n_steps, n_elements)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import units
from ..core import Network, SpikeMonitor, StateMonitor
from .neurons._base import NeuronSlice
from .projections.projection import Projection


def run_steps(network, n_steps: int, record: dict, *, progress_bar: bool = False,
              when: str = "end") -> dict:
    """Run ``n_steps`` steps in one compiled run; return the recorded values per step.

    Parameters
    ----------
    network : Network or sequence of objects
        What to simulate (a list is wrapped in a new :class:`~spikeloom.Network`).
    n_steps : int
        Number of time steps (of the network's smallest ``dt``).
    record : dict
        ``{key: (obj, var)}`` or ``{key: (obj, var, indices)}``. ``obj`` is a group, a
        Synapses, a library neuron (or a slice of one) or a :class:`Projection` (then ``var``
        is one of its quantities: ``'g'``, ``'G'``, ``'I'``...; see
        :meth:`Projection.variable`). ``var='spike'`` records spikes as booleans.
    progress_bar : bool
        Show a progress bar from the start of the run (the loop stays compiled: a thread
        reads its step counter).
    when : str
        When in the step to record (default ``'end'``: after the step's updates, spikes
        and resets, as BrainPy's ``for_loop`` returns them; ``'start'`` is Brian2's default).

    Returns
    -------
    dict
        ``'t'`` (Quantity, shape ``(n_steps,)``: the start time of each step, BrainPy's
        ``indices*dt``) and one array per key, shape ``(n_steps, n_recorded)``: a Quantity
        for dimensioned variables, a float or bool array otherwise.

    Examples
    --------
    >>> from spikeloom import NeuronGroup, ms
    >>> from spikeloom.models import run_steps
    >>> G = NeuronGroup(2, 'dv/dt = -v/(10*ms) : 1')
    >>> G.v = 1
    >>> out = run_steps([G], 5, {'v': (G, 'v')})
    >>> out['v'].shape
    (5, 2)
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps <= 0:
        raise ValueError(f"run_steps: n_steps must be a positive integer, got {n_steps!r}")
    if not isinstance(record, dict) or not record:
        raise ValueError("run_steps: record must be a non-empty dict {key: (obj, var)}, got "
                         f"{record!r}")
    net = network if isinstance(network, Network) else Network(*network)
    entries = [_entry(key, spec) for key, spec in record.items()]
    monitors = _monitors(entries, when)
    net.add(*monitors.values())
    try:
        dt = min(o.clock.dt_ for o in net.simulated_objects)
        t0 = net.t_
        net.run(n_steps * dt * units.second, report="text" if progress_bar else None,
                level=1)
    finally:
        net.remove(*monitors.values())
    out = {"t": (t0 + np.arange(n_steps) * dt) * units.second}
    for key, obj, var, indices in entries:
        mon = monitors[_group_key(obj, var, indices)]
        if var == "spike":
            steps = np.round((mon.t_ - t0) / dt).astype(np.int64)
            spikes = np.zeros((n_steps, len(mon.source)), bool)
            spikes[steps, mon.i] = True
            out[key] = spikes
        else:
            out[key] = getattr(mon, var).T[:n_steps]
    return out


def _entry(key, spec) -> tuple:
    if not isinstance(spec, tuple) or len(spec) not in (2, 3):
        raise ValueError(f"run_steps: record[{key!r}] must be (obj, var) or (obj, var, "
                         f"indices), got {spec!r}")
    obj, var = spec[0], spec[1]
    indices = spec[2] if len(spec) == 3 else True
    if isinstance(obj, Projection):
        obj, var = obj.variable(var)
    if isinstance(obj, NeuronSlice):
        obj = obj.resolve()
    if var == "spike" and (not hasattr(obj, "spike_source")
                           or getattr(obj.spike_source, "threshold", "") is None):
        raise ValueError(f"run_steps: record[{key!r}]: {obj!r} does not spike")
    return key, obj, var, indices


def _group_key(obj, var, indices) -> tuple:
    if var == "spike":
        return (id(obj), "spike")
    idx = "all" if indices is True else tuple(np.atleast_1d(np.asarray(indices)).tolist())
    return (id(obj), idx)


def _monitors(entries, when) -> dict:
    """One monitor per recorded object (and index set): fewer blocks in the compiled loop."""
    grouped: dict = {}
    for _, obj, var, indices in entries:
        key = _group_key(obj, var, indices)
        grouped.setdefault(key, (obj, indices, []))
        if var not in grouped[key][2]:
            grouped[key][2].append(var)
    monitors = {}
    for key, (obj, indices, variables) in grouped.items():
        if key[1] == "spike":
            monitors[key] = SpikeMonitor(obj)
        else:
            monitors[key] = StateMonitor(obj, variables, record=indices, when=when)
    return monitors
