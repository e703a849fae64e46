"""Collects what objects contribute to a run's plan: arrays, scalars, tables, blocks."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import ir

_DTYPE_NAMES = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32",
                np.dtype(np.int32): "int32", np.dtype(np.int64): "int64",
                np.dtype(np.bool_): "bool"}


@dataclass
class ScheduledBlock:
    key: tuple
    block: ir.Block
    creation: int = 0  # creation order of the object that added it
    owner: object = None  # the object that added it (for the scheduling summary)
    when: str = ""


class LoweringContext:
    """Registry filled by each object's ``lower`` for one run.

    Parameters
    ----------
    base_dt : float
        The network's step (the smallest clock dt), seconds.
    run_namespace : dict
        Names visible to the run (caller's frame or ``namespace=``).
    """

    def __init__(self, base_dt: float, run_namespace: dict, t: float) -> None:
        self.base_dt = base_dt
        self.run_namespace = run_namespace
        self.t = t
        self.arrays: dict[str, np.ndarray] = {}
        self.decls: dict[str, ir.ArrayDecl] = {}
        self.setters: dict[str, Callable[[np.ndarray], None]] = {}
        self.scalars: dict[str, float] = {}
        self.scalar_types: dict[str, str] = {}
        self._scalar_keys: dict[tuple, str] = {}
        self.lookups: dict[str, ir.LookupTable] = {}
        #: user functions (Brian2's Function) by the name the loop calls them under
        self.functions: dict[str, ir.UserFunction] = {}
        self._function_names: dict[int, tuple[str, object]] = {}
        self.blocks: list[ScheduledBlock] = []
        self.check_nan: list[str] = []
        self._streams = itertools.count(1)
        self._tags = itertools.count()
        self._summed_targets: dict[str, str] = {}

    def claim_summed_target(self, array: str, where: str) -> None:
        """A summed variable zeroes its target each step: two of them would overwrite."""
        if array in self._summed_targets:
            raise ValueError(f"{where}: {array} is already the target of the (summed) variable "
                             f"of {self._summed_targets[array]}; sum both contributions in one "
                             "Synapses, or give each its own target variable")
        self._summed_targets[array] = where

    def tag(self) -> str:
        return f"b{next(self._tags)}"

    def array(self, name: str, values: np.ndarray, growable: bool = False,
              setter: Callable[[np.ndarray], None] | None = None) -> str:
        """Register ``values`` (modified in place by the loop) under ``name``."""
        if name in self.arrays:
            if self.arrays[name] is not values:
                raise ValueError(f"array name {name!r} registered twice with different data")
            return name
        if not values.flags.c_contiguous:
            raise ValueError(f"array {name!r} must be C-contiguous")
        self.arrays[name] = values
        self.decls[name] = ir.ArrayDecl(name, _DTYPE_NAMES[values.dtype], values.ndim, growable)
        if setter is not None:
            self.setters[name] = setter
        return name

    def scalar(self, hint: str, value, dtype: str | None = None) -> str:
        """A scalar argument of the loop; the name depends on ``hint`` only (cache-stable)."""
        if dtype is None:
            dtype = "bool" if isinstance(value, bool | np.bool_) else (
                "int64" if isinstance(value, int | np.integer) else "float64")
        key = (hint, dtype, value)
        if key in self._scalar_keys:
            return self._scalar_keys[key]
        base = "_k_" + re.sub(r"\W", "_", hint)
        name = base
        k = 0
        while name in self.scalars:
            k += 1
            name = f"{base}_{k}"
        self.scalars[name] = value
        self.scalar_types[name] = dtype
        self._scalar_keys[key] = name
        return name

    def lookup(self, name: str, timed_array) -> None:
        if name in self.lookups:
            return
        values = self.array(f"_ta_{name}", timed_array.values)
        dt = self.scalar(f"ta_dt_{name}", timed_array.dt_)
        self.lookups[name] = ir.LookupTable(name, values, dt, timed_array.K(self.base_dt),
                                            timed_array.values.ndim)

    def user_function(self, function) -> str:
        """Register a user function for this run; return the name the loop calls it by.

        The name holds the start of the function's fingerprint (taken once per run, so a
        global constant changed between runs gives a new name): two functions called ``f``
        in one network, or in two processes sharing the disk cache, never share code.
        """
        known = self._function_names.get(id(function))
        if known is not None:
            return known[0]
        code = function.user_code()
        name = f"_uf_{re.sub(r'[^A-Za-z0-9]', '_', code.name)}_{code.key[:12]}"
        self.functions[name] = ir.UserFunction(name, code.key, code.n_args, code.return_type)
        self._function_names[id(function)] = (name, function)  # kept alive: ids stay unique
        return name

    def new_stream(self) -> int:
        return next(self._streams)

    def every(self, clock, owner: str) -> int:
        ratio = clock.dt_ / self.base_dt
        every = int(round(ratio))
        if every < 1 or abs(ratio - every) > 1e-9 * ratio:
            raise ValueError(f"{owner}: dt {clock.dt_} s is not a whole multiple of the "
                             f"network's smallest dt {self.base_dt} s; spikeloom runs all "
                             "clocks on one grid")
        return every

    def _hoist(self, position: int, block: ir.Block) -> ir.Block:
        scalars = self.scalars

        def is_invariant(name: str) -> bool:
            return name in scalars or name in ("t", "dt", "_tstep") or name.startswith("_lio")

        changes = {}
        for field, value in vars(block).items():
            if isinstance(value, ir.Kernel):
                hoisted = ir.hoist_invariants(value, is_invariant,
                                              f"_lio{position}{field[:2]}_")
                changes[field] = ir.eliminate_common_subexpressions(
                    hoisted, f"_cse{position}{field[:2]}_")
        return dataclasses.replace(block, **changes) if changes else block

    def add_block(self, obj, block: ir.Block, when: str | None = None,
                  order: int | None = None) -> None:
        from ._base import when_index

        key = (when_index(when or obj.when, obj.name), obj.order if order is None else order,
               block.name)
        self.blocks.append(ScheduledBlock(key, block, getattr(obj, "_creation", 0), obj,
                                          when or obj.when))

    def _canonical_order(self) -> list[ScheduledBlock]:
        """Brian2's order (slot, order, name), then, within a slot and order, blocks that
        all commute sorted by their objects' creation: the names' order is then irrelevant
        to the results, and an identical model built again (``synapses_2`` for
        ``synapses``, where '_2' sorts otherwise against '_pre') gives the same plan, so
        compiled code is reused and trials batch together."""
        ordered = sorted(self.blocks, key=lambda b: b.key)
        declared = set(self.decls)
        out: list[ScheduledBlock] = []
        for _, group in itertools.groupby(ordered, key=lambda b: b.key[:2]):
            group = list(group)
            if len(group) > 1 and all(ir.commute(a.block, b.block, declared)
                                      for k, a in enumerate(group) for b in group[k + 1:]):
                group.sort(key=lambda b: (b.creation, b.key))
            out.extend(group)
        return out

    def plan(self, optimise: bool = True) -> ir.Plan:
        blocks = tuple(b.block for b in self._canonical_order())
        if optimise:
            blocks = tuple(self._hoist(k, block) for k, block in enumerate(blocks))
        scalars = tuple((n, self.scalar_types[n]) for n in self.scalars)
        return ir.Plan(tuple(self.decls.values()), scalars, blocks,
                       check_nan=tuple(self.check_nan), lookups=tuple(self.lookups.values()),
                       functions=tuple(self.functions.values()))
