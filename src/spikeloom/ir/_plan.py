"""The backend-neutral plan of one run: arrays, scalars and the blocks of one time step.

A backend renders a :class:`Plan` into one compiled loop over time steps. It never needs to
know what a neuron, a synapse or a plasticity rule is: it sees arrays, loop bodies
(:class:`Kernel`) and a handful of block kinds (loops over elements, spike detection, spike
delivery through a delay queue, recording).

Index names used in :class:`Ref`
--------------------------------
``'_idx'``  the loop element (neuron or synapse index, absolute in its array);
``'_pre'``, ``'_post'``  a synapse's pre/post neuron (absolute), loaded from index arrays;
``'0'``  a shared (scalar) variable stored as an array of length 1.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field

import sympy

from ..integrators._base import Statement

DTYPES = ("float64", "float32", "int32", "int64", "bool")


@dataclass(frozen=True)
class ArrayDecl:
    """An array the loop reads or writes; its values live outside the plan."""

    name: str
    dtype: str
    ndim: int = 1
    growable: bool = False  # the loop may reallocate it (monitors, queues): it is returned

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"ArrayDecl {self.name!r}: dtype {self.dtype!r} not in {DTYPES}")


@dataclass(frozen=True)
class Ref:
    """Where a kernel local lives: ``array[index]``."""

    array: str
    index: str


@dataclass(frozen=True)
class Draw:
    """A random number drawn per element and step: ``kind`` is 'uniform' or 'normal'."""

    symbol: str
    kind: str
    stream: int


@dataclass(frozen=True)
class Kernel:
    """A loop body: compute index locals, load, draw, run statements, store.

    ``indices`` are ``(name, array, from_index)`` triples meaning ``name = array[from_index]``.
    ``invariants`` are computed once per block execution, before the loop (they use only
    scalars, ``t`` and ``dt``; see :func:`hoist_invariants`).
    """

    invariants: tuple[Statement, ...] = ()
    indices: tuple[tuple[str, str, str], ...] = ()
    loads: tuple[tuple[str, Ref], ...] = ()
    draws: tuple[Draw, ...] = ()
    statements: tuple[Statement, ...] = ()
    stores: tuple[tuple[str, Ref], ...] = ()

    def __str__(self) -> str:
        lines = [f"(before loop) {s}" for s in self.invariants]
        lines += [f"{n} = {a}[{i}]" for n, a, i in self.indices]
        lines += [f"{n} = {r.array}[{r.index}]" for n, r in self.loads]
        lines += [f"{d.symbol} = {d.kind}(stream={d.stream})" for d in self.draws]
        lines += [str(s) for s in self.statements]
        lines += [f"{r.array}[{r.index}] = {n}" for n, r in self.stores]
        return "\n".join(lines)


@dataclass(frozen=True)
class Block:
    """One operation of a time step, run when ``step % every == 0``.

    ``dt`` names the scalar holding the block's own time step; ``t`` inside the block is
    ``(step // every) * dt``.
    """

    name: str
    every: int
    dt: str


@dataclass(frozen=True)
class ElementLoop(Block):
    """``for _idx in range(start, stop)`` (``stop`` may be a scalar name for synapses)."""

    start: int = 0
    stop: int | str = 0
    kernel: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class Threshold(Block):
    """Spike detection: elements whose ``_cond`` holds are appended to ``spikes``.

    ``count`` is a length-1 int64 array receiving the number of spikes; ``after`` runs for
    each spiking element (``lastspike = t``...).
    """

    start: int = 0
    stop: int = 0
    kernel: Kernel = field(default_factory=Kernel)
    spikes: str = ""
    count: str = ""
    after: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class GeneratorEmit(Block):
    """Spikes from a sorted list of (step, index) events, optionally repeated every ``period``."""

    event_steps: str = ""
    event_indices: str = ""
    pointer: str = ""  # int64[1]: next event to emit
    period: int = 0  # in steps of this block; 0 = no repetition
    spikes: str = ""
    count: str = ""
    after: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class SpikeLoop(Block):
    """Run ``kernel`` for each spike of ``spikes[:count[0]]`` within [start, stop)."""

    spikes: str = ""
    count: str = ""
    start: int = 0
    stop: int = 0
    kernel: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class Pathway(Block):
    """Spike delivery from a source group's spikes to synapses, through a delay queue.

    Spikes in [``source_start``, ``source_stop``) are pushed; relative index ``k`` owns the
    synapses ``order[ptr[k]:ptr[k+1]]`` (``order`` empty: synapses ``ptr[k]:ptr[k+1]``, stored
    sorted by source). Without ``per_synapse_delay``, ``delay_steps`` (an int or a scalar's
    name) is shared by the whole pathway and the queue holds neuron indices; the int 0 means
    no queue at all (``queue`` empty), spikes are delivered in the step they occur.

    With ``per_synapse_delay``, the synapses are split into *delay groups*: one per source and
    delay value, each a contiguous run of CSR positions. Relative source ``k`` owns the groups
    ``source_groups[k]:source_groups[k+1]``; group ``g`` owns the synapses
    ``order[ptr[g]:ptr[g+1]]`` (so ``ptr`` indexes groups here, not sources) and has the
    delay ``delay_steps[g]`` (an int array's name). A spike pushes each of its source's
    groups into the slot of the group's delay and the queue holds group indices: one queue
    entry per (spike, delay) instead of one per synapse, and delivery walks each group's
    synapses in CSR order.
    ``queue`` is int32[slots, capacity] (growable) and ``queue_count`` int64[slots].
    """

    source_spikes: str = ""
    source_count: str = ""
    source_start: int = 0
    source_stop: int = 0
    ptr: str = ""
    order: str = ""
    delay_steps: int | str = 0
    per_synapse_delay: bool = False
    source_groups: str = ""
    queue: str = ""
    queue_count: str = ""
    kernel: Kernel = field(default_factory=Kernel)
    #: optional int64[n_source, P + 1]: source k's synapses onto target partition q are CSR
    #: positions ``target_split[k, q]:target_split[k, q+1]`` (with ``per_synapse_delay``:
    #: int64[n_groups, P + 1], the same for delay group k). Partitions own disjoint target
    #: ranges and the kernel writes only to synapses and targets, so partitions may be
    #: delivered concurrently (each target still sees its events in spike order).
    target_split: str = ""


@dataclass(frozen=True)
class Summed(Block):
    """``target[post] = sum over synapses of kernel's '_summand'`` for post in [start, stop)."""

    target: str = ""
    target_start: int = 0
    target_stop: int = 0
    n_synapses: str = ""
    post_index: str = ""
    kernel: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class TreeSolve(Block):
    """Solve a symmetric linear system whose graph is a tree (or forest), in O(size) steps.

    The system has ``size`` unknowns ``x``, one per vertex, numbered so that every vertex's
    parent comes before it (``parent[j] < j``; -1 for a root). Row ``j`` reads

    ``D_j x_j - coupling[j] x_parent[j] - sum_{c: parent[c] = j} coupling[c] x_c = B_j``

    with ``D_j = diagonal[j] + element_diagonal[element[j]]`` and ``B_j =
    element_rhs[element[j]]``, where ``element[j] >= 0`` ties vertex ``j`` to an element of a
    group; a vertex with ``element[j] == -1`` contributes ``diagonal[j]`` only and has a zero
    right-hand side. After the solve, ``solution[element[j]] = x_j``.

    Backends eliminate from the last vertex to the first, then substitute forwards (Hines
    1984): no pivoting, which is exact for the diagonally dominant systems of implicit
    diffusion. ``work_diagonal`` and ``work_rhs`` (float64[size]) are scratch (after the
    solve: the eliminated diagonal's reciprocals and ``x``).
    """

    size: int = 0
    parent: str = ""
    coupling: str = ""
    diagonal: str = ""
    element: str = ""
    element_diagonal: str = ""
    element_rhs: str = ""
    solution: str = ""
    work_diagonal: str = ""
    work_rhs: str = ""


@dataclass(frozen=True)
class RecordState(Block):
    """Append one row per recorded step: ``values[row, k] = _rec_v`` for element ``idx[k]``."""

    record_indices: str = ""
    columns: tuple[tuple[str, str], ...] = ()  # (local computed by kernel, 2-D buffer)
    times: str = ""
    fill: str = ""
    kernel: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class RecordSpikes(Block):
    """Append (index - start, step) and recorded variables of each spike in [start, stop)."""

    spikes: str = ""
    count: str = ""
    start: int = 0
    stop: int = 0
    out_index: str = ""
    out_step: str = ""
    columns: tuple[tuple[str, str], ...] = ()
    fill: str = ""
    kernel: Kernel = field(default_factory=Kernel)


@dataclass(frozen=True)
class RecordRate(Block):
    """``rate[row] = (spikes in [start, stop)) / ((stop - start) * dt)``."""

    spikes: str = ""
    count: str = ""
    start: int = 0
    stop: int = 0
    out_rate: str = ""
    fill: str = ""


@dataclass(frozen=True)
class LookupTable:
    """A function of time read from a table (Brian2's TimedArray): ``name(t)`` or ``name(t, i)``.

    The value at time ``t`` is ``values[k]`` with ``k = int((t/(dt/K) + 0.5)/K)`` clipped to
    the table; ``dt`` names the scalar holding the table's step.
    """

    name: str
    values: str
    dt: str
    K: int
    ndim: int


@dataclass(frozen=True)
class UserFunction:
    """A user function (Brian2's ``Function``) that the plan's expressions call as ``name(...)``.

    ``key`` is the fingerprint of its code and of the values it reads; the backends fetch
    the function registered under it (``spikeloom.core._user_functions``), and ``name``
    contains its start, so a loop's source, hence its cache key, changes with the function.
    """

    name: str
    key: str
    n_args: int
    return_type: str  # 'float' | 'integer' | 'boolean'


@dataclass(frozen=True)
class Plan:
    """Everything one run loop needs: declarations and the ordered blocks of a step."""

    arrays: tuple[ArrayDecl, ...]
    scalars: tuple[tuple[str, str], ...]  # (name, dtype) passed by value
    blocks: tuple[Block, ...]
    check_nan: tuple[str, ...] = ()  # float arrays checked for NaN (or inf)...
    lookups: tuple[LookupTable, ...] = ()
    check_every: int = 1  # ...after every this many steps (and after a run's last step)
    # a backend may compute exp, log, tanh... with its own vectorisable code (a few ulps
    # from libm; prefs.spikeloom.vector_math) rather than call libm per element
    vector_math: bool = True
    functions: tuple[UserFunction, ...] = ()

    def __post_init__(self) -> None:
        names = [a.name for a in self.arrays] + [s for s, _ in self.scalars]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"Plan: names declared twice: {dupes}")
        known = set(names)
        for block in self.blocks:
            for kernel in _kernels(block):
                for _, ref in kernel.loads + kernel.stores:
                    if ref.array not in known:
                        raise ValueError(f"Plan: block {block.name!r} uses undeclared array "
                                         f"{ref.array!r}")

    def __str__(self) -> str:
        out = []
        for block in self.blocks:
            out.append(f"[{type(block).__name__} {block.name} every {block.every}]")
            for kernel in _kernels(block):
                out.extend("    " + line for line in str(kernel).splitlines())
        return "\n".join(out)


    def canonical(self) -> str:
        """The plan's structure as text, with every array and scalar named by its position.

        Two plans with equal canonical text differ only in the values their arrays and
        scalars hold (and in the names of the objects they came from), so they can run as
        trials of one batch.
        """
        lines = [f"array {d.dtype} {d.ndim} {d.growable}" for d in self.arrays]
        lines += [f"scalar {dtype}" for _, dtype in self.scalars]
        for block in self.blocks:
            fields = tuple((f.name, _structure(getattr(block, f.name)))
                           for f in dataclasses.fields(block) if f.name != "name")
            lines.append(f"{type(block).__name__} {fields!r}")
        lines += [f"nan {name}" for name in self.check_nan]
        lines += [f"nan every {self.check_every}"] if self.check_nan else []
        lines += [repr(table) for table in self.lookups]
        lines += [repr(function) for function in self.functions]
        return self.rename("\n".join(lines))

    def positional_names(self) -> dict[str, str]:
        """Array and scalar name → a name that only depends on its position (``_a3``)."""
        mapping = {a.name: f"_a{k}" for k, a in enumerate(self.arrays)}
        mapping.update({n: f"_s{k}" for k, (n, _) in enumerate(self.scalars)})
        return mapping

    def rename(self, text: str) -> str:
        """``text`` with every array and scalar name replaced by its positional name."""
        mapping = self.positional_names()
        if not mapping:
            return text
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(
            mapping, key=len, reverse=True)) + r")\b")
        return pattern.sub(lambda m: mapping[m.group(1)], text)


def _structure(value):
    """``value`` (a block's field) as nested tuples of plain values, with each sympy
    expression replaced by its printed text.

    The text of an expression is kept per distinct expression (:func:`_expression_text`):
    the B plans of a batch hold equal expressions, and printing them (sympy's printer) was
    most of :meth:`Plan.canonical`'s time.
    """
    if isinstance(value, sympy.Basic):
        return _expression_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(
            (f.name, _structure(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple):
        return tuple(_structure(item) for item in value)
    if isinstance(value, dict):
        return tuple((_structure(k), _structure(v)) for k, v in value.items())
    if isinstance(value, set | frozenset):
        return tuple(sorted((_structure(item) for item in value), key=repr))
    return value


@functools.lru_cache(maxsize=16384)
def _expression_text(expr: sympy.Basic) -> str:
    return str(expr)


#: block fields naming arrays the block writes (kernel stores are writes too)
_WRITTEN_FIELDS = ("spikes", "count", "pointer", "queue", "queue_count", "target", "fill",
                   "times", "out_index", "out_step", "out_rate", "solution", "work_diagonal",
                   "work_rhs")


def block_arrays(block: Block, declared: set[str]) -> tuple[set[str], set[str]]:
    """(arrays ``block`` touches, arrays it writes), among the ``declared`` names."""
    touched: set[str] = set()
    written: set[str] = set()
    for f in dataclasses.fields(block):
        value = getattr(block, f.name)
        if isinstance(value, str) and value in declared:
            touched.add(value)
            if f.name in _WRITTEN_FIELDS:
                written.add(value)
        elif isinstance(value, tuple):  # monitor columns: (local, buffer) pairs
            for item in value:
                if isinstance(item, tuple) and item and item[-1] in declared:
                    touched.add(item[-1])
                    written.add(item[-1])
    for kernel in _kernels(block):
        touched |= {array for _, array, _ in kernel.indices}
        touched |= {ref.array for _, ref in kernel.loads + kernel.stores}
        written |= {ref.array for _, ref in kernel.stores}
    return touched, written


def commute(a: Block, b: Block, declared: set[str]) -> bool:
    """Whether running ``a`` then ``b`` gives the same arrays as ``b`` then ``a``: neither
    writes an array the other touches."""
    touched_a, written_a = block_arrays(a, declared)
    touched_b, written_b = block_arrays(b, declared)
    return not (written_a & touched_b or written_b & touched_a)


def _kernels(block: Block) -> list[Kernel]:
    return [v for v in vars(block).values() if isinstance(v, Kernel)]


def symbol_names(expr) -> set[str]:
    """The names of the free symbols of a sympy expression."""
    return {s.name for s in expr.free_symbols}


def guard_groups(statements) -> list[tuple[object, list[Statement]]]:
    """Consecutive statements with the same guard, as ``(guard or None, statements)``."""
    groups: list[tuple[object, list[Statement]]] = []
    for st in statements:
        if groups and groups[-1][0] == st.guard:
            groups[-1][1].append(st)
        else:
            groups.append((st.guard, [st]))
    return groups


def guarded_draws(kernel: Kernel) -> set[str]:
    """Draws that only guarded statements use: a backend may skip them where the guard is
    false (counter-based draws do not depend on which others were made)."""
    used_guarded: set[str] = set()
    used_always: set[str] = set()
    for st in kernel.statements:
        names = symbol_names(st.expr)
        if st.guard is None:
            used_always |= names
        else:
            used_guarded |= names
            used_always |= symbol_names(st.guard)
    return {d.symbol for d in kernel.draws} & (used_guarded - used_always)
