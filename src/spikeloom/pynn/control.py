"""Simulation control of the PyNN backend: setup, run, reset, end and the state queries."""

from __future__ import annotations

import warnings

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator

_EXTRA = ("max_delay", "rng_seed", "spike_precision", "verbosity")
#: Options of other backends that cannot change this backend's results: warned, not used.
_OTHER_BACKENDS = ("t_flush", "threads", "use_cvode", "default_maxstep", "rng_type",
                   "filename", "label")


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new simulation: a new spikeloom network at t = 0.

    Parameters
    ----------
    timestep : float
        The time step in ms (default 0.1 ms).
    min_delay : float or 'auto'
        The smallest connection delay allowed, in ms ('auto': one time step).
    **extra_params
        ``max_delay`` (ms or 'auto'), ``rng_seed`` (int: seeds spikeloom's random
        numbers, those of ``SpikeSourcePoisson``), ``spike_precision`` (only
        ``'on_grid'``), ``verbosity`` (ignored). Options of other backends that cannot
        change the results (``t_flush``, ``threads``, ``use_cvode``, ``default_maxstep``,
        ``rng_type``, and the export backends' ``filename`` and ``label``) are ignored
        with a warning.

    Returns
    -------
    int
        The MPI rank (always 0: pyNN.spikeloom runs in one process).

    Raises
    ------
    NotImplementedError
        For an option that is not supported (it is named).
    """
    for name in _OTHER_BACKENDS:
        if name in extra_params:
            warnings.warn(f"setup: {name}={extra_params.pop(name)!r} is an option of another "
                          "PyNN backend; pyNN.spikeloom does not use it", stacklevel=2)
    unknown = sorted(set(extra_params) - set(_EXTRA))
    if unknown:
        raise NotImplementedError(f"setup: option(s) {unknown} are not supported by "
                                  f"pyNN.spikeloom; the supported extra options are "
                                  f"{list(_EXTRA)}")
    if extra_params.get("spike_precision", "on_grid") != "on_grid":
        raise NotImplementedError(
            f"setup: spike_precision={extra_params['spike_precision']!r} is not supported "
            "by pyNN.spikeloom; spikes are on the time grid ('on_grid')")
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.dt = timestep
    state.clear()
    state.min_delay = min_delay
    state.max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    if extra_params.get("rng_seed") is not None:
        from ..core import seed

        seed(int(extra_params["rng_seed"]))
    return rank()


def end(compatible_output=True):
    """Finish the simulation: write the data that ``record(..., to_file)`` asked for.

    Parameters
    ----------
    compatible_output : bool
        Ignored (PyNN's signature).
    """
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
(get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes,
 rank) = common.build_state_queries(simulator)
