"""Render a :class:`spikeloom.ir.Plan` into the source of one JAX step function.

The function advances the state by one time step; :mod:`._run` scans it over many steps
inside one ``jax.jit``. Every block of the plan becomes array code over the elements the
Numba loop visits one at a time, and gives the same numbers:

* loops over elements become slices (``x[start:stop]``) or gathers;
* spike detection compacts the crossing elements in index order (``nonzero``), so every
  later block sees the spikes in the order the Numba loop appends them;
* spike delivery visits the synapses of the spiking sources in the order the Numba loop
  does (spike by spike, each source's synapses in CSR order). Per-synapse writes are to
  distinct elements; writes to a pre- or postsynaptic variable that many synapses share are
  accumulations (``g_post += w``), done with a scatter-add that XLA applies in that same
  order. A kernel whose shared writes are not of that form (it reads what an earlier
  synapse wrote) runs synapse by synapse in a ``fori_loop``, exactly as the Numba loop;
* buffers whose size the Numba loop grows on demand (spikes to deliver, delay queues, spike
  monitors) have a capacity fixed at compile time. The step records in ``_need`` how much
  each one needed; :mod:`._run` grows them and runs the steps again when a capacity was too
  small, so no spike is ever dropped.

Products are printed as ``_nf(a*b)`` (see :mod:`._arith`): XLA would otherwise fuse them
into multiply-adds and round differently from the Numba loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ... import ir
from .._render import ExprPrinter, _Writer, call_templates
from ..status import STATUS_NAN

#: block fields that give element ranges (a number, or the name of a scalar holding it)
BOUNDS = ("start", "stop", "source_start", "source_stop", "target_start", "target_stop")


class JaxPrinter(ExprPrinter):
    """jnp syntax: element-wise functions, ``where`` for conditions, unfused products."""

    FUNCTIONS = {
        "clip": "_clip({0}, {1}, {2})",
        "int_": "_int({0})",
        "timestep": "_timestep({0}, {1}, _z)",
        "log10": "jnp.log10({0})",
        "exprel": "_exprel({0})",
        "floor": "jnp.floor({0})",
        "ceiling": "jnp.ceil({0})",
        "sign": "jnp.sign({0})",
    }

    def _module_format(self, fqn: str, register: bool = True) -> str:
        if fqn.startswith("math."):
            return "jnp." + {"asin": "arcsin", "acos": "arccos", "atan": "arctan",
                             "atan2": "arctan2", "asinh": "arcsinh", "acosh": "arccosh",
                             "atanh": "arctanh"}.get(fqn[5:], fqn[5:])
        return super()._module_format(fqn, register)

    def _print_Mul(self, expr) -> str:
        return f"_nf({super()._print_Mul(expr)})"

    def _print_Pow(self, expr, rational=False) -> str:
        return f"_nf({super()._print_Pow(expr, rational)})"

    def _print_And(self, expr) -> str:
        return " & ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_Or(self, expr) -> str:
        return " | ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_Not(self, expr) -> str:
        return f"jnp.logical_not({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr) -> str:
        *pieces, (last, last_cond) = expr.args
        out = self._print(last)
        if last_cond is not sympy.true:
            out = f"jnp.where({self._print(last_cond)}, {out}, jnp.nan)"
        for value, cond in reversed(pieces):
            out = f"jnp.where({self._print(cond)}, {self._print(value)}, {out})"
        return out

    def _print_Min(self, expr) -> str:
        out = self._print(expr.args[0])
        for arg in expr.args[1:]:
            out = f"jnp.minimum({out}, {self._print(arg)})"
        return out

    def _print_Max(self, expr) -> str:
        out = self._print(expr.args[0])
        for arg in expr.args[1:]:
            out = f"jnp.maximum({out}, {self._print(arg)})"
        return out


@dataclass
class Config:
    """What the step function is compiled for (part of the compile key).

    ``shapes``: array name → shape. ``extents``: scalar name → the largest value it takes
    (loop bounds over synapses). ``capacities``: capacity key → size (see
    :meth:`JaxRenderer.capacity_keys`). ``row_lengths``: pathway name → the longest CSR row.
    ``host_invariants``: invariant names computed before the run and passed as scalars.
    """

    shapes: dict[str, tuple[int, ...]]
    extents: dict[str, int]
    capacities: dict[str, int]
    row_lengths: dict[str, int]
    host_invariants: frozenset[str] = frozenset()
    float_dtype: str = "float64"

    def key(self) -> tuple:
        return (tuple(sorted(self.shapes.items())), tuple(sorted(self.extents.items())),
                tuple(sorted(self.capacities.items())),
                tuple(sorted(self.row_lengths.items())), tuple(sorted(self.host_invariants)),
                self.float_dtype)


@dataclass
class _Context:
    """Where a kernel runs: its element vector and which elements are real."""

    idx: str  # local holding the element indices (a vector)
    valid: str | None = None  # local holding a bool mask, None: all
    start: int | None = None  # contiguous elements start, start+1, ...: loads are slices
    length: int = 0


def _uniform_sets(kernel: ir.Kernel, shared: dict) -> set[str]:
    """Shared locals every element sets to the same value (``lastspike_pre = t``).

    Such a write may run for all elements at once: whatever the order, the array ends with
    that value, and each element reads it afterwards. It qualifies when it is the local's
    only writer, an ``=`` whose value uses no per-element name (only scalars, invariants,
    ``t``, ``dt``), and no statement before it reads the local.
    """
    per_element = ({name for name, _ in kernel.loads} | {n for n, _, _ in kernel.indices}
                   | {d.symbol for d in kernel.draws}
                   | {st.target for st in kernel.statements})
    out = set()
    for local in shared:
        writers = [k for k, st in enumerate(kernel.statements) if st.target == local]
        if len(writers) != 1:
            continue
        k = writers[0]
        st = kernel.statements[k]
        if st.op != "=" or ir.symbol_names(st.expr) & per_element:
            continue
        if any(local in ir.symbol_names(s.expr) for s in kernel.statements[:k]):
            continue
        out.add(local)
    return out


def accumulations(kernel: ir.Kernel) -> dict | None:
    """How the shared (non-``_idx``) writes of ``kernel`` can be done for all elements at once.

    Returns ``{local: (statement index, delta, condition, sign)}`` for the writes done as
    scatter-adds (empty when every write is per element or a uniform set, see
    :func:`_uniform_sets`), or None when some shared write is neither, in which case the
    kernel must run element by element.
    """
    shared = {name: ref for name, ref in kernel.stores if ref.index != "_idx"}
    if not shared:
        return {}
    loads = dict(kernel.loads)
    refs: dict[str, set] = {}
    for name, ref in list(kernel.loads) + list(kernel.stores):
        refs.setdefault(ref.array, set()).add((name, ref.index))
    stored_arrays = {ref.array for _, ref in kernel.stores}
    for array in stored_arrays:
        if len(refs[array]) > 1:  # one array seen through two indices: order matters
            return None
    uniform = _uniform_sets(kernel, shared)
    added = {name: ref for name, ref in shared.items() if name not in uniform}
    out = {}
    for local, ref in added.items():
        if loads.get(local) != ref:
            return None
        writers = [k for k, st in enumerate(kernel.statements) if st.target == local]
        if len(writers) != 1:
            return None
        k = writers[0]
        if any(local in ir.symbol_names(st.expr)
               for j, st in enumerate(kernel.statements) if j != k):
            return None
        st = kernel.statements[k]
        cond = None
        sign = 1
        if st.op in ("+=", "-="):
            delta, sign = st.expr, (1 if st.op == "+=" else -1)
        elif st.op == "=":
            expr = st.expr
            if isinstance(expr, sympy.Piecewise) and len(expr.args) == 2:
                (value, cond), (other, always) = expr.args
                if always is not sympy.true or not (isinstance(other, sympy.Symbol)
                                                     and other.name == local):
                    return None
                expr = value
            if not isinstance(expr, sympy.Add) or len(expr.args) != 2:
                return None
            a, b = expr.args
            if isinstance(a, sympy.Symbol) and a.name == local:
                delta = b
            elif isinstance(b, sympy.Symbol) and b.name == local:
                delta = a
            else:
                return None
        else:
            return None
        used = ir.symbol_names(delta) | (ir.symbol_names(cond) if cond is not None else set())
        if used & set(added):
            return None
        out[local] = (k, delta, cond, sign)
    return out


class JaxRenderer:
    """Turns a plan into the source of ``step(_m, _c, _sc, _step, _seed, _z)``.

    ``_m`` holds the arrays the step writes (and returns), ``_c`` those it only reads,
    ``_sc`` the scalars; ``_z`` is a run-time zero (:mod:`._arith`). The function returns
    ``(new _m, records)``: records are this step's monitor rows, stacked by the scan.
    """

    def __init__(self, plan: ir.Plan, config: Config) -> None:
        self.plan = plan
        self.config = config
        self.printer = JaxPrinter(call_templates(plan))
        self.w = _Writer()
        self.written = written_arrays(plan)
        self._cap_ids = {key: k for k, key in enumerate(self.capacity_keys(plan))}
        self._n = 0

    # -- names -------------------------------------------------------------------------------
    def fresh(self, stem: str) -> str:
        self._n += 1
        return f"_j{stem}{self._n}"

    @staticmethod
    def capacity_keys(plan: ir.Plan) -> list[tuple[str, str]]:
        """(block name, role) of every capacity, in the order of ``_need``."""
        keys = []
        for b in plan.blocks:
            if isinstance(b, ir.Threshold):
                keys.append((b.name, "list"))
            elif isinstance(b, ir.Pathway):
                keys.append((b.name, "sources"))
                if b.queue:
                    keys.append((b.name, "queue"))
            elif isinstance(b, ir.RecordSpikes):
                keys.append((b.name, "spikes"))
                keys.append((b.name, "chunk"))
        return keys

    def _cap(self, block: ir.Block, role: str) -> tuple[int, int]:
        """(position in ``_need``, size) of ``block``'s capacity ``role``."""
        return self._cap_ids[(block.name, role)], self.config.capacities[
            f"{block.name}/{role}"]

    def _need(self, cid: int, value: str) -> None:
        """Record what capacity ``cid`` needed this step (gathered into ``_need`` once, at
        the end of the step: one small kernel instead of one per capacity)."""
        local = self.fresh("need")
        self.w(f"{local} = jnp.asarray({value}, jnp.int64)")
        self.needs.append((cid, local))

    # -- kernels -----------------------------------------------------------------------------
    def expr(self, e) -> str:
        return self.printer.doprint(e)

    def statement(self, st) -> None:
        value = self.expr(st.expr)
        if st.guard is not None:  # a guarded temporary ('=' only): 0 where it does not run
            old = "0.0" if st.declare else st.target
            self.w(f"{st.target} = jnp.where({self.expr(st.guard)}, {value}, {old})")
        elif st.op == "=":
            self.w(f"{st.target} = {value}")
        elif st.op in ("*=", "/="):
            wrap = "_nf" if st.op == "*=" else ""
            self.w(f"{st.target} = {wrap}({st.target} {st.op[0]} ({value}))")
        else:
            self.w(f"{st.target} = {st.target} {st.op[0]} ({value})")

    def _load(self, name: str, array: str, index: str, ctx: _Context) -> None:
        if index == "_idx" and ctx.start is not None:
            self.w(f"{name} = {array}[{ctx.start}:{ctx.start + ctx.length}]")
        elif index == "0":
            self.w(f"{name} = {array}[0]")
        else:
            self.w(f"{name} = _get({array}, {index})")

    def kernel(self, kernel: ir.Kernel, ctx: _Context) -> None:
        """The kernel over all elements of ``ctx`` (element by element when it must)."""
        acc = accumulations(kernel)
        if acc is None:
            self._sequential(kernel, ctx)
        else:
            self._vector(kernel, ctx, acc)

    def _vector(self, kernel: ir.Kernel, ctx: _Context, acc: dict) -> None:
        w = self.w
        w(f"_idx = {ctx.idx}")
        for name, array, from_index in kernel.indices:
            self._load(name, array, from_index, ctx)
        for name, ref in kernel.loads:
            if name not in acc:
                self._load(name, ref.array, ref.index, ctx)
        for draw in kernel.draws:
            fn = "rng_uniform" if draw.kind == "uniform" else "rng_normal"
            w(f"{draw.symbol} = {fn}(_seed, _step, _idx, {draw.stream}, _z).astype(_F)")
        deltas = {}
        for k, st in enumerate(kernel.statements):
            hit = acc.get(st.target)
            if hit is not None and hit[0] == k:
                _, delta, cond, sign = hit
                value = self.expr(delta)
                if sign < 0:
                    value = f"-({value})"
                if cond is not None:
                    value = f"jnp.where({self.expr(cond)}, {value}, 0.0)"
                deltas[st.target] = self.fresh("d")
                w(f"{deltas[st.target]} = {value}")
            else:
                self.statement(st)
        valid = ctx.valid or "True"
        for name, ref in kernel.stores:
            if name in deltas:
                w(f"{ref.array} = _scatter_add({ref.array}, {ref.index}, {deltas[name]}, "
                  f"{valid})")
            elif ref.index == "_idx" and ctx.start is not None:
                extra = f", {ctx.valid}" if ctx.valid else ""
                w(f"{ref.array} = _set_slice({ref.array}, {ctx.start}, "
                  f"jnp.broadcast_to({name}, ({ctx.length},)){extra})")
            elif ref.index == "0":
                w(f"{ref.array} = {ref.array}.at[0].set({name})")
            else:
                w(f"{ref.array} = _scatter_set({ref.array}, {ref.index}, {name}, {valid})")

    def _sequential(self, kernel: ir.Kernel, ctx: _Context) -> None:
        """One element after the other (``fori_loop``), as the Numba loop runs it."""
        w = self.w
        stored = sorted({ref.array for _, ref in kernel.stores})
        idx, valid = self.fresh("ev"), self.fresh("ok")
        if ctx.start is not None:
            w(f"{idx} = jnp.arange({ctx.start}, {ctx.start + ctx.length})")
        else:
            w(f"{idx} = {ctx.idx}")
        w(f"{valid} = jnp.broadcast_to({ctx.valid or 'True'}, {idx}.shape)")
        body = self.fresh("seq")
        carry = "(" + "".join(f"{a}, " for a in stored) + ")"
        w(f"def {body}(_k, _carry):")
        with w.indent():
            w(f"{carry} = _carry")
            one = _Context(f"lax.dynamic_slice_in_dim({idx}, _k, 1)",
                           f"lax.dynamic_slice_in_dim({valid}, _k, 1)")
            w(f"_one = {one.valid}")
            self._vector(kernel, _Context(one.idx, "_one"), {})
            w(f"return {carry}")
        w(f"{carry} = lax.fori_loop(0, {idx}.shape[0], {body}, {carry})")

    def prologue(self, *kernels: ir.Kernel) -> None:
        for kernel in kernels:
            for st in kernel.invariants:
                if st.target not in self.config.host_invariants:
                    self.statement(st)

    # -- blocks ------------------------------------------------------------------------------
    def block(self, block: ir.Block) -> None:
        self.tag = f"r{self.plan.blocks.index(block)}"
        block = self._static_bounds(block)
        w = self.w
        w(f"# {type(block).__name__}")
        w(f"t = _nf((_step // {block.every}) * {block.dt}).astype(_F)")
        w(f"dt = {block.dt}")
        self.prologue(*ir._plan._kernels(block))
        if block.every == 1:
            w("_flag = True")
            getattr(self, "_" + type(block).__name__)(block)
            return
        w(f"_flag = (_step % {block.every}) == 0")
        mark = len(w.lines)
        getattr(self, "_" + type(block).__name__)(block)
        changed = sorted(self.written & _assigned(w.lines[mark:]))
        snapshot = [" " * 4 * w.depth + f"_old_{a} = {a}" for a in changed]
        w.lines[mark:mark] = snapshot
        for a in changed:
            w(f"{a} = jnp.where(_flag, {a}, _old_{a})")

    def _static_bounds(self, block: ir.Block) -> ir.Block:
        """Element ranges named by a scalar (a group's size) as numbers: they are shapes."""
        import dataclasses

        changes = {}
        for name in BOUNDS:
            value = getattr(block, name, None)
            if isinstance(value, str) and not (isinstance(block, ir.ElementLoop)
                                               and name == "stop"):
                changes[name] = self.config.extents[value]
        return dataclasses.replace(block, **changes) if changes else block

    def _ElementLoop(self, b: ir.ElementLoop) -> None:
        if isinstance(b.stop, str):
            length = self.config.extents[b.stop] - b.start
            self.w(f"_live = jnp.arange({b.start}, {b.start + length}) < {b.stop}")
            ctx = _Context(f"jnp.arange({b.start}, {b.start + length})", "_live", b.start,
                           length)
        else:
            ctx = _Context(f"jnp.arange({b.start}, {b.stop})", None, b.start,
                           b.stop - b.start)
        if ctx.length > 0:
            self.kernel(b.kernel, ctx)

    def _spike_list(self, spikes: str, count: str, start: int, stop: int) -> str:
        """A mask over the spike list ``spikes`` of the valid spikes within [start, stop)."""
        n = self.config.shapes[spikes][0]
        mask = self.fresh("sv")
        self.w(f"{mask} = (jnp.arange({n}) < {count}[0]) & ({spikes} >= {start}) & "
               f"({spikes} < {stop})")
        return mask

    def _Threshold(self, b: ir.Threshold) -> None:
        w = self.w
        n = b.stop - b.start
        size = self.config.shapes[b.spikes][0]
        ctx = _Context(f"jnp.arange({b.start}, {b.stop})", None, b.start, n)
        self.kernel(b.kernel, ctx)
        w(f"_cond = jnp.broadcast_to(_cond, ({n},))")
        cum = self.fresh("cum")
        w(f"{cum} = _prefix(_cond)")
        cid, capacity = self._cap(b, "list")
        if capacity >= size:
            w(f"_pos, _cnt = _compact(_cond, {size}, {cum})")
            w(f"{b.spikes} = (_pos + {b.start}).astype({b.spikes}.dtype)")
        else:  # only the head of the list is written: entries past the count are unused
            w(f"_pos, _cnt = _compact(_cond, {capacity}, {cum})")
            self._need(cid, "_cnt")
            w(f"{b.spikes} = lax.dynamic_update_slice_in_dim({b.spikes}, "
              f"(_pos + {b.start}).astype({b.spikes}.dtype), 0, 0)")
        w(f"{b.count} = _cnt.reshape(1).astype({b.count}.dtype)")
        if b.every == 1:
            self.masks[b.spikes] = (self.fresh("mask"), b.start, b.stop, cum)
            w(f"{self.masks[b.spikes][0]} = _cond")
        if b.after.statements or b.after.stores:
            self.kernel(b.after, _Context(ctx.idx, "_cond", b.start, n))

    def _GeneratorEmit(self, b: ir.GeneratorEmit) -> None:
        w = self.w
        size = self.config.shapes[b.spikes][0]
        n_events = self.config.shapes[b.event_steps][0]
        w(f"_local = _step // {b.every}")
        if b.period:
            w(f"_local = _local % {b.period}")
            w(f"{b.pointer} = jnp.where(_local == 0, 0, {b.pointer})")
        w(f"_p = {b.pointer}[0]")
        if n_events:
            w(f"_hi = jnp.searchsorted({b.event_steps}, _local, side='right')")
            w(f"_n = jnp.where((_p < {n_events}) & (_get({b.event_steps}, _p) == _local), "
              "jnp.maximum(_hi - _p, 0), 0)")
            w(f"_n = jnp.minimum(_n, {size})")
            w(f"_k = jnp.arange({size})")
            w(f"{b.spikes} = jnp.where(_k < _n, _get({b.event_indices}, _p + _k), "
              f"{b.spikes}).astype({b.spikes}.dtype)")
        else:
            w("_n = jnp.int64(0)")
        w(f"{b.pointer} = (_p + _n).reshape(1).astype({b.pointer}.dtype)")
        w(f"{b.count} = jnp.asarray(_n).reshape(1).astype({b.count}.dtype)")
        if b.after.statements or b.after.stores:
            w(f"_emitted = jnp.arange({size}) < _n")
            self.kernel(b.after, _Context(b.spikes, "_emitted"))

    def _mask_covering(self, spikes: str, start: int, stop: int):
        hit = self.masks.get(spikes)
        if hit is None or not (hit[1] <= start and stop <= hit[2]):
            return None
        return f"{hit[0]}[{start - hit[1]}:{stop - hit[1]}]"

    def _range(self, spikes: str, start: int, stop: int) -> tuple[str, str] | None:
        """(lo, hi): the spikes of elements in [start, stop) are ``spikes[lo:hi]``.

        Only for the spike list a threshold of this step made (ascending): its running
        count gives both ends, so no second compaction is needed. None otherwise.
        """
        hit = self.masks.get(spikes)
        if hit is None or not (hit[1] <= start and stop <= hit[2]) or stop <= start:
            return None
        cum, first = hit[3], hit[1]
        lo = "jnp.int32(0)" if start == first else f"{cum}[{start - first - 1}]"
        return lo, f"{cum}[{stop - first - 1}]"

    def _take_range(self, spikes: str, lo: str, size: int) -> str:
        """``spikes[lo:lo+size]`` (entries past the list are clipped; callers mask them)."""
        return f"_get({spikes}, {lo} + jnp.arange({size}, dtype=jnp.int32))"

    def _SpikeLoop(self, b: ir.SpikeLoop) -> None:
        if b.stop <= b.start:
            return
        dense = self._mask_covering(b.spikes, b.start, b.stop)
        per_element = all(ref.index == "_idx" for _, ref in b.kernel.stores)
        if dense is not None and per_element:
            self.w(f"_in = {dense}")
            self.kernel(b.kernel, _Context(f"jnp.arange({b.start}, {b.stop})", "_in",
                                           b.start, b.stop - b.start))
        else:
            mask = self._spike_list(b.spikes, b.count, b.start, b.stop)
            self.kernel(b.kernel, _Context(b.spikes, mask))

    def _sources(self, b: ir.Pathway) -> tuple[str, str, str]:
        """(positions-or-values, how many, kind): this step's spiking sources, relative to
        ``source_start``, in spike order."""
        dense = self._mask_covering(b.source_spikes, b.source_start, b.source_stop)
        if dense is not None:  # spikes of a threshold are ascending: compact the mask
            return dense, f"{b.source_stop - b.source_start}", "mask"
        mask = self._spike_list(b.source_spikes, b.source_count, b.source_start,
                                b.source_stop)
        return mask, f"{self.config.shapes[b.source_spikes][0]}", "list"

    def _compact_sources(self, b: ir.Pathway, mask: str, n: str, kind: str,
                         capacity: int, cid: int | None) -> tuple[str, str]:
        """(sources, valid) vectors of length ``min(capacity, n)``."""
        w = self.w
        src, ok = self.fresh("src"), self.fresh("srcok")
        size = int(n)
        if capacity >= size:  # every slot can hold a spike: no compaction needed
            w(f"{src} = {self._source_at(b, kind, None, size)}")
            w(f"{ok} = {mask}")
            return src, ok
        span = self._range(b.source_spikes, b.source_start, b.source_stop)
        if span is not None:  # a slice of the threshold's ascending spike list
            lo, hi = span
            w(f"_cnt = {hi} - {lo}")
            value = f"{self._take_range(b.source_spikes, lo, capacity)} - {b.source_start}"
        else:
            w(f"_pos, _cnt = _compact({mask}, {capacity})")
            value = self._source_at(b, kind, "_pos", size)
        if cid is not None:
            self._need(cid, "_cnt")
        w(f"{src} = {value}")
        w(f"{ok} = jnp.arange({capacity}) < _cnt")
        return src, ok

    @staticmethod
    def _source_at(b: ir.Pathway, kind: str, positions: str | None, size: int) -> str:
        """The sources (relative to ``source_start``) at ``positions`` of the mask or spike
        list that ``_sources`` returned (``None``: at every position)."""
        if kind == "mask":  # a position in the source range is the source
            return positions or f"jnp.arange({size})"
        if positions is None:
            return f"({b.source_spikes} - {b.source_start})"
        return f"(_get({b.source_spikes}, {positions}) - {b.source_start})"

    def _synapses_of(self, b: ir.Pathway, src: str, ok: str) -> tuple[str, str]:
        """(synapse indices, valid) of the sources ``src``: row by row, CSR order.

        A (sources x longest row) block. Laying the rows end to end instead wastes no
        slot on short rows, but finding each slot's row costs a scan over the events,
        which made COBA 2x slower on an H200 (measured, see ``docs/backends.md``).
        """
        return self._rows(b.ptr, b.order, self.config.row_lengths[b.name], src, ok, "syn")

    def _rows(self, ptr: str, order: str, width: int, rows: str, ok: str,
              stem: str) -> tuple[str, str]:
        """(entries, valid) of the CSR rows ``rows`` of ``ptr`` (through ``order`` unless
        empty), as a flattened (rows x ``width``) block."""
        w = self.w
        width = max(width, 1)
        entry, live = self.fresh(stem), self.fresh("live")
        w(f"_row0 = _get({ptr}, {rows})")
        w(f"_rowlen = _get({ptr}, {rows} + 1) - _row0")
        w(f"_col = jnp.arange({width}, dtype=_row0.dtype)")
        w("_p = (_row0[:, None] + _col[None, :]).reshape(-1)")
        w(f"{live} = ((_col[None, :] < _rowlen[:, None]) & {ok}[:, None]).reshape(-1)")
        w(f"{entry} = _get({order}, _p)" if order else f"{entry} = _p")
        return entry, live

    def _Pathway(self, b: ir.Pathway) -> None:
        w = self.w
        cid, capacity = self._cap(b, "sources")
        mask, n, kind = self._sources(b)
        if not b.queue:
            src, ok = self._compact_sources(b, mask, n, kind, capacity, cid)
            syn, live = self._synapses_of(b, src, ok)
            self.kernel(b.kernel, _Context(syn, live))
            return
        qid, qcap = self._cap(b, "queue")
        q, qn = b.queue, b.queue_count
        slots = self.config.shapes[qn][0]
        if not b.per_synapse_delay:
            # push this step's sources into the slot due in delay_steps steps
            size = int(n)
            w(f"_slot = (_step + {b.delay_steps}) % {slots}")
            span = self._range(b.source_spikes, b.source_start, b.source_stop)
            if span is not None:
                w(f"_cnt = {span[1]} - {span[0]}")
                value = f"({self._take_range(b.source_spikes, span[0], size)} - {b.source_start})"
            else:
                w(f"_pos, _cnt = _compact({mask}, {size})")
                value = self._source_at(b, kind, "_pos", size)
            w(f"_at = {qn}[_slot] + jnp.arange({size})")
            w(f"_at = jnp.where(jnp.arange({size}) < _cnt, _at, {qcap})")
            self._need(qid, f"{qn}[_slot] + _cnt")
            w(f"{q} = {q}.at[_slot, _at].set({value}.astype({q}.dtype), mode='drop')")
            w(f"{qn} = {qn}.at[_slot].add(_cnt)")
            # deliver the sources due now
            w(f"_slot = _step % {slots}")
            w(f"_due = {qn}[_slot]")
            take = min(capacity, qcap)
            src, ok = self.fresh("src"), self.fresh("srcok")
            w(f"{src} = {q}[_slot, :{take}]")
            w(f"{ok} = jnp.arange({take}) < _due")
            self._need(cid, "_due")
            syn, live = self._synapses_of(b, src, ok)
            self.kernel(b.kernel, _Context(syn, live))
            w(f"{qn} = {qn}.at[_slot].set(0)")
            return
        # per-synapse delays: push each delay group of the spiking sources into the slot of
        # its delay, in order (ir.Pathway: the queue holds groups, ptr indexes groups)
        src, ok = self._compact_sources(b, mask, n, kind, capacity, cid)
        grp, live = self._rows(b.source_groups, "", self.config.row_lengths[f"{b.name}/groups"],
                               src, ok, "grp")
        w(f"_dslot = (_step + _get({b.delay_steps}, {grp})) % {slots}")
        w(f"_hit = (_dslot[:, None] == jnp.arange({slots})[None, :]) & {live}[:, None]")
        w("_cum = jnp.cumsum(_hit.astype(jnp.int32), axis=0)")
        w("_rank = jnp.take_along_axis(_cum, _dslot[:, None], axis=1)[:, 0] - 1")
        w(f"_at = _get({qn}, _dslot) + _rank")
        w(f"_at = jnp.where({live}, _at, {qcap})")
        w(f"_total = _cum[-1] if _cum.shape[0] else jnp.zeros({slots}, jnp.int32)")
        self._need(qid, f"jnp.max({qn} + _total)")
        w(f"{q} = {q}.at[_dslot, _at].set({grp}.astype({q}.dtype), mode='drop')")
        w(f"{qn} = {qn} + _total")
        w(f"_slot = _step % {slots}")
        w(f"_due = jnp.arange({qcap}) < {qn}[_slot]")
        syn, live = self._synapses_of(b, f"{q}[_slot]", "_due")
        self.kernel(b.kernel, _Context(syn, live))
        w(f"{qn} = {qn}.at[_slot].set(0)")

    def _Summed(self, b: ir.Summed) -> None:
        w = self.w
        w(f"{b.target} = {b.target}.at[{b.target_start}:{b.target_stop}].set(0.0)")
        length = self.config.extents[b.n_synapses]
        if length == 0:
            return
        w(f"_live = jnp.arange({length}) < {b.n_synapses}")
        ctx = _Context(f"jnp.arange(0, {length})", "_live", 0, length)
        self._vector(b.kernel, ctx, {})
        w(f"_post_of = {b.post_index}[0:{length}]")
        w(f"{b.target} = _scatter_add({b.target}, _post_of, "
          f"jnp.broadcast_to(_summand, ({length},)), _live)")

    def _TreeSolve(self, b: ir.TreeSolve) -> None:
        """The Numba backend's elimination and substitution (``ir.TreeSolve``), vertex by
        vertex in ``fori_loop``s, with the same operations in the same order."""
        w, n = self.w, b.size
        has, at = self.fresh("has"), self.fresh("at")
        w(f"{has} = {b.element} >= 0")
        w(f"{at} = jnp.where({has}, {b.element}, 0)")
        w(f"{b.work_diagonal} = {b.diagonal} + jnp.where({has}, {b.element_diagonal}[{at}], 0.0)")
        w(f"{b.work_rhs} = jnp.where({has}, {b.element_rhs}[{at}], 0.0)")
        eliminate, substitute = self.fresh("elim"), self.fresh("subst")
        w(f"def {eliminate}(_k, _carry):")
        with w.indent():
            w("_d, _r = _carry")
            w(f"_j = {n - 1} - _k")
            w("_inv = 1.0 / _d[_j]")
            w("_d = _d.at[_j].set(_inv)")
            w(f"_p = {b.parent}[_j]")
            w("_q = jnp.maximum(_p, 0)")
            w(f"_f = {b.coupling}[_j] * _inv")
            w(f"_d = _d.at[_q].set(jnp.where(_p >= 0, _d[_q] - _nf(_f * {b.coupling}[_j]), "
              "_d[_q]))")
            w("_r = _r.at[_q].set(jnp.where(_p >= 0, _r[_q] + _nf(_f * _r[_j]), _r[_q]))")
            w("return _d, _r")
        w(f"{b.work_diagonal}, {b.work_rhs} = lax.fori_loop(0, {n}, {eliminate}, "
          f"({b.work_diagonal}, {b.work_rhs}))")
        w(f"def {substitute}(_j, _r):")
        with w.indent():
            w(f"_p = {b.parent}[_j]")
            w("_q = jnp.maximum(_p, 0)")
            w(f"_num = jnp.where(_p >= 0, _r[_j] + _nf({b.coupling}[_j] * _r[_q]), _r[_j])")
            w(f"return _r.at[_j].set(_num * {b.work_diagonal}[_j])")
        w(f"{b.work_rhs} = lax.fori_loop(0, {n}, {substitute}, {b.work_rhs})")
        w(f"{b.solution} = {b.solution}.at[jnp.where({has}, {b.element}, "
          f"{b.solution}.shape[0])].set({b.work_rhs}, mode='drop')")

    def _record_columns(self, columns, size: int) -> None:
        for local, buf in columns:
            self.w(f"_rec['{self.tag}/{buf}'] = jnp.broadcast_to({local}, ({size},))"
                   f".astype(_dtype['{buf}'])")

    def _RecordState(self, b: ir.RecordState) -> None:
        w = self.w
        n = self.config.shapes[b.record_indices][0]
        self._vector(b.kernel, _Context(b.record_indices, None), {})
        w(f"_rec['{self.tag}/flag'] = jnp.asarray(_flag)")
        w(f"_rec['{self.tag}/t'] = t")
        self._record_columns(b.columns, n)

    def _RecordSpikes(self, b: ir.RecordSpikes) -> None:
        """This step's spikes appended to the chunk's buffers (kept on the device: only
        how many there were is a per-step record)."""
        w = self.w
        cid, capacity = self._cap(b, "spikes")
        kid, _ = self._cap(b, "chunk")
        span = self._range(b.spikes, b.start, b.stop)
        if span is not None:
            w(f"_cnt = {span[1]} - {span[0]}")
            w(f"_hits = {self._take_range(b.spikes, span[0], capacity)}")
        else:
            mask = self._spike_list(b.spikes, b.count, b.start, b.stop)
            w(f"_pos, _cnt = _compact({mask}, {capacity})")
            w(f"_hits = _get({b.spikes}, _pos)")
        self._need(cid, "_cnt")
        w(f"_ok = jnp.arange({capacity}) < _cnt")
        self._vector(b.kernel, _Context("_hits", "_ok"), {})
        fill = _buffer_local(f"_rf:{self.tag}")
        values = [f"_hits - {b.start}"] + [local for local, _ in b.columns]
        for k, value in enumerate(values):
            buf = _buffer_local(f"_rb:{self.tag}:{k}")
            w(f"{buf} = lax.dynamic_update_slice_in_dim({buf}, jnp.broadcast_to({value}, "
              f"({capacity},)).astype({buf}.dtype), {fill}, 0)")
        w(f"_n = jnp.where(_flag, jnp.minimum(_cnt, {capacity}), 0).astype(jnp.int32)")
        w(f"{fill} = {fill} + _n")
        self._need(kid, fill)
        w(f"_rec['{self.tag}/n'] = _n")
        w(f"_rec['{self.tag}/step'] = _step // {b.every}")

    def _RecordRate(self, b: ir.RecordRate) -> None:
        w = self.w
        span = self._range(b.spikes, b.start, b.stop)
        if span is not None:
            count = f"({span[1]} - {span[0]})"
        else:
            count = f"jnp.sum({self._spike_list(b.spikes, b.count, b.start, b.stop)})"
        w(f"_rec['{self.tag}/flag'] = jnp.asarray(_flag)")
        w(f"_rec['{self.tag}/rate'] = {count} / ({b.stop - b.start} * dt)")

    # -- whole function ----------------------------------------------------------------------
    def source(self) -> str:
        plan, w = self.plan, self.w
        self.masks: dict[str, tuple[str, int, int, str]] = {}
        self.needs: list[tuple[int, str]] = []
        w.lines = []
        w("import jax")
        w("import jax.numpy as jnp")
        w("from jax import lax")
        w("from spikeloom.backends.jax._arith import unfused")
        w("from spikeloom.backends.jax._rng import rng_normal, rng_uniform")
        w("from spikeloom.backends.jax._support import (_clip, _compact, _exprel, _get, _int,")
        w("    _prefix, _scatter_add, _scatter_set, _set_slice, _ta1, _ta2, _timestep)")
        w("")
        w(f"_F = jnp.{self.config.float_dtype}")
        if plan.functions:  # traced with jax.numpy, or called back on the host (see _user)
            w("from spikeloom.backends.jax._user import user_function")
        for function in plan.functions:
            w(f"{function.name} = user_function({function.key!r}, "
              f"{self.config.float_dtype!r})")
        w("")
        w("")
        w("def step(_m, _c, _sc, _step, _seed, _z):")
        with w.indent():
            w("_nf = lambda x: unfused(x, _z)")
            outputs = monitor_arrays(plan)
            w("_dtype = {}")
            for decl in plan.arrays:
                if decl.name in outputs:  # filled on the host from the step's records
                    w(f"_dtype['{decl.name}'] = jnp.dtype('{decl.dtype}')")
                    continue
                where = "_m" if decl.name in self.written else "_c"
                w(f"{decl.name} = {where}['{decl.name}']")
            for name, _ in plan.scalars:
                w(f"{name} = _sc['{name}']")
            for name in sorted(self.config.host_invariants):
                w(f"{name} = _sc['{name}']")
            w("_need = _m['_need']")
            w("_status = _m['_status']")
            buffers = record_buffers(plan, self.config)
            for key in buffers:
                w(f"{_buffer_local(key)} = _m['{key}']")
            w("_rec = {}")
            for block in plan.blocks:
                self.block(block)
            if self.needs:
                slots = ", ".join(str(cid) for cid, _ in self.needs)
                values = ", ".join(local for _, local in self.needs)
                w(f"_need = _need.at[jnp.array([{slots}])].max(jnp.stack([{values}]))")
            # every step when asked (check_nan=True); the default check (check_every > 1)
            # is made by the host after each chunk, at no cost to the step
            checked = plan.check_nan if plan.check_every == 1 else ()
            for which, name in enumerate(checked):
                w(f"_bad = ~jnp.isfinite({name})")
                w("_hit = jnp.any(_bad) & (_status[0] == 0)")
                w(f"_status = jnp.where(_hit, jnp.stack([jnp.int64({STATUS_NAN}), _step, "
                  f"jnp.int64({which}), jnp.argmax(_bad).astype(jnp.int64)]), _status)")
            out = ", ".join([f"'{a}': {a}" for a in sorted(self.written)]
                            + [f"'{key}': {_buffer_local(key)}" for key in buffers])
            w(f"return {{{out}{', ' if out else ''}'_need': _need, '_status': _status}}, _rec")
        # names by position: the same model under other object names is the same program
        return self.plan.rename("\n".join(w.lines) + "\n")


def record_buffers(plan: ir.Plan, config: Config) -> dict[str, tuple[tuple[int, ...], str]]:
    """Buffers a chunk appends spike-monitor records to: key → (shape, dtype).

    ``_rb:{tag}:0`` holds the indices, ``_rb:{tag}:k`` column k; ``_rf:{tag}`` how many
    entries are filled. A chunk starts them empty; each step writes its whole per-step
    capacity at the fill mark, so they are longer than the chunk capacity by that much.
    """
    out = {}
    for position, b in enumerate(plan.blocks):
        if not isinstance(b, ir.RecordSpikes):
            continue
        tag = f"r{position}"
        length = (config.capacities[f"{b.name}/chunk"]
                  + config.capacities[f"{b.name}/spikes"])
        dtypes = ["int32"] + [_decl(plan, buf).dtype for _, buf in b.columns]
        for k, dtype in enumerate(dtypes):
            out[f"_rb:{tag}:{k}"] = ((length,), dtype)
        out[f"_rf:{tag}"] = ((), "int32")
    return out


def _buffer_local(key: str) -> str:
    return key.replace(":", "_")


def _decl(plan: ir.Plan, name: str) -> ir.ArrayDecl:
    return next(d for d in plan.arrays if d.name == name)


def monitor_arrays(plan: ir.Plan) -> set[str]:
    """Monitor buffers and fill counters: the host appends the step's records to them."""
    out: set[str] = set()
    for b in plan.blocks:
        if isinstance(b, ir.RecordState):
            out |= {b.times, b.fill} | {buf for _, buf in b.columns}
        elif isinstance(b, ir.RecordSpikes):
            out |= {b.out_index, b.out_step, b.fill} | {buf for _, buf in b.columns}
        elif isinstance(b, ir.RecordRate):
            out |= {b.out_rate, b.fill}
    return out


def _assigned(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        head = line.strip().split(" = ", 1)[0]
        for part in head.strip("()").split(","):
            part = part.strip()
            if part.isidentifier():
                out.add(part)
    return out


def written_arrays(plan: ir.Plan) -> set[str]:
    """Arrays a step writes (carried through the scan); the rest are read-only inputs."""
    out: set[str] = set()
    for b in plan.blocks:
        for kernel in ir._plan._kernels(b):
            out |= {ref.array for _, ref in kernel.stores}
        if isinstance(b, ir.Threshold):
            out |= {b.spikes, b.count}
        elif isinstance(b, ir.GeneratorEmit):
            out |= {b.spikes, b.count, b.pointer}
        elif isinstance(b, ir.Pathway) and b.queue:
            out |= {b.queue, b.queue_count}
        elif isinstance(b, ir.Summed):
            out.add(b.target)
        elif isinstance(b, ir.TreeSolve):
            out |= {b.solution, b.work_diagonal, b.work_rhs}
    return out
