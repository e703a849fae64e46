"""Network and Brian2's magic ``run()``: validate → lower → render → execute.

``run()`` without a network collects the objects that the caller's frame refers to (as
Brian2 does) into one persistent "magic" network, so consecutive runs continue.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import logging
import os
import time
from pathlib import Path

import numpy as np

from .. import units
from ..backends import STATUS_INTERRUPTED, STATUS_NAN, StopRequest, get_backend
from ..exceptions import CheckpointError, MagicError, SimulationError
from ..units import get_dim
from . import _checkpoint, _memory
from ._base import SimObject, _current_scope, check_time, current_seed, unique_name
from ._device import device, prefs
from ._lowering import LoweringContext
from ._netop import NetworkOperation, clear_stop, stop_requested
from ._regular import RegularOperation
from ._report import make_report
from ._states import SchedulingSummary

logger = logging.getLogger("spikeloom.core")
SECOND = get_dim(units.second)


def _end_step(t_end: float, dt: float) -> int:
    """The step a run to ``t_end`` ends at, as Brian2's clock computes it: the nearest step
    when ``t_end`` is on the grid (to 1e-4 dt), else the next one (a 3.05 ms run with
    dt = 0.1 ms takes 31 steps)."""
    nearest = round(t_end / dt)
    if abs(nearest * dt - t_end) / dt <= 1e-4:
        return int(nearest)
    return int(np.ceil(t_end / dt))


def _flatten(objects) -> list:
    out = []
    for obj in objects:
        if isinstance(obj, list | tuple | set):
            out.extend(_flatten(obj))
        elif isinstance(obj, dict):
            out.extend(_flatten(obj.values()))
        elif isinstance(obj, SimObject):
            out.append(obj)
            out.extend(obj.contained_objects)
        else:
            raise TypeError(f"Network: cannot add {obj!r} ({type(obj).__name__}); add groups, "
                            "synapses and monitors")
    return out


class Network:
    """A set of objects simulated together (Brian2's ``Network``).

    Parameters
    ----------
    *objs : objects or containers of objects
    name : str, optional

    Examples
    --------
    >>> from spikeloom import NeuronGroup, Network, ms
    >>> G = NeuronGroup(1, 'dv/dt = -v/(10*ms) : 1')
    >>> net = Network(G)
    >>> net.run(1*ms)
    >>> round(float(net.t / ms), 6)
    1.0
    """

    def __init__(self, *objs, name: str | None = None) -> None:
        self.name = unique_name(name, "network", self)
        self.objects: list[SimObject] = []
        self._step = 0
        self._base_dt = None
        self.t_ = 0.0
        self._stored: dict[str, dict] = {}
        self._seed: int | None = None  # set by load_checkpoint: the seed the run had
        self.last_compile_time = 0.0
        self.last_run_time = 0.0
        self._profiled = False  # the last run had profile=True (Brian2's profiling_info)
        self.add(*objs)

    # -- membership --------------------------------------------------------------------------------
    def add(self, *objs) -> None:
        for obj in _flatten(objs):
            if obj not in self.objects:
                self.objects.append(obj)

    def remove(self, *objs) -> None:
        for obj in _flatten(objs):
            if obj in self.objects:
                self.objects.remove(obj)

    def __getitem__(self, name: str):
        for obj in self.objects:
            if obj.name == name:
                return obj
        raise KeyError(f"Network {self.name!r} has no object named {name!r}")

    def __contains__(self, obj) -> bool:
        return obj in self.objects

    @property
    def t(self):
        return self.t_ * units.second

    @property
    def profiling_info(self) -> list[tuple[str, object]]:
        """Brian2's ``(name, time)`` per code object; here the run is one compiled loop, so
        one entry: its time in the last run (compilation excluded).

        As in Brian2, only after a run with ``profile=True``; otherwise a ValueError.
        """
        if not self._profiled:
            raise ValueError("No profiling info collected (did you run with 'profile=True?')")
        return [(f"{self.name}_loop", self.last_run_time * units.second)]

    @property
    def simulated_objects(self) -> list:
        return sorted((o for o in self.objects if hasattr(o, "lower") and o.active),
                      key=lambda o: o.sort_key())

    # -- export (Neo, NWB) ---------------------------------------------------------------------
    def to_neo(self, name: str | None = None):
        """Every monitor's recordings as one Neo Block (needs ``neo``:
        ``pip install "spikeloom[neo]"``).

        Parameters
        ----------
        name : str, optional
            The Block's name (default: the network's).

        Returns
        -------
        neo.Block
            One Segment holding the spike trains of every :class:`SpikeMonitor` and the
            signals of every :class:`StateMonitor` and :class:`PopulationRateMonitor`, in
            the order the monitors were added (see their ``to_neo``).

        Raises
        ------
        ValueError
            If a monitor has not been run or recorded nothing (see the monitors' ``to_neo``).
        """
        from ._neo import network_to_neo

        return network_to_neo(self, name)

    def to_nwb(self, path, session_start_time=None, identifier: str | None = None,
               session_description: str | None = None):
        """Write every monitor's recordings to an NWB file through Neo's ``NWBIO`` (needs
        ``neo`` and ``pynwb``: ``pip install "spikeloom[neo]"``).

        Parameters
        ----------
        path : str or os.PathLike
            The ``.nwb`` file (replaced if it exists).
        session_start_time : datetime.datetime, optional
            NWB's session start (default: now, UTC).
        identifier, session_description : str, optional
            NWB's fields (default: the file's name; the Block's description).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from ._neo import write_nwb

        return write_nwb(self, path, session_start_time, identifier, session_description)

    # -- states and schedule (Brian2's Network methods) ---------------------------------------
    def get_states(self, units: bool = True, format: str = "dict",
                   subexpressions: bool = False, read_only_variables: bool = True,
                   level: int = 0) -> dict:
        """``{object name: object.get_states(...)}`` for every group and monitor."""
        return {obj.name: obj.get_states(units=units, format=format,
                                         subexpressions=subexpressions,
                                         read_only_variables=read_only_variables)
                for obj in self.objects if hasattr(obj, "get_states")}

    def set_states(self, values: dict, units: bool = True, format: str = "dict",
                   level: int = 0) -> None:
        """Assign ``{object name: {variable: values}}`` (see :meth:`get_states`)."""
        by_name = {obj.name: obj for obj in self.objects}
        for name, states in values.items():
            if name not in by_name or not hasattr(by_name[name], "set_states"):
                groups = sorted(n for n, o in by_name.items() if hasattr(o, "set_states"))
                raise KeyError(f"Network {self.name!r}.set_states: no group named {name!r}; "
                               f"groups: {groups}")
            by_name[name].set_states(states, units=units, format=format)

    def scheduling_summary(self) -> SchedulingSummary:
        """The operations of one step in the order they run: name, owner, dt, slot, order."""
        _, lctx, _ = self._prepare(0 * units.second, _frame_namespace(2), False)
        entries = []
        for scheduled in lctx._canonical_order():
            owner = scheduled.owner
            every = lctx.every(owner.clock, owner.name)
            dt = f"{owner.clock.dt} " + ("(every step)" if every == 1 else
                                         f"(every {every} steps)")
            name = scheduled.block.name
            part_of = owner.group if isinstance(owner, RegularOperation) else owner
            entries.append((f"{name} ({_operation_type(name, owner)})",
                            f"{part_of.name} ({type(part_of).__name__})",
                            dt, scheduled.when, scheduled.key[1], "yes"))
        return SchedulingSummary(entries)

    # -- running -----------------------------------------------------------------------------------
    def run(self, duration, report=None, report_period=10 * units.second, namespace=None,
            profile=None, level: int = 0, check_nan: bool | None = None,
            checkpoint_every=None, checkpoint_path=None) -> None:
        """Simulate for ``duration``.

        Parameters
        ----------
        duration : Quantity (time)
            Time to simulate (>= 0).
        report : None, str or callable
            None shows a progress bar only for runs that last more than 5 s of wall time;
            'tqdm' shows it from the start; 'text' or 'stdout' ('stderr') print Brian2's
            progress lines; a callable gets Brian2's ``(elapsed, completed, start,
            duration)`` at the start, every ``report_period`` and at the end.
        report_period : Quantity (time)
            Wall time between two reports (default 10 s).
        namespace : dict, optional
            Names for external constants; default: the caller's locals and globals.
        profile : bool or None
            Keep the run's timing for :attr:`profiling_info` and :func:`profiling_summary`
            (None: False, as in Brian2).
        level : int
            How many frames above the caller to look for names (Brian2's convention).
        check_nan : bool or None
            Stop with a :class:`SimulationError` (naming the variable, group, element and
            time) when a state variable of a NeuronGroup's differential equations becomes
            NaN or infinite. True: checked after every step; False: never; None (default):
            as ``prefs.spikeloom.divergence_check`` says (default True), every
            ``prefs.spikeloom.divergence_check_every`` steps (default 16) and after the
            run's last step on Numba, after each chunk of steps on JAX.
        checkpoint_every : Quantity (time), optional
            Write a checkpoint whenever the simulated time reaches a multiple of this
            (e.g. ``100*ms``); needs ``checkpoint_path``. The run goes on in chunks that
            end at those times, with results bit-identical to an uninterrupted run.
        checkpoint_path : str or os.PathLike, optional
            The checkpoint file (``.npz``, see ``docs/reliability.md``), replaced
            atomically at each checkpoint; resume with :meth:`load_checkpoint`.
        """
        if namespace is None:
            namespace = _frame_namespace(level + 2)
        if device.defers_runs():  # a standalone program, run by device.build()/device.run()
            device.record_run(self, duration, {"report": report, "report_period": report_period,
                                               "namespace": namespace, "check_nan": check_nan,
                                               "checkpoint_every": checkpoint_every,
                                               "checkpoint_path": checkpoint_path,
                                               "profile": profile})
            return
        # Brian2 keeps profiling info of a run with profile=True only (None means False)
        self._profiled = bool(profile)
        checkpoint = self._checkpoint_plan(checkpoint_every, checkpoint_path)
        operations = [o for o in self.objects if isinstance(o, NetworkOperation) and o.active]
        if operations or checkpoint is not None:
            self._run_with_operations(duration, operations, namespace, check_nan, report,
                                      report_period, checkpoint)
            return
        start = self.t
        prepared = self._prepare(duration, namespace, check_nan)
        n_steps = prepared[2]
        reporter = make_report(report, report_period, start, duration, n_steps)
        progress, delay = reporter, 0.0
        if report == "tqdm":
            progress = "running"
        elif reporter is None and n_steps > 0:
            progress, delay = "running", 5.0
        self._execute(prepared, self._run_seed(), progress, delay)
        if reporter is not None:
            reporter.finish()

    def _run_seed(self) -> int:
        """The seed of this network's runs: a loaded checkpoint's, else the one in force."""
        return self._seed if self._seed is not None else current_seed()

    def _checkpoint_plan(self, every, path) -> tuple[float, Path] | None:
        """Validate ``checkpoint_every``/``checkpoint_path``: (seconds, path) or None."""
        owner = f"Network {self.name!r}.run"
        if every is None and path is None:
            return None
        if every is None or path is None:
            raise ValueError(f"{owner}: checkpoint_every={every!r}, checkpoint_path="
                             f"{path!r}; give both (a time and a file) or neither")
        seconds = check_time(every, owner, "checkpoint_every", allow_zero=False)
        try:
            path = Path(os.fspath(path))
        except TypeError:
            raise TypeError(f"{owner}: checkpoint_path={path!r}; allowed: a str or "
                            "os.PathLike file name") from None
        if not path.absolute().parent.is_dir():
            raise ValueError(f"{owner}: checkpoint_path={str(path)!r}; its directory does "
                             "not exist (create it first)")
        return seconds, path

    def _run_with_operations(self, duration, operations, namespace, check_nan: bool | None,
                             report=None, report_period=10 * units.second,
                             checkpoint: tuple[float, Path] | None = None) -> None:
        """Run in compiled chunks that end where a network operation or a checkpoint is
        due, calling the operations in Python between them (``stop()`` ends the run after
        its step) and writing the checkpoints (after the operations of the step before,
        so that a run resumed from one calls each operation exactly as this run does)."""
        owner = f"Network {self.name!r}"
        seconds = check_time(duration, owner, "duration")
        simulated = self.simulated_objects
        if not simulated:
            raise ValueError(f"{owner}: nothing to simulate besides network operations")
        base_dt = min(o.clock.dt_ for o in simulated)
        start = self._step
        if self._base_dt is not None and base_dt != self._base_dt:
            start = int(round(self.t_ / base_dt))
        end = _end_step(start * base_dt + seconds, base_dt)
        early = sorted((o for o in operations if o.before_step), key=lambda o: o.sort_key())
        late = sorted((o for o in operations if not o.before_step), key=lambda o: o.sort_key())
        every = {op: op.every(base_dt) for op in operations}
        reporter = make_report(report, report_period, start * base_dt * units.second,
                               duration, end - start)
        save_every = self._checkpoint_steps(checkpoint, base_dt)
        clear_stop()
        self._last_lowering = None
        step = start
        while True:
            for op in late:  # slots after 'start': they follow the step just computed
                if step > start and (step - 1) % every[op] == 0:
                    op((step - 1) * base_dt * units.second)
            if save_every and step > start and step % save_every == 0:
                self.save_checkpoint(checkpoint[1])
            if stop_requested() or step >= end:
                break
            for op in early:
                if step % every[op] == 0:
                    op(step * base_dt * units.second)
            chunk_end = end if not stop_requested() else step + 1
            for op in early:
                chunk_end = min(chunk_end, step + every[op] - step % every[op])
            for op in late:
                chunk_end = min(chunk_end, step + (-step) % every[op] + 1)
            if save_every:
                chunk_end = min(chunk_end, step + save_every - step % save_every)
            prepared = self._prepare((chunk_end - step) * base_dt * units.second, namespace,
                                     check_nan, reserve_steps=end - step, reuse=True)
            self._execute(prepared, self._run_seed())
            step = chunk_end
            if reporter is not None:
                reporter.poll(step - start)
        clear_stop()
        self._last_lowering = None
        if reporter is not None:
            reporter.finish()

    def _checkpoint_steps(self, checkpoint, base_dt: float) -> int:
        """Steps between two checkpoints (0: none)."""
        if checkpoint is None:
            return 0
        steps = _end_step(checkpoint[0], base_dt)  # off the grid: rounded up
        if checkpoint[0] < base_dt * (1 - 1e-4):
            raise ValueError(f"Network {self.name!r}.run: checkpoint_every="
                             f"{checkpoint[0] * units.second!r} is shorter than a time step "
                             f"(dt = {base_dt * units.second!r}); allowed: at least dt")
        return steps

    def _execute(self, prepared, seed: int, progress: str | None = None,
                 progress_delay: float = 0.0) -> None:
        """Run a prepared plan on the current backend and take its results back.

        Ctrl-C meanwhile stops the loop after a whole step (see
        :mod:`spikeloom.backends._interrupt`); the steps done are kept and
        :class:`KeyboardInterrupt` is raised, so a later ``run()`` continues from ``t``.
        """
        plan, lctx, n_steps = prepared
        t1 = time.perf_counter()
        with StopRequest() as stop:  # also while taking the results back: never half-done
            returned, status, compile_time = _backend_execute(
                plan, lctx.arrays, lctx.scalars, self._step, n_steps, seed, progress=progress,
                progress_delay=progress_delay, stop=stop)
            self.last_run_time = time.perf_counter() - t1 - compile_time
            self._finish(prepared, returned, status, compile_time)
        if stop.requested:
            stop.raise_pending()

    def _prepare(self, duration, namespace: dict, check_nan: bool | None,
                 reserve_steps: int = 0, reuse: bool = False):
        """Validate, call ``before_run`` and lower every object: (plan, context, steps).

        ``reserve_steps``: monitors make room for this many steps (the whole rest of a run
        cut into chunks, so that their arrays stay put). ``reuse``: take the previous
        chunk's lowering when no object replaced an array since (see
        :meth:`_reused_lowering`).
        """
        owner = f"Network {self.name!r}"
        seconds = check_time(duration, owner, "duration")
        objects = self.simulated_objects
        if not objects:
            raise ValueError(f"{owner}: nothing to simulate; create groups before run() (did "
                             "you call start_scope() after creating them?)")
        base_dt = min(o.clock.dt_ for o in objects)
        if self._base_dt is not None and base_dt != self._base_dt:
            self._step = int(round(self.t_ / base_dt))
        self._base_dt = base_dt
        n_steps = _end_step(self._step * base_dt + seconds, base_dt) - self._step
        self._pending_steps = max(n_steps, reserve_steps)
        self._check_memory(objects, reuse)
        for obj in objects:
            obj._t = self.t_
            obj.before_run(self)
        if reuse:
            reused = self._reused_lowering(objects, base_dt, check_nan)
            if reused is not None:
                self._lower_time = 0.0
                return reused + (n_steps,)
        t0 = time.perf_counter()
        lctx = LoweringContext(base_dt, namespace, self.t_)
        # in creation order, so that arrays are declared (and named by position) the same way
        # in two builds of one model whatever their auto-generated names: 'synapses_10'
        # sorts before 'synapses_9', which made run_batch see two different structures
        for obj in sorted(objects, key=lambda o: o._creation):
            obj.lower(lctx)
        plan = lctx.plan()
        every = _check_interval(check_nan)
        plan = dataclasses.replace(plan, check_nan=plan.check_nan if every else (),
                                   check_every=max(every, 1),
                                   vector_math=bool(prefs.spikeloom.vector_math))
        self._lower_time = time.perf_counter() - t0
        if reuse:
            self._remember_lowering(objects, base_dt, check_nan, plan, lctx)
        return plan, lctx, n_steps

    def _check_memory(self, objects, reuse: bool) -> None:
        """Raise :class:`MemoryEstimateError` before ``before_run`` allocates anything when
        the monitors' buffers for the coming steps do not fit in the available memory, or
        the network's arrays with them do not fit in the memory as a whole
        (``prefs.spikeloom.memory_check``). The arrays are summed once per run: later
        chunks of a chunked run reuse them."""
        if not prefs.spikeloom.memory_check:
            return
        first_chunk = not reuse or getattr(self, "_last_lowering", None) is None
        arrays = [array for _, array in _array_locations(objects).values()] \
            if first_chunk else None
        _memory.check_run(f"Network {self.name!r}", objects, self, arrays)

    # -- chunked runs: one lowering for all chunks -------------------------------------------------
    def _reused_lowering(self, objects, base_dt: float, check_nan: bool):
        """The previous chunk's (plan, context) if it still describes the network.

        It does when the same objects run in the same order and each still holds the very
        arrays the context registered (a network operation that writes into a variable
        keeps them; one that connects synapses or replaces spikes does not). External
        constants are resolved once per ``run()``, as in Brian2.
        """
        last = getattr(self, "_last_lowering", None)
        if last is None or last[0] != self._lowering_key(objects, base_dt, check_nan):
            return None
        if not _still_held(last[1]):
            return None
        return last[2], last[3]

    def _remember_lowering(self, objects, base_dt, check_nan, plan, lctx) -> None:
        found = _array_locations(objects)
        locations = [found.get(id(array)) for array in lctx.arrays.values()]
        if None in locations:
            self._last_lowering = None  # an array lives where the check cannot see it
            return
        self._last_lowering = (self._lowering_key(objects, base_dt, check_nan), locations,
                               plan, lctx)

    @staticmethod
    def _lowering_key(objects, base_dt: float, check_nan: bool) -> tuple:
        return (base_dt, check_nan) + tuple((id(o), o.sort_key(), o.clock.dt_)
                                            for o in objects)

    def _finish(self, prepared, returned: dict, status, compile_time: float) -> None:
        """Take the run's results back into the objects; raise what the loop reported
        (an interrupted run keeps the steps done and returns: the caller raises)."""
        plan, lctx, n_steps = prepared
        self.last_compile_time = compile_time + self._lower_time
        for name, array in returned.items():
            lctx.setters[name](array)
        if status[0] != 0:
            steps_done = int(status[1]) - self._step + 1
            if status[0] == STATUS_INTERRUPTED:
                n_steps = steps_done
            else:
                self._advance(steps_done)
                self._raise(status, plan, self._base_dt)
        self._advance(n_steps)
        for obj in self.simulated_objects:
            obj.after_run(self)
        logger.info("Network %r: %d steps, lowering %.3f s, compile/load %.3f s, run %.3f s",
                    self.name, n_steps, self._lower_time, compile_time, self.last_run_time)

    def _advance(self, n_steps: int) -> None:
        self._step += n_steps
        self.t_ = self._step * self._base_dt
        for obj in self.objects:
            obj._t = self.t_
            obj.clock.t_ = self.t_

    def _raise(self, status, plan, base_dt) -> None:
        code, step, which, element = (int(x) for x in status)
        if code == STATUS_NAN:
            array = plan.check_nan[which]
            owner = self._variable_owner(array)
            where = (f": variable {owner[1]!r} of {owner[2]} {owner[0]!r}, element {element}"
                     if owner else "")
            found = "" if plan.check_every == 1 else (
                " Found by the periodic check (every "
                f"{plan.check_every} steps on Numba, after each chunk of steps on JAX); "
                "run(..., check_nan=True) finds the first step.")
            raise SimulationError(
                f"NaN or infinite value in {array} (element {element}) at step {step} "
                f"(t = {step * base_dt:.6g} s){where}. The run stopped at t = "
                f"{(step + 1) * base_dt:.6g} s.{found} Check the equations, dt and initial "
                "values; prefs.spikeloom.divergence_check = False (or run(..., "
                "check_nan=False)) switches the check off")
        raise SimulationError(f"run loop stopped with status {code} at step {step}")

    def _variable_owner(self, array: str) -> tuple[str, str, str] | None:
        """(group name, variable name, group type) of the state array named ``array``."""
        for obj in self.objects:
            variables = getattr(obj, "variables", None)
            if variables is None or not hasattr(obj, "array_name") or hasattr(obj, "parent"):
                continue
            for name, var in variables.items():
                try:
                    if obj.array_name(var) == array:
                        return obj.name, name, type(obj).__name__
                except (AttributeError, TypeError):
                    break
        return None

    # -- store / restore / checkpoints -------------------------------------------------------------
    def _snapshot(self, copy: bool = True) -> dict:
        """Every object's state, the time and the seed (``copy=False``: views of the live
        arrays, for writing them to a file at once)."""
        state = {"_step": self._step, "t_": self.t_, "_base_dt": self._base_dt,
                 SEED_KEY: self._run_seed()}
        for obj in self.objects:
            state[obj.name] = _object_state(obj, copy)
        return state

    def _file_entry(self) -> dict:
        """Header fields stored beside a snapshot (for readers and the structure check)."""
        return {"network": self.name, "t": self.t_, "step": self._step, "dt": self._base_dt,
                "seed": self._run_seed(),
                "objects": _checkpoint.describe(self.objects)}

    def store(self, name: str = "default", filename: str | None = None) -> None:
        """Save the state of every object (variables, synapses, queues, monitors, time).

        Parameters
        ----------
        name : str
            Name of the stored state (several can be kept).
        filename : str or os.PathLike, optional
            Also keep it in this file, beside the other states already there (the
            checkpoint format of ``docs/reliability.md``: plain arrays and a JSON header,
            written atomically; never pickled).
        """
        if filename is None:
            self._stored[name] = self._snapshot()
            return
        snapshots, entries = {}, {}
        if Path(os.fspath(filename)).exists():
            for other, entry in _checkpoint.load(filename).items():
                snapshots[other] = entry.pop("state")
                entries[other] = entry
        snapshots[name] = self._snapshot(copy=False)
        entries[name] = self._file_entry()
        _checkpoint.save(filename, snapshots, entries)

    def restore(self, name: str = "default", filename: str | None = None,
                restore_random_state: bool = False) -> None:
        """Return every object to the state saved by :meth:`store` under ``name``.

        Parameters
        ----------
        name : str
            Name of the stored state.
        filename : str or os.PathLike, optional
            Read it from this file (written by ``store(filename=...)`` or a checkpoint);
            a network of another structure is refused (:class:`CheckpointError`).
        restore_random_state : bool
            Also take back the seed the stored network ran with, so that its random
            numbers continue as they would have.
        """
        if filename is not None:
            entries = _checkpoint.load(filename)
            if name not in entries:
                raise KeyError(f"Network {self.name!r}.restore: file {str(filename)!r} holds "
                               f"no state named {name!r}; it holds {sorted(entries)}")
            self._check_structure(entries[name], f"restore(filename={str(filename)!r})")
            state = entries[name]["state"]
        elif name not in self._stored:
            raise KeyError(f"Network {self.name!r}: no stored state named {name!r}; stored: "
                           f"{sorted(self._stored)}")
        else:
            state = self._stored[name]
        self._apply_snapshot(state, restore_random_state)

    def save_checkpoint(self, path) -> None:
        """Write the complete state (variables, synapses, delay queues with the spikes in
        flight, monitors, ``t``, seed) to ``path``, atomically.

        Parameters
        ----------
        path : str or os.PathLike
            The file (``.npz``; see ``docs/reliability.md`` for the format). Written to a
            temporary file in the same directory, fsynced, then renamed over ``path``:
            a crash meanwhile leaves the previous checkpoint intact.
        """
        _checkpoint.save(path, {"checkpoint": self._snapshot(copy=False)},
                         {"checkpoint": self._file_entry()})
        logger.info("Network %r: checkpoint at t = %.6g s written to %s", self.name, self.t_,
                    path)

    def load_checkpoint(self, path) -> None:
        """Restore the state a checkpoint holds (written by ``run(..., checkpoint_path=)``
        or :meth:`save_checkpoint`) into this network, built by the same script; then
        ``run(T - net.t)`` finishes the run as if it had never stopped (bit-identical).

        Parameters
        ----------
        path : str or os.PathLike
            The checkpoint file.

        Raises
        ------
        CheckpointError
            The file is not an intact spikeloom checkpoint (format, version, checksum,
            pickled content), or this network differs in structure (object names and
            types, variables, array shapes); the message says what differs.
        """
        entries = _checkpoint.load(path)
        if len(entries) != 1:
            raise CheckpointError(f"Network {self.name!r}.load_checkpoint: {str(path)!r} "
                                  f"holds {len(entries)} states {sorted(entries)}; use "
                                  "restore(name, filename=...) to pick one")
        (entry,) = entries.values()
        self._check_structure(entry, f"load_checkpoint({str(path)!r})")
        self._apply_snapshot(entry["state"], restore_seed=True)

    def _check_structure(self, entry: dict, call: str) -> None:
        found = _checkpoint.differences(entry.get("objects", []),
                                        _checkpoint.describe(self.objects))
        if found:
            lines = "\n  - ".join(found[:12])
            raise CheckpointError(
                f"Network {self.name!r}.{call}: the file was written by a network of another "
                f"structure:\n  - {lines}\nBuild the network with the same script (a script "
                "that connects or initialises at random must call seed() first)")

    def _apply_snapshot(self, state: dict, restore_seed: bool = False) -> None:
        self._step, self.t_, self._base_dt = state["_step"], state["t_"], state["_base_dt"]
        if restore_seed and state.get(SEED_KEY) is not None:
            self._seed = int(state[SEED_KEY])
        self._last_lowering = None
        for obj in self.objects:
            if obj.name in state:
                _set_object_state(obj, state[obj.name])
            obj._t = self.t_
            obj.clock.t_ = self.t_


class _Attribute(str):
    """A step of an array's path that reads an attribute (other steps index)."""


def _array_locations(objects) -> dict[int, tuple]:
    """Where ``objects`` hold each NumPy array: id → (path, array), where the path starts at
    an object and goes through attributes, dict entries and list items (an object's
    variables, monitor columns, synaptic pathways' queues), at most three steps deep."""
    found = {}

    def visit(path: tuple, value, depth: int) -> None:
        if isinstance(value, np.ndarray):
            found.setdefault(id(value), (path, value))
            return
        if depth == 0:
            return
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list | tuple):
            items = enumerate(value)
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            items = ((_Attribute(k), v) for k, v in vars(value).items()
                     if isinstance(v, np.ndarray))
        else:
            return
        for key, item in items:
            visit(path + (key,), item, depth - 1)

    for obj in objects:
        for key, value in vars(obj).items():
            visit((obj, _Attribute(key)), value, 2)
    return found


def _still_held(locations) -> bool:
    """Whether following each path from its object still leads to that very array."""
    for path, array in locations:
        current = path[0]
        try:
            for step in path[1:]:
                current = vars(current)[step] if isinstance(step, _Attribute) else current[step]
        except (KeyError, IndexError, TypeError):
            return False
        if current is not array:
            return False
    return True


#: key of the seed in a snapshot (beside the objects' names)
SEED_KEY = "__seed__"
#: attributes that identify an object in its process (creation order, scope, magic run),
#: not its simulation state: a state loaded in another process must not overwrite them
_IDENTITY = ("_creation", "_scope", "_magic_generation")


def _object_state(obj, copy_: bool = True) -> dict:
    """An object's state: its arrays, numbers and dicts, variables' values and queues
    (``copy_=False``: the live arrays themselves, for writing to a file at once)."""
    keep = copy.deepcopy if copy_ else (lambda v: v)
    state = {}
    for key, value in vars(obj).items():
        # the variables' values are stored below; the Variable objects themselves stay, so
        # that views taken before a restore (G.v, run_args keys) still refer to them
        if isinstance(value, np.ndarray | int | float | dict) and key not in (
                "namespace", "_eq_namespace", "variables"):
            state[key] = keep(value)
    variables = getattr(obj, "variables", None)
    if variables is not None and not hasattr(obj, "parent"):
        state["__variables__"] = {n: keep(v.values) for n, v in variables.items()
                                  if v.values is not None}
    for pathway in getattr(obj, "pathways", []):
        state[f"__pathway_{pathway.name}"] = (keep(pathway.queue), keep(pathway.queue_count),
                                              pathway.mode)
    return state


def _set_object_state(obj, state: dict) -> None:
    for key, value in state.items():
        if key in _IDENTITY:
            continue
        if key == "__variables__":
            for n, values in value.items():
                obj.variables[n].values = values.copy()
        elif key.startswith("__pathway_"):
            for pathway in obj.pathways:
                if key == f"__pathway_{pathway.name}":
                    pathway.queue, pathway.queue_count = value[0].copy(), value[1].copy()
                    pathway.mode = value[2]
        else:
            object.__setattr__(obj, key, copy.deepcopy(value))


def _frame_namespace(level: int) -> dict:
    frame = inspect.currentframe()
    try:
        for _ in range(level):
            frame = frame.f_back
        namespace = dict(frame.f_globals)
        namespace.update(frame.f_locals)
        return namespace
    finally:
        del frame


# -- magic ---------------------------------------------------------------------------------
_magic: dict[str, Network | None] = {"network": None}


def reset_magic_network() -> None:
    _magic["network"] = None


class _MagicNetworkView:
    """Brian2's ``magic_network`` name: the network ``run()`` uses (``magic_network.t``)."""

    def __getattr__(self, name):
        if _magic["network"] is None:
            _magic["network"] = Network(name=None)
        return getattr(_magic["network"], name)

    def __repr__(self) -> str:
        return f"<magic network {_magic['network']!r}>"


magic_network_view = _MagicNetworkView()


#: Brian2's class of an operation, by the suffix of its name
_OPERATION_SUFFIXES = (("_stateupdater", "StateUpdater"), ("_thresholder", "Thresholder"),
                       ("_resetter", "Resetter"), ("_run_regularly", "CodeRunner"))


def _operation_type(name: str, owner) -> str:
    """The class Brian2 gives the operation ``name`` of ``owner`` in its scheduling summary."""
    if type(owner) is RegularOperation:
        return "CodeRunner"
    if name == owner.name:  # a monitor, a PoissonInput: the object is the operation
        return type(owner).__name__
    if name.startswith(f"{owner.name}_summed_variable"):
        return "SummedVariableUpdater"
    for suffix, kind in _OPERATION_SUFFIXES:
        if name.endswith(suffix):
            return kind
    return "SynapticPathway" if hasattr(owner, "pathways") else type(owner).__name__


class ProfilingSummary:
    """Brian2's ``profiling_summary``: where a network's run time went.

    spikeloom runs one compiled loop, so there is one entry (the loop) besides the time
    spent building it (lowering and compiling, or loading from the disk cache).
    """

    def __init__(self, net: Network, show: int | None = None) -> None:
        (loop, loop_time), = net.profiling_info  # raises, as in Brian2, without profile=True
        self.names = [loop, f"{net.name}_build"]
        self.times = [loop_time, net.last_compile_time * units.second]
        if show is not None:
            self.names, self.times = self.names[:show], self.times[:show]

    def __repr__(self) -> str:
        total = sum(float(t / units.second) for t in self.times) or 1.0
        lines = ["Profiling summary", "=================="]
        for name, t in zip(self.names, self.times):
            seconds = float(t / units.second)
            lines.append(f"{name:<30s} {seconds:10.4f} s   {100 * seconds / total:6.2f} %")
        return "\n".join(lines)


def profiling_summary(net: Network | None = None, show: int | None = None) -> ProfilingSummary:
    """The time of the last run of ``net`` (default: the network ``run()`` uses).

    Parameters
    ----------
    net : Network, optional
        The network (default: the one ``run()`` uses); its last run needs
        ``profile=True``, as in Brian2.
    show : int, optional
        Show only the first ``show`` entries.

    Returns
    -------
    ProfilingSummary
        Printed as Brian2's table.
    """
    if net is None:
        if _magic["network"] is None:
            raise ValueError("profiling_summary: nothing has run yet; call run() first")
        net = _magic["network"]
    return ProfilingSummary(net, show)


def scheduling_summary(net: Network | None = None) -> SchedulingSummary:
    """The step's operations in execution order (default: the objects ``run()`` would
    simulate from the caller's frame).

    Parameters
    ----------
    net : Network, optional
        The network (default: the objects ``run()`` would simulate).

    Returns
    -------
    SchedulingSummary
        Printed as Brian2's table (slot, order, object, clock).
    """
    if net is None:
        net = magic_network(1)
    return net.scheduling_summary()


def collect(level: int = 0) -> list:
    """The objects of the current scope that the caller's frame refers to.

    Parameters
    ----------
    level : int
        How many frames above the caller to look for the objects (Brian2's convention).

    Returns
    -------
    list
        The objects, in creation order.
    """
    namespace = _frame_namespace(level + 2)
    found = []
    for value in namespace.values():
        if isinstance(value, SimObject) and value._scope == _current_scope[0]:
            found.append(value)
    return sorted(found, key=lambda o: o._creation)


def magic_network(level: int = 0) -> Network:
    """The network ``run()`` uses, holding the objects the caller refers to.

    As in Brian2: if all of them are new, a new simulation starts at t = 0; objects run
    before continue from where they stopped; a mix of the two raises :class:`MagicError`.
    """
    if _magic["network"] is None:
        _magic["network"] = Network(name=None)
    net = _magic["network"]
    net.objects = []
    net.add(collect(level + 1))
    generation = _magic.setdefault("generation", 0)
    known = [o for o in net.objects if o._magic_generation == generation]
    new = [o for o in net.objects if o._magic_generation is None
           and o.invalidates_magic_network]
    if known and new:
        raise MagicError(
            f"run(): objects run before ({', '.join(o.name for o in known[:3])}) and new "
            f"ones ({', '.join(o.name for o in new[:3])}) together: as in Brian2, it is "
            "unclear whether to continue the old simulation or start a new one. Put the "
            "objects in a Network explicitly, or call start_scope() before the new ones")
    if new:  # a new simulation: time starts again at 0
        generation += 1
        _magic["generation"] = generation
        net._step, net.t_, net._base_dt = 0, 0.0, None
        for obj in net.objects:
            obj._t = 0.0
            obj.clock.t_ = 0.0
    for obj in net.objects:
        if obj._magic_generation is None:
            obj._magic_generation = generation
    return net


def run(duration, report=None, report_period=10 * units.second, namespace=None, profile=None,
        level: int = 0, check_nan: bool | None = None, checkpoint_every=None,
        checkpoint_path=None) -> None:
    """Run every object the calling code refers to (Brian2's magic ``run``).

    As in Brian2: if all of them are new, a new simulation starts at t = 0; objects run
    before continue from where they stopped; a mix of the two raises :class:`MagicError`.

    Parameters
    ----------
    duration : Quantity (time)
        Time to simulate (>= 0).
    report : None, str or callable
        Progress reports: None (a bar for runs longer than 5 s of wall time), 'tqdm',
        'text'/'stdout'/'stderr' (Brian2's lines) or a callable (see :meth:`Network.run`).
    report_period : Quantity (time)
        Wall time between two reports (default 10 s).
    namespace : dict, optional
        Names for external constants; default: the caller's locals and globals.
    profile : bool or None
        Keep the run's timing for :func:`profiling_summary` (None: False).
    level : int
        How many frames above the caller to look for objects and names.
    check_nan : bool or None
        Stop with a :class:`SimulationError` when a state variable becomes NaN or
        infinite: True after every step, False never, None as
        ``prefs.spikeloom.divergence_check`` says (default: every 16 steps).
    checkpoint_every : Quantity (time), optional
        Write a checkpoint whenever the simulated time reaches a multiple of this.
    checkpoint_path : str or os.PathLike, optional
        The checkpoint file (needed with ``checkpoint_every``); resume with
        :func:`load_checkpoint`.
    """
    net = magic_network(level + 1)
    if namespace is None:
        namespace = _frame_namespace(level + 2)
    net.run(duration, report=report, report_period=report_period, namespace=namespace,
            profile=profile, check_nan=check_nan, checkpoint_every=checkpoint_every,
            checkpoint_path=checkpoint_path)


def run_batch(networks, duration, seeds=None, namespace=None, level: int = 0,
              check_nan: bool | None = None, namespaces=None) -> None:
    """Run B networks of the same structure as B trials of one vectorised program.

    The networks may differ in anything that does not change the structure of their run:
    initial values, parameters (constants in the namespace, per-neuron values), the number
    of synapses, the seed. Each network ends exactly as after its own ``run(duration)``
    with its seed: same state, same monitor contents. On the JAX backend
    (``set_device('jax')``) the B trials run as one compiled program vectorised over a
    leading batch axis (BrainPy's batching mode); on the Numba backend they run one after
    the other, which gives the same results.

    Parameters
    ----------
    networks : sequence of Network
        The trials (at the same time ``t``), e.g. built in a loop after ``seed(s)``.
    duration : Quantity (time)
        Time to simulate (>= 0).
    seeds : sequence of int, optional
        The seed of each trial's run (as ``seed(s)`` before a separate run); default: the
        seed in force, for every trial.
    namespace : dict, optional
        Names for external constants; default: the caller's locals and globals.
    level : int
        How many frames above the caller to look for names (Brian2's convention).
    check_nan : bool or None
        Stop when a state variable becomes NaN or infinite, as for :func:`run`.
    namespaces : sequence of dict, optional
        One namespace per network instead of ``namespace`` (e.g. each trial's own
        :class:`TimedArray` under the same name); not together with ``namespace``.
    """
    from .. import rng

    networks = list(networks)
    if not networks or not all(isinstance(n, Network) for n in networks):
        raise TypeError(f"run_batch: networks={networks!r}; allowed: a non-empty sequence "
                        "of Network objects")
    if seeds is None:
        seeds = [current_seed()] * len(networks)
    else:
        seeds = [rng.derive_seed(s) for s in seeds]
        if len(seeds) != len(networks):
            raise ValueError(f"run_batch: {len(seeds)} seeds for {len(networks)} networks; "
                             "give one seed per network")
    times = {round(n.t_, 12) for n in networks}
    if len(times) > 1:
        raise ValueError(f"run_batch: the networks are at different times {sorted(times)} "
                         "s; a batch starts all trials at the same time")
    namespaces = _batch_namespaces(namespace, namespaces, len(networks), level + 3)
    backend = get_backend(device.name)
    if not backend.batched:
        for net, s, names in zip(networks, seeds, namespaces):
            net._execute(net._prepare(duration, names, check_nan), s)
        return
    prepared = [net._prepare(duration, names, check_nan)
                for net, names in zip(networks, namespaces)]
    plan = prepared[0][0]
    structure = plan.canonical()
    arrays, scalars = [], []
    for k, (p, lctx, _) in enumerate(prepared):
        if p.canonical() != structure:
            raise ValueError(f"run_batch: network {k} ({networks[k].name!r}) differs in "
                             f"structure from network 0 ({networks[0].name!r}): a batch needs "
                             "the same groups, equations, synapses and monitors in each trial")
        arrays.append({d0.name: lctx.arrays[d.name] for d0, d in zip(plan.arrays, p.arrays)})
        scalars.append({s0: lctx.scalars[s] for (s0, _), (s, _) in zip(plan.scalars,
                                                                         p.scalars)})
    t1 = time.perf_counter()
    with StopRequest() as stop:  # Ctrl-C: every trial keeps the steps done, then raise
        returned, status, compile_time = backend.execute_batch(
            plan, arrays, scalars, networks[0]._step, prepared[0][2], seeds,
            progress="running", progress_delay=5.0, options=device.options, stop=stop)
        elapsed = time.perf_counter() - t1 - compile_time
        failed = None
        for k, (net, (p, lctx, n_steps)) in enumerate(zip(networks, prepared)):
            names = {d0.name: d.name for d0, d in zip(plan.arrays, p.arrays)}
            mapped = {names[name]: value for name, value in returned[k].items()}
            net.last_run_time = elapsed
            try:
                net._finish((p, lctx, n_steps), mapped, status[k], compile_time)
            except SimulationError as exc:
                failed = failed or exc
    if failed is not None:
        raise failed
    if stop.requested:
        stop.raise_pending()


def _batch_namespaces(namespace, namespaces, n_networks: int, level: int) -> list[dict]:
    """One namespace per trial of :func:`run_batch` (``level``: the caller's frame)."""
    if namespaces is None:
        return [namespace if namespace is not None else _frame_namespace(level)] * n_networks
    if namespace is not None:
        raise ValueError("run_batch: give either namespace= (shared by every trial) or "
                         "namespaces= (one per trial), not both")
    namespaces = list(namespaces)
    if len(namespaces) != n_networks or not all(isinstance(n, dict) for n in namespaces):
        raise ValueError(f"run_batch: namespaces must be one dict per network ({n_networks}), "
                         f"got {len(namespaces)} item(s) of types "
                         f"{sorted({type(n).__name__ for n in namespaces})}")
    return namespaces


def store(name: str = "default", filename: str | None = None, level: int = 0) -> None:
    """Store the state of the magic network (see :meth:`Network.store`).

    Parameters
    ----------
    name : str
        Name of the stored state (several can be kept; default ``'default'``).
    filename : str or os.PathLike, optional
        Also keep it in this file (the checkpoint format, never pickled).
    level : int
        How many frames above the caller to look for the objects (Brian2's convention).
    """
    magic_network(level + 1).store(name, filename)


def restore(name: str = "default", filename: str | None = None, level: int = 0,
            restore_random_state: bool = False) -> None:
    """Restore the magic network (see :meth:`Network.restore`).

    Parameters
    ----------
    name : str
        Name of the stored state (default ``'default'``).
    filename : str or os.PathLike, optional
        Read it from this file (written by ``store(filename=...)`` or a checkpoint).
    level : int
        How many frames above the caller to look for the objects (Brian2's convention).
    restore_random_state : bool
        Also take back the seed the stored network ran with.
    """
    magic_network(level + 1).restore(name, filename, restore_random_state)


def load_checkpoint(path, level: int = 0) -> None:
    """Load a checkpoint into the magic network (see :meth:`Network.load_checkpoint`);
    then ``run(T - magic_network.t)`` finishes the run.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file (written by ``run(..., checkpoint_path=...)``).
    level : int
        How many frames above the caller to look for the objects (Brian2's convention).
    """
    magic_network(level + 1).load_checkpoint(path)


def _check_interval(check_nan: bool | None) -> int:
    """Steps between two divergence checks for ``run(check_nan=...)`` (0: none)."""
    if check_nan is None:
        if not prefs.spikeloom.divergence_check:
            return 0
        return int(prefs.spikeloom.divergence_check_every)
    if not isinstance(check_nan, bool | np.bool_):
        raise TypeError(f"run(): check_nan={check_nan!r}; allowed: True, False or None "
                        "(prefs.spikeloom.divergence_check decides)")
    return 1 if check_nan else 0


def _backend_execute(plan, arrays, scalars, step0, n_steps, seed, progress=None,
                     progress_delay=0.0, stop=None):
    return get_backend(device.name).execute(plan, arrays, scalars, step0, n_steps, seed,
                                            progress=progress, progress_delay=progress_delay,
                                            options=device.options, stop=stop)
