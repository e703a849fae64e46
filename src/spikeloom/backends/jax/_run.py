"""Compile a plan's step with JAX, scan it over the run, and hand the results back.

The run is cut into chunks of steps; each chunk is one ``lax.scan`` inside one compiled
program, and nothing returns to Python between its steps. Chunks are dispatched ahead
(JAX runs them asynchronously), so the device never waits for the host. Once a chunk is
done the host

* appends the chunk's monitor records to the monitors' buffers (so long runs stream their
  records off the device instead of holding them all),
* advances the progress bar,
* checks the capacities the chunk needed (``_need``): when a buffer was too small it grows
  it, compiles again and runs the chunk again from the state before it, so a spike is
  never dropped (the state before a chunk is kept: JAX arrays are immutable).

Capacities (spikes per step of a threshold, spiking sources per step of a pathway,
delay-queue widths, spikes per step and per chunk of a monitor) start generous
for the first chunk, the *probe*; the rest of the run is compiled once with capacities
sized from what the probe needed, with headroom. The sizes are remembered for later runs
of the same network. The probe is as long as the other chunks, so that a run of whole
chunks compiles two programs, and a second run none.

``execute`` has the Numba backend's contract; ``execute_batch`` runs B plans of the same
structure (B trials, seeds or parameter sets) as one vectorised program.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

import numpy as np

from ... import ir
from .._interrupt import STOPPED, StopRequest, unless_stopped
from ..status import STATUS_INTERRUPTED, STATUS_NAN, STATUS_OVERFLOW
from ._render import (
    BOUNDS,
    Config,
    JaxRenderer,
    monitor_arrays,
    record_buffers,
    written_arrays,
)

logger = logging.getLogger("spikeloom.backends.jax")

#: steps per compiled chunk at most (fewer when the records of a chunk would be large)
CHUNK_STEPS = 2_000
#: chunks dispatched ahead of the one the host waits for
PIPELINE_DEPTH = 2
#: bytes of monitor records one chunk may hold on the device
CHUNK_RECORD_BYTES = 256 * 2**20

_COMPILED: dict[tuple, object] = {}
_STEPS: dict[str, object] = {}
#: capacities learned by earlier runs (in ``capacity_keys`` order), by plan structure and
#: array shapes
_LEARNED: dict[tuple, tuple[int, ...]] = {}


@dataclass
class Options:
    """How the JAX backend runs (``set_device('jax', ...)`` keywords).

    Parameters
    ----------
    float_dtype : {'float64', 'float32'}
        Precision of floating-point state on the device (float32 is faster on GPUs; the
        results are converted back to the model's float64 arrays).
    chunk_steps : int
        Steps per compiled chunk (monitor records are streamed to the host after each).
    devices : int or None
        Shard the network's arrays over this many devices (None: one device).
    unroll : int or None
        Steps per iteration of the scanned loop (a GPU pays a fixed cost per iteration,
        so small networks run faster unrolled; compilation takes longer). None: 4 on a
        GPU for networks (trials of a batch) whose largest array has under 2**20
        elements, else 1 (measured on an H200: COBA 4 000 runs 0.275 s unrolled 1, 0.196 s
        unrolled 4, 0.207 s unrolled 16, which compiles 4x longer).
    """

    float_dtype: str = "float64"
    chunk_steps: int = CHUNK_STEPS
    devices: int | None = None
    unroll: int | None = None

    def __post_init__(self) -> None:
        if self.float_dtype not in ("float64", "float32"):
            raise ValueError(f"set_device('jax'): float_dtype={self.float_dtype!r}; allowed: "
                             "'float64', 'float32'")
        if not (isinstance(self.chunk_steps, int) and self.chunk_steps >= 1):
            raise ValueError(f"set_device('jax'): chunk_steps={self.chunk_steps!r}; allowed: "
                             "an integer >= 1")
        if self.unroll is not None and not (isinstance(self.unroll, int) and self.unroll >= 1):
            raise ValueError(f"set_device('jax'): unroll={self.unroll!r}; allowed: None or "
                             "an integer >= 1")
        if self.devices is not None:
            import jax

            available = len(jax.devices())
            if not (isinstance(self.devices, int) and 1 <= self.devices <= available):
                raise ValueError(f"set_device('jax'): devices={self.devices!r}; allowed: an "
                                 f"integer from 1 to {available} (the devices JAX sees)")


# -- host-side preparation -----------------------------------------------------------------

def _py_helpers() -> dict:
    """What invariant expressions printed for Python call (same libm as the Numba loop)."""

    def _clip(x, low, high):
        return min(max(x, low), high)

    def _timestep(t, dt):
        return int((t + 1e-3 * dt) / dt)

    def _exprel(x):
        return 1.0 if abs(x) < 1e-16 else math.expm1(x) / x

    return {"math": math, "np": np, "_clip": _clip, "_timestep": _timestep,
            "_exprel": _exprel}


def _host_functions(plan: ir.Plan) -> dict:
    """The plan's user functions as Python functions of numbers (for host invariants such
    as ``f(3*mV)``, computed once before the run)."""
    if not plan.functions:
        return {}
    from ...core._user_functions import lookup, unitless

    return {f.name: unitless(lookup(f.key).body) for f in plan.functions}


def host_invariants(plan: ir.Plan, scalars: dict) -> dict[str, float]:
    """Loop invariants that depend on scalars only (not on ``t``), computed in Python.

    They are computed once with the same libm as the Numba loop (``math.exp``...), so that
    ``exp(-dt/tau)`` has the same last bit on both backends (XLA's ``exp`` differs in about
    one value in eight).
    """
    from .._render import ExprPrinter, function_templates

    printer = ExprPrinter(function_templates(plan.functions))
    values: dict[str, float] = {}
    env = _py_helpers()
    env.update(_host_functions(plan))
    for block in plan.blocks:
        for kernel in ir._plan._kernels(block):
            local = {"dt": scalars[block.dt]}
            for st in kernel.invariants:
                names = {s.name for s in st.expr.free_symbols}
                known = set(scalars) | set(values) | set(local)
                if not names <= known or st.op != "=":
                    continue
                ns = dict(env)
                ns.update(scalars)
                ns.update(values)
                ns.update(local)
                value = eval(printer.doprint(st.expr), ns)
                values[st.target] = value
    return values


def _row_lengths(plan: ir.Plan, arrays: list[dict]) -> dict[str, int]:
    out = {}
    for b in plan.blocks:
        if isinstance(b, ir.Pathway):
            out[b.name] = _longest_row(b.ptr, arrays)
            if b.source_groups:  # per-synapse delays: ptr indexes delay groups
                out[f"{b.name}/groups"] = _longest_row(b.source_groups, arrays)
    return out


def _longest_row(ptr: str, arrays: list[dict]) -> int:
    """The longest row of the CSR index ``ptr`` over all trials."""
    return max((int(np.max(np.diff(a[ptr]), initial=0)) for a in arrays), default=0)


def _initial_capacities(plan: ir.Plan, arrays: list[dict], probe_steps: int) -> dict[str, int]:
    """Generous capacities for the probe chunk: 1/16 of a group spiking in one step."""
    caps = {}
    for b in plan.blocks:
        if isinstance(b, ir.Threshold):
            n = max(a[b.spikes].shape[0] for a in arrays)
            caps[f"{b.name}/list"] = min(n, max(64, _pow2(n // 16)))
        elif isinstance(b, ir.Pathway):
            n = b.source_stop - b.source_start
            caps[f"{b.name}/sources"] = min(n, max(64, _pow2(n // 16)))
            if b.queue:
                caps[f"{b.name}/queue"] = max(a[b.queue].shape[1] for a in arrays)
        elif isinstance(b, ir.RecordSpikes):
            n = b.stop - b.start
            caps[f"{b.name}/spikes"] = min(n, max(64, _pow2(n // 16)))
            caps[f"{b.name}/chunk"] = _round_up(caps[f"{b.name}/spikes"] * probe_steps // 4)
    return caps


def _sized(need: int, limit: int | None = None) -> int:
    """A capacity for what a chunk needed: half as much again, so the next one fits."""
    size = _round_up(need * 3 // 2 + 8, 16)
    return size if limit is None else min(size, limit)


def _pow2(n: int) -> int:
    return 1 << max(int(n) - 1, 0).bit_length()


def _round_up(n: int, multiple: int = 4096) -> int:
    return max(multiple, -(-int(n) // multiple) * multiple)


def _pad_to(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` zero-padded (or cut: only a delay queue's empty tail is ever cut, see
    ``_Run._hold_queues``) to ``shape``."""
    if array.shape == tuple(shape):
        return array
    out = np.zeros(shape, array.dtype)
    common = tuple(slice(0, min(a, s)) for a, s in zip(array.shape, shape))
    out[common] = array[common]
    return out


# -- compilation -----------------------------------------------------------------------------

def _step_function(source: str):
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _STEPS:
        namespace: dict = {}
        exec(compile(source, f"<spikeloom jax step {key[:12]}>", "exec"), namespace)
        _STEPS[key] = namespace["step"]
    return _STEPS[key]


def _chunk(step, length: int, buffers: dict, unroll: int):
    """``length`` steps as one scan; spike-monitor buffers start empty inside it."""
    import jax.numpy as jnp
    from jax import lax

    def chunk(mutable, constant, scalars, step0, seed, zero):
        def body(m, k):
            return step(m, constant, scalars, step0 + k, seed, zero)

        carry = dict(mutable)
        carry.update({key: jnp.zeros(shape, dtype) for key, (shape, dtype) in buffers.items()})
        return lax.scan(body, carry, jnp.arange(length, dtype=jnp.int64),
                        unroll=min(unroll, length))

    return chunk


def _compiled(source: str, length: int, batched: bool, args: tuple, buffers: dict,
              unroll: int, stop: StopRequest | None = None):
    """The compiled chunk program, or :data:`STOPPED` when Ctrl-C came while compiling
    (a compile takes seconds: the run answers at once, see ``unless_stopped``)."""
    import jax

    key = (hashlib.sha256(source.encode()).hexdigest(), length, batched, unroll,
           tuple((getattr(a, "sharding", None) is not None
                  and str(getattr(a, "sharding", ""))) for a in jax.tree.leaves(args[0])))
    if key not in _COMPILED:
        fn = _chunk(_step_function(source), length, buffers, unroll)
        if batched:
            fn = jax.vmap(fn, in_axes=(0, 0, 0, None, 0, None))
        program = unless_stopped(lambda: jax.jit(fn).lower(*args).compile(), stop)
        if program is STOPPED:
            return STOPPED
        _COMPILED[key] = program
    return _COMPILED[key]


# -- the run ------------------------------------------------------------------------------------

class _Run:
    """One run of B >= 1 plans of identical structure (B > 1: a batch, vmapped)."""

    def __init__(self, plan: ir.Plan, arrays: list[dict], scalars: list[dict],
                 seeds: list[int], options: Options, batched: bool) -> None:
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        self.plan, self.arrays, self.options, self.batched = plan, arrays, options, batched
        self.written = written_arrays(plan)
        self.outputs = monitor_arrays(plan)
        self.invariants = [host_invariants(plan, s) for s in scalars]
        self.float = options.float_dtype
        extents = {}
        for b in plan.blocks:
            for field in (*BOUNDS, "n_synapses"):
                bound = getattr(b, field, None)
                if isinstance(bound, str):
                    extents[bound] = max(int(s[bound]) for s in scalars)
        self.extents = extents
        self.row_lengths = _row_lengths(plan, arrays)
        self.keys = JaxRenderer.capacity_keys(plan)
        #: the compiled program names arrays and scalars by position (see Plan.rename)
        self.canon = plan.positional_names()
        self.seeds = np.array(seeds, np.uint64)
        self.scalars = self._scalars(scalars)
        self.signature = (plan.canonical(), options.float_dtype, options.chunk_steps,
                          tuple(tuple(a[d.name].shape for a in arrays)
                                for d in plan.arrays if d.name not in self.outputs))
        learned = _LEARNED.get(self.signature)
        #: whether the first chunk is a probe (capacities not yet known for this network)
        self.probing = learned is None
        if learned is None:
            self.capacities = _initial_capacities(plan, arrays, options.chunk_steps)
        else:  # stored by position: a rebuilt network of the same structure reuses them
            self.capacities = {f"{name}/{role}": size
                               for (name, role), size in zip(self.keys, learned)}
        self._hold_queues()

    def _hold_queues(self) -> None:
        """Queue capacities at least what the queues hold now: a run continuing one whose
        queues grew wider than the capacity learned before (a chunked or resumed run) must
        not cut events in flight."""
        for b in self.plan.blocks:
            if isinstance(b, ir.Pathway) and b.queue:
                held = max(int(np.max(a[b.queue_count], initial=0)) for a in self.arrays)
                key = f"{b.name}/queue"
                self.capacities[key] = max(self.capacities[key], held)

    # -- device arrays ---------------------------------------------------------------------
    def _device_dtype(self, dtype) -> np.dtype:
        if self.float == "float32" and np.dtype(dtype) == np.float64:
            return np.dtype(np.float32)
        return np.dtype(dtype)

    def _scalars(self, scalars: list[dict]) -> dict:
        """Scalars (and host-computed invariants) as device values, stacked for a batch."""
        def kind(value) -> str:  # invariants are typed by their Python value
            if isinstance(value, (bool, np.bool_)):
                return "bool"
            return "int64" if isinstance(value, (int, np.integer)) else "float64"

        out = {}
        names = list(self.plan.scalars)
        names += [(n, kind(v)) for n, v in self.invariants[0].items()]
        for name, dtype in names:
            values = [s[name] if name in s else inv[name]
                      for s, inv in zip(scalars, self.invariants)]
            arr = np.asarray(values, dtype=self._device_dtype(np.dtype(dtype)))
            out[self.canon.get(name, name)] = self.jnp.asarray(arr if self.batched
                                                               else arr[0])
        return out

    def _shape(self, name: str) -> tuple[int, ...]:
        shapes = [a[name].shape for a in self.arrays]
        shape = tuple(max(s[k] for s in shapes) for k in range(len(shapes[0])))
        for b in self.plan.blocks:
            if isinstance(b, ir.Pathway) and b.queue == name:
                shape = (shape[0], self.capacities[f"{b.name}/queue"])
        return shape

    def _device(self, values: list[np.ndarray], name: str, read_only: bool):
        if read_only and np.issubdtype(values[0].dtype, np.integer):
            return _INDEX_CACHE.get(values, self.options.devices,
                                    lambda: self._to_device(values, name, True))
        return self._to_device(values, name, read_only)

    def _to_device(self, values: list[np.ndarray], name: str, read_only: bool):
        shape = self._shape(name)
        dtype = self._device_dtype(values[0].dtype)
        stacked = [_pad_to(v, shape).astype(dtype, copy=False) for v in values]
        host = np.stack(stacked) if self.batched else stacked[0]
        device = self._place(host)
        if read_only and dtype == np.int64 and device.size:
            # indices read-only during the run travel as int32 where they fit: half the
            # bytes per synaptic event (checked on the device: no host pass over them)
            low, high = self.jnp.min(device), self.jnp.max(device)
            if int(low) >= -2**31 and int(high) < 2**31:
                device = device.astype(self.jnp.int32)
        return device

    def _place(self, host: np.ndarray):
        devices = self.options.devices
        if not devices or devices == 1:
            return self.jnp.asarray(host)
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        mesh = Mesh(np.array(self.jax.devices()[:devices]), ("d",))
        split = host.ndim >= 1 and host.shape[0] >= devices and host.shape[0] % devices == 0
        spec = PartitionSpec("d") if split else PartitionSpec()
        return self.jax.device_put(host, NamedSharding(mesh, spec))

    def initial_state(self, source: str) -> tuple[dict, dict]:
        """Device copies of the arrays the step writes, and of those it reads (only those
        its ``source`` names: an unused index array of 10**8 synapses stays on the host)."""
        jnp = self.jnp
        mutable, constant = {}, {}
        lead = (len(self.arrays),) if self.batched else ()
        for decl in self.plan.arrays:
            if decl.name in self.outputs:
                continue
            name = self.canon[decl.name]
            values = [a[decl.name] for a in self.arrays]
            if decl.name in self.written:
                mutable[name] = self._device(values, decl.name, read_only=False)
            elif f"_c['{name}']" in source and _used(source, name):
                constant[name] = self._device(values, decl.name, read_only=True)
            else:
                constant[name] = jnp.zeros(lead + (0,), values[0].dtype)
        mutable["_need"] = jnp.zeros(lead + (max(len(self.keys), 1),), jnp.int64)
        mutable["_status"] = jnp.zeros(lead + (4,), jnp.int64)
        return mutable, constant

    def _fit_queues(self, mutable: dict) -> dict:
        """The delay queues of ``mutable`` padded or cut to their current capacity (what
        is cut is empty: a queue's capacity is never below what it holds)."""
        out = dict(mutable)
        for b in self.plan.blocks:
            if isinstance(b, ir.Pathway) and b.queue:
                name = self.canon[b.queue]
                old, width = out[name], self.capacities[f"{b.name}/queue"]
                if old.shape[-1] > width:
                    out[name] = old[..., :width]
                elif old.shape[-1] < width:
                    out[name] = self.jnp.zeros(old.shape[:-1] + (width,), old.dtype).at[
                        ..., : old.shape[-1]].set(old)
        return out

    def grow(self, need: np.ndarray) -> bool:
        """Enlarge every capacity ``need`` exceeds (with headroom: a rerun costs a chunk)."""
        grown = False
        for k, (name, role) in enumerate(self.keys):
            key = f"{name}/{role}"
            if need[..., k].max() > self.capacities[key]:
                self.capacities[key] = _pow2(int(need[..., k].max()) * 5 // 4 + 1)
                grown = True
        return grown

    def fit(self, need: np.ndarray, probe_steps: int, chunk_steps: int) -> None:
        """Capacities for the rest of the run from what the probe chunk needed."""
        limits = self._limits()
        for k, (name, role) in enumerate(self.keys):
            key = f"{name}/{role}"
            value = int(need[..., k].max())
            if role == "chunk":  # scaled from the probe's length (after "spikes": keys order)
                per_step = value / max(probe_steps, 1)
                spikes = self.capacities[f"{name}/spikes"]
                self.capacities[key] = _round_up(per_step * chunk_steps * 3 // 2 + spikes)
            else:
                self.capacities[key] = _sized(value, limits.get(key))

    def _limits(self) -> dict[str, int]:
        """Capacities past which a larger one changes nothing (all sources spiking)."""
        out = {}
        for b in self.plan.blocks:
            if isinstance(b, ir.Threshold):
                out[f"{b.name}/list"] = self._shape(b.spikes)[0]
            elif isinstance(b, ir.Pathway):
                out[f"{b.name}/sources"] = b.source_stop - b.source_start
            elif isinstance(b, ir.RecordSpikes):
                out[f"{b.name}/spikes"] = b.stop - b.start
        return out

    def config(self) -> Config:
        shapes = {d.name: self._shape(d.name) for d in self.plan.arrays}
        return Config(shapes, dict(self.extents), dict(self.capacities),
                      dict(self.row_lengths), frozenset(self.invariants[0]), self.float)

    def source(self) -> str:
        return JaxRenderer(self.plan, self.config()).source()

    def _unroll(self, constant: dict) -> int:
        if self.options.unroll is not None:
            return self.options.unroll
        if self.jax.default_backend() == "cpu":
            return 1
        per_trial = max((a.size // (len(self.arrays) if self.batched else 1)
                         for a in constant.values()), default=0)
        return 4 if per_trial < 2**20 else 1

    # -- running -------------------------------------------------------------------------------
    def run(self, step0: int, n_steps: int, progress, progress_delay: float,
            stop: StopRequest | None = None):
        """Chunks dispatched ahead; each checked (capacities, NaN) when it is done.

        A stop requested (Ctrl-C) while a chunk is in flight ends the run with the state
        after the last chunk done (the chunks in flight are dropped) and
        :data:`STATUS_INTERRUPTED` at its last step.
        """
        jnp = self.jnp
        clock = _Phases()
        source = self.source()
        buffers = record_buffers(self.plan, self.config())
        mutable, constant = self.initial_state(source)
        mutable = self._fit_queues(mutable)
        _INDEX_CACHE.end_run()
        clock.mark("to device")
        zero = jnp.uint64(0)
        seed = jnp.asarray(self.seeds if self.batched else self.seeds[0])
        unroll = self._unroll(constant)
        records: list[dict] = []
        compile_time = 0.0
        status = np.zeros((len(self.arrays), 4), np.int64)
        budget = max(1, CHUNK_RECORD_BYTES // max(self._record_bytes(), 1))
        chunk_steps = max(1, min(self.options.chunk_steps, budget))
        bar = _Bar(progress, n_steps, progress_delay)
        done = 0
        state, ahead = mutable, []  # state after the last dispatched chunk; chunks in flight
        while done < n_steps:
            while len(ahead) < PIPELINE_DEPTH and (not ahead or not self.probing):
                start = ahead[-1][0] + ahead[-1][1] if ahead else done
                if start >= n_steps:
                    break
                length = min(chunk_steps, n_steps - start)
                if source is None:  # rendered again only when capacities change
                    source = self.source()
                    buffers = record_buffers(self.plan, self.config())
                args = (state, constant, self.scalars, jnp.int64(step0 + start), seed, zero)
                clock.mark("steps")
                program = _compiled(source, length, self.batched, args, buffers, unroll,
                                    stop)
                compile_time += clock.mark("compile")
                if program is STOPPED:  # Ctrl-C while compiling: keep the chunks done
                    break
                new, recs = program(*args)
                _copy_ahead(recs, new)
                ahead.append((start, length, state, new, recs))
                state = {k: v for k, v in new.items() if not k.startswith("_r")}
            if stop is not None and stop.requested and not ahead:
                status[:] = (STATUS_INTERRUPTED, step0 + done - 1, 0, 0)
                break
            if not _wait(new_of(ahead[0]), stop):
                status[:] = (STATUS_INTERRUPTED, step0 + done - 1, 0, 0)
                break
            start, length, before, new, recs = ahead.pop(0)
            need = np.asarray(new["_need"])
            if self.grow(need):  # a buffer was too small: this chunk again, larger
                logger.info("capacities grown to %s; running the chunk again", self.capacities)
                source, ahead, state = None, [], self._fit_queues(before)
                continue
            chunk_status = np.array(new["_status"]).reshape(-1, 4)  # a writable copy
            if self.plan.check_nan and self.plan.check_every > 1:
                self._check_finite(new, chunk_status, step0 + start + length - 1)
            failed = chunk_status[chunk_status[:, 0] != 0, 1]
            if failed.size and int(failed.min()) < step0 + start + length - 1:
                # stop where the Numba loop stops: after the step that failed
                n_steps = start + (int(failed.min()) - (step0 + start)) + 1
                ahead, state = [], before
                continue
            clock.mark("steps")
            records.append(self._host_records(recs, new))
            clock.mark("records to host")
            mutable = {k: v for k, v in new.items() if not k.startswith("_r")}
            done = start + length
            bar.update(done)
            if self.probing:  # size the rest of the run from what the probe needed
                self.fit(need, length, chunk_steps)
                self.probing, source, ahead = False, None, []
                state = self._fit_queues(mutable)
            if chunk_status[:, 0].any():
                status = chunk_status
                break
            if stop is not None and stop.requested and done < n_steps:
                status[:] = (STATUS_INTERRUPTED, step0 + done - 1, 0, 0)
                break
        bar.close()
        _LEARNED[self.signature] = tuple(self.capacities[f"{name}/{role}"]
                                         for name, role in self.keys)
        clock.mark("steps")
        self.phases = clock.totals
        return mutable, records, status, compile_time

    def _check_finite(self, new: dict, status: np.ndarray, step: int) -> None:
        """Mark in ``status`` (one row per trial) the trials whose checked state is NaN or
        infinite after a chunk ending at ``step`` (the default divergence check: one
        reduction per chunk instead of one per step)."""
        jnp = self.jnp
        for which, name in enumerate(self.plan.check_nan):
            values = new[self.canon[name]]
            rows = values.reshape((len(self.arrays), -1) if self.batched else (1, -1))
            bad = np.asarray(jnp.any(~jnp.isfinite(rows), axis=1))
            for trial in np.flatnonzero(bad & (status[:, 0] == 0)):
                element = int(np.argmax(~np.isfinite(np.asarray(rows[trial]))))
                status[trial] = (STATUS_NAN, step, which, element)

    def _host_records(self, recs: dict, new: dict) -> dict:
        """A done chunk's records on the host: per-step rows, spike buffers and their fill
        marks (copies that ``_copy_ahead`` started while the device was busy)."""
        out = {k: np.asarray(v) for k, v in recs.items()}
        for key, value in new.items():
            if key.startswith("_r"):
                out[key] = np.asarray(value)
        return out

    def _record_bytes(self) -> int:
        """Bytes of per-step records (state and rate monitors) one step produces."""
        total = 0
        for b in self.plan.blocks:
            if isinstance(b, ir.RecordState):
                total += 8 * (1 + len(b.columns) * self.arrays[0][b.record_indices].shape[0])
            elif isinstance(b, (ir.RecordSpikes, ir.RecordRate)):
                total += 16
        return total * len(self.arrays)

    # -- results back to the model's arrays ----------------------------------------------------
    def to_host(self, mutable: dict) -> dict:
        """The written arrays copied to the host (once for all trials of a batch)."""
        return {self.canon[name]: np.asarray(mutable[self.canon[name]])
                for name in self.written}

    def results(self, mutable: dict, records: list[dict], trial: int) -> dict:
        """Write trial ``trial``'s state into its arrays; return reallocated arrays."""
        arrays = self.arrays[trial]
        returned = {}
        for name in self.written:
            device = mutable[self.canon[name]]
            value = np.asarray(device[trial] if self.batched else device)
            target = arrays[name]
            decl = next(d for d in self.plan.arrays if d.name == name)
            if decl.growable:
                returned[name] = value.astype(target.dtype)
            else:
                target[...] = value[tuple(slice(0, s) for s in target.shape)]
        for b in self.plan.blocks:
            if isinstance(b, (ir.RecordState, ir.RecordSpikes, ir.RecordRate)):
                returned.update(self._monitor(b, records, trial, arrays))
        return returned

    def _monitor(self, b, records: list[dict], trial: int, arrays: dict) -> dict:
        tag = f"r{self.plan.blocks.index(b)}"

        def get(rec, key):
            value = rec[key if key.startswith("_r") else f"{tag}/{self.canon.get(key, key)}"]
            return value[trial] if self.batched else value

        fill = int(arrays[b.fill][0])
        new: dict[str, list] = {}
        if isinstance(b, ir.RecordState):
            for rec in records:
                rows = get(rec, "flag").astype(bool)
                new.setdefault(b.times, []).append(get(rec, "t")[rows])
                for _, buf in b.columns:
                    new.setdefault(buf, []).append(get(rec, buf)[rows])
        elif isinstance(b, ir.RecordSpikes):
            for rec in records:
                n = get(rec, "n")
                filled = int(get(rec, f"_rf:{tag}"))
                new.setdefault(b.out_index, []).append(get(rec, f"_rb:{tag}:0")[:filled])
                new.setdefault(b.out_step, []).append(np.repeat(get(rec, "step"), n))
                for k, (_, buf) in enumerate(b.columns, start=1):
                    new.setdefault(buf, []).append(get(rec, f"_rb:{tag}:{k}")[:filled])
        else:
            for rec in records:
                rows = get(rec, "flag").astype(bool)
                new.setdefault(b.out_rate, []).append(get(rec, "rate")[rows])
        out = {}
        added = 0
        for name, parts in new.items():
            buffer, added = _append(arrays[name], fill, parts)
            if buffer is not arrays[name]:
                out[name] = buffer
        arrays[b.fill][0] = fill + added
        return out


class _IndexCache:
    """Device copies of the integer arrays the last run read (connectivity: CSR pointers,
    pre/post indices, permutations), reused while the host arrays are unchanged.

    Connectivity is never written in place (``connect`` reallocates), so an array is
    recognised by its identity, address, shape, dtype and a sample of its values; the
    sample also catches an address reused by a new array. Copying 10**8 synapse indices
    to the device would otherwise cost a large network's run a second each time.
    """

    SAMPLE = 4096

    def __init__(self) -> None:
        self.entries: dict[tuple, object] = {}
        self.used: dict[tuple, object] = {}

    def key(self, values: list[np.ndarray], devices: int | None) -> tuple:
        parts: list = [devices]
        for v in values:
            sample = v.reshape(-1)[:: max(1, v.size // self.SAMPLE)][: self.SAMPLE + 1]
            parts.append((id(v), v.__array_interface__["data"][0], v.shape, v.dtype.str,
                          hashlib.sha1(np.ascontiguousarray(sample).tobytes()).hexdigest(),
                          v.reshape(-1)[-1:].tobytes()))
        return tuple(parts)

    def get(self, values: list[np.ndarray], devices: int | None, make):
        key = self.key(values, devices)
        if key not in self.entries:
            self.entries[key] = make()
        self.used[key] = self.entries[key]
        return self.entries[key]

    def end_run(self) -> None:
        """Keep what this run used, free the rest (device memory)."""
        self.entries, self.used = self.used, {}


_INDEX_CACHE = _IndexCache()


def _append(buffer: np.ndarray, fill: int, parts: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Monitor rows ``parts`` written after the first ``fill`` rows of ``buffer``: in place
    when it has room, else into a new buffer twice as large as needed (its untouched pages
    cost no memory), so that a second run of the same length copies nothing old again.
    Returns the buffer and how many rows were added."""
    added = sum(part.shape[0] for part in parts)
    if buffer.shape[0] < fill + added:
        grown = np.empty((2 * (fill + added),) + buffer.shape[1:], buffer.dtype)
        grown[:fill] = buffer[:fill]
        buffer = grown
    at = fill
    for part in parts:
        buffer[at: at + part.shape[0]] = part
        at += part.shape[0]
    return buffer, added


def _used(source: str, name: str) -> bool:
    """Whether the step reads array ``name`` beyond loading it from ``_c``."""
    return len(re.findall(rf"\b{re.escape(name)}\b", source)) > 2


class _Phases:
    """Wall time per phase of a run (``mark(name)`` charges the time since the last mark).

    "steps" is time spent waiting for the device, so it holds the chunks' run time that
    the host's own work (compiling, copying records) did not hide.
    """

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.last = time.perf_counter()

    def mark(self, phase: str) -> float:
        now = time.perf_counter()
        spent, self.last = now - self.last, now
        self.totals[phase] = self.totals.get(phase, 0.0) + spent
        return spent


#: wall time per phase of the last JAX run (``to device``, ``compile``, ``steps``,
#: ``records to host``, ``results``), for benchmarks and ``docs/backends.md``
last_phases: dict[str, float] = {}


class _Bar:
    """A tqdm bar advanced between chunks, created once the run has lasted ``delay`` s."""

    def __init__(self, desc: str | None, total: int, delay: float) -> None:
        self.desc, self.total, self.delay = desc, total, delay
        self.t0 = time.perf_counter()
        self.bar = None

    def update(self, done: int) -> None:
        if self.desc is None:
            return
        if callable(self.desc):  # a report hook: called with the steps done
            self.desc(done)
            return
        if (self.bar is None and done < self.total
                and time.perf_counter() - self.t0 >= self.delay):
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit="step", leave=False)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def execute(plan: ir.Plan, arrays: dict[str, np.ndarray], scalars: dict[str, float],
            step0: int, n_steps: int, seed: int, progress: str | None = None,
            progress_delay: float = 0.0, options: Options | None = None,
            stop: StopRequest | None = None
            ) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    """Run ``n_steps`` steps from ``step0``: the Numba backend's ``execute`` contract.

    ``arrays`` are modified in place; arrays the run reallocated (monitor buffers, delay
    queues) come back in the first dict. ``status`` is ``[code, step, which, element]``.
    ``stop``: Ctrl-C's flag, looked at while waiting for each chunk.
    """
    run = _Run(plan, [arrays], [scalars], [seed], options or Options(), batched=False)
    mutable, records, status, compile_time = run.run(step0, n_steps, progress, progress_delay,
                                                     stop)
    t0 = time.perf_counter()
    returned = run.results(mutable, records, 0)
    _keep_phases(run, time.perf_counter() - t0)
    return returned, status[0], compile_time


def execute_batch(plan: ir.Plan, arrays: list[dict], scalars: list[dict], step0: int,
                  n_steps: int, seeds: list[int], progress: str | None = None,
                  progress_delay: float = 0.0, options: Options | None = None,
                  stop: StopRequest | None = None) -> tuple[list[dict], np.ndarray, float]:
    """Run B plans of the same structure as one program, vectorised over the trials.

    ``arrays[b]``/``scalars[b]``/``seeds[b]`` are trial b's (sizes may differ: arrays are
    padded to the largest). Returns per-trial reallocated arrays, ``status`` (B, 4) and the
    compile time.
    """
    run = _Run(plan, arrays, scalars, seeds, options or Options(), batched=True)
    mutable, records, status, compile_time = run.run(step0, n_steps, progress, progress_delay,
                                                     stop)
    t0 = time.perf_counter()
    host = run.to_host(mutable)
    returned = [run.results(host, records, b) for b in range(len(arrays))]
    _keep_phases(run, time.perf_counter() - t0)
    return returned, status, compile_time


def new_of(chunk: tuple):
    """A dispatched chunk's ``_need`` (ready when the whole chunk is)."""
    return chunk[3]["_need"]


#: longest pause (s) between two looks at a chunk in flight: short next to a chunk's run
#: time, and the next chunk is queued meanwhile, so the device does not wait for the host
WAIT_PAUSE_S = 0.005


def _wait(value, stop: StopRequest | None) -> bool:
    """Wait until the device ``value`` is ready; False if a stop was requested first.

    Blocking in ``np.asarray`` would hold Python's signal handling until the chunk is
    done (seconds for a large network); polling keeps Ctrl-C prompt.
    """
    if stop is None:
        return True
    pause = 1e-4
    while not value.is_ready():
        if stop.requested:
            return False
        time.sleep(pause)
        pause = min(2 * pause, WAIT_PAUSE_S)
    return True


def _copy_ahead(recs: dict, new: dict) -> None:
    """Start copying a dispatched chunk's records to the host: the copies run while the
    device works on the next chunk, instead of after the host has waited for it."""
    for value in [*recs.values(), *(v for k, v in new.items() if k.startswith("_r"))]:
        value.copy_to_host_async()


def _keep_phases(run: _Run, results_s: float) -> None:
    last_phases.clear()
    last_phases.update(run.phases, results=results_s)
    logger.info("JAX run phases (s): %s", {k: round(v, 4) for k, v in last_phases.items()})


STATUS_CODES = {STATUS_NAN: "nan", STATUS_OVERFLOW: "overflow",
                STATUS_INTERRUPTED: "interrupted"}
