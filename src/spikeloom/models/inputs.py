"""Input groups with BrainPy's names (``SpikeTimeGroup``, ``PoissonSpikes``) and NEST's
stimulation devices (``spike_generator``, ``poisson_generator``, ``dc_generator``).

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
from ..core import PoissonGroup, SimObject, SpikeGeneratorGroup, defaultclock
from ..units import Quantity, dim_string, get_dim, si_value
from .neurons._base import NeuronModel, NeuronSlice


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
    dt : Quantity (time), optional
        The group's step (default: ``defaultclock.dt``).
    order : int
        Order within the schedule slot (default 0).
    name : str, optional
        A unique name (default ``'spiketimegroup'``, numbered).

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
    dt : Quantity (time), optional
        The group's step (default: ``defaultclock.dt``).
    order : int
        Order within the schedule slot (default 0).
    name : str, optional
        A unique name (default ``'poissonspikes'``, numbered).
    """

    _default_name = "poissonspikes"

    def __init__(self, N, freqs, *, when: str = "before_groups", dt=None, order: int = 0,
                 name: str | None = None) -> None:
        if not isinstance(freqs, str) and get_dim(freqs) != get_dim(units.Hz):
            raise ValueError(f"PoissonSpikes: freqs must be a rate (e.g. 10*Hz) or an "
                             f"expression, got {freqs!r}")
        super().__init__(N, freqs, dt=dt, when=when, order=order, name=name)


def _nest_time(owner: str, argument: str, value, allow_inf: bool = False) -> float:
    """A time in seconds (>= 0; inf only where NEST allows it)."""
    if not isinstance(value, Quantity | units.Unit) or get_dim(value) != get_dim(units.second):
        raise ValueError(f"{owner}: {argument} must be a time (e.g. 10*ms), got {value!r}")
    seconds = float(si_value(value))
    if np.isnan(seconds) or seconds < 0 or (np.isinf(seconds) and not allow_inf):
        allowed = "a time >= 0 (inf allowed)" if allow_inf else "a finite time >= 0"
        raise ValueError(f"{owner}: {argument}={value!r} must be {allowed}")
    return seconds


class poisson_generator(PoissonGroup):
    r"""Independent Poisson spike trains between ``start`` and ``stop`` (NEST's
    ``poisson_generator``).

    Each of the ``N`` outputs fires in a step with probability ``rate*dt`` while the
    generator is active. The timing is NEST's, as for :class:`spike_generator`: NEST emits
    spikes stamped ``start < T - dt <= stop`` (its device rule ``start < t <= stop`` applied
    to the step that generates the spike, which NEST stamps one step later) and a spike
    stamped ``T`` reaches a target through ``Projection(..., delay=d)`` at ``T + d``, as in
    NEST.

    Parameters
    ----------
    N : int
        Number of independent trains. NEST's generator sends its own train to every
        target: translate ``nest.Connect(pg, neurons)`` as ``poisson_generator(len(neurons),
        ...)`` with ``OneToOne()`` connectivity.
    rate : Quantity (Hz)
        Mean rate of each train (default 0 Hz, NEST's default); ``rate*dt`` must be <= 1.
    start : Quantity (time)
        Activation time (default 0 ms).
    stop : Quantity (time) or None
        Deactivation time (default None: never, NEST's infinite ``stop``).
    dt : Quantity (time), optional
        The step (default: ``defaultclock.dt``).
    name : str, optional

    Attributes
    ----------
    rate, t_start, t_stop
        The rate and the window (``start``/``stop`` of a group are its index range); they can
        be changed between runs, like NEST's ``SetStatus`` (``pg.rate = 20*Hz``).

    Notes
    -----
    NEST draws a Poisson number of spikes per step and target (a spike event of
    multiplicity ``n``); spikeloom fires at most once per step. The mean rate is the same;
    the count per step is Bernoulli(``rate*dt``) instead of Poisson(``rate*dt``), so the
    variance of the input is smaller by the factor ``1 - rate*dt`` (1 % at 100 Hz with
    ``dt = 0.1 ms``). For drives with ``rate*dt`` near 1 (NEST's Brunel network: 8.8 kHz
    per neuron) use several generators per target or a ``PoissonInput``.

    Examples
    --------
    >>> from spikeloom import Hz, ms
    >>> from spikeloom.models import poisson_generator
    >>> pg = poisson_generator(100, rate=20*Hz, start=100*ms, stop=500*ms)
    >>> pg.when
    'before_groups'
    """

    _default_name = "poisson_generator"

    def __init__(self, N, rate=0 * units.Hz, start=0 * units.ms, stop=None, *, dt=None,
                 name: str | None = None) -> None:
        owner = "poisson_generator" if name is None else f"poisson_generator {name!r}"
        if isinstance(rate, str) or not isinstance(rate, Quantity | units.Unit) or \
                get_dim(rate) != get_dim(units.Hz) or np.size(rate) != 1:
            raise ValueError(f"{owner}: rate must be one rate in Hz (e.g. 10*Hz), got {rate!r}")
        hz = float(si_value(rate))
        if not np.isfinite(hz) or hz < 0:
            raise ValueError(f"{owner}: rate={rate!r} must be finite and >= 0 (NEST: the "
                             "rate cannot be negative)")
        t_start = _nest_time(owner, "start", start)
        t_stop = np.inf if stop is None else _nest_time(owner, "stop", stop, allow_inf=True)
        if t_stop < t_start:
            raise ValueError(f"{owner}: stop={stop!r} must be >= start={start!r}")
        step = float(si_value(dt if dt is not None else defaultclock.dt))
        if hz * step > 1 + 1e-12:
            raise ValueError(f"{owner}: rate={rate!r} gives rate*dt = {hz * step:g} > 1 spike "
                             "per step; spikeloom fires at most once per step (use several "
                             "generators, or a larger rate per PoissonInput)")
        # active in the steps that start in (start, stop]: NEST's stamps (start + dt, stop + dt]
        constants = {"rate": hz * units.Hz, "t_start": t_start * units.second,
                     "t_stop": t_stop * units.second}
        super().__init__(N, "rate*int(t > t_start + 0.5*dt)*int(t < t_stop + 0.5*dt)", dt=dt,
                         when="before_groups", namespace=constants, name=name)
        # run-time constants of the group: settable between runs (pg.rate = 20*Hz), as NEST's
        # SetStatus (a group's start/stop are its index range: the times are t_start/t_stop)
        self._eq_namespace.update(constants)
        self.namespace = None


class dc_generator(SimObject):
    r"""A constant current between ``start`` and ``stop`` (NEST's ``dc_generator``).

    ``connect(neurons, delay=...)`` adds the current to the neurons' synaptic-input hook
    ``I_syn`` (as the input ``I_<name>``, which can be recorded). NEST's timing: through a
    connection with delay ``d`` the current acts on the steps that start in
    ``[start + d, stop + d)``; with ``d = dt`` (NEST's minimum) it is first seen in ``V_m``
    at ``start + 2*dt``, one step after NEST's documented interval ``(start, start + dt]``,
    as NEST 3.10 itself does (``tests/models/test_nest_reference.py`` compares with NEST).

    Parameters
    ----------
    amplitude : Quantity
        The current (default 0 pA, NEST's default), in the target's input unit (amp for
        every NEST model).
    start : Quantity (time)
        Activation time (default 0 ms).
    stop : Quantity (time) or None
        Deactivation time (default None: never, NEST's infinite ``stop``).
    name : str, optional
        Also names the current in the targets: ``I_<name>``.

    Notes
    -----
    The parameters are fixed once connected. The generator must be simulated with its
    targets (``Network(..., dc, ...)``); leaving it out is an error before the run.

    Examples
    --------
    >>> from spikeloom import ms, pA
    >>> from spikeloom.models import dc_generator, iaf_psc_alpha
    >>> neurons = iaf_psc_alpha(10)
    >>> dc = dc_generator(amplitude=400*pA, start=50*ms, stop=150*ms, name='dc')
    >>> dc.connect(neurons, delay=1*ms)
    'I_dc'
    """

    _default_name = "dc_generator"

    def __init__(self, amplitude=0 * units.pA, start=0 * units.ms, stop=None, *,
                 name: str | None = None) -> None:
        super().__init__(name=name, when="start", order=0)
        owner = self.owner = f"dc_generator {self.name!r}"
        if isinstance(amplitude, str) or not isinstance(amplitude, Quantity | units.Unit) or \
                np.size(amplitude) != 1 or not np.isfinite(float(si_value(amplitude))):
            raise ValueError(f"{owner}: amplitude must be one finite current (e.g. 100*pA), got "
                             f"{amplitude!r}")
        self.amplitude = amplitude
        self.start = start
        self.stop = stop
        self._t_start = _nest_time(owner, "start", start)
        self._t_stop = np.inf if stop is None else _nest_time(owner, "stop", stop,
                                                               allow_inf=True)
        if self._t_stop < self._t_start:
            raise ValueError(f"{owner}: stop={stop!r} must be >= start={start!r}")
        self.targets = []  # [(model, delay in s)]

    def connect(self, post, delay=1 * units.ms) -> str:
        """Inject the current into ``post`` (a NEST-model group or a slice of one).

        Parameters
        ----------
        post : NeuronModel or slice of one
            The targets; the group must not be built yet (create connections first).
        delay : Quantity (time)
            Connection delay (default 1 ms, the default of NEST's ``Connect``), at least
            one step.

        Returns
        -------
        str
            The name of the current variable in ``post`` (``I_<name>``).
        """
        owner = self.owner
        model, first, last = post, 0, None
        if isinstance(post, NeuronSlice):
            model, first, last = post.model, post.start, post.stop
        if not isinstance(model, NeuronModel):
            raise TypeError(f"{owner}: connect() needs a library neuron (iaf_psc_alpha, ...) or a "
                            f"slice of one, got {type(post).__name__}")
        if get_dim(self.amplitude) != model.input_dim:
            raise ValueError(f"{owner}: amplitude={self.amplitude} has unit "
                             f"{dim_string(get_dim(self.amplitude))}, but "
                             f"{type(model).__name__}'s input is in {model.INPUT_UNIT}")
        seconds = _nest_time(owner, "delay", delay)
        if seconds <= 0:
            raise ValueError(f"{owner}: delay={delay!r} must be > 0 (at least one step, as in "
                             "NEST)")
        if any(target is model for target, _ in self.targets):
            raise ValueError(f"{owner}: already connected to {model.owner}; use a second "
                             "dc_generator for a second current")
        label = self.name
        on, off = self._t_start + seconds, self._t_stop + seconds
        names = {"amp": f"amplitude_{label}", "on": f"t_on_{label}", "off": f"t_off_{label}"}
        current = (f"{names['amp']}*int(t > {names['on']} - 0.5*dt)"
                   f"*int(t < {names['off']} - 0.5*dt)")
        if last is not None:
            current += f"*int(i >= {first})*int(i < {last})"
        namespace = {names["amp"]: self.amplitude, names["on"]: on * units.second,
                     names["off"]: off * units.second}
        variable = model.add_input(label, "", current, namespace, owner=self)
        self.targets.append((model, seconds))
        return variable

    def lower(self, lctx) -> None:
        """Nothing to compile: the current is part of the targets' equations (the method
        makes the network call :meth:`before_run`, which checks the delays)."""

    def before_run(self, network) -> None:
        for model, seconds in self.targets:
            step = float(model.clock.dt_)
            if seconds < step * (1 - 1e-9):
                raise ValueError(f"{self.owner}: delay {seconds * 1e3:g} ms onto {model.owner} "
                                 f"is shorter than one step ({step * 1e3:g} ms); NEST's "
                                 "minimum delay is one step")

    def __repr__(self) -> str:
        return (f"dc_generator({self.name!r}, amplitude={self.amplitude}, start={self.start}, "
                f"stop={self.stop})")
