"""Split a synaptic kernel so that the per-synapse work of a spike runs as a SIMD loop.

A presynaptic spike runs the same kernel over every synapse of its row: effects on the
target neurons (``x_post += w``, a scatter whose targets may repeat) and the plasticity of
the synapse itself (per-synapse state only). One scalar loop doing both cannot vectorise:
the scatter may hit the same neuron twice. Run instead

1. the *synapse part* (everything but the statements that write neuron or shared
   variables) as a loop over the row, which LLVM vectorises when its statements call
   nothing but inlined, branch-free code (no libm call). Where a neuron statement stood,
   it saves the synaptic values that statement reads (``w`` before the plasticity
   changes it, a read weight with its noise) in a buffer indexed by the synapse's place
   in the row;
2. the *neuron part* as a scalar loop over the row, in synapse order, reading those saved
   values.

Both orders give the same numbers, bit for bit, when (checked by :func:`split_kernel`, which
returns ``None`` otherwise and the kernel runs as one loop):

* the neuron statements are not guarded, and no local they read is assigned twice between
  two of them (one saved value per local);
* the synapse part reads no neuron local the neuron part writes and loads no array the
  neuron part writes (not even under another index: a recurrent synapse's ``v_pre`` is
  another synapse's ``v_post``).

One kind of neuron statement runs in both parts: one that sets a neuron variable to a value
no synapse changes (``lastspike_pre = t`` of a rule written with ``lastspike``), read by
nothing before it. In one loop every synapse computes that value (or reads it, stored by the
synapse before it); in two loops each part computes it again.

Each neuron statement then sees exactly the synaptic values it saw in its place, and the
synapse part sees exactly the neuron values it saw before (none it could change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from ... import ir
from ...integrators._base import Statement

#: rendered text that keeps LLVM from vectorising a loop: a libm call (``math.*``, which
#: includes ``_exprel``'s ``math.expm1``), a non-inlined helper, a power other than a small
#: positive integer one (which Numba multiplies out)
_SCALAR_ONLY = re.compile(r"\bmath\.|\b_exprel\(|\b_timestep\(|\bnp\.sign\(|\*\*(?![1-8](?![\d.]))")


@dataclass(frozen=True)
class SplitKernel:
    """A synaptic kernel as two loops over a row (see the module docstring).

    ``synapse_part`` saves each name of ``saved`` into the buffer ``saved[name]`` at
    ``[_j]`` (its statements do, where the neuron statements stood); ``neuron_part``
    loads them back from there.
    """

    synapse_part: ir.Kernel
    neuron_part: ir.Kernel
    saved: dict[str, str]


def split_kernel(kernel: ir.Kernel, buffer_prefix: str = "_vsave") -> SplitKernel | None:
    """The synapse part and the neuron part of a synaptic kernel, or ``None`` if the two
    cannot run as separate loops with the same results (see the module docstring).

    Parameters
    ----------
    kernel : ir.Kernel
        The body run for each synapse of a spike's row; synaptic arrays are indexed by
        ``'_idx'``, neuron and shared arrays by anything else.
    buffer_prefix : str
        Prefix of the names of the buffers of saved values (unique per pathway).

    Returns
    -------
    SplitKernel or None
    """
    neuron_stores = tuple((n, r) for n, r in kernel.stores if r.index != "_idx")
    neuron_targets = {n for n, _ in neuron_stores}
    neuron_loads = {n for n, r in kernel.loads if r.index != "_idx"}
    draws = {d.symbol for d in kernel.draws}
    local = {n for n, _ in kernel.loads} | draws | {st.target for st in kernel.statements}
    invariant = _row_invariant(kernel.statements, local, neuron_targets)
    saved: dict[str, str] = {}
    synapse_statements: list[Statement] = []
    neuron_statements: list[Statement] = []
    changed: set[str] = set()  # saved locals assigned again after they were saved
    for st in kernel.statements:
        if st.target in invariant:  # the same value on every synapse: run in both parts
            synapse_statements.append(st)
            neuron_statements.append(st)
            continue
        if st.target in neuron_loads and st.target not in neuron_targets:
            return None  # a neuron value changed but not stored: the neuron part reloads it
        if st.target not in neuron_targets:
            synapse_statements.append(st)
            if st.target in saved:
                changed.add(st.target)
            continue
        if st.guard is not None:
            return None
        for name in sorted((ir.symbol_names(st.expr) & local) - neuron_targets - neuron_loads):
            if name in changed:
                return None  # two values of one local would need two buffers
            if name not in saved:
                saved[name] = f"{buffer_prefix}{len(saved)}"
                synapse_statements.append(Statement(f"{saved[name]}[_j]", sympy.Symbol(name)))
        neuron_statements.append(st)
    synapse_reads = set().union(*(ir.symbol_names(st.expr) for st in synapse_statements),
                                *(ir.symbol_names(st.guard) for st in synapse_statements
                                  if st.guard is not None),
                                {n for n, r in kernel.stores if r.index == "_idx"})
    if synapse_reads & (neuron_targets - invariant):
        return None
    written_arrays = {r.array for _, r in neuron_stores}
    synapse_loads = tuple((n, r) for n, r in kernel.loads
                          if n in synapse_reads and n not in neuron_targets)
    if any(r.array in written_arrays for _, r in synapse_loads):
        return None
    neuron_reads = set().union(neuron_targets,
                               *(ir.symbol_names(st.expr) for st in neuron_statements))
    neuron_part_loads = tuple((n, r) for n, r in kernel.loads
                              if n in neuron_reads and n not in saved)
    neuron_part_loads += tuple((n, ir.Ref(buf, "_j")) for n, buf in saved.items())
    synapse_stores = tuple((n, r) for n, r in kernel.stores if r.index == "_idx")
    return SplitKernel(
        synapse_part=_part(kernel, synapse_loads, kernel.draws, synapse_statements,
                           synapse_stores),
        neuron_part=_part(kernel, neuron_part_loads, (), neuron_statements, neuron_stores),
        saved=saved)


def _row_invariant(statements, local: set[str], neuron_targets: set[str]) -> set[str]:
    """Neuron variables that one unguarded ``=`` sets to a value no synapse changes
    (``lastspike_pre = t``), and that nothing reads before it.

    In one loop each synapse of the row computes that same value; split, the synapse part
    computes it for the synapse statements that read it, and the neuron part stores it.
    """
    assigned = [st.target for st in statements]
    invariant: set[str] = set()
    read_so_far: set[str] = set()
    for st in statements:
        if (st.target in neuron_targets and st.op == "=" and st.guard is None
                and assigned.count(st.target) == 1 and st.target not in read_so_far
                and not ir.symbol_names(st.expr) & local):
            invariant.add(st.target)
        read_so_far |= ir.symbol_names(st.expr)
        if st.op != "=":  # x += c reads x
            read_so_far.add(st.target)
        if st.guard is not None:
            read_so_far |= ir.symbol_names(st.guard)
    return invariant


def _part(kernel: ir.Kernel, loads, draws, statements, stores) -> ir.Kernel:
    """A kernel with the index locals of ``kernel`` that these loads and stores need."""
    needed = {r.index for _, r in tuple(loads) + tuple(stores)}
    for name, _, from_index in reversed(kernel.indices):  # an index may come from another
        if name in needed:
            needed.add(from_index)
    return ir.Kernel(indices=tuple(i for i in kernel.indices if i[0] in needed),
                     loads=tuple(loads), draws=tuple(draws), statements=tuple(statements),
                     stores=tuple(stores))


def vectorisable(rendered: list[str]) -> bool:
    """Whether rendered loop-body lines call only code LLVM can vectorise."""
    return not any(_SCALAR_ONLY.search(line) for line in rendered)
