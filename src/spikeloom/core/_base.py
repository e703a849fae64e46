"""What every simulated object shares: a unique name, a clock, a schedule slot, a scope.

The only global state is Brian2's: ``defaultclock``, the magic network behind ``run()``, the
object scope of ``start_scope()`` and the seed of ``seed()``.
"""

from __future__ import annotations

import gc
import itertools
import re
import weakref

import numpy as np

from .. import units
from ..units import Quantity, get_dim, si_value

SCHEDULE = ("start", "groups", "thresholds", "synapses", "resets", "end")
_WHEN = {}
for _k, _slot in enumerate(SCHEDULE):
    _WHEN["before_" + _slot] = 3 * _k
    _WHEN[_slot] = 3 * _k + 1
    _WHEN["after_" + _slot] = 3 * _k + 2


def when_index(when: str, owner: str) -> int:
    if when not in _WHEN:
        raise ValueError(f"{owner}: when={when!r} is not a schedule slot; allowed are "
                         f"{', '.join(_WHEN)}")
    return _WHEN[when]


class Clock:
    """A time step shared by objects (Brian2's ``Clock``); ``defaultclock`` is one of them.

    Parameters
    ----------
    dt : Quantity, time
        The step, strictly positive (default 0.1 ms).
    name : str
        The clock's name (default ``'clock'``).
    """

    def __init__(self, dt=0.1 * units.ms, name: str = "clock") -> None:
        self.name = name
        self.dt = dt
        self.t_ = 0.0  # time reached by the network that last ran objects on this clock

    @property
    def t(self):
        return self.t_ * units.second

    @property
    def dt(self):
        return self._dt_si * units.second

    @dt.setter
    def dt(self, value) -> None:
        if get_dim(value) != get_dim(units.second):
            raise ValueError(f"Clock {self.name!r}: dt must be a time, got {value!r}")
        dt = float(si_value(value))
        if not dt > 0:
            raise ValueError(f"Clock {self.name!r}: dt must be > 0, got {value!r}")
        self._dt_si = dt

    @property
    def dt_(self) -> float:
        return self._dt_si

    def __repr__(self) -> str:
        return f"Clock(dt={self.dt!r}, name={self.name!r})"


defaultclock = Clock(name="defaultclock")

_scope = itertools.count(1)
_current_scope = [next(_scope)]
_names: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_seed_state: dict[str, int | None] = {"seed": None, "init_stream": 0}


def start_scope() -> None:
    """Make ``run()`` ignore every object created before this call (as in Brian2)."""
    from ._network import reset_magic_network

    _current_scope[0] = next(_scope)
    reset_magic_network()


def seed(value: int | None = None) -> None:
    """Fix the seed of every random number (in runs, initialisation and ``connect``).

    Parameters
    ----------
    value : int or None
        A non-negative integer, or None for a fresh random seed. Also seeds NumPy's global
        generator, as Brian2's ``seed`` does, so scripts using ``np.random`` become reproducible.
    """
    from .. import rng

    chosen = rng.derive_seed(value)
    _seed_state["seed"] = chosen
    _seed_state["init_stream"] = 0
    np.random.seed(chosen % 2**32)


def current_seed() -> int:
    """The seed in force, choosing (and then keeping) a random one if none was set."""
    from .. import rng

    if _seed_state["seed"] is None:
        _seed_state["seed"] = rng.derive_seed(None)
    return _seed_state["seed"]


def next_init_stream() -> int:
    """A fresh stream number for one Python-side random initialisation."""
    _seed_state["init_stream"] += 1
    return _seed_state["init_stream"]


def unique_name(requested: str | None, base: str, obj) -> str:
    if requested is not None:
        if not re.match(r"^[A-Za-z]\w*$", requested):
            raise ValueError(f"name {requested!r} is not valid: use letters, digits and _, "
                             "starting with a letter")
        if requested in _names and _names[requested] is not obj:
            # the holder may be garbage kept alive only by reference cycles
            gc.collect()
        holder = _names.get(requested)
        # An object from before the last start_scope() cannot meet this one in run(); it may
        # survive only because a function frame's cached f_locals still refers to it.
        if holder is not None and holder is not obj and \
                getattr(holder, "_scope", _current_scope[0]) == _current_scope[0]:
            raise ValueError(f"an object named {requested!r} already exists; names must be "
                             "unique")
        _names[requested] = obj
        return requested
    base = base.rstrip("*")
    for k in itertools.count():
        name = base if k == 0 else f"{base}_{k}"
        if name not in _names:
            _names[name] = obj
            return name
    raise AssertionError("unreachable")


class SimObject:
    """Base of every object a network simulates."""

    _default_name = "object"
    #: Whether a new object of this kind makes the magic ``run()`` start a new simulation
    #: at t = 0 (a new monitor joins the running one, as in Brian2).
    invalidates_magic_network = True
    #: The magic network generation that ran this object (None: not run by ``run()`` yet).
    _magic_generation = None

    def __init__(self, *, name: str | None, when: str, order: int, dt=None, clock=None) -> None:
        self.name = unique_name(name, self._default_name, self)
        when_index(when, f"{type(self).__name__} {self.name!r}")
        self.when = when
        self.order = int(order)
        if dt is not None and clock is not None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: give dt or clock, not both")
        if dt is not None:
            clock = Clock(dt, name=f"{self.name}_clock")
        self.clock = clock if clock is not None else defaultclock
        self.active = True
        self._scope = _current_scope[0]
        self._creation = next(_creation_counter)

    @property
    def contained_objects(self) -> list[SimObject]:
        return []

    def sort_key(self) -> tuple:
        return (when_index(self.when, self.name), self.order, self.name)

    def before_run(self, network) -> None:
        """Hook called before every run."""

    def after_run(self, network) -> None:
        """Hook called after every run."""


_creation_counter = itertools.count()


def check_time(value, owner: str, argument: str, allow_zero: bool = True) -> float:
    """Validate a time quantity and return it in seconds."""
    if isinstance(value, Quantity | units.Unit):
        if get_dim(value) != get_dim(units.second):
            raise ValueError(f"{owner}: {argument} must be a time (e.g. 10*ms), got {value!r}")
        seconds = float(si_value(value))
    else:
        raise ValueError(f"{owner}: {argument} must be a time (e.g. 10*ms), got {value!r}")
    if seconds < 0 or (seconds == 0 and not allow_zero) or not np.isfinite(seconds):
        allowed = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: {argument} must be finite and {allowed}, got {value!r}")
    return seconds
