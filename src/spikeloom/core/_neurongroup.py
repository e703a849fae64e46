"""NeuronGroup: neurons defined by equations, with threshold, reset and refractoriness."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from .. import ir, units
from ..equations import (
    BOOLEAN,
    DIFF,
    SUB,
    Equations,
    infer_dim,
    make_counter,
    parse_ast,
    parse_statements,
    to_sympy,
)
from ..exceptions import EquationError, UnitError, UnsupportedEquationsError
from ..integrators._base import ODESystem, Statement, sym
from ..units import DIMENSIONLESS, Quantity, dim_string, get_dim
from ._base import when_index
from ._codegen import KernelBuilder
from ._device import default_float_dtype
from ._group import Group, SpikeSource, check_namespace, check_size
from ._variables import NUMPY_DTYPES, Variable

logger = logging.getLogger("spikeloom.core")
SECOND = get_dim(units.second)
NOISE_DIM = SECOND ** -0.5
LASTSPIKE_INIT = -1e4  # seconds, as Brian2


def is_noise(name: str) -> bool:
    return name == "xi" or name.startswith("xi_")


class EquationsOwner(Group):
    """A group whose variables come from :class:`Equations` (neurons and synapses)."""

    _allowed_flags: frozenset[str] = frozenset()
    #: the method that integrated the differential equations in the last run
    integration_method: str | None = None

    def _setup_equations(self, model, extra_names: set[str]) -> Equations:
        if isinstance(model, str):
            model = Equations(model)
        if not isinstance(model, Equations):
            raise TypeError(f"{self.owner}: model must be a string or Equations, got "
                            f"{type(model).__name__}")
        for eq in model:
            bad = eq.flags - self._allowed_flags
            if "point current" in bad:
                raise EquationError(f"{self.owner}: {eq.where}: a (point current) is injected "
                                    "into one compartment of a SpatialNeuron; in a point "
                                    "neuron write the current into the membrane equation")
            if bad:
                raise EquationError(f"{self.owner}: {eq.where}: flag(s) {', '.join(sorted(bad))}"
                                    f" not allowed here; allowed: "
                                    f"{', '.join(sorted(self._allowed_flags)) or 'none'}")
            if eq.name.startswith("_"):
                raise EquationError(f"{self.owner}: {eq.where}: names starting with '_' are "
                                    "reserved")
            if eq.name in extra_names:
                raise EquationError(f"{self.owner}: {eq.where}: {eq.name!r} is a built-in "
                                    "variable of this group")
        self._eq_namespace = dict(model.namespace)
        return model

    def _add_model_variables(self, model: Equations, skip=lambda eq: False) -> None:
        for eq in model:
            if skip(eq):
                continue
            dtype = NUMPY_DTYPES[eq.var_type]
            if np.dtype(dtype) == np.float64:  # Brian2's prefs.core.default_float_dtype
                dtype = default_float_dtype().type
            if "linked" in eq.flags:
                self.variables[eq.name] = Variable(eq.name, eq.dim, dtype, None, constant=True,
                                                   linked=True, where=eq.where)
            elif eq.kind == SUB and "constant over dt" in eq.flags:
                # computed once per step before integration (Brian2), so it is stored
                self.add_array(eq.name, eq.dim, dtype, read_only=True, where=eq.where)
            elif eq.kind == SUB:
                self.add_subexpression(eq.name, eq.dim, eq.expr, eq.where, dtype)
            else:
                self.add_array(eq.name, eq.dim, dtype, shared="shared" in eq.flags,
                               constant="constant" in eq.flags, where=eq.where)

    def _check_subexpression_units(self, builder: KernelBuilder) -> None:
        """Each subexpression has the unit it declares (``x = 3 : volt`` is refused, as by
        Brian2); (summed) and (constant over dt) ones are checked where they are lowered."""
        scope = builder.scope
        for eq in self.model:
            if eq.kind != SUB or eq.flags & {"summed", "constant over dt", "linked"}:
                continue
            where = f"{self.owner}: {eq.where}"

            def dim_of(name, _where=where):
                return NOISE_DIM if is_noise(name) else builder.dim_of(scope, _where)(name)

            dim = infer_dim(eq.expr_ast, dim_of, builder.func_of(scope, where), where)
            expected = BOOLEAN if eq.var_type == "boolean" else eq.dim
            if dim != expected and {dim, expected} != {BOOLEAN, DIMENSIONLESS}:
                raise UnitError(f"{where}: right-hand side has unit {_unit_name(dim)}, but "
                                f"the equation declares {_unit_name(expected)}")

    # -- integration ---------------------------------------------------------------------------
    def _constant_over_dt(self, eq, builder: KernelBuilder) -> None:
        _constant_over_dt_statement(self, eq, builder)

    def _ode_system(self, eqs: list, builder: KernelBuilder, dt_symbol) -> ODESystem:
        """Check units of the differential equations and build the system to integrate."""
        scope = builder.scope
        subexprs = {eq.name: eq for eq in self.model if eq.kind == SUB
                    and "constant over dt" not in eq.flags}
        drift, diffusion = {}, {}
        for eq in eqs:
            node = eq.expr_ast
            where = f"{self.owner}: {eq.where}"

            def dim_of(name, _where=where):
                return NOISE_DIM if is_noise(name) else builder.dim_of(scope, _where)(name)

            dim = infer_dim(node, dim_of, builder.func_of(scope, where), where)
            expected = eq.dim / SECOND
            if dim != expected:
                raise UnitError(f"{where}: right-hand side has unit "
                                f"{'boolean' if dim == BOOLEAN else dim_string(dim)}, expected "
                                f"{dim_string(expected)} (unit of {eq.name} per second)")
            counter = make_counter()
            expr = to_sympy(node, counter, builder._functions(node, scope))
            if counter.draws:
                raise EquationError(f"{where}: rand()/randn() cannot appear in a differential "
                                    "equation; use the noise symbol xi (white noise)")
            expr = _substitute_subexpressions(expr, subexprs, builder, scope)
            noises = sorted({s.name for s in expr.free_symbols if is_noise(s.name)})
            terms = {}
            for noise in noises:
                g = sympy.diff(expr, sym(noise))
                if sym(noise) in g.free_symbols:
                    raise EquationError(f"{where}: the noise {noise} must appear linearly")
                terms[noise] = g
            f = expr.subs({sym(n): 0 for n in noises})
            drift[eq.name] = f
            if terms:
                diffusion[eq.name] = terms
        return ODESystem(tuple(eq.name for eq in eqs), drift, diffusion, dt=dt_symbol)

    def _integration(self, eqs: list, builder: KernelBuilder, method, dt_symbol=None,
                     unless_refractory=frozenset()) -> None:
        if not eqs:
            return
        from ..integrators import integrate

        system = self._ode_system(eqs, builder, dt_symbol if dt_symbol is not None
                                  else sym("dt"))
        name, statements = None, None
        frozen, thawed = _freeze_timed_arrays(system, builder.scope, self.clock.dt_)
        if thawed:  # Brian2 integrates exactly with TimedArrays held over the step
            try:
                name, statements = integrate(frozen, method)
            except ValueError:
                pass
            if name == "exact":
                statements = [dataclasses.replace(st, expr=st.expr.xreplace(thawed))
                              for st in statements]
            else:  # other methods evaluate the TimedArray where their stages are
                name, statements = None, None
        try:
            if statements is None:
                name, statements = integrate(system, method)
        except ValueError as exc:
            raise UnsupportedEquationsError(f"{self.owner}: {exc}") from None
        if method is None:
            logger.info("%s: no integration method given, using %r", self.owner, name)
        self.integration_method = name
        final = []
        for st in statements:
            if st.target in unless_refractory:
                st = Statement(st.target, sympy.Piecewise(
                    (st.expr, sym("not_refractory")), (sym(st.target), True)), st.op)
            final.append(st)
        builder.add_statements(final, f"{self.owner}: state update")


def _unit_name(dim) -> str:
    return "boolean" if dim == BOOLEAN else dim_string(dim)


def _freeze_timed_arrays(system: ODESystem, scope, dt: float) -> tuple[ODESystem, dict]:
    """``system`` with each ``f(t)`` of a TimedArray that is constant over the step (its dt a
    whole multiple of the group's, Brian2's ``is_locally_constant``) replaced by a symbol,
    and the map back; (system, {}) when there is none."""
    from ._timedarray import TimedArray

    t = sym("t")
    calls = {}
    for expr in [*system.drift.values(),
                 *(g for terms in system.diffusion.values() for g in terms.values())]:
        for call in expr.atoms(AppliedUndef):
            name = type(call).__name__
            try:
                table = scope.namespace.get(name)
            except KeyError:
                continue
            if not isinstance(table, TimedArray) or call.args != (t,):
                continue
            ratio = table.dt_ / dt
            if ratio >= 1 - 1e-9 and abs(ratio - round(ratio)) <= 1e-9 * ratio:
                calls[call] = sympy.Symbol(f"_held_{name}", real=True)
    if not calls:
        return system, {}
    frozen = dataclasses.replace(
        system, drift={k: v.xreplace(calls) for k, v in system.drift.items()},
        diffusion={k: {n: g.xreplace(calls) for n, g in terms.items()}
                   for k, terms in system.diffusion.items()})
    return frozen, {symbol: call for call, symbol in calls.items()}


def _constant_over_dt_statement(group, eq, builder) -> None:
    """``name = expr`` at the start of the step, unit-checked against the declaration."""
    where = f"{group.owner}: {eq.where}"
    expr = builder.expression(eq.expr, where, expected=eq.dim)
    res = builder.scope.resolve(eq.name, where)
    local = builder.local(res.local)
    builder.stores[local] = ir.Ref(res.array, res.index)
    builder.loads.pop(local, None)
    builder.statements.append(Statement(local, expr, "=", True))


def _substitute_subexpressions(expr, subexprs: dict, builder, scope, depth: int = 0):
    if depth > 50:
        raise EquationError("subexpressions refer to each other in a cycle")
    mapping = {}
    for symbol in sorted(expr.free_symbols, key=lambda s: s.name):
        eq = subexprs.get(symbol.name)
        if eq is not None:
            node = eq.expr_ast
            sub = to_sympy(node, make_counter(), builder._functions(node, scope))
            mapping[symbol] = _substitute_subexpressions(sub, subexprs, builder, scope,
                                                         depth + 1)
    return expr.xreplace(mapping) if mapping else expr


class NeuronGroup(SpikeSource, EquationsOwner):
    """A group of neurons defined by equations (Brian2's ``NeuronGroup``).

    Parameters
    ----------
    N : int
        Number of neurons (> 0).
    model : str or Equations
        Differential equations, subexpressions and parameters with units.
    method : str, optional
        Integration method ('exact', 'euler', 'rk2', 'rk4', 'heun', 'milstein',
        'exponential_euler'); chosen automatically (and logged) if omitted.
    threshold : str, optional
        Spike condition, e.g. ``'v > -50*mV'``.
    reset : str, optional
        Statements run for each spiking neuron, e.g. ``'v = -60*mV'``.
    refractory : Quantity (time), str or False
        Refractory period: a time, an expression of time (``'ref'``), or a condition that
        holds while refractory (``'v > -55*mV'``). Variables flagged ``(unless refractory)``
        stay constant and the threshold is off while refractory.
    events : dict, optional
        Custom events, ``{name: condition}`` (Brian2's ``events``), tested after the spike
        threshold; actions are added with :meth:`run_on_event`.
    namespace : dict, optional
        Names for the model's external constants (else the run's namespace).
    dtype : None
        Brian2's per-variable dtypes: accepted and ignored (variables are float64, or as
        their unit line says: ``boolean``, ``integer``).
    dt : Quantity (time), optional
        The group's own step; defaults to ``defaultclock.dt``.
    clock : Clock, optional
        The group's clock (instead of ``dt``).
    order : int
        Position within a schedule slot.
    name : str, optional
        A unique name (default ``'neurongroup'``, numbered).
    method_options : dict, optional
        Brian2's options of the integration method: accepted and ignored.
    codeobj_class : None
        Brian2's code-generation class: accepted and ignored.
    """

    _default_name = "neurongroup"
    _allowed_flags = frozenset({"constant", "shared", "constant over dt", "unless refractory",
                                "linked"})

    def __init__(self, N, model, method=None, threshold=None, reset=None, refractory=False,
                 events=None, namespace=None, dtype=None, dt=None, clock=None, order=0,
                 name=None, method_options=None, codeobj_class=None) -> None:
        super().__init__(name=name, when="groups", order=order, dt=dt, clock=clock)
        self.N = check_size(N, f"NeuronGroup {self.name!r}")
        self.events = _check_events(self.owner, events)
        # as in Brian2, custom events are tested after the spike threshold
        self._event_schedule = {name: ("after_thresholds", order) for name in self.events}
        self._event_actions: list[tuple] = []
        self.namespace = check_namespace(namespace, self.owner)
        self.model = self._setup_equations(model, {"i", "N", "t", "dt", "not_refractory"})
        self.method = method
        self.threshold = threshold
        self.reset = reset
        self.refractory = refractory
        self._add_model_variables(self.model)
        if threshold is not None:
            if not isinstance(threshold, str):
                raise TypeError(f"{self.owner}: threshold must be a string condition, got "
                                f"{threshold!r}")
            if "lastspike" not in self.variables:
                self.add_array("lastspike", SECOND, np.float64, LASTSPIKE_INIT)
        self._reset_lines = parse_statements(reset, f"{self.owner} reset") if reset else []
        if refractory is not False and refractory is not None:
            if "lastspike" not in self.variables:
                self.add_array("lastspike", SECOND, np.float64, LASTSPIKE_INIT)
            if isinstance(refractory, Quantity) and get_dim(refractory) != SECOND:
                raise UnitError(f"{self.owner}: refractory must be a time, a string or False, "
                                f"got {refractory!r}")
            if not isinstance(refractory, Quantity | str):
                raise TypeError(f"{self.owner}: refractory must be a time (e.g. 5*ms), a "
                                f"string or False, got {refractory!r}")
            self.add_array("not_refractory", DIMENSIONLESS, np.bool_, True)
        flagged = [eq.name for eq in self.model if "unless refractory" in eq.flags]
        if flagged and "not_refractory" not in self.variables:
            raise EquationError(f"{self.owner}: {', '.join(flagged)} flagged "
                                "'(unless refractory)' but no refractory period was given")
        for name in flagged:
            self.variables[name].conditional_write = "not_refractory"
        self._frozen = True

    # -- custom events (Brian2's events=, run_on_event, set_event_schedule) -------------------
    def run_on_event(self, event: str, code: str, when: str = "after_resets",
                     order: int | None = None) -> None:
        """Run ``code`` for each neuron that had ``event`` this step.

        Parameters
        ----------
        event : str
            ``'spike'`` (needs a threshold) or a name of ``events``.
        code : str
            Statements over the group's variables, e.g. ``'allow = False'``.
        when : str
            Schedule slot (default ``'after_resets'``, as in Brian2).
        order : int, optional
            Position within the slot (default: the group's order).
        """
        self._check_event_name(event, "run_on_event")
        when_index(when, f"{self.owner}.run_on_event")
        lines = parse_statements(code, f"{self.owner} run_on_event({event!r})")
        self._event_actions.append((event, lines, when, self.order if order is None else order))

    def set_event_schedule(self, event: str, when: str = "after_thresholds",
                           order: int | None = None) -> None:
        """Where in the step the condition of the custom ``event`` is tested."""
        self._check_event_name(event, "set_event_schedule")
        if event == "spike":
            raise ValueError(f"{self.owner}.set_event_schedule: event='spike' is tested in "
                             "the 'thresholds' slot; only custom events can be moved")
        when_index(when, f"{self.owner}.set_event_schedule")
        self._event_schedule[event] = (when, self.order if order is None else order)

    def _check_event_name(self, event: str, where: str) -> None:
        known = (["spike"] if self.threshold is not None else []) + list(self.events)
        if event not in known:
            raise ValueError(f"{self.owner}.{where}: event={event!r} is not an event of this "
                             f"group; its events are {known or 'none (no threshold)'}")

    def _lower_events(self, lctx, every, dt_name, n_name, ns) -> None:
        for event, condition in self.events.items():
            spikes, count = self._event_arrays(lctx, event)
            builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
            where = f"{self.owner}: event {event!r} '{condition}'"
            builder.assign_local("_cond", builder.expression(condition, where,
                                                             expected=BOOLEAN))
            when, order = self._event_schedule[event]
            lctx.add_block(self, ir.Threshold(f"{self.name}_{event}_thresholder", every,
                                              dt_name, start=0, stop=n_name,
                                              kernel=builder.build(), spikes=spikes,
                                              count=count), when=when, order=order)
        for k, (event, lines, when, order) in enumerate(self._event_actions):
            spikes, count = self._event_arrays(lctx, event)
            builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
            builder.add_code(lines, f"{self.owner} run_on_event({event!r})")
            suffix = f"_{k}" if k else ""
            lctx.add_block(self, ir.SpikeLoop(f"{self.name}_{event}_resetter{suffix}", every,
                                              dt_name, spikes=spikes, count=count, start=0,
                                              stop=n_name, kernel=builder.build()),
                           when=when, order=order)

    # -- lowering --------------------------------------------------------------------------------
    def lower(self, lctx) -> None:
        every, dt_name, ns = self._lower_storage(lctx)
        n_name = lctx.scalar(f"N_{self.name}", self.N, "int64")
        self._lower_state_update(lctx, every, dt_name, n_name, ns)
        self._lower_events(lctx, every, dt_name, n_name, ns)
        if self.threshold is not None:
            self._lower_threshold(lctx, every, dt_name, n_name, ns)
            if self._reset_lines:
                builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
                # the reset writes (unless refractory) variables unconditionally (Brian2)
                builder.add_code(self._reset_lines, f"{self.owner} reset",
                                 conditional_writes=False)
                lctx.add_block(self, ir.SpikeLoop(f"{self.name}_spike_resetter", every, dt_name,
                                                  spikes=self._spikes_name,
                                                  count=self._count_name, start=0, stop=n_name,
                                                  kernel=builder.build()), when="resets")

    def _lower_state_update(self, lctx, every, dt_name, n_name, ns) -> None:
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        self._check_subexpression_units(builder)
        if "not_refractory" in self.variables:
            ref = self.refractory
            # (a Quantity's repr goes through JAX: keep it out of the message prefix)
            where = f"{self.owner}: refractory={ref!r}" if isinstance(ref, str) else \
                f"{self.owner}: refractory"
            if isinstance(ref, str):
                node = parse_ast(ref, where)
                dim = infer_dim(node, builder.dim_of(builder.scope, where),
                                builder.func_of(builder.scope, where), where)
                if dim == BOOLEAN:
                    code = f"not_refractory = not_refractory or not ({ref})"
                elif dim == SECOND:
                    code = _not_refractory_code(ref)
                else:
                    raise UnitError(f"{where}: refractory expression has unit "
                                    f"{dim_string(dim)}; expected a time or a condition")
            else:
                ref_name = f"_refractory_{self.name}"
                self._eq_namespace[ref_name] = ref
                code = _not_refractory_code(ref_name)
            builder.add_code(parse_statements(code, where), where)
        for eq in self.model:
            if eq.kind == SUB and "constant over dt" in eq.flags:
                self._constant_over_dt(eq, builder)
        diff = [eq for eq in self.model if eq.kind == DIFF]
        unless = frozenset(eq.name for eq in diff if "unless refractory" in eq.flags)
        self._integration(diff, builder, self.method, unless_refractory=unless)
        kernel = builder.build()
        if kernel.statements:
            lctx.add_block(self, ir.ElementLoop(f"{self.name}_stateupdater", every, dt_name,
                                                start=0, stop=n_name, kernel=kernel))
        for eq in diff:
            lctx.check_nan.append(self.array_name(self.variables[eq.name]))

    @property
    def _auto_lastspike(self) -> bool:
        return "lastspike" not in self.model

    def _lower_threshold(self, lctx, every, dt_name, n_name, ns) -> None:
        self._spike_arrays(lctx)
        builder = KernelBuilder(self.scope(ns), lctx, lctx.tag())
        where = f"{self.owner}: threshold '{self.threshold}'"
        cond = builder.expression(self.threshold, where, expected=BOOLEAN)
        if "not_refractory" in self.variables:
            cond = sympy.And(cond, builder._symbol_for("not_refractory", builder.scope, where))
        builder.assign_local("_cond", cond)
        lctx.add_block(self, ir.Threshold(f"{self.name}_spike_thresholder", every, dt_name,
                                          start=0, stop=n_name, kernel=builder.build(),
                                          spikes=self._spikes_name, count=self._count_name,
                                          after=self._after_spike(lctx, ns)),
                       when="thresholds")


def _check_events(owner: str, events) -> dict[str, str]:
    """Brian2's ``events={'name': 'condition'}``: names are identifiers other than 'spike'
    (the threshold's event), conditions strings."""
    if events is None:
        return {}
    if not isinstance(events, dict):
        raise TypeError(f"{owner}: events must be a dict {{name: condition}}, got {events!r}")
    for name, condition in events.items():
        if not isinstance(name, str) or not name.isidentifier() or name == "spike":
            raise ValueError(f"{owner}: event name {name!r} must be an identifier other than "
                             "'spike' (the threshold's event)")
        if not isinstance(condition, str):
            raise TypeError(f"{owner}: the condition of event {name!r} must be a string, got "
                            f"{condition!r}")
    return dict(events)


def _not_refractory_code(refractory: str) -> str:
    """Brian2's test ``timestep(t - lastspike, dt) >= timestep(refractory, dt)``, vectorisable.

    With ``R = timestep(refractory, dt)`` (an integer) and Brian2's rounding
    ``timestep(x, dt) = int((x + 1e-3*dt)/dt)``, the test is ``t - lastspike >=
    (R - 1e-3)*dt``: the same result (``t - lastspike`` is a whole number of steps up to
    round-off far below the 1e-3*dt margin), but a comparison the compiler can vectorise
    instead of a division and a float-to-int conversion per neuron and step; the right-hand
    side is loop-invariant when ``refractory`` is.
    """
    return f"not_refractory = t - lastspike >= (timestep({refractory}, dt) - 0.001)*dt"
