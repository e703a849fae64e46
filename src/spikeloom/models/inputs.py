"""Input groups with BrainPy's names: ``SpikeTimeGroup`` and ``PoissonSpikes``.

Both are the core input groups (``SpikeGeneratorGroup``, ``PoissonGroup``: they have
``lastspike``) with one difference: they fire in the ``before_groups`` slot, at the start of
the step, instead of in ``thresholds``. A spike at time ``t`` is therefore known to every
state update of the step that starts at ``t``: a transmitter pulse (``AMPA``) covers
``[t, t + T_dur)``, as in BrainPy, where inputs are updated before the synapses. Effects
through ``on_pre`` (jumps, ``Expon``) are unchanged: they still happen in the ``synapses``
slot of that step. Pass ``when='thresholds'`` for Brian2's timing.
"""

from __future__ import annotations

import numpy as np

from .. import units
from ..core import PoissonGroup, SpikeGeneratorGroup, defaultclock
from ..units import Quantity, get_dim, si_value


class SpikeTimeGroup(SpikeGeneratorGroup):
    """Neurons that fire at given times (BrainPy's ``SpikeTimeGroup``), with ``lastspike``.

    Parameters
    ----------
    N : int
        Number of neurons.
    indices : array of int
        Neuron of each spike (0..N-1).
    times : Quantity (time), array
        Time of each spike, e.g. ``[10, 30, 50, 70]*ms`` (units are required).
    when : str
        Schedule slot of the emission (default ``'before_groups'``, see the module
        docstring).
    period : Quantity (time)
        Repeat the pattern with this period (default 0: no repetition).
    name : str, optional

    Examples
    --------
    >>> from spikeloom import ms
    >>> from spikeloom.models import SpikeTimeGroup
    >>> pre = SpikeTimeGroup(1, indices=[0, 0, 0, 0], times=[10, 30, 50, 70]*ms)
    >>> pre.when
    'before_groups'
    """

    _default_name = "spiketimegroup"

    def __init__(self, N, indices, times, *, when: str = "before_groups",
                 period=0 * units.second, dt=None, order: int = 0, name: str | None = None
                 ) -> None:
        if not isinstance(times, Quantity) and not (
                isinstance(times, list | tuple) and times and isinstance(times[0], Quantity)):
            raise ValueError(f"SpikeTimeGroup: times must carry a time unit, e.g. "
                             f"times=[10, 30]*ms; got {times!r}")
        super().__init__(N, indices, times, dt=dt, period=period, when=when, order=order,
                         name=name)


class spike_generator(SpikeTimeGroup):
    """Spikes at given times with NEST's timing (NEST's ``spike_generator``).

    NEST stamps a spike with the end of the step that emits it, so a spike at ``T`` sent
    with delay ``d`` acts on the target from ``T + d`` on. Brian2's and BrainPy's
    generators emit at the step that starts at ``T`` (one step later); this one emits at
    ``T - dt``, so that a NEST model driven by it through ``Projection(..., delay=d)``
    follows NEST step for step (``tests/models/test_nest_reference.py``).

    Parameters
    ----------
    N : int
        Number of independent generators.
    indices : array of int
        Generator of each spike (0..N-1).
    spike_times : Quantity (time), array
        NEST's spike times, strictly positive and on the time grid.
    dt : Quantity (time), optional
        The step (default: ``defaultclock.dt``).
    name : str, optional
    """

    _default_name = "spike_generator"

    def __init__(self, N, indices, spike_times, *, dt=None, name: str | None = None) -> None:
        step = float(si_value(dt if dt is not None else defaultclock.dt))
        times = np.asarray(si_value(spike_times), dtype=float)
        if times.size and times.min() < step * (1 - 1e-9):
            raise ValueError(f"spike_generator: spike_times must be >= one step ({step} s), "
                             f"as in NEST; got {times.min()} s")
        super().__init__(N, indices, (times - step) * units.second, dt=dt, name=name)


class PoissonSpikes(PoissonGroup):
    """Independent Poisson spike trains (BrainPy's ``PoissonGroup``), with ``lastspike``.

    Parameters
    ----------
    N : int
        Number of neurons.
    freqs : Quantity (Hz) or str
        One rate, one per neuron, or an expression of ``t``/``i`` (each step a neuron fires
        with probability ``freqs*dt``).
    when : str
        Schedule slot (default ``'before_groups'``, see the module docstring).
    name : str, optional
    """

    _default_name = "poissonspikes"

    def __init__(self, N, freqs, *, when: str = "before_groups", dt=None, order: int = 0,
                 name: str | None = None) -> None:
        if not isinstance(freqs, str) and get_dim(freqs) != get_dim(units.Hz):
            raise ValueError(f"PoissonSpikes: freqs must be a rate (e.g. 10*Hz) or an "
                             f"expression, got {freqs!r}")
        super().__init__(N, freqs, dt=dt, when=when, order=order, name=name)
