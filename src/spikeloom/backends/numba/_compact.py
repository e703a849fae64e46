"""Run the costly guarded statements of a synaptic row only on the lanes that need them.

A device's law runs only for the synapses that get programmed (``if mem_n > 0``): about
half of the events of an STDP run, often fewer. In a SIMD loop a guarded group is either
computed for every lane and selected (branch-free: normal draws, ``exp``, ``log`` for all)
or kept as a branch, and then LLVM keeps the whole loop scalar. :func:`compact_row` instead
cuts the row's synapse part at each costly guarded group into

1. a SIMD loop over the row up to the group, which saves the values needed later in
   per-lane buffers (``live``) and the guard in a selector;
2. the lanes whose guard holds, packed into a list (``selected``);
3. the group, as a SIMD loop over the packed lanes (their inputs gathered into contiguous
   buffers first, its results scattered back into ``live``);
4. the rest of the row, again a SIMD loop, reading the saved values.

Every statement still computes what it computed in the single loop (same operations, the
draws counter-based), so the results are bit-identical; a lane whose guard is false keeps
the group's old values (0 for what the group declares), as the ``if`` block gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from ... import ir
from ...integrators._base import Statement

#: functions whose cost makes a guarded group worth packing (clip, abs, floor are cheap)
_COSTLY = {"exp", "log", "tanh", "sinh", "cosh", "exprel", "expm1", "log1p", "sqrt"}


@dataclass(frozen=True)
class RowLoop:
    """A SIMD loop over the row (``_j``) running ``kernel``."""

    kernel: ir.Kernel


@dataclass(frozen=True)
class PackedGroup:
    """A guarded group run on the packed lanes whose ``selector`` holds.

    ``gathered`` pairs ``(source, packed buffer)``: each source (a live buffer at ``[_j]``
    or a synaptic array at ``[_idx]``) is copied to the packed buffer before ``kernel`` (over
    ``_i``, with ``_idx`` from ``packed_index``) runs; ``scattered`` pairs
    ``(packed buffer, live buffer)`` are copied back after it.
    """

    selector: str
    selected: str
    packed_index: str
    gathered: tuple[tuple[str, str], ...]
    kernel: ir.Kernel
    scattered: tuple[tuple[str, str], ...]


def compact_row(kernel: ir.Kernel, buffer: Callable[[str], str],
                dtype_of: Callable[[str], str]) -> list[RowLoop | PackedGroup] | None:
    """The loops that run ``kernel`` (a synapse part) with its costly guarded groups packed,
    or ``None`` if it has none (then one branch-free SIMD loop is best).

    Parameters
    ----------
    kernel : ir.Kernel
        The synapse part of a row (see ``_vectorise``); synaptic values at ``_idx`` or in
        row buffers at ``_j``.
    buffer : callable
        ``buffer(dtype)`` allocates a row-long scratch buffer and returns its name.
    dtype_of : callable
        ``dtype_of(local)``: the dtype of a local of ``kernel`` (float64 for temporaries).
    """
    groups = ir.guard_groups(kernel.statements)
    lazy = ir.guarded_draws(kernel)
    if not any(_costly(guard, group, lazy) for guard, group in groups):
        return None
    available = ({n for n, _ in kernel.loads} | {i[0] for i in kernel.indices}
                 | {d.symbol for d in kernel.draws if d.symbol not in lazy})
    # a synaptic value loaded and not changed yet is loaded again where needed rather than
    # saved: every buffer a loop writes costs LLVM a run-time overlap check against every
    # other array, and with too many it gives up vectorising
    reloadable = {n: ref for n, ref in kernel.loads if ref.index in ("_idx", "_j")}
    loops: list[RowLoop | PackedGroup] = []
    current = ir.Kernel(indices=kernel.indices, loads=kernel.loads,
                        draws=tuple(d for d in kernel.draws if d.symbol not in lazy))
    statements: list[Statement] = []
    for number, (guard, group) in enumerate(groups):
        if not _costly(guard, group, lazy):
            statements += group
            available |= {st.target for st in group}
            for st in group:
                reloadable.pop(st.target, None)
            continue
        later = _names_after(groups[number + 1:], kernel.stores)
        declared = {st.target for st in group if st.declare}
        outputs = [t for t in dict.fromkeys(st.target for st in group) if t in later]
        inputs = sorted(set().union(*(ir.symbol_names(st.expr) for st in group)) & available)
        live = {name: buffer(dtype_of(name))
                for name in sorted(available & (later | set(inputs))) if name not in reloadable}
        live.update({t: buffer("float64") for t in outputs if t not in live})
        selector = buffer("bool")
        saves = [Statement(f"{selector}[_j]", guard)]
        saves += [Statement(f"{buf}[_j]", sympy.Float(0.0) if name in declared and
                            name not in available else sympy.Symbol(name))
                  for name, buf in live.items()]
        loops.append(RowLoop(_with(current, statements + saves, ())))
        source = {**{n: f"{ref.array}[{ref.index}]" for n, ref in reloadable.items()},
                  **{n: f"{buf}[_j]" for n, buf in live.items()}}
        packed = {name: buffer(dtype_of(name)) for name in inputs}
        results = {t: buffer("float64") for t in outputs}
        loops.append(PackedGroup(
            selector=selector, selected=buffer("int64"), packed_index=buffer("int64"),
            gathered=tuple((source[n], packed[n]) for n in inputs),
            kernel=ir.Kernel(loads=tuple((n, ir.Ref(b, "_i")) for n, b in packed.items()),
                             draws=tuple(d for d in kernel.draws if d.symbol in lazy and
                                         d.symbol in _names_of(group)),
                             statements=tuple(_unguarded(st) for st in group),
                             stores=tuple((t, ir.Ref(b, "_i")) for t, b in results.items())),
            scattered=tuple((results[t], live[t]) for t in outputs)))
        available |= set(outputs)
        for t in outputs:
            reloadable.pop(t, None)
        current = ir.Kernel(loads=tuple((n, ref) for n, ref in reloadable.items() if n in later)
                            + tuple((n, ir.Ref(b, "_j")) for n, b in live.items() if n in later))
        statements = []
    loops.append(RowLoop(_with(current, statements, kernel.stores)))
    return loops


def _costly(guard, group: list[Statement], lazy: set[str]) -> bool:
    """Whether a guarded group costs enough to pack: it draws or calls a transcendental."""
    if guard is None:
        return False
    if _names_of(group) & lazy:
        return True
    for st in group:
        for call in st.expr.atoms(sympy.Function, sympy.Pow):
            name = type(call).__name__ if not isinstance(call, sympy.Pow) else "pow"
            if name in _COSTLY or (name == "pow" and not call.exp.is_Integer):
                return True
    return False


def _names_of(group: list[Statement]) -> set[str]:
    return set().union(*(ir.symbol_names(st.expr) for st in group))


def _names_after(groups, stores) -> set[str]:
    """The locals read by the statements (and guards) of ``groups`` and by ``stores``."""
    names = {n for n, _ in stores}
    for guard, group in groups:
        names |= _names_of(group)
        if guard is not None:
            names |= ir.symbol_names(guard)
    return names


def _unguarded(st: Statement) -> Statement:
    return Statement(st.target, st.expr, op=st.op, declare=st.declare)


def _with(kernel: ir.Kernel, statements, stores) -> ir.Kernel:
    return ir.Kernel(indices=kernel.indices, loads=kernel.loads, draws=kernel.draws,
                     statements=tuple(statements), stores=tuple(stores))
