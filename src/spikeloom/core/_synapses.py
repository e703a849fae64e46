"""Synapses: per-synapse equations, event code on pre/post spikes, delays, summed variables.

Storage is per synapse in creation order (what ``S.w[:]`` shows, as in Brian2). For each
pathway the lowering builds a CSR index (synapses grouped by their source neuron) so that a
spike touches only its own synapses.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import sympy

from .. import ir, units
from .._threads import requested_threads
from ..equations import DIFF, SUB, parse_statements
from ..exceptions import EquationError, UnitError
from ..integrators._base import sym
from ..units import DIMENSIONLESS, dim_string, get_dim, si_value
from . import _memory
from ._base import when_index
from ._codegen import KernelBuilder, Namespace, Scope
from ._connect import (
    check_probability,
    expected_synapses,
    explicit_pairs,
    pairs_from_condition,
    pairs_from_generator,
    sampled_synapses,
    thin_pairs,
)
from ._evaluate import Evaluator
from ._group import _caller_namespace, as_indices, check_namespace
from ._neurongroup import EquationsOwner
from ._variables import DerivedVariable, Variable

SECOND = get_dim(units.second)


class SynapticPathway:
    """One event pathway (``'pre'``, ``'post'`` or a named one) of a :class:`Synapses`."""

    def __init__(self, synapses, name: str, prepost: str, code: str, delay_var: Variable,
                 event: str = "spike"):
        self.synapses = synapses
        self.name = name
        self.prepost = prepost
        self.event = event  # the source's event that triggers it (Brian2's on_event)
        self.code = code
        self.lines = parse_statements(code, f"{synapses.owner} on_{name}")
        self.delay_var = delay_var
        self.queue = np.zeros((1, 1), np.int32)
        self.queue_count = np.zeros(1, np.int64)
        self.mode = None

    @property
    def source(self):
        return self.synapses.source if self.prepost == "pre" else self.synapses.target

    @property
    def delay(self):
        return self.synapses._view(self.delay_var)

    @delay.setter
    def delay(self, value) -> None:
        self.synapses._set_values(self.delay_var, slice(None), value)

    def _queue_for(self, slots: int, capacity: int, mode) -> None:
        if self.queue.shape[0] == slots and self.mode == mode:
            return
        if self.queue_count.sum() and self.mode is not None:
            raise ValueError(f"{self.synapses.owner}: the delays of pathway {self.name!r} changed "
                             "while spikes were still in flight; change delays only before "
                             "the first run or once the queue is empty")
        self.queue = np.zeros((slots, max(capacity, 1)), np.int32)
        self.queue_count = np.zeros(slots, np.int64)
        self.mode = mode


def _check_delays(delays: np.ndarray, where: str) -> tuple[float, float] | None:
    """Refuse a negative or non-finite delay (SI values): a spike cannot arrive before it
    is sent, nor never. Returns the (smallest, largest) delay, or None for no delays."""
    if delays.size == 0:
        return None
    # min >= 0 and a finite max hold only when every delay is fine (a NaN makes the min
    # NaN): two passes without temporaries, the masks only to name a bad value
    low, high = delays.min(), delays.max()
    if low >= 0 and np.isfinite(high):
        return float(low), float(high)
    # otherwise some delay is negative, infinite or NaN
    bad = delays[~((delays >= 0) & np.isfinite(delays))]
    raise ValueError(f"{where} {bad.flat[0] * units.second!r}; allowed: a finite time "
                     ">= 0, e.g. 1*ms")


#: target partitions of a pathway that can be delivered concurrently (a few per thread)
TARGET_PARTITIONS = 8


class Synapses(EquationsOwner):
    """Connections between two groups (Brian2's ``Synapses``).

    Parameters
    ----------
    source, target : group
        Presynaptic and postsynaptic groups (``target`` defaults to ``source``).
    model : str or Equations
        Per-synapse variables; flags ``(event-driven)``, ``(clock-driven)``, ``(summed)``,
        ``(constant)``, ``(shared)``.
    on_pre, on_post : str or dict
        Statements run for each synapse when its presynaptic (postsynaptic) neuron spikes
        (after the synapse's delay). A dict gives several named pathways.
    pre, post : str or dict, optional
        Brian2's older names of ``on_pre`` and ``on_post``.
    connect : None
        Must be None: Brian2 removed ``connect=`` from the constructor; call
        :meth:`connect`.
    delay : Quantity (time), optional
        Initial delay of new synapses on the ``pre`` pathway.
    on_event : str or dict
        The source's event that triggers the pathways: ``'spike'`` (the threshold's,
        default) or a custom event of the group's ``events``; a dict maps pathway names to
        events (``{'pre': 'spike', 'gpath': 'gspike'}``).
    multisynaptic_index : str, optional
        Brian2's name of a variable numbering the synapses of one (i, j) pair: accepted,
        but the variable is not created.
    namespace : dict, optional
        Names for the model's external constants (else the run's namespace).
    dtype : None
        Brian2's per-variable dtypes: accepted and ignored.
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.
    dt : Quantity (time), optional
        Time step of clock-driven equations (default ``defaultclock.dt``).
    clock : Clock, optional
        The clock of clock-driven equations (instead of ``dt``).
    order : int
        Position within a schedule slot (default 0).
    method : str, optional
        Integration method of clock-driven equations.
    method_options : dict, optional
        Brian2's options of the integration method: accepted and ignored.
    name : str, optional
        A unique name (default ``'synapses'``, numbered).

    Notes
    -----
    In code, ``x_pre``/``x_post`` are variables of the pre/postsynaptic neuron; an unsuffixed
    name that is not a synaptic variable means the postsynaptic neuron's (Brian2's rule).
    ``lastspike_pre`` works for every spiking source, input groups included.
    """

    _default_name = "synapses"
    start = 0  # as a source or target of other synapses: indices count from 0
    _allowed_flags = frozenset({"constant", "shared", "event-driven", "clock-driven",
                                "summed", "constant over dt", "linked"})

    def __init__(self, source, target=None, model=None, on_pre=None, pre=None, on_post=None,
                 post=None, connect=None, delay=None, on_event="spike",
                 multisynaptic_index=None, namespace=None, dtype=None, codeobj_class=None,
                 dt=None, clock=None, order=0, method=None, method_options=None,
                 name=None) -> None:
        super().__init__(name=name, when="groups", order=order, dt=dt, clock=clock)
        if connect is not None:
            raise EquationError(f"{self.owner}: connect= in the constructor was removed in "
                                "Brian2; call S.connect(...)")
        self.source = source
        self.target = target if target is not None else source
        for role, group in (("source", self.source), ("target", self.target)):
            if not hasattr(group, "variables") or not hasattr(group, "N"):
                raise TypeError(f"{self.owner}: {role} must be a group, got {group!r}")
        on_pre = on_pre if on_pre is not None else pre
        on_post = on_post if on_post is not None else post
        self.namespace = check_namespace(namespace, self.owner)
        self.method = method
        builtin = {"i", "j", "N", "delay", "lastupdate", "N_incoming", "N_outgoing"}
        self.model = self._setup_equations(model if model is not None else "", builtin)
        self.N = 0
        self._summed = [eq for eq in self.model if "summed" in eq.flags]
        self._event_driven = [eq for eq in self.model
                              if eq.kind == DIFF and "event-driven" in eq.flags]
        self._clock_driven = [eq for eq in self.model
                              if eq.kind == DIFF and "event-driven" not in eq.flags]
        self._add_model_variables(self.model, skip=lambda eq: "summed" in eq.flags)
        for eq in self._summed:
            self._check_summed(eq)
        #: Brian2's ``S.summed_updaters['v_post'].when = 'after_groups'``: where in the step
        #: each (summed) variable is computed (default: just before its target's group)
        self.summed_updaters = {eq.name: SummedUpdater(
            f"{self.owner}.summed_updaters[{eq.name!r}]", "groups",
            self._summed_group(eq).order - 1) for eq in self._summed}
        if self._event_driven:
            self.add_array("lastupdate", SECOND, np.float64, 0.0)
        self.add_array("_synaptic_pre", DIMENSIONLESS, np.int32, 0, read_only=True)
        self.add_array("_synaptic_post", DIMENSIONLESS, np.int32, 0, read_only=True)
        self._connect_version = 0  # bumped by every connect: derived arrays refresh on it
        for name in ("N_incoming", "N_outgoing"):
            self.variables[name] = DerivedVariable(
                name, DIMENSIONLESS, np.int32, np.zeros(0, np.int32), read_only=True,
                refresh=self._refresh_synapse_counts)
        self._default_delays: dict[str, float] = {}
        self.pathways: list[SynapticPathway] = []
        for prepost, code in (("pre", on_pre), ("post", on_post)):
            if code is None:
                continue
            items = code.items() if isinstance(code, dict) else [(prepost, code)]
            for pname, pcode in items:
                event = on_event.get(pname, "spike") if isinstance(on_event, dict) \
                    else on_event
                self._add_pathway(pname, prepost, pcode, delay, event)
        self._frozen = True

    # -- construction helpers --------------------------------------------------------------------
    def _add_pathway(self, pname: str, prepost: str, code: str, delay,
                     event: str = "spike") -> None:
        if not isinstance(code, str):
            raise TypeError(f"{self.owner}: on_{prepost} must be a string or a dict of "
                            f"strings, got {code!r}")
        var_name = "delay" if pname == "pre" else f"_delay_{pname}"
        var = self.add_array(var_name, SECOND, np.float64, 0.0)
        if isinstance(delay, dict):  # Brian2: {pathway name: delay}
            delay = delay.get(pname)
        elif pname != "pre":
            delay = None  # a plain delay= is the 'pre' pathway's
        if delay is not None:
            if get_dim(delay) != SECOND:
                raise UnitError(f"{self.owner}: delay must be a time, got {delay!r}")
            _check_delays(np.asarray(si_value(delay), dtype=float), f"{self.owner}: delay")
            self._default_delays[var_name] = float(si_value(delay))
        source = self.source if prepost == "pre" else self.target
        if not isinstance(event, str):
            raise TypeError(f"{self.owner}: on_event={event!r} for pathway {pname!r}; allowed: "
                            "an event name ('spike' or a custom event of the source group), "
                            "or a dict {pathway: event name}")
        if not hasattr(source, "spike_source"):
            raise EquationError(f"{self.owner}: on_{prepost} needs a {prepost}synaptic group "
                                "that spikes (a threshold or an input group)")
        if event != "spike" and not source.spike_source._has_event(event):
            known = list(getattr(source.spike_source, "events", {}))
            raise ValueError(f"{self.owner}: on_event={event!r} for pathway {pname!r}, but "
                             f"{source.spike_source.owner} has no such event (its custom "
                             f"events: {known or 'none'})")
        pathway = SynapticPathway(self, pname, prepost, code, var, event)
        self.pathways.append(pathway)
        object.__setattr__(self, pname, pathway)

    def _check_summed(self, eq) -> None:
        where = f"{self.owner}: {eq.where}"
        if eq.kind != SUB:
            raise EquationError(f"{where}: only subexpressions can be (summed)")
        for suffix, group in (("_post", self.target), ("_pre", self.source)):
            if eq.name.endswith(suffix):
                target_name = eq.name[: -len(suffix)]
                var = group.variables.get(target_name)
                if var is None or var.is_subexpression:
                    raise EquationError(f"{where}: the summed variable needs a parameter "
                                        f"{target_name!r} in {group.owner}")
                if var.dim != eq.dim:
                    raise UnitError(f"{where}: unit {dim_string(eq.dim)} differs from "
                                    f"{target_name}'s unit {dim_string(var.dim)}")
                return
        raise EquationError(f"{where}: a (summed) variable's name ends with _post or _pre")

    # -- variables --------------------------------------------------------------------------------
    def _size(self) -> int:
        return self.N

    def _view(self, var):
        from ._variables import VariableView
        return VariableView(self, var)

    # -- the plasticity switch -----------------------------------------------------------------
    @property
    def plastic(self):
        """Whether the synapses' weights may change (True unless switched off).

        Synapses built from a rule of :mod:`spikeloom.models.plasticity` scale every weight
        increment by the constant ``plastic``: ``S.plastic = False`` freezes the weights (a
        run leaves them bit-identical; traces, spike times and a device's drift and read
        noise go on), ``S.plastic = True`` resumes learning. Neither needs a new compilation.
        A model that declares its own ``plastic`` variable (Brian2's idiom
        ``plastic : boolean (shared)``) gets that variable instead.
        """
        variables = self.__dict__["variables"]
        if "plastic" in variables:
            return self._view(variables["plastic"])
        constants = self.__dict__.get("_eq_namespace") or {}
        if "plastic" not in constants:
            raise AttributeError(f"{self.owner} has no plasticity switch: its code reads no "
                                 "'plastic' (rules of spikeloom.models.plasticity have one)")
        return bool(constants["plastic"])

    def __setattr__(self, name: str, value) -> None:
        if name == "plastic" and "plastic" not in self.__dict__.get("variables", {}):
            self._set_plastic(value)
        else:
            super().__setattr__(name, value)

    def _set_plastic(self, value) -> None:
        constants = self.__dict__.get("_eq_namespace") or {}
        if "plastic" not in constants:
            raise AttributeError(
                f"{self.owner}: cannot set plastic={value!r}: its code reads no 'plastic', so "
                "nothing would be switched (build the synapses from a rule of "
                "spikeloom.models.plasticity, or declare 'plastic : boolean (shared)' and "
                "scale the weight changes by it)")
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{self.owner}: plastic must be True or False, got {value!r}")
        # stored as a number: a boolean constant would be written into the compiled code
        constants["plastic"] = 1.0 if value else 0.0

    def __getattr__(self, name):
        if name in ("i", "j"):
            var = self.__dict__["variables"]["_synaptic_pre" if name == "i" else "_synaptic_post"]
            group = self.__dict__["source"] if name == "i" else self.__dict__["target"]
            values = var.values.astype(np.int32) - np.int32(group.start)
            return SynapticIndexArray.wrap(values, self)
        for suffix, side, index in (("_pre", "source", "i"), ("_post", "target", "j")):
            group = self.__dict__.get(side)
            base = name[:-len(suffix)]
            if name.endswith(suffix) and group is not None and base in group.variables:
                # S.x_pre: the source's x for each synapse (read-only, as Brian2 gives it)
                return getattr(group, base)[np.asarray(getattr(self, index))]
        if name == "N_incoming_post":  # synapses onto each target neuron (Brian2's name)
            return np.bincount(self.j, minlength=self.target.N).astype(np.int32)
        if name == "N_outgoing_pre":  # synapses from each source neuron
            return np.bincount(self.i, minlength=self.source.N).astype(np.int32)
        return super().__getattr__(name)

    @property
    def indices(self) -> SynapseIndices:
        """``S.indices[i, j]``, ``S.indices['i > j']``: the synapse indices an index selects."""
        return SynapseIndices(self)

    def __getitem__(self, item) -> SynapticSubgroup:
        """``S[i, :]``: the synapses an index selects (``StateMonitor(S, 'w', record=S[0, :])``)."""
        return SynapticSubgroup(self, self._element_indices(item))

    def _element_indices(self, item) -> np.ndarray:
        if isinstance(item, tuple):
            if len(item) != 2:
                raise IndexError(f"{self.owner}: index with S.w[i, j], got {item!r}")
            pre_sel = _selection(item[0], self.source.N)
            post_sel = _selection(item[1], self.target.N)
            keep = np.isin(self.i, pre_sel) & np.isin(self.j, post_sel)
            return np.flatnonzero(keep)
        return super()._element_indices(item)

    def scope(self, run_namespace, index="_idx", suffix="") -> Scope:
        own = Scope(self.owner, self.variables, self.array_name, index, suffix,
                    Namespace(self.namespace, run_namespace, self._eq_namespace),
                    extra={"i": (sympy.Symbol("_pre", integer=True) - self.source.start,
                                 DIMENSIONLESS),
                           "j": (sympy.Symbol("_post", integer=True) - self.target.start,
                                 DIMENSIONLESS),
                           "N": (sympy.Integer(self.N), DIMENSIONLESS),
                           "N_pre": (sympy.Integer(self.source.N), DIMENSIONLESS),
                           "N_post": (sympy.Integer(self.target.N), DIMENSIONLESS)})
        post = self.target.scope(run_namespace, "_post", "_post")
        own.links = {"_pre": self.source.scope(run_namespace, "_pre", "_pre"), "_post": post}
        own.fallback = post
        own.index_arrays = {"_pre": self.array_name(self.variables["_synaptic_pre"]),
                            "_post": self.array_name(self.variables["_synaptic_post"])}
        return own

    def _evaluator(self, relative: np.ndarray) -> Evaluator:
        pre = self.variables["_synaptic_pre"].values[relative]
        post = self.variables["_synaptic_post"].values[relative]
        return Evaluator(self.scope(_caller_namespace()),
                         {"_idx": relative, "_pre": pre.astype(np.int64),
                          "_post": post.astype(np.int64)},
                         t=getattr(self, "_t", 0.0), dt=self.clock.dt_)

    # -- connect ---------------------------------------------------------------------------------
    def connect(self, condition=None, i=None, j=None, p=1.0, n=1, skip_if_invalid=False,
                namespace=None, level=0) -> None:
        """Create synapses (Brian2's forms: explicit, condition with p, generator syntax).

        Parameters
        ----------
        condition : str or bool, optional
            Expression over ``i``, ``j`` and pre/post variables; True connects all pairs.
        i, j : int or array of int, optional
            Explicit pairs (broadcast). ``j`` may instead be a generator string,
            e.g. ``'k for k in range(i-1, i+2) if k >= 0'``.
        p : float or str
            Connection probability of each pair that passes ``condition`` (independent
            Bernoulli trials).
        n : int or str
            Number of synapses per created pair.
        skip_if_invalid : bool
            Drop generator targets outside the target group instead of raising.

        Raises
        ------
        MemoryEstimateError
            Before building anything, when the synapses this call would create (estimated
            from ``N_pre*N_post*p``, the pairs given, ``n``, a sample of a condition) need
            more memory than is available (``prefs.spikeloom.memory_check``); again, with
            the exact count, before their arrays are allocated.
        """
        where = f"{self.owner}.connect"
        fresh = True  # pre and post are arrays of this call's own making
        ns = check_namespace(namespace, where) if namespace is not None else \
            _caller_namespace()
        if not isinstance(p, str):
            p = check_probability(p, where)
        self._check_connect_memory(condition, i, j, p, n, ns, where)
        if isinstance(j, str):
            if i is not None or condition is not None:
                raise ValueError(f"{where}: j as a generator string excludes i and condition")
            pre, post = pairs_from_generator(self, j, ns, skip_if_invalid, where)
        elif i is not None or j is not None:
            if i is None or j is None:
                raise ValueError(f"{where}: give both i and j (got i={i!r}, j={j!r})")
            if condition is not None:
                raise ValueError(f"{where}: explicit i/j cannot be combined with a condition")
            pre, post = explicit_pairs(as_indices(i), as_indices(j), self.source.N,
                                       self.target.N, where)
            fresh = False  # may be the caller's own arrays
            if isinstance(p, str):
                raise TypeError(f"{where}: p={p!r}; with explicit i and j, p must be a "
                                "number in [0, 1], not an expression")
            pre, post = thin_pairs(pre, post, p)
        else:
            if isinstance(condition, str) and condition.strip() == "i == j" and p == 1:
                size = min(self.source.N, self.target.N)
                pre = post = np.arange(size)
            else:
                pre, post = pairs_from_condition(self, condition, p, ns, where)
        if isinstance(n, str):
            from ._connect import _evaluate_pairs
            counts = _evaluate_pairs(self, ns, n, pre, post, DIMENSIONLESS, f"{where}: n={n!r}")
            bad = ~((counts >= 0) & (counts < 2**62))  # nan fails too
            if bad.any():  # (tested before the cast, which makes inf and nan negative)
                k = np.flatnonzero(bad)[0]
                raise ValueError(f"{where}: n={n!r} gives {counts[k]} for the pair "
                                 f"i={pre[k]}, j={post[k]}; allowed: a number of synapses "
                                 "from 0 to 2**62")
            counts = counts.astype(np.int64)
        else:
            if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
                raise ValueError(f"{where}: n must be a non-negative integer, got {n!r}")
            counts = np.full(len(pre), int(n), np.int64) if n != 1 else None
        if counts is not None:  # multisynapses (or none): repeat each pair n times
            if (counts < 0).any():
                raise ValueError(f"{where}: n evaluated to a negative number")
            self._check_built_memory(int(counts.sum()))
            pre, post = np.repeat(pre, counts), np.repeat(post, counts)
        else:
            self._check_built_memory(len(pre))
        self._append(pre, post, adopt=fresh)

    _CONNECT_FIX = "use fewer neurons, a lower p or a narrower condition"

    def _check_connect_memory(self, condition, i, j, p, n, ns, where) -> None:
        """Refuse a connect whose estimated synapses cannot fit, before building pairs
        (a condition string or p expression is sampled only when its upper bound does not
        fit: most calls never evaluate it twice)."""
        if not _memory.prefs.spikeloom.memory_check:
            return
        guess = expected_synapses(self, condition, i, j, p, n)
        if guess is None:
            return
        count, how, upper = guess
        if upper and not _memory.fits(_memory.estimate_synapses(self, count).needed):
            count, how = sampled_synapses(self, condition, p, n, ns, where)
        _memory.check_synapses(self, count, how, self._CONNECT_FIX)

    def _check_built_memory(self, count: int) -> None:
        """Refuse ``count`` synapses whose arrays cannot fit, once the pairs exist (the
        pairs' own memory is in use already, so only the stored arrays count)."""
        _memory.check_synapses(self, count, "pairs built", self._CONNECT_FIX, working=False)

    def _append(self, pre: np.ndarray, post: np.ndarray, adopt: bool = False) -> None:
        """Add the synapses ``pre[k] -> post[k]`` (indices within the source and target).

        ``adopt``: ``pre`` and ``post`` are nobody else's, so the first synapses of an empty
        ``Synapses`` may keep them as its index arrays instead of copying them (copying
        32 M indices into fresh pages took 0.4 s of page faults, half of a 400 000-neuron
        COBA build).
        """
        old, new = self.N, self.N + len(pre)
        for var in self.variables.values():
            if isinstance(var, DerivedVariable) or var.values is None or var.shared:
                continue
            default = self._default_delays.get(var.name, 0)
            if old == 0 and default == 0:
                # np.zeros gets zeroed pages from the OS on first touch: a 32 M-synapse
                # network does not pay for filling arrays that code may never write
                var.values = np.zeros(new, var.values.dtype)
                continue
            grown = np.empty(new, var.values.dtype)
            grown[:old] = var.values[:old]
            grown[old:] = default
            var.values = grown
        for name, new_values, start in (("_synaptic_pre", pre, self.source.start),
                                        ("_synaptic_post", post, self.target.start)):
            var = self.variables[name]
            if (adopt and old == 0 and new_values.dtype == var.values.dtype
                    and new_values.ndim == 1 and new_values.flags.c_contiguous
                    and new_values.flags.writeable and not np.shares_memory(pre, post)):
                var.values = new_values
            else:
                var.values[old:] = new_values
            if start:
                var.values[old:] += start
        self.N = new
        self._connect_version += 1

    def _refresh_synapse_counts(self, var: DerivedVariable) -> None:
        """Recompute N_incoming or N_outgoing if synapses were added since the last read."""
        if getattr(var, "_version", None) == self._connect_version:
            return
        if var.name == "N_incoming":
            index, group = self.variables["_synaptic_post"].values, self.target
        else:
            index, group = self.variables["_synaptic_pre"].values, self.source
        relative = index - group.start if group.start else index
        counts = np.bincount(relative, minlength=group.N).astype(np.int32)
        var.values = counts[relative]
        var._version = self._connect_version

    # -- lowering --------------------------------------------------------------------------------
    def lower(self, lctx) -> None:
        every, dt_name, ns = self._lower_storage(lctx)
        n_name = lctx.scalar(f"N_{self.name}", self.N, "int64")
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        self._check_subexpression_units(builder)
        for eq in self.model:
            if eq.kind == SUB and "constant over dt" in eq.flags:
                self._constant_over_dt(eq, builder)
        self._integration(self._clock_driven, builder, self.method)
        kernel = builder.build()
        if kernel.statements:
            lctx.add_block(self, ir.ElementLoop(f"{self.name}_stateupdater", every, dt_name,
                                                start=0, stop=n_name, kernel=kernel))
        for eq in self._summed:
            self._lower_summed(eq, lctx, every, dt_name, n_name, ns)
        for pathway in self.pathways:
            self._lower_pathway(pathway, lctx, every, dt_name, ns)

    def _summed_group(self, eq):
        return self.target if eq.name.endswith("_post") else self.source

    def _lower_summed(self, eq, lctx, every, dt_name, n_name, ns) -> None:
        suffix = "_post" if eq.name.endswith("_post") else "_pre"
        group = self._summed_group(eq)
        target_var = group.variables[eq.name[: -len(suffix)]]
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        expr = builder.expression(eq.expr, f"{self.owner}: {eq.where}", expected=eq.dim)
        builder.assign_local("_summand", expr)
        lctx.claim_summed_target(group.array_name(target_var), f"{self.owner}: {eq.where}")
        index_var = self.variables["_synaptic_post" if suffix == "_post" else "_synaptic_pre"]
        block = ir.Summed(f"{self.name}_summed_variable_{eq.name}", every, dt_name,
                          target=group.array_name(target_var),
                          target_start=group.start, target_stop=group.start + group.N,
                          n_synapses=n_name, post_index=self.array_name(index_var),
                          kernel=builder.build())
        updater = self.summed_updaters[eq.name]
        when_index(updater.when, updater.owner)
        lctx.add_block(self, block, when=updater.when, order=updater.order)

    def _lower_pathway(self, pathway: SynapticPathway, lctx, every, dt_name, ns) -> None:
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        where = f"{self.owner} on_{pathway.name}"
        if self._event_driven:
            self._integration(self._event_driven, builder, "exact",
                              dt_symbol=sym("t") - sym("lastupdate"))
        builder.add_code(pathway.lines, where)
        if self._event_driven:
            builder.add_code(parse_statements("lastupdate = t", where), where)
        source = pathway.source
        delays = pathway.delay_var.values
        bounds = _check_delays(delays, f"{where}: delay")
        homogeneous = bounds is None or bounds[0] == bounds[1]
        kernel = builder.build()
        # partitions of the targets that threads may deliver to concurrently
        concurrent = requested_threads() > 1 and \
            self._writes_only_synapses_and_targets(kernel, pathway)
        queue = qcount = source_groups = ""
        split = None
        if homogeneous:
            ptr, order = self._event_index(pathway)
            d = int(np.floor(delays[0] / self.clock.dt_ + 0.5)) if delays.size else 0
            pathway._queue_for(d + 1, source.N, ("homogeneous", d))
            # without a delay, spikes are delivered straight from this step's spike list
            delay_steps = 0 if d == 0 else lctx.scalar(f"delay_{self.name}_{pathway.name}", d,
                                                       "int64")
        else:
            steps = _delay_steps(delays, self.clock.dt_)
            slots = int(steps.max()) + 1
            groups = self._delay_groups(pathway, steps,
                                        TARGET_PARTITIONS if concurrent else 1)
            ptr, order, split = groups.ptr, groups.order, groups.target_split
            # the queue holds group numbers, valid only for this grouping
            pathway._queue_for(slots, max(16, 2 * groups.delay.size // slots),
                               ("delay groups", groups.generation))
            delay_steps = lctx.array(f"_delay_steps_{self.name}_{pathway.name}", groups.delay)
            source_groups = lctx.array(f"_source_groups_{self.name}_{pathway.name}",
                                       groups.source_groups)
        if delay_steps != 0:
            queue = lctx.array(f"_queue_{self.name}_{pathway.name}", pathway.queue,
                               growable=True,
                               setter=lambda arr, pw=pathway: setattr(pw, "queue", arr))
            qcount = lctx.array(f"_queue_count_{self.name}_{pathway.name}",
                                pathway.queue_count)
        spiking = source.spike_source
        events, n_events = spiking._event_arrays(lctx, pathway.event)
        if order is None and homogeneous and concurrent:
            split = self._target_split(pathway, ptr)
        block = ir.Pathway(
            f"{self.name}_{pathway.name}", every, dt_name,
            source_spikes=events, source_count=n_events,
            source_start=source.start, source_stop=source.start + source.N,
            ptr=lctx.array(f"_ptr_{self.name}_{pathway.name}", ptr),
            order="" if order is None else lctx.array(f"_order_{self.name}_{pathway.name}",
                                                      order),
            delay_steps=delay_steps, per_synapse_delay=not homogeneous,
            source_groups=source_groups, queue=queue, queue_count=qcount, kernel=kernel,
            target_split="" if split is None else lctx.array(
                f"_target_split_{self.name}_{pathway.name}", split))
        lctx.add_block(self, block, when="synapses",
                       order=-1 if pathway.prepost == "pre" else 1)  # Brian2's orders

    def _event_index(self, pathway: SynapticPathway) -> tuple[np.ndarray, np.ndarray | None]:
        """CSR index of ``pathway``'s synapses by source neuron: (ptr, order or None).

        Source neuron k owns synapses ``order[ptr[k]:ptr[k+1]]``; ``order`` is None when the
        synapses are stored sorted by source (what ``connect`` creates for a pre pathway), so
        delivery walks the synapse arrays sequentially. Cached until the next ``connect``.
        """
        cache = self.__dict__.setdefault("_event_indices", {})
        cached = cache.get(pathway.prepost)
        if cached is None or cached[0] != self._connect_version:
            by = "_synaptic_pre" if pathway.prepost == "pre" else "_synaptic_post"
            rel = self.variables[by].values
            if pathway.source.start:
                rel = rel - pathway.source.start
            ptr = _source_ptr(rel, pathway.source.N)
            # the 64-bit copy that sorting needs, only when the synapses are not sorted
            order = None if _is_sorted(rel) else \
                _sorting_permutation(rel.astype(np.int64))[0]
            cached = cache[pathway.prepost] = (self._connect_version, ptr, order)
        return cached[1], cached[2]

    def _delay_groups(self, pathway: SynapticPathway, steps: np.ndarray,
                      parts: int) -> _DelayGroups:
        """``pathway``'s synapses split by source and delay (``ir.Pathway``'s delay groups).

        One stable sort by (source, delay, target partition) keeps the synapses of a target
        in the order of their indices, so that each target receives a step's events in the
        order of the per-synapse queue this replaces (spike by spike, synapse index by
        synapse index). With ``parts`` > 1 each group is split into the synapses onto
        ``parts`` target partitions (``target_split``). Cached until the next ``connect`` or
        change of the delays (in steps).
        """
        # plain arrays and numbers only: checkpoints save the object's state
        cache = self.__dict__.setdefault("_delay_group_cache", {})
        cached = cache.get(pathway.name)
        if (cached is not None and cached[0] == self._connect_version
                and cached[1] == parts and np.array_equal(cached[2], steps)):
            return _DelayGroups(*cached[3:])
        pre_side = pathway.prepost == "pre"
        # the key is made in the array of source indices (a new array of 8 bytes per
        # synapse costs its first touch: 0.15 s at 75 M synapses), after their pointers
        key = self.variables["_synaptic_pre" if pre_side else "_synaptic_post"].values \
            .astype(np.int64)
        key -= pathway.source.start
        source_ptr = _source_ptr(key, pathway.source.N)
        span = int(steps.max()) + 1
        key *= span
        key += steps
        if parts > 1:
            target = self.target if pre_side else self.source
            index = self.variables["_synaptic_post" if pre_side else "_synaptic_pre"].values
            key *= parts
            key += (index.astype(np.int64) - target.start) * parts // max(target.N, 1)
        order, key = _stable_order(key)
        group_key = key // parts if parts > 1 else key
        first_of_group = np.empty(key.size, bool)
        first_of_group[:1] = True
        np.not_equal(group_key[1:], group_key[:-1], out=first_of_group[1:])
        starts = np.flatnonzero(first_of_group)
        split = None
        if parts > 1:  # where each group's synapses onto partition q begin (sorted key)
            wanted = group_key[starts][:, None] * parts + np.arange(parts + 1)[None, :]
            split = np.searchsorted(key, wanted).astype(np.int64)
        generation = cached[-1] + 1 if cached is not None else 0
        groups = _DelayGroups(ptr=np.append(starts, key.size).astype(np.int64), order=order,
                              delay=(group_key[starts] % span).astype(np.int32),
                              source_groups=np.searchsorted(starts, source_ptr).astype(np.int64),
                              target_split=split, generation=generation)
        # ``steps`` is the caller's fresh array, kept as it is (a copy costs 0.26 s at 30 M)
        cache[pathway.name] = (self._connect_version, parts, steps, groups.ptr,
                               groups.order, groups.delay, groups.source_groups, split,
                               generation)
        return groups

    def _writes_only_synapses_and_targets(self, kernel: ir.Kernel,
                                          pathway: SynapticPathway) -> bool:
        """Whether ``kernel`` stores only per-synapse values and values of its targets."""
        target_index = self.array_name(
            self.variables["_synaptic_post" if pathway.prepost == "pre" else "_synaptic_pre"])
        target_locals = {name for name, array, _ in kernel.indices if array == target_index}
        return all(ref.index == "_idx" or ref.index in target_locals
                   for _, ref in kernel.stores)

    def _target_split(self, pathway: SynapticPathway, ptr: np.ndarray) -> np.ndarray | None:
        """``split[k, q]``: start of source k's synapses onto target partition q (or None).

        Needs each source's synapses sorted by target, which ``connect`` creates; None
        otherwise. Cached until the next ``connect``.
        """
        cache = self.__dict__.setdefault("_target_splits", {})
        cached = cache.get(pathway.prepost)
        if cached is not None and cached[0] == self._connect_version:
            return cached[1]
        pre_side = pathway.prepost == "pre"
        target = self.target if pre_side else self.source
        index = self.variables["_synaptic_post" if pre_side else "_synaptic_pre"].values
        source_index = self.variables["_synaptic_pre" if pre_side else "_synaptic_post"].values
        n_source, parts = pathway.source.N, TARGET_PARTITIONS
        split = None
        if target.N >= parts and index.size:
            part = (index.astype(np.int64) - target.start) * parts // target.N
            row = source_index.astype(np.int64) - pathway.source.start
            key = row * parts + part
            if not np.any(key[1:] < key[:-1]):  # each source's synapses sorted by target
                counts = np.bincount(key, minlength=n_source * parts).reshape(n_source, parts)
                split = np.empty((n_source, parts + 1), np.int64)
                split[:, 0] = ptr[:-1]
                np.cumsum(counts, axis=1, out=split[:, 1:])
                split[:, 1:] += ptr[:-1, None]
        cache[pathway.prepost] = (self._connect_version, split)
        return split


def _delay_steps(delays: np.ndarray, dt: float) -> np.ndarray:
    """``floor(delays / dt + 0.5)`` as int32: each delay in whole steps (Brian2's rounding),
    with one temporary array instead of three (0.17 s for 75 M delays)."""
    steps = delays / dt
    steps += 0.5
    np.floor(steps, out=steps)
    return steps.astype(np.int32)


def _source_ptr(rel: np.ndarray, n_sources: int) -> np.ndarray:
    """CSR pointers (int64, ``n_sources + 1``) of synapses whose sources are ``rel``."""
    ptr = np.zeros(n_sources + 1, np.int64)
    np.cumsum(np.bincount(rel, minlength=n_sources), out=ptr[1:])
    return ptr


def _is_sorted(key: np.ndarray) -> bool:
    """Whether ``key`` never decreases."""
    return key.size < 2 or not bool(np.any(key[1:] < key[:-1]))


def _stable_order(key: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """(the stable sorting permutation of the non-negative int64 ``key`` as int32, or None
    when ``key`` is sorted already; the sorted key). ``key`` is overwritten.

    Appending each element's index to its key makes all keys distinct, so NumPy's unstable
    SIMD sort of the values gives the stable order: 0.2 s against 3.9 s for a stable
    argsort of 30 million keys (measured). In place, because at this size every new array
    costs its first touch.
    """
    if _is_sorted(key):
        return None, key
    return _sorting_permutation(key)


def _sorting_permutation(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_stable_order` of a ``key`` known not to be sorted (no second check)."""
    n = key.size
    bits = int(n - 1).bit_length()
    if int(key.max()).bit_length() + bits > 62:
        order = np.argsort(key, kind="stable")
        return order.astype(np.int32), key[order]
    key <<= bits
    key |= np.arange(n, dtype=np.int32)
    key.sort()
    order = np.empty(n, np.int32)
    np.bitwise_and(key, (1 << bits) - 1, out=order, casting="unsafe")
    key >>= bits
    return order, key


@dataclass(frozen=True)
class _DelayGroups:
    """A pathway's synapses by (source, delay): group ``g`` is the CSR positions
    ``ptr[g]:ptr[g+1]`` (synapses ``order[...]``, or the positions themselves when ``order``
    is None), all with the delay ``delay[g]`` (steps); source ``k`` owns the groups
    ``source_groups[k]:source_groups[k+1]``."""

    ptr: np.ndarray
    order: np.ndarray | None
    delay: np.ndarray
    source_groups: np.ndarray
    #: int64[n_groups, P + 1] (or None): group g's synapses onto target partition q are the
    #: CSR positions ``target_split[g, q]:target_split[g, q+1]``
    target_split: np.ndarray | None
    #: how many groupings of this pathway came before this one (queue entries of another
    #: generation name other groups)
    generation: int = 0


def _selection(item, size: int) -> np.ndarray:
    if isinstance(item, slice):
        return np.arange(size)[item]
    return np.atleast_1d(np.asarray(item))


class SynapticIndexArray(np.ndarray):
    """``S.i``/``S.j``: an int32 array that also takes Brian2's synaptic indices
    (``S.j[3, :]``: the targets of neuron 3; ``S.i['j > 2']``)."""

    @classmethod
    def wrap(cls, values: np.ndarray, synapses) -> SynapticIndexArray:
        array = values.view(cls)
        array._synapses = synapses
        return array

    def __array_finalize__(self, obj) -> None:
        self._synapses = getattr(obj, "_synapses", None)

    def __getitem__(self, item):
        if self._synapses is not None and (isinstance(item, str) or (
                isinstance(item, tuple) and len(item) == 2 and self.ndim == 1)):
            return np.asarray(self)[self._synapses._element_indices(item)]
        result = super().__getitem__(item)
        return np.asarray(result) if isinstance(result, np.ndarray) else result


class SynapseIndices:
    """``Synapses.indices``: indexing it gives synapse indices (int32), as in Brian2."""

    def __init__(self, synapses) -> None:
        self.synapses = synapses

    def __getitem__(self, item) -> np.ndarray:
        return self.synapses._element_indices(item).astype(np.int32)


class SynapticSubgroup:
    """A selection of synapses (``S[i, :]``), usable as ``StateMonitor(..., record=...)``.

    Attributes
    ----------
    synapses : Synapses
    indices : ndarray of int32
        The selected synapses' indices.
    """

    def __init__(self, synapses, indices) -> None:
        self.synapses = synapses
        self.indices = np.asarray(indices, dtype=np.int32)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.indices if dtype is None else self.indices.astype(dtype)

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"<SynapticSubgroup, storing {len(self.indices)} indices of synapses>"


class SummedUpdater:
    """Where a (summed) variable is computed in the step (Brian2's summed updater object):
    ``when`` (a schedule slot) and ``order`` may be changed before a run."""

    def __init__(self, owner: str, when: str, order: int) -> None:
        self.owner = owner
        self.when = when
        self.order = order

    def __repr__(self) -> str:
        return f"SummedUpdater(when={self.when!r}, order={self.order})"
