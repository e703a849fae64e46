"""Run-constant synaptic arrays laid out in delivery order, for pathways that reach their
synapses through an index (``ir.Pathway.order``).

A pathway whose synapses are not stored in the order it delivers them (delay groups, a
post-synaptic pathway, synapses created in any order by ``connect(i=, j=)``) reads each
synapse's values through ``order``: one random access per synapse and array, most of them
cache misses once the synapses outgrow the caches (measured on the Potjans-Diesmann
microcircuit at 10 %, 30 M synapses: 2.3 s per simulated second against 0.45 s with the same
synapses stored in delivery order). The arrays such a kernel only reads, and that no block
of the plan writes, cannot change during a run; this module gives the loop copies of them
permuted into delivery order, read at the row position ``_p`` (which every delivery loop
of the renderer defines) rather than at the synapse ``_idx``. Writes still go to the
synapse's own place, and results are unchanged bit for bit (the same values are read).

The copies are made on every ``execute`` (the user may change a synaptic variable between
runs), so they are made only for executes long enough to repay them: ``MIN_STEPS``.

The arrays read or written at the row position (:func:`row_arrays`: these copies, or the
synapses' own arrays when stored in delivery order) are what the delivery loops of large
pathways prefetch a few rows ahead (:func:`prefetched_pathways`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ... import ir

#: executes shorter than this many steps read through ``order`` as before (a run chunked
#: by network operations would otherwise copy the arrays once per chunk)
MIN_STEPS = 1000
#: copy name = source array + this + pathway name
SUFFIX = "__delivery_"
#: pathways whose row arrays hold at least this many bytes prefetch their rows (the
#: renderer's ``_prefetch_rows``): about half the last-level cache of the machines measured
#: (32 MiB); below it the rows mostly stay cached, and the hints cost only compile time
#: (about 0.1 s per pathway; COBA 40 000, 12.8 MB of rows, gained nothing measurable)
PREFETCH_MIN_BYTES = 16 * 2**20


def delivery_ordered(plan: ir.Plan, arrays: dict[str, np.ndarray],
                     n_steps: int) -> tuple[ir.Plan, dict[str, np.ndarray]]:
    """``plan`` with its eligible pathways reading delivery-ordered copies, and ``arrays``
    with the copies added (a new dict; the caller's is not changed). Unchanged when there
    is nothing to copy or the execute is short."""
    if n_steps < MIN_STEPS:
        return plan, arrays
    written = _written_arrays(plan)
    blocks, decls, copies = [], [], {}
    for block in plan.blocks:
        if isinstance(block, ir.Pathway) and block.order:
            kernel, made = _kernel_on_copies(block, written)
            if made:
                block = dataclasses.replace(block, kernel=kernel)
                order = arrays[block.order]
                for source, copy in made.items():
                    copies[copy] = arrays[source][order]
                    dtype = next(a.dtype for a in plan.arrays if a.name == source)
                    decls.append(ir.ArrayDecl(copy, dtype))
        blocks.append(block)
    if not copies:
        return plan, arrays
    plan = dataclasses.replace(plan, arrays=plan.arrays + tuple(decls), blocks=tuple(blocks))
    return plan, {**arrays, **copies}


def _kernel_on_copies(block: ir.Pathway, written: set[str]) -> tuple[ir.Kernel, dict]:
    kernel, made = block.kernel, {}

    def copy_of(array: str) -> str:
        return made.setdefault(array, f"{array}{SUFFIX}{block.name}")

    indices = tuple((name, copy_of(array), "_p") if frm == "_idx" and array not in written
                    else (name, array, frm) for name, array, frm in kernel.indices)
    loads = tuple((name, ir.Ref(copy_of(ref.array), "_p"))
                  if ref.index == "_idx" and ref.array not in written else (name, ref)
                  for name, ref in kernel.loads)
    return dataclasses.replace(kernel, indices=indices, loads=loads), made


def _written_arrays(plan: ir.Plan) -> set[str]:
    """Arrays the loop may change: stored by a kernel, growable, a pathway's queue and spike
    list, or named by any other block outside its kernels (spike lists, solver outputs,
    summed targets; conservatively all of them)."""
    written = {a.name for a in plan.arrays if a.growable}
    for block in plan.blocks:
        if isinstance(block, ir.Pathway):
            named = {block.queue, block.queue_count, block.source_spikes, block.source_count}
        else:
            named = {v for v in vars(block).values() if isinstance(v, str)}
        written |= named
        for kernel in (v for v in vars(block).values() if isinstance(v, ir.Kernel)):
            written.update(ref.array for _, ref in kernel.stores)
    return written


def row_arrays(block: ir.Pathway) -> list[str]:
    """The arrays ``block``'s kernel reads or writes at the row position, in row order: the
    synapses' own when they are stored in delivery order (at ``_idx = _p``), else ``order``
    and the delivery-ordered copies (read at ``_p``); possibly none (a kernel that touches
    no synapse)."""
    at_row = ("_p",) if block.order else ("_idx", "_p")
    kernel = block.kernel
    arrays = [block.order] if block.order else []
    arrays += [array for _, array, at in kernel.indices if at in at_row]
    arrays += [ref.array for _, ref in kernel.loads + kernel.stores if ref.index in at_row]
    return list(dict.fromkeys(arrays))


def prefetched_pathways(plan: ir.Plan, arrays: dict[str, np.ndarray]) -> tuple[str, ...]:
    """Names of the pathways of ``plan`` whose row arrays (:func:`row_arrays`, with the
    row pointers) hold at least :data:`PREFETCH_MIN_BYTES`: those the loop prefetches.

    Sorted, so that the same network gives the same compile options in every process.
    """
    chosen = []
    for block in plan.blocks:
        if isinstance(block, ir.Pathway):
            size = sum(arrays[name].nbytes for name in [block.ptr, *row_arrays(block)])
            if size >= PREFETCH_MIN_BYTES:
                chosen.append(block.name)
    return tuple(sorted(chosen))
