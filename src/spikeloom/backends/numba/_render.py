"""Render a :class:`spikeloom.ir.Plan` into the source of one Numba function.

The function runs ``n_steps`` time steps; every block of the plan becomes inline code in the
loop body, so nothing returns to Python between steps. Faults (NaN) and Ctrl-C (the
``_stop`` flag) set ``_status`` and break out of the loop after a whole step; Python turns
the status into an exception.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Callable

import sympy
from sympy.printing.precedence import PRECEDENCE

from ... import ir
from .._render import ExprPrinter, _Dedent, _Writer, call_templates
from ..status import STATUS_INTERRUPTED, STATUS_NAN
from ._compact import PackedGroup, RowLoop, compact_row
from ._layout import row_arrays
from ._vectorise import split_kernel, vectorisable

THRESHOLD_BLOCK = 64
#: chunks of a parallel threshold scan (a few per thread, so that threads stay busy)
PARALLEL_CHUNKS = 16


#: calls that LLVM may leave out of line in a large function (see ``_as_function``)
_CALLS_TO_INLINE = re.compile(r"\b(_v[a-z0-9]+|rng_normal|rng_uniform)\(")

#: delivery loops prefetch the row pointer this many due entries (spikes, delay groups)
#: ahead, and the row itself PREFETCH_ROWS ahead, at most _support.PREFETCH_LINES lines per array
#: (measured on COBA 400 000: 16/8 and 8/4 alike, 2/1 a third slower)
PREFETCH_POINTERS = 16
PREFETCH_ROWS = 8

#: integer powers up to this are multiplied out by Numba (vectorised)
MULTIPLIED_POWER = 8

#: libm functions -> their branch-free versions in ``_vecmath`` (imported under these names)
VECTOR_FUNCTIONS = {"math.exp": "_vexp", "math.expm1": "_vexpm1", "math.log": "_vlog",
                    "math.log1p": "_vlog1p", "math.tanh": "_vtanh", "math.sinh": "_vsinh",
                    "math.cosh": "_vcosh", "math.sqrt": "_vsqrt"}


class NumbaPrinter(ExprPrinter):
    """Python syntax as Numba compiles it in nopython mode.

    ``and``/``or`` are printed as ``&``/``|``: the operands are pure booleans (random draws are
    loaded before the statements), so eager evaluation gives the same value, and it keeps the
    loop free of branches so that LLVM can vectorise threshold tests. Divisions cannot raise
    either way: the loop is compiled with NumPy's error model (inf/NaN, as Brian2's C code).

    With ``vector_math``, ``exp``, ``log``, ``tanh``, ``exprel``... are printed as calls of
    :mod:`._vecmath` (:data:`VECTOR_FUNCTIONS`): a libm call per element keeps LLVM from
    vectorising the loop around it.
    """

    def __init__(self, lookups: dict[str, str] | None = None,
                 vector_math: bool = False) -> None:
        super().__init__(lookups)
        self.vector_math = vector_math
        if vector_math:
            self.FUNCTIONS = {**self.FUNCTIONS, "exprel": "_vexprel({0})"}

    def _module_format(self, fqn: str, register: bool = True) -> str:
        if self.vector_math and fqn in VECTOR_FUNCTIONS:
            return VECTOR_FUNCTIONS[fqn]
        return super()._module_format(fqn, register)

    def _print_Pow(self, expr, rational=False) -> str:
        # Numba's ``x**(-2)`` and libm's ``pow`` keep a loop scalar: a negative integer power
        # divides, another non-integer power calls ``_vecmath.vpow`` (0.85 ulp at most where
        # models use it, libm's 0.72: docs/backends.md); square roots and small positive
        # integer powers (multiplied out by Numba) are printed as before
        exponent = expr.exp
        if not self.vector_math or exponent in (sympy.S.Half, -sympy.S.Half):
            return super()._print_Pow(expr, rational)
        if exponent.is_Integer and -MULTIPLIED_POWER <= int(exponent) < 0:
            return f"(1/{self.parenthesize(expr.base, PRECEDENCE['Pow'])}**{-int(exponent)})"
        if exponent.is_Integer and abs(int(exponent)) <= MULTIPLIED_POWER:
            return super()._print_Pow(expr, rational)
        return f"_vpow({self._print(expr.base)}, {self._print(exponent)})"

    def _print_And(self, expr) -> str:
        return " & ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_Or(self, expr) -> str:
        return " | ".join(f"({self._print(arg)})" for arg in expr.args)


_ASSIGNED = re.compile(r"^\s*(?:for\s+([A-Za-z_]\w*)\s+in\b|([A-Za-z_]\w*)\s*[-+*/]?=(?!=))",
                       re.MULTILINE)


def _canonical_function(lines: list[str], params: set[str]) -> tuple[str, list[str],
                                                                     list[str]]:
    """The body of a row-loop function with its parameters and locals renamed ``_q0``,
    ``_q1``... in order of first appearance; its arguments in that order, and their names
    in the body.

    The pre and post pathways of a plastic synapse write rows of the same shape over
    other arrays and locals (``kpost__b3`` / ``kpost__b4``); as canonical text they are
    equal, so one compiled function serves both.
    """
    text = "\n".join(lines)
    renamed = set(params)
    for match in _ASSIGNED.finditer(text):
        renamed.add(match.group(1) or match.group(2))
    order: dict[str, str] = {}
    for match in re.finditer(r"\b[A-Za-z_]\w*\b", text):
        name = match.group(0)
        if name in renamed and name not in order:
            order[name] = f"_q{len(order)}"
    canonical = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: order.get(m.group(0), m.group(0)),
                       text)
    arguments = [name for name in order if name in params]
    return canonical, arguments, [order[name] for name in arguments]


class NumbaRenderer:
    """Turns a plan into source text; :meth:`source` is all a caller needs.

    With ``parallel``, element loops and threshold scans are split over Numba's threads
    (``prange``). Every element is still computed exactly as in the serial loop and spikes
    are collected in index order, so results do not depend on the number of threads.
    With ``vector_math`` (``prefs.spikeloom.vector_math``), the statements of element loops
    and threshold scans call the branch-free functions of :mod:`._vecmath`, so that these
    loops vectorise. Everything else keeps libm: loop invariants (``exp(-dt/tau)``, computed
    on the host with libm by the JAX backend too) and per-spike or per-synapse code, whose
    loops do not vectorise anyway.
    """

    def __init__(self, plan: ir.Plan, parallel: bool = False,
                 vector_math: bool = False, prefetch: tuple[str, ...] = ()) -> None:
        self.plan = plan
        self.parallel = parallel
        #: names of the pathways whose delivery loops prefetch their rows (``_layout``)
        self.prefetch = frozenset(prefetch)
        self.vector_math = vector_math
        self.printer = NumbaPrinter(call_templates(plan))
        self.vector_printer = NumbaPrinter(call_templates(plan), vector_math=vector_math)
        self.w = _Writer()
        self.canonical = True

    # -- kernels ---------------------------------------------------------------------------
    def kernel(self, kernel: ir.Kernel, element: str = "_idx", vector: bool = False,
               branch_free: bool = False) -> None:
        """The body of a loop over elements; ``vector``: a contiguous loop that may
        vectorise (its functions are printed by :attr:`vector_printer`); ``branch_free``:
        guarded statements run for every element and a select keeps or drops their values
        (see :meth:`_selected_group`)."""
        w = self.w
        printer = self.vector_printer if vector else self.printer
        for name, array, from_index in kernel.indices:
            w(f"{name} = {array}[{from_index}]")
        for name, ref in kernel.loads:
            w(f"{name} = {ref.array}[{ref.index}]")
        lazy = set() if branch_free else ir.guarded_draws(kernel)
        for draw in kernel.draws:
            if draw.symbol not in lazy:
                self._draw(draw, element)
        for number, (guard, group) in enumerate(ir.guard_groups(kernel.statements)):
            if guard is None:
                for st in group:
                    w(f"{st.target} {st.op} {printer.doprint(st.expr)}")
                continue
            if branch_free:
                self._selected_group(f"_g{number}", guard, group, printer)
                continue
            # where the guard is false a temporary it declares is 0 (as the JAX backend's
            # select gives); the draws only its statements use are made inside (skipped)
            for st in group:
                if st.declare:
                    w(f"{st.target} = 0.0")
            w(f"if {printer.doprint(guard)}:")
            with w.indent():
                used = {sym.name for st in group for sym in st.expr.free_symbols}
                for draw in kernel.draws:
                    if draw.symbol in lazy and draw.symbol in used:
                        self._draw(draw, element)
                for st in group:
                    w(f"{st.target} {st.op} {printer.doprint(st.expr)}")
        for name, ref in kernel.stores:
            w(f"{ref.array}[{ref.index}] = {name}")

    def _selected_group(self, flag: str, guard, group: list, printer: NumbaPrinter) -> None:
        """Guarded statements without a branch: all run, then each target is selected.

        Where the guard is false a target the group declares becomes 0, any other target
        gets back the value it had before the group: the same values as the ``if`` block.
        LLVM's cost model keeps a loop with a large conditional block scalar (measured for a
        device's row: 69 ns per synapse scalar, 39 ns as a SIMD loop computing every lane),
        and the statements cannot fail on the lanes that are dropped (NumPy's error model;
        the draws are counter-based, so drawing for every lane changes no other draw).
        """
        w = self.w
        w(f"{flag} = {printer.doprint(guard)}")
        declared = {st.target for st in group if st.declare}
        kept: dict[str, str] = {}
        for st in group:
            if st.target not in declared and st.target not in kept:
                kept[st.target] = f"{flag}_{st.target}"
                w(f"{kept[st.target]} = {st.target}")
        for st in group:
            w(f"{st.target} {st.op} {printer.doprint(st.expr)}")
        for target in dict.fromkeys(st.target for st in group):
            w(f"{target} = {target} if {flag} else {kept.get(target, '0.0')}")

    def _draw(self, draw: ir.Draw, element: str) -> None:
        fn = "rng_uniform" if draw.kind == "uniform" else "rng_normal"
        self.w(f"{draw.symbol} = {fn}(_seed, _step, {element}, {draw.stream})")

    def prologue(self, *kernels: ir.Kernel) -> None:
        """Loop-invariant statements of ``kernels``, emitted before their loop."""
        for kernel in kernels:
            for st in kernel.invariants:
                self.w(f"{st.target} {st.op} {self.printer.doprint(st.expr)}")

    # -- blocks ----------------------------------------------------------------------------
    def block(self, block: ir.Block, threshold: ir.Threshold | None = None) -> None:
        """Render ``block``; with ``threshold``, the state update fused with that threshold."""
        w = self.w
        label, names = type(block).__name__, block.name
        if threshold is not None:
            label, names = f"{label} + Threshold", f"{names} + {threshold.name}"
        w(f"# {label}" + ("" if self.canonical else f": {names}"))
        if block.every != 1:
            w(f"if _step % {block.every} == 0:")
            self.w.indent()
        w(f"t = (_step // {block.every}) * {block.dt}")
        w(f"dt = {block.dt}")
        kernels = list(ir._plan._kernels(block))
        if threshold is not None:
            kernels += ir._plan._kernels(threshold)
        self.prologue(*kernels)
        if threshold is not None:
            self._update_and_threshold(block, threshold)
        else:
            getattr(self, "_" + type(block).__name__)(block)
        if block.every != 1:
            self.w.depth -= 1

    def _ElementLoop(self, b: ir.ElementLoop) -> None:
        loop = "prange" if self.parallel else "range"
        self.w(f"for _idx in {loop}({b.start}, {b.stop}):")
        with self.w.indent():
            self.kernel(b.kernel, vector=True)

    def _Threshold(self, b: ir.Threshold) -> None:
        # Spikes are rare, so each block of THRESHOLD_BLOCK elements first gets a branch-free
        # test whether any element crosses (vectorised; a loop with the append inside runs
        # scalar: a quarter of a 400k-neuron COBA step), and only blocks holding a spike are
        # scanned again to append. The condition is pure (random draws are counter-based),
        # so evaluating it twice gives the same spikes.
        w = self.w
        if not self.parallel:
            w("_n = 0")
            self._threshold_range(b, str(b.start), str(b.stop), "_n", "")
            w(f"{b.count}[0] = _n")
        else:
            # each chunk appends at its own offset, then the chunks are packed in order
            first = f"{b.start} + ({b.stop} - {b.start}) * _chunk // {PARALLEL_CHUNKS}"
            last = f"{b.start} + ({b.stop} - {b.start}) * (_chunk + 1) // {PARALLEL_CHUNKS}"
            w(f"for _chunk in prange({PARALLEL_CHUNKS}):")
            with w.indent():
                w(f"_chunk_first = {first}")
                w(f"_chunk_last = {last}")
                w("_chunk_n = 0")
                self._threshold_range(b, "_chunk_first", "_chunk_last", "_chunk_n",
                                      "_chunk_first + ")
                w("_chunk_counts[_chunk] = _chunk_n")
            w("_n = 0")
            w(f"for _chunk in range({PARALLEL_CHUNKS}):")
            with w.indent():
                w(f"_chunk_first = {first}")
                w("for _k in range(_chunk_counts[_chunk]):")
                with w.indent():
                    w(f"{b.spikes}[_n] = {b.spikes}[_chunk_first + _k]")
                    w("_n += 1")
            w(f"{b.count}[0] = _n")
        self._after(b.spikes, b.count, b.after)

    def _threshold_range(self, b: ir.Threshold, first: str, last: str, counter: str,
                         offset: str, update: ir.Kernel | None = None) -> None:
        """Append the spiking elements of [first, last) at ``spikes[offset + counter]``,
        block by block; ``update`` (a state update) runs on each block before its test."""
        # The vector passes count from 0 inside the block: with ``range(first, last)`` Numba's
        # negative-index handling makes LLVM gather element by element.
        w = self.w
        size = THRESHOLD_BLOCK
        w(f"for _block in range(({last} - {first} + {size - 1}) // {size}):")
        with w.indent():
            w(f"_first = {first} + _block * {size}")
            w(f"_last = min(_first + {size}, {last})")
            w("_any = 0")
            w("for _j in range(_last - _first):")
            with w.indent():
                w("_idx = _first + _j")
                if update is not None:
                    # tested in the same pass, on the values just computed: a second pass
                    # over the block cost 5-8 % of a COBA-4k step
                    self.kernel(update, vector=True)
                self.kernel(b.kernel, vector=True)
                w("_any += _cond")
            self._append_crossings(b, counter, offset)

    def _append_crossings(self, b: ir.Threshold, counter: str, offset: str) -> None:
        """Inside a block [_first, _last) whose elements were tested (``_any``: how many
        cross), append those crossing."""
        w = self.w
        w("if _any:")
        with w.indent():
            # branch-free append: always write, advance only on a spike (a mispredicted
            # branch per element costs more than the store; the slot written is at most
            # the element's own index, so it is always inside the buffer)
            w("for _j in range(_last - _first):")
            with w.indent():
                w("_idx = _first + _j")
                self.kernel(b.kernel, vector=True)  # the same functions as the test above
                w(f"{b.spikes}[{offset}{counter}] = _idx")
                w(f"{counter} += _cond")

    def _fusable(self, update: ir.Block, threshold: ir.Block) -> bool:
        """A group's state update directly followed by its own threshold (serial loops)."""
        return (not self.parallel and isinstance(update, ir.ElementLoop)
                and isinstance(threshold, ir.Threshold)
                and (update.start, update.stop, update.every, update.dt)
                == (threshold.start, threshold.stop, threshold.every, threshold.dt))

    def _update_and_threshold(self, update: ir.ElementLoop, threshold: ir.Threshold) -> None:
        """One pass for a state update and the threshold test that follows it.

        Block by block: update THRESHOLD_BLOCK elements, each tested (branch-free) in the
        same pass as it is updated, and append the block's spikes (:meth:`_append_crossings`).
        A separate threshold loop reads the state from memory a second time, which at 400 000
        neurons costs more than the arithmetic. Same order of operations per element as the
        two blocks run one after the other: the test of an element reads only that element's
        state, which the update has written.
        """
        w = self.w
        w("_n = 0")
        self._threshold_range(threshold, str(threshold.start), str(threshold.stop), "_n", "",
                              update=update.kernel)
        w(f"{threshold.count}[0] = _n")
        self._after(threshold.spikes, threshold.count, threshold.after)

    def _after(self, spikes: str, count: str, kernel: ir.Kernel) -> None:
        if not (kernel.statements or kernel.stores):
            return
        self.w(f"for _k in range({count}[0]):")
        with self.w.indent():
            self.w(f"_idx = {spikes}[_k]")
            self.kernel(kernel)

    def _GeneratorEmit(self, b: ir.GeneratorEmit) -> None:
        w = self.w
        local = f"(_step // {b.every})"
        if b.period:
            w(f"_local = {local} % {b.period}")
            w("if _local == 0:")
            with w.indent():
                w(f"{b.pointer}[0] = 0")
        else:
            w(f"_local = {local}")
        w("_n = 0")
        w(f"_p = {b.pointer}[0]")
        w(f"while _p < {b.event_steps}.shape[0] and {b.event_steps}[_p] == _local:")
        with w.indent():
            w(f"{b.spikes}[_n] = {b.event_indices}[_p]")
            w("_n += 1")
            w("_p += 1")
        w(f"{b.pointer}[0] = _p")
        w(f"{b.count}[0] = _n")
        self._after(b.spikes, b.count, b.after)

    def _spikes_in_range(self, spikes: str, count: str, start, stop, name: str = "_idx",
                         first: Callable[[], None] | None = None):
        """Open ``for`` each of this step's spikes with ``start <= name < stop``; the caller
        writes the body inside ``with`` (two indentation levels, closed on exit).
        ``first()`` writes what every spike runs before the range test (a prefetch)."""
        w = self.w
        w(f"for _k in range({count}[0]):")
        w.indent()
        if first is not None:
            first()
        w(f"{name} = {spikes}[_k]")
        w(f"if {name} >= {start} and {name} < {stop}:")
        w.indent()
        return _Dedent(w, 2)

    def _SpikeLoop(self, b: ir.SpikeLoop) -> None:
        with self._spikes_in_range(b.spikes, b.count, b.start, b.stop):
            self.kernel(b.kernel)

    def _Pathway(self, b: ir.Pathway) -> None:
        w = self.w
        q, qn = b.queue, b.queue_count
        # synapse of CSR position _p: sequential when the synapses are stored sorted by source
        synapse_at = f"{b.order}[_p]" if b.order else "_p"
        if self.parallel and b.target_split:
            self._deliver_by_partition(b)
            return
        if b.delay_steps == 0 and not b.per_synapse_delay:  # no queue: deliver this step's spikes
            spikes, start = b.source_spikes, b.source_start
            prefetch = functools.partial(
                self._prefetch_rows, b, lambda ahead: f"{spikes}[_k + {ahead}] - {start}",
                f"{b.source_count}[0]")
            with self._spikes_in_range(spikes, b.source_count, start, b.source_stop, "_src",
                                       first=prefetch):
                w(f"_src -= {start}")
                self._deliver_from_source(b, synapse_at)
            return
        self._push_spikes(b)
        # deliver the events due now
        w("_slot = _step % _slots")
        w(f"for _k in range({qn}[_slot]):")
        with w.indent():
            # a source's row, or with per-synapse delays a group's (ptr indexes groups)
            self._prefetch_rows(b, lambda ahead: f"{q}[_slot, _k + {ahead}]", f"{qn}[_slot]")
            w(f"_src = {q}[_slot, _k]")
            self._deliver_from_source(b, synapse_at)
        w(f"{qn}[_slot] = 0")

    def _prefetch_rows(self, b: ir.Pathway, row_at: Callable[[int], str], count: str) -> None:
        """Prefetch the rows that the delivery loop (``for _k in range(count)``) reaches a
        few entries later: ``row_at(n)`` is the row of entry ``_k + n`` (negative or past
        the end where it is not this pathway's).

        A row's place in memory is known only once its pointer is loaded, so in a network
        larger than the caches each row costs two waits for memory in turn (the pointer,
        then the row), and the CPU does not run far enough ahead to overlap them with the
        previous rows (measured with a kernel of COBA's shape at 400 000 neurons, 32 M
        synapses: 4.5 ns per synaptic event; 1.25 ns with these hints). Pointers are fetched
        :data:`PREFETCH_POINTERS` entries ahead, the row arrays read at the row position
        :data:`PREFETCH_ROWS` ahead (``_support._prefetch_row``). Hints change no value.
        Only the pathways in :attr:`prefetch` do it: those whose rows outgrow the caches
        (``_layout.prefetched_pathways``); elsewhere the hints would only cost compile time.
        """
        if b.name not in self.prefetch:
            return
        arrays = row_arrays(b)
        if not arrays:
            return
        w, ptr = self.w, b.ptr
        hints = ((PREFETCH_POINTERS, [f"_prefetch({ptr}, _pfrow)"]),
                 (PREFETCH_ROWS, [f"_prefetch_row({array}, {ptr}[_pfrow], {ptr}[_pfrow + 1])"
                                  for array in arrays]))
        for ahead, calls in hints:
            w(f"if _k + {ahead} < {count}:")
            with w.indent():
                w(f"_pfrow = {row_at(ahead)}")
                w(f"if _pfrow >= 0 and _pfrow < {ptr}.shape[0] - 1:")
                with w.indent():
                    for call in calls:
                        w(call)

    def _push_spikes(self, b: ir.Pathway) -> None:
        """Push this step's source spikes into the queue slots of their delays (``_slots``
        set): one entry per spike, or with per-synapse delays one per delay group."""
        w = self.w
        w(f"_slots = {b.queue_count}.shape[0]")
        with self._spikes_in_range(b.source_spikes, b.source_count, b.source_start,
                                   b.source_stop, "_src"):
            w(f"_src -= {b.source_start}")
            if b.per_synapse_delay:
                w(f"for _g in range({b.source_groups}[_src], {b.source_groups}[_src + 1]):")
                with w.indent():
                    w(f"_slot = (_step + {b.delay_steps}[_g]) % _slots")
                    self._push(b.queue, b.queue_count, "_g")
            else:
                w(f"_slot = (_step + {b.delay_steps}) % _slots")
                self._push(b.queue, b.queue_count, "_src")

    def _deliver_by_partition(self, b: ir.Pathway) -> None:
        """Threads deliver to disjoint target partitions, each walking all due sources (or,
        with per-synapse delays, all due delay groups)."""
        w = self.w
        parts = f"({b.target_split}.shape[1] - 1)"
        if b.delay_steps == 0 and not b.per_synapse_delay:
            spikes, count, slot = b.source_spikes, f"{b.source_count}[0]", ""
        else:
            self._push_spikes(b)
            w("_slot = _step % _slots")
            spikes, count, slot = b.queue, f"{b.queue_count}[_slot]", "_slot, "
        w(f"for _part in prange({parts}):")
        with w.indent():
            w(f"for _k in range({count}):")
            with w.indent():
                w(f"_src = {spikes}[{slot}_k]")
                if b.delay_steps == 0 and not b.per_synapse_delay:
                    w(f"if _src < {b.source_start} or _src >= {b.source_stop}:")
                    with w.indent():
                        w("continue")
                    w(f"_src -= {b.source_start}")
                w(f"for _p in range({b.target_split}[_src, _part], "
                  f"{b.target_split}[_src, _part + 1]):")
                with w.indent():
                    w(f"_idx = {b.order}[_p]" if b.order else "_idx = _p")
                    self.kernel(b.kernel)
        if b.delay_steps != 0 or b.per_synapse_delay:
            w(f"{b.queue_count}[_slot] = 0")

    def _deliver_from_source(self, b: ir.Pathway, synapse_at: str) -> None:
        """The synapses of source ``_src``: one scalar loop, or split into a SIMD synapse
        part and a scalar neuron part where that changes no number (see ``_vectorise``)."""
        w = self.w
        split = split_kernel(b.kernel, f"_vsave{len(self._scratch_names)}_")
        if split is None or not self._worth_vectorising(split.synapse_part):
            w(f"for _p in range({b.ptr}[_src], {b.ptr}[_src + 1]):")
            with w.indent():
                w(f"_idx = {synapse_at}")
                self.kernel(b.kernel)
            return
        # the row as two loops (see _vectorise). Indices that LLVM can prove non-negative
        # (max(., 0) of values that are never negative): for a possibly negative index
        # Numba wraps around, a select per element that stops the loop vectorising
        # (measured: 40 ns per synapse against 10 ns for the NC rule's loop)
        w(f"_p0 = max({b.ptr}[_src], 0)")
        w(f"_m = {b.ptr}[_src + 1] - _p0")
        for name, buf in split.saved.items():
            self._scratch(b.ptr, self._dtype_of_local(b.kernel, name), buf)
        element = f"max({b.order}[_p0 + _j], 0)" if b.order else "_p0 + _j"
        if not b.order:
            self._vector_row(b.ptr, element, split.synapse_part)
        else:
            self._gathered_row(b.ptr, element, split.synapse_part)
        if split.neuron_part.statements or split.neuron_part.stores:
            self._row_loop(element, split.neuron_part)

    def _gathered_row(self, ptr: str, element: str, synapse_part: ir.Kernel) -> None:
        """The synapse part of a row stored in another order (a target's row).

        LLVM vectorises no loop that reads or writes through the index array (it cannot
        bound the addresses to rule out overlaps), so a scalar loop gathers the loads into
        contiguous buffers, the vector loop works on buffers only, and a scalar loop
        scatters the stores back.
        """
        w = self.w
        gathered = [self._scratch(ptr, self._dtype(ref.array)) for _, ref in synapse_part.loads]
        w("for _j in range(_m):")
        with w.indent():
            self._at_element(element)
            for name, array, from_index in synapse_part.indices:
                w(f"{name} = {array}[{from_index}]")
            for (_, ref), buf in zip(synapse_part.loads, gathered, strict=True):
                w(f"{buf}[_j] = {ref.array}[{ref.index}]")
        buffers = [self._scratch(ptr, self._dtype(ref.array)) for _, ref in synapse_part.stores]
        on_buffers = dataclasses.replace(
            synapse_part, indices=(),
            loads=tuple((name, ir.Ref(buf, "_j"))
                        for (name, _), buf in zip(synapse_part.loads, gathered, strict=True)),
            stores=tuple((name, ir.Ref(buf, "_j"))
                         for (name, _), buf in zip(synapse_part.stores, buffers, strict=True)))
        self._vector_row(ptr, element, on_buffers)
        w("for _j in range(_m):")
        with w.indent():
            self._at_element(element)
            for (_, ref), buf in zip(synapse_part.stores, buffers, strict=True):
                w(f"{ref.array}[_idx] = {buf}[_j]")

    def _vector_row(self, ptr: str, element: str, kernel: ir.Kernel) -> None:
        """The synapse part of a row as SIMD loops: one, or with its costly guarded groups
        run on the packed lanes that need them (see ``_compact``)."""
        loops = compact_row(kernel, lambda dtype: self._scratch(ptr, dtype),
                            lambda name: self._dtype_of_local(kernel, name))
        if loops is None:
            self._as_function(lambda: self._row_loop(element, kernel, vector=True))
            return
        w = self.w
        for loop in loops:
            if isinstance(loop, RowLoop):
                self._as_function(lambda loop=loop: self._row_loop(element, loop.kernel,
                                                                   vector=True))
                continue
            # pack the selected lanes (branch-free); the count starts as an int64, not the
            # literal 0, which made Numba compile the packed loop's function twice
            w("_nc = _m - _m")
            w("for _j in range(_m):")
            with w.indent():
                w(f"{loop.selected}[_nc] = _j")
                w(f"_nc += {loop.selector}[_j]")
            w("for _i in range(_nc):")
            with w.indent():
                w(f"_j = {loop.selected}[_i]")
                self._at_element(element)
                w(f"{loop.packed_index}[_i] = _idx")
                for source, packed in loop.gathered:
                    w(f"{packed}[_i] = {source}")
            self._as_function(lambda loop=loop: self._packed_loop(loop))
            w("for _i in range(_nc):")
            with w.indent():
                w(f"_j = {loop.selected}[_i]")
                for packed, live in loop.scattered:
                    w(f"{live}[_j] = {packed}[_i]")

    def _as_function(self, write_loop: Callable[[], None]) -> None:
        """Write the loop that ``write_loop()`` writes as a function of its own, and a call,
        if the loop calls a branch-free function or draws (else inline, as written).

        In the one large loop function LLVM's inliner leaves some calls of the branch-free
        functions out of line (seen in the second device loop of a run: ``exp``, ``log``,
        ``exprel`` called, the loop scalar); a small function of its own is optimised
        first, with every call inlined and its loop vectorised. Loops without such calls
        stay inline: each function costs a compilation of its own.
        """
        w = self.w
        lines, depth = w.lines, w.depth
        w.lines, w.depth = [], 1
        try:
            write_loop()
            body = w.lines
        finally:
            w.lines, w.depth = lines, depth
        if not _CALLS_TO_INLINE.search("\n".join(body)):
            w.lines += ["    " * (depth - 1) + line for line in body]
            return
        outer = {"_nc", "_m", "_p0", "_src", "_seed", "_step", "_tstep", "t", "dt",
                 *self._scratch_names, *self.argument_names()}
        used = set(re.findall(r"\b[A-Za-z_]\w*\b", "\n".join(body)))
        params = {n for n in used if n in outer or n.startswith("_lio")}
        # the row's first synapse again as max(., 0): an index LLVM cannot prove
        # non-negative gets Numba's wraparound select, which keeps the loop scalar
        first = ["    _p0 = max(_p0, 0)"] if "_p0" in used else []
        text, arguments, formal = _canonical_function(first + body, params)
        name = self._helper_names.get(text)
        if name is None:  # a row of the same shape (the other pathway's) reuses it
            name = self._helper_names[text] = f"_loop{len(self._helpers)}"
            # called from the loop only, never from Python: no wrappers to compile
            decorator = ("@njit(cache=True, nogil=True, error_model='numpy', "
                         "no_cpython_wrapper=True, no_cfunc_wrapper=True)")
            self._helpers.append(["", "", decorator, f"def {name}({', '.join(formal)}):",
                                  text])
        w(f"{name}({', '.join(arguments)})")

    def _packed_loop(self, loop: PackedGroup) -> None:
        """The SIMD loop of a packed group: the group on the selected lanes."""
        self.w("for _i in range(_nc):")
        with self.w.indent():
            self.w(f"_idx = {loop.packed_index}[_i]")
            self.kernel(loop.kernel, vector=True, branch_free=True)

    def _row_loop(self, element: str, kernel: ir.Kernel, vector: bool = False) -> None:
        """``for _j in range(_m)`` with ``_idx = element``, running ``kernel`` (branch-free
        where it is to vectorise)."""
        self.w("for _j in range(_m):")
        with self.w.indent():
            self._at_element(element)
            self.kernel(kernel, vector=vector, branch_free=vector)

    def _at_element(self, element: str) -> None:
        """``_idx`` of row element ``_j``; through ``order``, also its row position ``_p``,
        where the delivery-ordered copies are read (``_layout``)."""
        if "[_p0 + _j]" in element:
            self.w("_p = _p0 + _j")
        self.w(f"_idx = {element}")

    def _worth_vectorising(self, kernel: ir.Kernel) -> bool:
        """Whether the synapse part has work and calls only vectorisable code."""
        if not kernel.statements:
            return False
        lines, self.w.lines = self.w.lines, []
        try:
            self.kernel(kernel, vector=True, branch_free=True)
            return vectorisable(self.w.lines)
        finally:
            self.w.lines = lines

    def _dtype(self, array: str) -> str:
        """The dtype of a plan array or of a scratch buffer."""
        if array in self._buffer_dtypes:
            return self._buffer_dtypes[array]
        return {a.name: a.dtype for a in self.plan.arrays}[array]

    def _dtype_of_local(self, kernel: ir.Kernel, name: str) -> str:
        """The dtype of a kernel local: its array's where it is loaded, else float64
        (temporaries; an integer or boolean temporary is exact in float64)."""
        arrays = [ref.array for local, ref in kernel.loads if local == name]
        return self._dtype(arrays[0]) if arrays else "float64"

    def _scratch(self, ptr: str, dtype: str, name: str | None = None) -> str:
        """A buffer as long as the longest row of ``ptr``, allocated once per call of the
        loop."""
        if ptr not in self._row_length:
            length = self._row_length[ptr] = f"_vlen{len(self._row_length)}"
            self._preamble += [f"{length} = 1",
                               f"for _i in range({ptr}.shape[0] - 1):",
                               f"    {length} = max({length}, {ptr}[_i + 1] - {ptr}[_i])"]
        name = name or f"_vbuf{len(self._scratch_names)}"
        self._scratch_names.append(name)
        self._buffer_dtypes[name] = dtype
        numpy_dtype = "bool_" if dtype == "bool" else dtype
        self._preamble.append(f"{name} = np.empty({self._row_length[ptr]}, np.{numpy_dtype})")
        return name

    def _push(self, q: str, qn: str, value: str) -> None:
        w = self.w
        w(f"if {qn}[_slot] == {q}.shape[1]:")
        with w.indent():  # queue full: double its capacity rather than drop the event
            self._copy_into_larger(q, 2, f"{q}.shape[0]", f"2 * {q}.shape[1] + 1")
        w(f"{q}[_slot, {qn}[_slot]] = {value}")
        w(f"{qn}[_slot] += 1")

    def _Summed(self, b: ir.Summed) -> None:
        w = self.w
        w(f"for _j in range({b.target_start}, {b.target_stop}):")
        with w.indent():
            w(f"{b.target}[_j] = 0.0")
        w(f"for _idx in range({b.n_synapses}):")
        with w.indent():
            self.kernel(b.kernel)
            w(f"{b.target}[{b.post_index}[_idx]] += _summand")

    def _TreeSolve(self, b: ir.TreeSolve) -> None:
        """Gather the elements' terms, eliminate leaves first, substitute root first (the
        order of ``ir.TreeSolve``; the JAX backend does the same operations)."""
        w, d, r, e = self.w, b.work_diagonal, b.work_rhs, b.element
        w(f"for _j in range({b.size}):")
        with w.indent():
            w(f"_e = {e}[_j]")
            w(f"{d}[_j] = {b.diagonal}[_j] + ({b.element_diagonal}[_e] if _e >= 0 else 0.0)")
            w(f"{r}[_j] = {b.element_rhs}[_e] if _e >= 0 else 0.0")
        # the diagonal's reciprocals are kept: the substitution, a chain of dependent
        # operations, then multiplies instead of dividing (a division's latency is 3-4x)
        w(f"for _j in range({b.size - 1}, -1, -1):")
        with w.indent():
            w(f"_inv = 1.0 / {d}[_j]")
            w(f"{d}[_j] = _inv")
            w(f"_p = {b.parent}[_j]")
            w("if _p >= 0:")
            with w.indent():
                w(f"_f = {b.coupling}[_j] * _inv")
                w(f"{d}[_p] = {d}[_p] - _f * {b.coupling}[_j]")
                w(f"{r}[_p] = {r}[_p] + _f * {r}[_j]")
        w(f"for _j in range({b.size}):")
        with w.indent():
            w(f"_p = {b.parent}[_j]")
            w("if _p >= 0:")
            with w.indent():
                w(f"{r}[_j] = ({r}[_j] + {b.coupling}[_j] * {r}[_p]) * {d}[_j]")
            w("else:")
            with w.indent():
                w(f"{r}[_j] = {r}[_j] * {d}[_j]")
            w(f"_e = {e}[_j]")
            w("if _e >= 0:")
            with w.indent():
                w(f"{b.solution}[_e] = {r}[_j]")

    def _copy_into_larger(self, arr: str, ndim: int, rows: str, cols: str | None = None) -> None:
        """Reallocate ``arr`` with ``rows`` (and ``cols``) and copy the old contents.

        A call of ``_support._larger1``/``_larger2``, compiled once per dtype and cached,
        rather than the allocation and copy loops written at every site: with a monitor per
        group those sites made the loop's compilation grow with the square of the number of
        groups (docs/backends.md, "Known limits").
        """
        if ndim == 1:
            self.w(f"{arr} = _larger1({arr}, {rows})")
        else:
            self.w(f"{arr} = _larger2({arr}, {rows}, {cols or f'{arr}.shape[1]'})")

    def _grow_rows(self, arrays: list[str], fill: str) -> None:
        w = self.w
        first = arrays[0]
        ndims = {decl.name: decl.ndim for decl in self.plan.arrays}
        w(f"if {fill}[0] == {first}.shape[0]:")
        with w.indent():
            for arr in arrays:
                self._copy_into_larger(arr, ndims[arr], f"2 * {arr}.shape[0] + 16")

    def _RecordState(self, b: ir.RecordState) -> None:
        w = self.w
        buffers = [b.times] + [buf for _, buf in b.columns]
        self._grow_rows(buffers, b.fill)
        w(f"_row = {b.fill}[0]")
        w(f"{b.times}[_row] = t")
        w(f"for _k in range({b.record_indices}.shape[0]):")
        with w.indent():
            w(f"_idx = {b.record_indices}[_k]")
            self.kernel(b.kernel)
            for local, buf in b.columns:
                w(f"{buf}[_row, _k] = {local}")
        w(f"{b.fill}[0] = _row + 1")

    def _RecordSpikes(self, b: ir.RecordSpikes) -> None:
        w = self.w
        with self._spikes_in_range(b.spikes, b.count, b.start, b.stop):
            self._grow_rows([b.out_index, b.out_step] + [buf for _, buf in b.columns],
                            b.fill)
            w(f"_row = {b.fill}[0]")
            w(f"{b.out_index}[_row] = _idx - {b.start}")
            w(f"{b.out_step}[_row] = _step // {b.every}")
            self.kernel(b.kernel)
            for local, buf in b.columns:
                w(f"{buf}[_row] = {local}")
            w(f"{b.fill}[0] = _row + 1")

    def _RecordRate(self, b: ir.RecordRate) -> None:
        w = self.w
        self._grow_rows([b.out_rate], b.fill)
        w("_n = 0")
        w(f"for _k in range({b.count}[0]):")
        with w.indent():
            w(f"if {b.spikes}[_k] >= {b.start} and {b.spikes}[_k] < {b.stop}:")
            with w.indent():
                w("_n += 1")
        w(f"{b.out_rate}[{b.fill}[0]] = _n / ({b.stop - b.start} * dt)")
        w(f"{b.fill}[0] += 1")

    def _check_finite(self) -> None:
        """Stop after a step that left a checked state variable NaN or infinite.

        Run every ``plan.check_every`` steps and after the run's last step (so no run ends
        with a non-finite state unnoticed). ``_support._first_nonfinite`` scans each run of
        consecutive checked arrays of one dtype (as a tuple: one call for all of them); the
        first bad array in the plan's order is reported.
        """
        plan, w = self.plan, self.w
        if not plan.check_nan:
            return
        every = plan.check_every
        if every > 1:
            w(f"if _step % {every} == 0 or _step == _step0 + _nsteps - 1:")
            w.indent()
        dtypes = {decl.name: decl.dtype for decl in plan.arrays}
        runs = itertools.groupby(enumerate(plan.check_nan),
                                 key=lambda item: dtypes.get(item[1], "float64"))
        for _, run in runs:
            which, names = zip(*run)
            w(f"_bad, _k = _first_nonfinite(({', '.join(names)},))")
            w("if _bad >= 0:")
            with w.indent():
                w(f"_status[0] = {STATUS_NAN}")
                w("_status[1] = _step")
                w(f"_status[2] = {which[0]} + _bad")  # a run holds consecutive entries
                w("_status[3] = _k")
                w("break")
        if every > 1:
            w.depth -= 1

    # -- whole function ----------------------------------------------------------------------
    def _user_functions(self) -> None:
        """Bind each user function to a global of the module, compiled by its fingerprint:
        the fingerprint is in the text, so the cache key of the loop covers the function."""
        if not self.plan.functions:
            return
        from ._user import VERSION

        self.w(f"# user functions compiled by spikeloom.backends.numba._user {VERSION}")
        self.w("from spikeloom.backends.numba._user import user_function")
        for function in self.plan.functions:
            self.w(f"{function.name} = user_function({function.key!r})")

    def argument_names(self) -> list[str]:
        return ([a.name for a in self.plan.arrays] + [s for s, _ in self.plan.scalars])

    def returned(self) -> list[str]:
        return [a.name for a in self.plan.arrays if a.growable]

    def source(self, function_name: str = "run_loop", canonical: bool = True) -> str:
        """The module text. ``canonical`` replaces every array and scalar name by its position
        (``_a3``, ``_s1``), so that the same model under other object names gives the same
        text, hence the same compiled loop from the disk cache (arguments are positional).
        """
        self.canonical = canonical
        # scratch buffers of vectorised synapse loops, allocated before the step loop
        self._preamble: list[str] = []
        self._row_length: dict[str, str] = {}
        self._scratch_names: list[str] = []
        self._buffer_dtypes: dict[str, str] = {}
        self._helpers: list[list[str]] = []  # functions the loop calls (_as_function)
        self._helper_names: dict[str, str] = {}  # their canonical text -> their name
        w = self.w
        w.lines = []
        args = ", ".join(["_step0", "_nsteps", "_seed", "_progress", "_status", "_stop"]
                         + self.argument_names())
        w("import math")
        w("import numpy as np")
        w("from numba import njit, prange")
        w("from spikeloom.backends.numba._rng import rng_normal, rng_uniform")
        w("from spikeloom.backends.numba._support import (")
        w("    _clip, _exprel, _first_nonfinite, _larger1, _larger2, _prefetch, _prefetch_row,")
        w("    _ta1, _ta2, _timestep)")
        if self.vector_math:
            w("from spikeloom.backends.numba._vecmath import (")
            w("    vcosh as _vcosh, vexp as _vexp, vexpm1 as _vexpm1, vexprel as _vexprel,")
            w("    vlog as _vlog, vlog1p as _vlog1p, vsinh as _vsinh,")
            w("    vpow as _vpow, vsqrt as _vsqrt, vtanh as _vtanh)")
        self._user_functions()
        helpers_at = len(w.lines)
        w("")
        w("")
        parallel = ", parallel=True" if self.parallel else ""
        w(f"@njit(cache=True, nogil=True, error_model='numpy'{parallel})")
        w(f"def {function_name}({args}):")
        with w.indent():
            if self.parallel:
                w(f"_chunk_counts = np.zeros({PARALLEL_CHUNKS}, np.int64)")
            preamble_at = len(w.lines)
            w("for _step in range(_step0, _step0 + _nsteps):")
            with w.indent():
                blocks = list(self.plan.blocks)
                while blocks:
                    block = blocks.pop(0)
                    fused = blocks and self._fusable(block, blocks[0])
                    self.block(block, blocks.pop(0) if fused else None)
                self._check_finite()
                w("_progress[0] = _step - _step0 + 1")
                # Ctrl-C: the flag is set by Python's signal handler in another thread;
                # the step just done is complete, so the run can stop here
                w("if _stop[0] != 0:")
                with w.indent():
                    w(f"_status[0] = {STATUS_INTERRUPTED}")
                    w("_status[1] = _step")
                    w("break")
            returned = self.returned()
            w(f"return ({', '.join(returned)}{',' if returned else ''})")
        w.lines[preamble_at:preamble_at] = ["    " + line for line in self._preamble]
        w.lines[helpers_at:helpers_at] = [line for lines in self._helpers for line in lines]
        text = "\n".join(w.lines) + "\n"
        return self.plan.rename(text) if canonical else text
