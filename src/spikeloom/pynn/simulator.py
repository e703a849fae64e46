"""The simulator state of the PyNN backend: one spikeloom :class:`Network` per ``setup()``.

PyNN's common layer (``pyNN.common``) calls what this module defines: the :class:`ID` of a
cell, and :data:`state`, the one :class:`State` (time step, time, the network, the
recorders). Times are in ms, as everywhere in PyNN.
"""

from __future__ import annotations

import numpy as np
from pyNN import common

from ..core import Network
from ..units import ms

name = "spikeloom"

#: Name of the network state stored before the first run (what ``reset()`` returns to).
_T0 = "pynn_before_first_run"


class ID(int, common.IDMixin):
    """A cell of a population (PyNN's ``ID``): an ``int`` with a ``parent`` population.

    Parameters
    ----------
    n : int
        The cell's global number.
    """

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """The state of a simulation: network, time step (ms), time (ms), recorders.

    Notes
    -----
    ``run`` compiles the whole network into one loop (cached: a second run of the same
    network does not compile again) and runs it; it is split at the times at which a
    current source (``DCSource``, ``StepCurrentSource``) changes its amplitude, the
    amplitudes being written between the pieces.
    """

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self._dt = 0.1
        self._min_delay = "auto"
        self._max_delay = "auto"
        self.network = None
        self.clear()

    # -- time --------------------------------------------------------------------------------
    @property
    def dt(self) -> float:
        """The time step in ms."""
        return self._dt

    @dt.setter
    def dt(self, value: float) -> None:
        value = float(value)
        if not value > 0:
            raise ValueError(f"setup: timestep={value!r} ms; it must be > 0")
        self._dt = value

    @property
    def t(self) -> float:
        """The time the network reached, in ms."""
        return float(self.network.t_) * 1e3

    @property
    def clock_dt(self):
        """The time step as a spikeloom Quantity (for the objects this backend creates)."""
        return self._dt * ms

    # -- objects -----------------------------------------------------------------------------
    def add(self, *objects) -> None:
        """Add spikeloom objects to the network."""
        self.network.add(*objects)

    def clear(self) -> None:
        """Forget everything: a new network at t = 0."""
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.id_counter = 0
        self.segment_counter = -1
        self.network = Network()
        self._stored = False
        self.running = False
        self.reset()

    def reset(self) -> None:
        """Return to t = 0 (PyNN's ``reset()``).

        The network's state before the first run is restored (spikes in flight, synaptic
        state variables, plastic weights), then the parameters as they are now (of cells,
        connections and current sources) are written back, and the state variables are
        set to the populations' ``initial_values``.
        """
        if self._stored:
            populations = [(p, p._native_snapshot()) for p in self.populations]
            projections = [(p, p._native_snapshot()) for p in self.projections]
            self.network.restore(_T0)
            for obj, snapshot in populations + projections:
                obj._native_restore(snapshot)
            for p in self.populations:
                p._reinitialize()
        for recorder in self.recorders:
            recorder._cleared_at = 0.0
        self.running = False
        self.t_start = 0
        self.segment_counter += 1

    # -- running -----------------------------------------------------------------------------
    def run(self, simtime: float) -> None:
        """Advance the network by ``simtime`` ms."""
        for recorder in list(self.recorders):
            recorder._finalize()
        if not self._stored:
            self.network.store(_T0)
            self._stored = True
        self.running = True
        t_end = self.t + float(simtime)
        for t_next in self._pieces(t_end):
            if self.current_sources:
                from .electrodes import apply_currents

                apply_currents(self.t)
            steps = int(round((t_next - self.t) / self._dt))
            if steps > 0:
                self.network.run(steps * self._dt * ms, namespace={})

    def run_until(self, tstop: float) -> None:
        """Advance the network to ``tstop`` ms."""
        if tstop > self.t:
            self.run(tstop - self.t)

    def _pieces(self, t_end: float) -> list[float]:
        changes = {float(c) for s in self.current_sources for c in s._change_times()}
        inside = sorted(c for c in changes if self.t + self._dt / 2 < c < t_end - self._dt / 2)
        return inside + [t_end]

    # -- delays ------------------------------------------------------------------------------
    @property
    def min_delay(self) -> float:
        """The smallest delay, in ms: as ``setup`` set it, or with ``'auto'`` the smallest
        delay of the projections (one time step while there are none)."""
        if self._min_delay != "auto":
            return self._min_delay
        delays = [p._smallest_delay() for p in self.projections if len(p)]
        return min(delays) if delays else self._dt

    @min_delay.setter
    def min_delay(self, value) -> None:
        self._min_delay = value

    @property
    def delay_floor(self) -> float:
        """The smallest delay a connection may have, in ms (one step with ``'auto'``)."""
        return self._dt if self._min_delay == "auto" else self._min_delay

    @property
    def max_delay(self) -> float:
        """The largest delay allowed, in ms (no limit unless ``setup`` said one)."""
        return np.inf if self._max_delay == "auto" else self._max_delay

    @max_delay.setter
    def max_delay(self, value) -> None:
        self._max_delay = value


def get_si(group, name: str) -> np.ndarray:
    """All values of a group's variable, in SI units (a copy)."""
    return np.array(group.get_states([name], units=False)[name], dtype=float)


state = State()
