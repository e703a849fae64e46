"""``network_operation``: Python code called between the compiled chunks of a run.

A run with network operations executes as compiled chunks that end at each step where an
operation is due; the operations run in Python between them (as in Brian2's runtime mode),
see :meth:`Network.run`. ``stop()`` inside one ends the run after the current step.
"""

from __future__ import annotations

import inspect

from ._base import SimObject, when_index

_stop_requested = [False]


class NetworkOperation(SimObject):
    """A Python function called every ``dt`` during runs (Brian2's ``NetworkOperation``).

    Parameters
    ----------
    function : callable
        Called as ``function()`` or ``function(t)`` (``t``: the current time, a Quantity).
    dt : Quantity (time), optional
        Interval, a whole multiple of the network's dt (default: ``clock``'s dt).
    clock : Clock, optional
        The clock giving the interval (instead of ``dt``; default: ``defaultclock``).
    when : str
        Schedule slot: 'start' (default) calls it before the step's updates, any later slot
        after them (the step's time is passed either way).
    order : int
        Among operations due at the same step, lower orders run first.
    name : str, optional
        A unique name (default: the function's name).
    """

    _default_name = "networkoperation"

    def __init__(self, function, dt=None, clock=None, when: str = "start", order: int = 0,
                 name: str | None = None) -> None:
        if not callable(function):
            raise TypeError(f"NetworkOperation: function={function!r} is not callable")
        super().__init__(name=name or getattr(function, "__name__", None), when=when,
                         order=order, dt=dt, clock=clock)
        when_index(when, f"NetworkOperation {self.name!r}")
        self.function = function
        parameters = inspect.signature(function).parameters
        self._takes_t = len([p for p in parameters.values()
                             if p.default is inspect.Parameter.empty
                             and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) == 1

    @property
    def before_step(self) -> bool:
        """Whether it runs before the updates of its step (slot 'start' or earlier)."""
        return when_index(self.when, self.name) <= when_index("start", self.name)

    def every(self, base_dt: float) -> int:
        """Interval in network steps (the operation's dt must be a multiple of the base dt)."""
        steps = round(self.clock.dt_ / base_dt)
        if steps < 1 or abs(steps * base_dt - self.clock.dt_) > 1e-9 * base_dt:
            raise ValueError(f"NetworkOperation {self.name!r}: dt={self.clock.dt} is not a "
                             f"whole multiple of the network's dt ({base_dt} s)")
        return steps

    def __call__(self, t) -> None:
        if self._takes_t:
            self.function(t)
        else:
            self.function()


def network_operation(*args, dt=None, clock=None, when: str = "start", order: int = 0,
                      name: str | None = None):
    """Decorator making a function a :class:`NetworkOperation` (Brian2's API).

    ``@network_operation`` or ``@network_operation(dt=1*ms, when='end')``.

    Parameters
    ----------
    dt : Quantity (time), optional
        Interval between calls, a whole multiple of the network's dt (default: the
        clock's dt).
    clock : Clock, optional
        The clock giving the interval (instead of ``dt``; default: ``defaultclock``).
    when : str
        Schedule slot (default ``'start'``), as for :class:`NetworkOperation`.
    order : int
        Order among operations due at the same step (default 0).
    name : str, optional
        A unique name (default: the function's name).

    Returns
    -------
    NetworkOperation, or a decorator making one

    Examples
    --------
    >>> from spikeloom import NeuronGroup, network_operation, run, ms
    >>> G = NeuronGroup(1, 'v : 1')
    >>> @network_operation(dt=1*ms)
    ... def kick():
    ...     G.v += 1
    >>> run(3*ms)
    >>> float(G.v[0])
    3.0
    """
    if len(args) == 1 and callable(args[0]) and dt is None and clock is None:
        return NetworkOperation(args[0], when=when, order=order, name=name)

    def decorator(function):
        return NetworkOperation(function, dt=dt, clock=clock, when=when, order=order,
                                name=name)

    return decorator


def stop() -> None:
    """End the current run after the current step (called from a network operation)."""
    _stop_requested[0] = True


def stop_requested() -> bool:
    return _stop_requested[0]


def clear_stop() -> None:
    _stop_requested[0] = False
